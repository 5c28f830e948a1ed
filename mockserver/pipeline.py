"""The life of one request, in one list (``STEPS``), and the view that runs it.

Each step is ``step(ctx, proceed) -> Reply``: it may answer at once (a 429, a replayed response),
raise an ``ApiError``, or call ``proceed()`` and look at what comes back. A step factory sees the
runtime and the operation at start-up and returns ``None`` when the step has nothing to do for
that operation, so a request only pays for the steps its spec declares.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Response
from flask import request

from mockserver import errors
from mockserver.errors import ApiError
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.journal import JournalEntry
from mockserver.journal import error_fields
from mockserver.profiles.errors import ErrorContext
from mockserver.runtime import ApiRuntime
from mockserver.spec.model import Operation
from mockserver.validation.request import RequestValidator
from mockserver.validation.response import ResponseValidator

log = logging.getLogger("mockserver")

Proceed = Callable[[], Reply]
Step = Callable[[RequestContext, Proceed], Reply]
StepFactory = Callable[[ApiRuntime, Operation], Step | None]


def authenticate(runtime: ApiRuntime, op: Operation) -> Step | None:
    if not op.security:
        return None

    def step(ctx: RequestContext, proceed: Proceed) -> Reply:
        ctx.principal = runtime.authenticator.authenticate(op, ctx.request)
        return proceed()

    return step


def validate(runtime: ApiRuntime, op: Operation) -> Step:
    validator = RequestValidator(op, runtime.views)

    def step(ctx: RequestContext, proceed: Proceed) -> Reply:
        ctx.params = validator.validate(ctx.request, ctx.view_args)
        return proceed()

    return step


def _steps() -> list[StepFactory]:
    """The pipeline, in order. Features own their factories; this list owns the order."""
    from mockserver.features import access_modes
    from mockserver.features import faults
    from mockserver.features import idempotency
    from mockserver.features import ratelimit

    return [
        faults.step_for,  # injected latency, 5xx, 429s, dropped connections
        authenticate,  # 401/403
        ratelimit.step_for,  # 429, and the limit headers on every answer
        access_modes.step_for,  # read-only modes (Robaws' Database-Mode: replica)
        validate,  # 400/415 with every violation
        idempotency.step_for,  # replay, 409 in flight, 422 on a changed request
    ]


def build_chain(runtime: ApiRuntime, op: Operation) -> Callable[[RequestContext], Reply]:
    steps = [step for factory in _steps() if (step := factory(runtime, op)) is not None]
    handler = runtime.handlers[op.operation_id]

    def run(ctx: RequestContext, index: int = 0) -> Reply:
        if index == len(steps):
            return handler(ctx)
        return steps[index](ctx, lambda: run(ctx, index + 1))

    return run


# responses ---------------------------------------------------------------------------------------


def render_error(runtime: ApiRuntime | None, error: ApiError) -> Reply:
    now = datetime.now(UTC) if runtime is None else runtime.clock.datetime()
    if runtime is None:
        body = None if error.empty_body else {"message": error.message, "status": error.status}
        return Reply(error.status, body, dict(error.headers))
    rendered = runtime.errors.render(error, ErrorContext(path=request.path, now=now))
    return Reply(rendered.status, rendered.body, rendered.headers)


def _media_type(op: Operation | None, status: int) -> str | None:
    if op is None:
        return None
    response = op.responses.get(str(status)) or op.responses.get(f"{str(status)[0]}XX") or {}
    content = response.get("content") or {}
    return next(iter(content), None)


def to_response(reply: Reply, op: Operation | None, extra_headers: dict[str, str]) -> Response:
    headers = {**extra_headers, **reply.headers}
    if reply.raw is not None:
        data = reply.raw
    elif reply.body is None:
        data = b""
    else:
        data = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    response = Response(data, status=reply.status)
    if data:
        content_type = reply.content_type or _media_type(op, reply.status) or "application/json"
        response.headers["Content-Type"] = content_type
    else:
        response.headers.pop("Content-Type", None)
    for name, value in headers.items():
        response.headers[name] = value
    return response


# the view ----------------------------------------------------------------------------------------


def make_view(runtime: ApiRuntime, op: Operation) -> Callable[..., Response]:
    chain = build_chain(runtime, op)
    checker = (
        ResponseValidator(op, runtime.views) if runtime.engine.settings.validate_responses else None
    )

    def view(**view_args: str) -> Response:
        ctx = RequestContext(runtime, op, request, view_args, started=time.perf_counter())
        reply = run_safely(runtime, ctx, chain)
        if 200 <= reply.status < 300:
            runtime.notify_changes(ctx)
        response = to_response(reply, op, ctx.response_headers)
        if checker is not None:
            runtime.engine.internal_errors.extend(
                checker.problems(response.status_code, response.content_type, response.get_data())
            )
        record(runtime, ctx, response)
        return response

    view.__name__ = f"{runtime.spec.name}_{op.operation_id}"
    return view


def run_safely(
    runtime: ApiRuntime, ctx: RequestContext, chain: Callable[[RequestContext], Reply]
) -> Reply:
    """Run the chain; every failure becomes an answer in the API's own error shape."""
    try:
        reply = chain(ctx)
    except ApiError as error:
        ctx.error = error  # kept for the journal: why the request was refused
        return render_error(runtime, error)
    except Exception as exc:  # a bug in the mock: answer 500 in the vendor's shape, keep the trace
        log.exception("unhandled error in %s %s", ctx.operation.method, ctx.operation.path)
        runtime.engine.internal_errors.append(f"{ctx.operation.label}: {exc!r}")
        ctx.error = ApiError(500, "Internal error in the mock server")
        return render_error(runtime, ctx.error)
    if reply.headers.get("X-Mock-Fault") == "drop":  # features/faults.py cuts this one short
        ctx.error = ApiError(reply.status, "Injected fault: connection dropped", code="dropped")
    return reply


