"""A contract suite is worth something only if it fails on a broken mock: plant bugs."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from schemathesis.core.failures import FailureGroup

from contract_tests.contract.support import load_config
from mockserver import Settings
from mockserver import create_app
from mockserver import errors
from mockserver.profiles.paging import PageSizePaginator

AUTH = {
    "basicAuth": {
        "username": "demo7f3a9c2e41b84d6e",
        "password": "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43",
    }
}


def run_checks(path: str, method: str, examples: int = 20) -> None:
    """Schemathesis' default checks on one Robaws operation of a freshly built app."""
    app = create_app(Settings(apis=("robaws",)))
    schema = schemathesis.openapi.from_wsgi("/robaws/openapi.json", app, config=load_config(AUTH))
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: Any) -> None:
        case.call_and_validate()

    check()


def test_a_correct_mock_passes() -> None:
    run_checks("/api/v2/clients", "GET")
    run_checks("/api/v2/clients/{clientId}", "GET")


def test_a_broken_paging_envelope_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    original = PageSizePaginator.envelope

    def without_total_pages(self: Any, *args: Any) -> Any:
        body = original(self, *args)
        body.pop("totalPages")
        return body

    monkeypatch.setattr(PageSizePaginator, "envelope", without_total_pages)
    with pytest.raises(FailureGroup, match="totalPages"):
        run_checks("/api/v2/clients", "GET")


def test_a_broken_not_found_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    def found_nothing(message: str = "") -> errors.ApiError:
        return errors.ApiError(200, message)  # a 404 that pretends to have worked

    monkeypatch.setattr(errors, "not_found", found_nothing)
    with pytest.raises(FailureGroup):
        run_checks("/api/v2/clients/{clientId}", "GET")


def test_a_404_in_the_wrong_shape_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from mockserver.profiles.errors import RenderedError
    from mockserver.profiles.errors import RobawsErrors

    def plain(self: Any, error: errors.ApiError, ctx: Any) -> RenderedError:
        return RenderedError(error.status, {"detail": error.message}, dict(error.headers))

    monkeypatch.setattr(RobawsErrors, "render", plain)
    with pytest.raises(FailureGroup, match=r"correlationId|required"):
        run_checks("/api/v2/clients/{clientId}", "GET")
