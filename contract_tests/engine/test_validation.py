"""Bad input gets a 4xx in the API's own error shape, lists what is wrong, and changes nothing."""

from __future__ import annotations

import json

import pytest

from contract_tests.engine.conftest import Shop

ERROR_KEYS = {"timestamp", "status", "error", "message", "path", "correlationId", "serverVersion"}


def assert_vendor_error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.get_data(as_text=True)  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert set(body) >= ERROR_KEYS, body
    assert body["status"] == status
    return dict(body)


BAD_REQUESTS = [
    (
        "malformed JSON",
        "POST",
        "/products",
        {"data": "{name:", "content_type": "application/json"},
        400,
    ),
    (
        "NaN is not JSON",
        "POST",
        "/products",
        {"data": '{"name":"x","price":NaN}', "content_type": "application/json"},
        400,
    ),
    (
        "wrong content type",
        "POST",
        "/products",
        {"data": "name=x", "content_type": "text/plain"},
        415,
    ),
    ("unknown field", "POST", "/products", {"json": {"name": "x", "price": 1, "zzz": 1}}, 400),
    ("read-only field", "POST", "/products", {"json": {"name": "x", "price": 1, "id": "5"}}, 400),
    ("missing required field", "POST", "/products", {"json": {"name": "x"}}, 400),
    ("wrong type", "POST", "/products", {"json": {"name": "x", "price": "cheap"}}, 400),
    ("no body", "POST", "/products", {}, 400),
    ("page size 1000", "GET", "/products?size=1000", {}, 400),
    ("negative page", "GET", "/products?page=-1", {}, 400),
    ("page not a number", "GET", "/products?page=abc", {}, 400),
    ("page given twice", "GET", "/products?page=1&page=2", {}, 400),
    ("bad sort field", "GET", "/products?sort=secret:asc", {}, 400),
    ("bad sort direction", "GET", "/products?sort=name:up", {}, 400),
    ("bad include", "GET", "/products?include=everything", {}, 400),
    ("bad id pattern", "GET", "/products/abc", {}, 400),
]


@pytest.mark.parametrize(
    ("label", "method", "path", "kwargs", "status"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS]
)
def test_bad_requests_are_rejected_in_the_vendor_shape_and_change_nothing(
    shop: Shop, label: str, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    before = shop.records()
    body = assert_vendor_error(shop.call(method, path, **kwargs), status)
    assert body["path"] == f"/shop/api{path.split('?')[0]}"
    assert shop.records() == before


def test_every_violation_is_listed_with_its_location(shop: Shop) -> None:
    body = assert_vendor_error(shop.call("GET", "/products?page=-1&size=1000"), 400)
    assert {(e["location"], e["field"]) for e in body["errors"]} == {
        ("query", "page"),
        ("query", "size"),
    }


def test_a_body_violation_names_the_field_by_json_pointer(shop: Shop) -> None:
    body = assert_vendor_error(shop.call("POST", "/products", json={"name": "x", "price": -1}), 400)
    assert body["errors"] == [
        {"location": "body", "field": "/price", "message": "-1 is less than the minimum of 0"}
    ]


def test_a_bad_json_patch_path_is_a_conflict_and_changes_nothing(shop: Shop) -> None:
    product_id = next(iter(shop.records()))
    before = shop.records()
    patch = [{"op": "replace", "path": "/nope/deeper", "value": 1}]
    response = shop.call(
        "PATCH",
        f"/products/{product_id}",
        data=json.dumps(patch),
        content_type="application/json-patch+json",
    )
    assert_vendor_error(response, 409)
    assert shop.records() == before


def test_a_patch_that_would_break_the_schema_is_unprocessable(shop: Shop) -> None:
    product_id = next(iter(shop.records()))
    before = shop.records()
    patch = [{"op": "remove", "path": "/price"}]
    response = shop.call(
        "PATCH",
        f"/products/{product_id}",
        data=json.dumps(patch),
        content_type="application/json-patch+json",
    )
    body = assert_vendor_error(response, 422)
    assert "price" in body["message"]
    assert shop.records() == before


def test_a_json_patch_may_not_touch_server_owned_fields(shop: Shop) -> None:
    product_id = next(iter(shop.records()))
    patch = [{"op": "replace", "path": "/id", "value": "1"}]
    response = shop.call(
        "PATCH",
        f"/products/{product_id}",
        data=json.dumps(patch),
        content_type="application/json-patch+json",
    )
    assert response.status_code == 409
    assert product_id in shop.records()


def test_unknown_query_parameters_are_ignored_like_the_vendors_do(shop: Shop) -> None:
    assert shop.call("GET", "/products?x-unknown=42").status_code == 200
