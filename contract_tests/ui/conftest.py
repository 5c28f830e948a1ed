"""The dashboard in a real browser: Debian's Chromium, driven by Playwright's Python API.

Playwright's own browser download cannot run here (no internet), so the tests launch the system
Chromium (``MOCKSERVER_CHROMIUM``, else ``chromium`` / ``chromium-browser`` on PATH). Without one
the tests are skipped with the reason shown in the summary, except in CI (``CI`` set), where a
missing browser is a failure: ``.ci/run`` installs Debian's ``chromium``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright_sync

from mockserver.testing.handle import ServerHandle

# The flags the machine notes give for a closed network: no background calls home, no sandbox
# (the tests may run as root), a fresh profile.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium() -> str | None:
    configured = os.environ.get("MOCKSERVER_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def missing_tool(message: str) -> None:
    """Skip, with the reason in the summary; in CI a missing tool is a failure."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def curl_command() -> str:
    found = shutil.which("curl")
    if found is None:
        missing_tool("no curl found: apt-get install curl")
    return str(found)


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_sync.Browser]:
    executable = find_chromium()
    if executable is None:
        missing_tool("no Chromium found: apt-get install chromium (or set MOCKSERVER_CHROMIUM)")
    with playwright_sync.sync_playwright() as playwright:
        # Playwright gives each launch a fresh temporary profile.
        launched = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(
    browser: playwright_sync.Browser, mock_server: ServerHandle
) -> Iterator[playwright_sync.Page]:
    """A fresh page; after the test: no JavaScript error, and nothing fetched from elsewhere."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    errors: list[str] = []
    elsewhere: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on(
        "request",
        lambda sent: (
            None if sent.url.startswith(mock_server.url + "/") else elsewhere.append(sent.url)
        ),
    )
    yield opened
    context.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"
    assert not elsewhere, f"the page fetched from elsewhere than the mock: {elsewhere}"
