"""Fuzzed collections are served in every paging style the engine knows, consistently page to page.

The small shop spec of the engine tests, with its pagination swapped per style: the fuzz mode cuts
pages with the API's own paginator, so a client walking ``next`` links (DRF), ``last_page``
(Laravel) or ``totalPages`` (Robaws) meets the same items exactly once.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask.testing import FlaskClient
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings

from contract_tests.engine.conftest import DATA
from contract_tests.engine.conftest import NORTH
from mockserver import Settings
from mockserver import create_app
from mockserver.testing import strategies as ms
from mockserver.testing.handle import MockHandle

STYLES = {
    "page-size": {"style": "page-size", "page-param": "page", "size-param": "size",
                  "first-page": 0, "default-size": 10, "max-size": 100},
    "limit-offset": {"style": "limit-offset", "limit-param": "limit", "offset-param": "offset",
                     "default-size": 10},
    "laravel": {"style": "laravel", "page-param": "page", "size-param": "size", "default-size": 15},
}  # fmt: skip


def walk_page_size(http: FlaskClient) -> list[Any]:
    found, page = [], 0
    while True:
        body = http.get(f"/shop/api/products?page={page}&size=7", headers=NORTH).get_json()
        found += body["items"]
        page += 1
        if page >= body["totalPages"]:
            return found


def follow(http: FlaskClient, first: str, items: str, following: str) -> list[Any]:
    found: list[Any] = []
    url: str | None = first
    while url:
        body = http.get(url.replace("http://localhost", ""), headers=NORTH).get_json()
        found += body[items]
        url = body[following]
    return found


WALKERS: dict[str, Callable[[FlaskClient], list[Any]]] = {
    "page-size": walk_page_size,
    "limit-offset": lambda http: follow(http, "/shop/api/products?limit=7", "results", "next"),
    "laravel": lambda http: follow(http, "/shop/api/products?size=7", "data", "next_page_url"),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_every_item_once_in_each_paging_style(style: str, tmp_path: Path) -> None:
    document = yaml.safe_load((DATA / "shop.yaml").read_text(encoding="utf-8"))
    document["x-mock"]["pagination"] = STYLES[style]
    (tmp_path / "shop.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    shutil.copytree(DATA / "fixtures", tmp_path / "fixtures")
    app = create_app(
        Settings(apis=("shop",), specs_dir=tmp_path, fixtures_dir=tmp_path / "fixtures")
    )
    handle, http = MockHandle(app), app.test_client()
    runtime = handle.runtime("shop")

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(items=ms.collections(runtime, "listProducts", max_items=40))
    def walks_everything(items: ms.Items) -> None:
        handle.fuzz.respond("shop", "listProducts", items=items)
        assert [i["id"] for i in WALKERS[style](http)] == [i["id"] for i in items]

    walks_everything()
