"""Run wrk against a URL and read requests/s and latency percentiles from its report.

wrk (Debian package ``wrk``) is the load generator: a C program, so the client costs the two
shared cores as little as possible. Every run is bounded in time and targets loopback only.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

LUA = """
wrk.method = "{method}"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}
done = function(summary, latency, requests)
  io.write(string.format("P50 %f\\nP99 %f\\nNON2XX %d\\n",
    latency:percentile(50), latency:percentile(99), summary.errors.status))
end
"""


@dataclass(frozen=True)
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def require_wrk() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    return found


def run(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: dict[str, str] | None = None,
    connections: int = 16,
    seconds: int = 5,
) -> Result:
    assert url.startswith("http://127.0.0.1"), "load tests target loopback only"
    header_lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in (headers or {}).items())
    script = LUA.format(
        method=method, body="nil" if body is None else repr(body), headers=header_lines
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
        lua = Path(handle.name)
    try:
        out = subprocess.run(
            [require_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(lua), url],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        lua.unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = float(re.search(r"P50 ([\d.]+)", out).group(1)) / 1000  # type: ignore[union-attr]
    p99 = float(re.search(r"P99 ([\d.]+)", out).group(1)) / 1000  # type: ignore[union-attr]
    non2xx = int(re.search(r"NON2XX (\d+)", out).group(1))  # type: ignore[union-attr]
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = non2xx + (sum(int(g) for g in socket_errors.groups()) if socket_errors else 0)
    return Result(rps, p50, p99, errors)
