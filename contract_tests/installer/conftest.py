"""An Installer-only app with a frozen clock, and a client that speaks as a demo organization."""

from __future__ import annotations

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
from mockserver.events import Event

NORDLYS = "inst_demo_4f8c1a9e7b2d4c6a8e0f1b3d5a7c9e2f"  # organization 03cd22c9-...
SOLKRAFT = "inst_demo_9b3e7d1f5a2c4e6b8d0a2c4e6f8b1d3a"  # organization 1240bd9e-...
NORDLYS_ORG = "03cd22c9-3176-4943-8530-e3dcce8a8433"
SOLKRAFT_ORG = "1240bd9e-ef8a-4280-9952-146a4ac8b2e7"
API = "/api/v1"
DAY = 86400

SEEDED_ORDER = "6f08013d-8ae9-4520-8d42-23e058ca7b78"  # Nordlys, created
COMPLETED_ORDER = "2bea06e6-01d8-45ca-85ee-4a25abd17c0c"  # Nordlys, completed
SOLAR_TAG = "fcf8df02-ab9d-4dc8-b69b-d31d01c6ec3b"
HEAT_PUMP_TAG = "62ed7690-88dd-4110-85d6-e2a9c81e6856"
BERGEN_INSTALLER = "a35de7ea-9557-450e-9339-7146e50ff039"
SOLAR_WEBFORM = "0b75a56f-d832-4288-b037-7d75a2c62e46"


def new_order(**changes: Any) -> dict[str, Any]:
    """A valid Create Order body with the seven required fields."""
    body = {
        "name": "Solar Panel Installation",
        "email": "customer@example.com",
        "phoneNumber": "+4799900111",
        "contactPersonName": "John Doe",
        "address": "Main St 1",
        "city": "Oslo",
        "postalCode": "0365",
        "countryCode": "NO",
    }
    body.update(changes)
    return body


class Installer:
    def __init__(self, client: FlaskClient, engine: MockEngine) -> None:
        self.client = client
        self.engine = engine
        self.events: list[Event] = []
        self._stop = engine.events.subscribe(self.events.append)
        spec = engine.runtimes["installer"].spec.document
        self._error = jsonschema_rs.validator_for(
            {"$ref": "urn:installer#/components/schemas/NestError"},
            registry=jsonschema_rs.Registry([("urn:installer", spec)]),
        )

    def call(self, method: str, path: str, *, token: str | None = NORDLYS, **kwargs: Any) -> Any:
        headers = {**({"Authorization": f"Bearer {token}"} if token else {})}
        headers.update(kwargs.pop("headers", {}))
        return self.client.open(f"/installer{path}", method=method, headers=headers, **kwargs)

    def create(self, token: str = NORDLYS, **changes: Any) -> dict[str, Any]:
        response = self.call("POST", f"{API}/order", token=token, json=new_order(**changes))
        assert response.status_code == 201, response.get_json()
        return dict(response.get_json())

    def order(self, order_id: str, token: str = NORDLYS) -> dict[str, Any]:
        response = self.call("GET", f"{API}/order/{order_id}", token=token)
        assert response.status_code == 200, response.get_json()
        return dict(response.get_json())

    def advance(self, seconds: float) -> None:
        """Move the mock clock the way a test does over HTTP."""
        response = self.client.post("/__admin/clock", json={"advance": seconds})
        assert response.status_code == 200

    def push(self, order_id: str, to: str, **extra: Any) -> Any:
        return self.client.post(
            f"/__admin/installer/orders/{order_id}/transition", json={"to": to, **extra}
        )

    def assert_error(self, response: Any, status: int) -> dict[str, Any]:
        """A 4xx in NestJS' shape, as the spec's NestError schema describes it."""
        assert response.status_code == status, response.get_data(as_text=True)
        body = response.get_json()
        assert [e.message for e in self._error.iter_errors(body)] == []
        assert body["statusCode"] == status
        return dict(body)

    def events_of(self, order_id: str) -> list[str]:
        return [e.type for e in self.events if e.data.get("id") == order_id]

    def close(self) -> None:
        self._stop()


def make_app(**installer_options: Any) -> Flask:
    features = {"installer": {"decline-share": 0.0, **installer_options}}
    settings = Settings(apis=("installer",), validate_responses=True, features=features)
    return create_app(settings.replace(**fresh_settings()))


@pytest.fixture(scope="module")
def installer_app() -> Flask:
    return make_app()


def open_installer(app: Flask) -> Iterator[Installer]:
    engine = get_engine(app)
    engine.reset()
    engine.clock.freeze(1_767_225_600.0)  # 2026-01-01T00:00:00Z: every step lands on a known time
    client = Installer(app.test_client(), engine)
    try:
        yield client
    finally:
        client.close()
        engine.clock.reset()
    assert not engine.internal_errors, engine.internal_errors


@pytest.fixture
def installer(installer_app: Flask) -> Iterator[Installer]:
    yield from open_installer(installer_app)
