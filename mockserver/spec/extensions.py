"""JSON Schemas of the ``x-mock`` extensions (see docs/spec-extensions.md).

They are checked at load time so that a misspelt key fails with the pointer to it instead of
silently switching a behaviour off. Features that own a block (rate limits, idempotency, webhooks)
register its schema in ``FEATURE_SCHEMAS``.
"""

from __future__ import annotations

from typing import Any

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]*$"}
_FIELD = {"type": "string", "minLength": 1}

ID_STYLES = ["sequence-string", "sequence-int", "uuid"]
TIMESTAMP_FORMATS = ["iso8601-ms", "iso8601", "laravel", "human"]
ERROR_STYLES = ["robaws", "drf", "laravel", "nestjs"]
PAGINATION_STYLES = ["page-size", "limit-offset", "laravel", "none"]
ACTIONS = ["list", "create", "get", "replace", "patch", "delete"]
FILTER_OPS = ["eq", "in", "gte", "lte", "icontains", "extra-fields"]
AUTH_KINDS = ["basic", "oauth2-bearer", "bearer", "api-key"]
GENERATORS = ["uuid", "hex32", "token"]

IDS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "field": _FIELD,
        "style": {"enum": ID_STYLES},
        "start": {"type": "integer", "minimum": 0},
    },
}

TIMESTAMPS = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "created": {"type": ["string", "null"]},
        "updated": {"type": ["string", "null"]},
        "format": {"enum": TIMESTAMP_FORMATS},
    },
}

PAGINATION: dict[str, Any] = {
    "oneOf": [
        {"const": "none"},
        {
            "type": "object",
            "required": ["style"],
            "additionalProperties": False,
            "properties": {
                "style": {"enum": PAGINATION_STYLES},
                "page-param": _FIELD,
                "size-param": _FIELD,
                "offset-param": _FIELD,
                "limit-param": _FIELD,
                "first-page": {"type": "integer", "minimum": 0},
                "default-size": {"type": "integer", "minimum": 1},
                "max-size": {"type": "integer", "minimum": 1},
                "off-for-roles": {"type": "array", "items": {"type": "string"}},
                "metadata-param": _FIELD,
            },
        },
    ]
}

RELATION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "resource": _NAME,
        "field": _FIELD,
        "foreign-key": _FIELD,
        "many": {"type": "boolean"},
        "embedded": {"type": "boolean"},
        "relations": {"type": "object", "additionalProperties": {"$ref": "#/$defs/relation"}},
    },
}

RESOURCE = {
    "type": "object",
    "required": ["schema"],
    "additionalProperties": False,
    "properties": {
        "schema": _FIELD,
        "id": IDS,
        "timestamps": {"oneOf": [{"const": False}, TIMESTAMPS]},
        "relations": {"type": "object", "additionalProperties": {"$ref": "#/$defs/relation"}},
        "defaults": {"type": "object"},
        "generated": {"type": "object", "additionalProperties": {"enum": GENERATORS}},
        "events": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "created": _FIELD,
                "updated": _FIELD,
                "deleted": _FIELD,
                "fields-changed": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": _FIELD},
                },
            },
        },
        "seed": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"count": {"type": "integer", "minimum": 0}},
        },
    },
}

ROOT: dict[str, Any] = {
    "type": "object",
    "required": ["api", "errors"],
    "additionalProperties": False,
    "properties": {
        "api": _NAME,
        "title": {"type": "string"},
        "errors": {"enum": ERROR_STYLES},
        "ids": IDS,
        "timestamps": TIMESTAMPS,
        "trailing-slash": {"enum": ["strict", "redirect-302"]},
        "pagination": PAGINATION,
        "auth": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "schemes": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["kind"],
                        "additionalProperties": False,
                        "properties": {"kind": {"enum": AUTH_KINDS}},
                    },
                },
            },
        },
        "seed": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "locale": {"type": "string"},
                "count": {"type": "integer", "minimum": 0},
            },
        },
        "resources": {"type": "object", "additionalProperties": RESOURCE},
    },
    "$defs": {"relation": RELATION},
}

FILTER = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "field": _FIELD,
        "op": {"enum": FILTER_OPS},
        "fields": {"type": "object", "additionalProperties": _FIELD},
    },
}

OPERATION: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "resource": _NAME,
        "action": {"enum": ACTIONS},
        "handler": _FIELD,
        "parent": {
            "type": "object",
            "required": ["param", "resource", "field"],
            "additionalProperties": False,
            "properties": {"param": _FIELD, "resource": _NAME, "field": _FIELD},
        },
        "filters": {"type": "object", "additionalProperties": FILTER},
        "sort": {
            "type": "object",
            "required": ["param"],
            "additionalProperties": False,
            "properties": {
                "param": _FIELD,
                "syntax": {"enum": ["colon", "dash"]},
                "default": {"type": "string"},
            },
        },
        "include": {
            "type": "object",
            "required": ["param"],
            "additionalProperties": False,
            "properties": {"param": _FIELD},
        },
        "pagination": PAGINATION,
    },
    "$defs": {"relation": RELATION},
}

# Blocks owned by cross-cutting features: name -> JSON Schema. A feature module adds its own entry
# when imported, so the spec loader needs no knowledge of it.
FEATURE_SCHEMAS: dict[str, dict[str, Any]] = {}
# Operation-level keys owned by features (e.g. "rate-limit" overrides): name -> JSON Schema.
OPERATION_FEATURE_SCHEMAS: dict[str, dict[str, Any]] = {}


def root_schema() -> dict[str, Any]:
    schema = dict(ROOT)
    schema["properties"] = {**ROOT["properties"], **FEATURE_SCHEMAS}
    return schema


def operation_schema() -> dict[str, Any]:
    schema = dict(OPERATION)
    schema["properties"] = {**OPERATION["properties"], **OPERATION_FEATURE_SCHEMAS}
    return schema
