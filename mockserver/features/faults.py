"""Injected faults: latency, 5xx, 429 and dropped connections, per API and per operation.

Configured at run time (``features/controls.py``: CLI ``--fault``, ``/__admin/faults``, the pytest
marker), not in the spec: the vendor does not promise them, a test asks for them. Every decision
is drawn from a generator seeded by (seed, API, operation, n-th call), so the same test replays
the same faults even when other operations run in between.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

from mockserver.errors import ApiError
from mockserver.features import ratelimit
from mockserver.features.controls import FaultSpec
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext


class DroppedConnection(ConnectionError):
    """Raised into the server while a response is being sent: the client sees a cut connection."""


def dropped_body(partial: bytes) -> Iterator[bytes]:
    """Send part of a body, then fail: the WSGI server closes the connection mid-response."""
    yield partial
    raise DroppedConnection("fault injection: connection dropped")


class FaultInjector:
    def __init__(self, runtime: Any, op: Any) -> None:
        self.runtime = runtime
        self.api = runtime.spec.name
        self.operation_id = op.operation_id
        self._calls = itertools.count(1)
        self._lock = threading.Lock()
        # Where the operation has a limiter, an injected 429 is the vendor's own 429 (headers,
        # body) and is produced there; elsewhere it is a generic one.
        self.limited = ratelimit.step_for(runtime, op) is not None

    def __call__(self, ctx: RequestContext, proceed: Any) -> Reply:
        spec = self.runtime.engine.controls.fault_for(self.api, self.operation_id)
        if spec is None or not spec.active:
            return proceed()
        with self._lock:
            call = next(self._calls)
        rng = random.Random(f"{spec.seed}:{self.api}:{self.operation_id}:{call}")
        delay = self._latency(spec, rng)
        if delay > 0:
            time.sleep(delay)  # real time: the client must feel it
        roll = rng.random()
        if roll < spec.drop_rate:
            return Reply(200, raw=b"", headers={"Content-Length": "1024", "X-Mock-Fault": "drop"})
        roll -= spec.drop_rate
        if roll < spec.error_rate:
            status = rng.choice(spec.error_statuses)
            raise ApiError(status, "Injected server error", headers={"X-Mock-Fault": "error"})
        roll -= spec.error_rate
        if roll < spec.ratelimit_rate:
            if self.limited:
                ctx.forced_429 = True
                return proceed()
            raise ApiError(
                429,
                "Too Many Requests",
                headers={"X-Mock-Fault": "ratelimit"},
                code="rate_limited",
                empty_body=True,
            )
        return proceed()

    @staticmethod
    def _latency(spec: FaultSpec, rng: random.Random) -> float:
        if not spec.latency_ms:
            return 0.0
        if spec.latency_sigma:
            return rng.lognormvariate(0.0, spec.latency_sigma) * spec.latency_ms / 1000
        return spec.latency_ms / 1000


def step_for(runtime: Any, op: Any) -> FaultInjector:
    # Always present: faults are switched on at run time, so every operation must be able to.
    return FaultInjector(runtime, op)
