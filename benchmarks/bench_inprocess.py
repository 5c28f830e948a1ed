"""In-process cost of one request through the Flask test client, per store backend.

No sockets: what the engine and the store cost for a Robaws list, get and create (limiter off,
response validation off, as ``serve`` runs). Median of interleaved rounds. Writes
benchmarks/results/inprocess.md.

    python -m benchmarks.bench_inprocess [--requests 500] [--rounds 3] [--redis-url URL]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from mockserver import Settings
from mockserver import create_app

RESULTS = Path(__file__).resolve().parent / "results"
VDB = b"demo7f3a9c2e41b84d6e:demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43"
AUTH = {"Authorization": "Basic " + base64.b64encode(VDB).decode()}
API = "/robaws/api/v2/clients"


def per_request_us(client: Any, method: str, url: str, count: int, **kwargs: Any) -> float:
    started = time.perf_counter()
    for _ in range(count):
        response = client.open(url, method=method, headers=AUTH, **kwargs)
        assert response.status_code < 300, response.status_code
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as data_dir:
        stores = {
            "memory": {"store": "memory"},
            "sqlite": {"store": "sqlite", "data_dir": Path(data_dir)},
            "redis": {
                "store": "redis",
                "redis_url": args.redis_url,
                "redis_prefix": f"bench{uuid.uuid4().hex[:8]}",
            },
        }
        base = Settings(apis=("robaws",), features={"ratelimit": {"mode": "off"}})
        clients = {name: create_app(base.replace(**c)).test_client() for name, c in stores.items()}
        first = clients["memory"].get(f"{API}?size=1", headers=AUTH).get_json()["items"][0]["id"]
        operations = {
            "list clients": ("GET", f"{API}?page=0&size=10", {}),
            "get client": ("GET", f"{API}/{first}", {}),
            "create client": ("POST", API, {"json": {"name": "Bench", "email": "b@example.be"}}),
        }
        samples: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.rounds):
            for op, (method, url, kwargs) in operations.items():
                for name, client in clients.items():
                    cost = per_request_us(client, method, url, args.requests, **kwargs)
                    samples.setdefault((op, name), []).append(cost)
    for op in operations:
        cells = [f"{statistics.median(samples[(op, name)]):,.0f}" for name in stores]
        rows.append(f"| {op} | {' | '.join(cells)} |")
    table = "\n".join(["| µs per request | memory | sqlite | redis |", "|---|---|---|---|", *rows])
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "inprocess.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
