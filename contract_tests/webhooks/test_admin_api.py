"""``/__admin/webhook-*``: answers match mockserver/admin_openapi.yaml; bad input is a 400 that
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from contract_tests.admin_spec import check_admin as check
from mockserver.testing.webhooks import WebhookReceiver

from .conftest import Mock

pytestmark = pytest.mark.socket

SUBS = "/__admin/webhook-subscriptions"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ([], "JSON object"),
        ({"api": "nope", "url": "http://127.0.0.1:1/x", "events": ["*"]}, "api must be"),
        ({"api": "robaws", "url": "ftp://x/y", "events": ["*"]}, "url"),
        ({"api": "robaws", "url": "/relative", "events": ["*"]}, "url"),
        ({"api": "robaws", "url": "http://127.0.0.1:1/x", "events": []}, "events"),
        ({"api": "robaws", "url": "http://127.0.0.1:1/x", "events": ["client.deleted"]}, "not"),
        ({"api": "robaws", "url": "http://h/x", "events": ["*"], "tenant": "x"}, "tenant"),
        ({"api": "robaws", "url": "http://h/x", "events": ["*"], "disableAfter": 0}, "disable"),
        ({"api": "robaws", "url": "http://h/x", "events": ["*"], "colour": "red"}, "unknown"),
    ],
)
def test_a_bad_subscription_is_a_400_that_subscribes_nothing(
    robaws: Mock, body: Any, says: str
) -> None:
    answer = robaws.http.post(SUBS, json=body)
    assert says in check(answer, SUBS, "post", 400)["message"]
    assert robaws.http.get(SUBS).json()["count"] == 0


def test_subscriptions_are_listed_with_vendor_registrations_and_deleted(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    created = check(
        robaws.http.post(
            SUBS,
            json={"api": "robaws", "url": webhook_receiver.url, "events": ["client.created"]},
        ),
        SUBS,
        "post",
        201,
    )
    assert created["secret"] and created["source"] == "admin" and created["tenant"] is None
    vendor = robaws.call(
        "POST", "/api/v2/webhook-endpoints", json={"url": "http://h/x", "events": ["offer.created"]}
    )
    assert vendor.status_code == 201
    listed = check(robaws.http.get(SUBS, params={"api": "robaws"}), SUBS, "get", 200)
    assert sorted(s["source"] for s in listed["subscriptions"]) == ["admin", "api"]
    one = f"{SUBS}/{created['id']}"
    path = SUBS + "/{subscriptionId}"
    check(robaws.http.delete(one), path, "delete", 204)
    check(robaws.http.delete(one), path, "delete", 404)
    assert [s["source"] for s in robaws.http.get(SUBS).json()["subscriptions"]] == ["api"]


EVENTS = "/__admin/webhook-events"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"api": "robaws", "type": "client.deleted"}, "type"),
        ({"api": "robaws", "type": "client.created", "data": []}, "data"),
        ({"api": "robaws", "type": "client.created", "tenant": "nobody"}, "tenant"),
        ({"type": "client.created"}, "api"),
    ],
)
def test_a_bad_event_is_a_400(robaws: Mock, body: Any, says: str) -> None:
    assert says in check(robaws.http.post(EVENTS, json=body), EVENTS, "post", 400)["message"]


def test_an_emitted_event_is_delivered_and_journaled(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.subscribe(robaws.url, "robaws", ["offer.updated"], tenant="vdb-bouw")
    offer = robaws.call("GET", "/api/v2/offers?size=1").json()["items"][0]
    emitted = check(
        robaws.http.post(
            EVENTS,
            json={"api": "robaws", "type": "offer.updated", "tenant": "vdb-bouw", "data": offer},
        ),
        EVENTS,
        "post",
        202,
    )
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery.verified
    assert delivery.json == {"id": emitted["eventId"], "event": "offer.updated", "data": offer}
    robaws.assert_payloads_valid([delivery])
    journal = robaws.wait_journal(1)
    path = "/__admin/webhook-deliveries"
    found = check(robaws.http.get(path, params={"eventId": emitted["eventId"]}), path, "get", 200)
    assert found["deliveries"] == journal
    assert robaws.deliveries(eventId="other") == []
    assert robaws.deliveries(outcome="delivered", limit=1) == journal
    check(robaws.http.get(path, params={"limit": "x"}), path, "get", 400)
    # another tenant's event does not reach a tenant's subscription
    quiet = robaws.http.post(
        EVENTS, json={"api": "robaws", "type": "offer.updated", "tenant": "claes-renovatie"}
    )
    assert check(quiet, EVENTS, "post", 202) == {"eventId": None, "messages": []}
