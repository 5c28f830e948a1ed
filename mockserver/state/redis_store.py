"""The shared backend: state in Redis, so many worker processes and mock instances agree.

Layout (every name under ``prefix``):

- ``{p}:r:{api}:{tenant}:{resource}``: a hash, record id -> JSON document;
- ``{p}:seq``: a hash, ``{api}:{resource}`` -> last id handed out;
- ``{p}:k:{namespace}``: a hash, key -> ``{"v": value, "e": expiry or null}``;
- ``{p}:kseq``: a hash, namespace -> the last number ``key_append`` handed out (kept on clear).

Expiry is judged against the caller's (mock) clock, like every backend, so keys carry their
expiry in the value rather than as a Redis TTL, which would follow the wall clock. Everything
that must be atomic runs in Redis itself: ``key_add`` and ``take_tokens`` as Lua scripts,
``key_update`` (which runs caller code) as WATCH/MULTI with retries. Lists read a collection's
hash and evaluate the ``Query`` in Python: exact, but a list costs O(collection size).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

import redis

from mockserver.state import buckets
from mockserver.state.query import Collection
from mockserver.state.query import Page
from mockserver.state.query import Query
from mockserver.state.query import run_query
from mockserver.state.store import Tally
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

# KEYS: sequence hash, the namespace's hash; ARGV: namespace, encoded entry, keep (0: all).
KEY_APPEND = """
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HSET', KEYS[2], string.format('%012d', n), ARGV[2])
local keep = tonumber(ARGV[3])
if keep > 0 and n > keep then redis.call('HDEL', KEYS[2], string.format('%012d', n - keep)) end
return n
"""

# KEYS: sequence hash, the namespace's hash; ARGV: namespace, keep (0: all), entry, entry...
# A batch of KEY_APPEND in one step; returns the last number (the batch ends there).
KEY_APPEND_MANY = """
local count = #ARGV - 2
local last = redis.call('HINCRBY', KEYS[1], ARGV[1], count)
local first = last - count + 1
for i = 3, #ARGV do
  redis.call('HSET', KEYS[2], string.format('%012d', first + i - 3), ARGV[i])
end
local keep = tonumber(ARGV[2])
if keep > 0 and last > keep then
  for n = math.max(first - keep, 1), last - keep do
    redis.call('HDEL', KEYS[2], string.format('%012d', n))
  end
end
return last
"""

# KEYS[1] hash; ARGV: field, epoch, now, ttl (0: none), then name, n, name, n...
# Mirrors store.tally: counters of another epoch (or expired) start again from zero.
KEY_TALLY = """
local now = tonumber(ARGV[3])
local epoch = tonumber(ARGV[2])
local value = nil
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if raw then
  local entry = cjson.decode(raw)
  local expires = entry['e']
  if (expires == cjson.null or tonumber(expires) > now) and entry['v']['epoch'] == epoch then
    value = entry['v']
  end
end
if not value then value = {epoch = epoch, counts = {}} end
for i = 5, #ARGV, 2 do
  value['counts'][ARGV[i]] = (value['counts'][ARGV[i]] or 0) + tonumber(ARGV[i + 1])
end
local expires = cjson.null
if tonumber(ARGV[4]) > 0 then expires = now + tonumber(ARGV[4]) end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({v = value, e = expires}))
return 1
"""

# KEYS[1] hash; ARGV: now, ttl (0: none), then per tally: field, epoch, k, k name/n pairs.
# A batch of KEY_TALLY in one step, in order.
KEY_TALLY_MANY = """
local now = tonumber(ARGV[1])
local expires = cjson.null
if tonumber(ARGV[2]) > 0 then expires = now + tonumber(ARGV[2]) end
local i = 3
while i <= #ARGV do
  local field, epoch, pairs = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local value = nil
  local raw = redis.call('HGET', KEYS[1], field)
  if raw then
    local entry = cjson.decode(raw)
    local e = entry['e']
    if (e == cjson.null or tonumber(e) > now) and entry['v']['epoch'] == epoch then
      value = entry['v']
    end
  end
  if not value then value = {epoch = epoch, counts = {}} end
  for j = i + 3, i + 2 + 2 * pairs, 2 do
    value['counts'][ARGV[j]] = (value['counts'][ARGV[j]] or 0) + tonumber(ARGV[j + 1])
  end
  redis.call('HSET', KEYS[1], field, cjson.encode({v = value, e = expires}))
  i = i + 3 + 2 * pairs
