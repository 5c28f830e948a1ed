"""What the rate limiter and the idempotency store cost per request, in-process.

Runs the same Robaws requests through the Flask test client with the limiter off and on (the
spec's policies with numbers too large to deny, so every request pays the full bookkeeping), and
creates with and without an Idempotency-Key. Interleaved rounds, median per request; compare the
differences, not the absolute numbers (shared machine). Writes benchmarks/results/limits.md.

    python benchmarks/bench_limits.py [--requests 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine

RESULTS = Path(__file__).resolve().parent / "results"
AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(b"demo7f3a9c2e41b84d6e:demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43").decode()
}
HUGE = {"burst": {"burst-capacity": 10**9, "replenish-rate": 10**9}, "daily": {"limit": 10**9}}


def per_request_us(send: Callable[[int], int], count: int) -> float:
    started = time.perf_counter()
    for n in range(count):
        status = send(n)
        assert status < 300, status
    return (time.perf_counter() - started) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    app = create_app(Settings(apis=("robaws",)))
    engine = get_engine(app)
    client = app.test_client()
    path = "/robaws/api/v2/clients"
    limiter_off = {"mode": "off"}
    limiter_on = {"mode": "custom", "overrides": HUGE}

    def list_clients(_: int) -> int:
        return client.get(path + "?size=10", headers=AUTH).status_code

    def create(n: int) -> int:
        return client.post(path, json={"name": f"Bench {n}"}, headers=AUTH).status_code

    keys = iter(range(10**9))

    def create_keyed(n: int) -> int:
        headers = {**AUTH, "Idempotency-Key": f"bench-{next(keys)}"}
        return client.post(path, json={"name": f"Bench {n}"}, headers=headers).status_code

    cases = {
        "list, limiter off": (list_clients, limiter_off),
        "list, limiter on": (list_clients, limiter_on),
        "create, limiter off, no key": (create, limiter_off),
        "create, limiter off, with key": (create_keyed, limiter_off),
    }
    timings: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, (send, mode) in cases.items():
            engine.reset()
            engine.controls.set_rate_limit_mode("robaws", mode)
            timings[name].append(per_request_us(send, args.requests))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    limiter = medians["list, limiter on"] - medians["list, limiter off"]
    keyed = medians["create, limiter off, with key"] - medians["create, limiter off, no key"]
    lines = [
        "# Limiter and idempotency overhead (in-process, Flask test client)",
        "",
        f"{args.requests} requests x {args.rounds} interleaved rounds, median per request.",
        "",
        "| case | µs/request |",
        "|---|---:|",
        *[f"| {name} | {value:.0f} |" for name, value in medians.items()],
        "",
        f"- rate limiter (token bucket + daily window, headers): **{limiter:+.0f} µs** per request"
        f" ({limiter / medians['list, limiter off'] * 100:+.1f}% of a list)",
        f"- idempotency key (claim, store, replay record): **{keyed:+.0f} µs** per create"
        f" ({keyed / medians['create, limiter off, no key'] * 100:+.1f}% of a create)",
    ]
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "limits.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
