"""``MockEngine``: everything one mock server holds: settings, store, clock, journal and the APIs.

It lives in ``app.extensions["mockserver"]``; there is no state at module level.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from mockserver import features  # noqa: F401  (registers the feature blocks with the loader)
from mockserver.clock import Clock
from mockserver.errors import ConfigError
from mockserver.events import EventBus
from mockserver.features.controls import Controls
from mockserver.journal import Journal
from mockserver.profiles.formats import parse_timestamp
from mockserver.runtime import ApiRuntime
from mockserver.seeding.seeder import Seeder
from mockserver.settings import Settings
from mockserver.spec.loader import load_spec
from mockserver.state.store import MemoryStore
from mockserver.state.store import Store
from mockserver.webhooks import WebhookService


def open_store(settings: Settings) -> Store:
    if settings.store == "memory":
        return MemoryStore()
    raise ConfigError(f"unknown store backend {settings.store!r} (known: memory)")


class MockEngine:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.store = open_store(settings)
        self.journal = Journal(settings.journal_size)
        self.controls = Controls(settings.features)  # rate-limit modes, faults
        self.events = EventBus()  # domain events; the webhook outbox listens here
        self.internal_errors: list[str] = []  # bugs of the mock itself, surfaced to tests
        self.runtimes: dict[str, ApiRuntime] = {}
        self.reset_hooks: list[Any] = []  # features clear their own state on reset
        self._reset_lock = threading.Lock()
        for api in settings.api_names():
            spec = load_spec(settings.spec_path(api))
            if spec.name != api:
                raise ConfigError(f"{settings.spec_path(api)} declares x-mock.api '{spec.name}'")
            self.runtimes[api] = ApiRuntime(spec, self, settings.fixtures_dir / api)
        self.webhooks = WebhookService(self)  # outbox listener + background delivery worker

    def runtime_for_path(self, path: str) -> ApiRuntime | None:
        first = path.split("/", 2)[1] if path.startswith("/") else ""
        return self.runtimes.get(first)

    def seed(self, apis: list[str] | None = None) -> dict[str, dict[str, int]]:
        counts = {}
        for name in apis or list(self.runtimes):
            runtime = self.runtimes[name]
            seeder = Seeder(
                runtime.spec,
                self.store,
                runtime.views,
                runtime.fixtures_dir,
                [t.id for t in runtime.book.tenants],
            )
            counts[name] = seeder.seed(self.settings.seed, self.seed_epoch(), self.settings.volume)
        return counts

    def seed_epoch(self) -> datetime:
        if self.settings.seed_epoch == "now":
            return self.clock.datetime()
        moment = parse_timestamp(self.settings.seed_epoch)
        if moment is None:
            raise ConfigError(
                f"seed_epoch {self.settings.seed_epoch!r} is not an ISO-8601 date-time"
            )
        return moment

    def close(self) -> None:
        """Stop background work (the webhook worker); the server calls this when it stops."""
        self.webhooks.close()

    def reset(self, apis: list[str] | None = None) -> dict[str, dict[str, int]]:
        """Back to the seed state: records, keys (limits, idempotency, tokens), journal."""
        with self._reset_lock:
            if apis is None:
                self.store.clear_keys()
                self.controls.reset()
                self.journal.clear()
                self.internal_errors.clear()
            for hook in self.reset_hooks:
                hook(apis)
            return self.seed(apis)
