"""Placeholder until the ratelimit feature lands: contributes no pipeline step yet."""

from __future__ import annotations

from typing import Any


def step_for(runtime: Any, op: Any) -> None:
    return None
