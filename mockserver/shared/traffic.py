"""``SharedTrafficMeter``: the dashboard's requests-per-second chart, counted by every worker.

Same interface as ``traffic.TrafficMeter`` and the same ring of ``WINDOW`` one-second slots, each
a store key (``slot = second % WINDOW``) counted by an atomic ``key_tally`` (one Lua call on
Redis), which restarts a slot when its second comes round again, so the counts of all processes
add up. Keys carry a ``WINDOW`` TTL on the wall clock, like the chart itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mockserver.traffic import CLASSES
from mockserver.traffic import WINDOW

NAMESPACE = "shared:traffic"
API = "api:"  # counter names: "2xx".."5xx" and "api:<name>"


class SharedTrafficMeter:
    def __init__(self, store: Any, now: Callable[[], float] = time.time) -> None:
        self._store = store
        self._now = now

    def count(self, api: str, status: int) -> None:
        """One answered request; 1xx and odd statuses count towards the API but no class."""
        second = int(self._now())
        counts = {API + api: 1}
        if 2 <= status // 100 <= 5:
            counts[f"{status // 100}xx"] = 1
        self._store.key_tally(NAMESPACE, str(second % WINDOW), second, counts, second, WINDOW)

    def window(self, seconds: int) -> dict[str, Any]:
        """The last ``seconds`` seconds ending now, oldest first, zeros included."""
        if not 1 <= seconds <= WINDOW:
            raise ValueError(f"seconds must be 1..{WINDOW}")
        now = int(self._now())
        slots: dict[int, dict[str, int]] = {
            slot["epoch"]: slot["counts"]
            for _, slot in self._store.key_items(NAMESPACE, now)
            if slot and now - seconds < slot["epoch"] <= now
        }
        series: list[dict[str, int]] = []
        apis: dict[str, int] = {}
        for t in range(now - seconds + 1, now + 1):
            counts = slots.get(t, {})
            series.append({"t": t, **{c: counts.get(c, 0) for c in CLASSES}})
            for name, n in counts.items():
                if name.startswith(API):
                    apis[name[len(API) :]] = apis.get(name[len(API) :], 0) + n
        return {"now": now, "seconds": seconds, "series": series, "apis": apis}

    def clear(self) -> None:
        self._store.clear_keys(NAMESPACE)
