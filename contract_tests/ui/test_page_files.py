"""The dashboard's files as served (no browser): one page, its own assets, nothing else."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from mockserver import Settings
from mockserver import create_app
from mockserver.ui import STATIC


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app(Settings(apis=("robaws",)))


def test_the_page_and_its_assets_are_served_with_a_strict_policy(app: Flask) -> None:
    http = app.test_client()
    page = http.get("/__admin/ui")
    assert page.status_code == 200 and page.mimetype == "text/html"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(ui/[^"]+)"', html)
    assert sorted(assets) == ["ui/app.js", "ui/style.css"]
    for asset in assets:
        served = http.get(f"/__admin/{asset}")
        assert served.status_code == 200 and served.get_data()
    assert http.get("/__admin/ui/").status_code == 308
    assert http.get("/__admin/ui/nothing.js").status_code == 404


def test_no_file_of_the_page_refers_to_another_host() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        others = [
            url
            for url in re.findall(r"https?://[^\s\"'`)]+", text)
            # an SVG namespace name and a loopback placeholder are never fetched
            if not url.startswith(("http://www.w3.org/2000/svg", "http://127.0.0.1:"))
        ]
        assert not others, (path.name, others)


def test_every_admin_path_the_page_calls_exists(app: Flask) -> None:
    """The script's calls, read from its source, each answer something other than 404."""
    source = (STATIC / "app.js").read_text(encoding="utf-8")
    called = set(re.findall(r'call\(\s*[`"]([a-z-]+)', source))
    assert called >= {"requests", "traffic", "state", "clock", "rate-limits", "faults"}
    http = app.test_client()
    for name in sorted(called):
        assert http.get(f"/__admin/{name}").status_code != 404, name


def test_serve_names_the_dashboard_in_its_banner(app: Flask) -> None:
    from mockserver.cli import banner

    assert "dashboard: http://127.0.0.1:8080/__admin/ui" in banner(app, "http://127.0.0.1:8080")
