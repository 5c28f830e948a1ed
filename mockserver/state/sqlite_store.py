"""The embedded durable backend: one SQLite file in WAL mode, shared by every worker process.

Every write commits before the call returns (autocommit, or an explicit ``BEGIN IMMEDIATE`` for
read-modify-writes), so an acknowledged write survives the process being killed. WAL with
``synchronous=NORMAL`` is durable across process crashes; only an OS crash or power loss can lose
the last commits, which is the trade SQLite documents for a local development server.

Lists run in SQL where SQL says exactly what ``query.run_query`` says (see ``sqlite_sql``):
conditions, the sort order, offset and limit, over expression indexes created on first use, so a
page's cost does not grow with the table. What SQL cannot express falls back to Python over the
rows the SQL part selected.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mockserver.state import sqlite_sql
from mockserver.state.query import Collection
from mockserver.state.query import Page
from mockserver.state.query import Query
from mockserver.state.query import run_query
from mockserver.state.store import Tally
from mockserver.state.store import Updater
from mockserver.state.store import seq_key
from mockserver.state.store import take_tokens_with
from mockserver.state.store import tally
from mockserver.state.store import tally_with

DATABASE_NAME = "mockserver.sqlite3"
MAX_INDEXES = 64  # lazily created expression indexes; beyond this, queries scan

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    api TEXT NOT NULL, tenant TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (api, tenant, resource, id)
);
CREATE TABLE IF NOT EXISTS sequences (
    api TEXT NOT NULL, resource TEXT NOT NULL, value INTEGER NOT NULL,
    PRIMARY KEY (api, resource)
);
-- collection sizes kept by triggers, so an unfiltered page does not count 100k index entries
CREATE TABLE IF NOT EXISTS collection_sizes (
    api TEXT NOT NULL, tenant TEXT NOT NULL, resource TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (api, tenant, resource)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS records_added AFTER INSERT ON records BEGIN
    INSERT INTO collection_sizes VALUES (new.api, new.tenant, new.resource, 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS records_removed AFTER DELETE ON records BEGIN
    UPDATE collection_sizes SET n = n - 1
    WHERE api = old.api AND tenant = old.tenant AND resource = old.resource;
END;
CREATE TABLE IF NOT EXISTS keys (
    namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires REAL,
    PRIMARY KEY (namespace, key)
);
-- key_append's numbers, apart from the keys so that clearing keys keeps them growing
CREATE TABLE IF NOT EXISTS key_sequences (
    namespace TEXT PRIMARY KEY, value INTEGER NOT NULL
);
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class SQLiteStore:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DATABASE_NAME
        self._local = threading.local()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._writer = threading.Lock()  # one write transaction at a time in this process
        self._indexes: set[str] = set()
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(SCHEMA)
        with self._transaction() as tx:  # a file from before the size triggers: count once
            if not tx.execute("SELECT 1 FROM collection_sizes LIMIT 1").fetchone():
                tx.execute(
                    "INSERT INTO collection_sizes "
                    "SELECT api, tenant, resource, count(*) FROM records GROUP BY 1, 2, 3"
                )

    # connections -------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        """This thread's connection; a forked worker opens its own (never reuse across fork)."""
        pid = os.getpid()
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == pid:
            return conn
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute("PRAGMA cache_size=-32000")
        conn.execute("PRAGMA mmap_size=268435456")
        conn.create_function("mock_icontains", 3, sqlite_sql.icontains, deterministic=True)
        self._local.conn, self._local.pid = conn, pid
        with self._lock:
            self._connections.append((pid, conn))
        return conn

    @contextmanager
    def _transaction(self, mode: str = "IMMEDIATE") -> Iterator[sqlite3.Connection]:
        db = self._db()
        # Threads of one process queue here rather than in SQLite's busy handler, whose sleeps
        # (1, 2, 5 ... 100 ms) turn a few colliding writers into a long latency tail.
        with self._writer:
            db.execute(f"BEGIN {mode}")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _ensure_index(self, expressions: tuple[str, ...]) -> None:
        """An expression index for a sort or filter, created the first time one is asked for."""
        name = sqlite_sql.index_name(expressions)
        if name in self._indexes or len(self._indexes) >= MAX_INDEXES:
            return
        columns = ", ".join(("api", "tenant", "resource", *expressions))
        self._db().execute(f"CREATE INDEX IF NOT EXISTS {name} ON records ({columns})")
        self._indexes.add(name)

    # records -------------------------------------------------------------------------------------

    def get(self, where: Collection, record_id: str) -> dict[str, Any] | None:
        row = (
            self._db()
            .execute(
                "SELECT doc FROM records WHERE api=? AND tenant=? AND resource=? AND id=?",
                (where.api, where.tenant, where.resource, record_id),
            )
            .fetchone()
        )
        return json.loads(row[0]) if row else None

    def query(self, where: Collection, query: Query) -> Page:
        plan = sqlite_sql.plan(query)
        for expressions in plan.indexes:
            self._ensure_index(expressions)
        clause = "api=? AND tenant=? AND resource=?" + "".join(f" AND {c}" for c in plan.where)
        params = [where.api, where.tenant, where.resource, *plan.params]
        with self._transaction("DEFERRED") as db:  # one snapshot for the count and the page
            if plan.exact:
                if plan.where:
                    total = db.execute(f"SELECT count(*) FROM records WHERE {clause}", params)
                    page = Page(total=int(total.fetchone()[0]))
                else:
                    page = Page(total=self._size(db, where))
                if page.total > query.offset and query.limit != 0:
                    rows = db.execute(
                        f"SELECT doc FROM records WHERE {clause} ORDER BY {plan.order_by} "
                        "LIMIT ? OFFSET ?",
                        [*params, -1 if query.limit is None else query.limit, query.offset],
                    )
                    page.items = [json.loads(row[0]) for row in rows]
                return page
            rows = db.execute(f"SELECT doc FROM records WHERE {clause} ORDER BY rowid", params)
            docs = [json.loads(row[0]) for row in rows]
        rest = Query(plan.python_conditions, query.sort, query.offset, query.limit)
        return run_query(docs, rest)

    def insert(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self._db().execute(
            "INSERT INTO records VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET doc=excluded.doc",
            (where.api, where.tenant, where.resource, record_id, _dumps(doc)),
        )

    def insert_many(self, where: Collection, docs: Iterable[tuple[str, dict[str, Any]]]) -> None:
        rows = ((where.api, where.tenant, where.resource, rid, _dumps(doc)) for rid, doc in docs)
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO records VALUES (?,?,?,?,?) ON CONFLICT DO UPDATE SET doc=excluded.doc",
                rows,
            )

    def replace(self, where: Collection, record_id: str, doc: dict[str, Any]) -> None:
        self.insert(where, record_id, doc)

    def delete(self, where: Collection, record_id: str) -> bool:
        cursor = self._db().execute(
            "DELETE FROM records WHERE api=? AND tenant=? AND resource=? AND id=?",
            (where.api, where.tenant, where.resource, record_id),
        )
        return cursor.rowcount > 0

    def next_id(self, api: str, resource: str, start: int) -> int:
        row = (
            self._db()
            .execute(
                "INSERT INTO sequences VALUES (?,?,?) "
                "ON CONFLICT DO UPDATE SET value=value+1 RETURNING value",
                (api, resource, start),
            )
            .fetchone()
        )
        return int(row[0])

    def clear_records(self, api: str | None = None) -> None:
        with self._transaction() as db:
            if api is None:
                db.execute("DELETE FROM records")
                db.execute("DELETE FROM sequences")
            else:
                db.execute("DELETE FROM records WHERE api=?", (api,))
                db.execute("DELETE FROM sequences WHERE api=?", (api,))

    def count(self, where: Collection) -> int:
        return self._size(self._db(), where)

    @staticmethod
    def _size(db: sqlite3.Connection, where: Collection) -> int:
        row = db.execute(
            "SELECT n FROM collection_sizes WHERE api=? AND tenant=? AND resource=?",
            (where.api, where.tenant, where.resource),
        ).fetchone()
        return int(row[0]) if row else 0

    # keys ----------------------------------------------------------------------------------------

    @staticmethod
    def _live_value(db: sqlite3.Connection, namespace: str, key: str, now: float) -> Any:
        row = db.execute(
            "SELECT value FROM keys WHERE namespace=? AND key=? AND (expires IS NULL OR expires>?)",
            (namespace, key, now),
        ).fetchone()
        return json.loads(row[0]) if row else None

    def key_get(self, namespace: str, key: str, now: float) -> Any:
        return self._live_value(self._db(), namespace, key, now)

    def key_set(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> None:
        self._db().execute(
            "INSERT INTO keys VALUES (?,?,?,?) "
            "ON CONFLICT DO UPDATE SET value=excluded.value, expires=excluded.expires",
            (namespace, key, _dumps(value), None if ttl is None else now + ttl),
        )

    def key_add(self, namespace: str, key: str, value: Any, now: float, ttl: float | None) -> bool:
        # one statement, so atomic across threads and processes: replaces only an expired entry
        cursor = self._db().execute(
            "INSERT INTO keys VALUES (?,?,?,?) "
            "ON CONFLICT DO UPDATE SET value=excluded.value, expires=excluded.expires "
            "WHERE keys.expires IS NOT NULL AND keys.expires<=?",
            (namespace, key, _dumps(value), None if ttl is None else now + ttl, now),
        )
        return cursor.rowcount > 0

    def key_update(
        self, namespace: str, key: str, fn: Updater, now: float, ttl: float | None
    ) -> Any:
        with self._transaction() as db:  # BEGIN IMMEDIATE: one writer at a time, all processes
            value = fn(self._live_value(db, namespace, key, now))
            encoded = _dumps(value)
            db.execute(
                "INSERT INTO keys VALUES (?,?,?,?) "
                "ON CONFLICT DO UPDATE SET value=excluded.value, expires=excluded.expires",
                (namespace, key, encoded, None if ttl is None else now + ttl),
            )
        return json.loads(encoded)

    def key_delete(self, namespace: str, key: str) -> None:
        self._db().execute("DELETE FROM keys WHERE namespace=? AND key=?", (namespace, key))

    def key_items(self, namespace: str, now: float) -> list[tuple[str, Any]]:
        rows = self._db().execute(
            "SELECT key, value FROM keys WHERE namespace=? AND (expires IS NULL OR expires>?) "
            "ORDER BY rowid",
            (namespace, now),
        )
        return [(key, json.loads(value)) for key, value in rows]

    def key_append(
        self, namespace: str, value: Any, now: float, ttl: float | None, keep: int | None = None
    ) -> int:
        with self._transaction() as db:  # the number and the value commit together
            (n,) = db.execute(
                "INSERT INTO key_sequences VALUES (?, 1) "
                "ON CONFLICT DO UPDATE SET value=value+1 RETURNING value",
                (namespace,),
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO keys VALUES (?,?,?,?)",
                (namespace, seq_key(n), _dumps(value), None if ttl is None else now + ttl),
            )
            if keep:
                db.execute(
                    "DELETE FROM keys WHERE namespace=? AND key=?", (namespace, seq_key(n - keep))
                )
        return int(n)

    def key_sequence(self, namespace: str) -> int:
        row = (
            self._db()
            .execute("SELECT value FROM key_sequences WHERE namespace=?", (namespace,))
            .fetchone()
        )
        return int(row[0]) if row else 0

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
        if not values:
            return []
        expires = None if ttl is None else now + ttl
        with self._transaction() as db:  # the numbers and the values commit together
            (last,) = db.execute(
                "INSERT INTO key_sequences VALUES (?, ?) "
                "ON CONFLICT DO UPDATE SET value=value+excluded.value RETURNING value",
                (namespace, len(values)),
            ).fetchone()
            numbers = list(range(int(last) - len(values) + 1, int(last) + 1))
            rows = zip(numbers, values, strict=True)
            db.executemany(
                "INSERT OR REPLACE INTO keys VALUES (?,?,?,?)",
                ((namespace, seq_key(n), _dumps(v), expires) for n, v in rows),
            )
            if keep and numbers[-1] > keep:  # what each append would have dropped, at once
                db.execute(
                    "DELETE FROM keys WHERE namespace=? AND key BETWEEN ? AND ?",
                    (namespace, seq_key(max(numbers[0] - keep, 1)), seq_key(numbers[-1] - keep)),
                )
        return numbers

    def key_tally_many(
        self, namespace: str, tallies: list[Tally], now: float, ttl: float | None
    ) -> None:
        expires = None if ttl is None else now + ttl
        with self._transaction() as db:
            for key, epoch, counts in tallies:
                value = tally(self._live_value(db, namespace, key, now), epoch, counts)
                db.execute(
                    "INSERT INTO keys VALUES (?,?,?,?) "
                    "ON CONFLICT DO UPDATE SET value=excluded.value, expires=excluded.expires",
                    (namespace, key, _dumps(value), expires),
                )

    def clear_keys(self, namespace: str | None = None) -> None:
        if namespace is None:
            self._db().execute("DELETE FROM keys")
        else:
            self._db().execute("DELETE FROM keys WHERE namespace=?", (namespace,))

    def take_tokens(
        self, key: str, rate: float, burst: int, requested: int, now: float
    ) -> tuple[bool, float]:
        return take_tokens_with(self, key, rate, burst, requested, now)

    def close(self) -> None:
        pid = os.getpid()
        with self._lock:
            mine = [conn for owner, conn in self._connections if owner == pid]
            self._connections = [(o, c) for o, c in self._connections if o != pid]
        for conn in mine:
            conn.close()
        self._local = threading.local()
