"""The background delivery worker: a daemon thread that sends what the outbox says is due.

It sleeps until something is enqueued, the mock clock moves (``Clock.on_change``), or the next
retry falls due, so a test that advances the clock by 5 minutes sees the 5-minute retry at once;
it exits when nothing at all is owed for a few seconds. A batch is spread over a few short-lived
daemon threads, one endpoint's deliveries in order on one of them, so a slow receiver (up to the
2 s timeout) does not hold up the others. Nothing here keeps the interpreter alive: every thread
is a daemon and ``stop`` joins them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_SLEEP = 1.0  # seconds: an upper bound, in case a wake-up is ever missed
MIN_SLEEP = 0.02  # seconds: do not spin while another worker holds the due entries
IDLE_EXIT = 5.0  # seconds with nothing owed before the thread exits (idle engines hold no thread)
BATCH = 200
LANES = 4


class DeliveryWorker:
    def __init__(
        self,
        due: Callable[[], list[tuple[str, str]]],  # (message id, endpoint id), oldest first
        deliver: Callable[[str], None],
        seconds_to_next: Callable[[], float | None],
        pending: Callable[[], bool],  # anything owed at all, due or not
    ) -> None:
        self._due = due
        self._pending = pending
        self._deliver = deliver
        self._seconds_to_next = seconds_to_next
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.idle_exit = IDLE_EXIT

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running or self._stopping.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="webhook-worker", daemon=True)
            self._thread.start()

    def poke(self) -> None:
        """Something changed (new message, clock moved): look at the outbox again now."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        idle_since = time.monotonic()
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                batch = self._due()[:BATCH]
                if batch:
                    self._send(batch)
                    idle_since = time.monotonic()
                    continue
                ahead = self._seconds_to_next()
                if ahead is None and not self._pending() and self._retire(idle_since):
                    return
            except Exception:  # a broken store must not kill the worker silently
                log.exception("webhook worker: cannot read the outbox")
                ahead = MAX_SLEEP
            sleep = MAX_SLEEP if ahead is None else min(MAX_SLEEP, max(MIN_SLEEP, ahead))
            self._wake.wait(sleep)

    def _retire(self, idle_since: float) -> bool:
        """Exit after a while with nothing owed; ``start`` brings a new thread when needed.

        Decided under the start lock after looking at the outbox once more: a message is written
        before ``start`` is called, so either this look sees it or ``start`` sees no thread.
        """
        if time.monotonic() - idle_since < self.idle_exit:
            return False
        with self._lock:
            if self._pending():
                return False
            self._thread = None
            return True

    def _send(self, batch: list[tuple[str, str]]) -> None:
        by_endpoint: dict[str, list[str]] = {}
        for message_id, endpoint_id in batch:
            by_endpoint.setdefault(endpoint_id, []).append(message_id)
        lanes: list[list[str]] = [[] for _ in range(min(LANES, len(by_endpoint)))]
        for index, ids in enumerate(by_endpoint.values()):
            lanes[index % len(lanes)].extend(ids)
        threads = [
            threading.Thread(target=self._lane, args=(ids,), name="webhook-send", daemon=True)
            for ids in lanes
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _lane(self, message_ids: list[str]) -> None:
        for message_id in message_ids:
            if self._stopping.is_set():
                return
            try:
                self._deliver(message_id)
            except Exception:
                log.exception("webhook worker: delivery of %s failed unexpectedly", message_id)
