"""Domain events: what happened in the mock, for whoever listens (the webhook outbox, tests).

Resource writes become events through each resource's ``x-mock.resources.<name>.events`` block
(``ApiRuntime.notify_changes``); behaviour that is not a plain write (Installer.com's order
lifecycle, a test's ``emit`` through the admin API) calls ``EventBus.emit`` directly. Listeners
run synchronously, before the triggering response leaves, so they must be quick: the webhook
feature only writes its outbox here and delivers in the background.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from mockserver.spec.model import Events
from mockserver.state.resources import Change


@dataclass(frozen=True)
class Event:
    api: str  # mount name: robaws, installer, ...
    tenant: str | None  # the tenant whose data changed; None for API-wide events
    type: str  # the vendor's event name: client.created, order.dispatched, ...
    data: dict[str, Any]  # the entity as the API renders it
    occurred_at: float  # mock-clock seconds
    resource: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # vendor payload members beyond data


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            listener(event)


def event_types_for(events: Events, change: Change) -> list[str]:
    """The event names a write causes: created/updated/deleted, plus any ``fields-changed``."""
    if change.before is None:
        return [events.created] if events.created else []
    if change.after is None:
        return [events.deleted] if events.deleted else []
    found = [events.updated] if events.updated else []
    for name, fields in events.fields_changed.items():
        if any(change.before.get(f) != change.after.get(f) for f in fields):
            found.append(name)
    return found
