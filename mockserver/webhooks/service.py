"""``WebhookService``: the engine's webhook feature, from domain event to journaled attempt.

``on_event`` (an ``EventBus`` listener, run before the triggering response leaves) shapes the
vendor's payload once, writes one outbox message per matching endpoint and wakes the worker.
``deliver`` makes one attempt: sign, POST with the API's timeout, journal it, then settle or
reschedule it on the retry schedule (judged by the mock clock). The same event id and the same
body bytes go out on every attempt; only the signature timestamp changes.
"""

from __future__ import annotations

import contextvars
import fnmatch
import logging
import random
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import UTC
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

# httpx imports httpcore on first use and caches its exception map from that first module
# object. If that happened inside a run that later drops new modules from sys.modules (pytest's
# pytester does), a re-imported httpcore raises exceptions httpx no longer maps: a refused
# connection escaped as a raw httpcore.ConnectError. Importing httpcore here pins it.
import httpcore  # noqa: F401
import httpx

from mockserver.events import Event
from mockserver.webhooks.checks import PayloadCheck
from mockserver.webhooks.config import WebhookConfig
from mockserver.webhooks.config import config_for
from mockserver.webhooks.journal import DeliveryJournal
from mockserver.webhooks.outbox import Outbox
from mockserver.webhooks.payload import encode
from mockserver.webhooks.payload import shape
from mockserver.webhooks.registry import Endpoint
from mockserver.webhooks.registry import Registry
from mockserver.webhooks.signing import SIGNERS
from mockserver.webhooks.worker import DeliveryWorker

if TYPE_CHECKING:
    from mockserver.engine import MockEngine

log = logging.getLogger(__name__)

USER_AGENT = "mockserver-webhooks/0.1"
# Where deliveries may go unless Settings.features["webhooks"]["allow-hosts"] says otherwise:
# loopback only, so a contract test that registers generated URLs never calls the internet.
LOOPBACK = ("127.0.0.1", "localhost", "::1", "*.localhost", "127.*")
ERROR_TEXT = 300  # characters of an error kept in the journal
PAYLOAD_TEXT = 4096  # characters of the signed body kept in the journal (as the request journal)

# Messages written while handling one emit, for the admin API to report (set per request).
collected: contextvars.ContextVar[list[dict[str, Any]] | None] = contextvars.ContextVar(
    "webhook_messages", default=None
)


def iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def host_allowed(url: str, patterns: Iterable[str]) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(fnmatch.fnmatch(host, pattern) for pattern in patterns)


