"""A backend-neutral description of a list query, and its in-Python evaluation.

Handlers translate query parameters into a ``Query``; each store backend executes it its own way
(Python for memory and Redis, SQL for SQLite), so filters and sorts declared in a spec cost the
same code whatever the backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class Condition:
    """True when any of ``paths`` satisfies ``op`` against any of ``values``.

    ops: eq, in (same as eq over several values), gte, lte, icontains.
    """

    paths: tuple[FieldPath, ...]
    op: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Query:
    conditions: tuple[Condition, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    offset: int = 0
    limit: int | None = None


@dataclass
class Page:
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0


@dataclass(frozen=True)
class Collection:
    """Where a resource's records live: one API, one tenant, one resource."""

    api: str
    tenant: str
    resource: str


def value_at(doc: Any, path: FieldPath) -> Any:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    return bool(left == right)


def _compare(op: str, actual: Any, expected: Any) -> bool:
    if actual is None:
        return False
    if op in ("eq", "in"):
        return _same(actual, expected)
    if op == "icontains":
        return str(expected).lower() in str(actual).lower()
    try:
        if op == "gte":
            return bool(actual >= expected)
        if op == "lte":
            return bool(actual <= expected)
    except TypeError:
        return False
    raise ValueError(f"unknown condition op {op!r}")


def matches(doc: dict[str, Any], condition: Condition) -> bool:
    return any(
        _compare(condition.op, value_at(doc, path), expected)
        for path in condition.paths
        for expected in condition.values
    )


def sort_key(doc: dict[str, Any], field_name: str) -> tuple[int, Any]:
    value = doc.get(field_name)
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return (2, int(value))  # numeric-string ids ("1000") sort as numbers; "2²" is no number
    return (3, str(value))


def run_query(docs: list[dict[str, Any]], query: Query) -> Page:
    """Evaluate ``query`` over ``docs`` in Python (memory and Redis backends)."""
    selected = [d for d in docs if all(matches(d, c) for c in query.conditions)]
    for field_name, descending in reversed(query.sort):
        selected.sort(key=lambda d, f=field_name: sort_key(d, f), reverse=descending)
    end = None if query.limit is None else query.offset + query.limit
    return Page(items=selected[query.offset : end], total=len(selected))
