"""The outbox: every delivery owed, written before the triggering response leaves.

Two namespaces of the store's keys, so a durable backend keeps them across restarts:

- ``webhooks:messages``: one entry per (event, endpoint): the exact body, the event id, the
  attempts made and the state (``pending``, ``delivered``, ``failed``). Redelivery reuses it.
- ``webhooks:due``: the pending ones only, with when they are due (mock-clock seconds) and a
  lease, so the worker scans a short list and two workers sharing a store never send the same
  attempt twice.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

MESSAGES = "webhooks:messages"
DUE = "webhooks:due"
SEQUENCE = "webhooks:sequence"
LEASE_SECONDS = 60.0  # wall-clock: longer than any attempt (timeout <= 60 s)
RETENTION = 3 * 86400.0  # mock-clock seconds a settled message stays redeliverable


class Outbox:
    def __init__(self, store: Any, now: Any) -> None:
        self._store = store
        self._now = now  # the mock clock's now()

    def next_seq(self, name: str) -> int:
        return int(self._store.key_update(SEQUENCE, name, lambda v: int(v or 0) + 1, 0.0, None))

    def add(self, message: dict[str, Any], due_at: float) -> None:
        message.setdefault("state", "pending")
        message.setdefault("attempts", 0)
        self._store.key_set(MESSAGES, message["id"], message, self._now(), None)
        self.schedule(message["id"], due_at)

    def schedule(self, message_id: str, due_at: float) -> None:
        entry = {"dueAt": due_at, "seq": self.next_seq("due"), "leaseUntil": 0.0}
        self._store.key_set(DUE, message_id, entry, self._now(), None)

    def message(self, message_id: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._store.key_get(MESSAGES, message_id, self._now())
        return found

    def update(self, message_id: str, **changes: Any) -> None:
        """Change a message; once it is settled (not pending) it is kept for ``RETENTION``."""

        def apply(doc: Any) -> Any:
            if doc is not None:
                doc.update(changes)
            return doc

        ttl = None if changes.get("state", "pending") == "pending" else RETENTION
        if self.message(message_id) is not None:
            self._store.key_update(MESSAGES, message_id, apply, self._now(), ttl)

    def due(self, now: float) -> list[str]:
        """Pending message ids due at ``now`` and not leased, oldest first."""
        wall = time.time()
        entries = [
            (entry["dueAt"], entry["seq"], key)
            for key, entry in self._store.key_items(DUE, self._now())
            if entry is not None and entry["dueAt"] <= now and entry["leaseUntil"] <= wall
        ]
        return [key for _, _, key in sorted(entries)]

    def next_due_at(self) -> float | None:
        times = [e["dueAt"] for _, e in self._store.key_items(DUE, self._now()) if e is not None]
        return min(times) if times else None

    def claim(self, message_id: str) -> bool:
        """Lease a due entry for one attempt; False if it is gone or another worker holds it."""
        token = uuid.uuid4().hex
        wall = time.time()

        def lease(entry: Any) -> Any:
            if entry is not None and entry["leaseUntil"] <= wall:
                entry["leaseUntil"] = wall + LEASE_SECONDS
                entry["lease"] = token
            return entry

        if self._store.key_get(DUE, message_id, self._now()) is None:
            return False
        entry = self._store.key_update(DUE, message_id, lease, self._now(), None)
        if entry is None:
            self._store.key_delete(DUE, message_id)
            return False
        return bool(entry.get("lease") == token)

    def settle(self, message_id: str) -> None:
        self._store.key_delete(DUE, message_id)

    def clear(self, apis: list[str] | None) -> None:
        for key, doc in self._store.key_items(MESSAGES, self._now()):
            if doc is None or apis is None or doc.get("api") in apis:
                self._store.key_delete(MESSAGES, key)
                self._store.key_delete(DUE, key)
