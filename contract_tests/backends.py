"""Which store backend the tests run on, and fresh, isolated stores of each kind.

``MOCKSERVER_TEST_STORE=memory|sqlite|redis`` (default memory) puts the behaviour tests of
every API, the engine tests and the contract suites on that backend. Redis comes from
``MOCKSERVER_TEST_REDIS_URL`` or, failing that, a ``redis-server`` this module starts on a free
loopback port (once per test process, stopped at exit). Without one, Redis tests skip with the
reason, except in CI (``CI`` set), where they fail: a backend silently left out is a lie.
``MOCKSERVER_TEST_SHARED_RUNTIME=1`` also puts those suites' journal, traffic meter and clock in
the store (``Settings.shared_runtime``, what ``serve --workers N`` uses).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

BACKENDS = ("memory", "sqlite", "redis")
_redis_url: str | None = None


def chosen() -> str:
    name = os.environ.get("MOCKSERVER_TEST_STORE", "memory")
    if name not in BACKENDS:
        raise pytest.UsageError(f"MOCKSERVER_TEST_STORE={name!r}: pick one of {BACKENDS}")
    return name


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_redis() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not on PATH (apt-get install -y redis-server)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the Redis backend: {message}", pytrace=False)
        pytest.skip(message)
    port = _free_port()
    child = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    atexit.register(_stop, child)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.02)
    _stop(child)
    pytest.fail(f"redis-server did not answer on 127.0.0.1:{port} within 10s", pytrace=False)


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()


def redis_url() -> str:
    global _redis_url
    if _redis_url is None:
        _redis_url = os.environ.get("MOCKSERVER_TEST_REDIS_URL") or _start_redis()
    return _redis_url


def _temp_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="mockserver-test-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def fresh_settings(backend: str | None = None) -> dict[str, Any]:
    """``Settings`` changes for an empty store of ``backend`` (default: the chosen one, then with
    the shared runtime if ``MOCKSERVER_TEST_SHARED_RUNTIME=1``)."""
    shared = {"shared_runtime": True} if backend is None and _shared_runtime() else {}
    backend = backend or chosen()
    if backend == "sqlite":
        return {"store": "sqlite", "data_dir": _temp_dir(), **shared}
    if backend == "redis":
        prefix = f"t{uuid.uuid4().hex}"
        return {"store": "redis", "redis_url": redis_url(), "redis_prefix": prefix, **shared}
    return {"store": "memory", **shared}


def _shared_runtime() -> bool:
    return os.environ.get("MOCKSERVER_TEST_SHARED_RUNTIME", "") in ("1", "true", "yes")
