"""Many writers at once, and two workers sharing one store (as processes sharing SQLite or Redis
do): every event is delivered, and the outbox lease keeps each attempt to one sender."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.events import Event
from mockserver.testing.webhooks import WebhookReceiver
from mockserver.webhooks import WebhookService

from .conftest import Mock
from .test_delivery_rules import create_client

pytestmark = pytest.mark.socket


def test_concurrent_writes_are_each_delivered_once(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.subscribe(robaws.url, "robaws", ["client.created"])
    names = [f"Writer {w} #{n}" for w in range(6) for n in range(20)]
    chunks = [names[w::6] for w in range(6)]
    failures: list[BaseException] = []

    def write(chunk: list[str]) -> None:
        try:
            for name in chunk:
                create_client(robaws, name)
        except BaseException as exc:  # surfaced below: a thread cannot fail the test itself
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    webhook_receiver.wait_for(len(names), timeout=20)
    deliveries = webhook_receiver.deliveries
    assert sorted(d.json["data"]["name"] for d in deliveries) == sorted(names)
    webhook_receiver.assert_all_verified()


def test_two_workers_on_one_store_never_send_the_same_attempt_twice(
    webhook_receiver: WebhookReceiver,
) -> None:
    first = get_engine(create_app(Settings(apis=("robaws",)), seed=False))
    second = get_engine(create_app(Settings(apis=("robaws",)), seed=False))
    second.store = first.store  # what a shared SQLite or Redis store gives two processes
    other = WebhookService(second)
    try:
        subscription = first.webhooks.registry.subscribe(
            "robaws", webhook_receiver.url, ["*"], None, None
        )
        webhook_receiver.trust(subscription.secret)
        other.worker.start()
        for n in range(60):
            first.events.emit(
                Event("robaws", "vdb-bouw", "client.updated", {"id": str(n)}, first.clock.now())
            )
            other.worker.poke()
        webhook_receiver.wait_for(60, timeout=20)
        ids = Counter(d.event_id for d in webhook_receiver.deliveries)
        assert len(ids) == 60 and set(ids.values()) == {1}
        deadline = time.monotonic() + 5  # the journal entry follows the receiver's answer
        while len(first.webhooks.journal.entries()) < 60 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.1)
        attempts = Counter(e["messageId"] for e in first.webhooks.journal.entries())
        assert len(attempts) == 60 and set(attempts.values()) == {1}  # whichever worker sent it
    finally:
        other.close()
        first.close()
        second.close()
