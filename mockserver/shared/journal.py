"""``SharedJournal``: the request journal in the store's keys, one for every worker process.

Same interface as ``journal.Journal``. ``record`` is one ``key_append``: the store numbers the
entry and writes it in one atomic step, so ids grow across processes and a reader that sees
``latest`` = n also sees every entry up to n: ``GET /__admin/requests?after=<latest>`` polled from
any worker misses nothing. The newest ``capacity`` entries are kept (``key_append`` deletes the one
that falls out as it appends), bodies clipped to 64 KiB.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from mockserver.journal import JournalEntry
from mockserver.state.store import seq_key

NAMESPACE = "shared:journal"
STORED_BODY_LIMIT = 64 * 1024  # bytes of a body kept in the store
FETCH_ONE_BY_ONE = 64  # an ``after`` this close to ``latest`` reads the new ids, not the window
_FIELDS = tuple(f.name for f in dataclasses.fields(JournalEntry) if f.name != "id")


def _stored_body(body: bytes | str) -> str:
    if isinstance(body, str):
        return body[:STORED_BODY_LIMIT]
    return body[:STORED_BODY_LIMIT].decode("utf-8", errors="replace")


class SharedJournal:
    def __init__(self, store: Any, capacity: int = 1000) -> None:
        self._store = store
        self.capacity = capacity

    def record(self, entry: JournalEntry) -> None:
        doc = {name: getattr(entry, name) for name in _FIELDS}
        doc["request_body"] = _stored_body(entry.request_body)
        doc["response_body"] = _stored_body(entry.response_body)
        # the entry that falls out of the window goes in the same atomic step: always bounded
        entry.id = self._store.key_append(NAMESPACE, doc, 0.0, None, keep=self.capacity)

    @property
    def latest(self) -> int:
        """The highest id recorded by any process (0 if none); it survives ``clear``."""
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
        latest = self.latest
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
        needle = text.lower() if text else None
        found = [
            e
            for e in self._window(after)
            if (api is None or e.api == api)
            and (operation_id is None or e.operation_id == operation_id)
            and (method is None or e.method == method.upper())
            and (path is None or e.path == path)
            and (status is None or e.status == status)
            and (status_class is None or e.status // 100 == status_class)
            and (needle is None or needle in f"{e.path}?{e.query}".lower())
        ]
        return found[-limit:] if limit else found

    def amend(self, entry: JournalEntry) -> None:
        """Write back the violations the conformance check added to an entry still kept."""
        key = seq_key(entry.id)
        if self._store.key_get(NAMESPACE, key, 0.0) is None:
            return  # trimmed or cleared meanwhile: never bring it back

        def update(doc: Any) -> Any:
            if doc is not None:
                doc["violations"] = entry.violations
            return doc

        self._store.key_update(NAMESPACE, key, update, 0.0, None)

    def clear(self) -> None:
        self._store.clear_keys(NAMESPACE)
