"""Response schemas of a spec made self-contained, for generators that cannot follow ``$ref``.

hypothesis-jsonschema resolves references only within the schema it is given and gives up on
recursive ones (``Client.contacts -> Contact.client -> Client``). ``inline`` copies every local
reference in, and cuts a cycle by replacing the repeated target with ``false``: the recursive
members the spec declares are all optional (``include``-only expansions), so ``false`` only removes
them (an ``anyOf`` keeps its ``null`` branch, an array stays empty) and every value still fits.
"""

from __future__ import annotations

from typing import Any

from mockserver.spec.refs import lookup

ANNOTATIONS = ("description", "example", "examples", "title", "readOnly", "writeOnly")


def inline(document: dict[str, Any], node: Any, stack: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [inline(document, item, stack) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if ref in stack:
            return False
        target = inline(document, lookup(document, ref), (*stack, ref))
        siblings = {k: v for k, v in node.items() if k != "$ref" and k not in ANNOTATIONS}
        if not siblings or target is False:
            return target
        return {"allOf": [target, inline(document, siblings, stack)]}
    return {
        key: (value if key in ("enum", "const", "default") else inline(document, value, stack))
        for key, value in node.items()
        if not key.startswith("x-") and key not in ANNOTATIONS
    }
