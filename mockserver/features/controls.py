"""Switches a running mock exposes to tests: rate-limit modes and injected faults, per API.

They start from ``Settings.features`` (CLI flags, the pytest marker) and can be changed at run
time through ``/__admin/rate-limits`` and ``/__admin/faults``; ``MockEngine.reset`` restores the
start-up values. The spec says what the vendor does; these say how much of it a test wants.
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from mockserver.errors import ConfigError

RATE_LIMIT_MODES = ("faithful", "off", "storm", "custom")
ALL = "*"


@dataclass(frozen=True)
class RateLimitMode:
    mode: str = "faithful"  # faithful: the spec's numbers | off | storm: 429s | custom: overrides
    ietf: bool = False  # also emit IETF RateLimit / RateLimit-Policy (draft-10)
    temp_block: bool = False  # Robaws-style temporary block after repeated 429s (opt-in)
    storm_probability: float = 1.0  # share of requests answered 429 in storm mode
    overrides: dict[str, dict[str, int]] = field(default_factory=dict)  # policy -> numbers

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> RateLimitMode:
        known = {f.name.replace("_", "-") for f in dataclasses.fields(cls)}
        unknown = {k for k in raw if k.replace("_", "-") not in known}
        if unknown:
            raise ConfigError(f"unknown rate-limit options: {sorted(unknown)}")
        values = {k.replace("-", "_"): v for k, v in raw.items()}
        mode = cls(**values)
        if mode.mode not in RATE_LIMIT_MODES:
            raise ConfigError(f"rate-limit mode must be one of {RATE_LIMIT_MODES}")
        if not 0 <= mode.storm_probability <= 1:
            raise ConfigError("storm-probability must be between 0 and 1")
        return mode


@dataclass(frozen=True)
class FaultSpec:
    latency_ms: float = 0.0  # fixed delay, or the median when latency_sigma is set
    latency_sigma: float | None = None  # log-normal spread (sigma of the underlying normal)
    error_rate: float = 0.0  # share answered with a 5xx
    error_statuses: tuple[int, ...] = (500, 502, 503)
    ratelimit_rate: float = 0.0  # share answered 429 (with the vendor's limit headers)
    drop_rate: float = 0.0  # share whose connection is dropped mid-response
    seed: int = 0

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> FaultSpec:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k.replace("-", "_"): v for k, v in raw.items()}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown fault options: {sorted(unknown)}")
        if "error_statuses" in values:
            values["error_statuses"] = tuple(int(s) for s in values["error_statuses"])
        spec = cls(**values)
        for name in ("error_rate", "ratelimit_rate", "drop_rate"):
            if not 0 <= getattr(spec, name) <= 1:
                raise ConfigError(f"{name} must be between 0 and 1")
        if spec.latency_ms < 0 or any(not 500 <= s <= 599 for s in spec.error_statuses):
            raise ConfigError("latency_ms must be >= 0 and error_statuses 5xx")
        return spec

    @property
    def active(self) -> bool:
        return bool(self.latency_ms or self.error_rate or self.ratelimit_rate or self.drop_rate)


def _per_api(raw: Any, parse: Any) -> dict[str, Any]:
    """``{"mode": "off"}`` (every API) or ``{"robaws": {...}, "*": {...}}`` (per API)."""
    if not raw:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("feature options must be a mapping")
    if all(isinstance(v, dict) for v in raw.values()) and "overrides" not in raw:
        return {api: parse(value) for api, value in raw.items()}
    return {ALL: parse(raw)}


class Controls:
    def __init__(self, features: dict[str, Any]) -> None:
        self._features = features
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._limits: dict[str, RateLimitMode] = _per_api(
                self._features.get("ratelimit"), RateLimitMode.parse
            )
            self._faults: dict[tuple[str, str], FaultSpec] = {}
            for api, per_op in (self._features.get("faults") or {}).items():
                for operation, raw in per_op.items():
                    self._faults[(api, operation)] = FaultSpec.parse(raw)

    # rate limits -----------------------------------------------------------------------------

    def rate_limit_mode(self, api: str) -> RateLimitMode:
        return self._limits.get(api) or self._limits.get(ALL) or RateLimitMode()

    def set_rate_limit_mode(self, api: str | None, raw: dict[str, Any]) -> RateLimitMode:
        mode = RateLimitMode.parse(raw)
        with self._lock:
            if api is None:
                self._limits = {ALL: mode}
            else:
                self._limits[api] = mode
        return mode

    def rate_limit_modes(self) -> dict[str, dict[str, Any]]:
        return {api: dataclasses.asdict(mode) for api, mode in self._limits.items()}

    # faults ----------------------------------------------------------------------------------

    def fault_for(self, api: str, operation_id: str) -> FaultSpec | None:
        faults = self._faults
        return (
            faults.get((api, operation_id))
            or faults.get((api, ALL))
            or faults.get((ALL, operation_id))
            or faults.get((ALL, ALL))
        )

    def set_fault(
        self, api: str | None, operation_id: str | None, raw: dict[str, Any]
    ) -> FaultSpec:
        spec = FaultSpec.parse(raw)
        with self._lock:
            self._faults[(api or ALL, operation_id or ALL)] = spec
        return spec

    def clear_faults(self) -> None:
        with self._lock:
            self._faults = {}

    def faults(self) -> list[dict[str, Any]]:
        return [
            {"api": api, "operation": op, **dataclasses.asdict(spec)}
            for (api, op), spec in self._faults.items()
        ]
