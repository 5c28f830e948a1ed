"""Validate a whole request against its operation: path, query, headers, then the body.

``RequestValidator`` is compiled once per operation. ``validate`` returns a ``ValidatedRequest``
(typed values, parsed body) or raises one ``ApiError`` listing every violation found, so a client
learns all its mistakes at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Request

from mockserver import errors
from mockserver.errors import Violation
from mockserver.spec.model import Operation
from mockserver.validation import params as param_reader
from mockserver.validation.schemas import REQUEST
from mockserver.validation.schemas import SchemaViews
from mockserver.validation.schemas import ref
from mockserver.validation.schemas import violations_of

JSON_TYPES = ("application/json",)
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"


def is_json(media_type: str) -> bool:
    return media_type in JSON_TYPES or media_type.endswith("+json")


@dataclass
class ValidatedRequest:
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    media_type: str | None = None
    files: dict[str, Any] = field(default_factory=dict)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(raw: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, UTF-8 only."""
    return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)


class RequestValidator:
    def __init__(self, operation: Operation, views: SchemaViews) -> None:
        self.operation = operation
        self._locations = {
            location: self._location_validator(operation, views, location)
            for location in ("path", "query", "header")
        }
        self._bodies = {
            media_type: views.request_validator(pointer)
            for media_type, pointer in (operation.body.content.items() if operation.body else [])
        }
        self._body_schemas = {
            media_type: views.request_schema(pointer)
            for media_type, pointer in (operation.body.content.items() if operation.body else [])
        }

    @staticmethod
    def _location_validator(operation: Operation, views: SchemaViews, location: str) -> Any:
        declared = [p for p in operation.parameters if p.location == location]
        if not declared:
            return None
        return views.compile(
            {
                "type": "object",
                "properties": {p.name: {"$ref": ref(REQUEST, p.schema_pointer)} for p in declared},
                "required": [p.name for p in declared if p.required],
            }
        )

    @property
    def media_types(self) -> list[str]:
        return list(self._bodies)

    def validate(self, request: Request, view_args: dict[str, str]) -> ValidatedRequest:
        op = self.operation
        result = ValidatedRequest()
        problems: list[Violation] = []
        result.path = param_reader.read_path(op.parameters, view_args)
        result.query, duplicates = param_reader.read_query(op.parameters, request.args)
        problems.extend(duplicates)
        result.headers = param_reader.read_headers(op.parameters, request.headers)
        for location, values in (
            ("path", result.path),
            ("query", result.query),
            ("header", result.headers),
        ):
            validator = self._locations[location]
            if validator is not None:
                problems.extend(Violation(*v) for v in violations_of(validator, values, location))
        if op.body is not None:
            problems.extend(self._validate_body(request, result))
        if problems:
            raise errors.bad_request(_summary(problems), problems)
        return result

    def _validate_body(self, request: Request, result: ValidatedRequest) -> list[Violation]:
        assert self.operation.body is not None
        raw = request.get_data(cache=True)
        media_type = request.mimetype or ""
        if not raw and not request.files and not request.form:
            if self.operation.body.required:
                if media_type and media_type not in self._bodies:
                    raise errors.unsupported_media_type(media_type, self.media_types)
                return [Violation("body", "", "a request body is required")]
            return []
        if media_type not in self._bodies:
            raise errors.unsupported_media_type(media_type, self.media_types)
        result.media_type = media_type
        try:
            result.body = self._parse(media_type, request, raw, result)
        except (ValueError, UnicodeDecodeError) as exc:
            message = f"malformed {media_type} body: {exc}"
            raise errors.ApiError(
                400, message, [Violation("body", "", message)], code="malformed_body"
            ) from exc
        return [Violation(*v) for v in violations_of(self._bodies[media_type], result.body, "body")]

    def _parse(
        self, media_type: str, request: Request, raw: bytes, result: ValidatedRequest
    ) -> Any:
        if is_json(media_type):
            return parse_json(raw)
        schema = self._body_schemas.get(media_type, {})
        if media_type == FORM:
            return _form_values(request.form, schema)
        if media_type == MULTIPART:
            if None in request.form or None in request.files:
                # Werkzeug keys a part with no (readable) name by None: no field can be meant.
                rule = "every part needs Content-Disposition: form-data; name=..."
                raise errors.bad_request(
                    "Invalid request: a multipart part has no name", [Violation("body", "", rule)]
                )
            body = _form_values(request.form, schema)
            for name, storage in request.files.items():
                result.files[name] = storage
                body[name] = storage.filename or "upload"
            return body
        return raw.decode("utf-8", errors="replace")


def _form_values(form: Any, schema: Any) -> dict[str, Any]:
    """Form fields coerced by the property types the body schema declares."""
    properties: dict[str, Any] = {}
    if isinstance(schema, dict):
        properties = dict(schema.get("properties", {}))
        for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
            if isinstance(branch, dict):
                properties.update(branch.get("properties", {}))
    body: dict[str, Any] = {}
    for key in form:
        values = form.getlist(key)
        prop = properties.get(key, {}) if isinstance(properties.get(key), dict) else {}
        declared = prop.get("type", "string")
        types = tuple(declared) if isinstance(declared, list) else (declared,)
        if "array" in types:
            body[key] = values
        else:
            body[key] = param_reader.coerce(values[-1], types)
    return body


def _summary(problems: list[Violation]) -> str:
    first = problems[0]
    where = f"{first.location} {first.field}".strip()
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"Invalid request: {where}: {first.message}{more}"
