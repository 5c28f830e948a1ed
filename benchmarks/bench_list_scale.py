"""List latency as the store grows: 1k, 10k and 100k Robaws clients, per store backend.

For each backend the mock runs on waitress in this process (the same server ``serve`` uses),
with one tenant's clients grown to N by copying the seeded ones under new ids; wrk then asks for
the first page (default order, and sorted by name) over one connection. Writes the table to
benchmarks/results/list_scale.md.

    python -m benchmarks.bench_list_scale [--sizes 1000,10000,100000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import base64
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import requests

from benchmarks import loadgen
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.server import MockServer
from mockserver.state.query import Collection
from mockserver.state.query import Query

RESULTS = Path(__file__).resolve().parent / "results"
VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")
AUTH = {"Authorization": "Basic " + base64.b64encode(":".join(VDB).encode()).decode()}
CLIENTS = Collection("robaws", "vdb-bouw", "clients")
QUERIES = {"first page": "page=0&size=10", "sorted by name": "page=0&size=10&sort=name:desc"}


def grow(engine: Any, size: int) -> float:
    """Copy the seeded clients under new sequence ids until there are ``size``; seconds taken."""
    started = time.perf_counter()
    store = engine.store
    templates = store.query(CLIENTS, Query()).items
    batch: list[tuple[str, dict[str, Any]]] = []
    for index in range(store.count(CLIENTS), size):
        doc = dict(templates[index % len(templates)])
        doc["id"] = str(store.next_id("robaws", "clients", 1000))
        doc["name"] = f"{doc['name']} {index}"
        batch.append((doc["id"], doc))
        if len(batch) == 5000:
            store.insert_many(CLIENTS, batch)
            batch = []
    if batch:
        store.insert_many(CLIENTS, batch)
    return time.perf_counter() - started


def after_a_write(backend: str, size: int, base: str, fill: float, rounds: int = 5) -> str:
    """A create, then the first page: what a cache invalidated by every write costs."""
    url = f"{base}/robaws/api/v2/clients"
    took = []
    with requests.Session() as session:
        for n in range(rounds):
            session.post(url, json={"name": f"Write {n}"}, headers=AUTH, timeout=60)
            started = time.perf_counter()
            session.get(f"{url}?page=0&size=10", headers=AUTH, timeout=120).raise_for_status()
            took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return (
        f"| {backend} | {size:,} | first page after a create | - | {took[len(took) // 2]:.2f} | "
        f"{took[-1]:.2f} (max of {rounds}) | 0 | {fill:.1f} |"
    )


def measure(backend: str, sizes: list[int], seconds: int, redis_url: str) -> list[str]:
    rows = []
    with TemporaryDirectory(prefix="mockserver-bench-") as data_dir:
        changes: dict[str, Any] = {"store": backend, "apis": ("robaws",)}
        if backend == "sqlite":
            changes["data_dir"] = Path(data_dir)
        if backend == "redis":
            changes |= {"redis_url": redis_url, "redis_prefix": f"bench{uuid.uuid4().hex[:8]}"}
        settings = Settings(features={"ratelimit": {"mode": "off"}}).replace(**changes)
        app = create_app(settings)
        engine = get_engine(app)
        with MockServer(app, threads=8) as server:
            for size in sizes:
                fill = grow(engine, size)
                assert engine.store.count(CLIENTS) == size, engine.store.count(CLIENTS)
                for name, query in QUERIES.items():
                    url = f"{server.url}/robaws/api/v2/clients?{query}"
                    # warm: SQLite builds its index, Redis its per-process cache, once
                    requests.get(url, headers=AUTH, timeout=120).raise_for_status()
                    result = loadgen.run(url, headers=AUTH, connections=1, seconds=seconds)
                    rows.append(
                        f"| {backend} | {size:,} | {name} | {result.rps:,.0f} | "
                        f"{result.p50_ms:.2f} | {result.p99_ms:.2f} | {result.errors} | "
                        f"{fill:.1f} |"
                    )
                    print(rows[-1], flush=True)
                rows.append(after_a_write(backend, size, server.url, fill))
                print(rows[-1], flush=True)
        if backend == "redis":
            engine.store.clear_records()
            engine.store.clear_keys()
        engine.store.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--backends", default="memory,sqlite,redis")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    loadgen.require_wrk()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[str] = []
    for backend in args.backends.split(","):
        rows += measure(backend, sizes, args.seconds, args.redis_url)
    table = "\n".join(
        [
            "| store | clients | list | req/s | p50 ms | p99 ms | errors | fill s |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "list_scale.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
