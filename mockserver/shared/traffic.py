"""``SharedTrafficMeter``: the dashboard's requests-per-second chart, counted by every worker.

Same interface as ``traffic.TrafficMeter`` and the same ring of ``WINDOW`` one-second slots, each
a store key (``slot = second % WINDOW``) changed by an atomic ``key_update``, so the counts of all
processes add up. Keys carry a ``WINDOW`` TTL on the wall clock, like the chart itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mockserver.traffic import CLASSES
from mockserver.traffic import WINDOW

NAMESPACE = "shared:traffic"


class SharedTrafficMeter:
    def __init__(self, store: Any, now: Callable[[], float] = time.time) -> None:
        self._store = store
        self._now = now

    def count(self, api: str, status: int) -> None:
        """One answered request; 1xx and odd statuses count towards the API but no class."""
        second = int(self._now())
        index = status // 100 - 2

        def add(slot: Any) -> Any:
            if slot is None or slot["t"] != second:  # empty, or last used WINDOW seconds ago
                slot = {"t": second, "classes": [0, 0, 0, 0], "apis": {}}
            if 0 <= index < 4:
                slot["classes"][index] += 1
            slot["apis"][api] = slot["apis"].get(api, 0) + 1
            return slot

        self._store.key_update(NAMESPACE, str(second % WINDOW), add, second, WINDOW)

    def window(self, seconds: int) -> dict[str, Any]:
        """The last ``seconds`` seconds ending now, oldest first, zeros included."""
        if not 1 <= seconds <= WINDOW:
            raise ValueError(f"seconds must be 1..{WINDOW}")
        now = int(self._now())
        slots = {
            slot["t"]: slot
            for _, slot in self._store.key_items(NAMESPACE, now)
            if slot and now - seconds < slot["t"] <= now
        }
        series: list[dict[str, int]] = []
        apis: dict[str, int] = {}
        for t in range(now - seconds + 1, now + 1):
            slot = slots.get(t)
            counts = slot["classes"] if slot else [0, 0, 0, 0]
            series.append({"t": t, **dict(zip(CLASSES, counts, strict=True))})
            for api, n in (slot["apis"] if slot else {}).items():
                apis[api] = apis.get(api, 0) + n
        return {"now": now, "seconds": seconds, "series": series, "apis": apis}

    def clear(self) -> None:
        self._store.clear_keys(NAMESPACE)
