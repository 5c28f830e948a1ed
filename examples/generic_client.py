"""A spec-agnostic reference client: the paging styles and back-off rules of the four vendors.

The Robaws client (``robaws_client.py``) is the full example; this one is the small common core
the Robosize, salesdesk and Installer.com clients configure (see docs/testing-clients.md):

- ``PageNumbers``: page/size with a total page count (Robaws ``totalPages``).
- ``NextLinks``: follow an absolute ``next`` URL until null (DRF ``next``; Laravel
  ``next_page_url``, with ``page=1`` sent to switch paging on).
- ``Unpaged``: one plain JSON array.
- ``Backoff``: on a 429, wait ``Retry-After`` when given, else a fixed or doubling pause (Robaws:
  1 s; Installer.com: exponential), injectable ``sleep`` so tests never wait.
- An ``Idempotency-Key`` on every POST, reused on its retries.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Protocol

import httpx

Get = Callable[..., httpx.Response]


class Paging(Protocol):
    def pages(self, get: Get, path: str, params: dict[str, Any]) -> Iterator[list[Any]]: ...


@dataclass(frozen=True)
class PageNumbers:
    page_param: str = "page"
    size_param: str = "size"
    size: int = 100
    first: int = 0
    items: str = "items"
    total_pages: str = "totalPages"

    def pages(self, get: Get, path: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        page = self.first
        while True:
            body = get(path, params={**params, self.page_param: page, self.size_param: self.size})
            data = body.json()
            yield data[self.items]
            if page - self.first + 1 >= data[self.total_pages] or not data[self.items]:
                return
            page += 1


@dataclass(frozen=True)
class NextLinks:
    items: str = "results"
    next: str = "next"
    first_params: dict[str, Any] = field(default_factory=dict)  # Laravel: {"page": 1}

    def pages(self, get: Get, path: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        data = get(path, params={**params, **self.first_params}).json()
        yield data[self.items]
        seen: set[str] = set()
        while data[self.next]:
            link = data[self.next]  # absolute, and keeps every other parameter
            if link in seen:
                raise RuntimeError(f"paging loops back to {link}")
            seen.add(link)
            data = get(link).json()
            yield data[self.items]


@dataclass(frozen=True)
class Unpaged:
    """A plain JSON array of everything (Installer.com lists; salesdesk agents without ``page``)."""

    def pages(self, get: Get, path: str, params: dict[str, Any]) -> Iterator[list[Any]]:
        yield list(get(path, params=params).json())


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    factor: float = 1.0  # 2.0: exponential
    cap: float = 30.0
    attempts: int = 5

    def pause(self, attempt: int, response: httpx.Response) -> float:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return min(float(retry_after), self.cap)
        return min(self.first * self.factor ** (attempt - 1), self.cap)


class GenericClient:
    def __init__(
        self,
        base_url: str,
        *,
        paging: Paging,
        backoff: Backoff = Backoff(),
        auth: httpx.Auth | tuple[str, str] | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,  # e.g. Robosize's api_key
        idempotency_header: str | None = "Idempotency-Key",
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=auth,
            headers=headers,
            transport=transport,
            timeout=30,
        )
        # Not the client's ``params``: httpx would put them *instead of* the query of an absolute
        # next link, and DRF's links already carry them.
        self.params = params or {}
        self.paging = paging
        self.backoff = backoff
        self.idempotency_header = idempotency_header
        self.sleep = sleep

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        if not url.startswith(("http://", "https://")):
            kwargs["params"] = {**self.params, **kwargs.get("params", {})}
        for attempt in range(1, self.backoff.attempts + 1):
            response = self.http.request(method, url, **kwargs)
            if response.status_code != 429 or attempt == self.backoff.attempts:
                break
            self.sleep(self.backoff.pause(attempt, response))
        response.raise_for_status()
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def iter_items(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        for page in self.paging.pages(self.get, path, params or {}):
            yield from page

    def create(self, path: str, body: Any, idempotency_key: str | None = None) -> Any:
        headers = {}
        if self.idempotency_header:
            headers[self.idempotency_header] = idempotency_key or str(uuid.uuid4())
        return self.request("POST", path, json=body, headers=headers).json()
