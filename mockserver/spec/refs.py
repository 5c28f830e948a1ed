"""Local ``$ref`` handling: JSON pointers, resolution, and the dangling-reference check.

openapi-spec-validator does not flag a ``$ref`` that points nowhere and Schemathesis only warns
(tooling.md G8), so the loader runs ``find_dangling_refs`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def pointer(*tokens: str | int) -> str:
    return "#" + "".join("/" + escape(str(t)) for t in tokens)


def lookup(document: Any, ref: str) -> Any:
    """The value a local ``#/...`` pointer names; KeyError if it names nothing."""
    if not ref.startswith("#"):
        raise KeyError(f"only local references are supported: {ref}")
    node = document
    for raw in ref[1:].split("/")[1:]:
        token = unescape(raw)
        if isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                raise KeyError(ref)
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise KeyError(ref)
    return node


def resolve(document: dict[str, Any], node: Any, *, depth: int = 0) -> Any:
    """Follow ``$ref`` chains at the top of ``node`` (not inside it)."""
    while isinstance(node, dict) and "$ref" in node:
        if depth > 50:
            raise KeyError(f"reference cycle at {node['$ref']}")
        node = lookup(document, node["$ref"])
        depth += 1
    return node


def iter_refs(node: Any, path: str = "#") -> Iterator[tuple[str, str]]:
    """Every ``$ref`` value in the document with the pointer of the object holding it."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield path, ref
        for key, value in node.items():
            if key.startswith("x-") or key in ("example", "examples", "const", "default", "enum"):
                continue
            yield from iter_refs(value, f"{path}/{escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from iter_refs(value, f"{path}/{index}")


def find_dangling_refs(document: dict[str, Any]) -> list[str]:
    """Messages for each ``$ref`` that cannot be resolved inside the document."""
    problems = []
    for where, ref in iter_refs(document):
        try:
            lookup(document, ref)
        except KeyError:
            problems.append(f"{where}: $ref '{ref}' points nowhere")
    return problems
