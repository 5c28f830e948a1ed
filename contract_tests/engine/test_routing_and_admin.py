"""Routing errors in the vendor shape, the served spec, trailing slashes, and the admin API."""

from __future__ import annotations

from pathlib import Path

import yaml

from contract_tests.engine.conftest import DATA
from contract_tests.engine.conftest import Shop
from contract_tests.engine.conftest import shop_settings
from mockserver import create_app


def test_unknown_path_and_method_answer_in_the_vendor_shape(shop: Shop) -> None:
    missing = shop.call("GET", "/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["correlationId"]
    wrong = shop.call("DELETE", "/products")
    assert wrong.status_code == 405
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}
    assert wrong.get_json()["status"] == 405


def test_a_trailing_slash_is_a_404_on_a_strict_api(shop: Shop) -> None:
    assert shop.call("GET", "/products/").status_code == 404


def test_missing_credentials_and_wrong_credentials_are_401(shop: Shop) -> None:
    assert shop.call("GET", "/products", auth={}).status_code == 401
    assert (
        shop.call(
            "GET", "/products", auth={"Authorization": "Basic bm9ydGgta2V5Ondyb25n"}
        ).status_code
        == 401
    )
    assert shop.call("GET", "/products", auth={"Authorization": "Basic !!!"}).status_code == 401
    assert shop.call("GET", "/products", auth={"Authorization": "Bearer abc"}).status_code == 401


def test_public_operations_answer_their_example(shop: Shop) -> None:
    response = shop.call("GET", "/ping", auth={})
    assert (response.status_code, response.get_json()) == (200, {"pong": True})


def test_the_served_spec_points_at_the_mock(shop: Shop) -> None:
    served = shop.client.get("/shop/openapi.json").get_json()
    assert served["servers"] == [
        {"url": "http://localhost/shop", "description": "this mock server"}
    ]
    assert (
        served["paths"].keys() == yaml.safe_load((DATA / "shop.yaml").read_text())["paths"].keys()
    )
    assert (
        yaml.safe_load(shop.client.get("/shop/openapi.yaml").get_data(as_text=True))["openapi"]
        == "3.1.0"
    )


def test_admin_credentials_list_every_tenant_with_a_working_curl_line(shop: Shop) -> None:
    credentials = shop.client.get("/__admin/credentials").get_json()["shop"]
    assert [t["id"] for t in credentials["tenants"]] == ["north", "south"]
    curl = credentials["tenants"][0]["credentials"][0]["curl"]
    assert curl == "curl -u 'north-key:north-secret' 'http://localhost/shop/api/products'"


def test_admin_reset_restores_the_seed_state(shop: Shop) -> None:
    before = shop.records()
    shop.call("POST", "/products", json={"name": "Extra", "price": 1})
    shop.call("DELETE", f"/products/{next(iter(before))}")
    counts = shop.client.post("/__admin/reset").get_json()["reset"]
    assert counts["shop"]["products"] == len(before) + len(shop.records("south"))
    assert shop.records() == before


def test_admin_journal_records_requests_and_answers(shop: Shop) -> None:
    shop.call("GET", "/products?size=2")
    shop.call("POST", "/products", json={"name": "x"})
    journal = shop.client.get("/__admin/requests?api=shop").get_json()
    assert journal["count"] == 2
    listed, rejected = journal["requests"]
    assert (listed["operation_id"], listed["status"], listed["tenant"]) == (
        "listProducts",
        200,
        "north",
    )
    assert listed["request_headers"]["Authorization"] == "Basic [redacted]"
    assert (rejected["operation_id"], rejected["status"]) == ("createProduct", 400)
    only_errors = shop.client.get("/__admin/requests?status=400").get_json()
    assert [e["id"] for e in only_errors["requests"]] == [rejected["id"]]
    assert shop.client.delete("/__admin/requests").status_code == 204
    assert shop.client.get("/__admin/requests").get_json()["count"] == 0


def test_admin_clock_freezes_and_advances(shop: Shop) -> None:
    frozen = shop.client.post("/__admin/clock", json={"at": "2030-01-01T00:00:00Z"}).get_json()
    try:
        assert (frozen["now"], frozen["frozen"]) == ("2030-01-01T00:00:00Z", True)
        moved = shop.client.post("/__admin/clock", json={"advance": 90}).get_json()
        assert moved["now"] == "2030-01-01T00:01:30Z"
        created = shop.call("POST", "/products", json={"name": "x", "price": 1}).get_json()
        assert created["createdAt"] == "2030-01-01T00:01:30.000Z"
        assert shop.client.post("/__admin/clock", json={"advance": -1}).status_code == 400
    finally:
        shop.engine.clock.reset()


def test_admin_spec_is_served() -> None:
    app = create_app(shop_settings())
    document = app.test_client().get("/__admin/openapi.json").get_json()
    assert "/__admin/reset" in document["paths"]


def test_a_slashed_api_redirects_302_to_the_slashed_path(tmp_path: Path) -> None:
    document = yaml.safe_load((DATA / "shop.yaml").read_text())
    document["x-mock"]["trailing-slash"] = "redirect-302"
    document["paths"] = {(path + "/"): item for path, item in document["paths"].items()}
    (tmp_path / "shop.yaml").write_text(yaml.safe_dump(document))
    app = create_app(shop_settings(specs_dir=tmp_path))
    client = app.test_client()
    response = client.get("/shop/api/products?size=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/shop/api/products/?size=1")
    response = client.post("/shop/api/products", json={"name": "x", "price": 1})
    assert response.status_code == 302
