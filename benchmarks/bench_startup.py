"""Start-up time of ``mockserver serve`` with all four APIs, per store, cold and warm.

Cold: an empty store, so serve seeds it. Warm: the store already holds the seed (a restart), so
serve only loads the specs. Time is from process start to the first answer of
``/__admin/health``, the median of ``--runs``. Writes benchmarks/results/startup.md.

    python -m benchmarks.bench_startup [--runs 3] [--redis-url redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import uuid
from pathlib import Path

from benchmarks.servers import free_port
from benchmarks.servers import mock

RESULTS = Path(__file__).resolve().parent / "results"


def startup(*flags: str, env: dict[str, str] | None = None) -> float:
    with mock(free_port(), *flags, env=env) as seconds:
        return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    rows = []
    cases: list[tuple[str, str, list[str], dict[str, str] | None]] = []
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as root:
        for run in range(args.runs):
            data_dir = str(Path(root) / f"run{run}")
            prefix = {"MOCKSERVER_REDIS_PREFIX": f"bench{uuid.uuid4().hex[:8]}"}
            redis = ["--store", "redis", "--redis-url", args.redis_url]
            cases += [
                ("memory", "cold", ["--store", "memory"], None),
                ("sqlite", "cold", ["--store", "sqlite", "--data-dir", data_dir], None),
                ("sqlite", "warm", ["--store", "sqlite", "--data-dir", data_dir], None),
                ("redis", "cold", redis, prefix),
                ("redis", "warm", redis, prefix),
            ]
        timings: dict[tuple[str, str], list[float]] = {}
        for store, state, flags, env in cases:
            timings.setdefault((store, state), []).append(startup(*flags, env=env))
    for (store, state), values in timings.items():
        rows.append(
            f"| {store} | {state} | {statistics.median(values):.2f} | "
            f"{' '.join(f'{v:.2f}' for v in values)} |"
        )
    table = "\n".join(
        ["| store | store state | ready s (median) | runs |", "|---|---|---|---|", *rows]
    )
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
