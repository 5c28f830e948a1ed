"""The typical integration flow over a real socket, as an ERP would run it: only HTTP calls, the
clock moved through the admin API, the events read where the webhook outbox reads them."""

from __future__ import annotations

import io

import pytest
import requests

from mockserver import get_engine
from mockserver.events import Event
from mockserver.server import MockServer

from .conftest import DAY
from .conftest import HEAT_PUMP_TAG
from .conftest import NORDLYS
from .conftest import NORDLYS_ORG
from .conftest import make_app
from .conftest import new_order


@pytest.mark.socket
def test_the_erp_flow_over_http() -> None:
    app = make_app()
    engine = get_engine(app)
    seen: list[Event] = []
    stop = engine.events.subscribe(seen.append)
    auth = {"Authorization": f"Bearer {NORDLYS}"}
    with MockServer(app) as server, requests.Session() as http:
        http.headers.update(auth)
        base = f"{server.url}/installer/api/v1"
        http.post(f"{server.url}/__admin/clock", json={"freeze": True}).raise_for_status()
        upload = http.post(
            f"{base}/file", files={"file": ("survey.jpg", io.BytesIO(b"\xff\xd8jpeg"))}
        )
        assert upload.status_code == 201
        body = new_order(fileIds=[upload.json()["file_id"]], orderTagIds=[HEAT_PUMP_TAG])
        created = http.post(f"{base}/order", json=body)
        assert created.status_code == 201
        order_id = created.json()["value"]
        assert http.post(f"{base}/order/{order_id}/dispatch").status_code == 200
        http.post(f"{server.url}/__admin/clock", json={"advance": 2 * DAY}).raise_for_status()
        order = http.get(f"{base}/order/{order_id}").json()
    stop()
    assert order["statusName"] == "completed"
    assert [f["fileName"] for f in order["files"]] == ["survey.jpg"]
    mine = [e for e in seen if e.data.get("id") == order_id]
    assert [e.type for e in mine] == [
        "order.created",
        "order.dispatched",
        "order.assigned",
        "order.updated",
        "order.completed",
    ]
    assert all(e.extra["organizationId"] == NORDLYS_ORG for e in mine)
    times = [e.occurred_at for e in mine]
    assert times == sorted(times)  # each step happened at its own due time, in order
    assert engine.internal_errors == []
