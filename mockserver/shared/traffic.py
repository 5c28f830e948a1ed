"""``SharedTrafficMeter``: the dashboard's requests-per-second chart, counted by every worker.

Same interface as ``traffic.TrafficMeter`` and the same ring of ``WINDOW`` one-second slots, each
a store key (``slot = second % WINDOW``) counted by an atomic tally (one Lua call on Redis), which
restarts a slot when its second comes round again, so the counts of all processes add up. Keys
carry a ``WINDOW`` TTL on the wall clock, like the chart itself. Written behind, as the journal:
``count`` adds to this process's counts per second in memory and ``flush`` (the flusher thread,
every 50 ms, and every ``window`` read) adds them to the store in one ``key_tally_many``,
leaving out what was counted before the latest ``clear`` in any process (as the journal does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from mockserver.shared.journal import cleared_at
from mockserver.shared.journal import stamp_clear
from mockserver.traffic import CLASSES
from mockserver.traffic import WINDOW

NAMESPACE = "shared:traffic"
API = "api:"  # counter names: "2xx".."5xx" and "api:<name>"
BUFFER_LIMIT = 100_000  # requests counted in a process before the oldest counts are dropped


Counted = tuple[float, str, int]  # (wall time, api, status): one answered request


def _tallies(counted: list[Counted]) -> list[tuple[str, int, dict[str, int]]]:
    """Counts per second, oldest second first, as ``key_tally_many`` takes them."""
    seconds: dict[int, dict[str, int]] = {}
    for at, api, status in counted:
        second = int(at)
        counts = seconds.setdefault(second, {})
        names = (API + api, f"{status // 100}xx") if 2 <= status // 100 <= 5 else (API + api,)
        for name in names:  # 1xx and odd statuses count towards the API but no class
            counts[name] = counts.get(name, 0) + 1
    return [(str(t % WINDOW), t, seconds[t]) for t in sorted(seconds)]


class SharedTrafficMeter:
    def __init__(
        self,
        store: Any,
        now: Callable[[], float] = time.time,
        on_buffer: Callable[[], None] | None = None,
    ) -> None:
        self._store = store
        self._now = now
        self._on_buffer = on_buffer or (lambda: None)  # the flusher's poke
        self._buffer: list[Counted] = []  # not yet written; summed per second at flush
        self._lock = threading.Lock()
        self._flushing = threading.Lock()

    def count(self, api: str, status: int) -> None:
        """One answered request: buffered, written by the next flush."""
        counted = (self._now(), api, status)
        with self._lock:
            if len(self._buffer) >= BUFFER_LIMIT:
                del self._buffer[: BUFFER_LIMIT // 10]  # the store keeps failing: shed the oldest
            self._buffer.append(counted)
        self._on_buffer()

    def pending(self) -> bool:
        return bool(self._buffer)

    def flush(self) -> None:
        """Add this process's counts to the store in one step; on failure keep them."""
        with self._flushing:
            with self._lock:
                batch, self._buffer = self._buffer, []
            if not batch:
                return
            try:
                cleared = cleared_at(self._store, NAMESPACE)
                tallies = _tallies([c for c in batch if c[0] >= cleared])
                if tallies:  # expiry from the newest second: older slots live a flush longer
                    self._store.key_tally_many(NAMESPACE, tallies, tallies[-1][1], WINDOW)
            except BaseException:
                with self._lock:
                    self._buffer = (batch + self._buffer)[-BUFFER_LIMIT:]
                raise

    def window(self, seconds: int) -> dict[str, Any]:
        """The last ``seconds`` seconds ending now, oldest first, zeros included."""
        if not 1 <= seconds <= WINDOW:
            raise ValueError(f"seconds must be 1..{WINDOW}")
        self.flush()
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
        with self._flushing:
            with self._lock:
                self._buffer = []
            self._store.clear_keys(NAMESPACE)
            stamp_clear(self._store, NAMESPACE, self._now())
