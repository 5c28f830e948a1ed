"""Generic resource behaviour: create, read, replace, both PATCHes, delete, sub-collections."""

from __future__ import annotations

import json

from contract_tests.engine.conftest import SOUTH
from contract_tests.engine.conftest import Shop


def create(shop: Shop, **fields: object) -> dict[str, object]:
    response = shop.call("POST", "/products", json={"name": "Drill", "price": 99.5, **fields})
    assert response.status_code == 201, response.get_json()
    return dict(response.get_json())


def json_patch(shop: Shop, product_id: object, ops: list[dict[str, object]]) -> object:
    return shop.call(
        "PATCH",
        f"/products/{product_id}",
        data=json.dumps(ops),
        content_type="application/json-patch+json",
    )


def test_create_assigns_id_and_timestamps_and_get_returns_the_same(shop: Shop) -> None:
    created = create(shop, tags=["tools"])
    assert created["id"].isdigit()  # type: ignore[union-attr]
    assert created["createdAt"] == created["updatedAt"]
    fetched = shop.call("GET", f"/products/{created['id']}").get_json()
    assert fetched == created


def test_ids_follow_one_sequence_per_resource(shop: Shop) -> None:
    first, second = create(shop), create(shop)
    assert int(second["id"]) == int(first["id"]) + 1  # type: ignore[call-overload]


def test_put_replaces_the_whole_entity_but_keeps_server_fields(shop: Shop) -> None:
    created = create(shop, color="red", tags=["a"])
    response = shop.call("PUT", f"/products/{created['id']}", json={"name": "Saw", "price": 10})
    replaced = response.get_json()
    assert response.status_code == 200
    assert "color" not in replaced and "tags" not in replaced
    assert (replaced["id"], replaced["createdAt"]) == (created["id"], created["createdAt"])


def test_merge_patch_merges_nested_objects_and_null_removes(shop: Shop) -> None:
    created = create(
        shop,
        color="red",
        extraFields={"Paid": {"booleanValue": False}, "Channel": {"stringValue": "Web"}},
    )
    patch = {"color": None, "extraFields": {"Paid": {"booleanValue": True}, "Channel": None}}
    response = shop.call(
        "PATCH",
        f"/products/{created['id']}",
        data=json.dumps(patch),
        content_type="application/merge-patch+json",
    )
    patched = response.get_json()
    assert response.status_code == 200
    assert "color" not in patched
    assert patched["extraFields"] == {"Paid": {"booleanValue": True}}
    assert patched["name"] == "Drill"


def test_plain_json_patch_body_is_treated_as_a_merge_patch(shop: Shop) -> None:
    created = create(shop)
    response = shop.call("PATCH", f"/products/{created['id']}", json={"price": 1})
    assert response.status_code == 200
    assert response.get_json()["price"] == 1


def test_json_patch_applies_all_six_operations(shop: Shop) -> None:
    created = create(shop, tags=["a", "b"], color="red")
    ops = [
        {"op": "test", "path": "/name", "value": "Drill"},
        {"op": "replace", "path": "/name", "value": "Hammer"},
        {"op": "add", "path": "/tags/-", "value": "c"},
        {"op": "remove", "path": "/tags/0"},
        {"op": "copy", "from": "/color", "path": "/extraFields"},
        {"op": "remove", "path": "/extraFields"},
        {"op": "move", "from": "/color", "path": "/tags/0"},
    ]
    response = json_patch(shop, created["id"], ops)
    assert response.status_code == 200, response.get_json()  # type: ignore[attr-defined]
    patched = response.get_json()  # type: ignore[attr-defined]
    assert patched["name"] == "Hammer"
    assert patched["tags"] == ["red", "b", "c"]
    assert "color" not in patched


def test_a_failing_test_operation_changes_nothing(shop: Shop) -> None:
    created = create(shop)
    ops = [
        {"op": "replace", "path": "/name", "value": "Hammer"},
        {"op": "test", "path": "/price", "value": 1},
    ]
    response = json_patch(shop, created["id"], ops)
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert shop.call("GET", f"/products/{created['id']}").get_json()["name"] == "Drill"


def test_updated_at_moves_when_the_clock_moves(shop: Shop) -> None:
    created = create(shop)
    shop.engine.clock.freeze()
    try:
        shop.engine.clock.advance(90)
        patched = shop.call("PATCH", f"/products/{created['id']}", json={"price": 2}).get_json()
    finally:
        shop.engine.clock.reset()
    assert patched["updatedAt"] > patched["createdAt"]


def test_delete_then_get_is_404_in_the_vendor_shape(shop: Shop) -> None:
    created = create(shop)
    assert shop.call("DELETE", f"/products/{created['id']}").status_code == 204
    gone = shop.call("GET", f"/products/{created['id']}")
    assert gone.status_code == 404
    assert gone.get_json()["message"] == f"Product with id {created['id']} not found"
    assert shop.call("DELETE", f"/products/{created['id']}").status_code == 404


def test_a_tenant_never_sees_another_tenants_records(shop: Shop) -> None:
    created = create(shop)
    assert shop.call("GET", f"/products/{created['id']}", auth=SOUTH).status_code == 404
    assert shop.call("DELETE", f"/products/{created['id']}", auth=SOUTH).status_code == 404
    south_ids = {
        p["id"] for p in shop.call("GET", "/products?size=100", auth=SOUTH).get_json()["items"]
    }
    assert created["id"] not in south_ids
    assert shop.call("GET", f"/products/{created['id']}").status_code == 200


def test_a_sub_collection_sets_and_filters_by_its_parent(shop: Shop) -> None:
    product = create(shop)
    review = shop.call("POST", f"/products/{product['id']}/reviews", json={"stars": 5}).get_json()
    assert review["productId"] == product["id"]
    listed = shop.call("GET", f"/products/{product['id']}/reviews").get_json()
    assert [r["id"] for r in listed["items"]] == [review["id"]]


def test_a_sub_collection_of_a_missing_parent_is_404(shop: Shop) -> None:
    assert shop.call("GET", "/products/999999/reviews").status_code == 404
    assert shop.call("POST", "/products/999999/reviews", json={"stars": 5}).status_code == 404


def test_replica_mode_serves_reads_and_refuses_writes(shop: Shop) -> None:
    before = shop.records()
    assert shop.call("GET", "/products", headers={"Database-Mode": "replica"}).status_code == 200
    refused = shop.call(
        "POST", "/products", json={"name": "x", "price": 1}, headers={"Database-Mode": "replica"}
    )
    assert refused.status_code == 403
    refused = shop.call("POST", "/products?database-mode=replica", json={"name": "x", "price": 1})
    assert refused.status_code == 403
    assert shop.records() == before
