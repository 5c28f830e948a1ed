"""Admin endpoints for the run-time switches: rate-limit modes and injected faults.

``PUT /__admin/rate-limits`` ``{api?, mode, ietf?, temp-block?, storm-probability?, overrides?}``;
``GET`` lists the modes. ``POST /__admin/faults`` ``{api?, operation?, latency_ms?, ...}`` adds a
fault; ``GET`` lists them; ``DELETE`` clears them. ``/__admin/reset`` restores both.
"""

from __future__ import annotations

import dataclasses

from flask import Response
from flask import jsonify
from flask import request

from mockserver.admin import blueprint
from mockserver.admin import engine
from mockserver.admin import problem
from mockserver.errors import ConfigError


def _body() -> dict[str, object] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def _known_api(name: object) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or name not in engine().runtimes:
        raise ConfigError(f"unknown api: {name!r}")
    return name


def _check_operation(api: str | None, operation: str | None) -> None:
    """A fault on an operation no API has would never fire: say so instead of storing it."""
    if operation in (None, "*"):
        return
    runtimes = [engine().runtimes[api]] if api else list(engine().runtimes.values())
    if not any(op.operation_id == operation for rt in runtimes for op in rt.spec.operations):
        raise ConfigError(f"unknown operation {operation!r} of {api or 'any api'}")


@blueprint.get("/rate-limits")
def rate_limits() -> Response:
    controls = engine().controls
    return jsonify(
        {
            "modes": controls.rate_limit_modes(),
            "effective": {
                api: dataclasses.asdict(controls.rate_limit_mode(api)) for api in engine().runtimes
            },
        }
    )


@blueprint.put("/rate-limits")
def set_rate_limits() -> Response | tuple[Response, int]:
    body = _body()
    if body is None:
        return problem(400, "expected a JSON object: {api?, mode, ietf?, temp-block?, ...}")
    try:
        api = _known_api(body.pop("api", None))
        mode = engine().controls.set_rate_limit_mode(api, body)
    except (ConfigError, TypeError) as exc:
        return problem(400, str(exc))
    return jsonify({"api": api or "*", **dataclasses.asdict(mode)})


@blueprint.get("/faults")
def faults() -> Response:
    return jsonify({"faults": engine().controls.faults()})


@blueprint.post("/faults")
def add_fault() -> Response | tuple[Response, int]:
    body = _body()
    if body is None:
        return problem(400, "expected a JSON object: {api?, operation?, latency_ms?, ...}")
    try:
        api = _known_api(body.pop("api", None))
        operation = body.pop("operation", None)
        if operation is not None and not isinstance(operation, str):
            raise ConfigError("operation must be an operationId")
        _check_operation(api, operation)
        spec = engine().controls.set_fault(api, operation, body)
    except (ConfigError, TypeError, ValueError) as exc:
        return problem(400, str(exc))
    return jsonify({"api": api or "*", "operation": operation or "*", **dataclasses.asdict(spec)})


@blueprint.delete("/faults")
def clear_faults() -> tuple[str, int]:
    engine().controls.clear_faults()
    return "", 204
