"""The simulated installer: moves dispatched Installer.com orders on by the mock clock.

An order dispatched through the API is tracked. Each time the clock moves (``Clock.on_change``) and
at the start of every order request, every tracked order takes the steps that have fallen due, each
at its own due time: after ``accept-after`` seconds the installer accepts (Scheduled) or, for a
seeded share of orders, declines; the visit starts ``lead-time`` after acceptance and completes
``work-duration`` later. Which orders decline depends only on the seed, the organization, the
order's display id and the dispatch attempt, so a run repeats exactly. Tests move the clock through
``POST /__admin/clock`` and never sleep. Options come from ``Settings.features["installer"]``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from mockserver.apis import installer_lifecycle as lifecycle
from mockserver.apis.installer_lifecycle import Status
from mockserver.errors import ConfigError
from mockserver.runtime import ApiRuntime

TRACKED = "installer:dispatched-orders"  # store key namespace: "<tenant>/<order id>" -> track
OPTIONS = {"simulate", "accept-after", "lead-time", "work-duration", "decline-share"}


@dataclass(frozen=True)
class Timing:
    enabled: bool = True
    accept_after: float = 3600.0  # dispatch -> the installer answers
    lead_time: float = 82800.0  # acceptance -> the visit starts (one day after dispatch)
    work_duration: float = 14400.0  # start -> completed
    decline_share: float = 0.1  # of dispatches the installers turn down

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> Timing:
        unknown = set(options) - OPTIONS
        if unknown:  # a misspelt option must not silently fall back to its default
            raise ConfigError(
                f"unknown installer options {sorted(unknown)} (known: {sorted(OPTIONS)})"
            )
        share = float(options.get("decline-share", cls.decline_share))
        if not 0.0 <= share <= 1.0:
            raise ConfigError(f"installer decline-share must lie in [0, 1], not {share}")
        return cls(
            enabled=bool(options.get("simulate", True)),
            accept_after=float(options.get("accept-after", cls.accept_after)),
            lead_time=float(options.get("lead-time", cls.lead_time)),
            work_duration=float(options.get("work-duration", cls.work_duration)),
            decline_share=share,
        )

    def scheduling(self, installer_id: str | None = None) -> dict[str, Any]:
        """How ``lifecycle.move`` books a visit when an order becomes Scheduled."""
        how: dict[str, Any] = {"leadTime": self.lead_time, "workDuration": self.work_duration}
        if installer_id:
            how["installerId"] = installer_id
        return how


class Simulator:
    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime
        self.timing = Timing.from_options(runtime.engine.settings.features.get("installer", {}))
        self.seed = runtime.engine.settings.seed
        runtime.clock.on_change(self.tick)
        runtime.engine.reset_hooks.append(self._on_reset)

    # tracking ----------------------------------------------------------------------------------

    def track(self, tenant: str, order_id: str, installer_id: str | None) -> None:
        store, now = self.runtime.engine.store, self.runtime.clock.now()
        key = f"{tenant}/{order_id}"
        attempt = int((store.key_get(TRACKED, key, now) or {}).get("attempt", 0)) + 1
        track = {"tenant": tenant, "id": order_id, "attempt": attempt, "installerId": installer_id}
        store.key_set(TRACKED, key, track, now, None)

    def _on_reset(self, apis: list[str] | None) -> None:
        if apis is None or lifecycle.API in apis:
            self.runtime.engine.store.clear_keys(TRACKED)

    # the clock ---------------------------------------------------------------------------------

    def tick(self) -> None:
        """Take every step that has fallen due, in due order per order."""
        if not self.timing.enabled:
            return
        now = self.runtime.clock.now()
        with lifecycle.lock(self.runtime):
            for key, track in self.runtime.engine.store.key_items(TRACKED, now):
                while self._step(key, track, now):
                    pass

    def _step(self, key: str, track: dict[str, Any], now: float) -> bool:
        """One due step of one tracked order; False when nothing (more) is due."""
        runtime = self.runtime
        doc = runtime.resources.find(track["tenant"], lifecycle.ORDERS, track["id"])
        if doc is None or not lifecycle.NEXT[Status(doc["status"])]:
            runtime.engine.store.key_delete(TRACKED, key)  # gone or final: nothing more to do
            return False
        due = self._next(doc, track)
        if due is None or due[0] > now:
            return False  # a declined order keeps its track (and attempt count) until dispatched
        at, to = due
        how = self.timing.scheduling(track.get("installerId")) if to is Status.SCHEDULED else {}
        lifecycle.move(runtime, track["tenant"], track["id"], to, at=at, how=how)
        return True

    def _next(self, doc: dict[str, Any], track: dict[str, Any]) -> tuple[float, Status] | None:
        """When the installer takes the order's next step, and to which status."""
        status = Status(doc["status"])
        if status is Status.DISPATCHING:
            at = lifecycle.epoch(doc["dispatchedAt"]) + self.timing.accept_after
            return at, Status.DECLINED if self._declines(doc, track) else Status.SCHEDULED
        if status is Status.SCHEDULED:
            return lifecycle.epoch(doc["scheduledStart"]), Status.IN_PROGRESS
        if status is Status.IN_PROGRESS:
            return lifecycle.epoch(doc["startedAt"]) + self.timing.work_duration, Status.COMPLETED
        return None  # created, declined (until dispatched again) and the final states wait

    def _declines(self, doc: dict[str, Any], track: dict[str, Any]) -> bool:
        text = f"{self.seed}/{track['tenant']}/{doc['displayId']}/{track['attempt']}"
        draw = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") / 2**64
        return draw < self.timing.decline_share


def simulator(runtime: ApiRuntime) -> Simulator:
    """The API's simulator, created (and hooked to the clock) on first use."""
    with lifecycle.lock(runtime):
        found = runtime.extensions.get("installer.simulator")
        if found is None:
            found = runtime.extensions["installer.simulator"] = Simulator(runtime)
    return found  # type: ignore[no-any-return]
