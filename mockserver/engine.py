"""``MockEngine``: everything one mock server holds: settings, store, clock, journal and the APIs.

It lives in ``app.extensions["mockserver"]``; there is no state at module level.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
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
from mockserver.shared import Flusher
from mockserver.shared import SharedJournal
from mockserver.shared import SharedTrafficMeter
from mockserver.shared import share
from mockserver.spec.loader import load_spec
from mockserver.state.store import MemoryStore
from mockserver.state.store import Store
from mockserver.traffic import TrafficMeter
from mockserver.webhooks import WebhookService

DEFAULT_DATA_DIR = Path(".mockserver")  # in the working directory, like .pytest_cache
SEEDED = "mockserver.seeded"  # key namespace: which APIs a persistent store already holds


def open_store(settings: Settings) -> Store:
    if settings.store == "memory":
        return MemoryStore()
    if settings.store == "sqlite":
        from mockserver.state.sqlite_store import SQLiteStore

        return SQLiteStore(settings.data_dir or DEFAULT_DATA_DIR)
    if settings.store == "redis":
        from mockserver.state.redis_store import RedisStore

        try:
            return RedisStore(settings.redis_url, settings.redis_prefix)
        except Exception as exc:  # redis.ConnectionError and friends: say where and why
            raise ConfigError(f"cannot reach Redis at {settings.redis_url}: {exc}") from exc
    raise ConfigError(f"unknown store backend {settings.store!r} (known: memory, sqlite, redis)")


class MockEngine:
    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock = clock or Clock()
        self.store = open_store(settings)
        self.journal: Journal | SharedJournal = Journal(settings.journal_size)
        # requests per wall-clock second, for the dashboard chart
        self.traffic: TrafficMeter | SharedTrafficMeter = TrafficMeter()
        self.controls = Controls(settings.features)  # rate-limit modes, faults
        self.events = EventBus()  # domain events; the webhook outbox listens here
        self.internal_errors: list[str] = []  # bugs of the mock itself, surfaced to tests
        self.runtimes: dict[str, ApiRuntime] = {}
        self.reset_hooks: list[Any] = []  # features clear their own state on reset
        self.close_hooks: list[Callable[[], None]] = []  # background work to stop on close
        self.flusher: Flusher | None = None  # the shared runtime's write-behind thread
        self._reset_lock = threading.Lock()
        if settings.shared_runtime:  # one journal, meter and clock for every worker process
            share(self)
        for api in settings.api_names():
            spec = load_spec(settings.spec_path(api))
            if spec.name != api:
                raise ConfigError(f"{settings.spec_path(api)} declares x-mock.api '{spec.name}'")
            self.runtimes[api] = ApiRuntime(spec, self, settings.fixtures_dir / api)
        self.webhooks = WebhookService(self)  # outbox listener + background delivery worker

    def runtime_for_path(self, path: str) -> ApiRuntime | None:
        first = path.split("/", 2)[1] if path.startswith("/") else ""
        return self.runtimes.get(first)

    def seed_if_empty(self) -> dict[str, dict[str, int]]:
        """Seed the APIs the store does not hold yet: a restart on SQLite or Redis keeps data."""
        now = self.clock.now()
        missing = [api for api in self.runtimes if self.store.key_get(SEEDED, api, now) is None]
        return self.seed(missing) if missing else {}

    def seed(
        self,
        apis: list[str] | None = None,
        progress: Callable[[int], None] | None = None,
        only: frozenset[str] | None = None,
    ) -> dict[str, dict[str, int]]:
        """Replace the records of ``apis`` (default all) with the seed state."""
        counts = {}
        for name in apis or list(self.runtimes):
            counts[name] = self.seeder(name).seed(
                self.settings.seed, self.seed_epoch(), self.settings.volume, progress, only
            )
            marker = {"seed": self.settings.seed, "volume": self.settings.volume}
            self.store.key_set(SEEDED, name, marker, self.clock.now(), None)
        return counts

    def seeder(self, api: str) -> Seeder:
        runtime = self.runtimes[api]
        tenants = [t.id for t in runtime.book.tenants]
        return Seeder(runtime.spec, self.store, runtime.views, runtime.fixtures_dir, tenants)

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
        """Stop background work (the webhook worker, the shared runtime's write-behind flusher);
        the server calls this when it stops."""
        self.webhooks.close()
        for hook in self.close_hooks:
            hook()

    def reset(self, apis: list[str] | None = None) -> dict[str, dict[str, int]]:
        """Back to the seed state: records, keys (limits, idempotency, tokens), journal."""
        with self._reset_lock:
            if apis is None:
                self.store.clear_keys()
                self.controls.reset()
                self.journal.clear()
                self.traffic.clear()
                self.internal_errors.clear()
            for hook in self.reset_hooks:
                hook(apis)
            return self.seed(apis)
