"""Listing over live state: the paging envelope, sorting, filters and includes."""

from __future__ import annotations

import math
from datetime import datetime

from contract_tests.engine.conftest import Shop


def items(shop: Shop, query: str) -> list[dict[str, object]]:
    response = shop.call("GET", f"/products?{query}")
    assert response.status_code == 200, response.get_json()
    return list(response.get_json()["items"])


def test_the_envelope_describes_live_state(shop: Shop) -> None:
    total = len(shop.records())
    body = shop.call("GET", "/products?page=1&size=5").get_json()
    assert body["totalItems"] == total
    assert body["totalPages"] == math.ceil(total / 5)
    assert (body["currentPage"], body["size"], len(body["items"])) == (1, 5, min(5, total - 5))
    shop.call("POST", "/products", json={"name": "New", "price": 1})
    assert shop.call("GET", "/products?size=5").get_json()["totalItems"] == total + 1


def test_pages_cover_every_record_once(shop: Shop) -> None:
    seen: list[object] = []
    page = 0
    while True:
        body = shop.call("GET", f"/products?page={page}&size=5&sort=name:asc").get_json()
        seen.extend(p["id"] for p in body["items"])
        page += 1
        if page >= body["totalPages"]:
            break
    assert sorted(seen) == sorted(shop.records())


def test_offset_and_limit_select_the_same_slice_as_page_and_size(shop: Shop) -> None:
    by_page = items(shop, "page=2&size=3")
    by_offset = items(shop, "offset=6&limit=3")
    assert by_page == by_offset
    assert shop.call("GET", "/products?offset=6&limit=3").get_json()["currentPage"] == 2


def test_default_page_is_the_first_and_default_size_is_ten(shop: Shop) -> None:
    body = shop.call("GET", "/products").get_json()
    assert (body["currentPage"], body["size"], len(body["items"])) == (0, 10, 10)


def test_multi_field_sort(shop: Shop) -> None:
    for name, price in [("Alpha", 3), ("Alpha", 1), ("Beta", 2)]:
        shop.call("POST", "/products", json={"name": name, "price": price})
    listed = [
        (p["name"], p["price"])
        for p in items(shop, "size=100&sort=name:asc,price:desc")
        if p["name"] in ("Alpha", "Beta")
    ]
    assert listed == [("Alpha", 3), ("Alpha", 1), ("Beta", 2)]
    descending = [p["price"] for p in items(shop, "size=100&sort=price:desc")]
    assert descending == sorted(descending, reverse=True)


def test_updated_from_is_inclusive(shop: Shop) -> None:
    records = sorted(shop.records().values(), key=lambda r: r["updatedAt"])
    pivot = records[len(records) // 2]["updatedAt"]
    found = items(shop, f"size=100&updatedFrom={pivot}")
    assert pivot in {p["updatedAt"] for p in found}
    expected = {r["id"] for r in records if r["updatedAt"] >= pivot}
    assert {p["id"] for p in found} == expected


def test_updated_from_accepts_other_offsets(shop: Shop) -> None:
    records = sorted(shop.records().values(), key=lambda r: r["updatedAt"])
    pivot = datetime.fromisoformat(records[3]["updatedAt"].replace("Z", "+00:00"))
    as_cet = pivot.astimezone().isoformat().replace("+", "%2B")
    assert len(items(shop, f"size=100&updatedFrom={as_cet}")) == len(records) - 3


def test_extra_field_filters_match_typed_values(shop: Shop) -> None:
    shop.call(
        "POST",
        "/products",
        json={"name": "A", "price": 1, "extraFields": {"Warranty": {"integerValue": 7}}},
    )
    shop.call(
        "POST",
        "/products",
        json={"name": "B", "price": 1, "extraFields": {"Paid": {"booleanValue": False}}},
    )
    shop.call(
        "POST",
        "/products",
        json={"name": "C", "price": 1, "extraFields": {"Channel": {"stringValue": "Shop 7"}}},
    )
    assert [p["name"] for p in items(shop, "size=100&extraFields%5BWarranty%5D=7")] == ["A"]
    assert "B" in [p["name"] for p in items(shop, "size=100&extraFields%5BPaid%5D=false")]
    assert [p["name"] for p in items(shop, "size=100&extraFields%5BChannel%5D=Shop%207")] == ["C"]
    assert items(shop, "size=100&extraFields%5BWarranty%5D=true") == []


def test_icontains_filter(shop: Shop) -> None:
    shop.call("POST", "/products", json={"name": "Cordless DRILL", "price": 1})
    assert "Cordless DRILL" in [p["name"] for p in items(shop, "size=100&name=drill")]


def test_include_expands_has_many_and_embedded_relations(shop: Shop) -> None:
    product = shop.call(
        "POST", "/products", json={"name": "Kit", "price": 5, "parts": [{"sku": "A1", "qty": 2}]}
    ).get_json()
    assert "parts" not in product  # embedded: only when included
    shop.call("POST", f"/products/{product['id']}/reviews", json={"stars": 4})
    plain = shop.call("GET", f"/products/{product['id']}").get_json()
    assert "reviews" not in plain and "parts" not in plain
    full = shop.call("GET", f"/products/{product['id']}?include=reviews,parts").get_json()
    assert [r["stars"] for r in full["reviews"]] == [4]
    assert full["parts"] == [{"sku": "A1", "qty": 2}]


def test_seed_data_is_deterministic_per_seed() -> None:
    from contract_tests.engine.conftest import shop_settings
    from mockserver import create_app
    from mockserver import get_engine
    from mockserver.state.query import Collection
    from mockserver.state.query import Query

    def names(seed: int) -> list[str]:
        engine = get_engine(create_app(shop_settings(seed=seed)))
        docs = engine.store.query(
            Collection("shop", "north", "products"), Query(sort=(("id", False),))
        ).items
        return [(d["name"], d["price"]) for d in docs]  # type: ignore[misc]

    assert names(7) == names(7)
    assert names(7) != names(8)
