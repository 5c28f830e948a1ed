"""Hypothesis strategies for answers a spec allows, to drive a client through all of them.

- ``values(runtime, pointer)``: any value of a schema (the response view: writeOnly is absent).
- ``responses(runtime, operation_id, status)``: a whole answer: status, documented headers (the
  optional ones present or not) and a body of the documented schema, or empty where none is.
- ``error_responses``: every documented error status of an operation, 429 with and without its
  headers (``rate_limited`` alone draws only 429s).
- ``collections``: the items behind a list operation, with the paging edges weighted in: empty,
  one item, one short of / exactly / one over a page, several pages, the maximum page size.

Values come from Schemathesis' JSON Schema generator (the one its own test cases use).
hypothesis-jsonschema would be the public choice, but its 0.23 release fails on current
Hypothesis (``'many' object has no attribute 'more'``); Schemathesis is pinned <5 in pyproject,
so the one internal call below is held steady, and ``test_strategies`` checks every drawn value
against the spec.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

try:
    from schemathesis.generation.jsonschema.builder import build
    from schemathesis.specs.openapi.formats import get_default_format_strategies
except ImportError as exc:  # a plain install has the fixtures but not the generators
    raise ImportError(
        "mockserver.testing.strategies needs Schemathesis 4: pip install 'mockserver[test]'"
    ) from exc

from mockserver.runtime import ApiRuntime
from mockserver.spec.model import Operation
from mockserver.spec.refs import resolve
from mockserver.testing.fuzz import CannedResponse
from mockserver.testing.schemas import inline

RATE_LIMITED = 429
_FORMATS = get_default_format_strategies()


def schema_values(
    runtime: ApiRuntime, schema: Any, *, view: str = "response"
) -> st.SearchStrategy[Any]:
    """Values of ``schema`` (which may ``$ref`` into the spec), in the response or request view."""
    views = runtime.views
    document = views.response_document if view == "response" else views.request_document
    return build(inline(document, schema), draft=jsonschema_rs.Draft202012, formats=_FORMATS)


def values(runtime: ApiRuntime, pointer: str, *, view: str = "response") -> st.SearchStrategy[Any]:
    return schema_values(runtime, {"$ref": pointer}, view=view)


def request_bodies(
    runtime: ApiRuntime, operation_id: str, media_type: str = "application/json"
) -> st.SearchStrategy[Any]:
    """Bodies a client may send (readOnly members absent), for tests that write through a client."""
    op = runtime.operation_for(operation_id)
    if op.body is None or media_type not in op.body.content:
        raise ValueError(f"{op.label} takes no {media_type} body")
    return values(runtime, op.body.content[media_type], view="request")


def _documented(op: Operation, status: int) -> dict[str, Any]:
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in op.responses:
            return op.responses[key]
    raise KeyError(f"{op.label} does not document status {status}")


def _header_values(
    runtime: ApiRuntime, headers: dict[str, Any], present: bool | None
) -> st.SearchStrategy[dict[str, str]]:
    """Documented headers: required ones always; optional ones each maybe, or all/none."""
    document = runtime.views.response_document
    parts: list[st.SearchStrategy[tuple[str, str] | None]] = []
    for name, raw in headers.items():
        header = resolve(document, raw)
        schema = _field_value_schema(header.get("schema", {"type": "string"}))
        value = (
            schema_values(runtime, schema)
            .map(lambda v, name=name: (name, _as_header(v)))
            .filter(lambda pair: _is_field_value(pair[1]))
        )
        if header.get("required") or present is True:
            parts.append(value)
        elif present is None:
            parts.append(st.one_of(st.none(), value))
    return st.tuples(*parts).map(lambda pairs: dict(p for p in pairs if p is not None))


# An HTTP field value is visible ASCII with inner spaces (RFC 9110 5.5); a free-form string schema
# would otherwise draw newlines, which no server can send and Werkzeug refuses.
FIELD_VALUE = "^[!-~]([ -~]*[!-~])?$"


def _field_value_schema(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.get("type") == "string" and not {"pattern", "enum", "const", "format"} & set(schema):
        return {**schema, "pattern": FIELD_VALUE}
    return schema


def _is_field_value(value: str) -> bool:
    return all(" " <= char <= "~" for char in value) and value == value.strip()


def _as_header(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def responses(
    runtime: ApiRuntime, operation_id: str, status: int, *, with_headers: bool | None = None
) -> st.SearchStrategy[CannedResponse]:
    """An answer with ``status`` as the spec documents it for the operation.

    ``with_headers``: True sends every documented header, False only the required ones, None
    lets Hypothesis choose each optional header.
    """
    op = runtime.operation_for(operation_id)
    response = _documented(op, status)
    headers = _header_values(runtime, response.get("headers") or {}, with_headers)
    content = response.get("content") or {}
    media_type = next(iter(content), None)
    if media_type is None or "schema" not in content[media_type]:
        return headers.map(lambda h: CannedResponse(status, None, h))
    body = schema_values(runtime, content[media_type]["schema"])
    return st.builds(CannedResponse, st.just(status), body, headers, st.just(media_type))


def rate_limited(runtime: ApiRuntime, operation_id: str) -> st.SearchStrategy[CannedResponse]:
    """A 429 with all its documented headers, or with none of them (a gateway that strips them)."""
    return st.one_of(
        responses(runtime, operation_id, RATE_LIMITED, with_headers=True),
        responses(runtime, operation_id, RATE_LIMITED, with_headers=False),
    )


def error_statuses(runtime: ApiRuntime, operation_id: str) -> list[int]:
    op = runtime.operation_for(operation_id)
    return sorted(s for s in op.documented_statuses() if s >= 400)


def error_responses(
    runtime: ApiRuntime, operation_id: str, statuses: list[int] | None = None
) -> st.SearchStrategy[CannedResponse]:
    """Any documented error answer of the operation (or of ``statuses``)."""
    chosen = statuses if statuses is not None else error_statuses(runtime, operation_id)
    if not chosen:
        return st.nothing()
    parts = {
        status: rate_limited(runtime, operation_id)
        if status == RATE_LIMITED
        else responses(runtime, operation_id, status)
        for status in chosen
    }
    # The status first, evenly: a one_of of similar branches lets Hypothesis favour the first.
    return st.sampled_from(chosen).flatmap(parts.__getitem__)


# collections ------------------------------------------------------------------------------------


def _item_pointer(runtime: ApiRuntime, op: Operation) -> str:
    resource = op.binding.resource
    if resource is None or resource not in runtime.spec.resources:
        raise ValueError(f"{op.label} is not a list of a declared resource (x-mock.resource)")
    return runtime.spec.resources[resource].schema_pointer


def page_sizes(runtime: ApiRuntime, op: Operation) -> tuple[int, int]:
    """(default, maximum) page size, from the size parameter's schema or the paging options."""
    pagination = op.binding.pagination or runtime.spec.config.pagination
    default = int(pagination.option("default-size", 10))
    maximum = int(pagination.option("max-size", default))
    size_param = pagination.option("size-param") or pagination.option("limit-param")
    for param in op.parameters:
        if param.name in (size_param, "size", "limit", "per_page", "page_size"):
            maximum = int(param.schema.get("maximum", maximum))
            default = int(param.schema.get("default", default))
    return default, maximum


