"""Delivery rules: 410 disables, repeated final failures disable, redelivery by hand, tenants,
reset, and a worker that stops with the server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.server import MockServer
from mockserver.testing.webhooks import WebhookReceiver
from mockserver.webhooks.service import LOOPBACK
from mockserver.webhooks.service import host_allowed

from .conftest import VDB
from .conftest import Mock
from .conftest import _fresh
from .conftest import basic
from .test_acceptance import API
from .test_acceptance import register

pytestmark = pytest.mark.socket

SHORT = {"retry-schedule": [0, 1], "jitter": 0, "disable-after": 2}


@pytest.fixture(scope="module")
def short_server() -> Iterator[MockServer]:
    """Robaws with a two-attempt schedule (now, +1 s) and disable-after 2, set by Settings."""
    app = create_app(Settings(apis=("robaws",), features={"webhooks": SHORT}))
    with MockServer(app) as server:
        yield server


@pytest.fixture
def short(short_server: MockServer) -> Iterator[Mock]:
    yield from _fresh(short_server, "robaws", basic(*VDB))


def create_client(mock: Mock, name: str) -> dict[str, str]:
    answer = mock.call("POST", f"{API}/clients", json={"name": name})
    assert answer.status_code == 201, answer.text
    created: dict[str, str] = answer.json()
    return created


def test_410_disables_the_endpoint_at_once(robaws: Mock, webhook_receiver: WebhookReceiver) -> None:
    endpoint = register(robaws, webhook_receiver, "client.created", "client.updated")
    webhook_receiver.script(410)
    create_client(robaws, "Gone BV")
    webhook_receiver.wait_for(1)
    (attempt,) = robaws.wait_journal(1)
    assert (attempt["status"], attempt["outcome"]) == (410, "endpoint-disabled")
    shown = robaws.call("GET", f"{API}/webhook-endpoints/{endpoint['id']}").json()
    assert shown["status"] == "DISABLED"  # the vendor's own GET shows it
    create_client(robaws, "Unheard BV")
    time.sleep(0.3)
    assert len(webhook_receiver.deliveries) == 1
    assert len(robaws.deliveries()) == 1


def test_deliveries_failed_for_good_in_a_row_disable_the_endpoint(
    short: Mock, webhook_receiver: WebhookReceiver
) -> None:
    short.admin("POST", "/clock", json={"freeze": True})
    endpoint = register(short, webhook_receiver, "client.created")
    webhook_receiver.script(default=503)
    create_client(short, "One")
    create_client(short, "Two")
    short.wait_journal(2)
    short.advance(1.5)
    journal = short.wait_journal(4)
    assert sorted(a["outcome"] for a in journal) == [
        "endpoint-disabled",
        "failed",
        "retrying",
        "retrying",
    ]
    assert all(a["status"] == 503 and a["error"] == "HTTP 503" for a in journal)
    shown = short.call("GET", f"{API}/webhook-endpoints/{endpoint['id']}").json()
    assert shown["status"] == "DISABLED"


def test_a_success_resets_the_failure_count(short: Mock, webhook_receiver: WebhookReceiver) -> None:
    short.admin("POST", "/clock", json={"freeze": True})
    register(short, webhook_receiver, "client.created")
    webhook_receiver.script(500, 500, 200, 500, 500)
    create_client(short, "One")  # 500, then 500 on the retry: failed for good (1 in a row)
    short.wait_journal(1)
    short.advance(1.5)
    short.wait_journal(2)
    create_client(short, "Two")  # 200: the count starts again
    short.wait_journal(3)
    create_client(short, "Three")  # 500, 500: failed for good (1 in a row, not 2)
    short.wait_journal(4)
    short.advance(1.5)
    journal = short.wait_journal(5)
    assert [a["outcome"] for a in journal] == [
        "retrying",
        "failed",
        "delivered",
        "retrying",
        "failed",
    ]
    assert "endpoint-disabled" not in [a["outcome"] for a in journal]


def test_a_failed_delivery_can_be_redelivered_by_hand(
    short: Mock, webhook_receiver: WebhookReceiver
) -> None:
    short.admin("POST", "/clock", json={"freeze": True})
    register(short, webhook_receiver, "client.created")
    webhook_receiver.script(500, 500)
    create_client(short, "Later")
    short.wait_journal(1)
    short.advance(1.5)
    first, last = short.wait_journal(2)
    assert last["outcome"] == "failed"
    answer = short.admin("POST", f"/webhook-deliveries/{last['id']}/redeliver")
    assert answer.status_code == 202, answer.text
    assert answer.json()["eventId"] == first["eventId"]
    deliveries = webhook_receiver.wait_for(3)
    assert [d.answered for d in deliveries] == [500, 500, 200]
    assert len({d.event_id for d in deliveries}) == 1
    third = short.wait_journal(3)[-1]
    assert (third["attempt"], third["outcome"]) == (3, "delivered")
    assert short.admin("POST", "/webhook-deliveries/999999/redeliver").status_code == 404
    assert short.admin("POST", "/webhook-deliveries/nope/redeliver").status_code == 404


def test_an_endpoint_hears_only_its_own_tenant_and_events(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    register(robaws, webhook_receiver, "client.updated")
    claes = basic("demo4e8b2d6f90a1c37e", "demo1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e")
    other = robaws.call("POST", f"{API}/clients", json={"name": "Other tenant"}, headers=claes)
    assert other.status_code == 201
    mine = create_client(robaws, "Mine")  # client.created: not subscribed
    patched = robaws.call(
        "PATCH",
        f"{API}/clients/{mine['id']}",
        json={"name": "Renamed"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery.json["event"] == "client.updated"
    assert delivery.json["data"] == patched.json()
    time.sleep(0.2)
    assert len(webhook_receiver.deliveries) == 1


def test_reset_clears_subscriptions_outbox_and_journal(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    robaws.admin("POST", "/clock", json={"freeze": True})
    webhook_receiver.subscribe(robaws.url, "robaws", ["client.created"])
    webhook_receiver.script(500)
    create_client(robaws, "Before reset")
    robaws.wait_journal(1)
    assert robaws.admin("POST", "/reset").status_code == 200
    assert robaws.deliveries() == []
    listed = robaws.admin("GET", "/webhook-subscriptions").json()
    assert listed == {"count": 0, "subscriptions": []}
    robaws.advance(400)  # the retry that was owed before the reset is gone too
    time.sleep(0.3)
    assert len(webhook_receiver.deliveries) == 1
    engine = robaws.engine
    assert engine.store.key_items("webhooks:due", engine.clock.now()) == []


def test_the_worker_stops_with_the_server(webhook_receiver: WebhookReceiver) -> None:
    app = create_app(Settings(apis=("robaws",)))
    with MockServer(app) as server:
        webhook_receiver.subscribe(server.url, "robaws", ["*"])
        webhook_receiver.script((200, 0.3))
        mock = Mock(server, "robaws", basic(*VDB))
        create_client(mock, "Last words")
        mock.http.close()
        worker = get_engine(app).webhooks.worker
        deadline = time.monotonic() + 2
        while not worker.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert worker.running
        stopping = time.monotonic()
    assert not worker.running  # joined, not abandoned
    assert time.monotonic() - stopping < 3  # at most one attempt's timeout (2 s) to finish
    assert worker._thread is not None and worker._thread not in threading.enumerate()


def test_deliveries_leave_loopback_only_when_allowed(robaws: Mock) -> None:
    """A registered public URL (as Schemathesis generates them) is never called by default."""
    endpoint = robaws.call(
        "POST",
        f"{API}/webhook-endpoints",
        json={"url": "https://example.com/hooks", "events": ["client.created"]},
    ).json()
    create_client(robaws, "Stay home")
    (attempt,) = robaws.wait_journal(1)
    assert attempt["endpointId"] == endpoint["id"]
    assert (attempt["status"], attempt["outcome"]) == (None, "failed")
    assert "host not allowed: example.com" in attempt["error"]
    assert host_allowed("http://app:8000/x", ["app"]) and host_allowed("http://a.b/", ["*"])
    assert not host_allowed("http://10.0.0.1/", LOOPBACK)
    env = Settings.from_env({"MOCKSERVER_WEBHOOK_HOSTS": "app, *.internal"})
    assert env.features["webhooks"]["allow-hosts"] == ["app", "*.internal"]


def test_a_receiver_slower_than_2_s_times_out_and_is_retried(
    short: Mock, webhook_receiver: WebhookReceiver
) -> None:
    short.admin("POST", "/clock", json={"freeze": True})
    register(short, webhook_receiver, "client.created")
    webhook_receiver.script((200, 3.5))  # answers, but too late
    create_client(short, "Slow")
    (first,) = short.wait_journal(1, timeout=5)
    assert (first["status"], first["error"], first["outcome"]) == (
        None,
        "timeout after 2 s",
        "retrying",
    )
    assert 2000 <= first["latencyMs"] < 3500
    short.advance(1.5)
    second = short.wait_journal(2)[-1]
    assert (second["status"], second["outcome"], second["eventId"]) == (
        200,
        "delivered",
        first["eventId"],
    )


def test_an_idle_worker_exits_and_comes_back_for_the_next_event(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    worker = robaws.engine.webhooks.worker
    worker.idle_exit = 0.2
    try:
        register(robaws, webhook_receiver, "client.created")
        create_client(robaws, "First")
        webhook_receiver.wait_for(1)
        deadline = time.monotonic() + 3
        while worker.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not worker.running  # nothing owed: no thread held
        create_client(robaws, "Second")
        assert [d.json["data"]["name"] for d in webhook_receiver.wait_for(2)] == [
            "First",
            "Second",
        ]
    finally:
        worker.idle_exit = 5.0
