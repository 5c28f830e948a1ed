"""``Settings.shared_runtime``: two engines on one SQLite file or one Redis prefix, as two
``serve --workers`` processes are, keep one request journal, one traffic meter and one clock.

Journal and meter are written behind: an engine reads its own requests at once and the other's
within the flush interval (50 ms), so cross-engine reads poll for up to a second (``settled``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.backends import fresh_settings
from contract_tests.robaws.conftest import VDB
from contract_tests.robaws.conftest import basic
from contract_tests.stores.conftest import new_store
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.journal import Journal
from mockserver.journal import JournalEntry
from mockserver.shared import SharedJournal
from mockserver.shared.journal import STORED_BODY_LIMIT
from mockserver.traffic import TrafficMeter

CLIENTS = "/robaws/api/v2/clients"
AUTH = basic(VDB)
MOMENT = "2030-01-01T00:00:00Z"


class Pair:
    def __init__(self, a: Flask, b: Flask) -> None:
        self.apps = (a, b)
        self.a, self.b = a.test_client(), b.test_client()

    def journal(self, client: FlaskClient, query: str = "") -> dict[str, Any]:
        answer = client.get(f"/__admin/requests{query}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return answer.get_json()  # type: ignore[no-any-return]


def settled(read: Callable[[], Any], done: Callable[[Any], bool], within: float = 1.0) -> Any:
    """``read()`` again until ``done`` says so (the other engine's flush landed) or ``within``
    seconds pass; returns the last answer for the caller's assertions."""
    deadline = time.monotonic() + within
    while True:
        answer = read()
        if done(answer) or time.monotonic() > deadline:
            return answer
        time.sleep(0.01)


@pytest.fixture(params=["sqlite", "redis"])
def pair(request: pytest.FixtureRequest) -> Iterator[Pair]:
    settings = Settings(apis=("robaws",), shared_runtime=True, **fresh_settings(request.param))
    a, b = create_app(settings), create_app(settings)
    yield Pair(a, b)
    for app in (a, b):
        engine = get_engine(app)
        assert not engine.internal_errors, engine.internal_errors
        engine.close()
        engine.store.close()


def test_off_keeps_the_in_process_objects_and_adds_no_hook() -> None:
    app = create_app(Settings(apis=("robaws",)))
    engine = get_engine(app)
    assert type(engine.journal) is Journal and type(engine.traffic) is TrafficMeter
    assert engine.clock.sync not in app.before_request_funcs[None]


def test_the_environment_turns_it_on_or_keeps_it_off() -> None:
    assert Settings.from_env({"MOCKSERVER_SHARED_RUNTIME": "1"}).shared_runtime is True
    assert Settings.from_env({"MOCKSERVER_SHARED_RUNTIME": "0"}).shared_runtime is False
    assert Settings.from_env({}).shared_runtime is False


def test_a_request_on_one_is_in_the_others_journal_and_detail(pair: Pair) -> None:
    assert pair.a.get(CLIENTS + "?size=1", headers=AUTH).status_code == 200
    assert pair.b.get(CLIENTS + "?size=2", headers=AUTH).status_code == 200
    assert pair.a.get(CLIENTS + "/999999", headers=AUTH).status_code == 404
    for client in (pair.a, pair.b):
        listed = settled(lambda c=client: pair.journal(c), lambda j: j["count"] == 3)
        # numbered as each engine's flush lands: A's two keep their order, B's may come between
        queries = [e["query"] for e in listed["requests"]]
        assert sorted(queries) == ["", "size=1", "size=2"] and queries.index("size=1") < (
            queries.index("")
        )
        ids = [e["id"] for e in listed["requests"]]
        assert ids == sorted(ids) and len(set(ids)) == 3 and listed["latest"] == ids[-1]
        assert pair.journal(client, "?status=4xx")["count"] == 1
    first = ids[queries.index("size=1")]
    detail = pair.b.get(f"/__admin/requests/{first}").get_json()
    assert detail["query"] == "size=1" and detail["request_headers"]["Authorization"] == (
        "Basic [redacted]"
    )
    assert detail["contract"] == [] and '"items"' in detail["response_body"]


def test_polling_either_engine_with_after_misses_nothing_while_both_take_requests(
    pair: Pair,
) -> None:
    """Two threads per engine send 25 requests each; a poller asks A and B in turn."""
    for app in pair.apps:
        get_engine(app).controls.set_rate_limit_mode("robaws", {"mode": "off"})
    start = pair.journal(pair.a)["latest"]
    done = threading.Event()
    seen: list[int] = []

    def send(app: Flask) -> None:
        client = app.test_client()
        for _ in range(25):
            assert client.get(CLIENTS + "?size=1", headers=AUTH).status_code == 200

    def poll() -> None:
        mark, turn, deadline = start, 0, None
        while True:
            if deadline is None and done.is_set():  # the last flushes land within 50 ms
                deadline = time.monotonic() + 1.0
            answer = pair.journal((pair.a, pair.b)[turn % 2], f"?after={mark}")
            seen.extend(e["id"] for e in answer["requests"])
            mark, turn = answer["latest"], turn + 1
            if deadline is not None and (len(seen) >= 100 or time.monotonic() > deadline):
                return

    poller = threading.Thread(target=poll)
    poller.start()
    senders = [threading.Thread(target=send, args=(app,)) for app in pair.apps * 2]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    done.set()
    poller.join()
    assert seen == list(range(start + 1, start + 101))


def test_traffic_sums_the_requests_of_both(pair: Pair) -> None:
    for _ in range(3):
        pair.a.get(CLIENTS + "?size=1", headers=AUTH)
    pair.b.get(CLIENTS + "?size=1", headers=AUTH)
    pair.b.get(CLIENTS + "/nope", headers=AUTH)
    for client in (pair.a, pair.b):
        window = settled(
            lambda c=client: c.get("/__admin/traffic?seconds=60").get_json(),
            lambda w: w["apis"] == {"robaws": 5},
        )
        assert window["apis"] == {"robaws": 5}
        totals = {c: sum(s[c] for s in window["series"]) for c in ("2xx", "3xx", "4xx", "5xx")}
        assert totals == {"2xx": 4, "3xx": 0, "4xx": 1, "5xx": 0}


def test_a_clock_change_on_one_is_what_the_others_next_request_sees(pair: Pair) -> None:
    """Robaws' bucket (burst 20, 15/s) with the clock frozen: B empties it, A advances one
    second, and B's very next request is let through by the 15 refilled tokens."""
    frozen = pair.a.post("/__admin/clock", json={"at": MOMENT}).get_json()
    assert pair.b.get("/__admin/clock").get_json() == frozen
    statuses = [pair.b.get(CLIENTS + "?size=1", headers=AUTH).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    assert pair.a.get(CLIENTS + "?size=1", headers=AUTH).status_code == 429  # one bucket
    moved = pair.a.post("/__admin/clock", json={"advance": 1}).get_json()
    assert moved["now"] == "2030-01-01T00:00:01Z"
    answer = pair.b.get(CLIENTS + "?size=1", headers=AUTH)
    assert answer.status_code == 200 and answer.headers["X-RateLimit-Remaining"] == "14"
    assert pair.b.get("/__admin/clock").get_json() == moved
    assert pair.b.post("/__admin/clock", json={"resume": True}).get_json()["frozen"] is False
    assert pair.a.get("/__admin/clock").get_json()["frozen"] is False


def test_advances_made_at_once_on_both_all_count(pair: Pair) -> None:
    pair.a.post("/__admin/clock", json={"at": MOMENT})

    def advance(app: Flask) -> None:
        client = app.test_client()
        for _ in range(5):
            assert client.post("/__admin/clock", json={"advance": 1}).status_code == 200

    threads = [threading.Thread(target=advance, args=(app,)) for app in pair.apps * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in (pair.a, pair.b):
        assert client.get("/__admin/clock").get_json()["now"] == "2030-01-01T00:00:20Z"


def test_reset_on_one_clears_the_others_journal_and_traffic_but_ids_keep_growing(
    pair: Pair,
) -> None:
    pair.b.get(CLIENTS + "?size=1", headers=AUTH)
    pair.a.post("/__admin/clock", json={"at": MOMENT})
    before = pair.journal(pair.b)["latest"]
    assert pair.a.post("/__admin/reset").status_code == 200
    emptied = pair.journal(pair.b)
    assert emptied["count"] == 0 and emptied["latest"] == before  # pollers keep their mark
    assert pair.b.get("/__admin/traffic?seconds=60").get_json()["apis"] == {"robaws": 0}
    assert pair.b.get("/__admin/clock").get_json()["now"] == MOMENT  # reset keeps the time
    pair.b.get(CLIENTS + "?size=1", headers=AUTH)
    after = settled(lambda: pair.journal(pair.a), lambda j: j["count"] == 1)
    assert [e["id"] for e in after["requests"]] == [before + 1]
    assert pair.b.delete("/__admin/requests").status_code == 204
    assert pair.journal(pair.a)["count"] == 0


def _entry(body: bytes = b"") -> JournalEntry:
    return JournalEntry(0, MOMENT, "robaws", "listClients", "GET", CLIENTS, "", {}, body, 200, {},
                        b"{}", 1.0)  # fmt: skip


@pytest.mark.parametrize("backend", ["memory", "sqlite", "redis"])
def test_the_shared_journal_keeps_the_newest_and_clips_bodies(backend: str) -> None:
    store = new_store(backend)
    journal = SharedJournal(store, capacity=50)
    newest = 157
    for _ in range(newest):
        journal.record(_entry())
    assert [e.id for e in journal.entries()] == list(range(newest - 49, newest + 1))
    assert len(store.key_items("shared:journal", 0.0)) == 50  # bounded in the store
    assert journal.get(newest - 50) is None and journal.get(0) is None
    assert [e.id for e in journal.entries(after=newest - 3, limit=2)] == [newest - 1, newest]
    big = _entry("é".encode() * STORED_BODY_LIMIT)
    journal.record(big)
    assert big.id == 0  # buffered: numbered by the flush the next read makes
    kept = journal.get(journal.latest)
    assert big.id == newest + 1
    assert kept is not None and len(kept.request_body.encode()) <= STORED_BODY_LIMIT + 3
    assert kept.request_body.startswith("é" * 1000)
    store.close()


def test_the_others_clock_listeners_fire_once_per_change_it_adopts(pair: Pair) -> None:
    """What moves webhook retries and Installer.com orders on in every worker."""
    heard: list[float] = []
    engine_b = get_engine(pair.apps[1])
    engine_b.clock.on_change(lambda: heard.append(engine_b.clock.now()))
    pair.a.post("/__admin/clock", json={"at": MOMENT})
    pair.a.post("/__admin/clock", json={"advance": 30})
    assert heard == []  # B has not looked yet
    pair.b.get("/__admin/health")
    pair.b.get(CLIENTS + "?size=1", headers=AUTH)
    assert heard == [1893456030.0]  # both changes at once, adopted on B's next request only
    engine_b.webhooks._due()  # the delivery worker looks at the shared clock before the outbox
    pair.a.post("/__admin/clock", json={"advance": 30})
    engine_b.webhooks._due()
    assert heard == [1893456030.0, 1893456060.0]
