"""Robaws list semantics over live state, and every kind of bad request in Robaws' error shape."""

from __future__ import annotations

import json

import pytest

from contract_tests.robaws.conftest import CLAES
from contract_tests.robaws.conftest import Robaws

API = "/api/v2"


def test_the_quickstart_request_returns_the_robaws_envelope(robaws: Robaws) -> None:
    response = robaws.call("GET", f"{API}/clients?page=0&size=5&sort=name:asc")
    body = response.get_json()
    assert response.status_code == 200
    assert set(body) == {"items", "totalItems", "totalPages", "currentPage", "size"}
    assert (len(body["items"]), body["currentPage"], body["size"]) == (5, 0, 5)
    assert body["totalPages"] == -(-body["totalItems"] // 5)
    names = [c["name"] for c in body["items"]]
    assert names == sorted(names)


def test_without_include_only_association_ids_are_returned(robaws: Robaws) -> None:
    employee = robaws.call("GET", f"{API}/employees?size=1").get_json()["items"][0]
    assert "employerId" in employee and "employer" not in employee
    full = robaws.call(
        "GET", f"{API}/employees/{employee['id']}?include=employer,employer.contacts"
    ).get_json()
    assert full["employer"]["id"] == employee["employerId"]
    contacts = robaws.call("GET", f"{API}/clients/{employee['employerId']}/contacts?size=100")
    assert {c["id"] for c in full["employer"]["contacts"]} == {
        c["id"] for c in contacts.get_json()["items"]
    }


def test_sales_invoice_includes_reach_nested_line_item_associations(robaws: Robaws) -> None:
    invoice = robaws.call("GET", f"{API}/sales-invoices?size=1").get_json()["items"][0]
    assert "adjustedLineItems" not in invoice
    query = "include=adjustedLineItems,adjustedLineItems.vatTariff"
    full = robaws.call("GET", f"{API}/sales-invoices/{invoice['id']}?{query}").get_json()
    lines = [line for line in full["adjustedLineItems"] if line.get("vatTariffId")]
    assert lines, "seed data should give line items with a VAT tariff"
    assert all(line["vatTariff"]["id"] == line["vatTariffId"] for line in lines)


def test_updated_from_returns_what_changed_since_inclusive(robaws: Robaws) -> None:
    robaws.engine.clock.freeze()
    try:
        robaws.engine.clock.advance(3600)
        client = robaws.call("GET", f"{API}/clients?size=1").get_json()["items"][0]
        patched = robaws.call(
            "PATCH",
            f"{API}/clients/{client['id']}",
            data=json.dumps({"notes": "called back"}),
            content_type="application/merge-patch+json",
        ).get_json()
        since = patched["updatedAt"]
        found = robaws.call("GET", f"{API}/clients?updatedFrom={since}").get_json()["items"]
    finally:
        robaws.engine.clock.reset()
    assert [c["id"] for c in found] == [client["id"]]


def test_extra_field_filter_with_url_encoded_brackets(robaws: Robaws) -> None:
    created = robaws.call(
        "POST",
        f"{API}/clients",
        json={
            "name": "Website lead",
            "extraFields": {"Contact via": {"stringValue": "Newsletter"}},
        },
    ).get_json()
    found = robaws.call(
        "GET", f"{API}/clients?extraFields%5BContact%20via%5D=Newsletter"
    ).get_json()
    assert [c["id"] for c in found["items"]] == [created["id"]]


def test_a_repeated_extra_field_filter_is_rejected_not_collapsed(robaws: Robaws) -> None:
    """Found by Schemathesis: keeping one of three values accepted an array-valued filter."""
    response = robaws.call("GET", f"{API}/clients?extraFields%5BTier%5D=a&extraFields%5BTier%5D=b")
    assert response.status_code == 400
    assert "extraFields[Tier]" in response.get_data(as_text=True)


def test_tenants_are_isolated(robaws: Robaws) -> None:
    mine = robaws.call("GET", f"{API}/clients?size=100").get_json()["items"]
    theirs = robaws.call("GET", f"{API}/clients?size=100", as_=CLAES).get_json()["items"]
    assert mine and theirs
    assert robaws.call("GET", f"{API}/clients/{mine[0]['id']}", as_=CLAES).status_code == 404 or (
        mine[0]["id"] in {c["id"] for c in theirs}
    )
    created = robaws.call("POST", f"{API}/clients", json={"name": "Only mine"}).get_json()
    assert robaws.call("GET", f"{API}/clients/{created['id']}", as_=CLAES).status_code == 404


BAD = [
    (
        "malformed JSON",
        "POST",
        "/clients",
        {"data": '{"name": ', "content_type": "application/json"},
        400,
    ),
    (
        "wrong content type",
        "POST",
        "/clients",
        {"data": "name=x", "content_type": "text/plain"},
        415,
    ),
    ("unknown field", "POST", "/clients", {"json": {"name": "x", "colour": "red"}}, 400),
    ("read-only field", "POST", "/clients", {"json": {"name": "x", "id": "1"}}, 400),
    ("page size 1000", "GET", "/clients?size=1000", {}, 400),
    ("negative page", "GET", "/clients?page=-1", {}, 400),
    ("bad sort field", "GET", "/clients?sort=password:asc", {}, 400),
    ("bad sort direction", "GET", "/clients?sort=name:sideways", {}, 400),
    ("unknown include", "GET", "/clients?include=everything", {}, 400),
    ("id not numeric", "GET", "/clients/abc", {}, 400),
    (
        "idempotency key too long",
        "POST",
        "/clients",
        {"json": {"name": "x"}, "headers": {"Idempotency-Key": "k" * 129}},
        400,
    ),
    ("unknown id", "GET", "/clients/999999999", {}, 404),
    ("unknown path", "GET", "/nothing", {}, 404),
    ("unsupported method", "DELETE", "/clients", {}, 405),
    (
        "replica write",
        "POST",
        "/clients",
        {"json": {"name": "x"}, "headers": {"Database-Mode": "replica"}},
        403,
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_requests_get_a_robaws_error_and_change_nothing(
    robaws: Robaws, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    before = robaws.snapshot()
    body = robaws.assert_error(robaws.call(method, API + path, **kwargs), status)
    assert body["path"] == "/robaws" + API + path.split("?")[0]
    assert robaws.snapshot() == before


def test_bad_json_patch_path_is_a_robaws_error_and_changes_nothing(robaws: Robaws) -> None:
    client = robaws.call("POST", f"{API}/clients", json={"name": "Bare client"}).get_json()
    before = robaws.snapshot()
    for patch, status in (
        ([{"op": "remove", "path": "/address/street"}], 400),  # not a path the schema allows
        ([{"op": "replace", "path": "/id", "value": "1"}], 400),  # server-owned
        ([{"op": "remove", "path": "/notes"}], 409),  # allowed, but this client has no notes
        ([{"op": "test", "path": "/name", "value": "not the name"}], 409),
        (
            [{"op": "replace", "path": "/name", "value": "X"}, {"op": "remove", "path": "/email"}],
            409,
        ),
    ):
        response = robaws.call(
            "PATCH",
            f"{API}/clients/{client['id']}",
            data=json.dumps(patch),
            content_type="application/json-patch+json",
        )
        robaws.assert_error(response, status)
    assert robaws.snapshot() == before


def test_missing_and_wrong_credentials_are_401(robaws: Robaws) -> None:
    robaws.assert_error(robaws.call("GET", f"{API}/clients", as_=None), 401)
    robaws.assert_error(
        robaws.call("GET", f"{API}/clients", as_=("demo7f3a9c2e41b84d6e", "nope")), 401
    )
