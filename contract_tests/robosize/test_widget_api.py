"""Robosize's widget API: stores named by domain, device ids, tracking, size recommendations."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime

from contract_tests.robosize.conftest import NOORD_DOMAIN
from contract_tests.robosize.conftest import Robosize
from mockserver.apis.robosize import recommended_size

HUMAN = re.compile(r"^[A-Z][a-z]+day, [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} (AM|PM)$")


def _product(robosize: Robosize) -> dict:
    return robosize.business("GET", "/product/", query={"limit": 1}).get_json()["results"][0]


def test_an_unknown_business_is_refused(robosize: Robosize) -> None:
    answer = robosize.widget("GET", "/widget/get-id/", business="nobody.example")
    assert (answer.status_code, answer.get_json()) == (401, {"detail": "Invalid API key."})


def test_every_device_id_is_new(robosize: Robosize) -> None:
    ids = {robosize.widget("GET", "/widget/get-id/").get_json()["id"] for _ in range(3)}
    assert len(ids) == 3


def test_rs_id_is_required_even_on_post(robosize: Robosize) -> None:
    before = robosize.snapshot()
    answer = robosize.widget("POST", "/widget/analytics/record/", event="o")
    assert answer.status_code == 400 and "rs_id" in answer.get_json()
    assert robosize.snapshot() == before


def test_a_tracking_event_is_recorded_with_a_human_timestamp(robosize: Robosize) -> None:
    robosize.engine.clock.freeze(datetime(2026, 1, 1, 9, 5, 7, tzinfo=UTC).timestamp())
    try:
        answer = robosize.widget(
            "POST", "/widget/analytics/record/", event="l", product=3, rs_id="dev-42"
        )
    finally:
        robosize.engine.clock.reset()
    assert answer.status_code == 201
    body = answer.get_json()
    assert (body["event"], body["product"], body["rs_id"]) == ("l", 3, "dev-42")
    assert body["creation_time"] == "Thursday, Jan 01 2026 09:05:07 AM"


def test_product_details_are_found_by_the_shops_own_id(robosize: Robosize) -> None:
    product = _product(robosize)
    answer = robosize.widget("GET", "/widget/product/details/", product=product["store_id"])
    body = answer.get_json()
    assert answer.status_code == 200 and (body["status"], body["data"]["version"]) == (200, 1)
    assert body["data"]["product"]["id"] == product["id"]
    elsewhere = robosize.widget(
        "GET", "/widget/product/details/", business=NOORD_DOMAIN, product=product["store_id"]
    )
    assert elsewhere.status_code == 404  # another store's widget does not see it


def test_a_recommendation_joins_the_devices_next_order(robosize: Robosize) -> None:
    product = _product(robosize)
    device = robosize.widget("GET", "/widget/get-id/").get_json()["id"]
    made = robosize.widget(
        "POST",
        "/widget/recommendation/",
        rs_id=device,
        product=product["id"],
        height=172,
        weight=68,
        age=34,
        gender="female",
        fitPreference=1,
    )
    assert made.status_code == 201
    recommendation = made.get_json()
    assert recommendation["data"]["size"] in product["available_sizes"].split(",")
    assert HUMAN.match(recommendation["creation_time"])
    order = robosize.business(
        "POST", "/business/order/", json={"store_id": "W-1", "device_id": device}
    ).get_json()
    assert order["recommendations"] == [recommendation]
    other = robosize.business(
        "POST", "/business/order/", json={"store_id": "W-2", "device_id": "another-device"}
    ).get_json()
    assert other["recommendations"] == []


def test_a_recommendation_for_an_unknown_product_is_404(robosize: Robosize) -> None:
    answer = robosize.widget(
        "POST",
        "/widget/recommendation/",
        rs_id="d",
        product=999999,
        height=172,
        weight=68,
        age=34,
        gender="male",
    )
    assert (answer.status_code, answer.get_json()) == (404, {"detail": "Not found."})


def test_the_recommended_size_grows_with_build_and_a_loose_fit() -> None:
    sizes = ["XS", "S", "M", "L", "XL"]
    slim = {"height": 180, "weight": 60}
    heavy = {"height": 180, "weight": 100}
    assert sizes.index(recommended_size(sizes, slim)) < sizes.index(recommended_size(sizes, heavy))
    normal = recommended_size(sizes, {"height": 170, "weight": 70})
    loose = recommended_size(
        sizes, {"height": 170, "weight": 70, "fitPreference": 1, "waistOffset": 1, "hipOffset": 1}
    )
    assert sizes.index(loose) == sizes.index(normal) + 1
