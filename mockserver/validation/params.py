"""Read parameters out of a request and coerce them to the types their schemas declare.

Coercion is deliberately strict (tooling.md G6): ``page=abc`` stays a string so the schema check
rejects it, instead of silently falling back to a default as ``request.args.get(type=int)`` would.
A scalar parameter given twice is rejected too, as Schemathesis' coverage phase expects.
"""

from __future__ import annotations

import math
import re
from typing import Any

from werkzeug.datastructures import MultiDict

from mockserver.errors import Violation
from mockserver.spec.model import Parameter

DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}
_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)\Z")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?\Z")


def coerce(value: str, types: tuple[str, ...]) -> Any:
    """``value`` as the first declared type it parses as; unchanged if none fits."""
    for kind in types:
        if kind == "integer" and _INTEGER.match(value):
            return int(value)
        if kind == "number" and _NUMBER.match(value):
            number = float(value)
            if math.isfinite(number):
                return int(number) if number.is_integer() and "." not in value else number
        if kind == "boolean" and value in ("true", "false"):
            return value == "true"
        if kind == "string":
            return value
    return value


def _item_types(param: Parameter) -> tuple[str, ...]:
    items = param.schema.get("items", {})
    declared = items.get("type", "string") if isinstance(items, dict) else "string"
    return tuple(declared) if isinstance(declared, list) else (declared,)


def read_query(
    params: tuple[Parameter, ...], args: MultiDict[str, str]
) -> tuple[dict[str, Any], list[Violation]]:
    values: dict[str, Any] = {}
    problems: list[Violation] = []
    for param in params:
        if param.location != "query":
            continue
        if param.style == "deepObject":
            prefix = param.name + "["
            nested: dict[str, str] = {}
            for key, value in args.items(multi=True):
                if not (key.startswith(prefix) and key.endswith("]")):
                    continue
                member = key[len(prefix) : -1]
                if member in nested:
                    # A repeated member is an array value, which a deepObject of scalars
                    # cannot hold; keeping only one would accept invalid input silently.
                    problems.append(Violation("query", key, "must be given at most once"))
                nested[member] = value
            if nested:
                values[param.name] = nested
            continue
        if param.name not in args:
            continue
        raw = args.getlist(param.name)
        if "array" in param.types:
            separator = DELIMITERS.get(param.style, ",")
            items = raw if param.explode else [v for value in raw for v in value.split(separator)]
            values[param.name] = [coerce(item, _item_types(param)) for item in items]
        elif len(raw) > 1:
            problems.append(Violation("query", param.name, "must be given at most once"))
        else:
            values[param.name] = coerce(raw[0], param.types)
    return values, problems


def read_path(params: tuple[Parameter, ...], view_args: dict[str, str]) -> dict[str, Any]:
    return {
        p.name: coerce(view_args[p.name], p.types)
        for p in params
        if p.location == "path" and p.name in view_args
    }


def read_headers(params: tuple[Parameter, ...], headers: Any) -> dict[str, Any]:
    values = {}
    for param in params:
        if param.location == "header" and param.name in headers:
            values[param.name] = coerce(headers[param.name].strip(), param.types)
    return values
