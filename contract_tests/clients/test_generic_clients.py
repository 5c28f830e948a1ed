"""The generic reference client configured for Robosize, salesdesk and Installer.com, against each
real mock in strict mode (paging, the vendor's own rate limit and 429) and against fuzzed pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from flask import Flask
from hypothesis import given
from hypothesis import settings

from contract_tests.clients.properties import FAST
from examples.generic_client import Backoff
from examples.generic_client import GenericClient
from examples.generic_client import NextLinks
from examples.generic_client import Paging
from examples.generic_client import Unpaged
from mockserver.pytest_plugin import MockSleep
from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle

pytestmark = pytest.mark.mockserver(
    apis=["robosize", "salesdesk", "installer"], strict=True, clock=True
)


@dataclass(frozen=True)
class Vendor:
    api: str
    list_path: str
    operation_id: str
    paging: Paging
    options: dict[str, Any]
    total: str | None = None  # the envelope's count of everything, where it has one


VENDORS = {
    "robosize": Vendor(
        "robosize",
        "/api/v1/business/order/",
        "listOrders",
        NextLinks(items="results", next="next", first_params={"limit": 7}),
        {"params": {"api_key": "demo-rs-5f1c9a7e3b2d4068a1c3e5f7b9d2e4a6"}},
        total="count",
    ),
    "salesdesk": Vendor(
        "salesdesk",
        "/api/customers",
        "listCustomers",
        NextLinks(items="data", next="next_page_url", first_params={"page": 1, "per_page": 7}),
        {"headers": {"Authorization": "Bearer demo-sd-admin-7c1e9a3f5b2d4e6f8a0c1b3d5e7f9a2c"}},
        total="total",
    ),
    "installer": Vendor(
        "installer",
        "/api/v1/partners/installers",
        "listInstallers",
        Unpaged(),
        {
            "headers": {"Authorization": "Bearer inst_demo_4f8c1a9e7b2d4c6a8e0f1b3d5a7c9e2f"},
            "backoff": Backoff(first=1.0, factor=2.0, cap=60.0, attempts=6),  # "exponential"
        },
    ),
}


def client_for(app: Flask, vendor: Vendor) -> GenericClient:
    return GenericClient(
        f"http://{vendor.api}.mock.test/{vendor.api}",
        paging=vendor.paging,
        transport=httpx.WSGITransport(app=app),
        sleep=MockSleep(MockHandle(app)),
        **vendor.options,
    )


def spend_the_limit(client: GenericClient, vendor: Vendor) -> int:
    """Send bare requests (no back-off) until the vendor's limiter answers 429."""
    for sent in range(1, 1000):
        if client.http.get(vendor.list_path, params=client.params).status_code == 429:
            return sent
    raise AssertionError(f"{vendor.api} never answered 429")


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_lists_every_item_of_the_real_mock(mock_app: Flask, name: str) -> None:
    vendor = VENDORS[name]
    client = client_for(mock_app, vendor)
    items = list(client.iter_items(vendor.list_path))
    assert items and len({i["id"] for i in items}) == len(items)
    if vendor.total is not None:
        first = client.get(vendor.list_path, params={"page": 1} if name == "salesdesk" else {})
        assert first.json()[vendor.total] == len(items)


@pytest.mark.parametrize("name", sorted(VENDORS))
def test_waits_out_the_vendors_own_429(mock_app: Flask, name: str) -> None:
    vendor = VENDORS[name]
    client = client_for(mock_app, vendor)
    assert spend_the_limit(client, vendor) > 1
    assert list(client.iter_items(vendor.list_path))  # paused (Retry-After) and got through
    pauses: list[float] = client.sleep.calls  # type: ignore[attr-defined]
    assert pauses and all(p > 0 for p in pauses)


@pytest.mark.parametrize("name", ["robosize", "salesdesk"])
def test_collects_every_fuzzed_page(mock_app: Flask, name: str) -> None:
    vendor, handle = VENDORS[name], MockHandle(mock_app)
    runtime = handle.runtime(vendor.api)

    @settings(FAST, max_examples=15)
    @given(items=ms.collections(runtime, vendor.operation_id, max_items=60))
    def collects(items: ms.Items) -> None:
        handle.fuzz.respond(vendor.api, vendor.operation_id, items=items)
        found = list(client_for(mock_app, vendor).iter_items(vendor.list_path))
        assert [i["id"] for i in found] == [i["id"] for i in items]

    collects()
