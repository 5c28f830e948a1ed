"""Rate limits as each vendor applies them, declared in the spec and enforced per request.

```yaml
x-mock:
  rate-limit:
    policies:
    - name: burst                      # Robaws: Spring Cloud Gateway token bucket
      token-bucket: {replenish-rate: 15, burst-capacity: 20}
      key: [credential]    # credential | tenant | user | ip | access-mode | query:<p> | header:<h>
      headers: {remaining: X-RateLimit-Remaining, replenish-rate: X-RateLimit-Replenish-Rate,
                burst-capacity: X-RateLimit-Burst-Capacity,
                requested-tokens: X-RateLimit-Requested-Tokens}
    - name: daily
      fixed-window: {limit: 10000, window: 86400}
      key: [tenant, access-mode]
      headers: {remaining: X-RateLimit-Daily-Remaining, limit: X-RateLimit-Daily-Limit,
                reset: X-RateLimit-Daily-Reset}
    denied: {body: empty}   # or {body: error, message: ..., retry-after: true, headers: {...}}
    temp-block: {after: 50, within: 60, duration: 300, status: 401,
                 header: X-Robaws-Unauthorized-Reason, value: temp-blocked}
```

An operation may replace the policies (``x-mock.rate-limit: {policies: [...]}``) or opt out
(``x-mock.rate-limit: off``). Header kinds: ``remaining``, ``limit``, ``reset`` (seconds),
``reset-at`` (Unix time), ``replenish-rate``, ``burst-capacity``, ``requested-tokens``.
Every answer after authentication carries the headers, allowed or denied, as the vendors do.
How much of this runs is chosen per API at run time (``features/controls.py``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from mockserver.errors import ApiError
from mockserver.features import access_modes
from mockserver.features.limiters import Decision
from mockserver.features.limiters import FixedWindow
from mockserver.features.limiters import TokenBucket
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.spec import extensions

HEADER_KINDS = [
    "remaining",
    "limit",
    "reset",
    "reset-at",
    "replenish-rate",
    "burst-capacity",
    "requested-tokens",
]
_HEADERS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {kind: {"type": "string"} for kind in HEADER_KINDS},
}
_POSITIVE = {"type": "integer", "minimum": 1}
POLICY = {
    "type": "object",
    "required": ["name", "key"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"},
        "token-bucket": {
            "type": "object",
            "required": ["replenish-rate", "burst-capacity"],
            "additionalProperties": False,
            "properties": {
                "replenish-rate": _POSITIVE,
                "burst-capacity": _POSITIVE,
                "requested-tokens": _POSITIVE,
            },
        },
        "fixed-window": {
            "type": "object",
            "required": ["limit", "window"],
            "additionalProperties": False,
            "properties": {"limit": _POSITIVE, "window": _POSITIVE},
        },
        "key": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "string",
                "pattern": "^(credential|tenant|user|ip|access-mode|query:.+|header:.+)$",
            },
        },
        "headers": _HEADERS,
    },
    "oneOf": [{"required": ["token-bucket"]}, {"required": ["fixed-window"]}],
}
POLICIES = {"type": "array", "minItems": 1, "items": POLICY}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["policies"],
    "additionalProperties": False,
    "properties": {
        "policies": POLICIES,
        "denied": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "body": {"enum": ["empty", "error"]},
                "message": {"type": "string"},
                "retry-after": {"type": "boolean"},
                "headers": _HEADERS,
            },
        },
        "temp-block": {
            "type": "object",
            "required": ["after", "within", "duration"],
            "additionalProperties": False,
            "properties": {
                "after": _POSITIVE,
                "within": _POSITIVE,
                "duration": _POSITIVE,
                "status": {"type": "integer", "minimum": 400, "maximum": 499},
                "message": {"type": "string"},
                "header": {"type": "string"},
                "value": {"type": "string"},
            },
        },
    },
}
OPERATION_SCHEMA: dict[str, Any] = {
    "oneOf": [
        {"const": "off"},
        {
            "type": "object",
            "required": ["policies"],
            "additionalProperties": False,
            "properties": {"policies": POLICIES},
        },
    ]
}
extensions.FEATURE_SCHEMAS["rate-limit"] = SCHEMA
extensions.OPERATION_FEATURE_SCHEMAS["rate-limit"] = OPERATION_SCHEMA

NAMESPACE = "ratelimit"


@dataclass(frozen=True)
class Policy:
    name: str
    algorithm: TokenBucket | FixedWindow
    key: tuple[str, ...]
    headers: dict[str, str]

    @classmethod
    def parse(cls, raw: dict[str, Any], overrides: dict[str, int] | None = None) -> Policy:
        numbers = {
            **(raw.get("token-bucket") or raw.get("fixed-window") or {}),
            **(overrides or {}),
        }
        algorithm: TokenBucket | FixedWindow
        if "token-bucket" in raw:
            algorithm = TokenBucket(
                int(numbers["replenish-rate"]),
                int(numbers["burst-capacity"]),
                int(numbers.get("requested-tokens", 1)),
            )
        else:
            algorithm = FixedWindow(int(numbers["limit"]), int(numbers["window"]))
        return cls(raw["name"], algorithm, tuple(raw["key"]), dict(raw.get("headers", {})))

    def take(self, store: Any, key: str, now: float) -> Decision:
        return self.algorithm.take(store, NAMESPACE, f"{self.name}:{key}", now)

    def peek(self, store: Any, key: str, now: float) -> Decision:
        return self.algorithm.peek(store, NAMESPACE, f"{self.name}:{key}", now)

    def exhausted(self, now: float) -> Decision:
        if isinstance(self.algorithm, TokenBucket):
            return self.algorithm.exhausted()
        return self.algorithm.exhausted(now)

    def values(self, decision: Decision, now: float) -> dict[str, str]:
        """Every header kind's value for this decision."""
        values = {
            "remaining": decision.remaining,
            "limit": decision.limit,
            "reset": decision.reset,
            "reset-at": math.ceil(now) + decision.reset,
        }
        if isinstance(self.algorithm, TokenBucket):
            values |= {
                "replenish-rate": self.algorithm.replenish_rate,
                "burst-capacity": self.algorithm.burst_capacity,
                "requested-tokens": self.algorithm.requested,
            }
        return {kind: str(value) for kind, value in values.items()}

    def header_values(self, decision: Decision, now: float) -> dict[str, str]:
        values = self.values(decision, now)
        return {name: values[kind] for kind, name in self.headers.items() if kind in values}


