"""The shared journal and traffic meter are written behind: requests only buffer, a flusher thread
writes every 50 ms in one batch, reads flush first, and nothing buffered is lost on close."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from contract_tests.backends import fresh_settings
from contract_tests.robaws.conftest import VDB
from contract_tests.robaws.conftest import basic
from contract_tests.stores.conftest import new_store
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.journal import JournalEntry
from mockserver.shared import Flusher
from mockserver.shared import SharedJournal
from mockserver.shared import SharedTrafficMeter
from mockserver.shared import journal as shared_journal
from mockserver.shared.journal import NAMESPACE
from mockserver.state.store import seq_key

CLIENTS = "/robaws/api/v2/clients"
AUTH = basic(VDB)


@pytest.fixture(params=["sqlite", "redis"])
def apps(request: pytest.FixtureRequest) -> Iterator[tuple[Flask, Flask]]:
    settings = Settings(apis=("robaws",), shared_runtime=True, **fresh_settings(request.param))
    a, b = create_app(settings), create_app(settings)
    for app in (a, b):
        get_engine(app).controls.set_rate_limit_mode("robaws", {"mode": "off"})
    yield a, b
    for app in (a, b):
        engine = get_engine(app)
        assert not engine.internal_errors, engine.internal_errors
        engine.close()
        engine.store.close()


def _entry(query: str = "") -> JournalEntry:
    return JournalEntry(0, "2030-01-01T00:00:00Z", "robaws", "listClients", "GET", CLIENTS, query,
                        {}, b"", 200, {}, b"{}", 1.0)  # fmt: skip


def test_a_burst_of_500_on_two_engines_is_all_in_either_journal_in_id_order(
    apps: tuple[Flask, Flask],
) -> None:
    def send(app: Flask, tag: int) -> None:
        client = app.test_client()
        for n in range(125):
            answer = client.get(f"{CLIENTS}?size=1&n={tag}-{n}", headers=AUTH)
            assert answer.status_code == 200

    senders = [threading.Thread(target=send, args=(app, i)) for i, app in enumerate(apps * 2)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    for engine in map(get_engine, apps):  # what the flushers do within 50 ms, made certain
        assert engine.flusher is not None
        engine.flusher.stop()
    for app in apps:
        listed = app.test_client().get("/__admin/requests?limit=1000").get_json()
        ids = [e["id"] for e in listed["requests"]]
        assert listed["count"] == 500 and ids == list(range(1, 501)) and listed["latest"] == 500
        assert {e["query"] for e in listed["requests"]} == {
            f"size=1&n={t}-{n}" for t in range(4) for n in range(125)
        }
        traffic = app.test_client().get("/__admin/traffic?seconds=60").get_json()
        assert traffic["apis"] == {"robaws": 500}


def test_a_request_buffers_and_the_flusher_writes_it_within_the_interval(
    apps: tuple[Flask, Flask],
) -> None:
    a, b = apps
    engine_a = get_engine(a)
    assert a.test_client().get(f"{CLIENTS}?size=1", headers=AUTH).status_code == 200
    assert engine_a.flusher is not None and engine_a.flusher.running
    started = time.monotonic()
    while engine_a.store.key_sequence(NAMESPACE) < 1:  # B's reads never flush A's buffer
        assert time.monotonic() - started < 1.0, "A's flusher wrote nothing within a second"
        time.sleep(0.005)
    listed = b.test_client().get("/__admin/requests").get_json()
    assert [e["query"] for e in listed["requests"]] == ["size=1"]


def test_the_flusher_stops_on_close_with_a_last_flush_and_starts_no_more(
    apps: tuple[Flask, Flask],
) -> None:
    a, b = apps
    engine_a = get_engine(a)
    flusher = engine_a.flusher
    assert flusher is not None
    flusher.interval = 60.0  # before A's first request starts the thread: only close writes now
    assert a.test_client().get(f"{CLIENTS}?size=1", headers=AUTH).status_code == 200
    assert flusher.running and engine_a.store.key_sequence(NAMESPACE) == 0
    started = time.monotonic()
    engine_a.close()
    assert time.monotonic() - started < 2.5  # a bounded join, never a hang
    assert not flusher.running
    assert engine_a.store.key_sequence(NAMESPACE) == 1  # the last flush wrote it
    assert b.test_client().get("/__admin/requests").get_json()["count"] == 1
    engine_a.journal.record(_entry("late"))
    assert not flusher.running  # a stopped engine starts no thread; a read still writes it
    assert [e.query for e in engine_a.journal.entries()] == ["size=1", "late"]


def test_the_thread_ends_itself_when_idle_and_a_poke_starts_it_again() -> None:
    written: list[int] = []
    pending: list[int] = []

    def flush() -> None:
        written.extend(pending)
        pending.clear()

    flusher = Flusher(flush, lambda: bool(pending), interval=0.01)
    flusher.idle_exit = 0.05
    pending.append(1)
    flusher.poke()
    started = time.monotonic()
    while flusher.running:
        assert time.monotonic() - started < 1.0, "an idle flusher kept running"
        time.sleep(0.01)
    assert written == [1]
    pending.append(2)
    flusher.poke()
    assert flusher.running
    flusher.stop()
    assert written == [1, 2] and not flusher.running


@pytest.mark.parametrize("backend", ["memory", "sqlite", "redis"])
def test_amend_on_a_buffered_entry_lands(backend: str) -> None:
    store = new_store(backend)
    journal = SharedJournal(store)  # no flusher: the entry stays buffered until a read
    entry = _entry()
    journal.record(entry)
    assert entry.id == 0 and store.key_sequence(NAMESPACE) == 0
    entry.violations = [{"location": "response", "field": "name", "message": "missing"}]
    journal.amend(entry)
    assert entry.id == 1
    assert store.key_get(NAMESPACE, seq_key(1), 0.0)["violations"] == entry.violations
    entry.violations = []  # and on one already written
    journal.amend(entry)
    assert store.key_get(NAMESPACE, seq_key(1), 0.0)["violations"] == []
    cleared = _entry()
    journal.record(cleared)
    journal.clear()  # dropped with the buffer: amend never brings it back
    journal.amend(cleared)
    assert cleared.id == 0 and journal.entries() == []
    store.close()


class FailingStore:
    """A store whose batch writes fail while ``down``: the flusher must keep what it buffered."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.down = inner, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def key_append_many(self, *args: Any, **kwargs: Any) -> list[int]:
        if self.down:
            raise ConnectionError("store unavailable")
        return self.inner.key_append_many(*args, **kwargs)  # type: ignore[no-any-return]

    def key_tally_many(self, *args: Any, **kwargs: Any) -> None:
        if self.down:
            raise ConnectionError("store unavailable")
        self.inner.key_tally_many(*args, **kwargs)


