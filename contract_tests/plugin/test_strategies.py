"""Generated answers are answers the spec allows: the mock's own response checker accepts each."""

from __future__ import annotations

import pytest
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle
from mockserver.validation.response import ResponseValidator

pytestmark = pytest.mark.mockserver(apis=["robaws"])
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.mockserver(apis=["robaws", "robosize", "salesdesk", "installer"])
@pytest.mark.parametrize("api", ["robaws", "robosize", "salesdesk", "installer"])
def test_every_documented_answer_of_every_operation_is_spec_valid(
    mock_app: Flask, api: str
) -> None:
    handle = MockHandle(mock_app)
    runtime = handle.runtime(api)
    pairs = [
        (op.operation_id, status)
        for op in runtime.spec.operations
        for status in sorted(op.documented_statuses())
    ]

    @SETTINGS
    @given(data=st.data(), pair=st.sampled_from(pairs))
    def valid(data: st.DataObject, pair: tuple[str, int]) -> None:
        operation_id, status = pair
        op = runtime.operation_for(operation_id)
        answer = data.draw(ms.responses(runtime, operation_id, status))
        response = answer.to_response()
        problems = ResponseValidator(op, runtime.views).problems(
            response.status_code, response.content_type, response.get_data()
        )
        assert not problems

    valid()


def test_429_comes_with_and_without_its_headers(mock_app: Flask) -> None:
    runtime = MockHandle(mock_app).runtime("robaws")
    seen: set[bool] = set()

    @settings(SETTINGS, derandomize=True)  # a coverage claim: the same examples on every run
    @given(answer=ms.rate_limited(runtime, "listClients"))
    def record(answer: ms.CannedResponse) -> None:
        assert answer.status == 429 and answer.body is None  # Robaws' 429 has an empty body
        seen.add("X-RateLimit-Remaining" in answer.headers)
        if answer.headers:
            assert int(answer.headers["X-RateLimit-Remaining"]) >= -1

    record()
    assert seen == {True, False}


def test_error_answers_cover_every_documented_error_status(mock_app: Flask) -> None:
    runtime = MockHandle(mock_app).runtime("robaws")
    documented = ms.error_statuses(runtime, "createClient")
    assert documented == [400, 401, 403, 409, 415, 422, 429]
    seen: set[int] = set()

    @settings(SETTINGS, max_examples=100, derandomize=True)
    @given(answer=ms.error_responses(runtime, "createClient"))
    def record(answer: ms.CannedResponse) -> None:
        seen.add(answer.status)

    record()
    assert seen == set(documented)


def test_collections_reach_the_paging_edges_with_distinct_valid_items(mock_app: Flask) -> None:
    runtime = MockHandle(mock_app).runtime("robaws")
    op = runtime.operation_for("listClients")
    assert ms.page_sizes(runtime, op) == (10, 100)
    assert ms.edge_counts(10, 100) == [0, 1, 2, 9, 10, 11, 20, 21, 99, 100, 101, 200, 201]
    item_checker = runtime.views.response_validator("#/components/schemas/Client")
    sizes: set[int] = set()

    @settings(SETTINGS, max_examples=40, derandomize=True)
    @given(items=ms.collections(runtime, "listClients"))
    def record(items: ms.Items) -> None:
        sizes.add(len(items))
        assert len({item["id"] for item in items}) == len(items)
        assert all(item_checker.is_valid(item) for item in items)

    record()
    # edges are drawn often, not only random sizes up to three default pages
    assert len(sizes & set(ms.edge_counts(10, 100))) >= 5, sizes


def test_request_bodies_are_accepted_by_the_mock(mock_app: Flask) -> None:
    runtime = MockHandle(mock_app).runtime("robaws")
    checker = runtime.views.request_validator(
        runtime.operation_for("createClient").body.content["application/json"]  # type: ignore[union-attr]
    )

    @settings(SETTINGS, max_examples=30)
    @given(body=ms.request_bodies(runtime, "createClient"))
    def valid(body: dict) -> None:
        assert checker.is_valid(body)
        assert "id" not in body  # readOnly members are not sent

    valid()
