"""Read-only access modes chosen per request (Robaws' ``Database-Mode: replica``).

```yaml
x-mock:
  access-modes: {header: Database-Mode, query: database-mode, default: live, read-only: [replica]}
```
A request in a read-only mode may only read (GET, HEAD, OPTIONS); a write is refused with 403 and
changes nothing. The mode is kept on the context because limits are counted per mode.
"""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.spec import extensions

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["default", "read-only"],
    "additionalProperties": False,
    "properties": {
        "header": {"type": "string"},
        "query": {"type": "string"},
        "default": {"type": "string"},
        "read-only": {"type": "array", "items": {"type": "string"}},
    },
}
extensions.FEATURE_SCHEMAS["access-modes"] = SCHEMA

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def mode_of(runtime: Any, request: Any) -> str | None:
    """The mode a request asks for (a read-only one wins), or the default; None if undeclared."""
    config = runtime.spec.config.features.get("access-modes")
    if not config:
        return None
    read_only = set(config["read-only"])
    asked = [
        value.strip().lower()
        for value in (
            request.headers.get(config["header"]) if config.get("header") else None,
            request.args.get(config["query"]) if config.get("query") else None,
        )
        if value
    ]
    return next((m for m in asked if m in read_only), asked[0] if asked else config["default"])


def step_for(runtime: Any, op: Any) -> Any:
    config = runtime.spec.config.features.get("access-modes")
    if not config:
        return None
    read_only = set(config["read-only"])
    writes = op.method not in READ_METHODS

    def step(ctx: RequestContext, proceed: Any) -> Reply:
        mode = mode_of(runtime, ctx.request)
        ctx.access_mode = mode
        if writes and mode in read_only:
            raise errors.forbidden(
                f"{op.method} is not allowed in {mode} mode: it serves reads only"
            )
        return proceed()

    return step
