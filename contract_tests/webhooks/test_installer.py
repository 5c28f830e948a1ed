"""Installer.com's events reach a subscriber: Standard Webhooks signature (invented), the
documented envelope {event, timestamp, organizationId, data}, valid against the spec."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from standardwebhooks.webhooks import Webhook

from contract_tests.installer.conftest import HEAT_PUMP_TAG
from contract_tests.installer.conftest import NORDLYS
from contract_tests.installer.conftest import NORDLYS_ORG
from contract_tests.installer.conftest import new_order
from mockserver import Settings
from mockserver import create_app
from mockserver.server import MockServer
from mockserver.testing.webhooks import WebhookReceiver

from .conftest import Mock
from .conftest import _fresh

pytestmark = pytest.mark.socket
ORDER = new_order()


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


def test_the_typical_erp_flow_ends_in_signed_order_completed(
    installer: Mock, webhook_receiver: WebhookReceiver
) -> None:
    """Issue 6's acceptance: create, tag, dispatch, let the installer work (clock), and the ERP's
    receiver holds created, dispatched, assigned and completed for that order, in order, signed."""
    subscription = webhook_receiver.subscribe(
        installer.url,
        "installer",
        ["order.created", "order.dispatched", "order.assigned", "order.completed"],
        tenant=NORDLYS_ORG,
    )
    installer.http.post("/__admin/clock", json={"freeze": True}).raise_for_status()
    created = installer.call("POST", "/api/v1/order", json=ORDER)
    assert created.status_code == 201, created.text
    order_id = created.json()["value"]
    tagged = installer.call("POST", f"/api/v1/order/{order_id}/tags/{HEAT_PUMP_TAG}")
    assert tagged.status_code in (200, 201), tagged.text
    assert installer.call("POST", f"/api/v1/order/{order_id}/dispatch").status_code in (200, 201)
    installer.http.post("/__admin/clock", json={"advance": 2 * 86400}).raise_for_status()
    deliveries = webhook_receiver.wait_for(4)
    mine = [d for d in deliveries if d.json["data"]["id"] == order_id]
    assert [d.json["event"] for d in mine] == [
        "order.created",
        "order.dispatched",
        "order.assigned",
        "order.completed",
    ]
    for delivery in mine:
        Webhook(subscription["secret"]).verify(delivery.body, delivery.headers)
    assert HEAT_PUMP_TAG in str(mine[-1].json["data"])
    assert mine[-1].json["data"]["statusName"] == "completed"
    installer.assert_payloads_valid(mine)
