"""Robaws list, get and create on the mock, side by side with a bare Flask endpoint.

Both run on waitress with the same thread count, in one run on the same machine; wrk drives each
for a few seconds at 1 and 16 connections. Compare the ratios, not the absolute numbers: these
machines are shared. Writes the table to benchmarks/results/robaws.md.

    python benchmarks/bench_robaws.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

import requests

from benchmarks import loadgen
from benchmarks.servers import bare_flask
from benchmarks.servers import free_port
from benchmarks.servers import mock

RESULTS = Path(__file__).resolve().parent / "results"


def robaws_targets(base: str) -> list[tuple[str, str, str, str | None, dict[str, str]]]:
    creds = requests.get(f"{base}/__admin/credentials", timeout=5).json()["robaws"]
    cred = creds["tenants"][0]["credentials"][0]
    token = base64.b64encode(f"{cred['username']}:{cred['password']}".encode()).decode()
    auth = {"Authorization": f"Basic {token}"}
    api = f"{base}/robaws/api/v2"
    first = requests.get(f"{api}/clients?size=1", headers=auth, timeout=5).json()["items"][0]
    body = json.dumps({"name": "Bench client", "email": "bench@example.be"})
    return [
        ("list clients", f"{api}/clients?page=0&size=10", "GET", None, auth),
        ("get client", f"{api}/clients/{first['id']}", "GET", None, auth),
        ("create client", f"{api}/clients", "POST", body, auth),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", default="1,16")
    args = parser.parse_args()
    loadgen.require_wrk()
    rows: list[str] = []
    mock_port, bare_port = free_port(), free_port()
    with mock(mock_port, "--apis", "robaws", *LIMITS_OFF), bare_flask(bare_port):
        base = f"http://127.0.0.1:{mock_port}"
        targets = robaws_targets(base)
        for connections in (int(c) for c in args.connections.split(",")):
            ceiling = loadgen.run(
                f"http://127.0.0.1:{bare_port}/bare", connections=connections, seconds=args.seconds
            )
            rows.append(row("bare Flask (ceiling)", connections, ceiling, ceiling))
            for name, url, method, body, headers in targets:
                # every target starts from the seed state, so creates do not grow later lists
                requests.post(f"{base}/__admin/reset", timeout=30).raise_for_status()
                result = loadgen.run(
                    url,
                    method=method,
                    body=body,
                    headers=headers,
                    connections=connections,
                    seconds=args.seconds,
                )
                rows.append(row(f"mock: {name}", connections, result, ceiling))
    table = "\n".join(
        [
            "| target | conns | req/s | p50 ms | p99 ms | errors | vs bare |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "robaws.md").write_text(table + "\n")


def row(name: str, connections: int, result: loadgen.Result, ceiling: loadgen.Result) -> str:
    share = result.rps / ceiling.rps if ceiling.rps else 0
    return (
        f"| {name} | {connections} | {result.rps:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.2f} "
        f"| {result.errors} | {share:.0%} |"
    )


# The limiter would turn most of a benchmark into 429s; throughput is measured without it.
LIMITS_OFF: list[str] = []

if __name__ == "__main__":
    main()
