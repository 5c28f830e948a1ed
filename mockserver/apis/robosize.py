"""Robosize behaviour that is not CRUD.

- Products are written in one shape and read in another (``tags`` as strings vs ``{name}`` objects,
  ``image_url`` vs ``image_md``), and the collection takes a bulk PATCH.
- The widget looks products up by the shop's id and records tracking events from the query string.
- A size recommendation is kept per device and joins the device's next order.
"""

from __future__ import annotations

import re
from typing import Any

from mockserver import errors
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import operation
from mockserver.state.query import Condition
from mockserver.state.query import Query

API = "robosize"
PRODUCTS = "products"
RECOMMENDATIONS = "recommendations"
_NOT_A_SLUG = re.compile(r"[^a-z0-9]+")


def _stored_product_fields(body: dict[str, Any]) -> dict[str, Any]:
    """The write shape (DOC product-sync create/PATCH body) in the read shape."""
    fields = {k: v for k, v in body.items() if k in ("name", "store_id", "type")}
    if "tags" in body:
        fields["tags"] = [{"name": tag} for tag in body["tags"]]
    if "image_url" in body:
        fields["image_md"] = body["image_url"]
    if "name" in body:
        fields["handle"] = _NOT_A_SLUG.sub("-", body["name"].lower()).strip("-") or "product"
    return fields


def _find_by(ctx: RequestContext, resource: str, field: str, value: Any) -> list[dict[str, Any]]:
    query = Query(conditions=(Condition(((field,),), "eq", (value,)),))
    return ctx.runtime.resources.list(ctx.tenant, resource, query).items


@operation(API, "createProduct")
def create_product(ctx: RequestContext) -> Reply:
    fields = _stored_product_fields(ctx.params.body or {})
    fields.setdefault("tags", [])
    change = ctx.record(ctx.runtime.resources.create(ctx.tenant, PRODUCTS, fields))
    assert change.after is not None
    return Reply(201, {"created": 1, "id": change.after["id"]})


@operation(API, "updateProducts")
def update_products(ctx: RequestContext) -> Reply:
    body = ctx.params.body or {}
    resources = ctx.runtime.resources
    # all or nothing: every id must exist before the first one changes
    found = [
        resources.require(ctx.tenant, PRODUCTS, pid) for pid in dict.fromkeys(body["products"])
    ]
    fields = _stored_product_fields(body)
    for product in found:
        patched = {**resources.writable_view(PRODUCTS, product), **fields}
        ctx.record(resources.update(ctx.tenant, PRODUCTS, product["id"], patched))
    return Reply(200, {"message": "Products updated"})


@operation(API, "getWidgetProductDetails")
def widget_product_details(ctx: RequestContext) -> Reply:
    matches = _find_by(ctx, PRODUCTS, "store_id", ctx.params.query["product"])
    if not matches:
        raise errors.not_found("Not found.")
    product = matches[0]
    shown = {k: product[k] for k in ("id", "store_id", "name", "type", "available_sizes")}
    return Reply(200, {"status": 200, "data": {"version": 1, "product": shown}})


@operation(API, "recordAnalyticsEvent")
def record_event(ctx: RequestContext) -> Reply:
    query = ctx.params.query
    event = {"event": query["event"], "product": query.get("product"), "rs_id": query["rs_id"]}
    change = ctx.record(ctx.runtime.resources.create(ctx.tenant, "tracking-events", event))
    assert change.after is not None
    return Reply(201, ctx.runtime.resources.render(ctx.tenant, "tracking-events", change.after, {}))


def recommended_size(sizes: list[str], query: dict[str, Any]) -> str:
    """A plausible, deterministic size: body-mass index, body-shape offsets and fit preference.

    Invented: Robosize's model is proprietary. BMI 18.5-30 spans the size run; each offset of the
    bust, waist or hip and a loose fit preference move one third of a size up.
    """
    bmi = query["weight"] / (query["height"] / 100) ** 2
    position = (bmi - 18.5) / 11.5 * (len(sizes) - 1)
    shape = sum(query.get(k, 0) for k in ("bustOffset", "waistOffset", "hipOffset"))
    position += (shape + query.get("fitPreference", 0)) / 3
    return sizes[min(len(sizes) - 1, max(0, round(position)))]


@operation(API, "recommendSize")
def recommend_size(ctx: RequestContext) -> Reply:
    query = ctx.params.query
    product = ctx.runtime.resources.require(ctx.tenant, PRODUCTS, query["product"])
    sizes = [s.strip() for s in product["available_sizes"].split(",") if s.strip()] or ["M"]
    inputs = {k: v for k, v in query.items() if k not in ("business", "rs_id", "product")}
    recommendation = {
        "ip_address": ctx.request.remote_addr or "127.0.0.1",
        "product": {k: product[k] for k in ("id", "store_id", "name")},
        "data": {"size": recommended_size(sizes, query), "inputs": inputs},
        "rs_id": query["rs_id"],
    }
    resources = ctx.runtime.resources
    change = ctx.record(resources.create(ctx.tenant, RECOMMENDATIONS, recommendation))
    assert change.after is not None
    return Reply(201, resources.render(ctx.tenant, RECOMMENDATIONS, change.after, {}))


@operation(API, "createOrder")
def create_order(ctx: RequestContext) -> Reply:
    """An order carries the recommendations made on its device (DOC sync-orders list example)."""
    body = ctx.params.body or {}
    resources = ctx.runtime.resources
    made = [
        resources.render(ctx.tenant, RECOMMENDATIONS, doc, {})
        for doc in _find_by(ctx, RECOMMENDATIONS, "rs_id", body["device_id"])
    ]
    change = ctx.record(resources.create(ctx.tenant, "orders", body, {"recommendations": made}))
    assert change.after is not None
    return Reply(201, resources.render(ctx.tenant, "orders", change.after, {}))
