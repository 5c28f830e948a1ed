"""Injected faults: seeded 5xx in the vendor's error shape, the vendor's own 429, latency, and a
connection dropped mid-response; per operation, through the admin API, cleared by reset."""

from __future__ import annotations

import time

import httpx
import pytest
from flask import Flask

from mockserver.engine import MockEngine

from .conftest import CLIENTS
from .conftest import auth


def statuses(app: Flask, count: int) -> list[int]:
    return [app.test_client().get(CLIENTS, headers=auth()).status_code for _ in range(count)]


def test_an_error_rate_fails_that_share_of_requests(app: Flask, engine: MockEngine) -> None:
    engine.controls.set_rate_limit_mode("robaws", {"mode": "off"})
    engine.controls.set_fault("robaws", "listClients", {"error_rate": 0.3, "seed": 7})
    seen = statuses(app, 40)
    assert set(seen) <= {200, 500, 502, 503}
    assert 4 <= sum(s >= 500 for s in seen) <= 24


def test_the_same_seed_gives_the_same_sequence_on_a_new_mock(engine: MockEngine) -> None:
    from mockserver import Settings
    from mockserver import create_app
    from mockserver import get_engine

    runs = []
    for _ in range(2):
        fresh = create_app(Settings(apis=("robaws",)))
        get_engine(fresh).controls.set_rate_limit_mode("robaws", {"mode": "off"})
        get_engine(fresh).controls.set_fault("robaws", None, {"error_rate": 0.5, "seed": 3})
        runs.append(statuses(fresh, 20))
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 1


def test_an_injected_5xx_has_the_vendors_error_shape_and_changes_nothing(
    app: Flask, engine: MockEngine
) -> None:
    engine.controls.set_fault("robaws", "createClient", {"error_rate": 1, "error_statuses": [503]})
    client = app.test_client()
    response = client.post(CLIENTS, json={"name": "Never"}, headers=auth())
    assert response.status_code == 503
    assert response.get_json()["message"] == "Injected server error"
    assert response.headers["X-Mock-Fault"] == "error"
    listed = client.get(CLIENTS + "?size=100", headers=auth()).get_json()["items"]
    assert all(item["name"] != "Never" for item in listed)


def test_an_injected_429_is_the_vendors_own(app: Flask, engine: MockEngine) -> None:
    engine.controls.set_fault("robaws", "listClients", {"ratelimit_rate": 1})
    response = app.test_client().get(CLIENTS, headers=auth())
    assert response.status_code == 429 and response.data == b""
    assert response.headers["X-RateLimit-Remaining"] == "0"


def test_latency_is_added_to_one_operation_only(app: Flask, engine: MockEngine) -> None:
    engine.controls.set_fault("robaws", "listClients", {"latency_ms": 150})
    client = app.test_client()
    started = time.perf_counter()
    client.get(CLIENTS, headers=auth())
    slow = time.perf_counter() - started
    started = time.perf_counter()
    client.get("/robaws/api/v2/articles", headers=auth())
    fast = time.perf_counter() - started
    assert slow >= 0.15
    assert fast < slow


def test_a_dropped_connection_cuts_the_response_over_a_socket(
    http: httpx.Client, engine: MockEngine
) -> None:
    engine.controls.set_fault("robaws", "listClients", {"drop_rate": 1})
    with pytest.raises(httpx.RemoteProtocolError):
        http.get(CLIENTS)
    engine.controls.clear_faults()
    assert http.get(CLIENTS).status_code == 200


def test_faults_are_managed_through_the_admin_api(app: Flask, engine: MockEngine) -> None:
    client = app.test_client()
    assert client.post("/__admin/faults", json={"error_rate": 2}).status_code == 400
    assert client.post("/__admin/faults", json={"api": "nope"}).status_code == 400
    # A fault on an operation the API does not have would never fire.
    unknown = client.post("/__admin/faults", json={"api": "robaws", "operation": "listClient"})
    assert unknown.status_code == 400 and "listClient" in unknown.get_json()["message"]
    assert client.post("/__admin/faults", json={"operation": "createClient"}).status_code == 200
    assert client.delete("/__admin/faults").status_code == 204
    added = client.post(
        "/__admin/faults", json={"api": "robaws", "operation": "listClients", "error_rate": 1}
    )
    assert added.status_code == 200
    assert client.get("/__admin/faults").get_json()["faults"][0]["operation"] == "listClients"
    assert client.get(CLIENTS, headers=auth()).status_code >= 500
    assert client.delete("/__admin/faults").status_code == 204
    assert client.get(CLIENTS, headers=auth()).status_code == 200
    client.post("/__admin/faults", json={"error_rate": 1})
    client.post("/__admin/reset")
    assert client.get(CLIENTS, headers=auth()).status_code == 200
