"""Errors raised by the mock.

Two families, never mixed:

- ``ApiError`` and its subclasses are answers to a client: each becomes one HTTP response, rendered
  in the vendor's own error shape by the API's error style (``mockserver/profiles/errors.py``).

  - ``BadRequest`` (400): malformed or schema-invalid input; carries ``violations``
  - ``Unauthenticated`` (401), ``Forbidden`` (403), ``NotFound`` (404)
  - ``MethodNotAllowed`` (405, with ``Allow``), ``UnsupportedMediaType`` (415)
  - ``Conflict`` (409), ``Unprocessable`` (422), ``TooManyRequests`` (429)
  - ``InjectedFault`` (5xx chosen by fault injection)

- ``MockServerError`` subclasses ending in ``Error`` are mistakes in specs, seed data or settings,
  found at start-up (``SpecLoadError``, ``SeedError``, ``ConfigError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field


class MockServerError(Exception):
    """Root of the errors about the mock's own configuration."""


class SpecLoadError(MockServerError):
    """A spec is invalid or uses an x-mock extension wrongly; the message names the pointer."""


class SeedError(MockServerError):
    """Seed data cannot be loaded or generated."""


class ConfigError(MockServerError):
    """Settings are inconsistent."""


@dataclass(frozen=True)
class Violation:
    """One reason a request was rejected: where, which field, and the rule broken."""

    location: str  # body | query | path | header
    field: str  # parameter name, or JSON pointer into the body ("" for the whole body)
    message: str


@dataclass
class ApiError(Exception):
    """An HTTP error answer; the API's error style turns it into the vendor's body."""

    status: int
    message: str
    violations: list[Violation] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    code: str | None = None  # machine-readable reason for styles that carry one
    empty_body: bool = False  # e.g. Spring Cloud Gateway's 429

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def bad_request(message: str, violations: list[Violation] | None = None) -> ApiError:
    return ApiError(400, message, violations or [], code="bad_request")


def unauthenticated(
    message: str = "Full authentication is required to access this resource",
) -> ApiError:
    return ApiError(401, message, code="unauthenticated")


def forbidden(message: str) -> ApiError:
    return ApiError(403, message, code="forbidden")


def not_found(message: str = "Not found") -> ApiError:
    return ApiError(404, message, code="not_found")


def method_not_allowed(allowed: list[str]) -> ApiError:
    return ApiError(
        405, "Method not allowed", headers={"Allow": ", ".join(allowed)}, code="method_not_allowed"
    )


def unsupported_media_type(content_type: str, supported: list[str]) -> ApiError:
    message = (
        f"Content type '{content_type or '(none)'}' is not supported; use one of: "
        + ", ".join(supported)
    )
    return ApiError(415, message, code="unsupported_media_type")


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, message, code=code)


def unprocessable(message: str, violations: list[Violation] | None = None) -> ApiError:
    return ApiError(422, message, violations or [], code="unprocessable")
