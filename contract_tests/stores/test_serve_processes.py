"""``mockserver serve`` as real processes: crash safety on SQLite, shared state across workers.

Each test starts the CLI in its own process group on a free loopback port, is bounded in time,
and kills the group when it ends.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest
import requests

from contract_tests.backends import fresh_settings
from mockserver.engine import open_store
from mockserver.settings import Settings
from mockserver.testing.webhooks import WebhookReceiver

pytestmark = pytest.mark.socket

VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")
AUTH = {"Authorization": "Basic " + base64.b64encode(":".join(VDB).encode()).decode()}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    def __init__(self, child: subprocess.Popen[bytes], port: int) -> None:
        self.child = child
        self.url = f"http://127.0.0.1:{port}"
        self.clients = f"{self.url}/robaws/api/v2/clients"

    def kill(self, sig: int = signal.SIGKILL) -> None:
        with suppress(ProcessLookupError):  # already gone
            os.killpg(self.child.pid, sig)
        self.child.wait(timeout=10)
        if self.child.stderr is not None:
            self.child.stderr.close()


@contextmanager
def serve(
    *flags: str, port: int | None = None, env: dict[str, str] | None = None
) -> Iterator[Served]:
    port = port or _free_port()
    command = [sys.executable, "-m", "mockserver", "serve", "--apis", "robaws"]
    child = subprocess.Popen(
        [*command, "--port", str(port), *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    served = Served(child, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            if child.poll() is not None:
                pytest.fail(f"serve exited: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                if requests.get(f"{served.url}/__admin/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("serve did not answer within 30 s")
            time.sleep(0.05)
        yield served
    finally:
        served.kill()


def _create(session: requests.Session, url: str, name: str) -> str | None:
    try:
        response = session.post(url, json={"name": name}, headers=AUTH, timeout=10)
    except requests.RequestException:  # killed before or while answering: not acknowledged
        return None
    return str(response.json()["id"]) if response.status_code == 201 else None


def test_sigkill_loses_no_acknowledged_create_on_sqlite() -> None:
    """1,000 acknowledged creates, SIGKILL twice along the way: after restarts all are there,
    and the webhook outbox delivers the client.created event of every one of them.

    The receiver is down while the creates run, so every event is still pending at each kill.
    """
    flags = ("--store", "sqlite", "--data-dir", str(fresh_settings("sqlite")["data_dir"]))
    flags += ("--rate-limit", "off")
    port = _free_port()
    acknowledged: list[str] = []
    lock = threading.Lock()

    def creator(server: Served, stop: threading.Event) -> None:
        with requests.Session() as session:
            while not stop.is_set():
                with lock:
                    if len(acknowledged) >= 1000:
                        return
                created = _create(session, server.clients, f"crash-{uuid.uuid4().hex[:8]}")
                if created is None:
                    return  # the server is gone (or answered without acknowledging)
                with lock:
                    acknowledged.append(created)

    receiver = WebhookReceiver()
    for kill_at in (400, 1000):
        with serve(*flags, port=port) as server:
            if kill_at == 400:  # subscribed once: the subscription is stored, like the records
                with receiver:
                    receiver.subscribe(server.url, "robaws", ["client.created"])
            stop = threading.Event()
            threads = [threading.Thread(target=creator, args=(server, stop)) for _ in range(4)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 120
            while len(acknowledged) < kill_at and time.monotonic() < deadline:
                time.sleep(0.001)
            server.kill(signal.SIGKILL)  # while other creates are still in flight
            stop.set()
            for thread in threads:
                thread.join(timeout=15)
        assert len(acknowledged) >= kill_at, "the creates did not finish in time"

    with serve(*flags, port=port) as server, requests.Session() as session:
        missing = [
            rid
            for rid in acknowledged
            if session.get(f"{server.clients}/{rid}", headers=AUTH, timeout=10).status_code != 200
        ]
        listed = session.get(f"{server.clients}?size=1", headers=AUTH, timeout=10).json()
        assert missing == []
        assert len(set(acknowledged)) == len(acknowledged) >= 1000
        assert listed["totalItems"] >= 25 + len(acknowledged)  # the seed was kept, not redone
        with receiver:  # back up, on the same port: every pending event arrives
            advance = {"advance": 400}  # past every retry scheduled so far (5 s, 5 min + jitter)
            session.post(f"{server.url}/__admin/clock", json=advance, timeout=10).raise_for_status()
            deadline = time.monotonic() + 120  # a message leased by a killed process: 60 s
            while not set(acknowledged) <= (delivered := _delivered_ids(receiver)):
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            receiver.assert_all_verified()
    assert set(acknowledged) - delivered == set()


def _delivered_ids(receiver: WebhookReceiver) -> set[str]:
    return {str(d.json["data"]["id"]) for d in receiver.deliveries}


def _race(url: str, count: int, **kwargs: Any) -> list[requests.Response]:
    """``count`` requests released together, each on its own already-open connection."""
    sessions = [requests.Session() for _ in range(count)]
    for session in sessions:
        session.get(f"{url.split('/robaws')[0]}/__admin/health", timeout=10)
    barrier = threading.Barrier(count)
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def send(session: requests.Session) -> None:
        barrier.wait()
        answer = session.request(url=url, timeout=30, **kwargs)
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for session in sessions:
        session.close()
    return answers


@pytest.fixture(scope="module")
def two_workers_on_redis() -> Iterator[Served]:
    changes = fresh_settings("redis")
    flags = ("--store", "redis", "--redis-url", changes["redis_url"], "--workers", "2")
    with serve(*flags, env={"MOCKSERVER_REDIS_PREFIX": changes["redis_prefix"]}) as server:
        yield server


def test_two_workers_share_one_rate_limit_bucket(two_workers_on_redis: Served) -> None:
    """Robaws' bucket is 20 and refills 15/s: 25 simultaneous requests over 2 processes, with
    the mock clock frozen through one worker (the clock is shared): exactly 20 pass."""
    admin = f"{two_workers_on_redis.url}/__admin/clock"
    requests.post(admin, json={"freeze": True}, timeout=10).raise_for_status()
    try:
        answers = _race(two_workers_on_redis.clients + "?size=1", 25, method="GET", headers=AUTH)
    finally:
        requests.post(admin, json={"resume": True}, timeout=10).raise_for_status()
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 20 + [429] * 5, statuses
    denied = [a for a in answers if a.status_code == 429]
    assert all(a.headers["X-RateLimit-Remaining"] == "0" and a.content == b"" for a in denied)


def test_two_workers_create_once_for_one_idempotency_key(two_workers_on_redis: Served) -> None:
    server = two_workers_on_redis
    time.sleep(2)  # a full bucket again (the previous test may have emptied it)
    before = requests.get(f"{server.clients}?size=1", headers=AUTH, timeout=10).json()
    key = {"Idempotency-Key": uuid.uuid4().hex, **AUTH}
    answers = _race(server.clients, 12, method="POST", json={"name": "Once"}, headers=key)
    created = {a.json()["id"] for a in answers if a.status_code == 201}
    assert {a.status_code for a in answers} <= {201, 409}, [a.status_code for a in answers]
    assert len(created) == 1
    time.sleep(1.5)
    after = requests.get(f"{server.clients}?size=1", headers=AUTH, timeout=10).json()
    assert after["totalItems"] == before["totalItems"] + 1


def test_two_workers_on_sqlite_keep_one_journal_and_one_clock() -> None:
    """``serve --workers 2``: 40 requests on fresh connections (both workers answer some) are all
    in the journal whichever worker lists it; a clock set through one worker is what every later
    answer says."""
    flags = ("--store", "sqlite", "--data-dir", str(fresh_settings("sqlite")["data_dir"]))
    with serve(*flags, "--workers", "2", "--rate-limit", "off") as server:
        for n in range(40):
            answer = requests.get(f"{server.clients}?size=1&n={n}", headers=AUTH, timeout=10)
            assert answer.status_code == 200
        deadline = time.monotonic() + 1.0  # each worker's entries land within 50 ms
        while requests.get(f"{server.url}/__admin/requests", timeout=10).json()["count"] < 40:
            assert time.monotonic() < deadline, "the other worker's entries did not land in 1 s"
            time.sleep(0.01)
        journals = [
            requests.get(f"{server.url}/__admin/requests", timeout=10).json() for _ in range(6)
        ]
        for journal in journals:
            assert sorted(e["query"] for e in journal["requests"]) == sorted(
                f"size=1&n={n}" for n in range(40)
            )
            ids = [e["id"] for e in journal["requests"]]
            assert ids == sorted(set(ids)) and journal["latest"] == ids[-1]
        traffic = requests.get(f"{server.url}/__admin/traffic?seconds=120", timeout=10).json()
        assert traffic["apis"] == {"robaws": 40}
        for step in ({"at": "2030-01-01T00:00:00Z"}, {"advance": 90}):
            set_to = requests.post(f"{server.url}/__admin/clock", json=step, timeout=10).json()
            told = [
                requests.get(f"{server.url}/__admin/clock", timeout=10).json() for _ in range(8)
            ]
            assert told == [set_to] * 8
        assert set_to["now"] == "2030-01-01T00:01:30Z"
        for n in range(40, 50):  # answered, then the server stops at once: nothing may be lost
            assert requests.get(f"{server.clients}?n={n}", headers=AUTH, timeout=10).ok
        server.kill(signal.SIGTERM)  # gunicorn's worker_exit closes each engine: a last flush
    store = open_store(Settings(store="sqlite", data_dir=Path(flags[3])))
    assert store.key_sequence("shared:journal") == 50
    store.close()
