"""The two rate-limit algorithms, over the store's atomic ``key_update`` (any backend).

- ``TokenBucket`` follows Spring Cloud Gateway's ``request_rate_limiter.lua`` (the arithmetic is
  ``state/buckets.py``, run by each store's atomic ``take_tokens``): the bucket starts full,
  refills ``rate`` tokens per second up to ``capacity``, and a request takes ``requested`` tokens
  if there are that many; its key lives twice the fill time. The script counts whole
  seconds; we refill continuously, so a steady client gets exactly ``burst + rate x seconds``
  whatever the phase of its first request (whole seconds give 155 to 170 of 400 requests sent at
  40/s for 10 s, continuous time gives 170: what Robaws documents as 15/s).
- ``FixedWindow`` counts requests in windows aligned to the epoch (a daily window resets at
  00:00 UTC), as Laravel's and DRF's throttles do.

Both answer a ``Decision`` with what the headers need; ``peek`` reports without consuming, for the
policies a request never reached because an earlier one denied it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mockserver.state import buckets


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    limit: int  # the quota: burst capacity, or requests per window
    reset: int  # seconds until the quota is whole again
    retry_after: int  # seconds until a denied request would be admitted (0 when allowed)
    window: int  # seconds the quota spans (IETF RateLimit-Policy w=)


@dataclass(frozen=True)
class TokenBucket:
    replenish_rate: int
    burst_capacity: int
    requested: int = 1

    def take(self, store: Any, namespace: str, key: str, now: float) -> Decision:
        # One atomic step in the store: a Lua script on Redis, key_update elsewhere.
        allowed, tokens = store.take_tokens(
            f"{namespace}:{key}", self.replenish_rate, self.burst_capacity, self.requested, now
        )
        return self._decision(tokens, allowed)

    def peek(self, store: Any, namespace: str, key: str, now: float) -> Decision:
        state = store.key_get(buckets.BUCKET_NAMESPACE, f"{namespace}:{key}", now)
        _, _, tokens = buckets.take(state, self.replenish_rate, self.burst_capacity, 0, now)
        return self._decision(tokens, True)

    def exhausted(self) -> Decision:
        return self._decision(0.0, False)

    def _decision(self, tokens: float, allowed: bool) -> Decision:
        missing_to_full = self.burst_capacity - tokens
        return Decision(
            allowed=allowed,
            remaining=max(0, math.floor(tokens)),
            limit=self.burst_capacity,
            reset=math.ceil(missing_to_full / self.replenish_rate),
            retry_after=0
            if allowed
            else max(1, math.ceil((self.requested - tokens) / self.replenish_rate)),
            window=max(1, math.ceil(self.burst_capacity / self.replenish_rate)),
        )


@dataclass(frozen=True)
class FixedWindow:
    limit: int
    window: int  # seconds

    def _bounds(self, now: float) -> tuple[int, int]:
        start = math.floor(now / self.window) * self.window
        return start, start + self.window

    def take(self, store: Any, namespace: str, key: str, now: float) -> Decision:
        start, end = self._bounds(now)

        def update(state: dict[str, Any] | None) -> dict[str, Any]:
            used = state["used"] if state else 0
            allowed = used < self.limit
            return {"used": used + 1 if allowed else used, "allowed": allowed}

        state = store.key_update(namespace, f"{key}@{start}", update, now, end - now + 1)
        return self._decision(state["used"], bool(state["allowed"]), end - now)

    def peek(self, store: Any, namespace: str, key: str, now: float) -> Decision:
        start, end = self._bounds(now)
        state = store.key_get(namespace, f"{key}@{start}", now)
        return self._decision(state["used"] if state else 0, True, end - now)

    def exhausted(self, now: float) -> Decision:
        return self._decision(self.limit, False, self._bounds(now)[1] - now)

    def _decision(self, used: int, allowed: bool, left: float) -> Decision:
        reset = max(1, math.ceil(left))
        return Decision(
            allowed=allowed,
            remaining=max(0, self.limit - used),
            limit=self.limit,
            reset=reset,
            retry_after=0 if allowed else reset,
            window=self.window,
        )
