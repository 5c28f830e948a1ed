"""Installer.com's order lifecycle: the states, the legal steps between them, and their events.

Created -> Dispatching -> Scheduled -> In Progress -> Completed, plus Declined (the installers
turned a dispatch down; it may be dispatched again) and Cancelled (I-ORD). ``move`` is the only
way an order changes status: an illegal step is a 409 that changes nothing, a legal one stamps
the order, stores it and emits the webhook events of the state it entered.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC
from datetime import datetime
from enum import IntEnum
from typing import Any

from mockserver import errors
from mockserver.events import Event
from mockserver.profiles import formats
from mockserver.runtime import ApiRuntime
from mockserver.state.query import Collection
from mockserver.state.query import Condition
from mockserver.state.query import Query

API = "installer"
ORDERS = "orders"
FILES = "files"
TAGS = "order-tags"
INSTALLERS = "installers"


class Status(IntEnum):
    """The numeric ``status`` of the webhook payload (only 0 is documented; I-WH)."""

    CREATED = 0
    DISPATCHING = 1
    SCHEDULED = 2
    IN_PROGRESS = 3
    COMPLETED = 4
    DECLINED = 5
    CANCELLED = 6

    @property
    def label(self) -> str:
        return self.name.lower()


NEXT: dict[Status, frozenset[Status]] = {
    Status.CREATED: frozenset({Status.DISPATCHING, Status.CANCELLED}),
    Status.DISPATCHING: frozenset({Status.SCHEDULED, Status.DECLINED, Status.CANCELLED}),
    Status.SCHEDULED: frozenset({Status.IN_PROGRESS, Status.CANCELLED}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.DECLINED: frozenset({Status.DISPATCHING, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The order events entering a state sends (I-WH has no order.declined/started: they are updates).
ORDER_EVENTS: dict[Status, str] = {
    Status.DISPATCHING: "order.dispatched",
    Status.SCHEDULED: "order.assigned",
    Status.IN_PROGRESS: "order.updated",
    Status.COMPLETED: "order.completed",
    Status.DECLINED: "order.updated",
    Status.CANCELLED: "order.cancelled",
}

# The timestamp each state stamps on the order.
STAMPS: dict[Status, str] = {
    Status.DISPATCHING: "dispatchedAt",
    Status.IN_PROGRESS: "startedAt",
    Status.COMPLETED: "completedAt",
    Status.DECLINED: "declinedAt",
    Status.CANCELLED: "cancelledAt",
}


def parse_status(value: str) -> Status:
    """``"in_progress"``, ``"In Progress"`` or ``"3"``; ValueError if it names no status."""
    text = value.strip().lower().replace(" ", "_").replace("-", "_")
    if text.isdigit():
        return Status(int(text))
    try:
        return Status[text.upper()]
    except KeyError:
        names = ", ".join(s.label for s in Status)
        raise ValueError(f"unknown status {value!r} (known: {names})") from None


def lock(runtime: ApiRuntime) -> threading.RLock:
    """One lock per mounted API: requests and the simulated installer never interleave a step."""
    found = runtime.extensions.get("installer.lock")
    if found is None:
        found = runtime.extensions.setdefault("installer.lock", threading.RLock())
    return found  # type: ignore[no-any-return]


def iso(seconds: float) -> str:
    return formats.canonical(datetime.fromtimestamp(seconds, tz=UTC))


def epoch(value: str) -> float:
    moment = formats.parse_timestamp(value)
    assert moment is not None, value
    return moment.timestamp()


# rendering and events ----------------------------------------------------------------------------


CLIENT_APP = "https://app.installer.com"  # where clientUrl points (the Routing App)


def client_url(doc: dict[str, Any]) -> str:
    return f"{CLIENT_APP}/orders/{doc['id']}"


def render_file(runtime: ApiRuntime, tenant: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A file with its id also as ``file_id``, the name I-ORD gives it."""
    return {**runtime.resources.render(tenant, FILES, doc, {}), "file_id": doc["id"]}


def render_order(runtime: ApiRuntime, tenant: str, doc: dict[str, Any]) -> dict[str, Any]:
    """The order as Get Order, the lifecycle answers and every webhook payload show it."""
    resources = runtime.resources
    out = resources.render(tenant, ORDERS, doc, {})
    out["clientUrl"] = client_url(doc)
    files = [resources.find(tenant, FILES, i) for i in doc.get("fileIds", [])]
    out["files"] = [render_file(runtime, tenant, f) for f in files if f]
    tags = [resources.find(tenant, TAGS, i) for i in doc.get("orderTagIds", [])]
    out["tags"] = [resources.render(tenant, TAGS, t, {}) for t in tags if t]
    return out


