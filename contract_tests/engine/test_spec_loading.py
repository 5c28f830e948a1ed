"""Specs are checked at load time: bad references, unknown extensions and keywords fail loudly."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from contract_tests.engine.conftest import DATA
from mockserver import features  # noqa: F401
from mockserver.errors import SpecLoadError
from mockserver.spec.loader import build_spec
from mockserver.spec.refs import find_dangling_refs


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DATA / "shop.yaml").read_text())
    return loaded


def test_the_test_spec_loads(document: dict[str, Any]) -> None:
    spec = build_spec(copy.deepcopy(document), source="shop.yaml")
    assert spec.name == "shop"
    assert {op.operation_id for op in spec.operations} >= {"listProducts", "createProduct", "ping"}
    assert spec.operation("createProduct").success_status() == 201
    assert spec.operation("deleteProduct").success_status() == 204


def test_a_reference_that_points_nowhere_is_an_error(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["components"]["schemas"]["Product"]["properties"]["tags"] = {
        "$ref": "#/components/schemas/Nope"
    }
    assert find_dangling_refs(broken) == [
        "#/components/schemas/Product/properties/tags: "
        "$ref '#/components/schemas/Nope' points nowhere"
    ]
    with pytest.raises(SpecLoadError, match="points nowhere"):
        build_spec(broken, source="shop.yaml")


def test_a_misspelt_extension_key_names_its_pointer(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["x-mock"]["pagniation"] = {"style": "page-size"}
    with pytest.raises(SpecLoadError, match=r"#/x-mock/: Additional properties .*pagniation"):
        build_spec(broken, source="shop.yaml")


def test_an_unknown_operation_extension_key_is_an_error(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["paths"]["/api/products"]["get"]["x-mock"]["sorting"] = {}
    with pytest.raises(SpecLoadError, match="sorting"):
        build_spec(broken, source="shop.yaml")


def test_an_action_on_an_unknown_resource_is_an_error(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["paths"]["/api/products"]["get"]["x-mock"]["resource"] = "widgets"
    with pytest.raises(SpecLoadError, match="unknown resource 'widgets'"):
        build_spec(broken, source="shop.yaml")


def test_a_schema_keyword_the_engine_does_not_know_is_an_error(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["components"]["schemas"]["Product"]["discriminator"] = {"propertyName": "name"}
    with pytest.raises(SpecLoadError, match="discriminator"):
        build_spec(broken, source="shop.yaml")


def test_a_relation_needs_exactly_one_kind(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["x-mock"]["resources"]["reviews"]["relations"]["product"]["foreign-key"] = "x"
    with pytest.raises(SpecLoadError, match="exactly one of"):
        build_spec(broken, source="shop.yaml")


def test_only_openapi_31_is_accepted(document: dict[str, Any]) -> None:
    broken = copy.deepcopy(document)
    broken["openapi"] = "3.0.3"
    with pytest.raises(SpecLoadError, match=r"3\.1"):
        build_spec(broken, source="shop.yaml")
