"""What ``Settings.shared_runtime`` (one journal, traffic meter and clock for every worker) costs
per request, in-process, on SQLite and on Redis.

The same Robaws list runs through the Flask test client on each backend with the shared runtime
off (in-process journal, meter and clock: what a single process uses) and on (journal entry
and traffic count buffered and written behind in batches, the clock read from the store). Rate
limits are off, so only the shared runtime differs. Interleaved rounds, median per request;
compare the differences, not the absolute numbers (shared machine). Redis comes from
``MOCKSERVER_TEST_REDIS_URL`` or a ``redis-server`` started on a free loopback port.

``--baseline <checkout>`` also times the memory store with the shared runtime off here and in
another checkout (e.g. the commit before it), in alternating child processes: what the off path
costs, which should be nothing. ``--http SECONDS`` also drives real ``serve --workers 2`` (SQLite,
Redis) with wrk, shared runtime off (``MOCKSERVER_SHARED_RUNTIME=0``) and on. Writes
benchmarks/results/shared.md.

    python -m benchmarks.bench_shared [--requests 1000] [--rounds 5] [--baseline ../main]
                                      [--http 5] [--http-rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import subprocess
import sys
import time
from pathlib import Path

from flask.testing import FlaskClient

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine

RESULTS = Path(__file__).resolve().parent / "results"
AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(b"demo7f3a9c2e41b84d6e:demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43").decode()
}
PATH = "/robaws/api/v2/clients?size=10"


def per_request_us(client: FlaskClient, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        status = client.get(PATH, headers=AUTH).status_code
        assert status == 200, status
    return (time.perf_counter() - started) / count * 1e6


# Run in a child with the checkout to time first on sys.path: one memory-store list, shared off.
OFF_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from mockserver import Settings, create_app, get_engine
AUTH, PATH = %r, %r
app = create_app(Settings(apis=("robaws",), store="memory"))
get_engine(app).controls.set_rate_limit_mode("robaws", {"mode": "off"})
client = app.test_client()
for _ in range(100):
    client.get(PATH, headers=AUTH)
started = time.perf_counter()
for _ in range(int(sys.argv[2])):
    assert client.get(PATH, headers=AUTH).status_code == 200
print((time.perf_counter() - started) / int(sys.argv[2]) * 1e6)
""" % (AUTH, PATH)  # noqa: UP031  (the child's own braces make str.format awkward)


def off_cost(baseline: Path, count: int, rounds: int) -> list[str]:
    here = Path(__file__).resolve().parent.parent
    timings: dict[Path, list[float]] = {baseline: [], here: []}
    for _ in range(rounds):
        for checkout in timings:
            child = [sys.executable, "-c", OFF_CHILD, str(checkout), str(count)]
            out = subprocess.run(child, capture_output=True, text=True, check=True, cwd=here)
            timings[checkout].append(float(out.stdout))
    base, this = (statistics.median(timings[c]) for c in (baseline, here))
    return [
        "",
        f"Shared runtime off (memory store, {count} requests x {rounds} alternating processes):"
        f" {base:.0f} µs/request in {baseline}, {this:.0f} here: **{this - base:+.0f} µs**.",
    ]


def over_http(seconds: int, rounds: int) -> list[str]:
    """Off and on alternate ``rounds`` times per store; medians, with the spread, because on a
    shared 2-core machine one run depends on how wrk's 16 connections land on the 2 workers
    (all on one worker is often *faster*: no contention with wrk for the second core)."""
    from benchmarks import loadgen
    from benchmarks.servers import free_port
    from benchmarks.servers import mock

    loadgen.require_wrk()
    lines = [
        "",
        f"`serve --workers 2`, wrk 16 connections, {seconds} s per run, the same list; off and on"
        f" alternate, {rounds} runs each, medians (requests/s range in brackets):",
        "",
        "| store | shared runtime | requests/s | range | p50 ms | p99 ms |",
        "|---|---|---:|---|---:|---:|",
    ]
    for backend in ("sqlite", "redis"):
        changes = fresh_settings(backend)
        flags = ["--store", backend]
        if backend == "redis":
            flags += ["--redis-url", changes["redis_url"]]
        runs: dict[str, list[loadgen.Result]] = {"0": [], "1": []}
        for _ in range(rounds):
            for flag in runs:
                port = free_port()
                env = {"MOCKSERVER_SHARED_RUNTIME": flag}
                if backend == "redis":
                    env["MOCKSERVER_REDIS_PREFIX"] = f"{changes['redis_prefix']}-{flag}"
                with mock(port, "--apis", "robaws", *flags, "--workers", "2", env=env):
                    url = f"http://127.0.0.1:{port}{PATH}"
                    got = loadgen.run(url, headers=AUTH, connections=16, seconds=seconds)
                    assert got.errors == 0, got
                runs[flag].append(got)
        for flag, results in runs.items():
            rps = [r.rps for r in results]
            p50 = statistics.median(r.p50_ms for r in results)
            p99 = statistics.median(r.p99_ms for r in results)
            lines.append(
                f"| {backend} | {'on' if flag == '1' else 'off'} | {statistics.median(rps):,.0f}"
                f" | {min(rps):,.0f}-{max(rps):,.0f} | {p50:.2f} | {p99:.2f} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="a checkout to compare the off path with")
    parser.add_argument("--http", type=int, default=0, help="seconds of wrk per run (0: none)")
    parser.add_argument("--http-rounds", type=int, default=3, help="wrk runs per case")
    args = parser.parse_args()
    clients: dict[str, FlaskClient] = {}
    for backend in ("sqlite", "redis"):
        for shared in (False, True):
            settings = Settings(apis=("robaws",), shared_runtime=shared, **fresh_settings(backend))
            app = create_app(settings)
            get_engine(app).controls.set_rate_limit_mode("robaws", {"mode": "off"})
            clients[f"{backend}, shared {'on' if shared else 'off'}"] = app.test_client()
    for client in clients.values():  # warm: caches, connections, lazily built indexes
        per_request_us(client, 100)
    timings: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(args.rounds):
        for name, client in clients.items():
            timings[name].append(per_request_us(client, args.requests))
    medians = {name: statistics.median(values) for name, values in timings.items()}
    lines = [
        "# Shared runtime overhead (in-process, Flask test client, Robaws list of 10)",
        "",
        f"{args.requests} requests x {args.rounds} interleaved rounds, median per request.",
        "",
        "| case | µs/request |",
        "|---|---:|",
        *[f"| {name} | {value:.0f} |" for name, value in medians.items()],
        "",
    ]
    for backend in ("sqlite", "redis"):
        off, on = medians[f"{backend}, shared off"], medians[f"{backend}, shared on"]
        lines.append(
            f"- {backend}: shared journal + traffic + clock **{on - off:+.0f} µs** per request"
            f" ({(on - off) / off * 100:+.1f}%)"
        )
    if args.baseline:
        lines += off_cost(args.baseline.resolve(), args.requests, args.rounds)
    if args.http:
        lines += over_http(args.http, args.http_rounds)
    table = "\n".join(lines) + "\n"
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shared.md").write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
