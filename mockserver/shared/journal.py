"""``SharedJournal``: the request journal in the store's keys, one for every worker process.

Same interface as ``journal.Journal``. ``record`` only buffers the entry in this process (written
behind: ``flusher.py`` writes the buffer every 50 ms); ``flush`` writes the buffer with one
``key_append_many``: the store numbers the batch and writes it in one atomic step, so ids grow
across processes and a reader that sees ``latest`` = n also sees every entry up to n:
``GET /__admin/requests?after=<latest>`` polled from any worker misses nothing. Every read flushes
this process's buffer first, so a process sees its own requests at once and other workers' within
the flush interval. The newest ``capacity`` entries are kept (the append deletes those that fall
out in the same step), bodies clipped to 64 KiB. ``clear`` (here or in any worker) drops the
buffer and stamps the time in the store; a flush drops buffered entries recorded before the
latest stamp, so a reset elsewhere is not undone by a worker's late flush. The buffer is bounded:
past ``BUFFER_LIMIT`` entries (a store that keeps refusing the flush) the oldest buffered go and
``dropped`` counts them.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from mockserver.journal import JournalEntry
from mockserver.journal import select
from mockserver.state.store import seq_key

NAMESPACE = "shared:journal"
CLEARED = "shared:cleared"  # NAMESPACE -> the wall time of its latest clear, by any process
STORED_BODY_LIMIT = 64 * 1024  # bytes of a body kept in the store
BUFFER_LIMIT = 2000  # entries buffered in a process before the oldest are dropped
FETCH_ONE_BY_ONE = 64  # an ``after`` this close to ``latest`` reads the new ids, not the window
_FIELDS = tuple(f.name for f in dataclasses.fields(JournalEntry) if f.name != "id")


def _stored_body(body: bytes | str) -> str:
    if isinstance(body, str):
        return body[:STORED_BODY_LIMIT]
    return body[:STORED_BODY_LIMIT].decode("utf-8", errors="replace")


def cleared_at(store: Any, namespace: str) -> float:
    """When any process last cleared ``namespace`` (0: never): older buffered items are void."""
    return float(store.key_get(CLEARED, namespace, 0.0) or 0.0)


def stamp_clear(store: Any, namespace: str, at: float) -> None:
    store.key_set(CLEARED, namespace, at, 0.0, None)


def _doc(entry: JournalEntry) -> dict[str, Any]:
    doc = {name: getattr(entry, name) for name in _FIELDS}
    doc["request_body"] = _stored_body(entry.request_body)
    doc["response_body"] = _stored_body(entry.response_body)
    return doc


class SharedJournal:
    def __init__(
        self, store: Any, capacity: int = 1000, on_buffer: Callable[[], None] | None = None
    ) -> None:
        self._store = store
        self.capacity = capacity
        self.dropped = 0  # buffered entries lost to the buffer limit (the store kept failing)
        self._on_buffer = on_buffer or (lambda: None)  # the flusher's poke
        self._buffer: deque[tuple[float, JournalEntry]] = deque()  # (wall time, entry)
        self._lock = threading.Lock()  # the buffer
        self._flushing = threading.Lock()  # one flush at a time; clear waits for it

    def record(self, entry: JournalEntry) -> None:
        """Buffer the entry; its ``id`` is set when a flush writes it."""
        with self._lock:
            if len(self._buffer) >= BUFFER_LIMIT:
                self._buffer.popleft()
                self.dropped += 1
            self._buffer.append((time.time(), entry))
        self._on_buffer()

    def pending(self) -> bool:
        return bool(self._buffer)

    def flush(self) -> None:
        """Write this process's buffer in one atomic step; on failure keep it for the next."""
        with self._flushing:
            with self._lock:
                batch = list(self._buffer)
                self._buffer.clear()
            if not batch:
                return
            try:
                cleared = cleared_at(self._store, NAMESPACE)
                entries = [entry for at, entry in batch if at >= cleared]
                # the entries that fall out of the window go in the same step: always bounded
                ids = self._store.key_append_many(
                    NAMESPACE, [_doc(e) for e in entries], 0.0, None, keep=self.capacity
                )
            except BaseException:
                with self._lock:  # back in front of what came meanwhile, still bounded
                    kept = deque(batch + list(self._buffer), maxlen=BUFFER_LIMIT)
                    self.dropped += len(batch) + len(self._buffer) - len(kept)
                    self._buffer = kept
                raise
            for entry, entry_id in zip(entries, ids, strict=True):
                entry.id = entry_id

    @property
    def latest(self) -> int:
        """The highest id recorded by any process (0 if none); it survives ``clear``."""
        self.flush()
        return self._latest()

    def _latest(self) -> int:
        return int(self._store.key_sequence(NAMESPACE))

    def get(self, entry_id: int) -> JournalEntry | None:
        """The entry, if it is among the newest ``capacity``."""
        if entry_id < 1 or entry_id <= self.latest - self.capacity:
            return None
        return self._read(entry_id)

    def _read(self, entry_id: int) -> JournalEntry | None:
        doc = self._store.key_get(NAMESPACE, seq_key(entry_id), 0.0)
        return JournalEntry(id=entry_id, **doc) if doc else None

    def _window(self, after: int | None) -> list[JournalEntry]:
        """The kept entries with an id above ``after``, oldest first."""
        latest = self.latest  # flushes this process's buffer first
        first = max(latest - self.capacity, after or 0) + 1
        if latest - first < FETCH_ONE_BY_ONE:  # a poll: read just the new ids
            found = (self._read(n) for n in range(first, latest + 1))
            return [e for e in found if e is not None]
        rows = sorted(self._store.key_items(NAMESPACE, 0.0))
        entries = (JournalEntry(id=int(key), **doc) for key, doc in rows if doc)
        return [e for e in entries if e.id >= first]

    def entries(
        self,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
        after: int | None = None,
        status_class: int | None = None,
        text: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every filter given, oldest first (as ``Journal.entries``)."""
        return select(
            self._window(after),
            api=api,
            operation_id=operation_id,
            method=method,
            path=path,
            status=status,
            limit=limit,
            status_class=status_class,
            text=text,
        )

    def amend(self, entry: JournalEntry) -> None:
        """Write back the violations the conformance check added to an entry still kept."""
        self.flush()  # a buffered entry gets its id (and is written with its violations)
        if entry.id < 1:
            return  # dropped from the buffer or cleared before it was written
        key = seq_key(entry.id)
        if self._store.key_get(NAMESPACE, key, 0.0) is None:
            return  # trimmed or cleared meanwhile: never bring it back

        def update(doc: Any) -> Any:
            if doc is not None:
                doc["violations"] = entry.violations
            return doc

        self._store.key_update(NAMESPACE, key, update, 0.0, None)

    def clear(self) -> None:
        with self._flushing:  # a flush in flight lands before the clear, not after it
            with self._lock:
                self._buffer.clear()
            self._store.clear_keys(NAMESPACE)
            stamp_clear(self._store, NAMESPACE, time.time())
