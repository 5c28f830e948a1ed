"""Each planted bug in the reference client is caught by the same properties the correct client
passes, and Hypothesis reports (and replays) the smallest answer that shows it."""

from __future__ import annotations

import unittest
from typing import Any

import pytest
from flask import Flask
from hypothesis import Phase
from hypothesis.database import InMemoryExampleDatabase

from contract_tests.clients.properties import client_factory
from contract_tests.clients.properties import create_retry_property
from contract_tests.clients.properties import drain_bucket
from contract_tests.clients.properties import lost_answer_property
from contract_tests.clients.properties import paging_property
from contract_tests.clients.properties import rate_limit_property
from examples.robaws_client import Bug
from examples.robaws_client import RobawsError
from mockserver.testing.handle import MockHandle

pytestmark = pytest.mark.mockserver(apis=["robaws"], clock=True)  # frozen: exact limits


def served_sizes(handle: MockHandle) -> list[int]:
    """Record how many items each example served; Hypothesis runs the shrunk example last."""
    sizes: list[int] = []
    original = handle.fuzz.respond

    def counting(*args: Any, **kwargs: Any) -> None:
        sizes.append(len(kwargs.get("items") or []))
        original(*args, **kwargs)

    handle.fuzz.respond = counting  # type: ignore[method-assign]
    return sizes


def test_stopping_one_page_early_is_caught_at_the_max_page_size_edge(mock_app: Flask) -> None:
    handle = MockHandle(mock_app)
    sizes = served_sizes(handle)
    buggy = client_factory(mock_app, frozenset({Bug.STOPS_PAGING_EARLY}))
    with pytest.raises(AssertionError, match="with 101 items"):
        paging_property(handle, buggy)()
    # The client pages at size 100: the first failing size is one item past a full page, and
    # random sizes up to three default pages (30) would never have found it.
    assert sizes[-1] == 101


def test_stopping_one_page_early_is_caught_by_the_stateful_mock(mock_app: Flask) -> None:
    buggy = client_factory(mock_app, frozenset({Bug.STOPS_PAGING_EARLY}))
    correct = client_factory(mock_app)
    assert len(correct().list_clients()) == 25  # the seed: 25 clients per tenant
    assert len(list(buggy().iter_pages("/api/v2/clients", size=10))) == 20  # read 2 of 3 pages


def test_retrying_a_create_without_its_key_is_caught(mock_app: Flask) -> None:
    buggy = client_factory(mock_app, frozenset({Bug.RETRIES_WITHOUT_IDEMPOTENCY_KEY}))
    with pytest.raises(AssertionError, match="without its Idempotency-Key"):
        create_retry_property(MockHandle(mock_app), buggy)()


def test_retrying_a_create_without_its_key_duplicates_it_on_the_real_mock(mock_app: Flask) -> None:
    with pytest.raises(AssertionError, match="2 clients named"):
        lost_answer_property(mock_app, frozenset({Bug.RETRIES_WITHOUT_IDEMPOTENCY_KEY}))()


def test_ignoring_429_is_caught_by_the_real_rate_limit(mock_app: Flask) -> None:
    client = client_factory(mock_app, frozenset({Bug.IGNORES_429}))()
    drain_bucket(mock_app)
    with pytest.raises(RobawsError, match="429"):
        client.list_clients()


def test_ignoring_429_is_caught(mock_app: Flask) -> None:
    handle = MockHandle(mock_app)
    sizes = served_sizes(handle)
    buggy = client_factory(mock_app, frozenset({Bug.IGNORES_429}))
    with pytest.raises(RobawsError, match="429"):
        rate_limit_property(handle, buggy)()
    assert sizes[-1] == 0  # shrunk to one 429 in front of an empty collection


def test_a_failing_example_is_replayed_on_the_next_run(mock_app: Flask) -> None:
    handle = MockHandle(mock_app)
    buggy = client_factory(mock_app, frozenset({Bug.STOPS_PAGING_EARLY}))
    database = InMemoryExampleDatabase()
    replay_only = {"database": database, "phases": [Phase.reuse]}  # no new examples at all
    with pytest.raises(unittest.SkipTest):  # nothing saved yet: Hypothesis has nothing to run
        paging_property(handle, buggy, **replay_only)()
    with pytest.raises(AssertionError):
        paging_property(handle, buggy, database=database)()
    assert any(database.data.values()), "the shrunk example was saved"
    with pytest.raises(AssertionError, match="with 101 items"):
        paging_property(handle, buggy, **replay_only)()  # fails from the saved example alone
