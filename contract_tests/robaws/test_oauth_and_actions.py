"""OAuth2 authorization code flow, scopes, and the behaviour Robaws has beyond CRUD."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from contract_tests.robaws.conftest import Robaws

API = "/api/v2"
APP = {
    "client_id": "demo-marketplace-app",
    "client_secret": "demo-oauth-secret-6d2f8a0c4e1b3d5f7a9c",
}
PLANNING = {
    "client_id": "demo-planning-app",
    "client_secret": "demo-oauth-secret-1b3d5f7a9c6d2f8a0c4e",
}
REDIRECT = "http://127.0.0.1:8765/callback"


def authorize(
    robaws: Robaws, client: dict[str, str], redirect: str, **extra: str
) -> dict[str, list[str]]:
    query = {
        "client_id": client["client_id"],
        "redirect_uri": redirect,
        "response_type": "code",
        **extra,
    }
    response = robaws.call("GET", "/oauth2/authorize", as_=None, query_string=query)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == redirect
    return parse_qs(location.query)


def tokens(robaws: Robaws, form: dict[str, str]) -> tuple[int, dict[str, str]]:
    response = robaws.call("POST", "/oauth2/tokens", as_=None, data=form)
    return response.status_code, response.get_json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_authorization_code_flow_gives_a_working_bearer_token(robaws: Robaws) -> None:
    params = authorize(robaws, APP, REDIRECT, state="xyz-123")
    assert params["state"] == ["xyz-123"]
    status, token = tokens(
        robaws,
        {
            **APP,
            "grant_type": "authorization_code",
            "code": params["code"][0],
            "redirect_uri": REDIRECT,
        },
    )
    assert status == 200 and token["token_type"] == "Bearer" and token["expires_in"] > 0
    listed = robaws.call(
        "GET", f"{API}/clients?size=2", as_=None, headers=bearer(token["access_token"])
    )
    assert listed.status_code == 200 and len(listed.get_json()["items"]) == 2


def test_a_code_is_single_use_and_refresh_tokens_rotate(robaws: Robaws) -> None:
    code = authorize(robaws, APP, REDIRECT)["code"][0]
    exchange = {**APP, "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    _, first = tokens(robaws, exchange)
    status, again = tokens(robaws, exchange)
    assert (status, again["error"]) == (400, "invalid_grant")
    refresh = {**APP, "grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    status, second = tokens(robaws, refresh)
    assert status == 200 and second["access_token"] != first["access_token"]
    assert tokens(robaws, refresh)[0] == 400  # the old refresh token was rotated out


def test_tokens_expire_with_the_mock_clock(robaws: Robaws) -> None:
    code = authorize(robaws, APP, REDIRECT)["code"][0]
    _, token = tokens(
        robaws, {**APP, "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    )
    robaws.engine.clock.freeze()
    try:
        robaws.engine.clock.advance(token["expires_in"] + 1)
        expired = robaws.call(
            "GET", f"{API}/clients", as_=None, headers=bearer(token["access_token"])
        )
    finally:
        robaws.engine.clock.reset()
    robaws.assert_error(expired, 401)


def test_scopes_are_enforced(robaws: Robaws) -> None:
    code = authorize(robaws, PLANNING, "http://127.0.0.1:8766/callback")["code"][0]
    _, token = tokens(
        robaws,
        {
            **PLANNING,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": "http://127.0.0.1:8766/callback",
        },
    )
    assert "articles" not in token["scope"].split()
    allowed = robaws.call("GET", f"{API}/clients", as_=None, headers=bearer(token["access_token"]))
    refused = robaws.call("GET", f"{API}/articles", as_=None, headers=bearer(token["access_token"]))
    assert allowed.status_code == 200
    robaws.assert_error(refused, 403)


def test_authorize_refuses_unknown_clients_and_unregistered_redirects(robaws: Robaws) -> None:
    unknown = robaws.call(
        "GET",
        "/oauth2/authorize",
        as_=None,
        query_string={"client_id": "nope", "redirect_uri": REDIRECT},
    )
    robaws.assert_error(unknown, 401)
    elsewhere = robaws.call(
        "GET",
        "/oauth2/authorize",
        as_=None,
        query_string={"client_id": APP["client_id"], "redirect_uri": "https://evil.example/cb"},
    )
    robaws.assert_error(elsewhere, 403)


def test_token_endpoint_rejects_a_wrong_secret(robaws: Robaws) -> None:
    code = authorize(robaws, APP, REDIRECT)["code"][0]
    status, body = tokens(
        robaws,
        {
            **APP,
            "client_secret": "wrong",
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
        },
    )
    assert (status, body["error"]) == (401, "invalid_client")


def test_approving_a_purchase_invoice(robaws: Robaws) -> None:
    invoices = robaws.call("GET", f"{API}/purchase-invoices?size=100").get_json()["items"]
    draft = next(i for i in invoices if i["approvalStatus"] != "APPROVED")
    approved = robaws.call("POST", f"{API}/purchase-invoices/{draft['id']}/approve")
    assert approved.status_code == 200 and approved.get_json()["approvalStatus"] == "APPROVED"
    fetched = robaws.call("GET", f"{API}/purchase-invoices/{draft['id']}").get_json()
    assert fetched["approvalStatus"] == "APPROVED"
    robaws.assert_error(robaws.call("POST", f"{API}/purchase-invoices/{draft['id']}/approve"), 409)
    robaws.assert_error(robaws.call("POST", f"{API}/purchase-invoices/999999/approve"), 404)


def test_metadata_reports_the_tenant_and_the_database_mode(robaws: Robaws) -> None:
    live = robaws.call("GET", f"{API}/metadata").get_json()
    replica = robaws.call("GET", f"{API}/metadata", headers={"Database-Mode": "replica"}).get_json()
    assert (live["tenantId"], live["databaseMode"], replica["databaseMode"]) == (
        "vdb-bouw",
        "live",
        "replica",
    )
