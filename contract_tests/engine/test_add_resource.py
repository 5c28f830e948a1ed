"""Adding a resource to an API takes YAML only: shown on a copy of the Robaws spec."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import yaml

from mockserver import Settings
from mockserver import create_app

ROOT = Path(__file__).resolve().parents[2]

SUPPLIER = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": {
        "id": {"type": "string", "readOnly": True, "pattern": "^[0-9]{1,18}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 120, "x-mock-faker": "company"},
        "vatIdNumber": {"type": "string", "maxLength": 20, "x-mock-faker": "vat_id"},
        "createdAt": {"type": "string", "format": "date-time", "readOnly": True},
        "updatedAt": {"type": "string", "format": "date-time", "readOnly": True},
    },
}


def _op(op_id: str, action: str, **extra: Any) -> dict[str, Any]:
    error = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RobawsError"}}},
    }
    one = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Supplier"}}}}
    responses: dict[str, Any] = {"400": error, "401": error, "404": error}
    if action == "list":
        page = {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Supplier"}}
            },
        }
        responses["200"] = {
            "description": "page",
            "content": {"application/json": {"schema": page}},
        }
    elif action == "create":
        responses["201"] = {"description": "created", **one}
    elif action == "delete":
        responses["204"] = {"description": "deleted"}
    else:
        responses["200"] = {"description": "ok", **one}
    return {
        "operationId": op_id,
        "x-mock": {"resource": "suppliers", "action": action},
        "responses": responses,
        **extra,
    }


def add_suppliers(document: dict[str, Any]) -> None:
    body = {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Supplier"}}},
    }
    page_params = [
        {"$ref": "#/components/parameters/Page"},
        {"$ref": "#/components/parameters/Size"},
    ]
    id_param = [
        {"name": "supplierId", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    document["components"]["schemas"]["Supplier"] = SUPPLIER
    document["x-mock"]["resources"]["suppliers"] = {"schema": "Supplier", "seed": {"count": 7}}
    document["paths"]["/api/v2/suppliers"] = {
        "get": _op("listSuppliers", "list", parameters=page_params),
        "post": _op("createSupplier", "create", requestBody=body),
    }
    document["paths"]["/api/v2/suppliers/{supplierId}"] = {
        "parameters": id_param,
        "get": _op("getSupplier", "get"),
        "put": _op("replaceSupplier", "replace", requestBody=body),
        "delete": _op("deleteSupplier", "delete"),
    }


def test_a_resource_declared_in_yaml_gets_full_crud_with_paging(tmp_path: Path) -> None:
    document = yaml.load((ROOT / "openapi" / "robaws.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    add_suppliers(document)
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "robaws.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    shutil.copytree(ROOT / "fixtures", tmp_path / "fixtures")
    app = create_app(
        Settings(
            apis=("robaws",), specs_dir=tmp_path / "openapi", fixtures_dir=tmp_path / "fixtures"
        )
    )
    client = app.test_client()
    auth = {
        "Authorization": "Basic "
        + base64.b64encode(b"demo7f3a9c2e41b84d6e:demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43").decode()
    }
    base = "/robaws/api/v2/suppliers"

    seeded = client.get(f"{base}?page=0&size=5", headers=auth).get_json()
    assert (seeded["totalItems"], seeded["totalPages"], len(seeded["items"])) == (7, 2, 5)
    created = client.post(base, json={"name": "Bouwmaterialen Peeters"}, headers=auth)
    assert created.status_code == 201
    supplier = created.get_json()
    assert client.get(f"{base}/{supplier['id']}", headers=auth).get_json() == supplier
    replaced = client.put(
        f"{base}/{supplier['id']}", json={"name": "Peeters NV"}, headers=auth
    ).get_json()
    assert replaced["name"] == "Peeters NV"
    assert client.post(base, json={"name": "x", "nope": 1}, headers=auth).status_code == 400
    assert client.delete(f"{base}/{supplier['id']}", headers=auth).status_code == 204
    assert client.get(f"{base}/{supplier['id']}", headers=auth).status_code == 404
    assert client.get(f"{base}?size=100", headers=auth).get_json()["totalItems"] == 7
