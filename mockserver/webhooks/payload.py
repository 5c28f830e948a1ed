"""Payload shaping: the JSON body a vendor sends for an event, from ``x-mock.webhooks.payload``.

Robaws sends ``{id, event, data}``; Installer.com ``{event, timestamp, organizationId, data}``.
Each member names where its value comes from, so a new vendor shape is YAML only; ``a|b`` takes
the first source that has a value (a member with none is left out).
"""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from typing import Any

from mockserver.events import Event


def _iso(seconds: float) -> str:
    return (
        datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def shape(members: dict[str, str], event: Event, event_id: str) -> dict[str, Any]:
    sources: dict[str, Any] = {
        "event-id": event_id,
        "type": event.type,
        "data": event.data,
        "timestamp": _iso(event.occurred_at),
        "unix-timestamp": int(event.occurred_at),
        "tenant": event.tenant,
    }
    body: dict[str, Any] = {}
    for member, spec in members.items():
        for source in spec.split("|"):  # "extra:organizationId|tenant": the first one present
            if source.startswith("extra:"):
                name = source.removeprefix("extra:")
                if name in event.extra:
                    body[member] = event.extra[name]
                    break
            elif sources[source] is not None:
                body[member] = sources[source]
                break
    return body


def encode(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, UTF-8, identical on every attempt."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
