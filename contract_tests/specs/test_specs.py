"""Every spec in openapi/ is valid OpenAPI 3.1, resolvable, and honest about its inventions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.spec.loader import HTTP_METHODS
from mockserver.spec.refs import find_dangling_refs

SPECS = sorted((Path(__file__).resolve().parents[2] / "openapi").glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return document


def walk(node: Any, where: str = "#") -> Any:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


@pytest.fixture(params=SPECS, ids=[p.stem for p in SPECS])
def spec(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)


def test_there_are_specs() -> None:
    assert {p.stem for p in SPECS} >= {"robaws"}


def test_openapi_spec_validator_accepts_it(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    assert find_dangling_refs(spec) == []


def test_every_invention_says_why(spec: dict[str, Any]) -> None:
    unexplained = [
        where
        for where, node in walk(spec)
        if node.get("x-mock-invented") is True and not node.get("x-mock-invented-reason")
    ]
    assert unexplained == []


def test_every_operation_has_an_id_and_documents_its_errors(spec: dict[str, Any]) -> None:
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op = item[method]
            assert op.get("operationId"), f"{method.upper()} {path}"
            statuses = set(op["responses"])
            assert statuses & {"400", "4XX"}, f"{method.upper()} {path} documents no 400"
            if op.get("security", spec.get("security")):
                assert "401" in statuses, f"{method.upper()} {path} documents no 401"


def test_every_create_links_to_its_get(spec: dict[str, Any]) -> None:
    readable = {
        op["x-mock"]["resource"]
        for item in spec["paths"].values()
        for op in [item.get("get", {})]
        if op.get("x-mock", {}).get("action") == "get"
    }
    for path, item in spec["paths"].items():
        op = item.get("post", {})
        binding = op.get("x-mock", {})
        if binding.get("action") != "create" or binding.get("resource") not in readable:
            continue
        created = next(r for s, r in op["responses"].items() if s.startswith("2"))
        targets = {link["operationId"] for link in created.get("links", {}).values()}
        assert any(t.startswith("get") for t in targets), f"POST {path} has no link to a get"
