"""``MockHandle``: what a test holds on to for one mock (in-process app or threaded server).

It bundles the app with its journal queries, conformance checker and fuzz control, and knows how
to bring the mock back to its seed state between tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask

from mockserver.engine import MockEngine
from mockserver.journal import JournalEntry
from mockserver.runtime import ApiRuntime
from mockserver.server import MockServer
from mockserver.testing.conformance import ConformanceChecker
from mockserver.testing.conformance import ContractViolation
from mockserver.testing.conformance import JournalQuery
from mockserver.testing.fuzz import FuzzControl


@dataclass(frozen=True)
class ClockSetting:
    """The marker's ``clock``: an ISO instant or epoch seconds to freeze at; True freezes now."""

    value: str | float | bool | None

    def apply(self, engine: MockEngine) -> None:
        engine.clock.reset()
        if self.value is None or self.value is False:
            return
        if self.value is True:
            engine.clock.freeze()
            return
        if isinstance(self.value, str):
            from mockserver.profiles.formats import parse_timestamp

            moment = parse_timestamp(self.value)
            if moment is None:
                raise ValueError(f"clock={self.value!r} is not an ISO-8601 date-time")
            engine.clock.freeze(moment.timestamp())
            return
        engine.clock.freeze(float(self.value))


class MockHandle:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.engine: MockEngine = app.extensions["mockserver"]
        self.journal = JournalQuery(self.engine)
        self.fuzz = FuzzControl.of(app)
        self._checker = ConformanceChecker(app)

    def runtime(self, api: str) -> ApiRuntime:
        return self.engine.runtimes[api]

    def reset(self, clock: ClockSetting = ClockSetting(None)) -> None:
        """Seed state: records, rate-limit buckets, idempotency keys, journal, overrides, clock."""
        self.fuzz.clear()
        self.engine.reset()
        clock.apply(self.engine)

    def requests(self, api: str, operation: str, **filters: Any) -> list[JournalEntry]:
        return self.journal.requests(api, operation, **filters)

    def verify(self, api: str, operation: str, **expected: Any) -> list[JournalEntry]:
        return self.journal.verify(api, operation, **expected)

    def violations(self) -> list[ContractViolation]:
        """Every contract violation among the requests journaled since the last reset."""
        return self._checker.check()


class ServerHandle(MockHandle):
    """A mock on a loopback port: ``url`` is the host, ``urls[api]`` each API's base URL."""

    def __init__(self, server: MockServer) -> None:
        super().__init__(server.app)
        self.server = server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def urls(self) -> dict[str, str]:
        return {name: rt.base_url(self.url) for name, rt in self.engine.runtimes.items()}
