"""``ApiRuntime``: one API compiled for serving: its validators, handlers, paginators and services.

Built once at start-up from an ``ApiSpec``; a request only looks things up here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from flask import request

from mockserver.auth.authenticate import Authenticator
from mockserver.auth.credentials import CredentialBook
from mockserver.events import Event
from mockserver.events import event_types_for
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import Handler
from mockserver.handlers.registry import resolve_handler
from mockserver.profiles.errors import ERROR_STYLES
from mockserver.profiles.errors import ErrorStyle
from mockserver.profiles.paging import Paginator
from mockserver.profiles.paging import paginator_for
from mockserver.spec.model import ApiSpec
from mockserver.spec.model import Operation
from mockserver.state.resources import Change
from mockserver.state.resources import Resources
from mockserver.validation.schemas import SchemaViews

if TYPE_CHECKING:
    from mockserver.engine import MockEngine

ChangeListener = Callable[[RequestContext, list[Change]], None]


class ApiRuntime:
    def __init__(self, spec: ApiSpec, engine: MockEngine, fixtures_dir: Path) -> None:
        self.spec = spec
        self.engine = engine
        self.fixtures_dir = fixtures_dir
        self.prefix = f"/{spec.name}"
        self.views = SchemaViews(spec.document)
        self.book = CredentialBook.load(fixtures_dir / "tenants.yaml")
        self.authenticator = Authenticator(spec, self.book, engine.store, engine.clock)
        self.resources = Resources(spec, engine.store, engine.clock, self.views)
        self.errors: ErrorStyle = ERROR_STYLES[spec.config.errors]
        self._default_paginator = paginator_for(spec.config.pagination)
        self._paginators: dict[str, Paginator] = {
            op.operation_id: paginator_for(op.binding.pagination)
            for op in spec.operations
            if op.binding.pagination is not None
        }
        self.handlers: dict[str, Handler] = {
            op.operation_id: resolve_handler(op) for op in spec.operations
        }
        self.change_listeners: list[ChangeListener] = []
        self.extensions: dict[str, Any] = {}  # per-API state owned by features

    @property
    def store(self) -> Any:
        return self.engine.store

    @property
    def clock(self) -> Any:
        return self.engine.clock

    def paginator(self, op: Operation) -> Paginator:
        return self._paginators.get(op.operation_id, self._default_paginator)

    def absolute_url(self, path: str) -> str:
        """A URL on this mock, as the client reached it (links in paging envelopes)."""
        return request.host_url.rstrip("/") + path

    def base_url(self, host_url: str) -> str:
        return host_url.rstrip("/") + self.prefix

    def operation_for(self, operation_id: str) -> Operation:
        return self.spec.operation(operation_id)

    def notify_changes(self, ctx: RequestContext) -> None:
        """After a successful write: change listeners, then one event per declared event name."""
        if not ctx.changes:
            return
        for listener in self.change_listeners:
            listener(ctx, ctx.changes)
        tenant = ctx.principal.tenant if ctx.principal else None
        for change in ctx.changes:
            resource = self.spec.resources.get(change.resource)
            if resource is None:
                continue
            names = event_types_for(resource.events, change)
            if not names:
                continue
            doc = change.after if change.after is not None else change.before
            assert doc is not None
            data = self.resources.render(tenant or "", change.resource, doc, {})
            for name in names:
                self.engine.events.emit(
                    Event(self.spec.name, tenant, name, data, self.clock.now(), change.resource)
                )
