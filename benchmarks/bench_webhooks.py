"""Webhook delivery latency: from sending a create to the receiver holding the signed delivery.

The mock (Robaws, waitress in a thread) and a ``WebhookReceiver`` run in this process on loopback
ports. Three runs: one create at a time (latency per event), a burst of creates sent back to back
(time until the last delivery arrives), and the receiver down during the burst, then up again
with the clock advanced past the retries owed (time until all are in). Bounded: it stops by itself.
Writes the table to benchmarks/results/webhooks.md.

    python -m benchmarks.bench_webhooks [--events 200] [--burst 100]
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time
from pathlib import Path

import httpx

from mockserver import Settings
from mockserver import create_app
from mockserver.server import MockServer
from mockserver.testing.webhooks import WebhookReceiver

RESULTS = Path(__file__).resolve().parent / "results"
VDB = base64.b64encode(b"demo7f3a9c2e41b84d6e:demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43").decode()
SETTINGS = Settings(apis=("robaws",))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def create(http: httpx.Client, name: str) -> None:
    """Create a client; a 429 (rate limit) moves the mock clock on instead of sleeping."""
    for _ in range(50):
        answer = http.post("/robaws/api/v2/clients", json={"name": name})
        if answer.status_code != 429:
            answer.raise_for_status()
            return
        http.post("/__admin/clock", json={"advance": 2})
    raise RuntimeError("rate-limited")


def run(events: int, burst: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    with MockServer(create_app(SETTINGS)) as server, WebhookReceiver() as receiver:
        http = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Basic {VDB}"}, trust_env=False
        )
        receiver.subscribe(server.url, "robaws", ["client.created"])
        latencies = []
        for n in range(events):
            started = time.perf_counter()
            create(http, f"Latency {n}")
            latencies.append(receiver.wait_for(n + 1, timeout=10)[-1].received_at - started)
        ms = [v * 1000 for v in latencies]
        rows.append(
            (
                f"one at a time, {events} creates: create sent -> delivery received",
                f"p50 {statistics.median(ms):.1f} ms, p95 {percentile(ms, 0.95):.1f} ms, "
                f"max {max(ms):.1f} ms",
            )
        )
        receiver.clear()
        started = time.perf_counter()
        for n in range(burst):
            create(http, f"Burst {n}")
        sent = time.perf_counter() - started
        receiver.wait_for(burst, timeout=60)
        done = time.perf_counter() - started
        rows.append(
            (
                f"burst of {burst} creates back to back",
                f"sent in {sent * 1000:.0f} ms, all {burst} delivered after {done * 1000:.0f} ms",
            )
        )
        receiver.clear()
        receiver.stop()
        http.post("/__admin/clock", json={"freeze": True})
        for n in range(burst):
            create(http, f"Offline {n}")
        while len(http.get("/__admin/webhook-deliveries?outcome=retrying").json()["deliveries"]) < (
            burst
        ):
            time.sleep(0.05)
        receiver.start()
        started = time.perf_counter()
        # past every retry already scheduled: 5 s, or 5 min for those the rate limit's clock
        # advances (see create) pushed to their third attempt
        http.post("/__admin/clock", json={"advance": 400})
        receiver.wait_for(burst, timeout=60)
        rows.append(
            (
                f"receiver down for {burst} creates, then up; clock advanced past the due retries",
                f"all {burst} delivered {(time.perf_counter() - started) * 1000:.0f} ms after "
                f"the advance, {sum(not d.verified for d in receiver.deliveries)} bad signatures",
            )
        )
        http.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    rows = run(args.events, args.burst)
    table = ["| run | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    text = "\n".join(table) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "webhooks.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
