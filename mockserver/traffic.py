"""``TrafficMeter``: answered API requests per wall-clock second and status class, for the
dashboard's rate chart (``GET /__admin/traffic``).

Wall-clock (``time.time``), not the mock clock: a frozen or fast-forwarded mock clock must not
bend a chart of how fast requests arrive. Memory is bounded: one slot per second in a ring of
``WINDOW`` seconds, reused when its second comes round again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

WINDOW = 900  # seconds kept: 15 minutes
CLASSES = ("2xx", "3xx", "4xx", "5xx")


@dataclass
class _Second:
    t: int = -1
    classes: list[int] = field(default_factory=lambda: [0, 0, 0, 0])  # 2xx, 3xx, 4xx, 5xx
    apis: dict[str, int] = field(default_factory=dict)


class TrafficMeter:
    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._now = now
        self._ring = [_Second() for _ in range(WINDOW)]
        self._lock = threading.Lock()

    def count(self, api: str, status: int) -> None:
        """One answered request; 1xx and odd statuses count towards the API but no class."""
        second = int(self._now())
        index = status // 100 - 2
        with self._lock:
            slot = self._ring[second % WINDOW]
            if slot.t != second:  # the slot last held a second WINDOW or more ago
                slot.t, slot.classes, slot.apis = second, [0, 0, 0, 0], {}
            if 0 <= index < 4:
                slot.classes[index] += 1
            slot.apis[api] = slot.apis.get(api, 0) + 1

    def window(self, seconds: int) -> dict[str, Any]:
        """The last ``seconds`` seconds ending now, oldest first, zeros included."""
        if not 1 <= seconds <= WINDOW:
            raise ValueError(f"seconds must be 1..{WINDOW}")
        now = int(self._now())
        series: list[dict[str, int]] = []
        apis: dict[str, int] = {}
        with self._lock:
            for t in range(now - seconds + 1, now + 1):
                slot = self._ring[t % WINDOW]
                counts = slot.classes if slot.t == t else [0, 0, 0, 0]
                series.append({"t": t, **dict(zip(CLASSES, counts, strict=True))})
                if slot.t == t:
                    for api, n in slot.apis.items():
                        apis[api] = apis.get(api, 0) + n
        return {"now": now, "seconds": seconds, "series": series, "apis": apis}

    def clear(self) -> None:
        with self._lock:
            self._ring = [_Second() for _ in range(WINDOW)]
