"""A small, idiomatic Robaws API v2 client (httpx): the reference the contract suites run.

What Robaws advises, and what this client does:

- Paging: ``page`` (0-based) and ``size`` (max 100); read ``totalPages`` and go on until the last
  page (``iter_pages``).
- Rate limits: pause a second when ``X-RateLimit-Remaining`` nears 0; on a 429 (empty body, no
  ``Retry-After``) pause a second and retry [R-RATE]. ``sleep`` is injectable: tests never sleep.
- Idempotency: every create sends an ``Idempotency-Key`` and a retry reuses it [R-IDEM], so a
  POST whose answer was lost (timeout, reset connection) is retried without creating twice.
- Webhooks: ``verify_signature`` checks ``Robaws-Signature: t=<unix>,v1=<hex HMAC-SHA256>``.

``bugs`` plants known mistakes (``Bug``) so the suites can show they catch each of them.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import httpx

MAX_PAGE_SIZE = 100
LOW_WATER = 1  # pause when this few tokens are left in the bucket
RETRY_PAUSE = 1.0  # seconds, as Robaws advises after a 429
SIGNATURE_TOLERANCE = 300  # seconds; Robaws states none, a known client uses 5 minutes


class Bug(enum.Enum):
    STOPS_PAGING_EARLY = "stops paging one page early"
    RETRIES_WITHOUT_IDEMPOTENCY_KEY = "retries a create without its idempotency key"
    IGNORES_429 = "ignores 429"


class RobawsError(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self.status = response.status_code
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = response.text
        super().__init__(
            f"{response.request.method} {response.request.url} -> {self.status} {message}"
        )


class RobawsClient:
    def __init__(
        self,
        base_url: str,
        key: str,
        secret: str,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 5,
        bugs: frozenset[Bug] = frozenset(),
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"), auth=(key, secret), transport=transport, timeout=30
        )
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.bugs = bugs

    def close(self) -> None:
        self.http.close()

    # transport --------------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One call, retried after a 429 (never processed) and, when it is safe to send twice (a
        GET, or a write with an Idempotency-Key), after a lost answer; retries keep the key."""
        safe = method == "GET" or "Idempotency-Key" in kwargs.get("headers", {})
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = self.http.request(method, path, **kwargs)
            except httpx.TransportError:  # the answer was lost: the request may have been done
                if not safe or attempt == self.max_attempts:
                    raise
                self._before_retry(kwargs)
                continue
            self._respect_remaining(response)
            if response.status_code != 429 or Bug.IGNORES_429 in self.bugs:
                break
            if attempt == self.max_attempts:
                break
            self._before_retry(kwargs)
        if response.is_error:
            raise RobawsError(response)
        return response

    def _before_retry(self, kwargs: dict[str, Any]) -> None:
        self.sleep(RETRY_PAUSE)  # Robaws: "it's safe to pause for a second and retry"
        if Bug.RETRIES_WITHOUT_IDEMPOTENCY_KEY in self.bugs:
            kwargs["headers"] = {
                k: v for k, v in kwargs.get("headers", {}).items() if k != "Idempotency-Key"
            }

    def _respect_remaining(self, response: httpx.Response) -> None:
        remaining = response.headers.get("X-RateLimit-Remaining")
        if remaining is None or response.status_code == 429:
            return
        try:
            left = int(remaining)
        except ValueError:
            return
        if 0 <= left <= LOW_WATER:  # -1 means the limiter is down: nothing to wait for
            self.sleep(RETRY_PAUSE)

    # reads ------------------------------------------------------------------------------------

    def iter_pages(
        self, path: str, params: dict[str, Any] | None = None, *, size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged search, page after page until ``totalPages``."""
        page = 0
        while True:
            body = self.request("GET", path, params={**(params or {}), "page": page, "size": size})
            data = body.json()
            yield from data["items"]
            last = data["totalPages"] - 1
            if Bug.STOPS_PAGING_EARLY in self.bugs:
                last -= 1
            if page >= last or not data["items"]:
                return
            page += 1

    def list_clients(self, **filters: Any) -> list[dict[str, Any]]:
        return list(self.iter_pages("/api/v2/clients", filters))

    def get_client(self, client_id: str) -> dict[str, Any]:
        return dict(self.request("GET", f"/api/v2/clients/{client_id}").json())

    # writes -----------------------------------------------------------------------------------

    def create(self, path: str, body: dict[str, Any], idempotency_key: str | None = None) -> Any:
        key = idempotency_key or str(uuid.uuid4())
        return self.request("POST", path, json=body, headers={"Idempotency-Key": key}).json()

    def create_client(self, body: dict[str, Any], idempotency_key: str | None = None) -> Any:
        return self.create("/api/v2/clients", body, idempotency_key)

    def register_webhook(self, url: str, events: list[str]) -> dict[str, Any]:
        """Subscribe ``url``; keep the returned ``secret`` to verify deliveries [R-WH]."""
        return dict(self.create("/api/v2/webhook-endpoints", {"url": url, "events": events}))

    def patch_client(self, client_id: str, changes: dict[str, Any]) -> Any:
        headers = {"Content-Type": "application/merge-patch+json"}
        path = f"/api/v2/clients/{client_id}"
        return self.request(
            "PATCH", path, content=json.dumps(changes).encode(), headers=headers
        ).json()


def verify_signature(
    header: str,
    body: bytes,
    secret: str,
    *,
    now: float | None = None,
    tolerance: float = SIGNATURE_TOLERANCE,
) -> bool:
    """Robaws-Signature: split on ',' then '='; HMAC-SHA256 of ``t + "." + body``, constant-time."""
    parts: dict[str, list[str]] = {}
    for element in header.split(","):
        name, _, value = element.strip().partition("=")
        parts.setdefault(name, []).append(value)
    try:
        timestamp = int(parts["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    signed = str(timestamp).encode() + b"." + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
