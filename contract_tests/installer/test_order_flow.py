"""The documented integration flow (I-V1): create, tag, dispatch, and the installer completes it,
with the webhook events in order; the simulated installer follows the mock clock only."""

from __future__ import annotations

from mockserver import get_engine

from .conftest import API
from .conftest import BERGEN_INSTALLER
from .conftest import DAY
from .conftest import HEAT_PUMP_TAG
from .conftest import NORDLYS_ORG
from .conftest import Installer
from .conftest import make_app
from .conftest import open_installer


def test_create_tag_dispatch_and_the_installer_completes_it(installer: Installer) -> None:
    created = installer.create(idempotencyKey="erp-4711")
    order_id = created["value"]
    assert created["displayId"].startswith("P1-")
    assert created["clientUrl"].endswith(f"/orders/{order_id}")

    tagged = installer.call("POST", f"{API}/order/{order_id}/tags/{HEAT_PUMP_TAG}")
    assert [t["name"] for t in tagged.get_json()["tags"]] == ["Heat pump"]
    dispatched = installer.call("POST", f"{API}/order/{order_id}/dispatch")
    assert dispatched.status_code == 200
    assert dispatched.get_json()["statusName"] == "dispatching"

    installer.advance(2 * DAY)

    order = installer.order(order_id)
    assert (order["status"], order["statusName"]) == (4, "completed")
    assert order["installerId"]
    assert order["dispatchedAt"] < order["scheduledStart"] <= order["startedAt"]
    assert order["startedAt"] < order["completedAt"] == order["scheduledEnd"]
    assert installer.events_of(order_id) == [
        "order.created",
        "order.updated",  # the tag
        "order.dispatched",
        "order.assigned",
        "order.updated",  # the visit started
        "order.completed",
    ]
    completed = installer.events[-1]
    assert completed.api == "installer" and completed.tenant == NORDLYS_ORG
    assert completed.extra == {"organizationId": NORDLYS_ORG}
    assert completed.data == order  # the payload is the order as Get Order shows it


def test_each_step_waits_for_its_due_time(installer: Installer) -> None:
    order_id = installer.create()["value"]
    installer.call("POST", f"{API}/order/{order_id}/dispatch")
    installer.advance(3599)
    assert installer.order(order_id)["statusName"] == "dispatching"
    installer.advance(1)
    scheduled = installer.order(order_id)
    assert scheduled["statusName"] == "scheduled"
    assert "booking.created" in [e.type for e in installer.events]
    installer.advance(DAY - 3600 - 1)
    assert installer.order(order_id)["statusName"] == "scheduled"
    installer.advance(1)
    assert installer.order(order_id)["statusName"] == "in_progress"


def test_dispatch_to_a_chosen_installer(installer: Installer) -> None:
    order_id = installer.create()["value"]
    body = {"installerId": BERGEN_INSTALLER, "note": "Customer prefers mornings"}
    assert installer.call("POST", f"{API}/order/{order_id}/dispatch", json=body).status_code == 200
    installer.advance(DAY)
    assert installer.order(order_id)["installerId"] == BERGEN_INSTALLER


def test_a_declined_order_can_be_dispatched_again() -> None:
    app = make_app(**{"decline-share": 1.0})
    for installer in open_installer(app):
        order_id = installer.create()["value"]
        installer.call("POST", f"{API}/order/{order_id}/dispatch")
        installer.advance(DAY)
        declined = installer.order(order_id)
        assert declined["statusName"] == "declined" and "installerId" not in declined
        again = installer.call("POST", f"{API}/order/{order_id}/dispatch")
        assert again.get_json()["statusName"] == "dispatching"
        assert installer.events_of(order_id) == [
            "order.created",
            "order.dispatched",
            "order.updated",
            "order.dispatched",
        ]


def test_the_decline_share_is_deterministic_by_seed() -> None:
    def outcomes() -> list[str]:
        app = make_app(**{"decline-share": 0.5})
        found = []
        for installer in open_installer(app):
            ids = [installer.create()["value"] for _ in range(12)]
            for order_id in ids:
                installer.call("POST", f"{API}/order/{order_id}/dispatch")
            installer.advance(7200)
            found = [installer.order(i)["statusName"] for i in ids]
        return found

    first = outcomes()
    assert first == outcomes()
    assert set(first) == {"scheduled", "declined"}


def test_with_the_simulation_off_a_dispatched_order_waits() -> None:
    app = make_app(simulate=False)
    for installer in open_installer(app):
        order_id = installer.create()["value"]
        installer.call("POST", f"{API}/order/{order_id}/dispatch")
        installer.advance(30 * DAY)
        assert installer.order(order_id)["statusName"] == "dispatching"
        assert get_engine(app).internal_errors == []


def test_the_admin_api_pushes_an_order_through_every_state(installer: Installer) -> None:
    order_id = installer.create()["value"]
    states = ["dispatching", "scheduled", "in_progress", "completed"]
    for state in states:
        response = installer.push(order_id, state)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["statusName"] == state
    assert installer.events_of(order_id) == [
        "order.created",
        "order.dispatched",
        "order.assigned",
        "order.updated",
        "order.completed",
    ]
