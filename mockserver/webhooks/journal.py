"""The delivery journal: one entry per attempt (``GET /__admin/webhook-deliveries``).

Kept in the store's keys (``webhooks:attempts``) under a zero-padded sequence, so listing in key
order is listing in the order the attempts were made, on every backend. The newest 10,000 are
kept.
"""

from __future__ import annotations

from typing import Any

ATTEMPTS = "webhooks:attempts"
FILTERS = ("api", "event", "eventId", "endpointId", "messageId", "outcome", "status")
LIMIT = 10_000  # attempts kept; the oldest go first
TRIM_EVERY = 100


class DeliveryJournal:
    def __init__(self, store: Any, now: Any, limit: int = LIMIT) -> None:
        self._store = store
        self._now = now
        self.limit = limit

    def record(self, seq: int, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {"id": seq, **entry}
        self._store.key_set(ATTEMPTS, f"{seq:012d}", entry, self._now(), None)
        if seq % TRIM_EVERY == 0:
            self._trim()
        return entry

    def _trim(self) -> None:
        """Keep the newest ``self.limit`` attempts, so a long-running server stays bounded."""
        keys = sorted(key for key, _ in self._store.key_items(ATTEMPTS, self._now()))
        for key in keys[: max(0, len(keys) - self.limit)]:
            self._store.key_delete(ATTEMPTS, key)

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
