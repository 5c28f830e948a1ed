"""The delivery journal: one entry per attempt (``GET /__admin/webhook-deliveries``).

Kept in the store's keys (``webhooks:attempts``) under a zero-padded sequence, so listing in key
order is listing in the order the attempts were made, on every backend.
"""

from __future__ import annotations

from typing import Any

ATTEMPTS = "webhooks:attempts"
FILTERS = ("api", "event", "eventId", "endpointId", "messageId", "outcome", "status")


class DeliveryJournal:
    def __init__(self, store: Any, now: Any) -> None:
        self._store = store
        self._now = now

    def record(self, seq: int, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {"id": seq, **entry}
        self._store.key_set(ATTEMPTS, f"{seq:012d}", entry, self._now(), None)
        return entry

    def get(self, attempt_id: int) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self._store.key_get(
            ATTEMPTS, f"{attempt_id:012d}", self._now()
        )
        return found

    def entries(self, limit: int | None = None, **wanted: Any) -> list[dict[str, Any]]:
        rows = [doc for _, doc in sorted(self._store.key_items(ATTEMPTS, self._now())) if doc]
        for name, value in wanted.items():
            if value is not None:
                rows = [r for r in rows if str(r.get(name)) == str(value)]
        return rows[-limit:] if limit else rows

    def clear(self, apis: list[str] | None) -> None:
        for key, doc in self._store.key_items(ATTEMPTS, self._now()):
            if doc is None or apis is None or doc.get("api") in apis:
                self._store.key_delete(ATTEMPTS, key)
