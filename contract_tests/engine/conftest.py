"""An app serving only the small test spec in engine/data/shop.yaml, and a client for it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine

DATA = Path(__file__).parent / "data"


def shop_settings(**changes: Any) -> Settings:
    base = Settings(apis=("shop",), specs_dir=DATA, fixtures_dir=DATA / "fixtures")
    return base.replace(**{**fresh_settings(), **changes})


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


NORTH = basic("north-key", "north-secret")
SOUTH = basic("south-key", "south-secret")


class Shop:
    """A test client that speaks to /shop/api as the north tenant unless told otherwise."""

    def __init__(self, client: FlaskClient, engine: MockEngine) -> None:
        self.client = client
        self.engine = engine

    def call(
        self, method: str, path: str, auth: dict[str, str] | None = None, **kwargs: Any
    ) -> Any:
        headers = {**(NORTH if auth is None else auth), **kwargs.pop("headers", {})}
        return self.client.open(f"/shop/api{path}", method=method, headers=headers, **kwargs)

    def records(self, tenant: str = "north", resource: str = "products") -> dict[str, Any]:
        from mockserver.state.query import Collection
        from mockserver.state.query import Query

        page = self.engine.store.query(Collection("shop", tenant, resource), Query())
        return {doc["id"]: doc for doc in page.items}


@pytest.fixture(scope="module")
def shop_app() -> Flask:
    return create_app(shop_settings())


@pytest.fixture
def shop(shop_app: Flask) -> Iterator[Shop]:
    engine = get_engine(shop_app)
    engine.reset()
    yield Shop(shop_app.test_client(), engine)
