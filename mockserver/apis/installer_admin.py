"""``POST /__admin/installer/orders/<orderId>/transition``: push an order to a next state in tests.

The step is the lifecycle's own (``installer_lifecycle.move``): illegal steps are refused with 409
and change nothing, legal ones emit the same events the API and the simulated installer do.
"""

from __future__ import annotations

from flask import Response
from flask import jsonify
from flask import request

from mockserver import admin
from mockserver.apis import installer_lifecycle as lifecycle
from mockserver.apis.installer_lifecycle import Status
from mockserver.apis.installer_simulator import simulator
from mockserver.errors import ApiError


@admin.blueprint.post("/installer/orders/<order_id>/transition")
def transition_order(order_id: str) -> Response | tuple[Response, int]:
    runtime = admin.engine().runtimes.get(lifecycle.API)
    if runtime is None:
        return admin.problem(404, "the installer API is not mounted")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("to"), str):
        return admin.problem(
            400, 'expected a JSON object: {"to": "<status>", "installerId"?, "reason"?}'
        )
    try:
        to = lifecycle.parse_status(body["to"])
    except ValueError as exc:
        return admin.problem(400, str(exc))
    sim = simulator(runtime)
    sim.tick()
    found = lifecycle.find_order(runtime, order_id)
    if found is None:
        return admin.problem(404, f"no order {order_id} in any organization")
    tenant, _ = found
    installer_id = body.get("installerId")
    how = sim.timing.scheduling(installer_id) if to is Status.SCHEDULED else {}
    if to is Status.CANCELLED and isinstance(body.get("reason"), str):
        how["reason"] = body["reason"]
    try:
        if installer_id:
            lifecycle.require_installer(runtime, tenant, str(installer_id))
        after = lifecycle.move(runtime, tenant, order_id, to, how=how)
        if to is Status.DISPATCHING:  # the simulated installer answers it like an API dispatch
            sim.track(tenant, order_id, installer_id)
    except ApiError as error:
        return admin.problem(error.status, error.message)
    return jsonify(lifecycle.render_order(runtime, tenant, after))
