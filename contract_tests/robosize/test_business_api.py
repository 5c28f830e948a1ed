"""Robosize's business API: DRF paging, trailing slashes, errors, ids and store isolation."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from contract_tests.robosize.conftest import LOTTE_KEY
from contract_tests.robosize.conftest import NOORD_KEY
from contract_tests.robosize.conftest import Robosize


def test_following_next_visits_every_order_exactly_once(robosize: Robosize) -> None:
    first = robosize.business("GET", "/business/order/", query={"limit": 7}).get_json()
    assert first["previous"] is None
    seen, page, pages = [], first, 0
    while True:
        seen.extend(order["id"] for order in page["results"])
        pages += 1
        if page["next"] is None:
            break
        link = urlsplit(page["next"])
        assert link.scheme == "http" and link.path == "/robosize/api/v1/business/order/"
        query = parse_qs(link.query)
        assert query["api_key"] == [LOTTE_KEY] and query["limit"] == ["7"]  # kept, DOC 2.5
        page = robosize.client.get(f"{link.path}?{link.query}").get_json()
        assert page["previous"] is not None
    assert len(seen) == len(set(seen)) == first["count"] == 60
    assert pages == 9  # ceil(60 / 7)


def test_the_second_page_links_back_to_the_first_without_an_offset(robosize: Robosize) -> None:
    second = robosize.business("GET", "/business/order/", query={"limit": 10, "offset": 10})
    previous = parse_qs(urlsplit(second.get_json()["previous"]).query)
    assert "offset" not in previous and previous["limit"] == ["10"]  # as DRF renders it


def test_a_path_without_its_trailing_slash_is_redirected_with_302(robosize: Robosize) -> None:
    before = robosize.snapshot()
    for method in ("GET", "POST"):
        response = robosize.client.open(
            f"/robosize/api/v1/business/order?api_key={LOTTE_KEY}&limit=3", method=method
        )
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/robosize/api/v1/business/order/"
        assert parse_qs(location.query) == {"api_key": [LOTTE_KEY], "limit": ["3"]}
    assert robosize.snapshot() == before  # the unslashed POST created nothing


def test_ids_are_integers_everywhere(robosize: Robosize) -> None:
    created = robosize.business(
        "POST", "/business/order/", json={"store_id": "A-1", "device_id": "dev-1", "data": {}}
    )
    assert created.status_code == 201
    order_id = created.get_json()["id"]
    assert isinstance(order_id, int)
    listed = robosize.business("GET", "/business/order/", query={"limit": 1000}).get_json()
    assert all(isinstance(o["id"], int) for o in listed["results"])
    fetched = robosize.business("GET", f"/business/order/{order_id}/").get_json()
    assert fetched["id"] == order_id
    assert "device_id" not in fetched  # writeOnly: sent, never returned


def test_update_changes_only_what_is_sent_and_delete_removes(robosize: Robosize) -> None:
    order = robosize.business(
        "POST", "/business/order/", json={"store_id": "A-2", "device_id": "d", "data": {"x": 1}}
    ).get_json()
    path = f"/business/order/{order['id']}/"
    patched = robosize.business("PATCH", path, json={"store_id": "A-2b"}).get_json()
    assert (patched["store_id"], patched["data"]) == ("A-2b", {"x": 1})
    assert robosize.business("DELETE", path).status_code == 204
    gone = robosize.business("GET", path)
    assert (gone.status_code, gone.get_json()) == (404, {"detail": "Not found."})


def test_errors_are_drf_shaped_and_change_nothing(robosize: Robosize) -> None:
    before = robosize.snapshot()
    missing = robosize.business("GET", "/business/order/", key=None)
    assert (missing.status_code, missing.get_json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
    wrong = robosize.business("GET", "/business/order/", key="demo-rs-wrong")
    assert (wrong.status_code, wrong.get_json()) == (401, {"detail": "Invalid API key."})
    invalid = robosize.business("POST", "/business/order/", json={"data": [], "extra": 1})
    body = invalid.get_json()
    assert invalid.status_code == 400
    assert body["store_id"] == ["This field is required."]
    assert body["device_id"] == ["This field is required."]
    assert "data" in body and "non_field_errors" in body
    limit = robosize.business("GET", "/business/order/", query={"limit": "many"})
    assert limit.status_code == 400 and list(limit.get_json()) == ["limit"]
    assert robosize.snapshot() == before


def test_a_store_never_sees_another_stores_orders(robosize: Robosize) -> None:
    order = robosize.business(
        "POST", "/business/order/", json={"store_id": "L-1", "device_id": "d"}
    ).get_json()
    other = robosize.business("GET", f"/business/order/{order['id']}/", key=NOORD_KEY)
    assert other.status_code == 404
    theirs = robosize.business("GET", "/business/order/", key=NOORD_KEY, query={"limit": 1000})
    assert order["id"] not in {o["id"] for o in theirs.get_json()["results"]}


def test_products_are_written_in_one_shape_and_read_in_another(robosize: Robosize) -> None:
    created = robosize.business(
        "POST",
        "/product/",
        json={
            "name": "Slim Fit Chino",
            "store_id": "SKU-991",
            "tags": ["Pant", "Sale"],
            "image_url": "https://cdn.lotte-fashion.nl/chino.jpg",
            "type": "bottom",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["created"] == 1 and isinstance(body["id"], int)
    listed = robosize.business("GET", "/product/", query={"limit": 1000}).get_json()["results"]
    product = next(p for p in listed if p["id"] == body["id"])
    assert product["tags"] == [{"name": "Pant"}, {"name": "Sale"}]
    assert product["image_md"] == "https://cdn.lotte-fashion.nl/chino.jpg"
    assert "image_url" not in product and product["handle"] == "slim-fit-chino"


def test_bulk_patch_changes_only_sent_fields_of_every_listed_product(robosize: Robosize) -> None:
    before = robosize.business("GET", "/product/", query={"limit": 3}).get_json()["results"]
    ids = [p["id"] for p in before[:2]]
    answer = robosize.business("PATCH", "/product/", json={"products": ids, "tags": ["Sale"]})
    assert (answer.status_code, answer.get_json()) == (200, {"message": "Products updated"})
    after = robosize.business("GET", "/product/", query={"limit": 3}).get_json()["results"]
    for old, new in zip(before[:2], after[:2], strict=True):
        assert new["tags"] == [{"name": "Sale"}]
        assert {k: v for k, v in new.items() if k != "tags"} == {
            k: v for k, v in old.items() if k != "tags"
        }
    assert after[2] == before[2]


def test_bulk_patch_with_an_unknown_id_changes_nothing(robosize: Robosize) -> None:
    snapshot = robosize.snapshot()
    known = robosize.business("GET", "/product/", query={"limit": 1}).get_json()["results"][0]
    answer = robosize.business(
        "PATCH", "/product/", json={"products": [known["id"], 999999], "name": "Renamed"}
    )
    assert (answer.status_code, answer.get_json()) == (404, {"detail": "Not found."})
    assert robosize.snapshot() == snapshot
