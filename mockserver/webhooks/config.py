"""The ``x-mock.webhooks`` block: how an API signs, shapes, registers and retries its deliveries.

```yaml
x-mock:
  webhooks:
    signing: robaws-signature          # robaws-signature | standard-webhooks
    payload: {id: event-id, event: type, data: data}   # member -> where its value comes from
    registration: {resource: webhook-endpoints, status-field: status, disabled: DISABLED}
    timeout: 2                         # seconds per attempt (connect + read)
    retry-schedule: [0, 5, 300, 1800, 7200, 18000, 36000, 36000]
    jitter: 0.1                        # each delay is stretched or shrunk by up to 10 %
    disable-after: 5                   # deliveries failed for good in a row: endpoint disabled
```
Payload sources: ``event-id``, ``type``, ``data``, ``timestamp`` (ISO-8601 of the event),
``unix-timestamp``, ``tenant``, and ``extra:<name>`` (a member the emitter put in ``Event.extra``);
``extra:organizationId|tenant`` takes the first that has a value.
``Settings.features["webhooks"]`` overrides timeout, schedule, jitter and disable-after for every
API (tests shorten them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver.spec import extensions

SIGNING_PROFILES = ["robaws-signature", "standard-webhooks"]
SOURCES = ["event-id", "type", "data", "timestamp", "unix-timestamp", "tenant"]
_ONE = "(" + "|".join(SOURCES) + "|extra:[A-Za-z0-9_.-]+)"
SOURCE_PATTERN = f"^{_ONE}(\\|{_ONE})*$"  # alternatives: "extra:organizationId|tenant"

# Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
STANDARD_SCHEDULE: tuple[float, ...] = (0, 5, 300, 1800, 7200, 18000, 36000, 36000)

_TUNING: dict[str, Any] = {
    "timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 60},
    "retry-schedule": {
        "type": "array",
        "minItems": 1,
        "maxItems": 50,
        "items": {"type": "number", "minimum": 0},
    },
    "jitter": {"type": "number", "minimum": 0, "maximum": 1},
    "disable-after": {"type": "integer", "minimum": 1},
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["signing", "payload"],
    "additionalProperties": False,
    "properties": {
        "signing": {"enum": SIGNING_PROFILES},
        "payload": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "string", "pattern": SOURCE_PATTERN},
        },
        "registration": {
            "type": "object",
            "required": ["resource"],
            "additionalProperties": False,
            "properties": {
                "resource": {"type": "string", "minLength": 1},
                "status-field": {"type": "string", "minLength": 1},
                "disabled": {"type": "string", "minLength": 1},
            },
        },
        **_TUNING,
        "x-mock-invented": {"type": "boolean"},
        "x-mock-invented-reason": {"type": "string"},
    },
}
extensions.FEATURE_SCHEMAS["webhooks"] = SCHEMA


@dataclass(frozen=True)
class Registration:
    """Endpoints registered through the vendor's own API: records of ``resource``."""

    resource: str
    status_field: str = "status"
    disabled: str = "DISABLED"


@dataclass(frozen=True)
class WebhookConfig:
    api: str
    signing: str
    payload: dict[str, str]
    registration: Registration | None
    timeout: float
    schedule: tuple[float, ...]
    jitter: float
    disable_after: int | None
    event_types: frozenset[str]  # the spec's top-level `webhooks` names; empty: any


def config_for(
    api: str, block: dict[str, Any] | None, document: dict[str, Any], overrides: dict[str, Any]
) -> WebhookConfig | None:
    """The API's webhook configuration, or None when its spec declares no ``x-mock.webhooks``."""
    if not block:
        return None
    merged = {**block, **{k: v for k, v in overrides.items() if k in _TUNING}}
    reg = merged.get("registration")
    return WebhookConfig(
        api=api,
        signing=merged["signing"],
        payload=dict(merged["payload"]),
        registration=Registration(
            reg["resource"], reg.get("status-field", "status"), reg.get("disabled", "DISABLED")
        )
        if reg
        else None,
        timeout=float(merged.get("timeout", 2.0)),
        schedule=tuple(float(s) for s in merged.get("retry-schedule", STANDARD_SCHEDULE)),
        jitter=float(merged.get("jitter", 0.1)),
        disable_after=merged.get("disable-after"),
        event_types=frozenset((document.get("webhooks") or {}).keys()),
    )
