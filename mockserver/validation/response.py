"""The mock checking itself: does an answer match what the spec documents for it?

On when ``Settings.validate_responses`` is set (the test suites set it). A mismatch is a bug of the
mock; it is recorded in ``engine.internal_errors`` for the tests to fail on, and the answer is sent
unchanged so the client sees exactly what happened.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver.spec.model import Operation
from mockserver.spec.refs import pointer
from mockserver.validation.request import is_json
from mockserver.validation.schemas import SchemaViews


class ResponseValidator:
    def __init__(self, operation: Operation, views: SchemaViews) -> None:
        self.operation = operation
        self.views = views
        self._validators: dict[tuple[str, str], Any] = {}

    def _documented(self, status: int) -> tuple[str, dict[str, Any]] | None:
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in self.operation.responses:
                return key, self.operation.responses[key]
        return None

    def _validator(self, key: str, media_type: str) -> Any:
        if (key, media_type) not in self._validators:
            raw = self.operation.raw["responses"][key]
            base = raw.get("$ref", f"{self.operation.pointer}/responses/{key}")
            where = f"{base}/content/{pointer(media_type)[2:]}/schema"
            self._validators[(key, media_type)] = self.views.response_validator(where)
        return self._validators[(key, media_type)]

    def problems(self, status: int, content_type: str | None, body: bytes) -> list[str]:
        documented = self._documented(status)
        label = f"{self.operation.label} -> {status}"
        if documented is None:
            return [f"{label}: status not documented"]
        key, response = documented
        content = response.get("content") or {}
        if not body:
            return []
        media_type = (content_type or "").split(";")[0].strip()
        if media_type not in content:
            return [f"{label}: content type {media_type!r} not documented"]
        if not is_json(media_type) or "schema" not in content[media_type]:
            return []
        try:
            document = json.loads(body)
        except ValueError:
            return [f"{label}: body is not JSON"]
        errors = list(self._validator(key, media_type).iter_errors(document))
        return [
            f"{label}: /{'/'.join(str(p) for p in e.instance_path)} {e.message}" for e in errors[:3]
        ]
