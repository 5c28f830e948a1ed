"""Schema-driven seed records: Faker values chosen by ``x-mock-faker`` hints, formats and types.

Deterministic: the same seed, API, tenant and resource give the same records on every machine,
because each collection gets its own ``random.Random`` and ``Faker`` seeded from those four.
"""

from __future__ import annotations

import hashlib
import random
import string
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from faker import Faker

from mockserver.errors import SeedError
from mockserver.spec.refs import resolve


def stable_seed(*parts: object) -> int:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class ValueGenerator:
    def __init__(
        self,
        document: dict[str, Any],
        locale: str,
        seed: int,
        now: datetime,
        ids_of: Any = None,
    ) -> None:
        self.document = document
        self.ids_of = ids_of  # resource name -> ids already seeded (for {ref: <resource>} hints)
        self.rng = random.Random(seed)
        self.faker = Faker(locale)
        self.faker.seed_instance(seed)
        self.now = now

    # entry point --------------------------------------------------------------------------

    def value(self, schema: Any, where: str, depth: int = 0) -> Any:
        schema = resolve(self.document, schema)
        if not isinstance(schema, dict):
            return None
        hint = schema.get("x-mock-faker")
        if hint is not None:
            hinted = self._hinted(hint, where)
            limit = schema.get("maxLength")
            return hinted[:limit] if isinstance(hinted, str) and limit else hinted
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        for key in ("oneOf", "anyOf"):
            if schema.get(key):
                return self.value(self.rng.choice(schema[key]), where, depth)
        if schema.get("allOf"):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self.value(part, where, depth) or {})
            return merged
        kinds = schema.get("type", "object")
        kinds = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k != "null"] or [
            "null"
        ]
        kind = kinds[0]
        if kind == "object":
            return self.object(schema, where, depth)
        if kind == "array":
            return self._array(schema, where, depth)
        if "example" in schema and kind == "string" and schema.get("pattern"):
            return schema["example"]
        return self._scalar(kind, schema, where)

    def object(
        self, schema: dict[str, Any], where: str, depth: int, skip: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        schema = resolve(self.document, schema)
        required = set(schema.get("required", []))
        result: dict[str, Any] = {}
        for name, prop in (schema.get("properties") or {}).items():
            prop = resolve(self.document, prop)
            if name in skip or not isinstance(prop, dict):
                continue
            if depth > 0 and prop.get("readOnly"):
                continue  # nested read-only values are expansions the server adds when rendering
            if name not in required and depth > 2:
                continue
            if name not in required and "x-mock-faker" not in prop and self.rng.random() < 0.2:
                continue
            result[name] = self.value(prop, f"{where}.{name}", depth + 1)
        return result

    # helpers ------------------------------------------------------------------------------

    def _array(self, schema: dict[str, Any], where: str, depth: int) -> list[Any]:
        low = schema.get("minItems", 0 if depth > 1 else 1)
        high = max(low, min(schema.get("maxItems", 3), 3))
        items = [
            self.value(schema.get("items", {}), f"{where}[]", depth + 1)
            for _ in range(self.rng.randint(low, high))
        ]
        if schema.get("uniqueItems"):
            unique: list[Any] = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = unique
        return items

    def _hinted(self, hint: Any, where: str) -> Any:
        if isinstance(hint, str):
            return self._call(hint, {}, where)
        if isinstance(hint, dict) and len(hint) == 1:
            ((name, args),) = hint.items()
            if name == "choice":
                return self.rng.choice(args)
            if name == "fixed":
                return args
            if name == "days-ago":  # a date between N and M days before the seed epoch
                low, high = args
                return (self.now - timedelta(days=self.rng.randint(low, high))).date().isoformat()
            if name == "ref":
                ids = self.ids_of(args) if self.ids_of else []
                if not ids:
                    raise SeedError(f"{where}: ref to '{args}', which has no seeded records yet")
                return self.rng.choice(ids)
            return self._call(name, args if isinstance(args, dict) else {}, where)
        raise SeedError(f"{where}: x-mock-faker must be a provider name or a one-key mapping")

    def _call(self, provider: str, kwargs: dict[str, Any], where: str) -> Any:
        try:
            value = getattr(self.faker, provider)(**kwargs)
        except AttributeError:
            raise SeedError(f"{where}: Faker has no provider '{provider}'") from None
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        if hasattr(value, "__float__") and not isinstance(value, int | float | bool):
            return float(value)  # Decimal from pydecimal
        return value

    def _scalar(self, kind: str, schema: dict[str, Any], where: str) -> Any:
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
            high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1000))
            if kind == "integer":
                return self.rng.randint(int(low), int(high))
            return round(self.rng.uniform(float(low), float(high)), 2)
        if kind == "null":
            return None
        return self._string(schema, where)

    def _string(self, schema: dict[str, Any], where: str) -> str:
        fmt = schema.get("format")
        by_format = {
            "email": self.faker.email,
            "uri": lambda: self.faker.url(),
            "url": lambda: self.faker.url(),
            "uuid": lambda: str(self.faker.uuid4()),
            "date": lambda: (
                self.now.date() - timedelta(days=self.rng.randint(0, 720))
            ).isoformat(),
            "date-time": lambda: (
                (self.now - timedelta(seconds=self.rng.randint(0, 30_000_000)))
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z")
            ),
            "ipv4": self.faker.ipv4,
        }
        if fmt in by_format:
            return str(by_format[fmt]())
        if schema.get("pattern"):
            if "example" in schema:
                return str(schema["example"])
            raise SeedError(
                f"{where}: a patterned string needs an x-mock-faker hint or an example to seed it"
            )
        low = schema.get("minLength", 1)
        high = min(schema.get("maxLength", 40), 40)
        text = self.faker.sentence(nb_words=3).rstrip(".") if high >= 10 else ""
        if len(text) < low or len(text) > high:
            text = "".join(self.rng.choices(string.ascii_letters, k=max(low, min(high, 8))))
        return text
