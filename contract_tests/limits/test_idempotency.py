"""Robaws' Idempotency-Key: replay of a success, no memory of a failure, 409 in flight, 422 on a
changed request, expiry by the mock clock; and the 50-thread race, in-process and over a socket."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from flask import Flask

from mockserver.engine import MockEngine
from mockserver.state.query import Collection
from mockserver.state.query import Query

from .conftest import CLAES
from .conftest import CLIENTS
from .conftest import Transport
from .conftest import auth


def count_named(engine: MockEngine, name: str, tenant: str = "vdb-bouw") -> int:
    items = engine.store.query(Collection("robaws", tenant, "clients"), Query()).items
    return sum(1 for item in items if item.get("name") == name)


def keyed(key: str, credential: tuple[str, str] | None = None) -> dict[str, str]:
    return {**(auth(credential) if credential else auth()), "Idempotency-Key": key}


def test_a_success_is_replayed_whole_and_marked(transport: Transport, engine: MockEngine) -> None:
    client = transport
    first = client.post(CLIENTS, json={"name": "Once"}, headers=keyed("k-1"))
    again = client.post(CLIENTS, json={"name": "Once"}, headers=keyed("k-1"))
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers.get("Location") == first.headers.get("Location")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert count_named(engine, "Once") == 1


def test_the_replay_marker_can_be_turned_off(app: Flask, engine: MockEngine) -> None:
    settings = engine.settings
    object.__setattr__(settings, "features", {"idempotency": {"replay_header": False}})
    try:
        client = app.test_client()
        client.post(CLIENTS, json={"name": "Quiet"}, headers=keyed("k-quiet"))
        again = client.post(CLIENTS, json={"name": "Quiet"}, headers=keyed("k-quiet"))
        assert "Idempotent-Replayed" not in again.headers
    finally:
        object.__setattr__(settings, "features", {})


def test_a_failure_is_not_stored_so_a_corrected_retry_works(
    transport: Transport, engine: MockEngine
) -> None:
    client = transport
    wrong = client.post(CLIENTS, json={"name": 42}, headers=keyed("k-fix"))
    assert wrong.status_code == 400
    fixed = client.post(CLIENTS, json={"name": "Fixed"}, headers=keyed("k-fix"))
    assert fixed.status_code == 201
    assert count_named(engine, "Fixed") == 1


def test_the_same_key_on_a_different_request_is_422(
    transport: Transport, engine: MockEngine
) -> None:
    client = transport
    client.post(CLIENTS, json={"name": "A"}, headers=keyed("k-diff"))
    other = client.post(CLIENTS, json={"name": "B"}, headers=keyed("k-diff"))
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["message"]
    assert count_named(engine, "B") == 0


def test_keys_are_scoped_per_credential(transport: Transport, engine: MockEngine) -> None:
    client = transport
    client.post(CLIENTS, json={"name": "Mine"}, headers=keyed("shared"))
    theirs = client.post(CLIENTS, json={"name": "Mine"}, headers=keyed("shared", CLAES))
    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs.headers
    assert count_named(engine, "Mine", "claes-renovatie") == 1


def test_a_key_longer_than_128_characters_is_400(transport: Transport, engine: MockEngine) -> None:
    response = transport.post(CLIENTS, json={"name": "Long"}, headers=keyed("k" * 129))
    assert response.status_code == 400
    assert count_named(engine, "Long") == 0


def test_keys_expire_after_24_hours_of_mock_time(transport: Transport, engine: MockEngine) -> None:
    client = transport
    client.post(CLIENTS, json={"name": "Daily"}, headers=keyed("k-exp"))
    engine.clock.advance(86400 + 1)
    again = client.post(CLIENTS, json={"name": "Daily"}, headers=keyed("k-exp"))
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert count_named(engine, "Daily") == 2


def test_a_second_request_while_the_first_is_in_flight_gets_409(
    transport: Transport, engine: MockEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    insert = engine.store.insert

    def slow_insert(*args: Any, **kwargs: Any) -> Any:
        threading.Event().wait(0.4)  # the first create is still running when the second arrives
        return insert(*args, **kwargs)

    monkeypatch.setattr(engine.store, "insert", slow_insert)
    results: dict[str, Any] = {}
    first = threading.Thread(
        target=lambda: results.setdefault(
            "first", transport.post(CLIENTS, json={"name": "Slow"}, headers=keyed("k-slow"))
        )
    )
    first.start()
    threading.Event().wait(0.15)
    second = transport.post(CLIENTS, json={"name": "Slow"}, headers=keyed("k-slow"))
    first.join()
    assert results["first"].status_code == 201
    assert second.status_code == 409
    assert count_named(engine, "Slow") == 1


def race_outcome(responses: list[Any], status: Any, body: Any, headers: Any) -> None:
    created = [r for r in responses if status(r) == 201 and "Idempotent-Replayed" not in headers(r)]
    replays = [r for r in responses if status(r) == 201 and "Idempotent-Replayed" in headers(r)]
    conflicts = [r for r in responses if status(r) == 409]
    assert len(created) == 1
    assert len(created) + len(replays) + len(conflicts) == len(responses)
    assert all(body(r) == body(created[0]) for r in replays)


@pytest.fixture
def unlimited(engine: MockEngine) -> None:
    engine.controls.set_rate_limit_mode("robaws", {"mode": "off"})  # 50 at once > burst 20


def test_50_threads_racing_one_keyed_create_in_process(
    app: Flask, engine: MockEngine, unlimited: None
) -> None:
    barrier = threading.Barrier(50)

    def send(_: int) -> Any:
        barrier.wait()
        return app.test_client().post(CLIENTS, json={"name": "Raced"}, headers=keyed("k-race"))

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(send, range(50)))
    race_outcome(responses, lambda r: r.status_code, lambda r: r.get_json(), lambda r: r.headers)
    assert count_named(engine, "Raced") == 1


def test_50_threads_racing_one_keyed_create_over_a_socket(
    http: httpx.Client, engine: MockEngine, unlimited: None
) -> None:
    barrier = threading.Barrier(50)

    def send(_: int) -> httpx.Response:
        barrier.wait()
        return http.post(CLIENTS, json={"name": "Raced"}, headers={"Idempotency-Key": "k-race"})

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(send, range(50)))
    race_outcome(responses, lambda r: r.status_code, lambda r: r.json(), lambda r: r.headers)
    assert count_named(engine, "Raced") == 1


def test_replays_over_a_socket_carry_fresh_rate_limit_headers(
    http: httpx.Client, engine: MockEngine
) -> None:
    first = http.post(CLIENTS, json={"name": "Sock"}, headers={"Idempotency-Key": "k-sock"})
    again = http.post(CLIENTS, json={"name": "Sock"}, headers={"Idempotency-Key": "k-sock"})
    assert again.json() == first.json()
    assert (
        int(again.headers["X-RateLimit-Remaining"])
        == int(first.headers["X-RateLimit-Remaining"]) - 1
    )
