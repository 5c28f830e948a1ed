"""Read-only admin endpoints behind the dashboard: the traffic chart and the state browser.

``GET /__admin/traffic?seconds=N`` answers per-second counts by status class (``traffic.py``).
``GET /__admin/state`` lists every API's tenants and resources with record counts;
``GET /__admin/state/<api>/<resource>?tenant=&page=&size=`` pages through the stored records in
ascending id order (numeric ids as numbers), as the store holds them.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask import jsonify
from flask import request

from mockserver.admin import blueprint
from mockserver.admin import engine
from mockserver.admin import problem
from mockserver.admin import query_int
from mockserver.runtime import ApiRuntime
from mockserver.state.query import Collection
from mockserver.state.query import Query
from mockserver.traffic import WINDOW

MAX_PAGE_SIZE = 100


def _int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    """A query integer within bounds; ``ValueError`` names the rule."""
    raw = request.args.get(name)
    if raw is None:
        return default
    bounds = f"{low}..{high}" if high is not None else f">= {low}"
    try:
        value = query_int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer {bounds}") from None
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be an integer {bounds}")
    return value


@blueprint.get("/traffic")
def traffic() -> Response | tuple[Response, int]:
    try:
        seconds = _int_arg("seconds", 300, 1, WINDOW)
    except ValueError as exc:
        return problem(400, str(exc))
    window = engine().traffic.window(seconds)
    # Every API appears, idle ones with 0, so the chart's legend does not jump around.
    window["apis"] = {api: window["apis"].get(api, 0) for api in engine().runtimes}
    return jsonify(window)


def _state_of(runtime: ApiRuntime) -> dict[str, Any]:
    store, api = runtime.store, runtime.spec.name
    tenants = runtime.book.tenants
    return {
        "title": runtime.spec.config.title,
        "tenants": [{"id": t.id, "name": t.name} for t in tenants],
        "resources": [
            {
                "name": name,
                "idField": resource.id_field,
                "counts": {t.id: store.count(Collection(api, t.id, name)) for t in tenants},
            }
            for name, resource in runtime.spec.resources.items()
        ],
    }


@blueprint.get("/state")
def state() -> Response:
    return jsonify({name: _state_of(runtime) for name, runtime in engine().runtimes.items()})


@blueprint.get("/state/<api>/<resource>")
def state_records(api: str, resource: str) -> Response | tuple[Response, int]:
    runtime = engine().runtimes.get(api)
    if runtime is None:
        return problem(404, f"unknown api: {api}")
    definition = runtime.spec.resources.get(resource)
    if definition is None:
        return problem(404, f"{api} has no resource {resource!r}")
    tenant_ids = [t.id for t in runtime.book.tenants]
    tenant = request.args.get("tenant") or (tenant_ids[0] if tenant_ids else "")
    if tenant not in tenant_ids:
        return problem(404, f"{api} has no tenant {tenant!r}")
    try:
        page = _int_arg("page", 0, 0)
        size = _int_arg("size", 20, 1, MAX_PAGE_SIZE)
    except ValueError as exc:
        return problem(400, str(exc))
    found = runtime.store.query(
        Collection(api, tenant, resource),
        Query(sort=((definition.id_field, False),), offset=page * size, limit=size),
    )
    return jsonify(
        {
            "api": api,
            "resource": resource,
            "tenant": tenant,
            "page": page,
            "size": size,
            "total": found.total,
            "items": found.items,
        }
    )
