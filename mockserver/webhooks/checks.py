"""Outgoing payloads checked against the spec's top-level ``webhooks`` (when tests ask for it).

With ``Settings.validate_responses`` on, as the test suites run, every body written to the outbox
is validated against the request body its event declares; a mismatch is a bug of the mock and
goes to ``engine.internal_errors``, which the suites fail on. The delivery still goes out: a test
should see what a receiver would see.
"""

from __future__ import annotations

import threading
from typing import Any

import jsonschema_rs

from mockserver.validation.schemas import SchemaViews


def body_pointer(document: dict[str, Any], event: str) -> str | None:
    """The JSON pointer of an event's JSON body schema, following a requestBody ``$ref``."""
    operation = (document.get("webhooks") or {}).get(event, {}).get("post")
    if not operation or "requestBody" not in operation:
        return None
    body = operation["requestBody"]
    escaped = event.replace("~", "~0").replace("/", "~1")
    base = body.get("$ref") or f"#/webhooks/{escaped}/post/requestBody"
    return f"{base}/content/application~1json/schema"


class PayloadCheck:
    def __init__(self, document: dict[str, Any], views: SchemaViews) -> None:
        self._document = document
        self._views = views
        self._validators: dict[str, jsonschema_rs.Validator | None] = {}
        self._lock = threading.Lock()

    def _validator(self, event: str) -> jsonschema_rs.Validator | None:
        with self._lock:
            if event not in self._validators:
                pointer = body_pointer(self._document, event)
                self._validators[event] = (
                    self._views.response_validator(pointer) if pointer else None
                )
            return self._validators[event]

    def problems(self, event: str, body: Any) -> list[str]:
        validator = self._validator(event)
        if validator is None:
            return []
        return [
            f"webhook {event} payload{''.join('/' + str(p) for p in e.instance_path)}: {e.message}"
            for e in validator.iter_errors(body)
        ]
