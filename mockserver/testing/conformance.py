"""Client conformance: does every request a client sent follow the spec? Plus WireMock-style verify.

``ConformanceChecker`` replays each journal entry's request through the same ``RequestValidator``
the mock answers with (no second validator), plus the checks a server must not enforce but a
contract test should: query parameters the operation does not declare, and missing credentials.
It checks the *request*, whatever was answered, so a client that swallows a 400 (or was served a
fuzzed answer) is still caught.

``JournalQuery.verify`` asserts how often an operation was called and with what, and explains a
mismatch by listing the calls it did see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import Flask
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from mockserver.engine import MockEngine
from mockserver.errors import ApiError
from mockserver.journal import JournalEntry
from mockserver.runtime import ApiRuntime
from mockserver.spec.model import Operation
from mockserver.validation.request import RequestValidator

_HOP_HEADERS = ("host", "content-length")


@dataclass(frozen=True)
class ContractViolation:
    """One way one request broke the spec."""

    request: str  # "POST /robaws/api/v2/clients?x=1" as sent
    operation: str  # "createClient (POST /api/v2/clients)", or "undocumented endpoint"
    location: str  # path | query | header | body | endpoint
    field: str
    rule: str

    def __str__(self) -> str:
        where = f"{self.location} {self.field}".strip()
        return f"{self.operation}: {where}: {self.rule}\n      request: {self.request}"


class ContractViolations(AssertionError):
    """Raised at the end of a strict test; the message lists every violation."""

    def __init__(self, violations: list[ContractViolation]) -> None:
        self.violations = violations
        lines = [f"the client broke the API contract {len(violations)} time(s):"]
        lines += [f"  {n}. {v}" for n, v in enumerate(violations, 1)]
        super().__init__("\n".join(lines))


def rebuild_request(entry: JournalEntry) -> Request:
    """The request of a journal entry, as Werkzeug would have parsed it."""
    headers = [(k, v) for k, v in entry.request_headers.items() if k.lower() not in _HOP_HEADERS]
    body = entry.request_body
    data = body.encode("utf-8") if isinstance(body, str) else body
    builder = EnvironBuilder(
        path=entry.path, method=entry.method, query_string=entry.query, headers=headers, data=data
    )
    try:
        return Request(builder.get_environ())
    finally:
        builder.close()


def _declared_query_names(runtime: ApiRuntime, op: Operation) -> set[str]:
    """Query parameters, and the query API keys of the operation's security schemes."""
    names = {p.name for p in op.parameters if p.location == "query"}
    schemes = runtime.spec.security_schemes
    for alternative in op.security:
        for scheme_name in alternative:
            scheme = schemes.get(scheme_name, {})
            if scheme.get("type") == "apiKey" and scheme.get("in") == "query":
                names.add(str(scheme.get("name", "")))
    return names


def _query_base(name: str) -> str:
    """``extraFields[Contact via]`` -> ``extraFields`` (deepObject members)."""
    return name.split("[", 1)[0] if name.endswith("]") else name


