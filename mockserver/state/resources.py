"""Generic resource semantics over a store: ids, timestamps, server-owned fields, relations.

Everything here is driven by ``x-mock.resources`` and the resource schemas; no resource has code
of its own. Writes are validated before they are stored, so a rejected write changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockserver import errors
from mockserver.clock import Clock
from mockserver.errors import Violation
from mockserver.profiles import formats
from mockserver.spec.model import ApiSpec
from mockserver.spec.model import Relation
from mockserver.spec.model import Resource
from mockserver.spec.refs import lookup
from mockserver.spec.refs import resolve
from mockserver.state.query import Collection
from mockserver.state.query import Condition
from mockserver.state.query import Page
from mockserver.state.query import Query
from mockserver.state.store import Store
from mockserver.validation.schemas import SchemaViews
from mockserver.validation.schemas import violations_of

IncludeTree = dict[str, "IncludeTree"]


def parse_includes(value: str | list[str] | None) -> IncludeTree:
    """``"employer,employer.contacts,x"`` -> ``{employer: {contacts: {}}, x: {}}``."""
    tree: IncludeTree = {}
    items = value if isinstance(value, list) else (value or "").split(",")
    for item in items:
        node = tree
        for part in (p for p in item.strip().split(".") if p):
            node = node.setdefault(part, {})
    return tree


def write_only_fields(spec: ApiSpec, resource: Resource) -> list[str]:
    """Top-level ``writeOnly`` properties: stored (they may drive behaviour), never returned."""
    schema = resolve(spec.document, lookup(spec.document, resource.schema_pointer))
    return [
        name
        for name, prop in (schema.get("properties") or {}).items()
        if isinstance(prop, dict) and resolve(spec.document, prop).get("writeOnly")
    ]


@dataclass(frozen=True)
class Change:
    """What a write did: the record before and after (None when created or deleted)."""

    resource: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class Resources:
    def __init__(self, spec: ApiSpec, store: Store, clock: Clock, views: SchemaViews) -> None:
        self.spec = spec
        self.store = store
        self.clock = clock
        self._timestamp_format = spec.config.timestamps.get("format", "iso8601-ms")
        self._validators = {
            name: views.request_validator(r.schema_pointer) for name, r in spec.resources.items()
        }
        self._server_owned = {name: self._owned_fields(r) for name, r in spec.resources.items()}
        self._hidden_embedded = {
            name: [rel.name for rel in r.relations.values() if rel.embedded]
            for name, r in spec.resources.items()
        }
        # writeOnly properties are stored (they may drive behaviour) but never returned
        self._write_only = {name: write_only_fields(spec, r) for name, r in spec.resources.items()}

    # lookups ---------------------------------------------------------------------------------

    def definition(self, name: str) -> Resource:
        return self.spec.resources[name]

    def properties(self, name: str) -> dict[str, Any]:
        schema = resolve(
            self.spec.document, lookup(self.spec.document, self.definition(name).schema_pointer)
        )
        props: dict[str, Any] = schema.get("properties", {})
        return props

    def _owned_fields(self, resource: Resource) -> set[str]:
        """Fields the server sets: ids, timestamps, generated values and readOnly properties."""
        owned = {resource.id_field, *resource.generated}
        owned.update(f for f in (resource.created_field, resource.updated_field) if f)
        for prop_name, prop in self.properties(resource.name).items():
            if isinstance(prop, dict) and resolve(self.spec.document, prop).get("readOnly"):
                owned.add(prop_name)
        return owned

    def collection(self, tenant: str, name: str) -> Collection:
        return Collection(self.spec.name, tenant, name)

    def find(self, tenant: str, name: str, record_id: Any) -> dict[str, Any] | None:
        return self.store.get(self.collection(tenant, name), str(record_id))

    def require(self, tenant: str, name: str, record_id: Any) -> dict[str, Any]:
        doc = self.find(tenant, name, record_id)
        if doc is None:
            label = name.rstrip("s").replace("-", " ")
            raise errors.not_found(f"{label.capitalize()} with id {record_id} not found")
        return doc

    def list(self, tenant: str, name: str, query: Query) -> Page:
        return self.store.query(self.collection(tenant, name), query)

    # writes ----------------------------------------------------------------------------------

    def _now(self) -> str:
        return formats.canonical(self.clock.datetime())

    def _check(self, name: str, writable: dict[str, Any]) -> None:
        found = violations_of(self._validators[name], writable, "body")
        if found:
            violations = [Violation(*v) for v in found]
            raise errors.unprocessable(
                f"The result would not be a valid {name} resource: {violations[0].field or '/'} "
                f"{violations[0].message}",
                violations,
            )

    def writable_view(self, name: str, doc: dict[str, Any]) -> dict[str, Any]:
        owned = self._server_owned[name]
        return {k: v for k, v in doc.items() if k not in owned}

    def create(
        self, tenant: str, name: str, body: dict[str, Any], fixed: dict[str, Any] | None = None
    ) -> Change:
        resource = self.definition(name)
        doc: dict[str, Any] = {**resource.defaults, **body, **(fixed or {})}
        for field_name, kind in resource.generated.items():
            doc[field_name] = formats.generate_value(kind)
        record_id = formats.new_id(
            self.store, self.spec.name, name, resource.id_style, resource.id_start
        )
        doc[resource.id_field] = record_id
        now = self._now()
        for stamp in (resource.created_field, resource.updated_field):
            if stamp:
                doc[stamp] = now
        self.store.insert(self.collection(tenant, name), str(record_id), doc)
        return Change(name, None, doc)

    def replace(self, tenant: str, name: str, record_id: Any, body: dict[str, Any]) -> Change:
        before = self.require(tenant, name, record_id)
        return self._store_update(tenant, name, before, body)

    def update(self, tenant: str, name: str, record_id: Any, writable: dict[str, Any]) -> Change:
        """Store a new writable view (already patched) after checking it against the schema."""
        before = self.require(tenant, name, record_id)
        self._check(name, writable)
        return self._store_update(tenant, name, before, writable)

    def set_fields(self, tenant: str, name: str, record_id: Any, fields: dict[str, Any]) -> Change:
        """Server-side change of any fields, readOnly ones included (state transitions)."""
        before = self.require(tenant, name, record_id)
        return self._store_update(
            tenant, name, before, {**self.writable_view(name, before)}, fields
        )

    def _store_update(
        self,
        tenant: str,
        name: str,
        before: dict[str, Any],
        writable: dict[str, Any],
        server_fields: dict[str, Any] | None = None,
    ) -> Change:
        resource = self.definition(name)
        owned = {k: v for k, v in before.items() if k in self._server_owned[name]}
        after = {**writable, **owned, **(server_fields or {})}
        if resource.updated_field:
            after[resource.updated_field] = self._now()
        record_id = before[resource.id_field]
        self.store.replace(self.collection(tenant, name), str(record_id), after)
        return Change(name, before, after)

    def delete(self, tenant: str, name: str, record_id: Any) -> Change:
        before = self.require(tenant, name, record_id)
        self.store.delete(self.collection(tenant, name), str(record_id))
        return Change(name, before, None)

    # reading out -----------------------------------------------------------------------------

    def render(
        self, tenant: str, name: str, doc: dict[str, Any], include: IncludeTree
    ) -> dict[str, Any]:
        """A stored record as the API returns it: includes expanded, timestamps formatted."""
        resource = self.definition(name)
        out = dict(doc)
        for hidden in self._hidden_embedded[name]:
            if hidden not in include:
                out.pop(hidden, None)
        for secret in self._write_only[name]:
            out.pop(secret, None)
        self._expand(tenant, resource.relations, out, include, doc.get(resource.id_field))
        for stamp in (resource.created_field, resource.updated_field):
            if stamp and stamp in out:
                out[stamp] = formats.render_timestamp(out[stamp], self._timestamp_format)
        return out

    def _expand(
        self,
        tenant: str,
        relations: dict[str, Relation],
        out: dict[str, Any],
        include: IncludeTree,
        owner_id: Any,
    ) -> None:
        for rel_name, subtree in include.items():
            relation = relations.get(rel_name)
            if relation is None:
                continue
            if relation.embedded:
                items = out.get(rel_name)
                for item in items if isinstance(items, list) else [items]:
                    if isinstance(item, dict):
                        self._expand(tenant, relation.relations, item, subtree, item.get("id"))
            elif relation.field is not None and relation.resource:
                target = self.find(tenant, relation.resource, out.get(relation.field))
                out[rel_name] = (
                    self.render(tenant, relation.resource, target, subtree) if target else None
                )
            elif relation.foreign_key is not None and relation.resource:
                found = self.list(
                    tenant,
                    relation.resource,
                    Query(conditions=(Condition(((relation.foreign_key,),), "eq", (owner_id,)),)),
                )
                out[rel_name] = [
                    self.render(tenant, relation.resource, item, subtree) for item in found.items
                ]