def key_for(ctx: RequestContext, parts: tuple[str, ...]) -> str:
    principal = ctx.principal
    ip = ctx.request.remote_addr or "unknown"
    found = []
    for part in parts:
        if part == "credential":
            found.append(principal.subject if principal else f"ip={ip}")
        elif part == "tenant":
            found.append(principal.tenant if principal else f"ip={ip}")
        elif part == "user":
            found.append((principal.user or principal.subject) if principal else f"ip={ip}")
        elif part == "ip":
            found.append(ip)
        elif part == "access-mode":
            found.append(access_modes.mode_of(ctx.runtime, ctx.request) or "-")
        elif part.startswith("query:"):
            found.append(ctx.request.args.get(part[6:], ""))
        elif part.startswith("header:"):
            found.append(ctx.request.headers.get(part[7:], ""))
    return "|".join(found)


def ietf_fields(policies: list[Policy], decisions: list[Decision]) -> dict[str, str]:
    """IETF draft-ietf-httpapi-ratelimit-headers-10: RateLimit-Policy and RateLimit."""
    policy_field = ", ".join(
        f'"{p.name}";q={d.limit};w={d.window}' for p, d in zip(policies, decisions, strict=True)
    )
    tightest = min(zip(policies, decisions, strict=True), key=lambda pd: pd[1].remaining)
    return {
        "RateLimit-Policy": policy_field,
        "RateLimit": f'"{tightest[0].name}";r={tightest[1].remaining};t={tightest[1].reset}',
    }


