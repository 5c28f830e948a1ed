"""The dashboard over a real ``mockserver serve --workers 2`` on SQLite: whichever worker answers
the page's polls, it shows every request once, and one mock clock."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import httpx
import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from contract_tests.backends import fresh_settings
from contract_tests.stores.test_serve_processes import AUTH
from contract_tests.stores.test_serve_processes import serve

pytestmark = pytest.mark.socket


def shown_at(epoch: float) -> str:
    """The page's way of writing a mock-clock instant."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def test_two_workers_show_one_journal_and_one_clock(browser: Browser) -> None:
    flags = ("--store", "sqlite", "--data-dir", str(fresh_settings("sqlite")["data_dir"]))
    with serve(*flags, "--workers", "2", "--rate-limit", "off") as server:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        try:
            page.goto(f"{server.url}/__admin/ui#requests")
            expect(page.locator("#connection")).to_have_text("connected", timeout=10_000)
            with httpx.Client(headers=AUTH, timeout=10) as client:
                # New connections, so both workers answer some of them.
                for n in range(30):
                    client.get(
                        f"{server.clients}?page=0&size=1&n={n}", headers={"Connection": "close"}
                    )
            pids = {httpx.get(f"{server.url}/__admin/health").json()["pid"] for _ in range(20)}
            rows = page.locator("#journal tbody tr")
            expect(rows).to_have_count(30, timeout=10_000)
            ids = [int(i) for i in rows.evaluate_all("rows => rows.map(r => r.dataset.id)")]
            assert ids == sorted(ids, reverse=True) and len(set(ids)) == 30
            assert len(pids) == 2, "both workers should have answered health checks"

            page.goto(f"{server.url}/__admin/ui#controls")
            expect(page.locator(".per-worker").first).to_be_visible()
            page.click("#clock-freeze")
            expect(page.locator("#clock-mode")).to_have_text("frozen")
            frozen = httpx.get(f"{server.url}/__admin/clock").json()["epoch"]
            page.click("button[data-advance='86400']")
            expect(page.locator("#clock-now")).not_to_have_text(shown_at(frozen))
            clocks = {httpx.get(f"{server.url}/__admin/clock").json()["epoch"] for _ in range(10)}
            assert clocks == {frozen + 86400}  # frozen, a day on, the same in both workers
            expect(page.locator("#clock-now")).to_have_text(shown_at(frozen + 86400))
        finally:
            page.close()
