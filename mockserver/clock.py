"""One clock for the whole mock: rate limits, idempotency expiry, timestamps, webhook retries.

Real time by default. Tests freeze it and move it forward through the admin API or the pytest
fixtures, so throttling and expiry are exact and nothing ever sleeps. While running, the clock can
also carry an offset (``advance`` on a running clock jumps it forward and keeps it running).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime


class Clock:
    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> float:
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return self._source() + self._offset

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.now(), tz=UTC)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self, at: float | None = None) -> None:
        with self._lock:
            self._frozen_at = self.now() if at is None else at
        self._notify()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the mock clock only moves forward")
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds
        self._notify()

    def resume(self) -> None:
        """Run again from the frozen instant (the offset keeps the time continuous)."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - self._source()
                self._frozen_at = None
        self._notify()

    def reset(self) -> None:
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0
        self._notify()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every freeze/advance/resume (the webhook worker wakes up)."""
        self._listeners.append(listener)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def state(self) -> dict[str, object]:
        return {
            "now": self.datetime().isoformat().replace("+00:00", "Z"),
            "epoch": self.now(),
            "frozen": self.frozen,
        }
