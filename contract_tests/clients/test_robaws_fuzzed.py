"""The Robaws reference client against generated answers: every paging edge, 429s with and
without their headers, and create retries (see properties.py for what each property asserts)."""

from __future__ import annotations

import pytest
from flask import Flask

from contract_tests.clients.properties import client_factory
from contract_tests.clients.properties import create_retry_property
from contract_tests.clients.properties import low_bucket_property
from contract_tests.clients.properties import paging_property
from contract_tests.clients.properties import rate_limit_property
from mockserver.testing.handle import MockHandle

pytestmark = pytest.mark.mockserver(apis=["robaws"], strict=True)


def test_collects_every_item_at_every_paging_edge(mock_app: Flask) -> None:
    paging_property(MockHandle(mock_app), client_factory(mock_app))()


def test_waits_a_second_and_retries_each_429(mock_app: Flask) -> None:
    rate_limit_property(MockHandle(mock_app), client_factory(mock_app))()


def test_create_retries_reuse_the_idempotency_key(mock_app: Flask) -> None:
    create_retry_property(MockHandle(mock_app), client_factory(mock_app))()


def test_pauses_a_second_when_the_bucket_runs_low(mock_app: Flask) -> None:
    low_bucket_property(MockHandle(mock_app), client_factory(mock_app))()
