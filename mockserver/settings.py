"""Settings: the one place configuration comes from.

Built in layers: defaults, then ``from_env()`` (``MOCKSERVER_*``), then CLI flags or the pytest
marker via ``replace``. Components receive what they need in their constructors and never read
the environment themselves.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

from mockserver.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "bundled"
_REPO = PACKAGE_DIR.parent


def _default_dir(name: str) -> Path:
    """``openapi/`` or ``fixtures/`` next to the package (a checkout), else the bundled copy."""
    beside = _REPO / name
    if beside.is_dir():
        return beside
    return _BUNDLED / name


ALL_APIS = ("robaws", "robosize", "salesdesk", "installer")


@dataclass(frozen=True)
class Settings:
    apis: tuple[str, ...] | None = None  # None: every spec found in specs_dir
    specs_dir: Path = field(default_factory=lambda: _default_dir("openapi"))
    fixtures_dir: Path = field(default_factory=lambda: _default_dir("fixtures"))
    seed: int = 1234
    # Seeded timestamps lie before this instant, so the data is the same on every machine and
    # every day; "now" anchors them to start-up instead.
    seed_epoch: str = "2026-01-01T00:00:00Z"
    volume: int | None = None  # records per resource per tenant; None: what each spec says
    store: str = "memory"  # memory | sqlite | redis
    data_dir: Path | None = None  # SQLite database folder
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_prefix: str = "mockserver"  # key prefix: instances sharing a prefix share state
    journal_size: int = 1000
    validate_responses: bool = False  # check every answer against the spec (tests turn it on)
    # journal, traffic meter and mock clock in the store, one for every process sharing it
    # (serve --workers N turns it on; docs/stores.md "Many workers")
    shared_runtime: bool = False
    features: dict[str, Any] = field(default_factory=dict)  # per-feature options (rate limits…)

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ConfigError(f"unknown settings: {sorted(unknown)}")
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(
        cls, environ: dict[str, str] | None = None, prefix: str = "MOCKSERVER_"
    ) -> Settings:
        env = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        if f"{prefix}APIS" in env:
            values["apis"] = tuple(a.strip() for a in env[f"{prefix}APIS"].split(",") if a.strip())
        for name in ("SPECS_DIR", "FIXTURES_DIR", "DATA_DIR"):
            if f"{prefix}{name}" in env:
                values[name.lower()] = Path(env[f"{prefix}{name}"])
        for name in ("SEED", "VOLUME", "JOURNAL_SIZE"):
            if f"{prefix}{name}" in env:
                try:
                    values[name.lower()] = int(env[f"{prefix}{name}"])
                except ValueError:
                    raise ConfigError(f"{prefix}{name} must be an integer") from None
        for name in ("STORE", "REDIS_URL", "REDIS_PREFIX", "SEED_EPOCH"):
            if f"{prefix}{name}" in env:
                values[name.lower()] = env[f"{prefix}{name}"]
        if f"{prefix}WEBHOOK_HOSTS" in env:  # where webhooks may be delivered (default: loopback)
            hosts = [h.strip() for h in env[f"{prefix}WEBHOOK_HOSTS"].split(",") if h.strip()]
            values.setdefault("features", {})["webhooks"] = {"allow-hosts": hosts}
        for name in ("VALIDATE_RESPONSES", "SHARED_RUNTIME"):
            if f"{prefix}{name}" in env:
                values[name.lower()] = env[f"{prefix}{name}"].lower() in ("1", "true", "yes")
        return cls(**values)

    def api_names(self) -> tuple[str, ...]:
        if self.apis is not None:
            return self.apis
        found = {path.stem for path in self.specs_dir.glob("*.yaml")}
        known = [api for api in ALL_APIS if api in found]
        return tuple(known + sorted(found - set(known)))

    def spec_path(self, api: str) -> Path:
        return self.specs_dir / f"{api}.yaml"
