"""Turn a list request's filter and sort parameters into a backend-neutral ``Query``."""

from __future__ import annotations

from typing import Any

from mockserver import errors
from mockserver.profiles import formats
from mockserver.spec.model import Binding
from mockserver.spec.model import Resource
from mockserver.spec.refs import resolve
from mockserver.state.query import Condition
from mockserver.state.resources import Resources
from mockserver.validation.params import coerce

# Robaws wraps each extra field's value by its type (fact sheet 1.10).
EXTRA_FIELD_KEYS = ("stringValue", "booleanValue", "integerValue", "decimalValue", "dateValue")


def _typed(resources: Resources, resource: Resource, field: str, value: Any) -> Any:
    """A filter value in the form the record stores ``field`` in."""
    if field in (resource.created_field, resource.updated_field) and isinstance(value, str):
        moment = formats.parse_timestamp(value)
        return formats.canonical(moment) if moment else value
    if not isinstance(value, str):
        return value
    prop = resources.properties(resource.name).get(field)
    prop = resolve(resources.spec.document, prop) if isinstance(prop, dict) else {}
    declared = prop.get("type", "string")
    return coerce(value, tuple(declared) if isinstance(declared, list) else (declared,))


def _extra_field_candidates(raw: str) -> tuple[Any, ...]:
    """Every typed reading of an ``extraFields[Name]=value`` filter value."""
    candidates: list[Any] = [raw]
    if raw in ("true", "false"):
        candidates.append(raw == "true")
    number = coerce(raw, ("integer",))
    if isinstance(number, int):
        candidates.extend([number, float(number)])
    else:
        decimal = coerce(raw, ("number",))
        if isinstance(decimal, float):
            candidates.append(decimal)
    return tuple(candidates)


def conditions(
    resources: Resources, resource: Resource, binding: Binding, query: dict[str, Any]
) -> list[Condition]:
    found: list[Condition] = []
    for spec_filter in binding.filters:
        if spec_filter.param not in query:
            continue
        value = query[spec_filter.param]
        if spec_filter.op == "extra-fields":
            for name, raw in (value or {}).items():
                paths = tuple(("extraFields", name, key) for key in EXTRA_FIELD_KEYS)
                found.append(Condition(paths, "eq", _extra_field_candidates(str(raw))))
        elif spec_filter.fields:  # filter[name]=a,b (deepObject): one IN condition per key
            for key, raw in (value or {}).items():
                target = spec_filter.fields.get(key)
                if target is None:
                    continue
                values = tuple(_typed(resources, resource, target, v) for v in str(raw).split(","))
                found.append(Condition(((target,),), "in", values))
        elif spec_filter.field is not None:
            field = spec_filter.field
            raw_values = value if isinstance(value, list) else [value]
            if spec_filter.op == "in" and not isinstance(value, list):
                raw_values = str(value).split(",")
            values = tuple(_typed(resources, resource, field, v) for v in raw_values)
            found.append(Condition(((field,),), spec_filter.op, values))
    return found


def sort_order(
    resource: Resource, binding: Binding, query: dict[str, Any]
) -> tuple[tuple[str, bool], ...]:
    """``name:asc,id:desc`` or ``-name,id``; always ends with the id so pages never overlap."""
    spec_sort = binding.sort
    text = None
    syntax = "colon"
    if spec_sort is not None:
        text = query.get(spec_sort.param) or spec_sort.default
        if isinstance(text, list):  # an array parameter (style form, explode false)
            text = ",".join(str(part) for part in text)
        syntax = spec_sort.syntax
    order: list[tuple[str, bool]] = []
    for part in (p.strip() for p in (text or "").split(",") if p.strip()):
        if syntax == "dash":
            order.append((part.lstrip("-"), part.startswith("-")))
            continue
        name, _, direction = part.partition(":")
        direction = direction.lower() or "asc"
        if direction not in ("asc", "desc"):
            raise errors.bad_request(f"Invalid sort direction '{direction}' in '{part}'")
        order.append((name, direction == "desc"))
    if not any(name == resource.id_field for name, _ in order):
        order.append((resource.id_field, False))
    return tuple(order)
