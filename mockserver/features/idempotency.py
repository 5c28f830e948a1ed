"""Idempotent replay of writes keyed by a client header, declared in the spec.

```yaml
x-mock:
  idempotency:
    header: Idempotency-Key
    methods: [POST, PUT, PATCH]
    max-length: 128
    scope: credential              # keys are per credential (or tenant)
    ttl: 86400                     # mock-clock seconds (invented, after Stripe)
    replay-header: Idempotent-Replayed   # marks replays (invented); omit for strict fidelity
```

Robaws' semantics [R-IDEM]: the first answer is stored and replayed (status, headers, body) only
if it succeeded, so a corrected retry after a 4xx works with the same key; a second request while
the first is still running gets 409; the same key on a different request gets 422 (invented, after
the IETF Idempotency-Key draft). Claiming the key is one atomic ``key_add``, so of 50 racing
creates exactly one runs; the rest replay it or get 409.
"""

from __future__ import annotations

import hashlib
from typing import Any

from mockserver import errors
from mockserver.errors import Violation
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.spec import extensions

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["header"],
    "additionalProperties": False,
    "properties": {
        "header": {"type": "string"},
        "methods": {
            "type": "array",
            "items": {"enum": ["POST", "PUT", "PATCH", "DELETE"]},
        },
        "max-length": {"type": "integer", "minimum": 1},
        "scope": {"enum": ["credential", "tenant"]},
        "ttl": {"type": "integer", "minimum": 1},
        "replay-header": {"type": "string"},
    },
}
extensions.FEATURE_SCHEMAS["idempotency"] = SCHEMA
extensions.OPERATION_FEATURE_SCHEMAS["idempotency"] = {"const": "off"}

NAMESPACE = "idempotency"
IN_FLIGHT = "in-flight"
DONE = "done"
IN_FLIGHT_TTL = 60.0


def fingerprint(ctx: RequestContext) -> str:
    """What makes two requests "the same": method, path, query and body bytes."""
    request = ctx.request
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.query_string.decode("latin-1")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


class Idempotency:
    def __init__(self, runtime: Any, config: dict[str, Any]) -> None:
        self.runtime = runtime
        self.header = config["header"]
        self.max_length = config.get("max-length", 255)
        self.scope = config.get("scope", "credential")
        self.default_ttl = config.get("ttl", 86400)
        self.replay_header = config.get("replay-header")

    def settings(self) -> dict[str, Any]:
        return self.runtime.engine.settings.features.get("idempotency") or {}

    def __call__(self, ctx: RequestContext, proceed: Any) -> Reply:
        key = ctx.request.headers.get(self.header)
        if key is None:
            return proceed()
        if not key or len(key) > self.max_length:
            raise errors.bad_request(
                f"{self.header} must be 1 to {self.max_length} characters",
                [Violation("header", self.header, f"length must be 1..{self.max_length}")],
            )
        options = self.settings()
        ttl = float(options.get("ttl", self.default_ttl))
        principal = ctx.principal
        owner = (
            (principal.tenant if self.scope == "tenant" else principal.subject)
            if principal
            else f"ip={ctx.request.remote_addr}"
        )
        store_key = f"{self.runtime.spec.name}|{owner}|{key}"
        store, clock = self.runtime.store, self.runtime.clock
        print_ = fingerprint(ctx)
        claim = {"state": IN_FLIGHT, "fingerprint": print_}
        # A claim outlives no request: if the process dies mid-request the key frees itself.
        claimed = store.key_add(NAMESPACE, store_key, claim, clock.now(), min(ttl, IN_FLIGHT_TTL))
        if not claimed:
            existing = store.key_get(NAMESPACE, store_key, clock.now())
            return self._answer_existing(existing, print_, options)
        try:
            reply = proceed()
        except BaseException:
            store.key_delete(NAMESPACE, store_key)  # a failure is not stored: a retry may succeed
            raise
        if 200 <= reply.status < 300 and reply.raw is None:
            stored = {
                "state": DONE,
                "fingerprint": print_,
                "status": reply.status,
                "headers": reply.headers,
                "body": reply.body,
                "content_type": reply.content_type,
            }
            store.key_set(NAMESPACE, store_key, stored, clock.now(), ttl)
        else:
            store.key_delete(NAMESPACE, store_key)
        return reply

    def _answer_existing(
        self, existing: dict[str, Any] | None, print_: str, options: dict[str, Any]
    ) -> Reply:
        if existing is None:  # finished and failed between our claim and our read
            raise errors.conflict(
                f"A request with this {self.header} has just finished; retry",
                "idempotency_in_flight",
            )
        if existing["fingerprint"] != print_:
            raise errors.unprocessable(
                f"This {self.header} was already used for a different request",
                [Violation("header", self.header, "reused for a different method, path or body")],
            )
        if existing["state"] == IN_FLIGHT:
            raise errors.conflict(
                f"A request with this {self.header} is still being processed",
                "idempotency_in_flight",
            )
        headers = dict(existing["headers"])
        if self.replay_header and options.get("replay_header", True):
            headers[self.replay_header] = "true"
        return Reply(existing["status"], existing["body"], headers, existing["content_type"])


def step_for(runtime: Any, op: Any) -> Idempotency | None:
    config = runtime.spec.config.features.get("idempotency")
    if not config or op.binding.features.get("idempotency") == "off":
        return None
    if op.method not in config.get("methods", ["POST", "PUT", "PATCH"]):
        return None
    return Idempotency(runtime, config)
