"""The dashboard at /__admin/ui, driven in headless Chromium against a mock on a loopback port.

Requests are sent with the real ``curl`` (as a person at a terminal would) or httpx; the page is
read only through what it shows, and what it changes is checked through the admin API.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from mockserver.testing.handle import ServerHandle
from mockserver.testing.webhooks import WebhookReceiver

expect.set_options(timeout=10_000)

# Requests here break the contract on purpose; the clock is frozen so webhook retries wait for us.
pytestmark = [
    pytest.mark.socket,
    pytest.mark.mockserver(strict=False, clock="2026-03-02T09:00:00Z"),
    pytest.mark.usefixtures("curl_command"),
]

ROBAWS_KEY = "demo7f3a9c2e41b84d6e"


def robaws_credential(mock_server: ServerHandle) -> str:
    answer = httpx.get(f"{mock_server.url}/__admin/credentials", timeout=5).json()
    cred = answer["robaws"]["tenants"][0]["credentials"][0]
    return f"{cred['username']}:{cred['password']}"


def curl(*args: str) -> tuple[int, str]:
    """Run curl; the status code and the body."""
    done = subprocess.run(
        ["curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def open_view(page: Page, mock_server: ServerHandle, view: str) -> None:
    page.goto(f"{mock_server.url}/__admin/ui#{view}")
    expect(page.locator("#connection")).to_have_text("connected")


def admin(mock_server: ServerHandle, path: str) -> Any:
    return httpx.get(f"{mock_server.url}/__admin/{path}", timeout=5).json()


def test_a_request_made_with_curl_appears_in_the_journal_in_full(
    page: Page, mock_server: ServerHandle
) -> None:
    open_view(page, mock_server, "requests")
    expect(page.locator("#journal-empty")).to_be_visible()
    base = mock_server.urls["robaws"]
    status, _ = curl("-u", robaws_credential(mock_server), f"{base}/api/v2/clients?page=0&size=2")
    assert status == 200

    row = page.locator("#journal tbody tr", has_text="/robaws/api/v2/clients")
    expect(row).to_have_count(1)  # the page polls: no reload needed
    expect(row.locator("td").nth(5)).to_have_text("200")
    row.click()
    detail = page.locator("#request-detail")
    expect(detail).to_contain_text("listClients")
    expect(detail).to_contain_text("page=0&size=2")
    expect(detail).to_contain_text("Basic [redacted]")  # the secret is not shown
    expect(detail.locator(".response-body")).to_contain_text('"totalItems"')
    expect(detail).to_contain_text("X-RateLimit-Remaining")

    page.select_option("#filter-status", "4xx")
    expect(row).to_have_count(0)
    page.select_option("#filter-status", "2xx")
    expect(row).to_have_count(1)
    page.fill("#filter-path", "no-such-path")
    expect(row).to_have_count(0)
    page.fill("#filter-path", "clients")
    expect(row).to_have_count(1)
    page.select_option("#filter-api", "installer")
    expect(row).to_have_count(0)


def test_a_rejected_request_shows_its_violation(page: Page, mock_server: ServerHandle) -> None:
    open_view(page, mock_server, "requests")
    base = mock_server.urls["robaws"]
    credential = robaws_credential(mock_server)
    status, body = curl(
        "-u", credential, "-H", "Content-Type: application/json",
        "-d", json.dumps({"name": 5}), f"{base}/api/v2/clients",
    )  # fmt: skip
    assert status == 400, body

    rejected = page.locator("#journal tbody tr[data-status='400']")
    expect(rejected).to_have_count(1)
    rejected.click()
    detail = page.locator("#request-detail")
    expect(detail.locator("#rejection")).to_contain_text("Rejected: 400")
    violation = detail.locator("ul.violations:not(.contract) li")
    expect(violation).to_have_count(1)
    expect(violation).to_contain_text("body /name")
    expect(violation).to_contain_text('is not of type "string"')
    expect(detail.locator(".request-body")).to_contain_text('"name": 5')

    # Answered 200, but the client still broke the contract: an undeclared query parameter.
    status, _ = curl("-u", credential, f"{base}/api/v2/clients?page=0&size=2&colour=red")
    assert status == 200
    lenient = page.locator("#journal tbody tr", has_text="colour=red")
    expect(lenient).to_have_count(1)
    lenient.click()
    expect(detail.locator("#rejection")).to_have_count(0)
    expect(detail.locator("ul.violations.contract li")).to_contain_text("colour")


def test_a_failed_webhook_is_redelivered_from_the_page_and_turns_green(
    page: Page, mock_server: ServerHandle
) -> None:
    with WebhookReceiver() as receiver:
        receiver.script(default=500)
        receiver.subscribe(mock_server.url, "robaws", ["client.created"])
        status, body = curl(
            "-u", robaws_credential(mock_server), "-H", "Content-Type: application/json",
            "-d", json.dumps({"name": "Webhook Test BV"}),
            f"{mock_server.urls['robaws']}/api/v2/clients",
        )  # fmt: skip
        assert status == 201, body
        receiver.wait_for(1)

        open_view(page, mock_server, "webhooks")
        row = page.locator("#deliveries tr.delivery", has_text="client.created")
        expect(row).to_have_count(1)
        expect(row.locator(".pill")).to_have_text("retrying")
        expect(row.locator(".pill")).not_to_have_class(re.compile(r"\bok\b"))
        expect(row.locator(".status")).to_have_text("500")
        row.click()  # the attempts, with the signature header that was sent
        expect(page.locator(".attempt-detail .signature")).to_contain_text("Robaws-Signature")
        expect(page.locator(".attempt-detail pre")).to_contain_text("Webhook Test BV")

        receiver.script(default=200)
        row.locator("button.redeliver").click()
        expect(row.locator(".pill")).to_have_text("delivered")
        expect(row.locator(".pill")).to_have_class(re.compile(r"\bok\b"))
        expect(row.locator(".pill")).to_have_css("color", "rgb(31, 138, 76)")  # green
        expect(row.locator("td").nth(3)).to_have_text("2")
        delivered = receiver.wait_for(2)
        assert delivered[0].event_id == delivered[1].event_id
    attempts = admin(mock_server, "webhook-deliveries")["deliveries"]
    assert [a["status"] for a in attempts] == [500, 200]


def test_reset_empties_the_journal_and_restores_the_seed(
    page: Page, mock_server: ServerHandle
) -> None:
    seeded = admin(mock_server, "state")["robaws"]
    tenant = seeded["tenants"][0]["id"]
    clients_before = next(r for r in seeded["resources"] if r["name"] == "clients")["counts"][
        tenant
    ]
    status, _ = curl(
        "-u", robaws_credential(mock_server), "-H", "Content-Type: application/json",
        "-d", json.dumps({"name": "Reset Me BV"}), f"{mock_server.urls['robaws']}/api/v2/clients",
    )  # fmt: skip
    assert status == 201

    open_view(page, mock_server, "state")
    page.select_option("#state-api", "robaws")
    page.select_option("#state-tenant", tenant)
    row = page.locator("#resources tr[data-resource='clients']")
    expect(row.locator("td").nth(1)).to_have_text(str(clients_before + 1))
    row.click()
    expect(page.locator("#records-page")).to_contain_text(f"{clients_before + 1} records")

    page.click("#reset-all")
    expect(page.locator("#reset-result")).to_contain_text("Reset to seed")
    expect(row.locator("td").nth(1)).to_have_text(str(clients_before))
    assert admin(mock_server, "requests")["count"] == 0

    page.click("#tabs a[data-view='requests']")
    expect(page.locator("#journal tbody tr")).to_have_count(0)
    expect(page.locator("#journal-empty")).to_be_visible()


def test_the_state_browser_pages_through_records(page: Page, mock_server: ServerHandle) -> None:
    overview = admin(mock_server, "state")["robaws"]
    tenant = overview["tenants"][0]["id"]
    clients = next(r for r in overview["resources"] if r["name"] == "clients")["counts"][tenant]
    assert clients > 20, "the seed should give more than one page of clients"
    open_view(page, mock_server, "state")
    page.select_option("#state-api", "robaws")
    page.click("#resources tr[data-resource='clients']")
    expect(page.locator("#records tr.record")).to_have_count(20)
    first_page = page.locator("#records tr.record").first.get_attribute("data-id")
    page.click("#records-next")
    expect(page.locator("#records tr.record")).to_have_count(min(20, clients - 20))
    expect(page.locator("#records tr.record").first).not_to_have_attribute("data-id", first_page)
    page.locator("#records tr.record").first.click()  # the whole stored record
    expect(page.locator("#records pre").first).to_be_visible()


def test_controls_drive_the_clock_rate_limits_and_faults(
    page: Page, mock_server: ServerHandle
) -> None:
    open_view(page, mock_server, "controls")
    before = admin(mock_server, "clock")["epoch"]
    page.click("button[data-advance='3600']")
    expect(page.locator("#clock-now")).to_contain_text("2026-03-02 10:00:00")
    assert admin(mock_server, "clock")["epoch"] == pytest.approx(before + 3600, abs=1)
    page.fill("#clock-at", "2030-01-01T08:30:15")
    page.click("#clock-set")
    expect(page.locator("#clock-now")).to_have_text("2030-01-01 08:30:15")
    assert admin(mock_server, "clock") == {
        "epoch": 1893486615.0, "frozen": True, "now": "2030-01-01T08:30:15Z"
    }  # fmt: skip
    page.click("#clock-resume")
    expect(page.locator("#clock-mode")).to_have_text("running")

    page.select_option("select.ratelimit-mode[data-api='robaws']", "off")
    expect(page.locator("#toast")).to_contain_text("robaws: rate limits off")
    assert admin(mock_server, "rate-limits")["effective"]["robaws"]["mode"] == "off"

    form = page.locator("#fault-form")
    form.locator("select[name=api]").select_option("robaws")
    form.locator("input[name=operation]").fill("listClients")
    form.locator("input[name=error_rate]").fill("1")
    form.locator("input[name=seed]").fill("3")
    form.locator("button[type=submit]").click()
    expect(page.locator("#faults tbody")).to_contain_text("listClients")
    expect(page.locator("#faults tbody")).to_contain_text("100%")
    credential = robaws_credential(mock_server)
    status, _ = curl("-u", credential, f"{mock_server.urls['robaws']}/api/v2/clients")
    assert status >= 500
    form.locator("input[name=error_rate]").fill("2")  # out of range: the browser refuses it
    assert not form.locator("input[name=error_rate]").evaluate("input => input.validity.valid")
    form.locator("input[name=error_rate]").fill("0.5")
    form.locator("input[name=operation]").fill("noSuchOperation")  # the mock refuses it
    form.locator("button[type=submit]").click()
    expect(page.locator("#fault-error")).to_contain_text("unknown operation 'noSuchOperation'")
    assert len(admin(mock_server, "faults")["faults"]) == 1
    page.click("#faults-clear")
    expect(page.locator("#faults tbody")).to_contain_text("No faults injected.")
    assert admin(mock_server, "faults")["faults"] == []


def test_the_demo_curl_lines_work_as_pasted(page: Page, mock_server: ServerHandle) -> None:
    open_view(page, mock_server, "controls")
    listed = admin(mock_server, "credentials")
    for api, info in listed.items():
        block = page.locator(f"#credentials .cred[data-api='{api}']")
        lines = block.locator("pre").all_inner_texts()
        expected = [c["curl"] for t in info["tenants"] for c in t["credentials"]]
        assert lines == expected
        # The first line of each API, pasted into a shell, is answered 200.
        args = shlex.split(lines[0])[1:]
        status, body = curl(*args)
        assert status == 200, (api, lines[0], body)


def test_the_chart_counts_requests_by_status_class(page: Page, mock_server: ServerHandle) -> None:
    credential = robaws_credential(mock_server)
    base = mock_server.urls["robaws"]
    for _ in range(3):
        assert curl("-u", credential, f"{base}/api/v2/clients?size=1")[0] == 200
    for _ in range(2):
        assert curl("-u", credential, f"{base}/api/v2/clients?size=1000")[0] == 400
    open_view(page, mock_server, "requests")
    expect(page.locator("#traffic-summary")).to_contain_text("5 requests, 2 errors")
    expect(page.locator("#traffic-chart rect[data-class='2xx']")).not_to_have_count(0)
    expect(page.locator("#traffic-chart rect[data-class='4xx']")).not_to_have_count(0)
    expect(page.locator("#traffic-chart rect[data-class='5xx']")).to_have_count(0)


def test_what_a_client_sent_is_shown_as_text_never_run(
    page: Page, mock_server: ServerHandle
) -> None:
    open_view(page, mock_server, "requests")
    hostile = '<img src=x onerror="window.__ran=1"><script>window.__ran=2</script>'
    status, _ = curl(
        "-u", robaws_credential(mock_server), "-H", "Content-Type: application/json",
        "-d", json.dumps({"name": hostile}),
        f"{mock_server.urls['robaws']}/api/v2/clients?x={quote(hostile)}",
    )  # fmt: skip
    assert status == 201  # a valid name; the undeclared query parameter is not refused
    row = page.locator("#journal tbody tr", has_text="onerror")
    expect(row).to_have_count(1)
    row.click()
    detail = page.locator("#request-detail")
    expect(detail.locator(".request-body")).to_contain_text(hostile.replace('"', '\\"'))
    expect(detail.locator("ul.violations.contract")).to_contain_text("query x:")
    assert page.evaluate("window.__ran") is None
    assert page.locator("#request-detail img, #request-detail script").count() == 0
    open_view(page, mock_server, "state")  # the stored record, shown by the state browser
    page.select_option("#state-api", "robaws")
    page.click("#resources tr[data-resource='clients']")
    page.click("#records-next")
    expect(page.locator("#records")).to_contain_text(hostile)
    assert page.evaluate("window.__ran") is None


def test_a_receiver_subscribed_from_the_page_gets_signed_events(
    page: Page, mock_server: ServerHandle
) -> None:
    open_view(page, mock_server, "webhooks")
    form = page.locator("#subscribe-form")
    with WebhookReceiver() as receiver:
        form.locator("select[name=api]").select_option("robosize")  # declares no webhooks
        form.locator("input[name=url]").fill(receiver.url)
        form.locator("button[type=submit]").click()
        expect(page.locator("#subscribe-error")).to_contain_text("api")
        form.locator("select[name=api]").select_option("robaws")
        form.locator("input[name=events]").fill("client.created, client.updated")
        form.locator("button[type=submit]").click()
        row = page.locator("#subscriptions tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("client.created, client.updated")
        receiver.trust(row.locator(".secret").inner_text())  # the secret as the page shows it

        status, _ = curl(
            "-u", robaws_credential(mock_server), "-H", "Content-Type: application/json",
            "-d", json.dumps({"name": "Subscribed BV"}),
            f"{mock_server.urls['robaws']}/api/v2/clients",
        )  # fmt: skip
        assert status == 201
        (delivery,) = receiver.wait_for(1)
        assert delivery.verified and delivery.json["data"]["name"] == "Subscribed BV"
        expect(page.locator("#deliveries tr.delivery .pill")).to_have_text("delivered")

        row.locator("button.unsubscribe").click()
        expect(row).to_have_count(0)
    assert admin(mock_server, "webhook-subscriptions")["count"] == 0
