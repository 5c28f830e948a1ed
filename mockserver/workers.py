"""``mockserver serve --workers N``: the app on gunicorn's pre-fork server (gthread workers).

The app is built, and an empty store seeded, once in the arbiter before it forks, so workers
start instantly and never race to seed. Every worker then opens its own SQLite connection or
Redis pool (both backends reconnect after a fork), which is where the shared state lives; with
``Settings.shared_runtime`` (``serve`` turns it on for N > 1) so are the request journal, the
traffic meter and the mock clock (``mockserver/shared/``). What stays per worker: the run-time
switches of ``/__admin/rate-limits`` and ``/__admin/faults``, and in-process event listeners.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from mockserver.errors import ConfigError
from mockserver.settings import Settings

SHARED_STORES = ("sqlite", "redis")


def check_workers(settings: Settings, workers: int) -> None:
    if workers > 1 and settings.store not in SHARED_STORES:
        raise ConfigError(
            f"--workers {workers} needs a store the worker processes share: add --store sqlite "
            f"or --store redis (the {settings.store!r} store lives inside one process, so each "
            "worker would have its own records, rate limits and idempotency keys)"
        )


class PreforkServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def _closer(app: Flask) -> Any:
    """gunicorn's ``worker_exit`` hook, run in the worker as it stops: close its engine, so the
    write-behind flusher writes what the worker still buffers and the webhook worker stops."""

    def worker_exit(server: Any, worker: Any) -> None:
        engine = app.extensions.get("mockserver")
        if engine is not None:
            engine.close()

    return worker_exit


def run(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    options = {
        "worker_exit": _closer(app),
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "preload_app": True,
        "accesslog": None,
        "loglevel": "warning",
        "timeout": 60,
        "graceful_timeout": 5,
    }
    PreforkServer(app, options).run()
