"""Check a request's credentials against the operation's security requirements.

The operation's ``security`` lists alternatives; each alternative names schemes that must all pass.
How a scheme is checked follows its ``securitySchemes`` type (``x-mock.auth`` may override):

- ``http basic``: key:secret pairs from the tenants file;
- ``http bearer``: static tokens from the tenants file, or tokens the mock issued;
- ``oauth2``: tokens the mock's own token endpoint issued, with their scopes;
- ``apiKey``: static keys in the declared query parameter, header or cookie.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from flask import Request

from mockserver import errors
from mockserver.auth.credentials import CredentialBook
from mockserver.auth.credentials import Principal
from mockserver.clock import Clock
from mockserver.spec.model import ApiSpec
from mockserver.spec.model import Operation
from mockserver.state.store import Store


def access_token_namespace(api: str) -> str:
    return f"{api}:oauth2:access"


@dataclass(frozen=True)
class _Outcome:
    principal: Principal | None = None
    presented: bool = False  # credentials for this scheme were present (valid or not)
    missing_scopes: tuple[str, ...] = ()


class Authenticator:
    def __init__(self, spec: ApiSpec, book: CredentialBook, store: Store, clock: Clock) -> None:
        self.spec = spec
        self.book = book
        self.store = store
        self.clock = clock
        self.kinds = {
            name: spec.config.auth_schemes.get(name) or _kind_of(scheme)
            for name, scheme in spec.security_schemes.items()
        }

    def authenticate(self, operation: Operation, request: Request) -> Principal | None:
        """The caller's principal; None for public operations. Raises 401/403."""
        if not operation.security or any(not alt for alt in operation.security):
            return None
        presented = False
        for alternative in operation.security:
            outcomes = [self._check(name, scopes, request) for name, scopes in alternative.items()]
            presented = presented or any(o.presented for o in outcomes)
            if all(o.principal for o in outcomes):
                missing = [s for o in outcomes for s in o.missing_scopes]
                if missing:
                    raise errors.forbidden(
                        "The access token lacks the scope(s) this operation needs: "
                        + ", ".join(missing)
                    )
                return outcomes[0].principal
        if presented:
            raise errors.ApiError(401, "Invalid credentials", code="invalid_credentials")
        raise errors.unauthenticated()

    def _check(self, scheme_name: str, scopes: list[str], request: Request) -> _Outcome:
        kind = self.kinds.get(scheme_name)
        scheme = self.spec.security_schemes.get(scheme_name, {})
        if kind == "basic":
            return self._basic(scheme_name, request)
        if kind in ("bearer", "oauth2-bearer"):
            return self._bearer(scheme_name, scopes, request, static=kind == "bearer")
        if kind == "api-key":
            return self._api_key(scheme_name, scheme, request)
        return _Outcome()

    def _basic(self, scheme_name: str, request: Request) -> _Outcome:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return _Outcome()
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return _Outcome(presented=True)
        username, sep, password = decoded.partition(":")
        if not sep:
            return _Outcome(presented=True)
        return _Outcome(self.book.basic(scheme_name, username, password), presented=True)

    def _bearer(
        self, scheme_name: str, scopes: list[str], request: Request, static: bool
    ) -> _Outcome:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            return _Outcome()
        token = header[7:].strip()
        principal = self.book.secret(scheme_name, "token", token) if token else None
        if principal is not None:
            return _Outcome(principal, presented=True)
        issued = self.store.key_get(access_token_namespace(self.spec.name), token, self.clock.now())
        if not issued:
            return _Outcome(presented=True)
        granted = frozenset(issued.get("scopes", []))
        principal = Principal(
            tenant=issued["tenant"],
            subject=f"oauth2:{issued['client_id']}:{issued.get('user', '')}",
            roles=tuple(issued.get("roles", [])),
            scopes=granted,
            user=issued.get("user"),
        )
        missing = tuple(s for s in scopes if s not in granted)
        return _Outcome(principal, presented=True, missing_scopes=missing)

    def _api_key(self, scheme_name: str, scheme: dict[str, Any], request: Request) -> _Outcome:
        name = scheme.get("name", "api_key")
        where = scheme.get("in", "header")
        source = {"query": request.args, "header": request.headers, "cookie": request.cookies}[
            where
        ]
        value = source.get(name)
        if not value:
            return _Outcome()
        return _Outcome(self.book.secret(scheme_name, "key", value), presented=True)


def _kind_of(scheme: dict[str, Any]) -> str:
    kind = scheme.get("type")
    if kind == "http":
        return "basic" if str(scheme.get("scheme", "")).lower() == "basic" else "bearer"
    if kind == "oauth2":
        return "oauth2-bearer"
    if kind == "apiKey":
        return "api-key"
    return "unsupported"
