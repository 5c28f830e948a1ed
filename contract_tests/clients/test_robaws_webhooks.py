"""The reference client's webhook side, end to end: it registers an endpoint through Robaws' API,
the mock delivers signed events to a receiver over a real socket, and ``verify_signature``
accepts exactly the genuine ones."""

from __future__ import annotations

import pytest

from contract_tests.clients.properties import VDB
from examples.robaws_client import RobawsClient
from examples.robaws_client import verify_signature
from mockserver.pytest_plugin import MockSleep
from mockserver.testing.handle import ServerHandle
from mockserver.testing.webhooks import WebhookReceiver

pytestmark = pytest.mark.mockserver(apis=["robaws"], strict=True)


def test_deliveries_verify_and_forgeries_do_not(
    mock_server: ServerHandle, mock_urls: dict[str, str], webhook_receiver: WebhookReceiver
) -> None:
    client = RobawsClient(mock_urls["robaws"], *VDB, sleep=MockSleep(mock_server))
    endpoint = client.register_webhook(webhook_receiver.url, ["client.created"])
    created = client.create_client({"name": "Webhook BV"})

    (delivery,) = webhook_receiver.wait_for(1)
    header = delivery.headers["robaws-signature"]
    assert delivery.json["event"] == "client.created"
    assert delivery.json["data"]["id"] == created["id"]
    assert verify_signature(header, delivery.body, endpoint["secret"])
    assert not verify_signature(
        header, delivery.body.replace(b"Webhook", b"Forged!"), endpoint["secret"]
    )
    assert not verify_signature(header, delivery.body, endpoint["secret"] + "x")
    mock_server.verify("robaws", "createWebhookEndpoint", times=1)
