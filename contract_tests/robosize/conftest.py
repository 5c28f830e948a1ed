"""A Robosize-only app and a client that speaks as a store (business API) or its widget."""

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

LOTTE_KEY = "demo-rs-5f1c9a7e3b2d4068a1c3e5f7b9d2e4a6"  # store lotte-fashion
NOORD_KEY = "demo-rs-0e2c4a6b8d1f3e5a7c9b2d4f6a8c1e3b"  # store noord-denim
LOTTE_DOMAIN = "lotte-fashion.nl"
NOORD_DOMAIN = "noord-denim.be"
API = "/robosize/api/v1"


class Robosize:
    def __init__(self, client: FlaskClient, engine: MockEngine) -> None:
        self.client = client
        self.engine = engine

    def business(
        self, method: str, path: str, *, key: str | None = LOTTE_KEY, **kwargs: Any
    ) -> Any:
        query = dict(kwargs.pop("query", {}))
        if key is not None:
            query["api_key"] = key
        return self.client.open(f"{API}{path}", method=method, query_string=query, **kwargs)

    def widget(self, method: str, path: str, *, business: str = LOTTE_DOMAIN, **query: Any) -> Any:
        return self.client.open(
            f"{API}{path}", method=method, query_string={"business": business, **query}
        )

    def snapshot(self) -> dict[Any, Any]:
        """Every record of every store: a rejected request must leave this unchanged."""
        runtime = self.engine.runtimes["robosize"]
        return {
            (tenant.id, name): self.engine.store.query(
                Collection("robosize", tenant.id, name), Query()
            ).items
            for tenant in runtime.book.tenants
            for name in runtime.spec.resources
        }


@pytest.fixture(scope="module")
def robosize_app() -> Flask:
    return create_app(Settings(apis=("robosize",), validate_responses=True, **fresh_settings()))


@pytest.fixture
def robosize(robosize_app: Flask) -> Iterator[Robosize]:
    engine = get_engine(robosize_app)
    engine.reset()
    yield Robosize(robosize_app.test_client(), engine)
    assert not engine.internal_errors, engine.internal_errors