def edge_counts(default: int, maximum: int) -> list[int]:
    """Totals at the paging edges for the default and the maximum page size."""
    found = {0, 1, 2}
    for size in (default, maximum):
        found |= {size - 1, size, size + 1, 2 * size, 2 * size + 1}
    return sorted(n for n in found if n >= 0)


class Items(Sequence[Any]):
    """A generated collection; prints as its size, so a shrunk failing example stays readable."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def _with_ids(
    runtime: ApiRuntime, pointer: str, id_field: str, templates: list[Any], n: int
) -> Items:
    """``n`` items cycled from ``templates``, each with a distinct id of the id's own type."""
    validator = runtime.views.response_validator(pointer)
    sample = dict(templates[0])
    makers: list[Callable[[int], Any]] = [str, int, lambda i: str(uuid.UUID(int=i))]
    make = makers[0]
    for make in makers:
        sample[id_field] = make(1)
        if validator.is_valid(sample):
            break
    items = []
    for index in range(n):
        item = dict(templates[index % len(templates)])
        item[id_field] = make(index + 1)
        items.append(item)
    return Items(items)


def item_templates(runtime: ApiRuntime, operation_id: str) -> st.SearchStrategy[list[Any]]:
    """One to three items of a list operation's resource, for ``expand`` to repeat."""
    op = runtime.operation_for(operation_id)
    return st.lists(values(runtime, _item_pointer(runtime, op)), min_size=1, max_size=3)


def expand(runtime: ApiRuntime, operation_id: str, templates: list[Any], count: int) -> Items:
    """``count`` items cycled from ``templates``, with distinct ids.

    A few items drawn from the schema and repeated: hundreds of fully generated entities would
    cost seconds per example and find nothing more about paging.
    """
    op = runtime.operation_for(operation_id)
    resource = runtime.spec.resources[op.binding.resource or ""]
    return _with_ids(runtime, _item_pointer(runtime, op), resource.id_field, templates, count)


def paging_edges(runtime: ApiRuntime, operation_id: str) -> list[int]:
    """The collection sizes worth trying for a list operation (``edge_counts`` of its sizes)."""
    return edge_counts(*page_sizes(runtime, runtime.operation_for(operation_id)))


@st.composite
def collections(
    draw: st.DrawFn, runtime: ApiRuntime, operation_id: str, *, max_items: int | None = None
) -> Items:
    """Items for a list operation, sized at a paging edge or anywhere up to three pages.

    Random draws reach a given edge only now and then once the templates vary too; a property
    that must meet *every* edge on every run loops over ``paging_edges`` with ``expand`` instead.
    """
    op = runtime.operation_for(operation_id)
    default, maximum = page_sizes(runtime, op)
    limit = max_items if max_items is not None else 2 * maximum + 1
    count = draw(
        st.one_of(
            st.sampled_from([n for n in edge_counts(default, maximum) if n <= limit]),
            st.integers(0, min(limit, 3 * default)),
        )
    )
    return expand(runtime, operation_id, draw(item_templates(runtime, operation_id)), count)
