"""pytest fixtures for testing clients against the mock (loaded by the ``pytest11`` entry point).

- ``mock_app`` / ``mock_client``: a fresh in-process app and its Flask test client (no socket).
- ``mock_server``: one real server per distinct configuration for the whole session, on a free
  loopback port, reset before each test (records, limits, keys, journal, fuzz overrides, clock).
- ``mock_urls``: ``{"robaws": "http://127.0.0.1:PORT/robaws", ...}`` of that server.
- ``mock_journal``: ``requests(...)`` / ``verify(...)`` on whichever mock the test uses.
- ``mock_fuzz``: serve generated answers (``mockserver.testing.strategies``) per operation.
- ``mock_sleep``: a ``sleep`` for the client under test that advances the mock clock instead.
- ``mockserver_settings``: the ``Settings`` in force; override it in a conftest to change defaults.
- ``webhook_receiver``: records and verifies the mock's signed webhook deliveries.

Configure a test with the marker (respx' style)::

    @pytest.mark.mockserver(apis=["robaws"], seed=7, clock="2026-03-01T09:00:00Z", strict=True,
                            ratelimit={"mode": "off"}, faults={"*": {"*": {"error_rate": 0.1}}})

Settings fields (``apis``, ``seed``, ``volume``, ...) go to ``Settings``; ``strict`` turns on
client conformance checking (or the ini option ``mockserver_strict = true`` for a whole suite);
``clock`` freezes the mock clock (True: now); every other keyword is a feature's options and goes
to ``Settings.features[name]``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockserver.app import create_app
from mockserver.server import MockServer
from mockserver.settings import Settings
from mockserver.testing.conformance import ContractViolations
from mockserver.testing.conformance import JournalQuery
from mockserver.testing.fuzz import FuzzControl
from mockserver.testing.handle import ClockSetting
from mockserver.testing.handle import MockHandle
from mockserver.testing.handle import ServerHandle
from mockserver.testing.webhooks import webhook_receiver as _webhook_receiver

MARKER = "mockserver"
_SETTINGS_FIELDS = {f.name for f in dataclasses.fields(Settings)}
_CHECKS = pytest.StashKey[list[Callable[[], None]]]()


@dataclass(frozen=True)
class MockOptions:
    """The marker, split into what builds the app and what each test sets on it."""

    settings: Settings
    strict: bool
    clock: ClockSetting


def read_marker(base: Settings, kwargs: dict[str, Any], strict_default: bool) -> MockOptions:
    options = dict(kwargs)
    strict = bool(options.pop("strict", strict_default))
    clock = ClockSetting(options.pop("clock", None))
    features = dict(base.features)
    features.update(options.pop("features", {}))
    changes: dict[str, Any] = {}
    for name, value in options.items():
        if name in _SETTINGS_FIELDS:
            changes[name] = tuple(value) if name == "apis" else value
        else:
            features[name] = value
    return MockOptions(base.replace(**changes, features=features), strict, clock)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "mockserver_strict",
        "check every request the client sends against the spec (client conformance)",
        type="bool",
        default=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mockserver(**options): configure the mock_* fixtures "
        "(apis, seed, strict, clock, and feature options such as ratelimit or faults)",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a passing test body, run the strict checks: a violation fails *the test*."""
    __tracebackhide__ = True
    result = yield
    for check in item.stash.get(_CHECKS, []):
        check()
    return result


def _register_check(request: pytest.FixtureRequest, handle: MockHandle, strict: bool) -> None:
    def check() -> None:
        __tracebackhide__ = True
        problems = handle.engine.internal_errors
        if problems:
            raise AssertionError("the mock itself failed:\n  " + "\n  ".join(problems))
        if strict:
            violations = handle.violations()
            if violations:
                raise ContractViolations(violations)

    request.node.stash.setdefault(_CHECKS, []).append(check)


# fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def mockserver_settings() -> Settings:
    """The base settings (environment ``MOCKSERVER_*``); the marker applies on top."""
    return Settings.from_env()


@pytest.fixture
def mock_options(request: pytest.FixtureRequest, mockserver_settings: Settings) -> MockOptions:
    kwargs: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # closest marker wins
        kwargs.update(marker.kwargs)
    strict_default = bool(request.config.getini("mockserver_strict"))
    return read_marker(mockserver_settings, kwargs, strict_default)


@pytest.fixture
def mock_app(request: pytest.FixtureRequest, mock_options: MockOptions) -> Flask:
    """A fresh in-process mock for this test (create_app takes well under a second)."""
    app = create_app(mock_options.settings)
    handle = MockHandle(app)
    mock_options.clock.apply(handle.engine)
    _register_check(request, handle, mock_options.strict)
    return app


@pytest.fixture
def mock_client(mock_app: Flask) -> FlaskClient:
    return mock_app.test_client()


class ServerPool:
    """One running server per distinct configuration, shared by the whole session."""

    def __init__(self) -> None:
        self._servers: dict[str, MockServer] = {}

    def get(self, settings: Settings) -> MockServer:
        key = repr(settings)
        if key not in self._servers:
            self._servers[key] = MockServer(create_app(settings)).start()
        return self._servers[key]

    def stop(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers.clear()


@pytest.fixture(scope="session")
def mock_server_pool() -> Iterator[ServerPool]:
    pool = ServerPool()
    yield pool
    pool.stop()


@pytest.fixture
def mock_server(
    request: pytest.FixtureRequest, mock_server_pool: ServerPool, mock_options: MockOptions
) -> ServerHandle:
    handle = ServerHandle(mock_server_pool.get(mock_options.settings))
    handle.reset(mock_options.clock)
    _register_check(request, handle, mock_options.strict)
    return handle


@pytest.fixture
def mock_urls(mock_server: ServerHandle) -> dict[str, str]:
    return mock_server.urls


def _active(request: pytest.FixtureRequest) -> MockHandle:
    """The mock this test uses: the server if it asked for one, else the in-process app."""
    if "mock_server" in request.fixturenames:
        server: ServerHandle = request.getfixturevalue("mock_server")
        return server
    return MockHandle(request.getfixturevalue("mock_app"))


@pytest.fixture
def mock_journal(request: pytest.FixtureRequest) -> JournalQuery:
    return _active(request).journal


@pytest.fixture
def mock_fuzz(request: pytest.FixtureRequest) -> FuzzControl:
    return _active(request).fuzz


class MockSleep:
    """A ``sleep`` to inject into a client: moves the mock's clock instead of waiting, and
    records each pause, so a client's back-off refills the mock's rate-limit bucket at once."""

    def __init__(self, handle: MockHandle) -> None:
        self.engine = handle.engine
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.engine.clock.advance(max(0.0, seconds))


@pytest.fixture
def mock_sleep(request: pytest.FixtureRequest) -> MockSleep:
    return MockSleep(_active(request))


# A receiver on a free loopback port that records and verifies signed deliveries; built by the
# webhooks feature (mockserver/testing/webhooks.py), registered here so a plain install has it.
webhook_receiver = pytest.fixture(_webhook_receiver)
