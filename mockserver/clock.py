"""One clock for the whole mock: rate limits, idempotency expiry, timestamps, webhook retries.

Real time by default. Tests freeze it and move it forward through the admin API or the pytest
fixtures, so throttling and expiry are exact and nothing ever sleeps. While running, the clock can
also carry an offset (``advance`` on a running clock jumps it forward and keeps it running).

Worker processes share one clock through a ``ClockLink`` (``shared/clock_link.py``): every change
is then made on the state kept in the store, and ``sync`` adopts what another process changed.
Without a link ``sync`` does nothing, so a single process pays nothing for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Protocol

# The clock's whole state: the frozen instant (None while running) and the running offset.
ClockState = tuple[float | None, float]
Change = Callable[[ClockState], ClockState]


class ClockLink(Protocol):
    def apply(self, change: Change, local: ClockState) -> ClockState:
        """Apply ``change`` to the shared state (``local`` if there is none), atomically."""
        ...

    def fetch(self) -> object:
        """The shared state as stored (store I/O: called outside the clock's lock)."""
        ...

    def accept(self, fetched: object) -> ClockState | None:
        """``fetched``'s state if it is newer than any this process has seen, else None."""
        ...


class Clock:
    def __init__(self, source: Callable[[], float] = time.time) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset = 0.0
        self._listeners: list[Callable[[], None]] = []
        self._link: ClockLink | None = None

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
        def change(state: ClockState) -> ClockState:
            frozen, offset = state
            if at is not None:
                return at, offset
            return (frozen if frozen is not None else self._source() + offset), offset

        self._change(change)

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the mock clock only moves forward")

        def change(state: ClockState) -> ClockState:
            frozen, offset = state
            return (frozen + seconds, offset) if frozen is not None else (None, offset + seconds)

        self._change(change)

    def resume(self) -> None:
        """Run again from the frozen instant (the offset keeps the time continuous)."""

        def change(state: ClockState) -> ClockState:
            frozen = state[0]
            return (None, frozen - self._source()) if frozen is not None else state

        self._change(change)

    def reset(self) -> None:
        self._change(lambda state: (None, 0.0))

    def _change(self, change: Change) -> None:
        link = self._link
        with self._lock:
            if link is None:
                self._frozen_at, self._offset = change((self._frozen_at, self._offset))
            else:  # the store decides: a concurrent change in another process is not lost
                self._frozen_at, self._offset = link.apply(change, (self._frozen_at, self._offset))
        self._notify()

    def publish(self) -> None:
        """Write this process's state to the link again (after a reset emptied the store)."""
        self._change(lambda state: state)

    def link(self, link: ClockLink) -> None:
        """Share this clock's state through ``link`` (``serve --workers N``); adopt it now."""
        self._link = link
        self.sync()

    def sync(self) -> None:
        """Adopt the shared state if another process changed it, and tell the listeners."""
        link = self._link
        if link is None:
            return
        fetched = link.fetch()
        with self._lock:  # versions decide, so a late fetch never undoes a newer change
            state = link.accept(fetched)
            if state is None:
                return
            self._frozen_at, self._offset = state
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
