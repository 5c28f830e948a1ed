"""``/__admin/webhook-*``: subscribe any API, emit an event, read the journal, redeliver.

Registered on the admin blueprint (``mockserver/admin.py`` imports this module); described in
``mockserver/admin_openapi.yaml``. Bad input is a 400 that changes nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response
from flask import jsonify
from flask import request

from mockserver.admin import blueprint
from mockserver.admin import engine
from mockserver.admin import problem
from mockserver.events import Event
from mockserver.webhooks.journal import FILTERS
from mockserver.webhooks.registry import ANY_EVENT
from mockserver.webhooks.service import WebhookService
from mockserver.webhooks.service import collected

Answer = Response | tuple[Response, int]


def service() -> WebhookService:
    return engine().webhooks


def _json_object() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _check_api(api: Any) -> str | None:
    """None when ``api`` declares webhooks, else the problem to report."""
    if not isinstance(api, str) or api not in engine().runtimes:
        return f"api must be one of: {', '.join(engine().runtimes)}"
    if api not in service().configs:
        return f"api {api} declares no x-mock.webhooks"
    return None


def _check_tenant(api: str, tenant: Any) -> str | None:
    if tenant is None:
        return None
    known = [t.id for t in engine().runtimes[api].book.tenants]
    if tenant not in known:
        return f"tenant must be one of: {', '.join(known)}"
    return None


def _api_request(members: set[str], usage: str) -> tuple[dict[str, Any], str | None]:
    """The JSON body of an admin call naming an API (maybe a tenant), or what is wrong."""
    body = _json_object()
    if body is None:
        return {}, f"expected a JSON object: {usage}"
    unknown = set(body) - members
    if unknown:
        return body, f"unknown members: {', '.join(sorted(unknown))}"
    return body, _check_api(body.get("api")) or _check_tenant(body["api"], body.get("tenant"))


@blueprint.post("/webhook-subscriptions")
def create_subscription() -> Answer:
    body, wrong = _api_request(
        {"api", "url", "events", "tenant", "disableAfter"},
        "{api, url, events, tenant?, disableAfter?}",
    )
    if wrong is not None:
        return problem(400, wrong)
    api, url, events = body["api"], body.get("url"), body.get("events")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return problem(400, "url must be an absolute http(s) URL")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        return problem(400, f"events must be a non-empty list of event names (or '{ANY_EVENT}')")
    declared = service().configs[api].event_types
    undeclared = [e for e in events if e != ANY_EVENT and declared and e not in declared]
    if undeclared:
        return problem(400, f"events not declared by {api}: {', '.join(undeclared)}")
    limit = body.get("disableAfter")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        return problem(400, "disableAfter must be a positive integer")
    endpoint = service().registry.subscribe(api, url, events, body.get("tenant"), limit)
    return jsonify(endpoint.to_json()), 201


@blueprint.get("/webhook-subscriptions")
def list_subscriptions() -> Answer:
    api = request.args.get("api")
    found = service().registry.all(api)
    return jsonify({"count": len(found), "subscriptions": [e.to_json() for e in found]})


@blueprint.delete("/webhook-subscriptions/<subscription_id>")
def delete_subscription(subscription_id: str) -> Answer:
    if not service().registry.unsubscribe(subscription_id):
        return problem(404, f"no admin subscription {subscription_id}")
    return Response(status=204)


@blueprint.delete("/webhook-subscriptions")
def delete_subscriptions() -> Answer:
    service().registry.clear(request.args.getlist("api") or None)
    return Response(status=204)


@blueprint.post("/webhook-events")
def emit_event() -> Answer:
    body, wrong = _api_request(
        {"api", "type", "data", "tenant", "extra"}, "{api, type, data, tenant?, extra?}"
    )
    if wrong is not None:
        return problem(400, wrong)
    kind, data, extra = body.get("type"), body.get("data", {}), body.get("extra", {})
    declared = service().configs[body["api"]].event_types
    if not isinstance(kind, str) or (declared and kind not in declared):
        return problem(400, f"type must be an event {body['api']} declares")
    if not isinstance(data, dict) or not isinstance(extra, dict):
        return problem(400, "data and extra must be JSON objects")
    event = Event(
        body["api"], body.get("tenant"), kind, data, engine().clock.now(), None, dict(extra)
    )
    sink: list[dict[str, Any]] = []
    token = collected.set(sink)
    try:
        engine().events.emit(event)
    finally:
        collected.reset(token)
    return jsonify(
        {
            "eventId": sink[0]["eventId"] if sink else None,
            "messages": [{"id": m["id"], "endpointId": m["endpointId"]} for m in sink],
        }
    ), 202


@blueprint.get("/webhook-deliveries")
def list_deliveries() -> Answer:
    args = request.args
    try:
        limit = int(args["limit"]) if "limit" in args else None
    except ValueError:
        return problem(400, "limit must be an integer")
    if limit is not None and limit < 1:
        return problem(400, "limit must be at least 1")
    wanted = {name: args.get(name) for name in FILTERS}
    found = service().journal.entries(limit=limit, **wanted)
    return jsonify({"count": len(found), "deliveries": found})


@blueprint.post("/webhook-deliveries/<delivery_id>/redeliver")
def redeliver(delivery_id: str) -> Answer:
    """``delivery_id``: an attempt's ``id`` from the journal, or a ``messageId``."""
    message_id = delivery_id
    if delivery_id.isdigit():
        attempt = service().journal.get(int(delivery_id))
        if attempt is None:
            return problem(404, f"no delivery attempt {delivery_id}")
        message_id = attempt["messageId"]
    message = service().redeliver(message_id)
    if message is None:
        return problem(404, f"no delivery {delivery_id}")
    return jsonify({"messageId": message["id"], "eventId": message["eventId"]}), 202
