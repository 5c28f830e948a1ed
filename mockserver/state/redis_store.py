"""The shared backend: state in Redis, so many worker processes and mock instances agree.

Layout (every name under ``prefix``):

- ``{p}:r:{api}:{tenant}:{resource}``: a hash, record id -> JSON document;
- ``{p}:seq``: a hash, ``{api}:{resource}`` -> last id handed out;
- ``{p}:k:{namespace}``: a hash, key -> ``{"v": value, "e": expiry or null}``.

Expiry is judged against the caller's (mock) clock, like every backend, so keys carry their
expiry in the value rather than as a Redis TTL, which would follow the wall clock. Everything
that must be atomic runs in Redis itself: ``key_add`` and ``take_tokens`` as Lua scripts,
``key_update`` (which runs caller code) as WATCH/MULTI with retries. Lists read a collection's
hash and evaluate the ``Query`` in Python: exact, but a list costs O(collection size).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import redis

from mockserver.state import buckets
from mockserver.state.query import Collection
from mockserver.state.query import Page
from mockserver.state.query import Query
from mockserver.state.query import run_query
from mockserver.state.store import Updater

# KEYS[1] hash; ARGV: field, encoded entry, now. Sets the field unless a live entry is there.
KEY_ADD = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local expires = cjson.decode(raw)['e']
  if expires == cjson.null or tonumber(expires) > tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

# KEYS[1] sequence hash; ARGV: field, start. The first id is ``start``.
NEXT_ID = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  redis.call('HSET', KEYS[1], ARGV[1], tonumber(ARGV[2]) - 1)
end
return redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
"""

