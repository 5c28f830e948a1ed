"""Answers of the admin API checked against mockserver/admin_openapi.yaml (shared by the suites)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import jsonschema_rs
import yaml

from mockserver.admin import ADMIN_SPEC

DOCUMENT = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
REGISTRY = jsonschema_rs.Registry([("urn:admin", DOCUMENT)])


def check_admin(answer: Any, path: str, method: str, status: int) -> Any:
    """The answer (httpx or Flask's test client) has ``status`` and a body the admin spec
    describes for it; the body, or None if the spec gives it none."""
    is_flask = hasattr(answer, "get_json")
    text = answer.get_data(as_text=True) if is_flask else answer.text
    assert answer.status_code == status, text
    declared = DOCUMENT["paths"][path][method]["responses"][str(status)]
    ref = declared.get("$ref")
    response = DOCUMENT["components"]["responses"][ref.rsplit("/", 1)[1]] if ref else declared
    if response.get("content", {}).get("application/json", {}).get("schema") is None:
        return None
    escaped = quote(path.replace("~", "~0").replace("/", "~1"))  # {entryId} -> %7BentryId%7D
    pointer = (
        f"urn:admin{ref}" if ref else f"urn:admin#/paths/{escaped}/{method}/responses/{status}"
    )
    validator = jsonschema_rs.validator_for(
        {"$ref": f"{pointer}/content/application~1json/schema"},
        registry=REGISTRY,
        validate_formats=True,
    )
    body = answer.get_json() if is_flask else answer.json()
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, errors
    return body
