"""The control API under ``/__admin/`` (described by ``mockserver/admin_openapi.yaml``)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request

from mockserver.engine import MockEngine
from mockserver.journal import FULL_BODY_LIMIT
from mockserver.profiles.formats import parse_timestamp
from mockserver.runtime import ApiRuntime

ADMIN_SPEC = Path(__file__).with_name("admin_openapi.yaml")

blueprint = Blueprint("admin", __name__, url_prefix="/__admin")


def engine() -> MockEngine:
    found: MockEngine = current_app.extensions["mockserver"]
    return found


def problem(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"status": status, "message": message}), status


def sample_path(runtime: ApiRuntime, scheme: str | None = None) -> str:
    """A GET without path parameters the credential's scheme opens (a list if there is one), for
    the ready-to-paste curl line."""

    def opens(op: Any) -> bool:
        return scheme is None or any(scheme in alternative for alternative in op.security)

    candidates = [op for op in runtime.spec.operations if op.method == "GET" and opens(op)]
    for op in candidates:
        if op.binding.action == "list" and "{" not in op.path:
            return op.path
    for op in candidates:
        if "{" not in op.path:
            return op.path
    return next((op.path for op in runtime.spec.operations if op.method == "GET"), "/")


def curl_line(runtime: ApiRuntime, credential: dict[str, Any], base: str) -> str:
    url = base + sample_path(runtime, credential.get("scheme"))
    scheme = runtime.spec.security_schemes.get(credential.get("scheme", ""), {})
    kind = runtime.authenticator.kinds.get(credential.get("scheme", ""))
    if kind == "basic":
        return f"curl -u '{credential['username']}:{credential['password']}' '{url}'"
    if kind == "api-key" and scheme.get("in") == "query":
        return f"curl '{url}?{scheme.get('name', 'api_key')}={credential['key']}'"
    if kind == "api-key":
        return f"curl -H '{scheme.get('name')}: {credential['key']}' '{url}'"
    return f"curl -H 'Authorization: Bearer {credential.get('token', '')}' '{url}'"


def credentials_of(runtime: ApiRuntime, host_url: str) -> dict[str, Any]:
    base = runtime.base_url(host_url)
    return {
        "title": runtime.spec.config.title,
        "baseUrl": base,
        "specUrl": f"{base}/openapi.json",
        "tenants": [
            {
                "id": tenant.id,
                "name": tenant.name,
                "credentials": [
                    {**cred, "curl": curl_line(runtime, cred, base)} for cred in tenant.credentials
                ],
                "users": tenant.users,
            }
            for tenant in runtime.book.tenants
        ],
        "oauthClients": [
            {
                "client_id": c.client_id,
                "client_secret": c.client_secret,
                "tenant": c.tenant,
                "redirect_uris": list(c.redirect_uris),
                "scopes": list(c.scopes),
            }
            for c in runtime.book.clients.values()
        ],
    }


@blueprint.get("/health")
def health() -> Response:
    settings = engine().settings
    return jsonify(
        {
            "status": "ok",
            "apis": list(engine().runtimes),
            "store": settings.store,
            "sharedRuntime": settings.shared_runtime,  # several workers: see docs/stores.md
            "pid": os.getpid(),
        }
    )


@blueprint.get("/credentials")
def credentials() -> Response:
    return jsonify(
        {name: credentials_of(rt, request.host_url) for name, rt in engine().runtimes.items()}
    )


@blueprint.post("/reset")
def reset() -> Response | tuple[Response, int]:
    wanted = request.args.getlist("api") or None
    unknown = [a for a in wanted or [] if a not in engine().runtimes]
    if unknown:
        return problem(400, f"unknown api: {', '.join(unknown)}")
    return jsonify({"reset": engine().reset(wanted)})


STATUS = re.compile(r"[1-5][0-9][0-9]|[2-5][xX][xX]")  # a status code or a class, as in the spec


def query_int(raw: str) -> int:
    """An integer query value; ``3600.0`` and ``1e3`` are integers too in JSON Schema's eyes."""
    try:
        return int(raw)
    except ValueError:
        value = float(raw)  # ValueError again if it is no number at all
        if not value.is_integer():
            raise ValueError(f"{raw!r} is not an integer") from None
        return int(value)


