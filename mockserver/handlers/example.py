"""The last resort for an operation with no behaviour declared: answer its documented example."""

from __future__ import annotations

from typing import Any

from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.spec.refs import resolve


def example_for(document: dict[str, Any], response: dict[str, Any]) -> tuple[str | None, Any]:
    """(media type, example value) of a response object, from its examples or its schema."""
    for media_type, content in (response.get("content") or {}).items():
        if "example" in content:
            return media_type, content["example"]
        for example in (content.get("examples") or {}).values():
            example = resolve(document, example)
            if "value" in example:
                return media_type, example["value"]
        schema = resolve(document, content.get("schema", {}))
        if "example" in schema:
            return media_type, schema["example"]
        if schema.get("examples"):
            return media_type, schema["examples"][0]
        return media_type, None
    return None, None


def reply_with_example(ctx: RequestContext) -> Reply:
    status = ctx.operation.success_status()
    response = ctx.operation.responses.get(str(status), {})
    media_type, value = example_for(ctx.runtime.spec.document, response)
    return Reply(status, value, content_type=media_type)
