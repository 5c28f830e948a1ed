"""A Robaws mock in-process and over a real socket, with a frozen clock and the faithful limiter."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from flask import Flask

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine
from mockserver.server import MockServer

VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")
CLAES = ("demo4e8b2d6f90a1c37e", "demo1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e")
CLIENTS = "/robaws/api/v2/clients"


def auth(credential: tuple[str, str] = VDB) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(":".join(credential).encode()).decode()}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings(apis=("robaws",), validate_responses=True, **fresh_settings()))


@pytest.fixture
def engine(app: Flask) -> Iterator[MockEngine]:
    found = get_engine(app)
    found.reset()
    found.clock.reset()
    found.clock.freeze()
    yield found
    found.clock.reset()
    assert not found.internal_errors, found.internal_errors


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[MockServer]:
    with MockServer(app, threads=32) as running:
        yield running


@pytest.fixture
def http(server: MockServer, engine: MockEngine) -> Iterator[httpx.Client]:
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with httpx.Client(base_url=server.url, headers=auth(), limits=limits, timeout=10) as client:
        yield client


class Answer:
    """A response reduced to what the tests compare, whichever transport carried it."""

    def __init__(self, status: int, headers: Any, body: bytes) -> None:
        self.status_code = status
        self.headers = httpx.Headers(list(headers.items()))  # case-insensitive, as HTTP is
        self.data = body

    def get_json(self) -> Any:
        return json.loads(self.data) if self.data else None


class Transport:
    """The same calls in-process (Flask test client) or over a real socket (httpx)."""

    def __init__(self, app: Flask, http: httpx.Client | None) -> None:
        self.app = app
        self.http = http

    def post(self, path: str, *, json: Any, headers: dict[str, str]) -> Answer:
        if self.http is None:
            response = self.app.test_client().post(path, json=json, headers=headers)
            return Answer(response.status_code, response.headers, response.data)
        found = self.http.post(path, json=json, headers=headers)
        return Answer(found.status_code, found.headers, found.content)


@pytest.fixture(params=["in-process", "socket"])
def transport(request: pytest.FixtureRequest, app: Flask, engine: MockEngine) -> Transport:
    if request.param == "in-process":
        return Transport(app, None)
    return Transport(app, request.getfixturevalue("http"))
