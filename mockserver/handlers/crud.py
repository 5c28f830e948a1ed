"""The generic actions behind ``x-mock.action``: list, create, get, replace, patch, delete."""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.handlers import listing
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import Handler
from mockserver.profiles.paging import PageRequest
from mockserver.state import patching
from mockserver.state.query import Condition
from mockserver.state.query import Query
from mockserver.state.resources import IncludeTree
from mockserver.state.resources import parse_includes


def _includes(ctx: RequestContext) -> IncludeTree:
    param = ctx.operation.binding.include_param
    return parse_includes(ctx.params.query.get(param)) if param else {}


def _parent_id(ctx: RequestContext) -> Any:
    """The id of the parent a sub-collection hangs under; 404 if it does not exist."""
    parent = ctx.operation.binding.parent
    assert parent is not None
    resources = ctx.runtime.resources
    record = resources.require(ctx.tenant, parent.resource, ctx.params.path[parent.param])
    return record[resources.definition(parent.resource).id_field]


def _record_id(ctx: RequestContext) -> Any:
    """The id path parameter: the one that is not the parent's."""
    parent = ctx.operation.binding.parent
    names = [
        p.name
        for p in ctx.operation.parameters
        if p.location == "path" and (parent is None or p.name != parent.param)
    ]
    if not names:
        raise errors.not_found()
    return ctx.params.path[names[-1]]


def _render(
    ctx: RequestContext, doc: dict[str, Any], include: IncludeTree | None = None
) -> dict[str, Any]:
    name = ctx.operation.binding.resource
    assert name is not None
    return ctx.runtime.resources.render(ctx.tenant, name, doc, include or {})


def _require_in_parent(ctx: RequestContext, doc: dict[str, Any]) -> None:
    parent = ctx.operation.binding.parent
    if parent is not None and doc.get(parent.field) != _parent_id(ctx):
        raise errors.not_found()


def list_records(ctx: RequestContext) -> Reply:
    binding = ctx.operation.binding
    assert binding.resource is not None
    resources = ctx.runtime.resources
    resource = resources.definition(binding.resource)
    query = ctx.params.query
    found = listing.conditions(resources, resource, binding, query)
    if binding.parent is not None:
        found.append(Condition(((binding.parent.field,),), "eq", (_parent_id(ctx),)))
    paginator = ctx.runtime.paginator(ctx.operation)
    page_request = PageRequest(
        query=query,
        args=list(ctx.request.args.items(multi=True)),
        locate=lambda: ctx.runtime.absolute_url(ctx.request.path),
        roles=ctx.principal.roles if ctx.principal else (),
    )
    window = paginator.window(page_request)
    page = resources.list(
        ctx.tenant,
        binding.resource,
        Query(
            conditions=tuple(found),
            sort=listing.sort_order(resource, binding, query),
            offset=window.offset if window else 0,
            limit=window.limit if window else None,
        ),
    )
    include = _includes(ctx)
    items = [_render(ctx, doc, include) for doc in page.items]
    return Reply(200, paginator.envelope(items, page.total, window, page_request))


def create_record(ctx: RequestContext) -> Reply:
    binding = ctx.operation.binding
    assert binding.resource is not None
    fixed = {}
    if binding.parent is not None:
        fixed[binding.parent.field] = _parent_id(ctx)
    body = ctx.params.body if isinstance(ctx.params.body, dict) else {}
    change = ctx.record(ctx.runtime.resources.create(ctx.tenant, binding.resource, body, fixed))
    assert change.after is not None
    return Reply(ctx.operation.success_status(), _render(ctx, change.after))


def get_record(ctx: RequestContext) -> Reply:
    name = ctx.operation.binding.resource
    assert name is not None
    doc = ctx.runtime.resources.require(ctx.tenant, name, _record_id(ctx))
    _require_in_parent(ctx, doc)
    return Reply(ctx.operation.success_status(), _render(ctx, doc, _includes(ctx)))


def replace_record(ctx: RequestContext) -> Reply:
    name = ctx.operation.binding.resource
    assert name is not None
    resources = ctx.runtime.resources
    before = resources.require(ctx.tenant, name, _record_id(ctx))
    _require_in_parent(ctx, before)
    body = ctx.params.body if isinstance(ctx.params.body, dict) else {}
    change = ctx.record(resources.replace(ctx.tenant, name, _record_id(ctx), body))
    assert change.after is not None
    return Reply(ctx.operation.success_status(), _render(ctx, change.after))


def patch_record(ctx: RequestContext) -> Reply:
    name = ctx.operation.binding.resource
    assert name is not None
    resources = ctx.runtime.resources
    before = resources.require(ctx.tenant, name, _record_id(ctx))
    _require_in_parent(ctx, before)
    writable = resources.writable_view(name, before)
    try:
        if ctx.params.media_type == patching.JSON_PATCH:
            patched = patching.json_patch(writable, ctx.params.body or [])
        else:  # merge-patch+json, and plain JSON as Robaws clients send it
            patched = patching.merge_patch(writable, ctx.params.body or {})
    except patching.PatchConflict as exc:
        raise errors.conflict(f"The patch cannot be applied: {exc}", code="patch_conflict") from exc
    change = ctx.record(resources.update(ctx.tenant, name, _record_id(ctx), patched))
    assert change.after is not None
    return Reply(ctx.operation.success_status(), _render(ctx, change.after))


def delete_record(ctx: RequestContext) -> Reply:
    name = ctx.operation.binding.resource
    assert name is not None
    resources = ctx.runtime.resources
    doc = resources.require(ctx.tenant, name, _record_id(ctx))
    _require_in_parent(ctx, doc)
    ctx.record(resources.delete(ctx.tenant, name, _record_id(ctx)))
    return Reply(ctx.operation.success_status())


ACTIONS: dict[str, Handler] = {
    "list": list_records,
    "create": create_record,
    "get": get_record,
    "replace": replace_record,
    "patch": patch_record,
    "delete": delete_record,
}
