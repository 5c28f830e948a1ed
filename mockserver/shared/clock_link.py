"""``StoreClockLink``: the mock clock's state in one store key, so every worker tells one time.

The key holds ``{frozen, offset, version}``. A change runs as one ``key_update`` (so two admin
calls in two processes both apply) and bumps the version; ``Clock.sync`` reads the key once per
request and adopts a version newer than any this process has seen. Offsets are relative to the
wall clock, which all processes on one machine share.
"""

from __future__ import annotations

import threading
from typing import Any

from mockserver.clock import Change
from mockserver.clock import ClockState

NAMESPACE = "shared:clock"
KEY = "clock"


class StoreClockLink:
    def __init__(self, store: Any) -> None:
        self._store = store
        self._seen = 0  # the newest version this process has adopted
        self._lock = threading.Lock()

    def apply(self, change: Change, local: ClockState) -> ClockState:
        def update(doc: Any) -> Any:
            base = (doc["frozen"], doc["offset"]) if doc else local
            frozen, offset = change(base)
            # max with what was seen: a reset that emptied the key must not reuse old versions
            version = max(doc["version"] if doc else 0, self._seen) + 1
            return {"frozen": frozen, "offset": offset, "version": version}

        doc = self._store.key_update(NAMESPACE, KEY, update, 0.0, None)
        with self._lock:
            self._seen = max(self._seen, doc["version"])
        return doc["frozen"], doc["offset"]

    def fetch(self) -> object:
        return self._store.key_get(NAMESPACE, KEY, 0.0)

    def accept(self, fetched: object) -> ClockState | None:
        if not isinstance(fetched, dict):
            return None
        with self._lock:
            if fetched["version"] <= self._seen:
                return None
            self._seen = fetched["version"]
        return fetched["frozen"], fetched["offset"]
