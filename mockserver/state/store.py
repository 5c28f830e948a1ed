"""The store interface every backend implements, and the in-memory backend.

Two kinds of state live in a store:

- **records**: resources of one API and tenant (``Collection``), queried with ``Query``;
- **keys**: small values in a namespace with an optional expiry, used by rate limits,
  idempotency, OAuth tokens, the webhook outbox and journals. ``add`` (set if absent) and
  ``update`` (atomic read-modify-write) are what those features need to stay exact when many
  threads, or many worker processes on a shared backend, hit the same key. ``append`` numbers a
  value from the namespace's own sequence and stores it under ``seq_key(n)`` in one atomic step,
  so a reader that sees number n also sees every value numbered before it (the shared request
  journal); with ``keep`` it deletes number n - keep in the same step, so the namespace stays
  bounded. The sequence outlives ``clear_keys``, so numbers only ever grow. ``tally`` adds to
  named counters under a key in one step (one Lua call on Redis), restarting them when the key
  last counted another ``epoch``: a ring of per-second slots (the shared traffic meter).
``key_append_many`` and ``key_tally_many`` do the same for a batch in one atomic step (one
transaction on SQLite, one Lua call or pipeline on Redis): the write-behind flusher's calls.

Expiry is judged against the time the caller passes in (the mock clock), never the wall clock.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import Protocol

from mockserver.state import buckets
from mockserver.state.query import Collection
from mockserver.state.query import Page
from mockserver.state.query import Query
from mockserver.state.query import run_query

Updater = Callable[[Any], Any]
Tally = tuple[str, int, dict[str, int]]  # key_tally_many's (key, epoch, counts), applied in order


def seq_key(n: int) -> str:
    """Where ``key_append`` stores number ``n``: zero-padded, so key order is number order."""
    return f"{n:012d}"


class Store(Protocol):
    # records
    def get(self, where: Collection, record_id: str) -> dict[str, Any] | None: ...
    def query(self, where: Collection, query: Query) -> Page: ...
    def insert(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None: ...
    def insert_many(
        self, where: Collection, docs: Iterable[tuple[str, dict[str, Any]]]
    ) -> None: ...
    def replace(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None: ...
    def delete(self, where: Collection, record_id: str) -> bool: ...
    def next_id(self, api: str, resource: str, start: int) -> int: ...
    def clear_records(self, api: str | None = None) -> None: ...
    def count(self, where: Collection) -> int: ...

    # keys
    def key_get(self, namespace: str, key: str, now: float) -> Any: ...
    def key_set(
        self, namespace: str, key: str, value: Any, now: float, ttl: float | None
    ) -> None: ...
    def key_add(
        self, namespace: str, key: str, value: Any, now: float, ttl: float | None
    ) -> bool: ...
    def key_update(
        self, namespace: str, key: str, fn: Updater, now: float, ttl: float | None
    ) -> Any: ...
    def key_delete(self, namespace: str, key: str) -> None: ...
    def key_items(self, namespace: str, now: float) -> list[tuple[str, Any]]: ...
    def key_append(
        self, namespace: str, value: Any, now: float, ttl: float | None, keep: int | None = None
    ) -> int: ...
    def key_sequence(self, namespace: str) -> int: ...
    def key_tally(
        self,
        namespace: str,
        key: str,
        epoch: int,
        counts: dict[str, int],
        now: float,
        ttl: float | None,
    ) -> None: ...
    def key_append_many(
        self,
        namespace: str,
        values: list[Any],
        now: float,
        ttl: float | None,
        keep: int | None = None,
    ) -> list[int]: ...
    def key_tally_many(
        self, namespace: str, tallies: list[Tally], now: float, ttl: float | None
    ) -> None: ...
    def clear_keys(self, namespace: str | None = None) -> None: ...

    # rate limits: one atomic token-bucket step (buckets.take), shared by every worker
    def take_tokens(
        self, key: str, rate: float, burst: int, requested: int, now: float
    ) -> tuple[bool, float]: ...

    def close(self) -> None: ...


class MemoryStore:
    """Everything in dicts behind one lock: the fastest backend, for tests and single processes.

    Each record is kept twice: decoded, for evaluating queries, and as JSON, from which every
    reader gets a fresh copy. Decoding JSON is several times faster than ``copy.deepcopy`` and
    gives readers the same no-aliasing guarantee the SQLite and Redis backends give.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[Collection, dict[str, tuple[dict[str, Any], str]]] = {}
        self._sequences: dict[tuple[str, str], int] = {}
        self._keys: dict[str, dict[str, tuple[Any, float | None]]] = {}
        self._key_sequences: dict[str, int] = {}  # key_append's numbers: clear_keys keeps them

    # records ---------------------------------------------------------------------------------

    @staticmethod
    def _entry(doc: dict[str, Any]) -> tuple[dict[str, Any], str]:
        encoded = json.dumps(doc, separators=(",", ":"))
        return json.loads(encoded), encoded

    def get(self, where: Collection, record_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._records.get(where, {}).get(record_id)
        return json.loads(entry[1]) if entry is not None else None

    def query(self, where: Collection, query: Query) -> Page:
        with self._lock:
            entries = list(self._records.get(where, {}).values())
        by_identity = {id(doc): encoded for doc, encoded in entries}
        page = run_query([doc for doc, _ in entries], query)
        page.items = [json.loads(by_identity[id(doc)]) for doc in page.items]
        return page

    def insert(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        entry = self._entry(doc)
        with self._lock:
            self._records.setdefault(where, {})[record_id] = entry

    def insert_many(self, where: Collection, docs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        entries = [(record_id, self._entry(doc)) for record_id, doc in docs]
        with self._lock:
            self._records.setdefault(where, {}).update(entries)

    def replace(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self.insert(where, record_id, doc)

    def delete(self, where: Collection, record_id: str) -> bool:
        with self._lock:
            return self._records.get(where, {}).pop(record_id, None) is not None

    def next_id(self, api: str, resource: str, start: int) -> int:
        with self._lock:
            value = self._sequences.get((api, resource), start - 1) + 1
            self._sequences[(api, resource)] = value
            return value

    def clear_records(self, api: str | None = None) -> None:
        with self._lock:
            if api is None:
                self._records.clear()
                self._sequences.clear()
                return
            for where in [w for w in self._records if w.api == api]:
                del self._records[where]
            for key in [k for k in self._sequences if k[0] == api]:
                del self._sequences[key]

    def count(self, where: Collection) -> int:
        with self._lock:
            return len(self._records.get(where, {}))

    # keys ------------------------------------------------------------------------------------

    def _live(self, namespace: str, key: str, now: float) -> tuple[Any, float | None] | None:
        entry = self._keys.get(namespace, {}).get(key)
        if entry is None:
            return None
        if entry[1] is not None and entry[1] <= now:
            del self._keys[namespace][key]
            return None
        return entry

    def key_get(self, namespace: str, key: str, now: float) -> Any:
        with self._lock:
            entry = self._live(namespace, key, now)
            return copy.deepcopy(entry[0]) if entry else None

    def key_set(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> None:
        with self._lock:
            expires = None if ttl is None else now + ttl
            self._keys.setdefault(namespace, {})[key] = (copy.deepcopy(value), expires)

    def key_add(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> bool:
        with self._lock:
            if self._live(namespace, key, now) is not None:
                return False
            self.key_set(namespace, key, value, now, ttl)
            return True

    def key_update(
        self, namespace: str, key: str, fn: Updater, now: float, ttl: float | None
    ) -> Any:
        with self._lock:
            entry = self._live(namespace, key, now)
            value = fn(copy.deepcopy(entry[0]) if entry else None)
            self.key_set(namespace, key, value, now, ttl)
            return copy.deepcopy(value)

    def key_delete(self, namespace: str, key: str) -> None:
        with self._lock:
            self._keys.get(namespace, {}).pop(key, None)

    def key_items(self, namespace: str, now: float) -> list[tuple[str, Any]]:
        with self._lock:
            keys = list(self._keys.get(namespace, {}))
            live = [(k, self._live(namespace, k, now)) for k in keys]
            return [(k, copy.deepcopy(e[0])) for k, e in live if e is not None]

    def key_append(
        self, namespace: str, value: Any, now: float, ttl: float | None, keep: int | None = None
    ) -> int:
        with self._lock:
            n = self._key_sequences.get(namespace, 0) + 1
            self._key_sequences[namespace] = n
            self.key_set(namespace, seq_key(n), value, now, ttl)
            if keep:
                self._keys[namespace].pop(seq_key(n - keep), None)
            return n

    def key_sequence(self, namespace: str) -> int:
        with self._lock:
            return self._key_sequences.get(namespace, 0)

    def key_tally(
        self,
        namespace: str,
        key: str,
        epoch: int,
        counts: dict[str, int],
        now: float,
        ttl: float | None,
    ) -> None:
        tally_with(self, namespace, key, epoch, counts, now, ttl)

    def key_append_many(
        self,
        namespace: str,
        values: list[Any],
        now: float,
        ttl: float | None,
        keep: int | None = None,
    ) -> list[int]:
        with self._lock:  # reentrant: the batch is one step for every other thread
            return [self.key_append(namespace, value, now, ttl, keep) for value in values]

    def key_tally_many(
        self, namespace: str, tallies: list[Tally], now: float, ttl: float | None
    ) -> None:
        with self._lock:
            for key, epoch, counts in tallies:
                tally_with(self, namespace, key, epoch, counts, now, ttl)

    def clear_keys(self, namespace: str | None = None) -> None:
        with self._lock:
            if namespace is None:
                self._keys.clear()
            else:
                self._keys.pop(namespace, None)

    def take_tokens(
        self, key: str, rate: float, burst: int, requested: int, now: float
    ) -> tuple[bool, float]:
        return take_tokens_with(self, key, rate, burst, requested, now)

    def close(self) -> None:
        return None


def tally(value: Any, epoch: int, counts: dict[str, int]) -> dict[str, Any]:
    """``key_tally``'s step: ``value`` (``{epoch, counts}`` or None) with ``counts`` added."""
    if not value or value.get("epoch") != epoch:
        value = {"epoch": epoch, "counts": {}}
    for name, n in counts.items():
        value["counts"][name] = value["counts"].get(name, 0) + n
    return value


def tally_with(
    store: Store,
    namespace: str,
    key: str,
    epoch: int,
    counts: dict[str, int],
    now: float,
    ttl: float | None,
) -> None:
    """``key_tally`` on top of a backend's atomic ``key_update`` (Memory, SQLite)."""
    store.key_update(namespace, key, lambda value: tally(value, epoch, counts), now, ttl)


def take_tokens_with(
    store: Store, key: str, rate: float, burst: int, requested: int, now: float
) -> tuple[bool, float]:
    """``take_tokens`` on top of a backend's atomic ``key_update`` (Memory, SQLite)."""
    outcome: list[tuple[bool, float]] = []

    def step(state: Any) -> Any:
        new_state, allowed, tokens = buckets.take(state, rate, burst, requested, now)
        outcome[:] = [(allowed, tokens)]  # key_update may retry; keep the last attempt
        return new_state

    store.key_update(buckets.BUCKET_NAMESPACE, key, step, now, buckets.bucket_ttl(rate, burst))
    return outcome[0]
