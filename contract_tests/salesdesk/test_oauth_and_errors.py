"""salesdesk's Passport-style OAuth2, roles, Laravel error bodies, timestamps and isolation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

from contract_tests.salesdesk.conftest import APP
from contract_tests.salesdesk.conftest import OTHER_ADMIN
from contract_tests.salesdesk.conftest import REDIRECT
from contract_tests.salesdesk.conftest import Salesdesk

LARAVEL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def authorize(salesdesk: Salesdesk, **query: str) -> Any:
    return salesdesk.call(
        "GET",
        "/oauth/authorize",
        token=None,
        query_string={**APP, "redirect_uri": REDIRECT, **query},
    )


def tokens(salesdesk: Salesdesk, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    answer = salesdesk.call("POST", "/oauth/token", token=None, data={**APP, **form})
    return answer.status_code, answer.get_json()


def code_for(salesdesk: Salesdesk, **query: str) -> str:
    answer = authorize(salesdesk, state="s1", **query)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = parse_qs(location.query)
    assert params["state"] == ["s1"]
    return params["code"][0]


def test_the_code_flow_issues_a_bearer_token_that_works(salesdesk: Salesdesk) -> None:
    code = code_for(salesdesk)
    status, body = tokens(
        salesdesk, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    )
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] > 0
    listed = salesdesk.call("GET", "/api/customers", token=body["access_token"])
    assert listed.status_code == 200 and listed.get_json()["per_page"] == 15  # signed in as admin


def test_codes_go_only_to_the_one_registered_redirect_url(salesdesk: Salesdesk) -> None:
    elsewhere = authorize(salesdesk, redirect_uri="http://127.0.0.1:8777/other")
    assert elsewhere.status_code == 403 and "Location" not in elsewhere.headers
    assert set(elsewhere.get_json()) == {"message"}
    unknown = salesdesk.call(
        "GET",
        "/oauth/authorize",
        token=None,
        query_string={"client_id": "nope", "redirect_uri": REDIRECT},
    )
    assert unknown.status_code == 401


def test_codes_are_single_use_and_refresh_tokens_rotate(salesdesk: Salesdesk) -> None:
    exchange = {"grant_type": "authorization_code", "code": code_for(salesdesk)}
    exchange["redirect_uri"] = REDIRECT
    _, first = tokens(salesdesk, exchange)
    status, again = tokens(salesdesk, exchange)
    assert (status, again["error"]) == (400, "invalid_grant")
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    status, second = tokens(salesdesk, refresh)
    assert status == 200 and second["access_token"] != first["access_token"]
    assert tokens(salesdesk, refresh)[0] == 400
    assert salesdesk.call("GET", "/api/orders", token=second["access_token"]).status_code == 200


def test_a_wrong_secret_is_invalid_client(salesdesk: Salesdesk) -> None:
    code = code_for(salesdesk)
    answer = salesdesk.call(
        "POST",
        "/oauth/token",
        token=None,
        data={
            "client_id": APP["client_id"],
            "client_secret": "wrong",
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
        },
    )
    assert (answer.status_code, answer.get_json()["error"]) == (401, "invalid_client")


def test_a_token_carries_its_users_role(salesdesk: Salesdesk) -> None:
    code = code_for(salesdesk, login_hint="tom.baker@northwind-sales.example")  # the agent
    _, body = tokens(
        salesdesk, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    )
    listed = salesdesk.call("GET", "/api/orders", token=body["access_token"]).get_json()
    assert isinstance(listed, list)  # paging off for an agent


def test_errors_are_laravel_shaped_and_change_nothing(salesdesk: Salesdesk) -> None:
    before = salesdesk.snapshot()
    for token in (None, "not-a-token"):
        answer = salesdesk.call("GET", "/api/customers", token=token)
        assert (answer.status_code, answer.get_json()) == (401, {"message": "Unauthenticated."})
    missing = salesdesk.call("GET", "/api/customers/99999")
    assert missing.status_code == 404 and set(missing.get_json()) == {"message"}
    invalid = salesdesk.call("POST", "/api/customers", json={"email": "not-an-email", "x": 1})
    body = invalid.get_json()
    assert invalid.status_code == 422 and body["message"] == "The given data was invalid."
    assert body["errors"]["name"] == ["The name field is required."]
    assert "email" in body["errors"]
    assert salesdesk.snapshot() == before


def test_timestamps_are_laravel_formatted_and_updated_at_moves(salesdesk: Salesdesk) -> None:
    salesdesk.engine.clock.freeze()
    try:
        created = salesdesk.call(
            "POST", "/api/customers", json={"name": "Acme Ltd", "email": "ops@acme.example"}
        ).get_json()
        assert LARAVEL_TIME.match(created["created_at"])
        assert created["created_at"] == created["updated_at"]
        salesdesk.engine.clock.advance(61)
        patched = salesdesk.call(
            "PATCH", f"/api/customers/{created['id']}", json={"city": "Leeds"}
        ).get_json()
    finally:
        salesdesk.engine.clock.reset()
    assert patched["created_at"] == created["created_at"]
    assert patched["updated_at"] > created["updated_at"] and patched["city"] == "Leeds"
    assert patched["status"] == "active"  # the default


def test_an_account_never_sees_another_accounts_records(salesdesk: Salesdesk) -> None:
    created = salesdesk.call(
        "POST", "/api/customers", json={"name": "Only Ours", "email": "a@b.example"}
    ).get_json()
    theirs = salesdesk.call("GET", f"/api/customers/{created['id']}", token=OTHER_ADMIN)
    assert theirs.status_code == 404
