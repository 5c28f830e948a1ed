"""Compiled JSON Schema validators over the two views of a spec.

A single resource schema serves requests and responses. In the *request* view every ``readOnly``
property is forbidden (and dropped from ``required``); in the *response* view every ``writeOnly``
one is. That is how Schemathesis reads the same spec when it generates requests, so the mock and
the test tool agree on what is valid. Validators are jsonschema-rs (about 170x faster than
jsonschema here, tooling.md 2d) and are built once, at start-up.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import quote

import jsonschema_rs

from mockserver.spec.refs import lookup

REQUEST = "urn:mockserver:request"
RESPONSE = "urn:mockserver:response"


def _forbid(document: dict[str, Any], keyword: str) -> dict[str, Any]:
    """A copy of ``document`` in which properties marked with ``keyword`` cannot appear."""
    view = copy.deepcopy(document)

    def marked(schema: Any) -> bool:
        if not isinstance(schema, dict):
            return False
        if schema.get(keyword) is True:
            return True
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            try:
                return marked(lookup(document, ref))
            except KeyError:
                return False
        return False

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                hidden = [name for name, sub in properties.items() if marked(sub)]
                for name in hidden:
                    properties[name] = False
                if hidden and isinstance(node.get("required"), list):
                    node["required"] = [r for r in node["required"] if r not in hidden]
            for key, value in node.items():
                if not key.startswith("x-") and key not in ("example", "examples"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(view)
    return view


def ref(view: str, pointer: str) -> str:
    """A URI reference to ``pointer`` in a view; ``{`` and ``}`` of path templates are escaped."""
    return view + quote(pointer, safe="#/~:@!$&'()*+,;=-._")


class SchemaViews:
    """Request and response views of one spec, and validators compiled against them."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.request_document = _forbid(document, "readOnly")
        self.response_document = _forbid(document, "writeOnly")
        self._registry = jsonschema_rs.Registry(
            [(REQUEST, self.request_document), (RESPONSE, self.response_document)]
        )

    def compile(self, schema: dict[str, Any]) -> jsonschema_rs.Validator:
        """A validator for ``schema``, whose ``$ref``s name ``REQUEST#...`` or ``RESPONSE#...``."""
        return jsonschema_rs.validator_for(schema, registry=self._registry, validate_formats=True)

    def request_validator(self, pointer: str) -> jsonschema_rs.Validator:
        return self.compile({"$ref": ref(REQUEST, pointer)})

    def response_validator(self, pointer: str) -> jsonschema_rs.Validator:
        return self.compile({"$ref": ref(RESPONSE, pointer)})

    def request_schema(self, pointer: str) -> Any:
        return lookup(self.request_document, pointer)


def violations_of(
    validator: jsonschema_rs.Validator, instance: Any, location: str, prefix: str = ""
) -> list[tuple[str, str, str]]:
    """(location, field, message) for each error; ``field`` is a JSON pointer for bodies."""
    found = []
    for error in validator.iter_errors(instance):
        path = [str(p) for p in error.instance_path]
        if location == "body":
            field = prefix + "".join("/" + p for p in path)
        else:
            field = path[0] if path else prefix
        found.append((location, field, error.message))
    return found
