"""What a handler receives (``RequestContext``) and what it returns (``Reply``)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING
from typing import Any

from flask import Request

from mockserver import errors
from mockserver.auth.credentials import Principal
from mockserver.spec.model import Operation
from mockserver.state.resources import Change
from mockserver.validation.request import ValidatedRequest

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime


@dataclass
class Reply:
    status: int
    body: Any = None  # JSON-able; None for no content
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None  # default: the spec's media type for this status, else JSON
    raw: bytes | None = None  # a non-JSON body, sent as is


@dataclass
class RequestContext:
    runtime: ApiRuntime
    operation: Operation
    request: Request
    view_args: dict[str, str]
    principal: Principal | None = None
    params: ValidatedRequest = field(default_factory=ValidatedRequest)
    response_headers: dict[str, str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    started: float = 0.0
    access_mode: str | None = None  # e.g. Robaws' "live" / "replica" (features/access_modes.py)
    forced_429: bool = False  # fault injection asks the limiter to deny this request
    error: errors.ApiError | None = None  # why the request was refused, for the journal

    @property
    def tenant(self) -> str:
        if self.principal is None:
            raise errors.unauthenticated()
        return self.principal.tenant

    @property
    def api(self) -> str:
        return self.runtime.spec.name

    def record(self, change: Change) -> Change:
        """Remember a write so events can be emitted once the request has succeeded."""
        self.changes.append(change)
        return change
