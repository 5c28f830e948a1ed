"""A minimal OAuth2 authorization server (RFC 6749 authorization code + refresh token grants).

Shared by every API whose spec names these handlers (Robaws ``/oauth2/authorize`` and
``/oauth2/tokens``; salesdesk's Laravel Passport ``/oauth/authorize`` and ``/oauth/token``).
The mock has no login page: ``authorize`` approves at once as the tenant's first admin user, or
as the user named by ``login_hint`` when the request carries one.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit
from urllib.parse import urlunsplit

from mockserver import errors
from mockserver.auth.authenticate import access_token_namespace
from mockserver.auth.credentials import OAuthClient
from mockserver.handlers.context import Reply
from mockserver.handlers.context import RequestContext
from mockserver.handlers.registry import shared

CODE_TTL = 600.0
ACCESS_TTL = 3600.0
REFRESH_TTL = 30 * 86400.0


def _ns(ctx: RequestContext, kind: str) -> str:
    if kind == "access":
        return access_token_namespace(ctx.api)
    return f"{ctx.api}:oauth2:{kind}"


def _oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(
        status,
        {"error": error, "error_description": description},
        headers={"Cache-Control": "no-store"},
        content_type="application/json",
    )


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


@shared("oauth2-authorize")
def authorize(ctx: RequestContext) -> Reply:
    query = ctx.params.query
    client = ctx.runtime.book.clients.get(str(query.get("client_id", "")))
    if client is None:
        raise errors.ApiError(401, "Unknown client_id", code="invalid_client")
    redirect_uri = str(query.get("redirect_uri", ""))
    if redirect_uri not in client.redirect_uris:
        raise errors.forbidden("redirect_uri is not registered for this client")
    raw_scope = query.get("scope") or []
    requested = raw_scope if isinstance(raw_scope, list) else str(raw_scope).split()
    scopes = [s for s in requested if s in client.scopes] if requested else list(client.scopes)
    user = _user(ctx, client, str(query.get("login_hint", "")))
    code = secrets.token_urlsafe(24)
    grant = {
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "tenant": client.tenant,
        "user": str(user.get("id", "")),
        "roles": [user["role"]] if user.get("role") else [],
        "scopes": scopes,
    }
    ctx.runtime.store.key_set(_ns(ctx, "code"), code, grant, ctx.runtime.clock.now(), CODE_TTL)
    params = {"code": code}
    if query.get("state") is not None:
        params["state"] = str(query["state"])
    return Reply(302, headers={"Location": _with_query(redirect_uri, params)})


def _user(ctx: RequestContext, client: OAuthClient, hint: str) -> dict[str, Any]:
    book = ctx.runtime.book
    return (book.user(client.tenant, hint) if hint else None) or book.default_user(client.tenant)


@shared("oauth2-token")
def token(ctx: RequestContext) -> Reply:
    body = ctx.params.body or {}
    client = ctx.runtime.book.clients.get(str(body.get("client_id", "")))
    if client is None or str(body.get("client_secret", "")) != client.client_secret:
        return _oauth_error(401, "invalid_client", "Client authentication failed")
    store, now = ctx.runtime.store, ctx.runtime.clock.now()
    grant_type = body.get("grant_type")
    if grant_type == "authorization_code":
        code = str(body.get("code", ""))
        grant = store.key_get(_ns(ctx, "code"), code, now)
        if not grant or grant["client_id"] != client.client_id:
            return _oauth_error(
                400, "invalid_grant", "The authorization code is invalid or expired"
            )
        if grant["redirect_uri"] != body.get("redirect_uri"):
            return _oauth_error(
                400, "invalid_grant", "redirect_uri does not match the authorization"
            )
        store.key_delete(_ns(ctx, "code"), code)  # codes are single use
    elif grant_type == "refresh_token":
        refresh = str(body.get("refresh_token", ""))
        grant = store.key_get(_ns(ctx, "refresh"), refresh, now)
        if not grant or grant["client_id"] != client.client_id:
            return _oauth_error(400, "invalid_grant", "The refresh token is invalid or expired")
        store.key_delete(_ns(ctx, "refresh"), refresh)  # rotated on every use
    else:
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")
    return _issue(ctx, grant)


def _issue(ctx: RequestContext, grant: dict[str, Any]) -> Reply:
    store, now = ctx.runtime.store, ctx.runtime.clock.now()
    access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    store.key_set(_ns(ctx, "access"), access, grant, now, ACCESS_TTL)
    store.key_set(_ns(ctx, "refresh"), refresh, grant, now, REFRESH_TTL)
    body = {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": int(ACCESS_TTL),
        "refresh_token": refresh,
        "scope": " ".join(grant.get("scopes", [])),
    }
    return Reply(200, body, headers={"Cache-Control": "no-store"}, content_type="application/json")
