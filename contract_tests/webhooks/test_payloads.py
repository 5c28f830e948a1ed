"""Every event an API declares, caused by real writes over a socket, arrives as a payload that
validates against the spec's top-level ``webhooks`` entry for that event."""

from __future__ import annotations

from typing import Any

import pytest

from mockserver.testing.webhooks import WebhookReceiver

from .conftest import Mock

pytestmark = pytest.mark.socket

MERGE = {"Content-Type": "application/merge-patch+json"}


def writable(mock: Mock, resource: str, doc: dict[str, Any]) -> dict[str, Any]:
    """A seeded entity as a create body: the schema's readOnly members left out."""
    runtime = mock.engine.runtimes[mock.api]
    schema = runtime.spec.document["components"]["schemas"][
        runtime.spec.resources[resource].schema_name
    ]
    read_only = {k for k, v in schema.get("properties", {}).items() if v.get("readOnly")}
    return {k: v for k, v in doc.items() if k not in read_only}


def test_every_robaws_event_validates_against_its_webhooks_schema(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    webhook_receiver.subscribe(robaws.url, "robaws", ["*"])
    runtime = robaws.engine.runtimes["robaws"]
    expected: list[str] = []
    for name, resource in runtime.spec.resources.items():
        events = resource.events
        if not (events.created or events.updated):
            continue
        ops = {
            op.binding.action: op
            for op in runtime.spec.operations
            if op.binding.resource == name and op.binding.parent is None
        }
        listed = robaws.call("GET", f"{ops['list'].path}?size=1")
        assert listed.status_code == 200, listed.text
        seeded = listed.json()["items"][0]
        created = robaws.call("POST", ops["create"].path, json=writable(robaws, name, seeded))
        assert created.status_code == 201, (name, created.text)
        param = ops["patch"].path.rsplit("{", 1)[1].rstrip("}")
        path = ops["patch"].path.replace(f"{{{param}}}", created.json()["id"])
        change: dict[str, Any] = {}
        if events.fields_changed:  # touch a watched field too: article.stock-changed
            watched = next(iter(events.fields_changed.values()))[0]
            change = {watched: (created.json().get(watched) or 0) + 1}
        patched = robaws.call("PATCH", path, json=change, headers=MERGE)
        assert patched.status_code == 200, (name, patched.text)
        expected += [events.created or "", events.updated or "", *events.fields_changed]
    deliveries = webhook_receiver.wait_for(len(expected), timeout=10)
    assert sorted(d.json["event"] for d in deliveries) == sorted(expected)
    assert set(expected) == set(runtime.spec.document["webhooks"])  # all 25 declared events
    robaws.assert_payloads_valid(deliveries)
    webhook_receiver.assert_all_verified()


def test_with_response_validation_on_the_mock_checks_its_own_payloads(
    robaws: Mock, webhook_receiver: WebhookReceiver
) -> None:
    """A payload off its schema (here emitted by hand) is reported as a bug of the mock."""
    webhook_receiver.subscribe(robaws.url, "robaws", ["client.created"])
    emitted = robaws.admin(
        "POST", "/webhook-events", json={"api": "robaws", "type": "client.created", "data": {}}
    )
    assert emitted.status_code == 202
    errors = robaws.engine.internal_errors
    try:
        assert any('webhook client.created payload/data: "id" is a required' in e for e in errors)
    finally:
        errors.clear()  # expected here; the fixture fails on any left over
