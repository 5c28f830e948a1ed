"""A Robaws-only app and a small client that speaks as a given demo credential."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine

VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")  # tenant vdb-bouw, admin
CLAES = ("demo4e8b2d6f90a1c37e", "demo1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e")  # tenant claes-renovatie


def basic(credential: tuple[str, str]) -> dict[str, str]:
    token = base64.b64encode(":".join(credential).encode()).decode()
    return {"Authorization": f"Basic {token}"}


class Robaws:
    def __init__(self, client: FlaskClient, engine: MockEngine) -> None:
        self.client = client
        self.engine = engine
        spec = engine.runtimes["robaws"].spec.document
        self._error = jsonschema_rs.validator_for(
            {"$ref": "urn:robaws#/components/schemas/RobawsError"},
            registry=jsonschema_rs.Registry([("urn:robaws", spec)]),
            validate_formats=True,
        )

    def call(
        self, method: str, path: str, *, as_: tuple[str, str] | None = VDB, **kwargs: Any
    ) -> Any:
        headers = {**(basic(as_) if as_ else {}), **kwargs.pop("headers", {})}
        return self.client.open(f"/robaws{path}", method=method, headers=headers, **kwargs)

    def assert_error(self, response: Any, status: int) -> dict[str, Any]:
        """A 4xx in Robaws' own error shape, as the spec's RobawsError schema describes it."""
        assert response.status_code == status, response.get_data(as_text=True)
        body = response.get_json()
        errors = [e.message for e in self._error.iter_errors(body)]
        assert not errors, errors
        return dict(body)

    def snapshot(self) -> dict[str, Any]:
        """Every record of every tenant: a rejected request must leave this unchanged."""
        from mockserver.state.query import Collection
        from mockserver.state.query import Query

        runtime = self.engine.runtimes["robaws"]
        return {
            (tenant.id, name): self.engine.store.query(
                Collection("robaws", tenant.id, name), Query()
            ).items
            for tenant in runtime.book.tenants
            for name in runtime.spec.resources
        }


@pytest.fixture(scope="module")
def robaws_app() -> Flask:
    return create_app(Settings(apis=("robaws",), validate_responses=True, **fresh_settings()))


@pytest.fixture
def robaws(robaws_app: Flask) -> Iterator[Robaws]:
    engine = get_engine(robaws_app)
    engine.reset()
    yield Robaws(robaws_app.test_client(), engine)
    assert not engine.internal_errors, engine.internal_errors
