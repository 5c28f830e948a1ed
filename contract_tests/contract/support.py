"""Build an API's Schemathesis suite: every default check, in-process and over a real socket,
plus stateful testing through the spec's links.

The mock runs with its rate limiter in its default (faithful) mode. The suites answer 429 the way
each vendor tells clients to (wait, then retry); waiting is done by moving the mock clock, so no
test ever sleeps. Every other answer is checked as is.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from pathlib import Path
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import settings

from contract_tests.backends import fresh_settings
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine
from mockserver.server import MockServer

ROOT = Path(__file__).resolve().parents[2]
MAX_RETRIES = 3


def load_config(auth: dict[str, Any]) -> schemathesis.Config:
    """The project's schemathesis.toml plus auth configured per security scheme (tooling.md G2)."""
    raw = tomllib.loads((ROOT / "schemathesis.toml").read_text())
    raw["auth"] = {"openapi": auth}
    return schemathesis.Config.from_dict(raw)


def header(response: Any, name: str) -> str | None:
    """A header's value; Schemathesis' responses keep a list per (lower-case) name."""
    for key, value in response.headers.items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return None


def wait_seconds(response: Any) -> float:
    """How long the vendor tells a throttled client to wait."""
    retry_after = header(response, "Retry-After")
    if retry_after is not None:
        return float(retry_after)
    daily_reset = header(response, "X-RateLimit-Daily-Reset")
    if header(response, "X-RateLimit-Daily-Remaining") == "0" and daily_reset is not None:
        return float(daily_reset) + 1
    return 1.0  # Robaws: "it's safe to pause for a second and retry the request"


class ContractSuite:
    def __init__(
        self,
        api: str,
        auth: dict[str, Any],
        *,
        settings_changes: dict[str, Any] | None = None,
        max_examples: int = 15,
        socket_examples: int = 5,
        scenarios: int = 15,
    ) -> None:
        self.api = api
        self.auth = auth
        self.settings = Settings(apis=(api,), validate_responses=True).replace(
            **(settings_changes or {})
        )
        self.max_examples = max_examples
        self.socket_examples = socket_examples
        self.scenarios = scenarios
        self._server: MockServer | None = None

    # the mock --------------------------------------------------------------------------------

    @cached_property
    def app(self) -> Flask:
        return create_app(self.settings.replace(**fresh_settings()))

    @property
    def engine(self) -> MockEngine:
        return get_engine(self.app)

    @cached_property
    def server_app(self) -> Flask:
        return create_app(self.settings.replace(**fresh_settings()))

    def server_url(self) -> str:
        if self._server is None:
            self._server = MockServer(self.server_app).start()
        return f"{self._server.url}/{self.api}"

    # polite calls ----------------------------------------------------------------------------

    def call(self, case: Any, engine: MockEngine, **kwargs: Any) -> Any:
        response = case.call(**kwargs)
        for _ in range(MAX_RETRIES):
            if response.status_code != 429:
                break
            engine.clock.advance(wait_seconds(response))
            response = case.call(**kwargs)
        return response

    # schemas ---------------------------------------------------------------------------------

    @cached_property
    def wsgi_schema(self) -> Any:
        schema = schemathesis.openapi.from_wsgi(
            f"/{self.api}/openapi.json", self.app, config=load_config(self.auth)
        )
        schema.config.generation.update(max_examples=self.max_examples)
        return schema

    @cached_property
    def socket_schema(self) -> Any:
        document = self.app.test_client().get(f"/{self.api}/openapi.json").get_json()
        schema = schemathesis.openapi.from_dict(document, config=load_config(self.auth))
        schema.config.generation.update(max_examples=self.socket_examples)
        # Over a socket only the transport differs from the in-process run, which already goes
        # through every coverage scenario; here a few fuzzed cases per operation suffice.
        schema.config.phases.update(phases=["examples", "fuzzing", "stateful"])
        return schema

    # tests -----------------------------------------------------------------------------------

    def in_process_test(self) -> Any:
        suite = self

        @self.wsgi_schema.parametrize()
        def test_in_process(case: Any) -> None:
            response = suite.call(case, suite.engine)
            case.validate_response(response)
            suite.assert_no_internal_errors(suite.engine)

        return test_in_process

    def socket_test(self) -> Any:
        suite = self

        @self.socket_schema.parametrize()
        def test_over_socket(case: Any) -> None:
            engine = get_engine(suite.server_app)
            response = suite.call(case, engine, base_url=suite.server_url())
            case.validate_response(response)
            suite.assert_no_internal_errors(engine)

        return test_over_socket

    def stateful_test(self, *, over_socket: bool = False) -> Any:
        suite = self
        schema = self.socket_schema if over_socket else self.wsgi_schema

        class Workflow(schema.as_state_machine()):  # type: ignore[misc]
            def setup(self) -> None:
                suite.current_engine(over_socket).reset()  # tooling.md G4

            def get_call_kwargs(self, case: Any) -> dict[str, Any]:
                return {"base_url": suite.server_url()} if over_socket else {}

            def call(self, case: Any, **kwargs: Any) -> Any:
                return suite.call(case, suite.current_engine(over_socket), **kwargs)

            def after_call(self, response: Any, case: Any) -> None:
                super().after_call(response, case)  # tooling.md G3: feeds the stateful checks

            def teardown(self) -> None:
                suite.assert_no_internal_errors(suite.current_engine(over_socket))

        test_case = Workflow.TestCase
        test_case.settings = settings(
            test_case.settings,
            max_examples=self.socket_examples if over_socket else self.scenarios,
            stateful_step_count=6,
            deadline=None,
        )
        return test_case

    def current_engine(self, over_socket: bool) -> MockEngine:
        return get_engine(self.server_app) if over_socket else self.engine

    @staticmethod
    def assert_no_internal_errors(engine: MockEngine) -> None:
        errors = list(engine.internal_errors)
        engine.internal_errors.clear()
        assert not errors, f"the mock raised internally: {errors}"
