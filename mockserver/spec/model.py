"""The typed view of a loaded spec: what the engine needs, decided once at start-up."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Relation:
    """How ``include=<name>`` expands an entity.

    belongs-to: the entity holds ``field`` (an id of ``resource``).
    has-many: entities of ``resource`` hold ``foreign_key`` pointing back here.
    embedded: the property is stored on the entity but only returned when included.
    """

    name: str
    resource: str | None = None
    field: str | None = None
    foreign_key: str | None = None
    many: bool = False
    embedded: bool = False
    relations: dict[str, Relation] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Events:
    created: str | None = None
    updated: str | None = None
    deleted: str | None = None
    fields_changed: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Resource:
    name: str
    schema_name: str
    id_field: str
    id_style: str
    id_start: int
    created_field: str | None
    updated_field: str | None
    relations: dict[str, Relation]
    defaults: dict[str, Any]
    generated: dict[str, str]
    events: Events
    seed_count: int

    @property
    def schema_pointer(self) -> str:
        return f"#/components/schemas/{self.schema_name}"


@dataclass(frozen=True)
class Pagination:
    style: str  # page-size | limit-offset | laravel | none
    options: dict[str, Any] = dataclasses.field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


NO_PAGINATION = Pagination("none")


@dataclass(frozen=True)
class Filter:
    param: str
    op: str = "eq"
    field: str | None = None
    fields: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Sort:
    param: str
    syntax: str = "colon"
    default: str | None = None


@dataclass(frozen=True)
class Parent:
    param: str
    resource: str
    field: str


@dataclass(frozen=True)
class Binding:
    """An operation's ``x-mock``: which generic behaviour serves it."""

    resource: str | None = None
    action: str | None = None
    handler: str | None = None
    parent: Parent | None = None
    filters: tuple[Filter, ...] = ()
    sort: Sort | None = None
    include_param: str | None = None
    pagination: Pagination | None = None
    features: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str  # path | query | header | cookie
    required: bool
    schema: dict[str, Any]  # resolved top level (for coercion); validation uses the pointer
    schema_pointer: str
    style: str
    explode: bool

    @property
    def types(self) -> tuple[str, ...]:
        declared = self.schema.get("type", "string")
        return tuple(declared) if isinstance(declared, list) else (declared,)


@dataclass(frozen=True)
class RequestBody:
    required: bool
    content: dict[str, str]  # media type -> schema pointer


@dataclass(frozen=True)
class Operation:
    api: str
    operation_id: str
    method: str  # upper case
    path: str  # as in the spec: /api/v2/clients/{clientId}
    pointer: str  # JSON pointer of the operation object
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    responses: dict[str, dict[str, Any]]  # status -> resolved response object
    security: tuple[dict[str, list[str]], ...]  # alternatives; empty means public
    binding: Binding
    raw: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def success_status(self) -> int:
        for status in sorted(self.responses):
            if status.isdigit() and 200 <= int(status) < 400:
                return int(status)
        return 200

    def documented_statuses(self) -> set[int]:
        return {int(s) for s in self.responses if s.isdigit()}


@dataclass(frozen=True)
class ApiConfig:
    """The spec root's ``x-mock`` block."""

    api: str
    title: str
    errors: str
    id_style: str
    id_start: int
    timestamps: dict[str, Any]
    trailing_slash: str
    pagination: Pagination
    auth_schemes: dict[str, str]  # securityScheme name -> kind
    seed_locale: str
    seed_count: int
    features: dict[str, Any]  # blocks owned by cross-cutting features


@dataclass(frozen=True)
class ApiSpec:
    config: ApiConfig
    document: dict[str, Any]
    operations: tuple[Operation, ...]
    resources: dict[str, Resource]
    source: str

    @property
    def name(self) -> str:
        return self.config.api

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    @property
    def security_schemes(self) -> dict[str, dict[str, Any]]:
        schemes: dict[str, dict[str, Any]] = self.document.get("components", {}).get(
            "securitySchemes", {}
        )
        return schemes
