"""Id and timestamp formats, per API.

Records keep their timestamps in one canonical form (ISO-8601 UTC with milliseconds), so filters
and sorts compare them correctly whatever the vendor prints; ``render_timestamp`` turns the
canonical form into the vendor's format on the way out.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC
from datetime import datetime
from typing import Any

from mockserver.state.store import Store


def canonical(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_timestamp(value: str) -> datetime | None:
    """Read an ISO-8601 date-time (``Z`` or offset) or a plain date; None if it is neither."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def render_timestamp(value: Any, style: str) -> Any:
    """The canonical timestamp ``value`` in an API's format (unchanged if it is not one)."""
    if not isinstance(value, str) or style == "iso8601-ms":
        return value  # records keep this form already (``canonical``)
    moment = parse_timestamp(value)
    if moment is None:
        return value
    if style == "iso8601-ms":
        return canonical(moment)
    if style == "iso8601":
        return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if style == "laravel":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if style == "human":  # Robosize: "Thursday, Jan 01 1970 00:00:00 AM"
        # 24-hour clock with an AM/PM suffix, exactly as the vendor example shows
        return moment.astimezone(UTC).strftime("%A, %b %d %Y %H:%M:%S %p")
    raise ValueError(f"unknown timestamp format {style!r}")


def new_id(store: Store, api: str, resource: str, style: str, start: int) -> str | int:
    if style == "uuid":
        return str(uuid.uuid4())
    number = store.next_id(api, resource, start)
    return str(number) if style == "sequence-string" else number


def generate_value(kind: str) -> str:
    """Server-generated property values (``x-mock.resources.<r>.generated``)."""
    if kind == "uuid":
        return str(uuid.uuid4())
    if kind == "hex32":
        return secrets.token_hex(16)
    if kind == "token":
        return secrets.token_urlsafe(32)
    raise ValueError(f"unknown generator {kind!r}")
