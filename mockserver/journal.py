"""A bounded journal of recent requests and answers, for ``GET /__admin/requests`` and tests."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any

BODY_LIMIT = 4096
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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["request_body"] = clip(self.request_body)
        data["response_body"] = clip(self.response_body)
        data["request_headers"] = redact(self.request_headers)
        return data


def redact(headers: dict[str, str]) -> dict[str, str]:
    clean = {}
    for name, value in headers.items():
        if name.lower() in REDACTED_HEADERS:
            scheme = value.split(" ", 1)[0] if " " in value else ""
            value = f"{scheme} [redacted]".strip()
        clean[name] = value
    return clean


def clip(data: bytes | str) -> str:
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    return text if len(text) <= BODY_LIMIT else text[:BODY_LIMIT] + "…"


class Journal:
    def __init__(self, capacity: int = 1000) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(
        self,
        *,
        api: str | None = None,
        operation_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> list[JournalEntry]:
        with self._lock:
            found = [
                e
                for e in self._entries
                if (api is None or e.api == api)
                and (operation_id is None or e.operation_id == operation_id)
                and (method is None or e.method == method.upper())
                and (path is None or e.path == path)
                and (status is None or e.status == status)
            ]
        return found[-limit:] if limit else found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
