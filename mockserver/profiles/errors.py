"""Error styles: how each vendor spells an error body.

An ``ApiError`` is vendor-neutral (status, message, violations). A style renders it into the body
that vendor's clients parse, and may move the status where the vendor's framework does (Laravel and
NestJS answer schema violations with 422, not 400). Styles are chosen by ``x-mock.errors``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from typing import Protocol

from mockserver.errors import ApiError
from mockserver.errors import Violation

SERVER_VERSION = "mockserver-0.1.0"


@dataclass(frozen=True)
class ErrorContext:
    path: str
    now: datetime


@dataclass(frozen=True)
class RenderedError:
    status: int
    body: Any  # JSON-able, or None for an empty body
    headers: dict[str, str]


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _field_name(violation: Violation) -> str:
    """A field key as frameworks report it: the first body pointer segment, or the param name."""
    if violation.location == "body":
        parts = [p for p in violation.field.split("/") if p]
        return ".".join(parts) if parts else "non_field_errors"
    return violation.field or violation.location


_REQUIRED = re.compile(r'^"(?P<name>[^"]+)" is a required property$')


def _keyed(violations: list[Violation], required: str | None = None) -> dict[str, list[str]]:
    """Messages by field. ``required`` (``{field}`` placeholder) rewords a missing member or
    parameter the way the framework does and files it under that name, as DRF and Laravel do."""
    keyed: dict[str, list[str]] = {}
    for violation in violations:
        field, message = _field_name(violation), violation.message
        missing = _REQUIRED.match(message) if required else None
        if missing and required:
            name = missing["name"]
            nested = violation.location == "body" and field != "non_field_errors"
            field = f"{field}.{name}" if nested else name
            message = required.format(field=name.replace("_", " "))
        keyed.setdefault(field, []).append(message)
    return keyed


class ErrorStyle(Protocol):
    def render(self, error: ApiError, ctx: ErrorContext) -> RenderedError: ...


class RobawsErrors:
    """Spring Boot's error attributes plus the ``correlationId``/``serverVersion`` Robaws adds."""

    def render(self, error: ApiError, ctx: ErrorContext) -> RenderedError:
        if error.empty_body:
            return RenderedError(error.status, None, dict(error.headers))
        body: dict[str, Any] = {
            "timestamp": ctx.now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "status": error.status,
            "error": reason(error.status),
            "message": error.message,
            "path": ctx.path,
            "correlationId": str(uuid.uuid4()),
            "serverVersion": SERVER_VERSION,
        }
        if error.violations:
            body["errors"] = [
                {"location": v.location, "field": v.field, "message": v.message}
                for v in error.violations
            ]
        return RenderedError(error.status, body, dict(error.headers))


class DrfErrors:
    """Django REST Framework: ``{"detail": ...}``, or field-keyed lists on a 400."""

    def render(self, error: ApiError, ctx: ErrorContext) -> RenderedError:
        if error.empty_body:
            return RenderedError(error.status, None, dict(error.headers))
        message = error.message
        if error.code == "unauthenticated":
            message = "Authentication credentials were not provided."
        elif error.code == "invalid_credentials":
            message = "Invalid API key."
        elif error.code == "not_found":
            message = "Not found."
        body: Any = {"detail": message}
        if error.status == 400 and error.violations:
            body = _keyed(error.violations, "This field is required.")
        return RenderedError(error.status, body, dict(error.headers))


class LaravelErrors:
    """Laravel: ``{"message": ...}``; validation is 422 with ``errors`` keyed by field."""

    def render(self, error: ApiError, ctx: ErrorContext) -> RenderedError:
        if error.empty_body:
            return RenderedError(error.status, None, dict(error.headers))
        status = error.status
        message = error.message
        if error.code in ("unauthenticated", "invalid_credentials"):
            message = "Unauthenticated."  # Laravel's AuthenticationException, whatever the cause
        body: dict[str, Any] = {"message": message}
        if any(v.location == "path" for v in error.violations):
            # route-model binding runs before validation: a bad id is simply not found
            return RenderedError(404, {"message": "Not Found"}, dict(error.headers))
        if error.violations and error.code in ("bad_request", "unprocessable"):
            status = 422
            errors = _keyed(error.violations, "The {field} field is required.")
            body = {"message": "The given data was invalid.", "errors": errors}
        return RenderedError(status, body, dict(error.headers))


_REQUIRED = re.compile(r'^"(?P<name>[^"]+)" is a required property$')
_UNEXPECTED = re.compile(
    r"^Additional properties are not allowed \((?P<names>.+) (was|were) unexpected\)$"
)


def _nest_messages(violation: Violation) -> list[str]:
    """class-validator's wording: ``email should not be empty``, ``property x should not exist``."""
    parts = [p for p in violation.field.split("/") if p] if violation.location == "body" else []
    prefix = "".join(f"{p}." for p in parts)
    if violation.location == "body":
        if found := _REQUIRED.match(violation.message):
            return [f"{prefix}{found['name']} should not be empty"]
        if found := _UNEXPECTED.match(violation.message):
            names = re.findall(r"'([^']*)'", found["names"])
            return [f"property {prefix}{name} should not exist" for name in names]
        if not parts:
            return [violation.message]
    return [f"{_field_name(violation)} {violation.message}"]


class NestErrors:
    """NestJS HttpException ``{statusCode, error, message}``; validation lists each failure."""

    def render(self, error: ApiError, ctx: ErrorContext) -> RenderedError:
        if error.empty_body:
            return RenderedError(error.status, None, dict(error.headers))
        status = error.status
        message: Any = error.message
        if status == 401:
            message = "Invalid or expired token"  # the documented 401 body (Installer.com I-AUTH)
        if error.violations and error.code in ("bad_request", "unprocessable"):
            status = 422 if any(v.location == "body" for v in error.violations) else 400
            message = [m for v in error.violations for m in _nest_messages(v)]
        body = {"statusCode": status, "error": reason(status), "message": message}
        return RenderedError(status, body, dict(error.headers))


ERROR_STYLES: dict[str, ErrorStyle] = {
    "robaws": RobawsErrors(),
    "drf": DrfErrors(),
    "laravel": LaravelErrors(),
    "nestjs": NestErrors(),
}
