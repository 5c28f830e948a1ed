"""A webhook receiver for tests: a tiny WSGI server on a free loopback port, in a thread.

It collects every delivery, verifies its signature (Standard Webhooks with the
``standardwebhooks`` package; ``Robaws-Signature`` with an HMAC written here from Robaws' own
description, independent of the mock's signer), and answers what the test scripts, so retries can
be exercised: ``receiver.script(500, 500)`` answers 500 twice, then 200 again.

``webhook_receiver`` is a plain generator function; the pytest plugin (or a conftest) turns it
into a fixture with ``pytest.fixture(webhook_receiver)``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler
from wsgiref.simple_server import WSGIServer
from wsgiref.simple_server import make_server

import httpx
from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

TOLERANCE = 300  # seconds a signature timestamp may differ from now (Standard Webhooks: 5 min)
Answer = int | tuple[int, float]  # a status, or (status, seconds to wait before answering)


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # time.perf_counter()
    answered: int
    verified: bool = False
    problem: str | None = None  # why the signature did not verify

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def event_id(self) -> str | None:
        """The id that stays the same on every attempt: ``webhook-id`` or the body's ``id``."""
        if "webhook-id" in self.headers:
            return self.headers["webhook-id"]
        body = self.json
        return body.get("id") if isinstance(body, dict) else None


def verify_robaws(secret: str, header: str, body: bytes, tolerance: float = TOLERANCE) -> None:
    """Robaws' documented check: split on ',', then '='; HMAC-SHA256 of "t.body", hex, compare."""
    parts: dict[str, list[str]] = {}
    for element in header.split(","):
        prefix, _, value = element.strip().partition("=")
        parts.setdefault(prefix, []).append(value)
    if not parts.get("t") or not parts.get("v1"):
        raise WebhookVerificationError("Robaws-Signature lacks t or v1")
    stamp = parts["t"][0]
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > tolerance:
        raise WebhookVerificationError("Robaws-Signature timestamp outside the tolerance")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, given) for given in parts["v1"]):
        raise WebhookVerificationError("no Robaws-Signature v1 matches")


def verify(secret: str, headers: dict[str, str], body: bytes) -> None:
    """Raise ``WebhookVerificationError`` unless the delivery is signed with ``secret``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "robaws-signature" in lowered:
        verify_robaws(secret, lowered["robaws-signature"], body)
    elif "webhook-signature" in lowered:
        Webhook(secret).verify(body, lowered, json_parse=False)
    else:
        raise WebhookVerificationError("no signature header")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return None


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class _Script:
    answers: list[Answer] = field(default_factory=list)
    default: int = 200


class WebhookReceiver:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, path: str = "/webhooks") -> None:
        self.host = host
        self.port = port
        self.path = path
        self.secrets: list[str] = []
        self._deliveries: list[Delivery] = []
        self._script = _Script()
        self._changed = threading.Condition()
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}{self.path}"

    def start(self) -> WebhookReceiver:
        """Listen (again): on a free port the first time, on the same port after ``stop``."""
        if self._server is not None:
            return self
        server = make_server(
            self.host, self.port, self._app, _ThreadingServer, handler_class=_QuietHandler
        )
        self.port = server.server_port
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: deliveries now fail with connection refused."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # what the test controls ----------------------------------------------------------------------

    def script(self, *answers: Answer, default: int = 200) -> None:
        """Answer these statuses in turn (``(status, delay)`` waits first), then ``default``."""
        with self._changed:
            self._script = _Script(list(answers), default)

    def trust(self, secret: str) -> None:
        """Verify deliveries with this secret too (e.g. one returned by Robaws' registration)."""
        self.secrets.append(secret)

    def subscribe(
        self,
        mock_url: str,
        api: str,
        events: Iterable[str],
        tenant: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Subscribe this receiver through the admin API and trust the secret it returns."""
        body = {"api": api, "url": self.url, "events": list(events), **extra}
        if tenant is not None:
            body["tenant"] = tenant
        answer = httpx.post(f"{mock_url}/__admin/webhook-subscriptions", json=body, timeout=5)
        answer.raise_for_status()
        created: dict[str, Any] = answer.json()
        self.trust(created["secret"])
        return created

    def clear(self) -> None:
        with self._changed:
            self._deliveries.clear()

    # what the test reads -------------------------------------------------------------------------

    @property
    def deliveries(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Delivery]:
        """Block until ``count`` deliveries arrived; AssertionError after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self._deliveries) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"expected {count} webhook deliveries within {timeout} s, "
                        f"got {len(self._deliveries)}"
                    )
                self._changed.wait(left)
            return list(self._deliveries)

    def assert_all_verified(self) -> None:
        bad = [(d.event_id, d.problem) for d in self.deliveries if not d.verified]
        assert not bad, f"deliveries with a bad signature: {bad}"

    # the WSGI app --------------------------------------------------------------------------------

    def _verify(self, headers: dict[str, str], body: bytes) -> tuple[bool, str | None]:
        if not self.secrets:
            return False, "no secret to verify with (call subscribe or trust)"
        problem = None
        for secret in self.secrets:
            try:
                verify(secret, headers, body)
                return True, None
            except (WebhookVerificationError, ValueError) as exc:
                problem = str(exc)
        return False, problem

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        with self._changed:
            answer = self._script.answers.pop(0) if self._script.answers else self._script.default
        status, delay = answer if isinstance(answer, tuple) else (answer, 0.0)
        if delay:
            time.sleep(delay)
        verified, problem = self._verify(headers, body)
        delivery = Delivery(
            environ.get("PATH_INFO", ""),
            headers,
            body,
            time.perf_counter(),
            status,
            verified,
            problem,
        )
        with self._changed:
            self._deliveries.append(delivery)
            self._changed.notify_all()
        start_response(f"{status} Status", [("Content-Type", "text/plain")])
        return [b""]


def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A started receiver, stopped after the test (wrap with ``pytest.fixture``)."""
    receiver = WebhookReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
