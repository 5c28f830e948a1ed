"""Screenshots of every dashboard view, for docs/images/ (and a check that the page renders).

Starts a mock on a loopback port, makes the traffic a developer would (lists on all four APIs, a
request the mock rejects, one that breaks the contract quietly, webhooks to a receiver that fails
and one that answers), then opens /__admin/ui in headless Chromium and saves one PNG per view.

    python -m examples.dashboard_screenshots [out_dir] [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import httpx
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright

from mockserver import create_app
from mockserver.server import MockServer
from mockserver.settings import Settings
from mockserver.testing.webhooks import WebhookReceiver

VIEWS = ("requests", "webhooks", "state", "controls")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def make_traffic(base: str, healthy: WebhookReceiver, failing: WebhookReceiver) -> None:
    credentials = httpx.get(f"{base}/__admin/credentials", timeout=5).json()
    robaws = credentials["robaws"]["tenants"][0]["credentials"][0]
    auth = (robaws["username"], robaws["password"])
    healthy.subscribe(base, "robaws", ["client.created"])
    failing.subscribe(base, "robaws", ["client.created", "client.updated"])
    failing.script(default=503)
    with httpx.Client(base_url=f"{base}/robaws/api/v2", auth=auth, timeout=5) as robaws_api:
        robaws_api.get("/clients", params={"page": 0, "size": 5, "sort": "name:asc"})
        created = robaws_api.post("/clients", json={"name": "Bouwbedrijf Peeters NV"}).json()
        robaws_api.patch(
            f"/clients/{created['id']}",
            json=[{"op": "replace", "path": "/name", "value": "Peeters Bouw NV"}],
            headers={"Content-Type": "application/json-patch+json"},
        )
        robaws_api.post("/clients", json={"name": 5})  # rejected: 400 naming /name
        robaws_api.get("/clients", params={"size": 1000})  # rejected: page size
        robaws_api.get("/clients", params={"page": 0, "colour": "red"})  # 200, but undeclared
        robaws_api.get("/projects/999999")
    for api, info in credentials.items():
        if api == "robaws":
            continue
        line = info["tenants"][0]["credentials"][0]
        headers = {"Authorization": f"Bearer {line['token']}"} if "token" in line else {}
        params = {"api_key": line["key"]} if line.get("scheme") == "apiKey" else {}
        path = line["curl"].rsplit("'", 2)[-2].split("?")[0]
        httpx.get(path, headers=headers, params=params, timeout=5)
    healthy.wait_for(1)
    failing.wait_for(2)


def shoot(page: Page, base: str, out_dir: Path) -> list[Path]:
    taken = []
    for view in VIEWS:
        page.goto(f"{base}/__admin/ui#{view}")
        page.wait_for_selector("#connection.ok")
        if view == "requests":
            page.wait_for_selector("#journal tbody tr")
            page.locator("#journal tbody tr[data-status='400']").last.click()  # the bad body
            page.wait_for_selector("#rejection")
        elif view == "webhooks":
            page.wait_for_selector("#deliveries tr.delivery")
            page.locator("#deliveries tr.delivery[data-state='retrying']").first.click()
            page.wait_for_selector(".attempt-detail")
        elif view == "state":
            page.wait_for_selector("#resources tr[data-resource='clients']")
            page.click("#resources tr[data-resource='clients']")
            page.wait_for_selector("#records tr.record")
        else:
            page.wait_for_selector("#credentials .cred")
        page.wait_for_timeout(1200)  # one poll and one chart refresh
        target = out_dir / f"dashboard-{view}.png"
        page.screenshot(path=str(target), full_page=False)
        taken.append(target)
    return taken


def take_screenshots(out_dir: Path, chromium: str) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(store="memory")
    server = MockServer(create_app(settings)).start()
    try:
        with WebhookReceiver() as healthy, WebhookReceiver() as failing:
            make_traffic(server.url, healthy, failing)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                taken = shoot(page, server.url, out_dir)
                browser.close()
    finally:
        server.stop()
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", nargs="?", default="docs/images", type=Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    options = parser.parse_args(argv)
    for path in take_screenshots(options.out_dir, options.chromium):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
