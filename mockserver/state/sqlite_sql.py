"""Translate a ``Query`` into SQL over JSON documents with exactly ``query.run_query``'s meaning.

- Equality is typed as in Python: a string never equals a number, a boolean only a boolean
  (``json_type`` guards every comparison, because ``json_extract`` turns ``true`` into 1).
- The sort key is ``query.sort_key``: (class, value) with null < booleans < numbers (and
  all-digit strings read as numbers) < other strings; three SQL expressions give that order.
- ``icontains`` calls back into Python (``icontains``) for Unicode-correct lower-casing.

Field names that are plain identifiers are written into the SQL as literals, so expression
indexes can serve them; any other name is a bound parameter (never SQL text). A condition SQL
cannot express (an object or list value, an unknown op, a quote in a name) is left to Python.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from mockserver.state.query import Condition
from mockserver.state.query import FieldPath
from mockserver.state.query import Query

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DIGITS = "(length({v}) BETWEEN 1 AND 18 AND {v} NOT GLOB '*[^0-9]*')"


@dataclass
class Plan:
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order_by: str = "rowid"
    indexes: list[tuple[str, ...]] = field(default_factory=list)
    python_conditions: tuple[Condition, ...] = ()
    python_sort: bool = False

    @property
    def exact(self) -> bool:
        return not self.python_conditions and not self.python_sort


class _Path:
    """A JSON path as SQL: a literal when it is safe to inline, else a bound parameter."""

    def __init__(self, path: FieldPath) -> None:
        text = "$" + "".join(f'."{part}"' for part in path)
        self.literal = all(_IDENTIFIER.match(part) for part in path)
        self.sql = f"'{text}'" if self.literal else "?"
        self.params: list[Any] = [] if self.literal else [text]

    def type_(self) -> tuple[str, list[Any]]:
        return f"json_type(doc, {self.sql})", list(self.params)

    def value(self) -> tuple[str, list[Any]]:
        return f"json_extract(doc, {self.sql})", list(self.params)


INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1  # what SQLite binds as an INTEGER


def _plain(part: str) -> bool:
    """SQLite's JSON path matches a key only as written in the stored text, where json.dumps
    escapes control and non-ASCII characters (and a NUL is a path syntax error): other keys are
    left to Python, which compares them exactly."""
    return all(" " <= char <= "~" and char not in '"\\' for char in part)


def expressible(path: FieldPath) -> bool:
    return bool(path) and all(_plain(part) for part in path)


def _one(path: FieldPath, op: str, value: Any) -> tuple[str, list[Any]] | None:
    p = _Path(path)
    t, tp = p.type_()
    v, vp = p.value()
    if value is None:
        return "0", []  # a missing value never matches (query._compare)
    if op == "icontains":
        return f"mock_icontains({t}, {v}, ?)", [*tp, *vp, str(value)]
    if isinstance(value, bool):
        if op in ("eq", "in"):
            return f"{t} = ?", [*tp, "true" if value else "false"]
        kinds = "'integer','real','true','false'"  # bool >= int works in Python
    elif isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        return None  # SQLite cannot bind it (OverflowError): Python compares it exactly
    elif isinstance(value, int | float):
        kinds = "'integer','real'" if op in ("eq", "in") else "'integer','real','true','false'"
    elif isinstance(value, str):
        kinds = "'text'"
    else:
        return None
    sql_op = {"eq": "=", "in": "=", "gte": ">=", "lte": "<="}.get(op)
    if sql_op is None:
        return None
    return f"({t} IN ({kinds}) AND {v} {sql_op} ?)", [*tp, *vp, value]


def condition_sql(condition: Condition) -> tuple[str, list[Any]] | None:
    """The SQL for one condition (any path, any value), or None if Python must evaluate it."""
    if not condition.paths or not all(expressible(p) for p in condition.paths):
        return None
    parts: list[str] = []
    params: list[Any] = []
    for path in condition.paths:
        for value in condition.values:
            piece = _one(path, condition.op, value)
            if piece is None:
                return None
            parts.append(piece[0])
            params.extend(piece[1])
    if not parts:
        return "0", []
    return "(" + " OR ".join(parts) + ")", params


def sort_expressions(name: str) -> tuple[str, str, str]:
    """(class, number, text) expressions ordering like ``query.sort_key`` on one plain field."""
    p = _Path((name,))
    t, v = p.type_()[0], p.value()[0]
    digits = _DIGITS.format(v=v)
    klass = (
        f"CASE WHEN {t} IS NULL OR {t} = 'null' THEN 0 WHEN {t} IN ('true','false') THEN 1 "
        f"WHEN {t} IN ('integer','real') THEN 2 WHEN {t} = 'text' AND {digits} THEN 2 ELSE 3 END"
    )
    number = (
        f"CASE WHEN {t} IN ('integer','real','true','false') THEN {v} "
        f"WHEN {t} = 'text' AND {digits} THEN CAST({v} AS INTEGER) END"
    )
    # objects and lists sort by their JSON text here, by Python's repr in run_query: a sort on
    # a structured field has no meaningful order either way
    text = (
        f"CASE WHEN {t} = 'text' AND NOT {digits} THEN {v} "
        f"WHEN {t} IN ('object','array') THEN {v} END"
    )
    return klass, number, text


def index_name(expressions: tuple[str, ...]) -> str:
    digest = hashlib.sha1(json.dumps(expressions).encode()).hexdigest()[:16]
    return f"ix_records_{digest}"


def plan(query: Query) -> Plan:
    result = Plan()
    python: list[Condition] = []
    for condition in query.conditions:
        found = condition_sql(condition)
        if found is None:
            python.append(condition)
            continue
        result.where.append(found[0])
        result.params.extend(found[1])
        if condition.op in ("eq", "in", "gte", "lte") and len(condition.paths) == 1:
            p = _Path(condition.paths[0])
            if p.literal:
                result.indexes.append((p.value()[0],))
    result.python_conditions = tuple(python)
    if not all(_IDENTIFIER.match(name) for name, _ in query.sort):
        result.python_sort = True  # an odd field name: Python sorts the rows SQL selected
        return result
    if query.sort:
        terms: list[str] = []
        indexed: list[str] = []
        for position, (name, descending) in enumerate(query.sort):
            expressions = sort_expressions(name)
            direction = " DESC" if descending else ""
            terms.extend(f"{e}{direction}" for e in expressions)
            if position < 2:
                indexed.extend(expressions)
        result.order_by = ", ".join(terms)
        result.indexes.append(tuple(indexed))
    return result


def icontains(kind: str | None, actual: Any, expected: str) -> bool:
    """``query._compare('icontains', ...)`` on a value ``json_type``/``json_extract`` read."""
    if kind is None or kind == "null":
        return False
    if kind in ("true", "false"):
        shown = "True" if kind == "true" else "False"
    elif kind in ("object", "array"):
        shown = str(json.loads(actual))
    else:
        shown = str(actual)
    return expected.lower() in shown.lower()
