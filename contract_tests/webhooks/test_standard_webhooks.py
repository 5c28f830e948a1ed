"""The Standard Webhooks profile (invented for Installer.com and APIs without a documented
signature), on a small test API shaped like Installer.com's payload."""

from __future__ import annotations

import hashlib
import hmac
import time

import pytest
from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from mockserver.testing.webhooks import WebhookReceiver
from mockserver.testing.webhooks import verify
from mockserver.testing.webhooks import verify_robaws

from .conftest import Mock

pytestmark = pytest.mark.socket


def test_deliveries_carry_standard_webhooks_headers_and_an_installer_shaped_body(
    depot: Mock, webhook_receiver: WebhookReceiver
) -> None:
    depot.admin("POST", "/clock", json={"freeze": True})
    subscription = webhook_receiver.subscribe(depot.url, "depot", ["order.created"])
    assert subscription["secret"].startswith("whsec_")
    webhook_receiver.script(503)
    created = depot.call("POST", "/api/orders", json={"name": "Solar panels", "status": 0})
    assert created.status_code == 201, created.text
    webhook_receiver.wait_for(1)
    depot.wait_journal(1)
    depot.advance(6)
    first, second = webhook_receiver.wait_for(2)
    for delivery in (first, second):
        assert delivery.verified, delivery.problem
        Webhook(subscription["secret"]).verify(delivery.body, delivery.headers)  # the package
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    body = second.json
    assert body["event"] == "order.created"
    assert body["organizationId"] == "north"  # no extra: the tenant (extra:organizationId|tenant)
    assert body["data"] == created.json()
    assert body["timestamp"].endswith("Z")
    depot.assert_payloads_valid([first, second])


def test_a_tampered_or_foreign_delivery_does_not_verify(
    depot: Mock, webhook_receiver: WebhookReceiver
) -> None:
    subscription = webhook_receiver.subscribe(depot.url, "depot", ["order.updated"])
    emitted = depot.admin(
        "POST",
        "/webhook-events",
        json={
            "api": "depot",
            "type": "order.updated",
            "tenant": "north",
            "data": {"name": "X"},
            "extra": {"organizationId": "org-7"},
        },
    )
    assert emitted.status_code == 202
    (delivery,) = webhook_receiver.wait_for(1)
    assert delivery.json["organizationId"] == "org-7"  # extra wins over the tenant fallback
    assert delivery.headers["webhook-id"] == emitted.json()["eventId"]
    verify(subscription["secret"], delivery.headers, delivery.body)
    with pytest.raises(WebhookVerificationError):
        verify(subscription["secret"], delivery.headers, delivery.body.replace(b"X", b"Y"))
    with pytest.raises(WebhookVerificationError):
        verify("whsec_" + "A" * 32, delivery.headers, delivery.body)


def test_the_robaws_check_follows_the_documented_recipe() -> None:
    secret, body = "0f6c2a7e-51b2-4d8e-a0c1-93b7e2d4f6a8", b'{"id":"1","event":"client.updated"}'
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    verify_robaws(secret, f"t={stamp},v1={digest}", body)
    verify_robaws(secret, f"t={stamp},v0=ignored,v1=bad,v1={digest}", body)  # any v1 may match
    for header in (f"t={stamp},v1={'0' * 64}", f"v1={digest}", f"t={stamp - 3600},v1={digest}"):
        with pytest.raises(WebhookVerificationError):
            verify_robaws(secret, header, body)
