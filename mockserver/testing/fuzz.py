"""Fuzz mode: the mock answers an operation with generated responses instead of its own.

A test programs, per operation, a *script* of canned answers served one per request in order and
then, optionally, a *collection* of items served page by page with the API's own paginator, so
any page the client asks for is consistent with the others (``totalItems``, ``next`` links...).
Once the script is used up and there is no collection, the real mock answers again.

Overrides hook into the Flask app (``before_request``), not the engine: the request is still
journaled, so conformance checks and ``verify`` see it, and nothing in the pipeline knows about
tests. Answers come from ``mockserver.testing.strategies``, so Hypothesis chooses them, shrinks a
failing script to the shortest one and replays it.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Flask
from flask import Response
from flask import request

from mockserver.errors import ApiError
from mockserver.handlers.context import RequestContext
from mockserver.pipeline import record
from mockserver.pipeline import render_error
from mockserver.profiles.paging import PageRequest
from mockserver.runtime import ApiRuntime
from mockserver.spec.model import Operation
from mockserver.validation.request import RequestValidator

EXTENSION = "mockserver.fuzz"


@dataclass(frozen=True)
class CannedResponse:
    """One HTTP answer, as a strategy draws it."""

    status: int
    body: Any = None  # a JSON value; None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"

    def to_response(self) -> Response:
        if self.body is None:
            response = Response(b"", status=self.status)
            response.headers.pop("Content-Type", None)
        else:
            data = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
            response = Response(data, status=self.status, content_type=self.content_type)
        for name, value in self.headers.items():
            response.headers[name] = value
        return response

    def __repr__(self) -> str:  # Hypothesis prints failing examples with this: keep it short
        body = json.dumps(self.body)[:80] if self.body is not None else "empty"
        return f"CannedResponse({self.status}, headers={self.headers}, body={body})"


@dataclass
class _Plan:
    script: deque[CannedResponse]
    items: list[Any] | None


class FuzzControl:
    """Per-app switchboard of overrides; installed once, cleared before each test."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._plans: dict[tuple[str, str], _Plan] = {}
        self._lock = threading.Lock()
        self._validators: dict[tuple[str, str], RequestValidator] = {}
        # Straight into the hook list: ``app.before_request`` refuses once the app has served a
        # request, and a session server has answered its health check before a test gets here.
        app.before_request_funcs.setdefault(None, []).append(self._serve)

    @classmethod
    def of(cls, app: Flask) -> FuzzControl:
        """The app's control, installed on first use."""
        found = app.extensions.get(EXTENSION)
        if found is None:
            found = app.extensions[EXTENSION] = cls(app)
        assert isinstance(found, FuzzControl)
        return found

    def runtime(self, api: str) -> ApiRuntime:
        runtime: ApiRuntime = self.app.extensions["mockserver"].runtimes[api]
        return runtime

    def respond(
        self,
        api: str,
        operation_id: str,
        script: list[CannedResponse] | tuple[CannedResponse, ...] = (),
        *,
        items: Sequence[Any] | None = None,
    ) -> None:
        """Serve ``script`` in order, then pages of ``items`` (if given), then the real mock."""
        self.runtime(api).operation_for(operation_id)  # KeyError now, not a silent no-op later
        with self._lock:
            self._plans[(api, operation_id)] = _Plan(
                deque(script), None if items is None else list(items)
            )

    def clear(self) -> None:
        with self._lock:
            self._plans.clear()

    def _next(self, key: tuple[str, str]) -> CannedResponse | list[Any] | None:
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                return None
            if plan.script:
                return plan.script.popleft()
            return plan.items

    def _serve(self) -> Response | None:
        endpoint = request.endpoint or ""
        if "." not in endpoint or not self._plans:
            return None
        api, operation_id = endpoint.split(".", 1)
        answer = self._next((api, operation_id))
        if answer is None:
            return None
        runtime = self.runtime(api)
        op = runtime.operation_for(operation_id)
        ctx = RequestContext(runtime, op, request, dict(request.view_args or {}))
        ctx.started = time.perf_counter()
        if isinstance(answer, CannedResponse):
            response = answer.to_response()
        else:
            response = self._page(runtime, op, ctx, answer)
        record(runtime, ctx, response)
        return response

    def _page(
        self, runtime: ApiRuntime, op: Operation, ctx: RequestContext, items: list[Any]
    ) -> Response:
        """The page of ``items`` this request asks for, in the API's envelope."""
        key = (runtime.spec.name, op.operation_id)
        if key not in self._validators:
            self._validators[key] = RequestValidator(op, runtime.views)
        try:
            params = self._validators[key].validate(request, ctx.view_args)
        except ApiError as error:  # a bad page request gets the mock's own 400
            ctx.error = error
            reply = render_error(runtime, error)
            return CannedResponse(reply.status, reply.body, reply.headers).to_response()
        paginator = runtime.paginator(op)
        page_request = PageRequest(
            query=params.query,
            args=list(request.args.items(multi=True)),
            locate=lambda: runtime.absolute_url(request.path),
        )
        window = paginator.window(page_request)
        chosen = items if window is None else items[window.offset : window.offset + window.limit]
        body = paginator.envelope(chosen, len(items), window, page_request)
        return CannedResponse(op.success_status(), body).to_response()