end
return 1
"""

CHANGE_LOG = 10_000  # ids of recent record writes per collection, for readers to catch up

# KEYS: version, change log, records; ARGV: the reader's version, CHANGE_LOG.
# -> {version} when current; {version, "*"} to reload; else {version, id1, raw1|nil, ...}
CATCH_UP = """
local version = tonumber(redis.call('GET', KEYS[1]) or '0')
local known = tonumber(ARGV[1])
if version == known then return {version} end
local behind = version - known
if known < 0 or behind < 0 or behind > tonumber(ARGV[2]) then return {version, '*'} end
local ids = redis.call('LRANGE', KEYS[2], -behind, -1)
if #ids < behind then return {version, '*'} end
local reply = {version}
local seen = {}
for _, id in ipairs(ids) do
  if id == '*' then return {version, '*'} end
  if not seen[id] then
    seen[id] = true
    table.insert(reply, id)
    table.insert(reply, redis.call('HGET', KEYS[3], id) or false)
  end
end
return reply
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
-- cjson writes numbers with 14 significant digits, which rounds a Unix time to 0.1 ms and loses
-- tokens over a second; keep full precision as strings (tonumber reads them back).
local state = {tokens = string.format('%.17g', tokens),
               ts = string.format('%.17g', math.max(now, last_refreshed))}
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({v = state, e = expires}))
if allowed then return {1, string.format('%.17g', tokens)} end
return {0, string.format('%.17g', tokens)}
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
        self._key_append = self.client.register_script(KEY_APPEND)
        self._key_tally = self.client.register_script(KEY_TALLY)
        self._key_append_many = self.client.register_script(KEY_APPEND_MANY)
        self._key_tally_many = self.client.register_script(KEY_TALLY_MANY)
        self._next_id = self.client.register_script(NEXT_ID)
        self._take_tokens = self.client.register_script(TAKE_TOKENS)
        self._catch_up = self.client.register_script(CATCH_UP)
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

    def _log(self, where: Collection) -> str:
        return f"{self.prefix}:log:{where.api}:{where.tenant}:{where.resource}"

    def _write(
        self, where: Collection, changed: list[str], *commands: tuple[str, tuple[Any, ...]]
    ) -> list[Any]:
        """Apply ``commands``, log the ``changed`` ids and count the versions, in one MULTI.

        The version rises by one per logged entry, so a reader ``n`` versions behind reads the
        last ``n`` log entries; ``*`` in the log means "reload everything".
        """
        with self.client.pipeline(transaction=True) as pipe:
            for name, command_args in commands:
                getattr(pipe, name)(*command_args)
            pipe.incrby(self._version(where), len(changed))
            pipe.rpush(self._log(where), *changed)
            pipe.ltrim(self._log(where), -CHANGE_LOG, -1)
            return list(pipe.execute())

    def insert(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self._write(where, [record_id], ("hset", (self._records(where), record_id, _dumps(doc))))

    def insert_many(self, where: Collection, docs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        mapping = {record_id: _dumps(doc) for record_id, doc in docs}
        if not mapping:
            return
        changed = list(mapping) if len(mapping) <= CHANGE_LOG // 2 else ["*"]
        self._write(where, changed, ("hset", (self._records(where), None, None, mapping)))

    def replace(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self.insert(where, record_id, doc)

    def delete(self, where: Collection, record_id: str) -> bool:
        return bool(self._write(where, [record_id], ("hdel", (self._records(where), record_id)))[0])

    def next_id(self, api: str, resource: str, start: int) -> int:
        return int(self._next_id(keys=[f"{self.prefix}:seq"], args=[f"{api}:{resource}", start]))

    def clear_records(self, api: str | None = None) -> None:
        # versions only ever rise (a deleted counter restarting could match a reader's stale
        # one), so every collection ever written is emptied through _write with a "*" entry
        pattern = f"{self.prefix}:v:*" if api is None else f"{self.prefix}:v:{api}:*"
        versions = len(f"{self.prefix}:v:")
        for key in list(self.client.scan_iter(match=pattern, count=1000)):
            where = Collection(*key.decode()[versions:].split(":", 2))
            self._write(where, ["*"], ("delete", (self._records(where),)))
        if api is None:
            self.client.delete(f"{self.prefix}:seq")
            return
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

    def key_append(
        self, namespace: str, value: Any, now: float, ttl: float | None, keep: int | None = None
    ) -> int:
        keys = [f"{self.prefix}:kseq", self._keys(namespace)]
        args = [namespace, self._entry(value, now, ttl), keep or 0]
        return int(self._key_append(keys=keys, args=args))

    def key_sequence(self, namespace: str) -> int:
        found = self.client.hget(f"{self.prefix}:kseq", namespace)
        return int(found) if found is not None else 0  # type: ignore[arg-type]

    def key_tally(
        self,
        namespace: str,
        key: str,
        epoch: int,
        counts: dict[str, int],
        now: float,
        ttl: float | None,
    ) -> None:
        pairs = [part for name, n in counts.items() for part in (name, n)]
        args = [key, epoch, repr(now), repr(ttl or 0), *pairs]
        self._key_tally(keys=[self._keys(namespace)], args=args)

    def key_append_many(
        self,
        namespace: str,
        values: list[Any],
        now: float,
        ttl: float | None,
        keep: int | None = None,
    ) -> list[int]:
        if not values:
            return []
        keys = [f"{self.prefix}:kseq", self._keys(namespace)]
        args = [namespace, keep or 0, *(self._entry(value, now, ttl) for value in values)]
        last = int(self._key_append_many(keys=keys, args=args))
        return list(range(last - len(values) + 1, last + 1))

    def key_tally_many(
        self, namespace: str, tallies: list[Tally], now: float, ttl: float | None
    ) -> None:
        if not tallies:
            return
        # one Lua call, not a pipeline of scripts: redis-py checks SCRIPT EXISTS on every
        # pipeline that holds one, a second round trip
        args: list[Any] = [repr(now), repr(ttl or 0)]
        for key, epoch, counts in tallies:
            args += [key, epoch, len(counts)]
            args += [part for name, n in counts.items() for part in (name, n)]
        self._key_tally_many(keys=[self._keys(namespace)], args=args)

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
    """Decoded collections and sorted results, per process, kept current from Redis.

    Every record write bumps the collection's version and logs the changed ids in the same
    MULTI. A list runs one script (``CATCH_UP``) that answers "current" (reuse the cached page
    order: O(page)), or the records changed since the version this process holds (apply them,
    then evaluate the query again over the decoded records: no Redis transfer or decoding of the
    whole collection), or "reload" after a clear, a bulk insert or a process that fell too far
    behind. Pages are fresh copies decoded from the stored JSON, as every backend guarantees.
    """

    COLLECTIONS = 64
    QUERIES = 16  # cached (conditions, sort) results per collection

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._entries: OrderedDict[Collection, _Cached] = OrderedDict()

    def _load(self, where: Collection) -> _Cached:
        with self._lock:  # one thread brings a collection up to date; the others then reuse it
            cached = self._entries.get(where)
            known = -1 if cached is None else cached.version
            keys = [self.store._version(where), self.store._log(where), self.store._records(where)]
            reply = self.store._catch_up(keys=keys, args=[known, CHANGE_LOG])
            version = int(reply[0])
            if cached is not None and len(reply) == 1:
                pass
            elif cached is not None and reply[1:2] != [b"*"]:
                for record_id, raw in zip(reply[1::2], reply[2::2], strict=True):
                    if raw is None:
                        cached.entries.pop(record_id, None)
                    else:
                        cached.entries[record_id] = (json.loads(raw), raw)
                cached.version, cached.results = version, {}
            else:
                cached = self._reload(where)
            self._entries[where] = cached
            self._entries.move_to_end(where)
            while len(self._entries) > self.COLLECTIONS:
                self._entries.popitem(last=False)
            return cached

    def _reload(self, where: Collection) -> _Cached:
        with self.store.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(self.store._records(where))
            pipe.get(self.store._version(where))
            found, version = pipe.execute()
        entries = {record_id: (json.loads(raw), raw) for record_id, raw in found.items()}
        return _Cached(int(version or 0), entries)

    def query(self, where: Collection, query: Query) -> Page:
        cached = self._load(where)
        shape = repr((query.conditions, query.sort))  # repr: False, 0 and 0.0 stay distinct
        with self._lock:
            selected = cached.results.get(shape)
            if selected is None:
                entries = list(cached.entries.values())
                raw_of = {id(doc): raw for doc, raw in entries}
                found = run_query([doc for doc, _ in entries], Query(query.conditions, query.sort))
                selected = [raw_of[id(doc)] for doc in found.items]
                if len(cached.results) >= self.QUERIES:
                    cached.results.pop(next(iter(cached.results)))
                cached.results[shape] = selected
        end = None if query.limit is None else query.offset + query.limit
        items = [json.loads(raw) for raw in selected[query.offset : end]]
        return Page(items=items, total=len(selected))


class _Cached:
    def __init__(self, version: int, entries: dict[bytes, tuple[dict[str, Any], bytes]]) -> None:
        self.version = version
        self.entries = entries
        self.results: dict[str, list[bytes]] = {}
