"""Shared test configuration: Hypothesis profiles (pick with --hypothesis-profile)."""

from __future__ import annotations

from hypothesis import HealthCheck
from hypothesis import settings

pytest_plugins = ["pytester"]  # contract_tests/plugin tests the mockserver plugin with pytester

settings.register_profile(
    "default",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "ci", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
settings.load_profile("default")
