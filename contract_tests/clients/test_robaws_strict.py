"""The Robaws reference client against the real (stateful) mock in strict mode: every request it
sends is checked against the spec at the end of each test, besides what each test asserts."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import httpx
import pytest
from flask import Flask
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from contract_tests.clients.properties import BASE
from contract_tests.clients.properties import CLAES
from contract_tests.clients.properties import FAST
from contract_tests.clients.properties import VDB
from contract_tests.clients.properties import basic
from contract_tests.clients.properties import client_factory
from contract_tests.clients.properties import drain_bucket
from contract_tests.clients.properties import fresh
from contract_tests.clients.properties import ids
from contract_tests.clients.properties import lost_answer_property
from contract_tests.clients.properties import no_violations
from examples.robaws_client import verify_signature
from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle

pytestmark = pytest.mark.mockserver(apis=["robaws"], strict=True, clock=True)  # exact limits


def total_clients(app: Flask, credential: tuple[str, str]) -> int:
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE) as http:
        page = http.get("/api/v2/clients", params={"size": 1}, headers=basic(credential))
    return int(page.json()["totalItems"])


def test_lists_every_client_of_the_tenant_at_any_page_size(mock_app: Flask) -> None:
    handle, make = MockHandle(mock_app), client_factory(mock_app)
    totals = {cred: total_clients(mock_app, cred) for cred in (VDB, CLAES)}

    @settings(FAST, max_examples=30)
    @given(size=st.integers(1, 100), credential=st.sampled_from([VDB, CLAES]))
    def lists_everything(size: int, credential: tuple[str, str]) -> None:
        fresh(handle)
        found = ids(list(make(credential).iter_pages("/api/v2/clients", size=size)))
        assert len(found) == len(set(found)) == totals[credential]
        handle.verify("robaws", "listClients", times=-(-totals[credential] // size))
        no_violations(handle)

    lists_everything()


def test_creates_with_a_key_and_reads_back(mock_app: Flask) -> None:
    handle, make = MockHandle(mock_app), client_factory(mock_app)
    runtime = handle.runtime("robaws")

    @settings(FAST, max_examples=15)
    @given(body=ms.request_bodies(runtime, "createClient"))
    def round_trip(body: dict[str, Any]) -> None:
        fresh(handle)
        client = make()
        created = client.create_client(body)
        assert client.get_client(created["id"]) == created
        assert created["name"] == body["name"]
        (call,) = handle.verify("robaws", "POST /api/v2/clients", times=1, json_contains=body)
        assert call.request_headers.get("Idempotency-Key")
        no_violations(handle)

    round_trip()


def test_patches_with_a_merge_patch(mock_app: Flask, mock_journal: Any) -> None:
    client = client_factory(mock_app)()
    first = client.list_clients()[0]
    patched = client.patch_client(first["id"], {"notes": "called back"})
    assert patched["notes"] == "called back"
    mock_journal.verify(
        "robaws",
        "PATCH /api/v2/clients/{clientId}",
        times=1,
        json_contains={"notes": "called back"},
        headers={"Content-Type": "application/merge-patch+json"},
    )


@settings(max_examples=50, deadline=None)
@given(
    body=st.binary(max_size=200), secret=st.text(min_size=1, max_size=40), t=st.integers(0, 2**33)
)
def test_webhook_signatures_verify_and_tampering_does_not(body: bytes, secret: str, t: int) -> None:
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    header = f"t={t},v1={digest}"
    assert verify_signature(header, body, secret, now=t + 10)
    assert not verify_signature(header, body + b"x", secret, now=t + 10)
    assert not verify_signature(header, body, secret + "x", now=t + 10)
    assert not verify_signature(header, body, secret, now=t + 301)  # replayed too late
    assert not verify_signature(f"t={t},v0={digest}", body, secret, now=t)  # unknown scheme


def test_a_create_whose_answer_was_lost_exists_once(mock_app: Flask) -> None:
    lost_answer_property(mock_app)()


def test_backing_off_keeps_the_client_within_the_real_rate_limit(mock_app: Flask) -> None:
    """25 pages of one client each, past the burst of 20: the pauses refill the bucket."""
    handle, sleep = MockHandle(mock_app), None
    client = client_factory(mock_app)()
    sleep = client.sleep
    assert len(list(client.iter_pages("/api/v2/clients", size=1))) == 25
    assert handle.requests("robaws", "listClients", status=429) == []
    assert sleep.calls and all(pause == 1.0 for pause in sleep.calls)  # type: ignore[attr-defined]


def test_a_429_from_the_real_rate_limit_is_waited_out(mock_app: Flask) -> None:
    """Another integration spent the credential's bucket: the client pauses and gets through."""
    client = client_factory(mock_app)()
    assert drain_bucket(mock_app) == 21  # burst 20
    assert len(client.list_clients()) == 25
    assert client.sleep.calls[0] == 1.0  # type: ignore[attr-defined]
