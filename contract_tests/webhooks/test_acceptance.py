"""The issue's acceptance scenarios, over real sockets: Robaws registration, signing, retries
with the same event id, and no loss while the receiver is down."""

from __future__ import annotations

import re
import time

import pytest

from mockserver.testing.webhooks import WebhookReceiver

from .conftest import Mock

pytestmark = pytest.mark.socket

API = "/api/v2"


def register(robaws: Mock, receiver: WebhookReceiver, *events: str) -> dict[str, str]:
    """Through Robaws' own endpoint, as an integrator would; trust the secret it returns."""
    answer = robaws.call(
        "POST", f"{API}/webhook-endpoints", json={"url": receiver.url, "events": list(events)}
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, str] = answer.json()
    assert created["secret"] and created["status"] == "ACTIVE"
    receiver.trust(created["secret"])
    return created


def test_a_created_client_is_delivered_once_signed_with_the_entity_within_a_second(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    register(robaws, webhook_receiver, "client.created")
    started = time.perf_counter()
    created = robaws.call("POST", f"{API}/clients", json={"name": "Webhook BV"})
    assert created.status_code == 201
    (delivery,) = webhook_receiver.wait_for(1, timeout=1.0)
    assert delivery.received_at - started < 1.0
    assert delivery.verified, delivery.problem
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", delivery.headers["robaws-signature"])
    assert delivery.headers["content-type"] == "application/json"
    body = delivery.json
    assert body["event"] == "client.created"
    assert body["data"] == created.json()
    robaws.assert_payloads_valid([delivery])
    time.sleep(0.2)  # a duplicate would have arrived by now
    assert len(webhook_receiver.deliveries) == 1
    (attempt,) = robaws.deliveries()
    assert attempt["ok"] and attempt["status"] == 200 and attempt["outcome"] == "delivered"


def test_a_receiver_failing_twice_gets_three_attempts_with_one_event_id(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    robaws.admin("POST", "/clock", json={"freeze": True})
    register(robaws, webhook_receiver, "client.created")
    webhook_receiver.script(500, 500)
    assert robaws.call("POST", f"{API}/clients", json={"name": "Retry NV"}).status_code == 201
    webhook_receiver.wait_for(1)
    robaws.wait_journal(1)
    robaws.advance(5 * 1.1 + 0.1)  # the 5 s retry, with at most 10 % jitter
    webhook_receiver.wait_for(2)
    robaws.wait_journal(2)
    time.sleep(0.1)
    assert len(webhook_receiver.deliveries) == 2  # the 5-minute retry is not due yet
    robaws.advance(300 * 1.1 + 0.1)
    deliveries = webhook_receiver.wait_for(3)
    assert [d.answered for d in deliveries] == [500, 500, 200]
    assert len({d.event_id for d in deliveries}) == 1
    assert len({d.body for d in deliveries}) == 1  # the same bytes every time
    assert all(d.verified for d in deliveries)
    journal = robaws.wait_journal(3)
    assert [(a["attempt"], a["status"], a["outcome"]) for a in journal] == [
        (1, 500, "retrying"),
        (2, 500, "retrying"),
        (3, 200, "delivered"),
    ]
    assert {a["eventId"] for a in journal} == {deliveries[0].event_id}
    assert all(a["latencyMs"] >= 0 and a["endpointId"] for a in journal)


def test_nothing_is_lost_while_the_receiver_is_down(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    robaws.admin("POST", "/clock", json={"freeze": True})
    register(robaws, webhook_receiver, "client.created")
    webhook_receiver.stop()
    ids = []
    for n in range(100):
        answer = robaws.call("POST", f"{API}/clients", json={"name": f"Offline {n}"})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    failed = robaws.wait_journal(100, timeout=20)
    assert len(failed) >= 100
    assert all(a["status"] is None and "Connect" in a["error"] for a in failed)
    webhook_receiver.start()  # the same port again
    robaws.advance(400)  # past every retry already scheduled (5 s or 5 min, with jitter)
    deliveries = webhook_receiver.wait_for(100, timeout=20)
    time.sleep(0.2)
    deliveries = webhook_receiver.deliveries
    assert sorted(d.json["data"]["id"] for d in deliveries) == sorted(ids)  # all, once each
    assert len({d.event_id for d in deliveries}) == 100
    webhook_receiver.assert_all_verified()
    robaws.assert_payloads_valid(deliveries)
