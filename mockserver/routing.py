"""OpenAPI paths as Flask rules, and each API's routes registered on the app."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

import yaml
from flask import Flask
from flask import Response
from flask import request

from mockserver.pipeline import make_view
from mockserver.runtime import ApiRuntime

_PARAM = re.compile(r"\{([^{}/]+)\}")


def to_flask_rule(path: str) -> str:
    """``/api/v2/clients/{clientId}`` -> ``/api/v2/clients/<clientId>``.

    >>> to_flask_rule("/api/v2/clients/{clientId}/contacts")
    '/api/v2/clients/<clientId>/contacts'
    """
    return _PARAM.sub(lambda m: f"<{m.group(1)}>", path)


def served_document(runtime: ApiRuntime) -> dict[str, Any]:
    """The spec as served: ``servers`` point at this mock, so tools test it, not the vendor."""
    document = copy.deepcopy(runtime.spec.document)
    document["servers"] = [
        {"url": runtime.base_url(request.host_url), "description": "this mock server"}
    ]
    return document


def register_api(app: Flask, runtime: ApiRuntime) -> None:
    prefix = runtime.prefix
    for op in runtime.spec.operations:
        app.add_url_rule(
            prefix + to_flask_rule(op.path),
            endpoint=f"{runtime.spec.name}.{op.operation_id}",
            view_func=make_view(runtime, op),
            methods=[op.method],
        )

    def spec_json() -> Response:
        body = json.dumps(served_document(runtime), ensure_ascii=False)
        return Response(body, mimetype="application/json")

    def spec_yaml() -> Response:
        body = yaml.safe_dump(served_document(runtime), sort_keys=False, allow_unicode=True)
        return Response(body, mimetype="application/yaml")

    app.add_url_rule(f"{prefix}/openapi.json", f"{runtime.spec.name}.__spec_json", spec_json)
    app.add_url_rule(f"{prefix}/openapi.yaml", f"{runtime.spec.name}.__spec_yaml", spec_yaml)
