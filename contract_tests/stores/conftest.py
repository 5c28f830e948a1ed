"""A fresh, empty store of every backend; each test runs once per backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from contract_tests.backends import BACKENDS
from contract_tests.backends import fresh_settings
from mockserver.engine import open_store
from mockserver.settings import Settings
from mockserver.state.store import Store


def new_store(backend: str, **changes: Any) -> Store:
    return open_store(Settings().replace(**{**fresh_settings(backend), **changes}))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str) -> Iterator[Store]:
    opened = new_store(backend)
    yield opened
    opened.close()
