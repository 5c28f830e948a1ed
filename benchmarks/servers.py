"""Start and stop the servers a benchmark compares, each in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, timeout: float = 30.0) -> float:
    """Seconds until ``url`` answers at all (any status)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            requests.get(url, timeout=1)
            return time.perf_counter() - started
        except requests.ConnectionError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not come up within {timeout}s")


@contextmanager
def process(
    command: list[str], ready_url: str, env: dict[str, str] | None = None
) -> Iterator[float]:
    """Run ``command`` until the block ends; yields its start-up time in seconds."""
    child = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    try:
        yield wait_until_up(ready_url)
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


@contextmanager
def mock(
    port: int, *args: str, threads: int = 8, env: dict[str, str] | None = None
) -> Iterator[float]:
    """``mockserver serve``; its default SQLite store goes to a fresh folder, never the cwd."""
    with tempfile.TemporaryDirectory(prefix="mockserver-bench-") as data_dir:
        store = () if "--data-dir" in args else ("--data-dir", data_dir)
        with _mock(port, *store, *args, threads=threads, env=env) as startup:
            yield startup


@contextmanager
def _mock(
    port: int, *args: str, threads: int = 8, env: dict[str, str] | None = None
) -> Iterator[float]:
    command = [
        sys.executable,
        "-m",
        "mockserver",
        "serve",
        "--port",
        str(port),
        "--threads",
        str(threads),
        # A benchmark measures throughput, not the vendor's 15 requests/s: limiter off unless
        # the caller asks for a mode.
        *(() if "--rate-limit" in args else ("--rate-limit", "off")),
        *args,
    ]
    with process(command, f"http://127.0.0.1:{port}/__admin/health", env) as startup:
        yield startup


@contextmanager
def bare_flask(port: int, threads: int = 8) -> Iterator[float]:
    command = [sys.executable, str(HERE / "bare_flask.py"), str(port), str(threads)]
    with process(command, f"http://127.0.0.1:{port}/bare") as startup:
        yield startup


PRISM = HERE / ".prism" / "node_modules" / ".bin" / "prism"


def require_prism() -> Path:
    if not PRISM.exists():
        raise SystemExit(
            "Prism is needed: npm install --prefix benchmarks/.prism @stoplight/prism-cli"
        )
    return PRISM


@contextmanager
def prism(port: int, spec: Path) -> Iterator[float]:
    """Stoplight Prism mocking ``spec`` (static examples, request validation on)."""
    command = [str(require_prism()), "mock", "-v", "warn", "-h", "127.0.0.1", "-p", str(port)]
    with process([*command, str(spec)], f"http://127.0.0.1:{port}/") as startup:
        yield startup
