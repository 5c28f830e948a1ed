"""Installer.com's events reach a subscriber: Standard Webhooks signature (invented), the
documented envelope {event, timestamp, organizationId, data}, valid against the spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from standardwebhooks.webhooks import Webhook

from mockserver import Settings
from mockserver import create_app
from mockserver.server import MockServer
from mockserver.testing.webhooks import WebhookReceiver

from .conftest import Mock
from .conftest import _fresh

pytestmark = pytest.mark.socket

NORDLYS = "inst_demo_4f8c1a9e7b2d4c6a8e0f1b3d5a7c9e2f"
NORDLYS_ORG = "03cd22c9-3176-4943-8530-e3dcce8a8433"
ORDER = {
    "name": "Solar Panel Installation",
    "email": "customer@example.com",
    "phoneNumber": "+4799900111",
    "contactPersonName": "John Doe",
    "address": "Main St 1",
    "city": "Oslo",
    "postalCode": "0365",
    "countryCode": "NO",
}


@pytest.fixture(scope="module")
def installer_server() -> Iterator[MockServer]:
    app = create_app(Settings(apis=("installer",), validate_responses=True))
    with MockServer(app) as server:
        yield server


@pytest.fixture
def installer(installer_server: MockServer) -> Iterator[Mock]:
    yield from _fresh(installer_server, "installer", {"Authorization": f"Bearer {NORDLYS}"})


def test_order_events_are_delivered_in_installers_envelope(
    installer: Mock, webhook_receiver: WebhookReceiver
) -> None:
    subscription = webhook_receiver.subscribe(
        installer.url, "installer", ["order.created", "order.dispatched"], tenant=NORDLYS_ORG
    )
    created = installer.call("POST", "/api/v1/order", json=ORDER)
    assert created.status_code == 201, created.text
    order_id = created.json()["value"]
    dispatched = installer.call("POST", f"/api/v1/order/{order_id}/dispatch")
    assert dispatched.status_code in (200, 201), dispatched.text
    deliveries = webhook_receiver.wait_for(2)
    assert [d.json["event"] for d in deliveries] == ["order.created", "order.dispatched"]
    for delivery in deliveries:
        Webhook(subscription["secret"]).verify(delivery.body, delivery.headers)
        assert delivery.json["organizationId"] == NORDLYS_ORG
        assert delivery.json["data"]["id"] == order_id
    shown = installer.call("GET", f"/api/v1/order/{order_id}")
    assert shown.status_code == 200, shown.text
    assert deliveries[-1].json["data"] == shown.json()  # the order as Get Order renders it
    installer.assert_payloads_valid(deliveries)
    assert not installer.engine.internal_errors
