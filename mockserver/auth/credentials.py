"""Demo tenants, credentials, users and OAuth2 clients, from ``fixtures/<api>/tenants.yaml``.

A credential maps to a ``Principal``: the tenant whose data it sees (a tenant never sees another's),
the identity rate limits and idempotency keys are scoped to, its roles and its OAuth scopes.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

from mockserver.errors import SeedError


@dataclass(frozen=True)
class Principal:
    tenant: str
    subject: str  # the credential identity: rate-limit and idempotency scope
    roles: tuple[str, ...] = ()
    scopes: frozenset[str] | None = None  # None: not an OAuth token, no scope restriction
    user: str | None = None


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str
    tenant: str
    redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    name: str = ""


@dataclass
class Tenant:
    id: str
    name: str
    credentials: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)


def _same(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())


class CredentialBook:
    def __init__(self, tenants: list[Tenant], clients: list[OAuthClient]) -> None:
        self.tenants = tenants
        self.clients = {c.client_id: c for c in clients}

    @classmethod
    def load(cls, path: Path) -> CredentialBook:
        if not path.exists():
            raise SeedError(f"{path}: missing (every API needs its demo tenants)")
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        tenants = [
            Tenant(
                id=str(t["id"]),
                name=t.get("name", t["id"]),
                credentials=list(t.get("credentials", [])),
                users=list(t.get("users", [])),
            )
            for t in raw.get("tenants", [])
        ]
        if not tenants:
            raise SeedError(f"{path}: no tenants")
        clients = [
            OAuthClient(
                client_id=str(c["client_id"]),
                client_secret=str(c["client_secret"]),
                tenant=str(c.get("tenant", tenants[0].id)),
                redirect_uris=tuple(c.get("redirect_uris", [])),
                scopes=tuple(c.get("scopes", [])),
                name=c.get("name", ""),
            )
            for c in raw.get("oauth-clients", [])
        ]
        return cls(tenants, clients)

    def tenant(self, tenant_id: str) -> Tenant:
        for tenant in self.tenants:
            if tenant.id == tenant_id:
                return tenant
        raise KeyError(tenant_id)

    def _principal(self, tenant: Tenant, credential: dict[str, Any], subject: str) -> Principal:
        roles = credential.get("roles") or ([credential["role"]] if credential.get("role") else [])
        return Principal(tenant.id, subject, tuple(roles), user=credential.get("user"))

    def basic(self, scheme: str, username: str, password: str) -> Principal | None:
        for tenant in self.tenants:
            for cred in tenant.credentials:
                if cred.get("scheme") != scheme or str(cred.get("username")) != username:
                    continue
                if _same(str(cred.get("password", "")), password):
                    return self._principal(tenant, cred, f"basic:{username}")
        return None

    def secret(self, scheme: str, field_name: str, value: str) -> Principal | None:
        """A static API key or bearer token declared for ``scheme``."""
        for tenant in self.tenants:
            for cred in tenant.credentials:
                if cred.get("scheme") == scheme and _same(str(cred.get(field_name, "")), value):
                    return self._principal(tenant, cred, f"{scheme}:{value[:12]}")
        return None

    def default_user(self, tenant_id: str) -> dict[str, Any]:
        users = self.tenant(tenant_id).users
        for user in users:
            if user.get("role") == "admin":
                return user
        return users[0] if users else {"id": "1", "role": "admin"}

    def user(self, tenant_id: str, user_id: str) -> dict[str, Any] | None:
        for user in self.tenant(tenant_id).users:
            if str(user.get("id")) == user_id or user.get("email") == user_id:
                return user
        return None
