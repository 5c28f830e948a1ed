"""Installer.com behaviour that is not plain CRUD: orders, their lifecycle steps, tags, files and
webform orders. Listing tags and installers and reading a webform are YAML only."""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.apis import installer_admin  # noqa: F401  (registers the admin route)
from mockserver.apis import installer_lifecycle as lifecycle
from mockserver.apis.installer_lifecycle import API
from mockserver.apis.installer_lifecycle import FILES
from mockserver.apis.installer_lifecycle import ORDERS
from mockserver.apis.installer_lifecycle import TAGS
from mockserver.apis.installer_lifecycle import Status
from mockserver.apis.installer_simulator import simulator
from mockserver.errors import Violation
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import operation
from mockserver.state.query import Query

WEBFORMS = "webforms"


def _body(ctx: RequestContext) -> dict[str, Any]:
    return dict(ctx.params.body) if isinstance(ctx.params.body, dict) else {}


def _order(ctx: RequestContext) -> dict[str, Any]:
    """The path's order, after the simulated installer has caught up with the clock."""
    simulator(ctx.runtime).tick()
    return ctx.runtime.resources.require(ctx.tenant, ORDERS, ctx.params.path["orderId"])


def _rendered(ctx: RequestContext, doc: dict[str, Any]) -> Reply:
    return Reply(200, lifecycle.render_order(ctx.runtime, ctx.tenant, doc))


# creating orders ---------------------------------------------------------------------------------


def _unknown_references(ctx: RequestContext, body: dict[str, Any]) -> list[Violation]:
    """Every ``fileIds``/``orderTagIds`` entry that is not this organization's file or tag."""
    found = []
    for field, resource, what in (("fileIds", FILES, "file"), ("orderTagIds", TAGS, "order tag")):
        for index, ref in enumerate(body.get(field, [])):
            if ctx.runtime.resources.find(ctx.tenant, resource, ref) is None:
                found.append(Violation("body", f"/{field}/{index}", f"{ref} is not a known {what}"))
    return found


def _unprocessable(problems: list[Violation]) -> errors.ApiError:
    return errors.unprocessable(f"Validation failed: {len(problems)} problem(s)", problems)


def _idempotency_conflict(existing: dict[str, Any]) -> Reply:
    message = f"An order with idempotencyKey '{existing['idempotencyKey']}' already exists"
    return Reply(
        409,
        {
            "statusCode": 409,
            "error": "Conflict",
            "message": message,
            "orderId": existing["id"],
            "displayId": existing["displayId"],
        },
    )


def _create(
    ctx: RequestContext, body: dict[str, Any], fixed: dict[str, Any], problems: list[Violation]
) -> Reply:
    runtime, tenant = ctx.runtime, ctx.tenant
    with lifecycle.lock(runtime):  # the key check and the insert are one step
        key = body.get("idempotencyKey")
        existing = lifecycle.with_idempotency_key(runtime, tenant, key) if key else None
        if existing is not None:
            return _idempotency_conflict(existing)
        problems = problems + _unknown_references(ctx, body)
        if problems:
            raise _unprocessable(problems)
        number = runtime.engine.store.next_id(API, f"display-ids/{tenant}", 100)
        server = {
            "status": int(Status.CREATED),
            "statusName": Status.CREATED.label,
            "displayId": f"P1-{number}",
            "organizationId": tenant,
            "customerName": body["contactPersonName"],
            **fixed,
        }
        change = ctx.record(runtime.resources.create(tenant, ORDERS, body, server))
        doc = change.after
        assert doc is not None
        lifecycle.emit_order(runtime, tenant, "order.created", doc)
    return Reply(
        201,
        {"value": doc["id"], "displayId": doc["displayId"], "clientUrl": lifecycle.client_url(doc)},
    )


@operation(API, "createOrder")
def create_order(ctx: RequestContext) -> Reply:
    return _create(ctx, _body(ctx), {}, [])


def _answer_problems(fields: list[dict[str, Any]], answers: dict[str, Any]) -> list[Violation]:
    """The webform's own rules: required keys, known keys, types and offered options."""
    problems = []
    by_key = {f["key"]: f for f in fields}
    for key in sorted(set(answers) - set(by_key)):
        problems.append(Violation("body", f"/answers/{key}", "is not a field of this webform"))
    for key, field in by_key.items():
        where = f"/answers/{key}"
        if key not in answers:
            if field["required"]:
                problems.append(Violation("body", where, "should not be empty"))
            continue
        value, kind = answers[key], field["type"]
        if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(Violation("body", where, "must be a number"))
        elif kind == "boolean" and not isinstance(value, bool):
            problems.append(Violation("body", where, "must be a boolean value"))
        elif kind in ("text", "select") and not isinstance(value, str):
            problems.append(Violation("body", where, "must be a string"))
        elif kind == "select" and value not in field.get("options", []):
            options = ", ".join(field.get("options", []))
            problems.append(Violation("body", where, f"must be one of the following: {options}"))
    return problems