# Spring Cloud Gateway's request_rate_limiter.lua (tokens and timestamp in one entry, the mock
# clock's ``now`` instead of Redis TIME); mirrors buckets.take line by line.
# KEYS[1] bucket hash; ARGV: field, rate, capacity, now, requested, ttl (0: none).
TAKE_TOKENS = """
local rate = tonumber(ARGV[2])
local capacity = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local requested = tonumber(ARGV[5])
local ttl = tonumber(ARGV[6])
local last_tokens = capacity
local last_refreshed = 0
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local entry = cjson.decode(raw)
  local expires = entry['e']
  if expires == cjson.null or tonumber(expires) > now then
    last_tokens = tonumber(entry['v']['tokens'])
    last_refreshed = tonumber(entry['v']['ts'])
  end
end
local delta = math.max(0, now - last_refreshed)
local filled = math.min(capacity, last_tokens + (delta * rate))
local allowed = filled >= requested
local tokens = filled
if allowed then tokens = filled - requested end
local expires = cjson.null
if ttl > 0 then expires = now + ttl end
local state = {tokens = tokens, ts = math.max(now, last_refreshed)}
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({v = state, e = expires}))
if allowed then return {1, tostring(tokens)} end
return {0, tostring(tokens)}
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _live(raw: bytes | str | None, now: float) -> tuple[bool, Any]:
    if raw is None:
        return False, None
    entry = json.loads(raw)
    if entry["e"] is not None and entry["e"] <= now:
        return False, None
    return True, entry["v"]


class RedisStore:
    def __init__(self, url: str, prefix: str = "mockserver") -> None:
        # redis-py's pool notices a fork and reconnects, so a pre-forked worker gets its own
        self.client = redis.Redis.from_url(url)
        self.client.ping()
        self.prefix = prefix
        self._key_add = self.client.register_script(KEY_ADD)
        self._next_id = self.client.register_script(NEXT_ID)
        self._take_tokens = self.client.register_script(TAKE_TOKENS)
        self._lists = ListCache(self)

    def _records(self, where: Collection) -> str:
        return f"{self.prefix}:r:{where.api}:{where.tenant}:{where.resource}"

    def _version(self, where: Collection) -> str:
        return f"{self.prefix}:v:{where.api}:{where.tenant}:{where.resource}"

    def _keys(self, namespace: str) -> str:
        return f"{self.prefix}:k:{namespace}"

    def _delete_matching(self, pattern: str) -> None:
        batch = list(self.client.scan_iter(match=pattern, count=1000))
        if batch:
            self.client.delete(*batch)

    # records -------------------------------------------------------------------------------------

    def get(self, where: Collection, record_id: str) -> dict[str, Any] | None:
        raw = self.client.hget(self._records(where), record_id)
        return json.loads(raw) if raw is not None else None  # type: ignore[arg-type]

    def query(self, where: Collection, query: Query) -> Page:
        return self._lists.query(where, query)

    def _write(self, where: Collection, *commands: tuple[str, tuple[Any, ...]]) -> list[Any]:
        """Apply ``commands`` and change the collection's version in one MULTI/EXEC."""
        with self.client.pipeline(transaction=True) as pipe:
            for name, command_args in commands:
                getattr(pipe, name)(*command_args)
            pipe.set(self._version(where), uuid.uuid4().hex)
            return list(pipe.execute())

    def insert(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self._write(where, ("hset", (self._records(where), record_id, _dumps(doc))))

    def insert_many(self, where: Collection, docs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        mapping = {record_id: _dumps(doc) for record_id, doc in docs}
        if mapping:
            self._write(where, ("hset", (self._records(where), None, None, mapping)))

    def replace(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self.insert(where, record_id, doc)

    def delete(self, where: Collection, record_id: str) -> bool:
        return bool(self._write(where, ("hdel", (self._records(where), record_id)))[0])

    def next_id(self, api: str, resource: str, start: int) -> int:
        return int(self._next_id(keys=[f"{self.prefix}:seq"], args=[f"{api}:{resource}", start]))

    def clear_records(self, api: str | None = None) -> None:
        # versions are random tokens, so deleting them along with the records is safe
        if api is None:
            self._delete_matching(f"{self.prefix}:r:*")
            self._delete_matching(f"{self.prefix}:v:*")
            self.client.delete(f"{self.prefix}:seq")
            return
        self._delete_matching(f"{self.prefix}:r:{api}:*")
        self._delete_matching(f"{self.prefix}:v:{api}:*")
        fields: list[bytes] = self.client.hkeys(f"{self.prefix}:seq")  # type: ignore[assignment]
        sequences = [f for f in fields if f.startswith(api.encode() + b":")]
        if sequences:
            self.client.hdel(f"{self.prefix}:seq", *sequences)

    def count(self, where: Collection) -> int:
        return int(self.client.hlen(self._records(where)))  # type: ignore[arg-type]

    # keys ----------------------------------------------------------------------------------------

    @staticmethod
    def _entry(value: Any, now: float, ttl: float | None) -> str:
        return _dumps({"v": value, "e": None if ttl is None else now + ttl})

    def key_get(self, namespace: str, key: str, now: float) -> Any:
        return _live(self.client.hget(self._keys(namespace), key), now)[1]  # type: ignore[arg-type]

    def key_set(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> None:
        self.client.hset(self._keys(namespace), key, self._entry(value, now, ttl))

    def key_add(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> bool:
        added = self._key_add(
            keys=[self._keys(namespace)], args=[key, self._entry(value, now, ttl), repr(now)]
        )
        return bool(added)

    def key_update(
        self, namespace: str, key: str, fn: Updater, now: float, ttl: float | None
    ) -> Any:
        name = self._keys(namespace)
        with self.client.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(name)  # any change to the namespace by anyone aborts EXEC
                    value = fn(_live(pipe.hget(name, key), now)[1])  # type: ignore[arg-type]
                    encoded = self._entry(value, now, ttl)
                    pipe.multi()
                    pipe.hset(name, key, encoded)
                    pipe.execute()
                    return json.loads(encoded)["v"]
                except redis.WatchError:
                    continue

    def key_delete(self, namespace: str, key: str) -> None:
        self.client.hdel(self._keys(namespace), key)

    def key_items(self, namespace: str, now: float) -> list[tuple[str, Any]]:
        found: dict[bytes, bytes] = self.client.hgetall(self._keys(namespace))  # type: ignore[assignment]
        items = []
        for key, raw in found.items():
            live, value = _live(raw, now)
            if live:
                items.append((key.decode(), value))
        return items

    def clear_keys(self, namespace: str | None = None) -> None:
        if namespace is None:
            self._delete_matching(f"{self.prefix}:k:*")
        else:
            self.client.delete(self._keys(namespace))

    def take_tokens(
        self, key: str, rate: float, burst: int, requested: int, now: float
    ) -> tuple[bool, float]:
        ttl = buckets.bucket_ttl(rate, burst)
        allowed, tokens = self._take_tokens(
            keys=[self._keys(buckets.BUCKET_NAMESPACE)],
            args=[key, repr(float(rate)), burst, repr(float(now)), requested, ttl or 0],
        )
        return bool(allowed), float(tokens)

    def close(self) -> None:
        self.client.close()


class ListCache:
    """Decoded collections and sorted results, per process, checked against Redis on every list.

    Every write sets the collection's version key to a fresh token in the same MULTI as the
    write, so a list costs one GET while nothing changed (in any worker), and a full reload,
    read atomically with its version, after a change. Pages are still fresh copies (decoded from
    the stored JSON), as every backend guarantees.
    """

    COLLECTIONS = 64
    QUERIES = 16  # cached (conditions, sort) results per collection

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._reloading = threading.Lock()
        self._entries: OrderedDict[Collection, _Cached] = OrderedDict()

    def _load(self, where: Collection) -> _Cached:
        cached = self._current(where)
        if cached is not None:
            return cached
        with self._reloading:  # one reload at a time: waiting threads then find it done
            return self._current(where) or self._reload(where)

    def _current(self, where: Collection) -> _Cached | None:
        version = self.store.client.get(self.store._version(where))
        with self._lock:
            cached = self._entries.get(where)
            if cached is not None and cached.version == version:
                self._entries.move_to_end(where)
                return cached
        return None

    def _reload(self, where: Collection) -> _Cached:
        with self.store.client.pipeline(transaction=True) as pipe:
            pipe.hvals(self.store._records(where))
            pipe.get(self.store._version(where))
            raws, version = pipe.execute()
        cached = _Cached(version, [(json.loads(raw), raw) for raw in raws])
        with self._lock:
            self._entries[where] = cached
            self._entries.move_to_end(where)
            while len(self._entries) > self.COLLECTIONS:
                self._entries.popitem(last=False)
        return cached

    def query(self, where: Collection, query: Query) -> Page:
        cached = self._load(where)
        shape = repr((query.conditions, query.sort))  # repr: False, 0 and 0.0 stay distinct
        selected = cached.results.get(shape)
        if selected is None:
            raw_of = {id(doc): raw for doc, raw in cached.entries}
            found = run_query(
                [doc for doc, _ in cached.entries], Query(query.conditions, query.sort)
            )
            selected = [raw_of[id(doc)] for doc in found.items]
            with self._lock:
                if len(cached.results) >= self.QUERIES:
                    cached.results.pop(next(iter(cached.results)))
                cached.results[shape] = selected
        end = None if query.limit is None else query.offset + query.limit
        items = [json.loads(raw) for raw in selected[query.offset : end]]
        return Page(items=items, total=len(selected))


class _Cached:
    def __init__(self, version: bytes | None, entries: list[tuple[dict[str, Any], bytes]]) -> None:
        self.version = version
        self.entries = entries
        self.results: dict[str, list[bytes]] = {}