def record(
    runtime: ApiRuntime | None,
    ctx: RequestContext | None,
    response: Response,
    error: ApiError | None = None,
) -> None:
    """Journal the exchange and count it on the traffic meter; ``error`` (else ``ctx.error``) says
    why the mock refused it."""
    if runtime is None:  # a path outside every API: nothing to journal it under
        return
    engine = runtime.engine
    started = ctx.started if ctx else time.perf_counter()
    body = response.get_data() if not response.direct_passthrough else b""
    refused, violations = error_fields(
        error or (ctx.error if ctx else None), injected=bool(ctx and ctx.forced_429)
    )
    engine.traffic.count(runtime.spec.name, response.status_code)
    engine.journal.record(
        JournalEntry(
            id=0,  # assigned by the journal as it records
            at=runtime.clock.datetime().isoformat().replace("+00:00", "Z"),
            api=runtime.spec.name,
            operation_id=ctx.operation.operation_id if ctx else None,
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            request_headers=dict(request.headers),
            request_body=request.get_data(cache=True),
            status=response.status_code,
            response_headers=dict(response.headers),
            response_body=body,
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            tenant=ctx.principal.tenant if ctx and ctx.principal else None,
            violations=violations,
            error=refused,
        )
    )


def routing_error(exc: Any) -> ApiError:
    """The ``ApiError`` for a routing 404/405 (Allow header on 405) or another HTTP error."""
    code = getattr(exc, "code", 404)
    if code == 405:
        return errors.method_not_allowed(sorted(getattr(exc, "valid_methods", None) or []))
    if code == 404:
        return errors.not_found(f"No endpoint {request.method} {request.path}")
    return ApiError(code, getattr(exc, "description", "Error"))


def routing_error_reply(runtime: ApiRuntime | None, exc: Any) -> Reply:
    """404/405 from routing, in the API's own shape."""
    return render_error(runtime, routing_error(exc))
