"""Schemathesis over the dashboard's read-only admin endpoints, in-process: whatever the query or
path, the answer is declared in mockserver/admin_openapi.yaml, matches its schema, is never a
5xx, and schema-invalid input (``seconds=0``, ``status=6xx``, ``size=101``) is refused."""

from __future__ import annotations

import base64

import schemathesis
import yaml
from hypothesis import HealthCheck
from hypothesis import settings

from contract_tests.backends import fresh_settings
from contract_tests.robaws.conftest import VDB
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.admin import ADMIN_SPEC

APP = create_app(Settings(apis=("robaws",), **fresh_settings()))
DASHBOARD = ["listRequests", "getRequest", "getTraffic", "getState", "getStateRecords"]


def dashboard_schema() -> schemathesis.schemas.BaseSchema:
    """The admin spec cut down to the dashboard's paths (``schema.include`` did not narrow
    ``parametrize`` here), served by the in-process app."""
    document = yaml.safe_load(ADMIN_SPEC.read_text(encoding="utf-8"))
    document["paths"] = {
        path: item  # every method of the path, so Schemathesis' Allow-header check holds
        for path, item in document["paths"].items()
        if item.get("get", {}).get("operationId") in DASHBOARD
    }
    assert len(document["paths"]) == len(DASHBOARD)
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = APP
    return loaded


schema = dashboard_schema()
schema.config.generation.update(max_examples=20)


def _warm_up() -> None:
    """Some journal entries and traffic, so entry ids and counts are there to be found."""
    client = APP.test_client()
    token = base64.b64encode(":".join(VDB).encode()).decode()
    for query in ("", "?page=1", "?colour=red"):
        client.get(f"/robaws/api/v2/clients{query}", headers={"Authorization": f"Basic {token}"})
    client.post("/robaws/api/v2/clients", json={"name": 5})


_warm_up()


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_dashboard_endpoints_answer_as_documented(case: schemathesis.Case) -> None:
    case.call_and_validate()
    assert not get_engine(APP).internal_errors
