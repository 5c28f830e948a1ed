"""Token buckets in the manner of Spring Cloud Gateway's ``request_rate_limiter.lua``.

One step of the bucket is a pure function over the stored state, so every backend runs the same
arithmetic: Memory and SQLite inside their atomic ``key_update``, Redis in a Lua script
(``redis_store.TAKE_TOKENS``) that mirrors this function line by line.
"""

from __future__ import annotations

import math
from typing import Any

BUCKET_NAMESPACE = "ratelimit.buckets"


def bucket_ttl(rate: float, burst: int) -> float | None:
    """SCG keeps a bucket for ``floor(capacity / rate * 2)`` seconds; None: never expires."""
    if rate <= 0:
        return None
    ttl = math.floor(burst / rate * 2)
    return float(ttl) if ttl > 0 else None


def take(
    state: dict[str, Any] | None, rate: float, burst: int, requested: int, now: float
) -> tuple[dict[str, Any], bool, float]:
    """Refill ``state`` up to ``now`` and try to take ``requested`` tokens.

    Returns the new state, whether the request is allowed, and the tokens left.
    A missing bucket starts full; time never runs backwards for a bucket.
    """
    last_tokens = float(burst) if state is None else float(state["tokens"])
    last_refreshed = 0.0 if state is None else float(state["ts"])
    delta = max(0.0, now - last_refreshed)
    filled = min(float(burst), last_tokens + delta * rate)
    allowed = filled >= requested
    tokens = filled - requested if allowed else filled
    return {"tokens": tokens, "ts": max(now, last_refreshed)}, allowed, tokens
