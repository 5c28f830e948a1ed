"""Fuzzed collections in every paging style the engine knows, walked by the generic client.

The small shop spec of the engine tests, with its pagination swapped per style: the fuzz mode cuts
pages with the API's own paginator, so a client walking ``next`` links (DRF), ``next_page_url``
(Laravel) or ``totalPages`` (Robaws) must meet every item exactly once.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from contract_tests.engine.conftest import DATA
from examples.generic_client import Backoff
from examples.generic_client import GenericClient
from examples.generic_client import NextLinks
from examples.generic_client import PageNumbers
from examples.generic_client import Paging
from mockserver import Settings
from mockserver import create_app
from mockserver.pytest_plugin import MockSleep
from mockserver.testing import CannedResponse
from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle

STYLES: dict[str, tuple[dict[str, Any], Paging]] = {
    "page-size": (
        {"style": "page-size", "page-param": "page", "size-param": "size", "first-page": 0,
         "default-size": 10, "max-size": 100},
        PageNumbers(size=7),
    ),
    "limit-offset": (
        {"style": "limit-offset", "limit-param": "limit", "offset-param": "offset",
         "default-size": 10},
        NextLinks(items="results", next="next", first_params={"limit": 7}),
    ),
    "laravel": (
        {"style": "laravel", "page-param": "page", "size-param": "size", "default-size": 15},
        NextLinks(items="data", next="next_page_url", first_params={"page": 1, "size": 7}),
    ),
}  # fmt: skip
SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def shop_with(paging: dict[str, Any], where: Path) -> Flask:
    document = yaml.safe_load((DATA / "shop.yaml").read_text(encoding="utf-8"))
    document["x-mock"]["pagination"] = paging
    (where / "shop.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    shutil.copytree(DATA / "fixtures", where / "fixtures")
    return create_app(Settings(apis=("shop",), specs_dir=where, fixtures_dir=where / "fixtures"))


def client(app: Flask, paging: Paging, **options: Any) -> GenericClient:
    return GenericClient(
        "http://shop.mock.test/shop/api",
        paging=paging,
        auth=("north-key", "north-secret"),
        transport=httpx.WSGITransport(app=app),
        **options,
    )


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_item_once_in_each_paging_style(style: str, tmp_path: Path) -> None:
    config, paging = STYLES[style]
    app = shop_with(config, tmp_path)
    handle = MockHandle(app)
    runtime = handle.runtime("shop")

    @SETTINGS
    @given(items=ms.collections(runtime, "listProducts", max_items=40))
    def walks_everything(items: ms.Items) -> None:
        handle.fuzz.respond("shop", "listProducts", items=items)
        found = list(client(app, paging, sleep=MockSleep(handle)).iter_items("/products"))
        assert [i["id"] for i in found] == [i["id"] for i in items]
        assert not handle.violations()
        handle.engine.journal.clear()

    walks_everything()


def test_backoff_honours_retry_after_else_doubles(tmp_path: Path) -> None:
    config, paging = STYLES["limit-offset"]
    app = shop_with(config, tmp_path)
    handle = MockHandle(app)

    @SETTINGS
    @given(retry_after=st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=1, max_size=4))
    def waits_as_told(retry_after: list[int | None]) -> None:
        script = [
            CannedResponse(
                429, {"message": "Too Many Attempts."}, {} if s is None else {"Retry-After": str(s)}
            )
            for s in retry_after
        ]
        handle.fuzz.respond("shop", "listProducts", script, items=[])
        sleeper = MockSleep(handle)
        backoff = Backoff(first=1.0, factor=2.0, cap=30.0, attempts=len(script) + 1)
        assert (
            list(client(app, paging, sleep=sleeper, backoff=backoff).iter_items("/products")) == []
        )
        expected = [
            min(float(s), 30.0) if s is not None else min(2.0**n, 30.0)
            for n, s in enumerate(retry_after)
        ]
        assert sleeper.calls == expected

    waits_as_told()