class WebhookService:
    def __init__(self, engine: MockEngine) -> None:
        self.engine = engine
        overrides = engine.settings.features.get("webhooks", {})
        self.configs: dict[str, WebhookConfig] = {}
        for name, runtime in engine.runtimes.items():
            config = config_for(
                name, runtime.spec.config.features.get("webhooks"), runtime.spec.document, overrides
            )
            if config is not None:
                self.configs[name] = config
        self.allow_hosts = tuple(overrides.get("allow-hosts", LOOPBACK))
        self.checks = {
            name: PayloadCheck(engine.runtimes[name].spec.document, engine.runtimes[name].views)
            for name in self.configs
            if engine.settings.validate_responses
        }
        self.registry = Registry(engine, self.configs)
        self.outbox = Outbox(engine.store, engine.clock.now)
        self.journal = DeliveryJournal(engine.store, engine.clock.now)
        self._random = random.Random(engine.settings.seed)
        self._random_lock = threading.Lock()
        self._generation = 0  # bumped by reset: attempts in flight then write nothing back
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()
        self.worker = DeliveryWorker(self._due, self.deliver, self._seconds_to_next, self._pending)
        if self.configs:
            engine.events.subscribe(self.on_event)
            engine.clock.on_change(self.worker.poke)
            engine.reset_hooks.append(self.reset)
            if self.outbox.next_due_at() is not None:  # a durable store kept pending deliveries
                self.worker.start()

    # intake --------------------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        try:
            self._write_outbox(event)
        except Exception as exc:  # a bug here must not turn a committed write into a 500
            log.exception("webhooks: cannot write the outbox for %s", event.type)
            self.engine.internal_errors.append(f"webhooks: outbox write for {event.type}: {exc!r}")

    def _write_outbox(self, event: Event) -> None:
        config = self.configs.get(event.api)
        if config is None:
            return
        endpoints = self.registry.matching(event.api, event.tenant, event.type)
        if not endpoints:
            return
        event_id = str(uuid.uuid4())
        payload = shape(config.payload, event, event_id)
        check = self.checks.get(event.api)
        if check is not None:
            self.engine.internal_errors.extend(check.problems(event.type, payload))
        body = encode(payload).decode()
        now = self.engine.clock.now()
        due_at = now + self._delay(config, 0)
        sink = collected.get()
        for endpoint in endpoints:
            message = {
                "id": f"{event_id}:{endpoint.id}",
                "eventId": event_id,
                "event": event.type,
                "api": event.api,
                "tenant": event.tenant,
                "endpointId": endpoint.id,
                "body": body,
                "createdAt": now,
                "manual": False,
            }
            self.outbox.add(message, due_at)
            if sink is not None:
                sink.append(message)
        self.worker.start()
        self.worker.poke()

    def redeliver(self, message_id: str) -> dict[str, Any] | None:
        """One more attempt of a message, now, whatever its state; no automatic retries after."""
        if self.outbox.message(message_id) is None:
            return None
        self.outbox.update(message_id, state="pending", manual=True)
        self.outbox.schedule(message_id, self.engine.clock.now())
        self.worker.start()
        self.worker.poke()
        return self.outbox.message(message_id)

    # the worker's side ---------------------------------------------------------------------------

    def _due(self) -> list[tuple[str, str]]:
        self.engine.clock.sync()  # another worker process may have moved the shared clock
        found = []
        for message_id in self.outbox.due(self.engine.clock.now()):
            endpoint_id = message_id.split(":", 1)[1] if ":" in message_id else ""
            found.append((message_id, endpoint_id))
        return found

    def _pending(self) -> bool:
        return self.outbox.next_due_at() is not None

    def _seconds_to_next(self) -> float | None:
        next_at = self.outbox.next_due_at()
        if next_at is None or self.engine.clock.frozen:
            return None
        return next_at - self.engine.clock.now()

    def _delay(self, config: WebhookConfig, attempt: int) -> float:
        base = config.schedule[attempt]
        with self._random_lock:
            spread = self._random.uniform(-config.jitter, config.jitter)
        return base * (1 + spread)

    def _http(self) -> httpx.Client:
        with self._client_lock:
            if self._client is None:
                # trust_env=False: a proxy set in the environment must not see loopback deliveries
                self._client = httpx.Client(trust_env=False, follow_redirects=False)
            return self._client

    def deliver(self, message_id: str) -> None:
        generation = self._generation
        if not self.outbox.claim(message_id):
            return
        message = self.outbox.message(message_id)
        if message is None:
            self.outbox.settle(message_id)
            return
        endpoint = self.registry.get(message["endpointId"], message["api"], message["tenant"])
        if endpoint is None or not (endpoint.active or message.get("manual")):
            reason = "endpoint deleted" if endpoint is None else "endpoint disabled"
            self.outbox.settle(message_id)
            self.outbox.update(message_id, state="failed", lastError=reason)
            return
        if not host_allowed(endpoint.url, self.allow_hosts):
            error = f"host not allowed: {urlsplit(endpoint.url).hostname} (see allow-hosts)"
            self._settle(message, endpoint, None, error, 0.0, final=True)
            return
        signature: dict[str, str] = {}
        try:
            status, error, latency = self._post(
                self.configs[message["api"]], endpoint, message, signature
            )
        except Exception as exc:  # a bug of ours, not the receiver's: journal it and retry later
            self.engine.internal_errors.append(f"webhook delivery {message_id}: {exc!r}")
            status, error, latency = None, f"internal error: {exc!r}"[:ERROR_TEXT], 0.0
        if generation != self._generation:
            return  # the mock was reset meanwhile: this attempt belongs to the old state
        self._settle(message, endpoint, status, error, latency, signature=signature)

    def _post(
        self,
        config: WebhookConfig,
        endpoint: Endpoint,
        message: dict[str, Any],
        signature: dict[str, str],
    ) -> tuple[int | None, str | None, float]:
        """One POST; ``signature`` is filled with the signing headers sent, for the journal."""
        body = message["body"].encode()
        signature.update(
            SIGNERS[config.signing].headers(
                endpoint.secret, message["eventId"], body, int(time.time())
            )
        )
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, **signature}
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            answer = self._http().post(
                endpoint.url, content=body, headers=headers, timeout=config.timeout
            )
            status = answer.status_code
        except httpx.TimeoutException:
            error = f"timeout after {config.timeout:g} s"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:ERROR_TEXT]
        return status, error, (time.perf_counter() - started) * 1000

    def _settle(
        self,
        message: dict[str, Any],
        endpoint: Endpoint,
        status: int | None,
        error: str | None,
        latency_ms: float,
        final: bool = False,
        signature: dict[str, str] | None = None,
    ) -> None:
        config = self.configs[message["api"]]
        ok = status is not None and 200 <= status < 300
        attempts = int(message.get("attempts", 0)) + 1
        next_at: float | None = None
        if ok:
            outcome = "delivered"
            self.registry.record_result(endpoint, ok=True)
        elif status == 410:  # Gone: the receiver asks not to be called again
            outcome = "endpoint-disabled"
            self.registry.disable(endpoint)
        elif not (final or message.get("manual")) and attempts < len(config.schedule):
            outcome = "retrying"
            next_at = self.engine.clock.now() + self._delay(config, attempts)
        else:
            # a delivery failed for good; after `disable-after` of them in a row the endpoint
            # is disabled (a receiver down for a while loses nothing while retries last)
            outcome = "failed"
            failures = self.registry.record_result(endpoint, ok=False)
            limit = endpoint.disable_after or config.disable_after
            if limit is not None and failures >= limit:
                outcome = "endpoint-disabled"
                self.registry.disable(endpoint)
        if error is None and not ok:
            error = f"HTTP {status}"
        self.journal.record(
            self.outbox.next_seq("attempt"),
            {
                "at": iso(self.engine.clock.now()),
                "api": message["api"],
                "tenant": message["tenant"],
                "event": message["event"],
                "eventId": message["eventId"],
                "messageId": message["id"],
                "endpointId": endpoint.id,
                "url": endpoint.url,
                "attempt": attempts,
                "status": status,
                "ok": ok,
                "latencyMs": round(latency_ms, 2),
                "error": error,
                "outcome": outcome,
                "nextAttemptAt": iso(next_at),
                "signature": signature or {},
                "payload": message["body"][:PAYLOAD_TEXT],
            },
        )
        state = {"delivered": "delivered", "retrying": "pending"}.get(outcome, "failed")
        self.outbox.update(
            message["id"], attempts=attempts, state=state, lastStatus=status, lastError=error
        )
        if next_at is not None:
            self.outbox.schedule(message["id"], next_at)
        else:
            self.outbox.settle(message["id"])

    # admin and lifecycle -------------------------------------------------------------------------

    def reset(self, apis: list[str] | None) -> None:
        self._generation += 1
        self.registry.clear(apis)
        self.outbox.clear(apis)
        self.journal.clear(apis)

    def close(self) -> None:
        self.worker.stop()
        with self._client_lock:
            if self._client is not None:
                self._client.close()
                self._client = None