def test_a_failed_flush_keeps_the_buffer_bounded_and_the_next_one_writes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shared_journal, "BUFFER_LIMIT", 5)
    store = FailingStore(new_store("sqlite"))
    journal, traffic = SharedJournal(store), SharedTrafficMeter(store)
    for n in range(4):
        journal.record(_entry(str(n)))
        traffic.count("robaws", 200)
    with pytest.raises(ConnectionError):
        journal.flush()
    with pytest.raises(ConnectionError):
        traffic.flush()
    for n in range(4, 7):
        journal.record(_entry(str(n)))
    assert journal.dropped == 2  # 7 buffered, 5 kept: the oldest two went
    store.down = False
    assert [e.query for e in journal.entries()] == ["2", "3", "4", "5", "6"]
    assert traffic.window(60)["apis"] == {"robaws": 4}
    store.inner.close()


def test_a_clear_elsewhere_voids_what_was_buffered_before_it(apps: tuple[Flask, Flask]) -> None:
    a, b = apps
    engine_a = get_engine(a)
    assert engine_a.flusher is not None
    engine_a.flusher.interval = 60.0  # A's buffer now waits for a read
    engine_a.journal.record(_entry("before"))
    engine_a.traffic.count("robaws", 200)
    assert b.test_client().post("/__admin/reset").status_code == 200
    engine_a.journal.record(_entry("after"))
    assert [e.query for e in engine_a.journal.entries()] == ["after"]
    assert a.test_client().get("/__admin/traffic?seconds=60").get_json()["apis"] == {"robaws": 0}


def test_a_failing_store_is_logged_once_per_outage_and_the_thread_keeps_trying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = threading.Event()
    down.set()
    pending = [1]

    def flush() -> None:
        if down.is_set():
            raise ConnectionError("store unavailable")
        pending.clear()

    flusher = Flusher(flush, lambda: bool(pending), interval=0.01)
    with caplog.at_level("WARNING", logger="mockserver.shared.flusher"):
        flusher.poke()
        started = time.monotonic()
        while flusher.failures < 5:
            assert time.monotonic() - started < 1.0, "the flusher stopped trying"
            time.sleep(0.01)
        down.clear()
        while pending:
            assert time.monotonic() - started < 2.0, "the flusher never wrote after the outage"
            time.sleep(0.01)
        flusher.stop()
    failed = [r for r in caplog.records if "flush failed" in r.getMessage()]
    assert len(failed) == 1 and any("works again" in r.getMessage() for r in caplog.records)
