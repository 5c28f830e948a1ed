"""The same limiter, configured by Robosize's and salesdesk's specs in their vendors' styles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine

ROBOSIZE_KEY = "demo-rs-5f1c9a7e3b2d4068a1c3e5f7b9d2e4a6"
SALESDESK_ADMIN = {"Authorization": "Bearer demo-sd-admin-7c1e9a3f5b2d4e6f8a0c1b3d5e7f9a2c"}
SALESDESK_AGENT = {"Authorization": "Bearer demo-sd-agent-2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e0b"}


@pytest.fixture(scope="module")
def two_apis() -> Flask:
    return create_app(
        Settings(apis=("robosize", "salesdesk", "installer"), validate_responses=True)
    )


@pytest.fixture
def engine(two_apis: Flask) -> Iterator[MockEngine]:
    found = get_engine(two_apis)
    found.reset()
    found.clock.freeze(1_800_000_000.0 + 30)  # 30 s into a minute window
    yield found
    found.clock.reset()
    assert not found.internal_errors, found.internal_errors


def test_robosize_throttles_like_drf(two_apis: Flask, engine: MockEngine) -> None:
    client = two_apis.test_client()
    orders = f"/robosize/api/v1/business/order/?api_key={ROBOSIZE_KEY}&limit=1"
    allowed = [client.get(orders) for _ in range(120)]
    assert {r.status_code for r in allowed} == {200}
    assert not any(h.lower().startswith("x-ratelimit") for h, _ in allowed[0].headers.items())
    denied = client.get(orders)
    assert denied.status_code == 429
    assert denied.headers["Retry-After"] == "30"
    assert denied.get_json() == {
        "detail": "Request was throttled. Expected available in 30 seconds."
    }
    engine.clock.advance(30)
    assert client.get(orders).status_code == 200


def test_robosize_widget_has_its_own_budget(two_apis: Flask, engine: MockEngine) -> None:
    client = two_apis.test_client()
    for _ in range(121):
        client.get(f"/robosize/api/v1/business/order/?api_key={ROBOSIZE_KEY}&limit=1")
    widget = client.get("/robosize/api/v1/widget/get-id/?business=lotte-fashion.nl")
    assert widget.status_code == 200


def test_salesdesk_throttles_like_laravel(two_apis: Flask, engine: MockEngine) -> None:
    client = two_apis.test_client()
    first = client.get("/salesdesk/api/customers", headers=SALESDESK_ADMIN)
    assert first.headers["X-RateLimit-Limit"] == "60"
    assert first.headers["X-RateLimit-Remaining"] == "59"
    assert "Retry-After" not in first.headers
    for _ in range(59):
        client.get("/salesdesk/api/customers", headers=SALESDESK_ADMIN)
    denied = client.get("/salesdesk/api/customers", headers=SALESDESK_ADMIN)
    assert denied.status_code == 429
    assert denied.get_json() == {"message": "Too Many Attempts."}
    assert denied.headers["Retry-After"] == "30"
    assert denied.headers["X-RateLimit-Remaining"] == "0"
    assert denied.headers["X-RateLimit-Reset"] == str(1_800_000_000 + 60)
    # per user: another user still has a full minute
    other = client.get("/salesdesk/api/customers", headers=SALESDESK_AGENT)
    assert other.headers["X-RateLimit-Remaining"] == "59"


def test_installer_throttles_like_nestjs(two_apis: Flask, engine: MockEngine) -> None:
    token = get_engine(two_apis).runtimes["installer"].book.tenants[0].credentials[0]["token"]
    client = two_apis.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    first = client.get("/installer/api/v1/partners/installers", headers=headers)
    assert first.status_code == 200
    assert (first.headers["X-RateLimit-Limit"], first.headers["X-RateLimit-Remaining"]) == (
        "100",
        "99",
    )
    assert first.headers["X-RateLimit-Reset"] == "30"
    for _ in range(99):
        client.get("/installer/api/v1/partners/installers", headers=headers)
    denied = client.get("/installer/api/v1/partners/installers", headers=headers)
    assert denied.status_code == 429
    assert denied.headers["Retry-After"] == "30"
    assert denied.get_json() == {
        "statusCode": 429,
        "error": "Too Many Requests",
        "message": "ThrottlerException: Too Many Requests",
    }
