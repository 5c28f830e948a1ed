"""Real servers on loopback ports: the mock (Robaws, and the Standard Webhooks test API) and a
webhook receiver; helpers to validate every delivered payload against the spec's ``webhooks``."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine
from mockserver.server import MockServer
from mockserver.testing.webhooks import Delivery
from mockserver.testing.webhooks import WebhookReceiver
from mockserver.testing.webhooks import webhook_receiver as _webhook_receiver

DATA = Path(__file__).parent / "data"
VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")  # Robaws tenant vdb-bouw

JSON = "application~1json"  # the media type as a JSON-pointer token

webhook_receiver = pytest.fixture(_webhook_receiver)


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class Mock:
    """A mock server in a thread, spoken to over a real socket."""

    def __init__(self, server: MockServer, api: str, auth: dict[str, str]) -> None:
        self.server = server
        self.api = api
        self.http = httpx.Client(base_url=server.url, headers=auth, timeout=10, trust_env=False)
        document = self.engine.runtimes[api].spec.document
        registry = jsonschema_rs.Registry([("urn:spec", document)])
        self._payloads = {
            name: jsonschema_rs.validator_for(
                {"$ref": f"urn:spec{_body_pointer(document, name)}/content/{JSON}/schema"},
                registry=registry,
                validate_formats=True,
            )
            for name in document.get("webhooks", {})
        }

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def engine(self) -> MockEngine:
        return get_engine(self.server.app)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A call to the API; a 429 (rate limit) moves the mock clock on and tries again."""
        for _ in range(20):
            answer = self.http.request(method, f"/{self.api}{path}", **kwargs)
            if answer.status_code != 429:
                return answer
            self.admin("POST", "/clock", json={"advance": 2})
        raise AssertionError(f"{method} {path} stayed rate-limited")

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.request(method, f"/__admin{path}", **kwargs)

    def deliveries(self, **params: Any) -> list[dict[str, Any]]:
        answer = self.admin("GET", "/webhook-deliveries", params=params)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["deliveries"]
        return found

    def wait_journal(self, count: int, timeout: float = 5.0, **params: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.deliveries(**params)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def advance(self, seconds: float) -> None:
        assert self.admin("POST", "/clock", json={"advance": seconds}).status_code == 200

    def assert_payloads_valid(self, deliveries: list[Delivery]) -> None:
        """Every body validates against the spec's top-level ``webhooks`` entry for its event."""
        for delivery in deliveries:
            body = delivery.json
            validator = self._payloads[body["event"]]
            errors = [e.message for e in validator.iter_errors(body)]
            assert not errors, (body["event"], errors)


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _body_pointer(document: dict[str, Any], event: str) -> str:
    """Where the event's request body is, following a ``$ref`` to components/requestBodies."""
    body = document["webhooks"][event]["post"]["requestBody"]
    return body.get("$ref") or f"#/webhooks/{_escape(event)}/post/requestBody"


@pytest.fixture(scope="module")
def robaws_server() -> Iterator[MockServer]:
    app = create_app(Settings(apis=("robaws",), validate_responses=True, **fresh_settings()))
    with MockServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def depot_server() -> Iterator[MockServer]:
    settings = Settings(apis=("depot",), specs_dir=DATA, fixtures_dir=DATA / "fixtures")
    app = create_app(settings.replace(**fresh_settings()))
    with MockServer(app) as server:
        yield server


def _fresh(server: MockServer, api: str, auth: dict[str, str]) -> Iterator[Mock]:
    engine = get_engine(server.app)
    engine.clock.reset()
    engine.reset()
    mock = Mock(server, api, auth)
    try:
        yield mock
    finally:
        mock.http.close()
        engine.webhooks.reset(None)  # nothing owed is left to retry after the test
        engine.clock.reset()
    assert not engine.internal_errors, engine.internal_errors


@pytest.fixture
def robaws(robaws_server: MockServer) -> Iterator[Mock]:
    yield from _fresh(robaws_server, "robaws", basic(*VDB))


@pytest.fixture
def depot(depot_server: MockServer) -> Iterator[Mock]:
    yield from _fresh(depot_server, "depot", basic("north-key", "north-secret"))


__all__ = ["Delivery", "WebhookReceiver"]