@operation(API, "createWebformOrder")
def create_webform_order(ctx: RequestContext) -> Reply:
    webform = ctx.runtime.resources.require(ctx.tenant, WEBFORMS, ctx.params.path["webformId"])
    body = _body(ctx)
    answers = body.pop("answers", {})
    body.setdefault("name", webform["name"])
    fixed = {"webformId": webform["id"], "webformAnswers": answers}
    if webform.get("workflowId"):
        fixed["workflowId"] = webform["workflowId"]
    return _create(ctx, body, fixed, _answer_problems(webform["fields"], answers))


# reading and moving orders -----------------------------------------------------------------------


@operation(API, "getOrder")
def get_order(ctx: RequestContext) -> Reply:
    return _rendered(ctx, _order(ctx))


@operation(API, "dispatchOrder")
def dispatch_order(ctx: RequestContext) -> Reply:
    installer_id = _body(ctx).get("installerId")
    with lifecycle.lock(ctx.runtime):
        order = _order(ctx)
        if installer_id:
            lifecycle.require_installer(ctx.runtime, ctx.tenant, installer_id)
        after = lifecycle.move(ctx.runtime, ctx.tenant, order["id"], Status.DISPATCHING)
        simulator(ctx.runtime).track(ctx.tenant, order["id"], installer_id)
    return _rendered(ctx, after)


@operation(API, "cancelOrder")
def cancel_order(ctx: RequestContext) -> Reply:
    how = {"reason": _body(ctx).get("reason")}
    order = _order(ctx)
    return _rendered(
        ctx, lifecycle.move(ctx.runtime, ctx.tenant, order["id"], Status.CANCELLED, how=how)
    )


# tags --------------------------------------------------------------------------------------------


def _retag(ctx: RequestContext, add: bool) -> Reply:
    runtime, tenant = ctx.runtime, ctx.tenant
    with lifecycle.lock(runtime):
        order = _order(ctx)
        tag = runtime.resources.require(tenant, TAGS, ctx.params.path["tagId"])
        tags = list(order.get("orderTagIds", []))
        if add == (tag["id"] in tags):
            if add:
                return _rendered(ctx, order)  # assigning twice changes nothing
            raise errors.not_found(f"Tag {tag['id']} is not assigned to order {order['displayId']}")
        tags = [*tags, tag["id"]] if add else [t for t in tags if t != tag["id"]]
        change = ctx.record(
            runtime.resources.set_fields(tenant, ORDERS, order["id"], {"orderTagIds": tags})
        )
        assert change.after is not None
        lifecycle.emit_order(runtime, tenant, "order.updated", change.after)
    return _rendered(ctx, change.after)


@operation(API, "assignOrderTag")
def assign_order_tag(ctx: RequestContext) -> Reply:
    return _retag(ctx, add=True)


@operation(API, "removeOrderTag")
def remove_order_tag(ctx: RequestContext) -> Reply:
    return _retag(ctx, add=False)


@operation(API, "createOrderTags")
def create_order_tags(ctx: RequestContext) -> Reply:
    runtime, tenant = ctx.runtime, ctx.tenant
    with lifecycle.lock(runtime):
        known = {
            str(doc["name"]).strip().casefold(): doc
            for doc in runtime.resources.list(tenant, TAGS, Query()).items
        }
        answer = []
        for name in _body(ctx)["names"]:
            key = name.strip().casefold()
            if key not in known:
                created = ctx.record(runtime.resources.create(tenant, TAGS, {"name": name}))
                assert created.after is not None
                known[key] = created.after
            answer.append(runtime.resources.render(tenant, TAGS, known[key], {}))
    return Reply(201, answer)


# files -------------------------------------------------------------------------------------------


@operation(API, "uploadFile")
def upload_file(ctx: RequestContext) -> Reply:
    storage = ctx.params.files.get("file")
    if storage is None or len(ctx.request.files.getlist("file")) != 1:
        # a form field without a filename, or several parts: not one uploaded file
        raise _unprocessable([Violation("body", "/file", "must be exactly one file part")])
    content = storage.read()
    fields = {
        "fileName": storage.filename or "upload",
        "mimeType": storage.mimetype or "application/octet-stream",
        "size": len(content),
    }
    change = ctx.record(ctx.runtime.resources.create(ctx.tenant, FILES, {}, fields))
    assert change.after is not None
    return Reply(201, lifecycle.render_file(ctx.runtime, ctx.tenant, change.after))
