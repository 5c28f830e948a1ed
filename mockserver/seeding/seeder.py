"""Fill an API's store with its seed state: fixed records first, then generated ones.

Parents are seeded before children so belongs-to fields (and ``{ref: <resource>}`` hints) point at
records that exist. Every seeded record is checked against its schema: bad seed data is a
``SeedError`` at start-up, never a surprise in a test.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import SeedError
from mockserver.profiles import formats
from mockserver.seeding.generator import ValueGenerator
from mockserver.seeding.generator import stable_seed
from mockserver.spec.model import ApiSpec
from mockserver.spec.model import Relation
from mockserver.spec.model import Resource
from mockserver.state.query import Collection
from mockserver.state.resources import write_only_fields
from mockserver.state.store import Store
from mockserver.validation.schemas import SchemaViews

BATCH = 2000  # records per insert_many: bounded memory, few transactions


def _batches(docs: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(docs)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def dependency_order(spec: ApiSpec) -> list[str]:
    """Resources ordered so that every resource comes after those its records point at."""
    needs: dict[str, set[str]] = {name: set() for name in spec.resources}

    def walk(owner: str, relations: dict[str, Relation]) -> None:
        for rel in relations.values():
            if rel.field and rel.resource and rel.resource != owner:
                needs[owner].add(rel.resource)
            if rel.foreign_key and rel.resource and rel.resource != owner:
                needs[rel.resource].add(owner)
            walk(owner, rel.relations)

    for name, resource in spec.resources.items():
        walk(name, resource.relations)
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order or name in visiting:
            return
        visiting.add(name)
        for dependency in sorted(needs[name]):
            visit(dependency)
        visiting.discard(name)
        order.append(name)

    for name in spec.resources:
        visit(name)
    return order


class Seeder:
    def __init__(
        self,
        spec: ApiSpec,
        store: Store,
        views: SchemaViews,
        fixtures_dir: Path,
        tenants: list[str],
    ) -> None:
        self.spec = spec
        self.store = store
        self.fixtures_dir = fixtures_dir
        self.tenants = tenants
        self._validators = {
            name: views.response_validator(r.schema_pointer) for name, r in spec.resources.items()
        }
        self._stamp_format = spec.config.timestamps.get("format", "iso8601-ms")
        self._write_only = {name: write_only_fields(spec, r) for name, r in spec.resources.items()}

    def planned(self, volume: int | None = None, only: frozenset[str] | None = None) -> int:
        """About how many records ``seed`` will write: the generated ones (fixtures add a few)."""
        counts = [self._count(r, volume, only) for r in self.spec.resources.values()]
        return sum(counts) * len(self.tenants)

    @staticmethod
    def _count(resource: Resource, volume: int | None, only: frozenset[str] | None) -> int:
        if volume is None or resource.seed_count == 0:
            return resource.seed_count
        return volume if only is None or resource.name in only else resource.seed_count

    def seed(
        self,
        seed: int,
        now: datetime,
        volume: int | None = None,
        progress: Callable[[int], None] | None = None,
        only: frozenset[str] | None = None,
    ) -> dict[str, int]:
        """Replace the API's records with the seed state; returns records per resource.

        ``volume`` replaces the spec's count for every seeded resource, or for those in ``only``.
        Records are written in batches (one transaction each on SQLite), and ``progress`` hears
        how many records each batch held.
        """
        self.store.clear_records(self.spec.name)
        counts: dict[str, int] = {}
        for tenant in self.tenants:
            ids: dict[str, list[Any]] = {}
            for name in dependency_order(self.spec):
                resource = self.spec.resources[name]
                where = Collection(self.spec.name, tenant, name)
                fixed = self._fixed(tenant, resource, now)
                generated = self._generated(
                    tenant, resource, self._count(resource, volume, only), seed, now, ids
                )
                written: list[Any] = []
                for batch in _batches(itertools.chain(fixed, generated), BATCH):
                    self.store.insert_many(where, ((str(d[resource.id_field]), d) for d in batch))
                    written.extend(d[resource.id_field] for d in batch)
                    if progress is not None:
                        progress(len(batch))
                ids[name] = written
                counts[name] = counts.get(name, 0) + len(written)
        return counts

    def _fixed(self, tenant: str, resource: Resource, now: datetime) -> list[dict[str, Any]]:
        path = self.fixtures_dir / "records" / f"{resource.name}.yaml"
        if not path.exists():
            return []
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        docs = []
        for record in raw:
            record = dict(record)
            owner = record.pop("tenant", self.tenants[0])
            if owner != tenant:
                continue
            self._finish(resource, record, now, now, random.Random(0))
            self._check(resource, record, f"{path}")
            docs.append(record)
        return docs

    def _generated(
        self,
        tenant: str,
        resource: Resource,
        count: int,
        seed: int,
        now: datetime,
        ids: dict[str, list[Any]],
    ) -> Iterator[dict[str, Any]]:
        if count == 0:
            return
        generator = ValueGenerator(
            self.spec.document,
            self.spec.config.seed_locale,
            stable_seed(seed, self.spec.name, tenant, resource.name),
            now,
            ids_of=lambda name: ids.get(name, []),
        )
        skip = frozenset(
            {resource.id_field, *resource.generated}
            | {f for f in (resource.created_field, resource.updated_field) if f}
            | {r.name for r in resource.relations.values() if not r.embedded}
        )
        schema = {"$ref": resource.schema_pointer}
        where = f"{self.spec.name}.{resource.name}"
        for _ in range(count):
            doc = generator.object(schema, where, 0, skip)
            self._link(resource.relations, doc, ids, generator.rng)
            self._link_foreign_keys(resource, doc, ids, generator.rng)
            age = timedelta(seconds=generator.rng.randint(3600, 365 * 86400))
            created = now - age
            updated = created + timedelta(
                seconds=generator.rng.randint(0, int(age.total_seconds()))
            )
            self._finish(resource, doc, created, updated, generator.rng)
            self._check(resource, doc, where)
            yield doc

    def _link(
        self,
        relations: dict[str, Relation],
        doc: dict[str, Any],
        ids: dict[str, list[Any]],
        rng: random.Random,
    ) -> None:
        """Point belongs-to fields, also inside embedded items, at seeded records."""
        for rel in relations.values():
            if rel.field and rel.resource and ids.get(rel.resource):
                doc[rel.field] = rng.choice(ids[rel.resource])
            if rel.embedded and rel.relations:
                items = doc.get(rel.name)
                for item in items if isinstance(items, list) else [items]:
                    if isinstance(item, dict):
                        self._link(rel.relations, item, ids, rng)

    def _link_foreign_keys(
        self, resource: Resource, doc: dict[str, Any], ids: dict[str, list[Any]], rng: random.Random
    ) -> None:
        for owner_name, owner in self.spec.resources.items():
            for rel in owner.relations.values():
                if rel.resource == resource.name and rel.foreign_key and ids.get(owner_name):
                    doc[rel.foreign_key] = rng.choice(ids[owner_name])

    def _finish(
        self,
        resource: Resource,
        doc: dict[str, Any],
        created: datetime,
        updated: datetime,
        rng: random.Random,
    ) -> None:
        if resource.id_field not in doc:
            if resource.id_style == "uuid":
                doc[resource.id_field] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            else:
                doc[resource.id_field] = formats.new_id(
                    self.store, self.spec.name, resource.name, resource.id_style, resource.id_start
                )
        for field_name, kind in resource.generated.items():
            if field_name not in doc:
                doc[field_name] = (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    if kind == "uuid"
                    else formats.generate_value(kind)
                )
        if resource.created_field:
            doc.setdefault(resource.created_field, formats.canonical(created))
        if resource.updated_field:
            doc.setdefault(resource.updated_field, formats.canonical(updated))
        for key, value in resource.defaults.items():
            doc.setdefault(key, value)

    def _check(self, resource: Resource, doc: dict[str, Any], where: str) -> None:
        shown = {k: v for k, v in doc.items() if k not in self._write_only[resource.name]}
        for stamp in (resource.created_field, resource.updated_field):
            if stamp and stamp in shown:
                shown[stamp] = formats.render_timestamp(shown[stamp], self._stamp_format)
        errors = list(self._validators[resource.name].iter_errors(shown))
        if errors:
            first = errors[0]
            path = "/".join(str(p) for p in first.instance_path)
            raise SeedError(
                f"{where}: a seeded {resource.name} record breaks its schema at /{path}: "
                f"{first.message}. Add or fix an x-mock-faker hint."
            )
