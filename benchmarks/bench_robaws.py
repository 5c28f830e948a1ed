"""Robaws list, get and create: the mock (per store) vs Prism vs a bare Flask endpoint.

The mock and bare Flask run on waitress with the same thread count; Prism (``prism mock -v warn``
on the same spec: static examples, request validation on) is the peer users would otherwise pick.
All run side by side in one run on the same machine; wrk drives each for a few seconds at 1 and
16 connections. Compare the ratios, not the absolute numbers: these machines are shared. Writes
the table to benchmarks/results/robaws.md.

    python -m benchmarks.bench_robaws [--seconds 5] [--stores sqlite,memory] [--no-prism]
"""

from __future__ import annotations

import argparse
import base64
import json
from contextlib import ExitStack
from pathlib import Path

import requests

from benchmarks import loadgen
from benchmarks.servers import bare_flask
from benchmarks.servers import free_port
from benchmarks.servers import mock
from benchmarks.servers import prism

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "robaws.yaml"
Target = tuple[str, str, str, str | None, dict[str, str]]
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


def prism_targets(base: str) -> list[Target]:
    auth = {"Authorization": "Basic " + base64.b64encode(b"bench:bench").decode()}
    body = json.dumps({"name": "Bench client", "email": "bench@example.be"})
    api = f"{base}/api/v2"
    return [
        ("list clients", f"{api}/clients?page=0&size=10", "GET", None, auth),
        ("get client", f"{api}/clients/1000", "GET", None, auth),
        ("create client", f"{api}/clients", "POST", body, auth),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", default="1,16")
    parser.add_argument(
        "--stores",
        default="sqlite,memory,sqlite:2",
        help="mock stores to compare; store:N serves with N gunicorn workers",
    )
    parser.add_argument("--no-prism", action="store_true")
    args = parser.parse_args()
    loadgen.require_wrk()
    rows: list[str] = []
    with ExitStack() as running:
        bare_port = free_port()
        running.enter_context(bare_flask(bare_port))
        systems: list[tuple[str, str | None, list[Target]]] = []
        for choice in args.stores.split(","):
            store, _, workers = choice.partition(":")
            port, flags = free_port(), ["--store", store, "--workers", workers or "1"]
            running.enter_context(mock(port, "--apis", "robaws", *flags, *LIMITS_OFF))
            base = f"http://127.0.0.1:{port}"
            label = f"{store}, {workers} workers" if workers else store
            systems.append((f"mock ({label})", base, robaws_targets(base)))
        if not args.no_prism:
            port = free_port()
            running.enter_context(prism(port, SPEC))
            systems.append(("Prism", None, prism_targets(f"http://127.0.0.1:{port}")))
        for connections in (int(c) for c in args.connections.split(",")):
            ceiling = loadgen.run(
                f"http://127.0.0.1:{bare_port}/bare", connections=connections, seconds=args.seconds
            )
            rows.append(row("bare Flask (ceiling)", connections, ceiling, ceiling, None))
            results: dict[tuple[str, str], loadgen.Result] = {}
            for system, base, targets in systems:
                for name, url, method, body, headers in targets:
                    if base is not None:  # every target starts from the seed state
                        requests.post(f"{base}/__admin/reset", timeout=30).raise_for_status()
                    results[(system, name)] = loadgen.run(
                        url,
                        method=method,
                        body=body,
                        headers=headers,
                        connections=connections,
                        seconds=args.seconds,
                    )
            for (system, name), result in results.items():
                peer = results.get(("Prism", name))
                rows.append(row(f"{system}: {name}", connections, result, ceiling, peer))
    table = "\n".join(
        [
            "| target | conns | req/s | p50 ms | p99 ms | errors | vs bare | vs Prism |",
            "|---|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "robaws.md").write_text(table + "\n")


def row(
    name: str,
    connections: int,
    result: loadgen.Result,
    ceiling: loadgen.Result,
    peer: loadgen.Result | None,
) -> str:
    share = result.rps / ceiling.rps if ceiling.rps else 0
    versus = f"{result.rps / peer.rps:.2f}x" if peer and peer.rps else "-"
    return (
        f"| {name} | {connections} | {result.rps:,.0f} | {result.p50_ms:.2f} | {result.p99_ms:.2f} "
        f"| {result.errors} | {share:.0%} | {versus} |"
    )


# The limiter would turn most of a benchmark into 429s; throughput is measured without it.
LIMITS_OFF: list[str] = []

if __name__ == "__main__":
    main()
