"""What the webhook feature keeps in the store stays bounded: the journal keeps its newest
attempts, a settled message is kept for redelivery for three days of mock time, a pending one
until it is settled."""

from __future__ import annotations

from mockserver.clock import Clock
from mockserver.state.store import MemoryStore
from mockserver.webhooks.journal import DeliveryJournal
from mockserver.webhooks.outbox import RETENTION
from mockserver.webhooks.outbox import Outbox


def test_the_journal_keeps_its_newest_attempts() -> None:
    clock = Clock()
    journal = DeliveryJournal(MemoryStore(), clock.now, limit=5)
    for seq in range(1, 201):
        journal.record(seq, {"api": "robaws"})
    assert [e["id"] for e in journal.entries()] == [196, 197, 198, 199, 200]
    assert [e["id"] for e in journal.entries(limit=2)] == [199, 200]


def test_a_settled_message_expires_and_a_pending_one_does_not() -> None:
    clock = Clock()
    clock.freeze(1_000_000.0)
    outbox = Outbox(MemoryStore(), clock.now)
    for name in ("done", "owed"):
        outbox.add({"id": name, "api": "robaws"}, due_at=clock.now())
    outbox.update("done", state="delivered")
    outbox.settle("done")
    clock.advance(RETENTION - 1)
    assert outbox.message("done") is not None  # still redeliverable
    clock.advance(2)
    assert outbox.message("done") is None
    assert outbox.message("owed") is not None
    assert outbox.due(clock.now()) == ["owed"]
