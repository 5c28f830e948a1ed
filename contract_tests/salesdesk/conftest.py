"""A salesdesk-only app and a client that speaks as one of the demo users."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine
from mockserver.state.query import Collection
from mockserver.state.query import Query

ADMIN = "demo-sd-admin-7c1e9a3f5b2d4e6f8a0c1b3d5e7f9a2c"  # northwind-sales
AGENT = "demo-sd-agent-2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e0b"  # northwind-sales
COLLABORATOR = "demo-sd-collab-9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"  # northwind-sales
OTHER_ADMIN = "demo-sd-admin-1a3c5e7b9d0f2a4c6e8b0d2f4a6c8e1b"  # harbour-trading
APP = {
    "client_id": "demo-salesdesk-app",
    "client_secret": "demo-sd-secret-4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e",
}
REDIRECT = "http://127.0.0.1:8777/callback"


class Salesdesk:
    def __init__(self, client: FlaskClient, engine: MockEngine) -> None:
        self.client = client
        self.engine = engine

    def call(self, method: str, path: str, *, token: str | None = ADMIN, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        return self.client.open(f"/salesdesk{path}", method=method, headers=headers, **kwargs)

    def snapshot(self) -> dict[Any, Any]:
        runtime = self.engine.runtimes["salesdesk"]
        return {
            (tenant.id, name): self.engine.store.query(
                Collection("salesdesk", tenant.id, name), Query()
            ).items
            for tenant in runtime.book.tenants
            for name in runtime.spec.resources
        }


@pytest.fixture(scope="module")
def salesdesk_app() -> Flask:
    return create_app(Settings(apis=("salesdesk",), validate_responses=True, **fresh_settings()))


@pytest.fixture
def salesdesk(salesdesk_app: Flask) -> Iterator[Salesdesk]:
    engine = get_engine(salesdesk_app)
    engine.reset()
    yield Salesdesk(salesdesk_app.test_client(), engine)
    assert not engine.internal_errors, engine.internal_errors
