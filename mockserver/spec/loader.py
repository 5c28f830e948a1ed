"""Load a spec file into an ``ApiSpec``: parse, validate, check references and extensions.

Everything here runs once per API at start-up; failures are ``SpecLoadError`` with a pointer.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from mockserver.errors import SpecLoadError
from mockserver.spec import extensions
from mockserver.spec.model import ApiConfig
from mockserver.spec.model import ApiSpec
from mockserver.spec.model import Binding
from mockserver.spec.model import Events
from mockserver.spec.model import Filter
from mockserver.spec.model import Operation
from mockserver.spec.model import Pagination
from mockserver.spec.model import Parameter
from mockserver.spec.model import Parent
from mockserver.spec.model import Relation
from mockserver.spec.model import RequestBody
from mockserver.spec.model import Resource
from mockserver.spec.model import Sort
from mockserver.spec.refs import find_dangling_refs
from mockserver.spec.refs import pointer
from mockserver.spec.refs import resolve

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Schema keywords the engine's validators and generators understand. Anything else in a schema is
# an error at load time, so that a keyword the mock would silently ignore is noticed (stripe-mock's
# supportedSchemaFields).
SUPPORTED_SCHEMA_KEYWORDS = frozenset(
    {
        "$ref", "$defs", "type", "properties", "required", "additionalProperties", "items",
        "prefixItems", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum",
        "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minItems", "maxItems",
        "uniqueItems", "minProperties", "maxProperties", "oneOf", "anyOf", "allOf", "not",
        "description", "title", "example", "examples", "default", "readOnly", "writeOnly",
        "deprecated", "patternProperties", "propertyNames", "contentMediaType", "contentEncoding",
    }
)  # fmt: skip


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~7x faster on big specs

# Parsed specs are immutable once built, so one process (a test session creating many apps) parses
# each file once. Keyed by path, size and mtime so an edited spec is read again.
_LOADED: dict[tuple[str, int, int], ApiSpec] = {}
_LOADED_LOCK = threading.Lock()


def read_document(path: Path) -> dict[str, Any]:
    try:
        document = yaml.load(path.read_bytes(), Loader=_YAML_LOADER)  # a safe loader
    except (OSError, yaml.YAMLError) as exc:
        raise SpecLoadError(f"{path}: cannot read YAML: {exc}") from exc
    if not isinstance(document, dict):
        raise SpecLoadError(f"{path}: the document is not a mapping")
    return document


def load_spec(path: Path, *, validate: bool = True) -> ApiSpec:
    try:
        stat = path.stat()
    except OSError as exc:
        raise SpecLoadError(f"{path}: cannot read: {exc}") from exc
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _LOADED_LOCK:
        if key in _LOADED:
            return _LOADED[key]
    raw = path.read_bytes()
    document = read_document(path)
    spec = build_spec(document, source=str(path), validate=validate, digest=_digest(raw))
    with _LOADED_LOCK:
        _LOADED[key] = spec
    return spec


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _cache_dir() -> Path:
    base = os.environ.get("MOCKSERVER_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    return Path(base) / "mockserver" if base else Path.home() / ".cache" / "mockserver"


def _validated_before(digest: str | None) -> bool:
    return digest is not None and (_cache_dir() / "valid-specs" / digest).exists()


def _remember_valid(digest: str | None) -> None:
    """Full OpenAPI validation of a large spec takes about a second; remember it passed."""
    if digest is None:
        return
    try:
        folder = _cache_dir() / "valid-specs"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / digest).touch()
    except OSError:
        pass  # a read-only home only costs the validation again next time


def build_spec(
    document: dict[str, Any], *, source: str, validate: bool = True, digest: str | None = None
) -> ApiSpec:
    if validate:
        check_document(document, source, full=not _validated_before(digest))
        _remember_valid(digest)
    config = _api_config(document, source)
    resources = {
        name: _resource(name, raw, config, source)
        for name, raw in document["x-mock"].get("resources", {}).items()
    }
    for resource in resources.values():
        _check_schema_exists(document, resource.schema_pointer, source, f"resource {resource.name}")
        _check_relations(resource.relations, resources, source, resource.name)
    operations = tuple(_operations(document, config, resources, source))
    return ApiSpec(config, document, operations, resources, source)


def check_document(document: dict[str, Any], source: str, *, full: bool = True) -> None:
    """Resolvable references, known x-mock keys, schema keywords; OpenAPI validity if ``full``."""
    if not str(document.get("openapi", "")).startswith("3.1"):
        raise SpecLoadError(f"{source}: only OpenAPI 3.1 documents are supported")
    dangling = find_dangling_refs(document)  # first: its messages name the pointer
    if dangling:
        raise SpecLoadError(f"{source}: " + "; ".join(dangling))
    if full:
        from openapi_spec_validator import validate as validate_openapi

        try:
            validate_openapi(document)
        except Exception as exc:  # the validator raises several unrelated exception types
            first_line = str(exc).splitlines()[0][:300]
            raise SpecLoadError(f"{source}: not a valid OpenAPI document: {first_line}") from exc
    _check_extension(document.get("x-mock"), extensions.root_schema(), f"{source} #/x-mock")
    for where, schema in _iter_schemas(document):
        unknown = {k for k in schema if not k.startswith("x-")} - SUPPORTED_SCHEMA_KEYWORDS
        if unknown:
            raise SpecLoadError(
                f"{source} {where}: unsupported schema keyword(s) {sorted(unknown)}"
            )


def _check_extension(value: Any, schema: dict[str, Any], where: str) -> None:
    if value is None:
        raise SpecLoadError(f"{where}: missing")
    validator = jsonschema_rs.validator_for(schema)
    errors = list(validator.iter_errors(value))
    if errors:
        first = errors[0]
        path = "/".join(str(p) for p in first.instance_path)
        raise SpecLoadError(f"{where}/{path}: {first.message}")


def _iter_schemas(document: dict[str, Any]) -> Any:
    """Yield (pointer, schema object) for every JSON Schema in the document."""

    def walk(node: Any, where: str) -> Any:
        if not isinstance(node, dict):
            return
        yield where, node
        for key in ("properties", "patternProperties", "$defs"):
            for name, sub in (node.get(key) or {}).items():
                yield from walk(sub, f"{where}/{key}/{name}")
        for key in ("items", "additionalProperties", "not", "propertyNames"):
            if isinstance(node.get(key), dict):
                yield from walk(node[key], f"{where}/{key}")
        for key in ("oneOf", "anyOf", "allOf", "prefixItems"):
            for index, sub in enumerate(node.get(key) or []):
                yield from walk(sub, f"{where}/{key}/{index}")

    for name, schema in document.get("components", {}).get("schemas", {}).items():
        yield from walk(schema, f"#/components/schemas/{name}")


def _api_config(document: dict[str, Any], source: str) -> ApiConfig:
    raw = document.get("x-mock")
    if not isinstance(raw, dict):
        raise SpecLoadError(f"{source}: the root has no x-mock block")
    ids = raw.get("ids", {})
    seed = raw.get("seed", {})
    feature_keys = set(extensions.FEATURE_SCHEMAS)
    return ApiConfig(
        api=raw["api"],
        title=raw.get("title", raw["api"]),
        errors=raw["errors"],
        id_style=ids.get("style", "sequence-int"),
        id_start=ids.get("start", 1),
        timestamps=raw.get("timestamps", {}),
        trailing_slash=raw.get("trailing-slash", "strict"),
        pagination=_pagination(raw.get("pagination", "none")),
        auth_schemes={
            name: scheme["kind"] for name, scheme in raw.get("auth", {}).get("schemes", {}).items()
        },
        seed_locale=seed.get("locale", "en_US"),
        seed_count=seed.get("count", 10),
        features={key: raw[key] for key in feature_keys if key in raw},
    )


def _pagination(raw: Any) -> Pagination:
    if raw == "none":
        return Pagination("none")
    options = {k: v for k, v in raw.items() if k != "style"}
    return Pagination(raw["style"], options)


def _relation(name: str, raw: dict[str, Any]) -> Relation:
    return Relation(
        name=name,
        resource=raw.get("resource"),
        field=raw.get("field"),
        foreign_key=raw.get("foreign-key"),
        many=raw.get("many", "foreign-key" in raw),
        embedded=raw.get("embedded", False),
        relations={k: _relation(k, v) for k, v in raw.get("relations", {}).items()},
    )


def _resource(name: str, raw: dict[str, Any], config: ApiConfig, source: str) -> Resource:
    ids = raw.get("id", {})
    stamps = raw.get("timestamps", config.timestamps)
    if stamps is False:
        stamps = {"created": None, "updated": None}
    events = raw.get("events", {})
    return Resource(
        name=name,
        schema_name=raw["schema"],
        id_field=ids.get("field", "id"),
        id_style=ids.get("style", config.id_style),
        id_start=ids.get("start", config.id_start),
        created_field=stamps.get("created", config.timestamps.get("created")),
        updated_field=stamps.get("updated", config.timestamps.get("updated")),
        relations={k: _relation(k, v) for k, v in raw.get("relations", {}).items()},
        defaults=raw.get("defaults", {}),
        generated=raw.get("generated", {}),
        events=Events(
            created=events.get("created"),
            updated=events.get("updated"),
            deleted=events.get("deleted"),
            fields_changed={k: tuple(v) for k, v in events.get("fields-changed", {}).items()},
        ),
        seed_count=raw.get("seed", {}).get("count", config.seed_count),
    )


def _check_schema_exists(document: dict[str, Any], ref: str, source: str, what: str) -> None:
    from mockserver.spec.refs import lookup

    try:
        lookup(document, ref)
    except KeyError:
        raise SpecLoadError(f"{source}: {what} names schema {ref}, which does not exist") from None


def _check_relations(
    relations: dict[str, Relation], resources: dict[str, Any], source: str, owner: str
) -> None:
    for relation in relations.values():
        if relation.resource and relation.resource not in resources:
            raise SpecLoadError(
                f"{source}: relation {owner}.{relation.name} names unknown resource "
                f"'{relation.resource}'"
            )
        kinds = [relation.field is not None, relation.foreign_key is not None, relation.embedded]
        if sum(kinds) != 1:
            raise SpecLoadError(
                f"{source}: relation {owner}.{relation.name} needs exactly one of "
                "field, foreign-key or embedded"
            )
        _check_relations(relation.relations, resources, source, f"{owner}.{relation.name}")


def _operations(
    document: dict[str, Any], config: ApiConfig, resources: dict[str, Resource], source: str
) -> Any:
    root_security = document.get("security", [])
    for path, item in document.get("paths", {}).items():
        item = resolve(document, item)
        shared_params = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method not in item:
                continue
            raw = item[method]
            where = pointer("paths", path, method)
            binding = _binding(raw.get("x-mock", {}), resources, f"{source} {where}/x-mock")
            params = _parameters(document, shared_params, raw.get("parameters", []), path, method)
            yield Operation(
                api=config.api,
                operation_id=raw.get("operationId") or f"{method}{path}",
                method=method.upper(),
                path=path,
                pointer=where,
                parameters=params,
                body=_request_body(document, raw, where),
                responses={
                    str(status): resolve(document, response)
                    for status, response in raw.get("responses", {}).items()
                },
                security=tuple(raw.get("security", root_security)),
                binding=binding,
                raw=raw,
            )


def _binding(raw: dict[str, Any], resources: dict[str, Resource], where: str) -> Binding:
    if not raw:
        return Binding()
    _check_extension(raw, extensions.operation_schema(), where)
    resource = raw.get("resource")
    if resource is not None and resource not in resources:
        raise SpecLoadError(f"{where}: unknown resource '{resource}'")
    if raw.get("action") and not resource:
        raise SpecLoadError(f"{where}: an action needs a resource")
    parent = raw.get("parent")
    sort = raw.get("sort")
    return Binding(
        resource=resource,
        action=raw.get("action"),
        handler=raw.get("handler"),
        parent=Parent(parent["param"], parent["resource"], parent["field"]) if parent else None,
        filters=tuple(
            Filter(
                param=name, op=f.get("op", "eq"), field=f.get("field"), fields=f.get("fields", {})
            )
            for name, f in raw.get("filters", {}).items()
        ),
        sort=Sort(sort["param"], sort.get("syntax", "colon"), sort.get("default"))
        if sort
        else None,
        include_param=raw.get("include", {}).get("param"),
        pagination=_pagination(raw["pagination"]) if "pagination" in raw else None,
        features={k: raw[k] for k in extensions.OPERATION_FEATURE_SCHEMAS if k in raw},
    )


def _parameters(
    document: dict[str, Any], shared: list[Any], own: list[Any], path: str, method: str
) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
    for origin, params in (("shared", shared), ("own", own)):
        for index, raw in enumerate(params):
            ref = raw.get("$ref") if isinstance(raw, dict) else None
            param = resolve(document, raw)
            if ref:
                schema_ptr = f"{ref}/schema"
            elif origin == "shared":
                schema_ptr = pointer("paths", path, "parameters", index, "schema")
            else:
                schema_ptr = pointer("paths", path, method, "parameters", index, "schema")
            merged[(param["name"], param["in"])] = (param, schema_ptr)
    result = []
    for param, schema_ptr in merged.values():
        location = param["in"]
        style = param.get("style", "simple" if location in ("path", "header") else "form")
        result.append(
            Parameter(
                name=param["name"],
                location=location,
                required=bool(param.get("required", location == "path")),
                schema=resolve(document, param.get("schema", {})),
                schema_pointer=schema_ptr,
                style=style,
                explode=bool(param.get("explode", style == "form")),
            )
        )
    return tuple(result)


def _request_body(document: dict[str, Any], raw: dict[str, Any], where: str) -> RequestBody | None:
    body = raw.get("requestBody")
    if body is None:
        return None
    ref = body.get("$ref")
    body = resolve(document, body)
    base = ref if ref else f"{where}/requestBody"
    content = {
        media_type: f"{base}/content/{media_type.replace('~', '~0').replace('/', '~1')}/schema"
        for media_type in body.get("content", {})
    }
    return RequestBody(required=bool(body.get("required", False)), content=content)
