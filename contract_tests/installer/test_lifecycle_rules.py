"""Only legal lifecycle steps are taken; an illegal one is a clear 409 that changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.apis.installer_simulator import Timing
from mockserver.errors import ConfigError

from .conftest import API
from .conftest import COMPLETED_ORDER
from .conftest import DAY
from .conftest import Installer


def test_cancelling_a_completed_order_is_refused_and_changes_nothing(installer: Installer) -> None:
    before = installer.order(COMPLETED_ORDER)
    response = installer.call("POST", f"{API}/order/{COMPLETED_ORDER}/cancel")
    body = installer.assert_error(response, 409)
    assert body["error"] == "Conflict"
    assert "completed" in body["message"] and "cancelled" in body["message"]
    assert installer.order(COMPLETED_ORDER) == before
    assert installer.events == []


def test_dispatching_twice_is_refused(installer: Installer) -> None:
    order_id = installer.create()["value"]
    installer.call("POST", f"{API}/order/{order_id}/dispatch")
    installer.assert_error(installer.call("POST", f"{API}/order/{order_id}/dispatch"), 409)
    assert installer.events_of(order_id) == ["order.created", "order.dispatched"]


def test_cancel_a_scheduled_order_cancels_its_booking(installer: Installer) -> None:
    order_id = installer.create()["value"]
    installer.call("POST", f"{API}/order/{order_id}/dispatch")
    installer.advance(7200)
    response = installer.call(
        "POST", f"{API}/order/{order_id}/cancel", json={"reason": "Customer changed plans"}
    )
    assert response.status_code == 200
    cancelled = response.get_json()
    assert (cancelled["status"], cancelled["cancellationReason"]) == (6, "Customer changed plans")
    assert [e.type for e in installer.events][-2:] == ["order.cancelled", "booking.cancelled"]
    installer.advance(30 * DAY)  # the installer does not move a cancelled order on
    assert installer.order(order_id)["statusName"] == "cancelled"


def test_the_admin_api_refuses_illegal_steps_and_unknown_names(installer: Installer) -> None:
    order_id = installer.create()["value"]
    skipped = installer.push(order_id, "completed")
    assert skipped.status_code == 409
    assert "allowed next: dispatching, cancelled" in skipped.get_json()["message"]
    assert installer.push(order_id, "teleported").status_code == 400
    assert installer.push("00000000-0000-4000-8000-000000000000", "cancelled").status_code == 404
    assert installer.order(order_id)["statusName"] == "created"
    assert installer.events_of(order_id) == ["order.created"]


def test_an_unknown_installer_is_a_422_and_the_order_stays_created(installer: Installer) -> None:
    order_id = installer.create()["value"]
    body = {"installerId": "00000000-0000-4000-8000-000000000000"}
    response = installer.call("POST", f"{API}/order/{order_id}/dispatch", json=body)
    installer.assert_error(response, 422)
    assert installer.order(order_id)["statusName"] == "created"


@pytest.mark.parametrize("options", [{"decline_share": 0.5}, {"decline-share": 2}])
def test_a_misspelt_or_impossible_simulator_option_is_an_error(options: dict[str, Any]) -> None:
    assert Timing.from_options({"decline-share": 0.25}).decline_share == 0.25
    with pytest.raises(ConfigError):
        Timing.from_options(options)