class Limiter:
    """One operation's limits: the policies it is subject to, and how a denial looks."""

    def __init__(self, runtime: Any, op: Any, config: dict[str, Any], policies: list[Any]) -> None:
        self.runtime = runtime
        self.api = runtime.spec.name
        self.raw_policies = policies
        self.denied = config.get("denied", {"body": "empty"})
        self.temp_block = config.get("temp-block")
        self._compiled: dict[tuple[Any, ...], list[Policy]] = {}
        self._storm_counter = 0

    def policies(self, overrides: dict[str, dict[str, int]]) -> list[Policy]:
        cache_key = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in overrides.items()))
        found = self._compiled.get(cache_key)
        if found is None:
            found = [Policy.parse(raw, overrides.get(raw["name"])) for raw in self.raw_policies]
            self._compiled[cache_key] = found
        return found

    def __call__(self, ctx: RequestContext, proceed: Any) -> Reply:
        mode = self.runtime.engine.controls.rate_limit_mode(self.api)
        if mode.mode == "off":
            return proceed()
        store = self.runtime.store
        now = self.runtime.clock.now()
        policies = self.policies(mode.overrides if mode.mode == "custom" else {})
        keys = [key_for(ctx, p.key) for p in policies]
        if mode.temp_block and self.temp_block:
            self._refuse_if_blocked(store, keys[0], now)
        storm = mode.mode == "storm" and self._storm_hits(mode.storm_probability)
        if storm or ctx.forced_429:
            decisions = [p.exhausted(now) for p in policies]
            denied_at: int | None = 0
        else:
            decisions, denied_at = [], None
            for index, (policy, key) in enumerate(zip(policies, keys, strict=True)):
                if denied_at is None:
                    decision = policy.take(store, key, now)
                    if not decision.allowed:
                        denied_at = index
                else:
                    decision = policy.peek(store, key, now)
                decisions.append(decision)
        headers: dict[str, str] = {}
        for policy, decision in zip(policies, decisions, strict=True):
            headers |= policy.header_values(decision, now)
        if mode.ietf:
            headers |= ietf_fields(policies, decisions)
        ctx.response_headers.update(headers)
        if denied_at is None:
            return proceed()
        if mode.temp_block and self.temp_block:
            self._count_denial(store, keys[0], now)
        raise self._denial(policies[denied_at], decisions[denied_at], now)

    def _storm_hits(self, probability: float) -> bool:
        if probability >= 1:
            return True
        self._storm_counter += 1
        return random.Random(f"storm:{self.api}:{self._storm_counter}").random() < probability

    def _denial(self, policy: Policy, decision: Decision, now: float) -> ApiError:
        denied = self.denied
        values = policy.values(decision, now)
        headers = {
            name: values[kind] for kind, name in denied.get("headers", {}).items() if kind in values
        }
        if denied.get("retry-after"):
            headers["Retry-After"] = str(decision.retry_after)
        message = denied.get("message", "Too Many Requests").format(
            retry_after=decision.retry_after
        )
        return ApiError(
            429,
            message,
            headers=headers,
            code="rate_limited",
            empty_body=denied.get("body", "empty") == "empty",
        )

    # Robaws' temporary block: an integration that keeps drawing 429s is shut out for a while.

    def _refuse_if_blocked(self, store: Any, key: str, now: float) -> None:
        if store.key_get(NAMESPACE, f"blocked:{key}", now) is None:
            return
        block = self.temp_block
        assert block is not None
        headers = {block["header"]: block.get("value", "blocked")} if block.get("header") else {}
        raise ApiError(
            block.get("status", 401),
            block.get("message", "Temporarily blocked after too many rate-limited requests"),
            headers=headers,
            code="temp_blocked",
        )

    def _count_denial(self, store: Any, key: str, now: float) -> None:
        block = self.temp_block
        assert block is not None
        window = FixedWindow(block["after"], block["within"])
        if not window.take(store, NAMESPACE, f"denials:{key}", now).allowed:
            store.key_set(NAMESPACE, f"blocked:{key}", True, now, block["duration"])


def step_for(runtime: Any, op: Any) -> Limiter | None:
    config = runtime.spec.config.features.get("rate-limit")
    override = op.binding.features.get("rate-limit")
    if not config or override == "off":
        return None
    policies = override["policies"] if isinstance(override, dict) else config["policies"]
    return Limiter(runtime, op, config, policies)
