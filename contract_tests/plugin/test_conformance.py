"""Client conformance checks and journal verification, on an in-process Robaws mock."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.clients.properties import VDB
from contract_tests.clients.properties import basic
from mockserver.testing import CannedResponse
from mockserver.testing.handle import MockHandle

pytestmark = pytest.mark.mockserver(apis=["robaws"])
AUTH = basic(VDB)


@pytest.fixture
def handle(mock_app: Flask) -> MockHandle:
    return MockHandle(mock_app)


def rules(handle: MockHandle) -> list[tuple[str, str, str, str]]:
    return [(v.operation.split(" ")[0], v.location, v.field, v.rule) for v in handle.violations()]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            {"method": "GET", "path": "/robaws/api/v2/clients?size=many"},
            ("listClients", "query", "size", '"many" is not of type "integer"'),
        ),
        (
            {"method": "GET", "path": "/robaws/api/v2/clients?pageSize=5"},
            ("listClients", "query", "pageSize", "parameter is not documented for this operation"),
        ),
        (
            {"method": "POST", "path": "/robaws/api/v2/clients", "json": {"tel": "1"}},
            ("createClient", "body", "", '"name" is a required property'),
        ),
        (
            {"method": "POST", "path": "/robaws/api/v2/clients", "json": {"name": 5}},
            ("createClient", "body", "/name", '5 is not of type "string"'),
        ),
        (
            {"method": "POST", "path": "/robaws/api/v2/clients", "data": "name=x"},
            ("createClient", "header", "Content-Type", "Content type 'text/plain' is not"),
        ),
        (
            {"method": "GET", "path": "/robaws/api/v2/customers"},
            ("undocumented", "endpoint", "", "no operation in the spec matches this path"),
        ),
        (
            {"method": "PUT", "path": "/robaws/api/v2/clients"},
            ("undocumented", "endpoint", "", "PUT is not documented for this path"),
        ),
    ],
)
def test_each_kind_of_violation_is_named(
    mock_client: FlaskClient, handle: MockHandle, call: dict[str, Any], expected: tuple
) -> None:
    method, path = call.pop("method"), call.pop("path")
    if "data" in call:
        call["content_type"] = "text/plain"
    mock_client.open(path, method=method, headers=AUTH, **call)
    found = rules(handle)
    assert len(found) == 1, found
    operation, location, field, rule = found[0]
    assert (operation, location, field) == expected[:3]
    assert rule.startswith(expected[3])


def test_missing_credentials_are_a_violation(mock_client: FlaskClient, handle: MockHandle) -> None:
    mock_client.get("/robaws/api/v2/clients")
    assert rules(handle) == [
        (
            "listClients",
            "header",
            "Authorization",
            "no credentials for any security scheme (basicAuth or oauth2)",
        )
    ]


def test_a_conformant_request_has_none_even_when_the_answer_is_fuzzed(
    mock_client: FlaskClient, handle: MockHandle
) -> None:
    handle.fuzz.respond("robaws", "createClient", [CannedResponse(429)])
    first = mock_client.post("/robaws/api/v2/clients", json={"name": "A"}, headers=AUTH)
    second = mock_client.post("/robaws/api/v2/clients", json={"name": "A"}, headers=AUTH)
    mock_client.get("/robaws/api/v2/clients?page=1&size=5&sort=name:asc", headers=AUTH)
    assert (first.status_code, second.status_code) == (429, 201)
    assert handle.violations() == []


def test_violations_show_in_the_admin_journal(mock_client: FlaskClient, handle: MockHandle) -> None:
    mock_client.get("/robaws/api/v2/clients?size=0", headers=AUTH)
    handle.violations()
    (entry,) = mock_client.get("/__admin/requests").get_json()["requests"]
    assert entry["violations"] == [
        {"location": "query", "field": "size", "message": "0 is less than the minimum of 1"}
    ]


def test_verify_matches_templates_paths_and_operation_ids(
    mock_client: FlaskClient, handle: MockHandle
) -> None:
    client_id = mock_client.get("/robaws/api/v2/clients", headers=AUTH).get_json()["items"][0]["id"]
    mock_client.patch(
        f"/robaws/api/v2/clients/{client_id}",
        json={"notes": "x", "address": {"city": "Gent"}},
        headers={**AUTH, "Idempotency-Key": "k1"},
    )
    for operation in (
        "PATCH /api/v2/clients/{clientId}",
        f"PATCH /api/v2/clients/{client_id}",
        f"PATCH /robaws/api/v2/clients/{client_id}",
        "patchClient",
    ):
        handle.verify("robaws", operation, times=1)
    handle.verify(
        "robaws",
        "patchClient",
        times=1,
        json_contains={"address": {"city": "Gent"}},
        headers={"idempotency-key": "k1"},
        status=200,
    )
    assert handle.requests("robaws", "patchClient", json_contains={"notes": "y"}) == []
    handle.verify("robaws", "listClients", at_least=1)
    with pytest.raises(AssertionError, match=r"exactly 2 time\(s\).*called 1 time\(s\)"):
        handle.verify("robaws", "patchClient", times=2)
    with pytest.raises(AssertionError, match="It was never called"):
        handle.verify("robaws", "deleteClient")


@pytest.mark.mockserver(apis=["robosize"])
def test_a_query_api_key_is_a_credential_not_an_unknown_parameter(
    mock_client: FlaskClient, handle: MockHandle
) -> None:
    key = "demo-rs-5f1c9a7e3b2d4068a1c3e5f7b9d2e4a6"
    mock_client.get(f"/robosize/api/v1/business/order/?api_key={key}&limit=5")
    assert handle.violations() == []
    mock_client.get(f"/robosize/api/v1/business/order/?api_key={key}&page=2")
    assert rules(handle) == [
        ("listOrders", "query", "page", "parameter is not documented for this operation")
    ]
