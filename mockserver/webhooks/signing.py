"""Signing profiles: the headers a delivery carries so the receiver can trust it.

- ``robaws-signature`` (documented by Robaws): ``Robaws-Signature: t=<unix>,v1=<hex>`` where
  ``hex`` is HMAC-SHA256 of ``"<t>.<raw body>"`` keyed with the endpoint secret (a UUID).
- ``standard-webhooks`` (Standard Webhooks v1, via the ``standardwebhooks`` package):
  ``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64>`` with a ``whsec_``
  secret. Used for APIs whose vendor documents no signature (Installer.com): invented there.

Signature timestamps are wall-clock seconds, not mock-clock ones: receivers check them against
their own clock for replay protection, and a test that freezes the mock in 2030 must still verify.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from datetime import UTC
from datetime import datetime
from typing import Protocol

from standardwebhooks.webhooks import Webhook


class Signer(Protocol):
    def new_secret(self) -> str: ...
    def headers(self, secret: str, message_id: str, body: bytes, at: int) -> dict[str, str]: ...


class RobawsSignature:
    header = "Robaws-Signature"

    def new_secret(self) -> str:
        return str(uuid.uuid4())

    def headers(self, secret: str, message_id: str, body: bytes, at: int) -> dict[str, str]:
        return {self.header: f"t={at},v1={robaws_hmac(secret, at, body)}"}


def robaws_hmac(secret: str, at: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()


class StandardWebhooksSignature:
    def new_secret(self) -> str:
        return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()

    def headers(self, secret: str, message_id: str, body: bytes, at: int) -> dict[str, str]:
        moment = datetime.fromtimestamp(at, tz=UTC)
        signature = Webhook(secret).sign(message_id, moment, body.decode())
        return {
            "webhook-id": message_id,
            "webhook-timestamp": str(at),
            "webhook-signature": signature,
        }


SIGNERS: dict[str, Signer] = {
    "robaws-signature": RobawsSignature(),
    "standard-webhooks": StandardWebhooksSignature(),
}
