"""``Flusher``: the daemon thread that writes the shared journal's and meter's buffers behind.

A request only appends to an in-memory buffer; this thread hands the buffers to the store every
``INTERVAL`` seconds, each in one batch call, so a request costs no store write at all and the
store sees a few large transactions instead of two small ones per request. It starts on the
first ``poke`` in a process (a pre-forked worker starts its own; the arbiter that built the app
never records), ends itself after ``IDLE_EXIT`` seconds with nothing to write (tests that never
close an engine leave no busy thread behind) and ``stop`` ends it with a last flush and a
bounded join, so neither a test nor the server waits on it at exit.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable

INTERVAL = 0.05  # seconds: how stale another worker's entries can be in this one's journal
IDLE_EXIT = 2.0  # seconds without anything to write before the thread ends itself
STOP_JOIN = 2.0  # seconds ``stop`` waits for the thread

log = logging.getLogger(__name__)


class Flusher:
    def __init__(
        self, flush: Callable[[], None], pending: Callable[[], bool], interval: float = INTERVAL
    ) -> None:
        self._flush = flush  # writes every buffer; raises when the store fails (buffers kept)
        self._pending = pending  # anything buffered at all
        self.interval = interval
        self.idle_exit = IDLE_EXIT
        self.failures = 0  # flushes the store refused; their entries stayed buffered
        self._failing = False  # the last flush failed: log an outage once
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0  # the process the thread runs in: a forked child starts its own
        self._running = False

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def poke(self) -> None:
        """Something was buffered: make sure a thread will write it (cheap when one runs)."""
        if self._running and self._pid == os.getpid():
            return
        with self._lock:
            if self._stopping.is_set() or (self._running and self._pid == os.getpid()):
                return
            self._pid, self._running = os.getpid(), True
            self._thread = threading.Thread(target=self._run, name="write-behind", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = STOP_JOIN) -> None:
        """End the thread and write what is left; later pokes start nothing."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._write()

    def _write(self) -> bool:
        try:
            self._flush()
        except Exception:  # the store is down or busy: entries stay buffered, try again later
            if not self._failing:  # once per outage, not 20 times a second
                log.exception("write-behind flush failed; entries kept for the next attempt")
            self.failures += 1
            self._failing = True
            return False
        if self._failing:
            log.warning("write-behind flush works again after %d failed attempts", self.failures)
            self._failing = False
        return True

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._running = False

    def _loop(self) -> None:
        idle_since = time.monotonic()
        while not self._stopping.wait(self.interval):
            if self._pending():
                self._write()
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since >= self.idle_exit:
                with self._lock:
                    # False first, then look: a poke that still saw True appended before the
                    # look below, and one that sees False waits for this lock and starts anew
                    self._running = False
                    if not self._pending():
                        return
                    self._running = True
