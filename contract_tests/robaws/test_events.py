"""Writes become domain events named by each resource's ``events`` block (the webhook source)."""

from __future__ import annotations

from mockserver.events import Event

from .conftest import CLAES
from .conftest import Robaws

API = "/api/v2"


def capture(robaws: Robaws) -> tuple[list[Event], object]:
    seen: list[Event] = []
    return seen, robaws.engine.events.subscribe(seen.append)


def test_create_and_update_emit_their_events_with_the_rendered_entity(robaws: Robaws) -> None:
    seen, stop = capture(robaws)
    try:
        created = robaws.call("POST", f"{API}/clients", json={"name": "Event test"}).get_json()
        robaws.call(
            "PATCH",
            f"{API}/clients/{created['id']}",
            json={"name": "Renamed"},
            headers={"Content-Type": "application/merge-patch+json"},
        )
    finally:
        stop()  # type: ignore[operator]
    assert [e.type for e in seen] == ["client.created", "client.updated"]
    assert seen[0].data == created
    assert seen[1].data["name"] == "Renamed"
    assert {e.tenant for e in seen} == {"vdb-bouw"}


def test_stock_fields_add_stock_changed_and_other_fields_do_not(robaws: Robaws) -> None:
    article = robaws.call("GET", f"{API}/articles?size=1", as_=CLAES).get_json()["items"][0]
    seen, stop = capture(robaws)
    try:
        path = f"{API}/articles/{article['id']}"
        merge = {"Content-Type": "application/merge-patch+json"}
        robaws.call("PATCH", path, as_=CLAES, json={"name": "Renamed"}, headers=merge)
        stock = (article.get("totalStock") or 0) + 5
        robaws.call("PATCH", path, as_=CLAES, json={"totalStock": stock}, headers=merge)
    finally:
        stop()  # type: ignore[operator]
    assert [e.type for e in seen] == ["article.updated", "article.updated", "article.stock-changed"]


def test_a_rejected_write_emits_nothing(robaws: Robaws) -> None:
    seen, stop = capture(robaws)
    try:
        response = robaws.call("POST", f"{API}/clients", json={"name": 5})
    finally:
        stop()  # type: ignore[operator]
    assert response.status_code == 400
    assert seen == []
