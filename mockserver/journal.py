"""A bounded journal of recent requests and answers, for ``GET /__admin/requests`` and tests."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from mockserver.errors import ApiError

BODY_LIMIT = 4096  # characters of a body in a journal listing
FULL_BODY_LIMIT = 1 << 20  # ... and in one entry's detail (the dashboard shows it in full)
REDACTED_HEADERS = ("authorization", "cookie", "x-api-key")


@dataclass
class JournalEntry:
    id: int
    at: str
    api: str | None
    operation_id: str | None
    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes | str  # raw bytes until read: decoding costs nothing on the hot path
    status: int
    response_headers: dict[str, str]
    response_body: bytes | str
    duration_ms: float
    tenant: str | None = None
    violations: list[dict[str, str]] = field(default_factory=list)
    error: dict[str, Any] | None = None  # {status, message, code} when the mock refused it

    def to_json(self, body_limit: int = BODY_LIMIT) -> dict[str, Any]:
        data = asdict(self)
        data["request_body"] = clip(self.request_body, body_limit)
        data["response_body"] = clip(self.response_body, body_limit)
        data["request_headers"] = redact(self.request_headers)
        return data


def select(
    entries: list[JournalEntry],
    *,
    api: str | None = None,
    operation_id: str | None = None,
    method: str | None = None,
    path: str | None = None,
    status: int | None = None,
    limit: int | None = None,
    after: int | None = None,
    status_class: int | None = None,
    text: str | None = None,
) -> list[JournalEntry]:
    """The entries matching every filter given, in their order, the last ``limit`` of them;
    ``status_class`` is 2 for 2xx, ``text`` a case-insensitive substring of ``path?query``.
    Shared by the in-process and the store-backed journal."""
    needle = text.lower() if text else None
    found = [
        e
        for e in entries
        if (api is None or e.api == api)
        and (operation_id is None or e.operation_id == operation_id)
        and (method is None or e.method == method.upper())
        and (path is None or e.path == path)
        and (status is None or e.status == status)
        and (after is None or e.id > after)
        and (status_class is None or e.status // 100 == status_class)
        and (needle is None or needle in f"{e.path}?{e.query}".lower())
    ]
    return found[-limit:] if limit else found


def redact(headers: dict[str, str]) -> dict[str, str]:
    clean = {}
    for name, value in headers.items():
        if name.lower() in REDACTED_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} [redacted]".strip()
        clean[name] = value
    return clean


def clip(data: bytes | str, limit: int = BODY_LIMIT) -> str:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return text if len(text) <= limit else text[:limit] + "…"


def error_fields(
    error: ApiError | None, injected: bool = False
) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    """``JournalEntry.error`` and ``.violations`` for an entry the mock answered with ``error``."""
    if error is None:
        return None, []
    message = error.message
    if injected and "injected" not in message.lower():
        message += " (injected fault)"
    violations = [
        {"location": v.location, "field": v.field, "message": v.message} for v in error.violations
    ]
    return {"status": error.status, "message": message, "code": error.code}, violations


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._latest = 0

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def record(self, entry: JournalEntry) -> None:
        """Append ``entry``; an id of 0 is assigned here, under the lock, so ids grow along the
        journal and a poller asking for ``after=<latest>`` never misses a late-recorded entry."""
        with self._lock:
            if not entry.id:
                entry.id = next(self._ids)
            self._entries.append(entry)
            self._latest = max(self._latest, entry.id)

    @property
    def latest(self) -> int:
        """The highest id recorded so far (0 if none): survives ``clear`` so pollers keep going."""
        return self._latest

    def get(self, entry_id: int) -> JournalEntry | None:
        with self._lock:
            # Newest first: the dashboard mostly opens recent entries.
            return next((e for e in reversed(self._entries) if e.id == entry_id), None)

    def entries(
        self,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
        after: int | None = None,
        status_class: int | None = None,
        text: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every filter given, oldest first; ``status_class`` is 2 for 2xx,
        ``text`` a case-insensitive substring of ``path?query``."""
        with self._lock:
            kept = list(self._entries)
        return select(
            kept,
            api=api,
            operation_id=operation_id,
            method=method,
            path=path,
            status=status,
            limit=limit,
            after=after,
            status_class=status_class,
            text=text,
        )

    def amend(self, entry: JournalEntry) -> None:
        """Keep a change to ``entry`` (the conformance check's violations): nothing to do here,
        ``entries`` hands out the very objects it holds."""

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