def emit(
    runtime: ApiRuntime,
    tenant: str,
    event_type: str,
    data: dict[str, Any],
    at: float,
    resource: str = ORDERS,
) -> None:
    runtime.engine.events.emit(
        Event(API, tenant, event_type, data, at, resource, {"organizationId": tenant})
    )


def emit_order(runtime: ApiRuntime, tenant: str, event_type: str, doc: dict[str, Any]) -> None:
    emit(runtime, tenant, event_type, render_order(runtime, tenant, doc), runtime.clock.now())


def booking(doc: dict[str, Any], status: str) -> dict[str, Any]:
    return {
        "id": doc["bookingId"],
        "orderId": doc["id"],
        "installerId": doc["installerId"],
        "start": doc["scheduledStart"],
        "end": doc["scheduledEnd"],
        "status": status,
    }


# the step --------------------------------------------------------------------------------------


def find_order(runtime: ApiRuntime, order_id: str) -> tuple[str, dict[str, Any]] | None:
    """The owning tenant and the order, searched across organizations (admin API only)."""
    for tenant in runtime.book.tenants:
        doc = runtime.resources.find(tenant.id, ORDERS, order_id)
        if doc is not None:
            return tenant.id, doc
    return None


def installer_ids(runtime: ApiRuntime, tenant: str) -> list[str]:
    page = runtime.engine.store.query(Collection(API, tenant, INSTALLERS), Query())
    return sorted(str(doc["id"]) for doc in page.items)


def require_installer(runtime: ApiRuntime, tenant: str, installer_id: str) -> None:
    if runtime.resources.find(tenant, INSTALLERS, installer_id) is None:
        raise errors.unprocessable(
            f"installerId {installer_id} is not an installer partner of this organization",
            [
                errors.Violation(
                    "body", "/installerId", "must be one of the organization's installers"
                )
            ],
        )


def _entering(
    runtime: ApiRuntime,
    tenant: str,
    doc: dict[str, Any],
    to: Status,
    at: float,
    how: dict[str, Any],
) -> dict[str, Any]:
    """The fields entering ``to`` sets besides the status."""
    fields: dict[str, Any] = {"status": int(to), "statusName": to.label}
    if to in STAMPS:
        fields[STAMPS[to]] = iso(at)
    if to is Status.SCHEDULED:
        choices = installer_ids(runtime, tenant)
        installer = how.get("installerId") or (choices[0] if choices else None)
        if installer is None:
            raise errors.conflict("The organization has no installer partner to assign")
        start = at + float(how.get("leadTime", 0))
        fields.update(
            installerId=installer,
            scheduledStart=iso(start),
            scheduledEnd=iso(start + float(how.get("workDuration", 0))),
            bookingId=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc['id']}/{doc.get('dispatchedAt')}")),
        )
    if to is Status.CANCELLED and how.get("reason"):
        fields["cancellationReason"] = how["reason"]
    return fields


def move(
    runtime: ApiRuntime,
    tenant: str,
    order_id: str,
    to: Status,
    *,
    at: float | None = None,
    how: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Take one legal step (409 otherwise), store it, emit its events; the order after it."""
    when = runtime.clock.now() if at is None else at
    with lock(runtime):
        before = runtime.resources.require(tenant, ORDERS, order_id)
        current = Status(before["status"])
        if to not in NEXT[current]:
            allowed = ", ".join(s.label for s in sorted(NEXT[current])) or "none (final)"
            raise errors.conflict(
                f"Order {before['displayId']} is {current.label} and cannot become {to.label}; "
                f"allowed next: {allowed}",
                code="illegal_transition",
            )
        fields = _entering(runtime, tenant, before, to, when, how or {})
        after = runtime.resources.set_fields(tenant, ORDERS, order_id, fields).after
        assert after is not None
        data = render_order(runtime, tenant, after)
        emit(runtime, tenant, ORDER_EVENTS[to], data, when)
        if to is Status.SCHEDULED:
            emit(runtime, tenant, "booking.created", booking(after, "booked"), when, "bookings")
        if to is Status.CANCELLED and before.get("bookingId") and current is Status.SCHEDULED:
            emit(
                runtime, tenant, "booking.cancelled", booking(after, "cancelled"), when, "bookings"
            )
    return after


def with_idempotency_key(runtime: ApiRuntime, tenant: str, key: str) -> dict[str, Any] | None:
    condition = Condition((("idempotencyKey",),), "eq", (key,))
    page = runtime.resources.list(tenant, ORDERS, Query(conditions=(condition,), limit=1))
    return page.items[0] if page.items else None