class ConformanceChecker:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.engine: MockEngine = app.extensions["mockserver"]
        self._validators: dict[tuple[str, str], RequestValidator] = {}

    def _validator(self, runtime: ApiRuntime, op: Operation) -> RequestValidator:
        key = (runtime.spec.name, op.operation_id)
        if key not in self._validators:
            self._validators[key] = RequestValidator(op, runtime.views)
        return self._validators[key]

    def check(self, entries: list[JournalEntry] | None = None) -> list[ContractViolation]:
        found: list[ContractViolation] = []
        for entry in self.engine.journal.entries() if entries is None else entries:
            problems = self.check_entry(entry)
            # Shown by GET /__admin/requests too, so a user can see them outside pytest; added to
            # the reasons the mock refused the request with (same shape), without repeats.
            found_here = [
                {"location": p.location, "field": p.field, "message": p.rule} for p in problems
            ]
            added = [v for v in found_here if v not in entry.violations]
            if added:
                entry.violations = entry.violations + added
                self.engine.journal.amend(entry)  # a shared journal keeps copies: write it back
            found.extend(problems)
        return found

    def check_entry(self, entry: JournalEntry) -> list[ContractViolation]:
        sent = entry.method + " " + entry.path + (f"?{entry.query}" if entry.query else "")
        runtime = self.engine.runtime_for_path(entry.path)
        if runtime is None:
            return []
        adapter = self.app.url_map.bind("mock.invalid")
        try:
            endpoint, view_args = adapter.match(entry.path, method=entry.method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            rule = f"{entry.method} is not documented for this path (documented: {allowed})"
            return [ContractViolation(sent, "undocumented operation", "endpoint", "", rule)]
        except (NotFound, RequestRedirect):
            rule = "no operation in the spec matches this path"
            return [ContractViolation(sent, "undocumented endpoint", "endpoint", "", rule)]
        operation_id = str(endpoint).split(".", 1)[1]
        if operation_id.startswith("__"):  # the served spec documents, not an operation
            return []
        op = runtime.operation_for(operation_id)
        name = f"{op.operation_id} ({op.label})"
        request = rebuild_request(entry)
        problems: list[tuple[str, str, str]] = []
        declared = _declared_query_names(runtime, op)
        for key in dict.fromkeys(request.args.keys()):
            if _query_base(key) not in declared:
                problems.append(("query", key, "parameter is not documented for this operation"))
        problems.extend(self._credential_problems(runtime, op, request))
        try:
            self._validator(runtime, op).validate(request, view_args)
        except ApiError as error:
            if error.violations:
                problems.extend((v.location, v.field, v.message) for v in error.violations)
            elif error.status == 415:
                problems.append(("header", "Content-Type", error.message))
            else:
                problems.append(("request", "", error.message))
        return [ContractViolation(sent, name, loc, fld, rule) for loc, fld, rule in problems]

    @staticmethod
    def _credential_problems(
        runtime: ApiRuntime, op: Operation, request: Request
    ) -> list[tuple[str, str, str]]:
        """Presence only: whether credentials are *valid* is the mock's 401, not the contract."""
        if not op.security:
            return []
        schemes = runtime.spec.security_schemes
        for alternative in op.security:
            if not alternative:
                return []  # {} is "anonymous allowed"
            if all(_carries(schemes.get(name, {}), request) for name in alternative):
                return []
        names = " or ".join("+".join(alt) for alt in op.security)
        return [("header", "Authorization", f"no credentials for any security scheme ({names})")]


def _carries(scheme: dict[str, Any], request: Request) -> bool:
    kind = scheme.get("type")
    if kind == "apiKey":
        where = {"header": request.headers, "query": request.args, "cookie": request.cookies}
        return scheme.get("name", "") in where.get(scheme.get("in", "header"), {})
    return "Authorization" in request.headers  # http basic/bearer, oauth2, openIdConnect


# verify ------------------------------------------------------------------------------------------


def contains(actual: Any, expected: Any) -> bool:
    """``expected`` is a sub-document of ``actual``: objects by subset, everything else equal."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    return bool(actual == expected)


def _json_body(entry: JournalEntry) -> Any:
    raw = entry.request_body
    try:
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except ValueError:
        return None


class JournalQuery:
    """Ask the journal what a client did: ``requests(...)`` and ``verify(...)``."""

    def __init__(self, engine: MockEngine) -> None:
        self.engine = engine

    def _matches_operation(self, entry: JournalEntry, api: str, operation: str) -> bool:
        if entry.api != api:
            return False
        if " " not in operation:  # an operationId
            return entry.operation_id == operation
        method, path = operation.split(" ", 1)
        if entry.method != method.upper():
            return False
        runtime = self.engine.runtimes[api]
        if entry.operation_id is not None:
            template = runtime.operation_for(entry.operation_id).path
            if path == template:
                return True
        return entry.path in (path, runtime.prefix + path)

    def requests(
        self,
        api: str,
        operation: str,
        *,
        json_contains: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """Calls of ``operation`` ("POST /api/v2/clients", a concrete path, or an operationId)."""
        found = []
        for entry in self.engine.journal.entries(api=api):
            if not self._matches_operation(entry, api, operation):
                continue
            if status is not None and entry.status != status:
                continue
            if json_contains is not None and not contains(_json_body(entry), json_contains):
                continue
            if query is not None:
                args = rebuild_request(entry).args
                if any(args.get(k) != str(v) for k, v in query.items()):
                    continue
            if headers is not None:
                sent = {k.lower(): v for k, v in entry.request_headers.items()}
                if any(sent.get(k.lower()) != v for k, v in headers.items()):
                    continue
            found.append(entry)
        return found

    def verify(
        self,
        api: str,
        operation: str,
        *,
        times: int | None = None,
        at_least: int | None = None,
        json_contains: Any = None,
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> list[JournalEntry]:
        """Assert the call count (exactly ``times``, or ``at_least``; default at least once)."""
        found = self.requests(
            api, operation, json_contains=json_contains, query=query, headers=headers, status=status
        )
        if times is not None:
            ok, wanted = len(found) == times, f"exactly {times}"
        else:
            least = 1 if at_least is None else at_least
            ok, wanted = len(found) >= least, f"at least {least}"
        if ok:
            return found
        filters = {
            "json containing": json_contains,
            "query": query,
            "headers": headers,
            "status": status,
        }
        described = ", ".join(f"{k} {v!r}" for k, v in filters.items() if v is not None)
        lines = [
            f"expected {api} {operation} to be called {wanted} time(s)"
            + (f" with {described}" if described else "")
            + f", but it was called {len(found)} time(s)."
        ]
        seen = self.requests(api, operation)
        lines.append(f"All {len(seen)} call(s) of {operation}:" if seen else "It was never called.")
        for entry in seen:
            body = entry.to_json()["request_body"]
            query_text = f"?{entry.query}" if entry.query else ""
            lines.append(f"  #{entry.id} {entry.method} {entry.path}{query_text} -> {entry.status}")
            if body:
                lines.append(f"      body: {body[:300]}")
        raise AssertionError("\n".join(lines))
