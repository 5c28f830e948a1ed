"""`mockserver serve` flags become the features' start-up settings (and mistakes are refused)."""

from __future__ import annotations

import argparse

import pytest

from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.cli import _settings
from mockserver.errors import MockServerError


def serve_args(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {
        "apis": "robaws",
        "rate_limit": None,
        "rate_limit_ietf": False,
        "rate_limit_temp_block": False,
        "rate_limit_override": None,
        "fault": None,
        "idempotency_ttl": None,
    }
    return argparse.Namespace(**{**defaults, **values})


def test_modes_overrides_and_faults_reach_the_engine() -> None:
    settings = _settings(
        serve_args(
            rate_limit_ietf=True,
            rate_limit_override=["burst.burst-capacity=5", "daily.limit=100"],
            fault=["robaws.listClients:error_rate=1,seed=3"],
        )
    )
    engine = get_engine(create_app(settings))
    mode = engine.controls.rate_limit_mode("robaws")
    assert (mode.mode, mode.ietf) == ("custom", True)
    assert mode.overrides == {"burst": {"burst-capacity": 5}, "daily": {"limit": 100}}
    fault = engine.controls.fault_for("robaws", "listClients")
    assert fault is not None and fault.error_rate == 1 and fault.seed == 3
    assert engine.controls.fault_for("robaws", "getClient") is None


def test_storm_from_the_command_line() -> None:
    settings = _settings(serve_args(rate_limit="storm"))
    assert settings.features["ratelimit"] == {"mode": "storm"}


@pytest.mark.parametrize(
    "values",
    [
        {"rate_limit_override": ["burst=5"]},
        {"rate_limit_override": ["burst.burst-capacity=many"]},
        {"fault": ["robaws:error_rate=often"]},
        {"fault": ["robaws:error_rate"]},
    ],
)
def test_malformed_flags_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(MockServerError):
        _settings(serve_args(**values))


def test_an_unknown_fault_option_is_refused_at_start() -> None:
    with pytest.raises(MockServerError):
        create_app(Settings(apis=("robaws",), features={"faults": {"*": {"*": {"bogus": 1}}}}))
