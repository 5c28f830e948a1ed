"""salesdesk lists: paging by role, Laravel's paginator, sort, filter and invoice metadata."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest

from contract_tests.salesdesk.conftest import AGENT
from contract_tests.salesdesk.conftest import COLLABORATOR
from contract_tests.salesdesk.conftest import Salesdesk

PAGE_KEYS = {
    "total", "per_page", "current_page", "last_page", "first_page_url", "last_page_url",
    "next_page_url", "prev_page_url", "path", "from", "to", "data",
}  # fmt: skip


def test_paging_is_off_for_an_agent_and_on_for_admin_and_collaborator(
    salesdesk: Salesdesk,
) -> None:
    plain = salesdesk.call("GET", "/api/customers", token=AGENT).get_json()
    assert isinstance(plain, list) and len(plain) == 40  # everything, no envelope
    for token in (None, COLLABORATOR):
        kwargs = {} if token is None else {"token": token}
        paged = salesdesk.call("GET", "/api/customers", **kwargs).get_json()
        assert set(paged) == PAGE_KEYS and paged["per_page"] == 15
    forced = salesdesk.call("GET", "/api/customers?page=1", token=AGENT).get_json()
    assert set(forced) == PAGE_KEYS  # `page` turns paging on for anyone (DOC seed)


def test_following_next_page_url_visits_every_order_exactly_once(salesdesk: Salesdesk) -> None:
    page = salesdesk.call("GET", "/api/orders?per_page=7&sort=-total").get_json()
    assert page["prev_page_url"] is None and page["path"] == "http://localhost/salesdesk/api/orders"
    seen: list[int] = []
    while True:
        assert page["from"] == len(seen) + 1 and page["to"] == len(seen) + len(page["data"])
        seen.extend(order["id"] for order in page["data"])
        if page["next_page_url"] is None:
            break
        link = urlsplit(page["next_page_url"])
        assert link.netloc == "localhost" and parse_qs(link.query)["sort"] == ["-total"]
        page = salesdesk.client.get(
            f"{link.path}?{link.query}", headers={"Authorization": f"Bearer {AGENT}"}
        ).get_json()
    assert len(seen) == len(set(seen)) == page["total"] == 60
    assert page["current_page"] == page["last_page"] == 9


def test_per_page_is_capped_and_an_empty_page_has_no_bounds(salesdesk: Salesdesk) -> None:
    big = salesdesk.call("GET", "/api/orders?per_page=500").get_json()
    assert big["per_page"] == 100 and len(big["data"]) == 60
    beyond = salesdesk.call("GET", "/api/orders?page=99").get_json()
    assert (beyond["data"], beyond["from"], beyond["to"]) == ([], None, None)
    assert beyond["last_page"] == 4


@pytest.mark.parametrize("sort", ["name", "-name", "created_at", "-created_at"])
def test_sort_by_field_and_dash_for_descending(salesdesk: Salesdesk, sort: str) -> None:
    rows = salesdesk.call("GET", f"/api/customers?sort={sort}", token=AGENT).get_json()
    keys = [row[sort.lstrip("-")] for row in rows]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_filters_match_any_listed_value_and_combine_with_and(salesdesk: Salesdesk) -> None:
    everything = salesdesk.call("GET", "/api/orders", token=AGENT).get_json()
    wanted = {"draft", "shipped"}
    some = salesdesk.call("GET", "/api/orders?filter[status]=draft,shipped", token=AGENT).get_json()
    assert {o["id"] for o in some} == {o["id"] for o in everything if o["status"] in wanted}
    customer = some[0]["customer_id"]
    both = salesdesk.call(
        "GET",
        f"/api/orders?filter[status]=draft,shipped&filter[customer_id]={customer}",
        token=AGENT,
    ).get_json()
    assert both and {o["id"] for o in both} == {
        o["id"] for o in some if o["customer_id"] == customer
    }


def test_an_unknown_sort_or_filter_is_a_laravel_422(salesdesk: Salesdesk) -> None:
    bad = salesdesk.call("GET", "/api/customers?sort=password")
    assert bad.status_code == 422
    assert bad.get_json()["message"] == "The given data was invalid."
    assert list(bad.get_json()["errors"]) == ["sort"]
    assert salesdesk.call("GET", "/api/customers?filter[secret]=x").status_code == 422


def test_invoice_metadata_sums_every_invoice_on_paginated_requests_only(
    salesdesk: Salesdesk,
) -> None:
    invoices = salesdesk.call("GET", "/api/invoices", token=AGENT).get_json()
    page = salesdesk.call("GET", "/api/invoices?page=2&per_page=5&metadata=true").get_json()
    total = round(sum(i["total"] for i in invoices), 2)
    paid = round(sum(i["amount_paid"] for i in invoices), 2)
    assert page["metadata"] == {
        "count": 50,
        "total_amount": total,
        "total_paid": paid,
        "total_due": round(total - paid, 2),
    }
    assert len(page["data"]) == 5
    assert "metadata" not in salesdesk.call("GET", "/api/invoices?page=1").get_json()
    plain = salesdesk.call("GET", "/api/invoices?metadata=true", token=AGENT).get_json()
    assert isinstance(plain, list)  # not paginated, so no metadata (DOC seed)
