"""The reference client's properties, as Hypothesis tests built for one mock and one client.

Each ``*_property`` returns a runnable Hypothesis test, so the suites run it against the correct
client and ``test_planted_bugs`` runs the very same property against a client with a planted bug
and expects it to fail.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from examples.robaws_client import Bug
from examples.robaws_client import RobawsClient
from mockserver.pytest_plugin import MockSleep
from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle

VDB = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")  # tenant vdb-bouw, admin
CLAES = ("demo4e8b2d6f90a1c37e", "demo1a3c5e7f9b2d4f6a8c0e2b4d6f8a1c3e")  # tenant claes-renovatie
BASE = "http://robaws.mock.test/robaws"

# The app fixture is function-scoped on purpose (one fresh mock per test); each example resets
# what it relies on itself.
# No "explain" phase: it re-draws the schema-generated templates hundreds of times (40 s) only to
# annotate the report.
FAST = settings(
    max_examples=25,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


ClientFactory = Callable[..., RobawsClient]


class LosesAnswers(httpx.BaseTransport):
    """Delivers each request to the app, but loses the answer of the first ``lost`` POSTs (a
    timeout after the server has done the work): the case idempotency keys exist for."""

    def __init__(self, app: Flask, lost: int) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.lost = lost

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and self.lost > 0:
            self.lost -= 1
            raise httpx.ReadTimeout("answer lost after the server processed it", request=request)
        return response


def client_factory(
    app: Flask, bugs: frozenset[Bug] = frozenset(), lose_posts: int = 0
) -> ClientFactory:
    """Clients whose pauses advance the mock clock (``MockSleep``): the mock's token bucket
    refills during a back-off exactly as it would in real time, and no test ever waits."""
    handle = MockHandle(app)

    def make(credential: tuple[str, str] = VDB, sleeper: MockSleep | None = None) -> RobawsClient:
        return RobawsClient(
            BASE,
            *credential,
            transport=LosesAnswers(app, lose_posts),
            sleep=sleeper if sleeper is not None else MockSleep(handle),
            bugs=bugs,
        )

    return make


def basic(credential: tuple[str, str]) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(":".join(credential).encode()).decode()}


def ids(items: list[Any]) -> list[Any]:
    return [item["id"] for item in items]


def fresh(handle: MockHandle) -> None:
    """Between examples: no overrides, an empty journal (the seed data is only read)."""
    handle.fuzz.clear()
    handle.engine.journal.clear()


def no_violations(handle: MockHandle) -> None:
    found = handle.violations()
    assert not found, "\n".join(str(v) for v in found)


# against fuzzed answers ------------------------------------------------------------------------


def paging_property(
    handle: MockHandle, make: ClientFactory, examples: int = 15, **overrides: Any
) -> Callable:
    """Every paging edge in every example (a loop, not a draw: random draws can miss 101 items),
    plus one random size; Hypothesis varies the items and shrinks them on failure."""
    runtime = handle.runtime("robaws")
    edges = ms.paging_edges(runtime, "listClients")

    @settings(FAST, max_examples=examples, **overrides)
    @given(
        templates=ms.item_templates(runtime, "listClients"),
        size=st.integers(0, 3 * ms.page_sizes(runtime, runtime.operation_for("listClients"))[0]),
    )
    def collects_every_item(templates: list[Any], size: int) -> None:
        for count in [*edges, size]:
            items = ms.expand(runtime, "listClients", templates, count)
            fresh(handle)
            handle.fuzz.respond("robaws", "listClients", items=items)
            assert ids(make().list_clients()) == ids(items), f"with {count} items"
            no_violations(handle)

    return collects_every_item


def rate_limit_property(handle: MockHandle, make: ClientFactory, examples: int = 25) -> Callable:
    runtime = handle.runtime("robaws")

    @settings(FAST, max_examples=examples)
    @given(
        limited=st.lists(ms.rate_limited(runtime, "listClients"), min_size=1, max_size=3),
        items=ms.collections(runtime, "listClients", max_items=30),
    )
    def waits_and_retries(limited: list[ms.CannedResponse], items: list[Any]) -> None:
        fresh(handle)
        handle.fuzz.respond("robaws", "listClients", limited, items=items)
        sleeper = MockSleep(handle)
        assert ids(make(sleeper=sleeper).list_clients()) == ids(items)
        # one pause per 429 at least (more when X-RateLimit-Remaining said the bucket was low)
        assert len(sleeper.calls) >= len(limited)
        assert all(pause >= 1.0 for pause in sleeper.calls)
        no_violations(handle)

    return waits_and_retries


def create_retry_property(handle: MockHandle, make: ClientFactory, examples: int = 20) -> Callable:
    runtime = handle.runtime("robaws")

    @settings(FAST, max_examples=examples)
    @given(
        limited=st.lists(ms.rate_limited(runtime, "createClient"), min_size=1, max_size=3),
        name=st.text(min_size=1, max_size=40).filter(str.strip),
    )
    def retries_reuse_the_key(limited: list[ms.CannedResponse], name: str) -> None:
        fresh(handle)
        handle.fuzz.respond("robaws", "createClient", limited)
        created = make().create_client({"name": name})
        assert created["name"] == name
        calls = handle.verify("robaws", "POST /api/v2/clients", times=len(limited) + 1)
        keys = [call.request_headers.get("Idempotency-Key") for call in calls]
        assert None not in keys, f"a create was sent without its Idempotency-Key: {keys}"
        assert len(set(keys)) == 1, f"a retry changed the Idempotency-Key: {keys}"
        no_violations(handle)

    return retries_reuse_the_key


def low_bucket_property(handle: MockHandle, make: ClientFactory, examples: int = 30) -> Callable:
    runtime = handle.runtime("robaws")

    @settings(FAST, max_examples=examples)
    @given(answer=ms.responses(runtime, "listClients", 200))
    def pauses_when_the_bucket_runs_low(answer: ms.CannedResponse) -> None:
        fresh(handle)
        handle.fuzz.respond("robaws", "listClients", [answer])
        sleeper = MockSleep(handle)
        make(sleeper=sleeper).request("GET", "/api/v2/clients")
        remaining = answer.headers.get("X-RateLimit-Remaining")
        low = remaining is not None and 0 <= int(remaining) <= 1  # -1: the limiter is down
        assert sleeper.calls == ([1.0] if low else [])

    return pauses_when_the_bucket_runs_low


def lost_answer_property(app: Flask, bugs: frozenset[Bug] = frozenset()) -> Callable:
    """Against the real idempotency feature: a create whose answer is lost, retried, exists once."""
    handle = MockHandle(app)

    @settings(FAST, max_examples=10)
    @given(name=st.text(min_size=1, max_size=40).filter(str.strip), lost=st.integers(1, 2))
    def creates_exactly_once(name: str, lost: int) -> None:
        handle.reset()
        client = client_factory(app, bugs, lose_posts=lost)()
        created = client.create_client({"name": name})
        named = [c for c in client.list_clients() if c["name"] == name]
        assert ids(named) == [created["id"]], f"{len(named)} clients named {name!r}"
        calls = handle.verify("robaws", "createClient", times=lost + 1)
        assert calls[-1].response_headers.get("Idempotent-Replayed") == "true"

    return creates_exactly_once


def drain_bucket(app: Flask, credential: tuple[str, str] = VDB) -> int:
    """Another integration on the same credential spends the token bucket until a 429."""
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url=BASE) as http:
        for sent in range(1, 100):
            if http.get("/api/v2/clients/1", headers=basic(credential)).status_code == 429:
                return sent
    raise AssertionError("the rate limit never answered 429")