@blueprint.get("/requests")
def requests_journal() -> Response | tuple[Response, int]:
    args = request.args
    raw_status = args.get("status")
    if raw_status is not None and not STATUS.fullmatch(raw_status):
        return problem(400, "status must be a status code (100-599) or a class: 2xx|3xx|4xx|5xx")
    is_class = raw_status is not None and raw_status[1:].lower() == "xx"
    status = int(raw_status) if raw_status is not None and not is_class else None
    status_class = int(raw_status[0]) if raw_status is not None and is_class else None
    try:
        limit = query_int(args["limit"]) if "limit" in args else None
        after = query_int(args["after"]) if "after" in args else None
    except ValueError:
        return problem(400, "limit and after must be integers")
    if (limit is not None and limit < 1) or (after is not None and after < 0):
        return problem(400, "limit must be at least 1 and after not negative")
    journal = engine().journal
    latest = journal.latest  # read first: what is recorded during the scan, the next poll finds
    found = journal.entries(
        api=args.get("api"),
        operation_id=args.get("operationId"),
        method=args.get("method"),
        path=args.get("path"),
        status=status,
        limit=limit,
        after=after,
        status_class=status_class,
        text=args.get("q") or None,
    )
    if found:  # ...unless this scan already returned it (ids grow along the journal)
        latest = max(latest, found[-1].id)
    return jsonify(
        {"count": len(found), "latest": latest, "requests": [e.to_json() for e in found]}
    )


@blueprint.get("/requests/<int:entry_id>")
def journal_entry(entry_id: int) -> Response | tuple[Response, int]:
    entry = engine().journal.get(entry_id)
    if entry is None:
        return problem(404, f"no request {entry_id} in the journal (it keeps the latest ones)")
    from mockserver.testing.conformance import ConformanceChecker  # the plugin's module

    contract = ConformanceChecker(current_app).check_entry(entry)
    detail = entry.to_json(body_limit=FULL_BODY_LIMIT)
    return jsonify({**detail, "contract": [asdict(v) for v in contract]})


@blueprint.delete("/requests")
def clear_requests() -> tuple[str, int]:
    engine().journal.clear()
    return "", 204


@blueprint.get("/clock")
def clock_state() -> Response:
    return jsonify(engine().clock.state())


@blueprint.post("/clock")
def clock_control() -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return problem(400, "expected a JSON object: {freeze, at, advance, resume}")
    clock = engine().clock
    at = body.get("at")
    if at is not None:
        moment = parse_timestamp(str(at)) if isinstance(at, str) else None
        if moment is None:
            return problem(400, "at must be an ISO-8601 date-time")
        clock.freeze(moment.timestamp())
    elif body.get("freeze"):
        clock.freeze()
    advance = body.get("advance", 0)
    if not isinstance(advance, int | float) or isinstance(advance, bool) or advance < 0:
        return problem(400, "advance must be a non-negative number of seconds")
    if advance:
        clock.advance(float(advance))
    if body.get("resume"):
        clock.resume()
    return jsonify(clock.state())


@blueprint.get("/openapi.json")
def admin_spec() -> Response:
    document = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
    document["servers"] = [{"url": request.host_url.rstrip("/")}]
    return Response(json.dumps(document), mimetype="application/json")


# Routes of features that live in their own packages register on this blueprint.
from mockserver import admin_dashboard as _dashboard_routes  # noqa: E402, F401
from mockserver import ui as _ui  # noqa: E402, F401
from mockserver.webhooks import admin_routes as _webhook_routes  # noqa: E402, F401
