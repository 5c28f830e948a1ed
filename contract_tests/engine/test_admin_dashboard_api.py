"""The JSON endpoints behind the dashboard: why a request was refused, journal filters and polling,
one entry with its contract check, the traffic meter and the state browser. Every answer is
checked against mockserver/admin_openapi.yaml; bad input is a 400/404 that changes nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from contract_tests.admin_spec import check_admin
from contract_tests.backends import fresh_settings
from contract_tests.robaws.conftest import CLAES
from contract_tests.robaws.conftest import VDB
from contract_tests.robaws.conftest import basic
from mockserver import Settings
from mockserver import create_app
from mockserver import get_engine
from mockserver.engine import MockEngine
from mockserver.testing.conformance import ConformanceChecker
from mockserver.traffic import TrafficMeter

CLIENTS = "/robaws/api/v2/clients"
AUTH = basic(VDB)


def check(answer: Any, path: str, status: int, method: str = "get") -> Any:
    return check_admin(answer, path, method, status)


@pytest.fixture(scope="module")
def dashboard_app() -> Flask:
    return create_app(Settings(apis=("robaws",), validate_responses=True, **fresh_settings()))


@pytest.fixture
def engine(dashboard_app: Flask) -> Iterator[MockEngine]:
    found = get_engine(dashboard_app)
    found.reset()
    found.controls.set_rate_limit_mode("robaws", {"mode": "off"})  # bursts below must all pass
    yield found
    assert not found.internal_errors, found.internal_errors


@pytest.fixture
def http(dashboard_app: Flask, engine: MockEngine) -> FlaskClient:
    return dashboard_app.test_client()


def journal(http: FlaskClient, query: str = "") -> dict[str, Any]:
    return check(http.get(f"/__admin/requests{query}"), "/__admin/requests", 200)  # type: ignore[no-any-return]


# why a request was refused -------------------------------------------------------------------


def test_a_rejected_request_is_journaled_with_its_error_and_the_field(http: FlaskClient) -> None:
    assert http.post(CLIENTS, json={"name": 5}, headers=AUTH).status_code == 400
    (entry,) = journal(http)["requests"]
    assert entry["error"]["status"] == 400
    assert entry["error"]["code"] == "bad_request"
    assert "/name" in entry["error"]["message"]
    assert [(v["location"], v["field"]) for v in entry["violations"]] == [("body", "/name")]
    assert "string" in entry["violations"][0]["message"]


def test_auth_routing_and_success_say_why_or_nothing(http: FlaskClient) -> None:
    http.get(CLIENTS)  # no credentials
    http.get("/robaws/api/v2/no-such-thing", headers=AUTH)
    http.delete("/robaws/api/v2/clients", headers=AUTH)
    http.get(CLIENTS, headers=AUTH)
    no_auth, missing, wrong_method, fine = journal(http)["requests"]
    assert (no_auth["status"], no_auth["error"]["code"]) == (401, "unauthenticated")
    assert (missing["status"], missing["error"]["code"]) == (404, "not_found")
    assert "no-such-thing" in missing["error"]["message"]
    assert (wrong_method["status"], wrong_method["error"]["code"]) == (405, "method_not_allowed")
    assert (fine["status"], fine["error"], fine["violations"]) == (200, None, [])


def test_an_injected_fault_is_journaled_as_injected(http: FlaskClient, engine: MockEngine) -> None:
    engine.controls.set_fault("robaws", "listClients", {"error_rate": 1, "seed": 1})
    try:
        status = http.get(CLIENTS, headers=AUTH).status_code
    finally:
        engine.controls.clear_faults()
    (entry,) = journal(http)["requests"]
    assert entry["status"] == status >= 500
    assert entry["error"]["status"] == status
    assert "injected" in entry["error"]["message"].lower()


def test_an_injected_429_in_the_vendors_shape_is_journaled_as_injected(
    http: FlaskClient, engine: MockEngine
) -> None:
    engine.controls.set_rate_limit_mode("robaws", {"mode": "faithful"})
    engine.controls.set_fault("robaws", "listClients", {"ratelimit_rate": 1, "seed": 1})
    try:
        assert http.get(CLIENTS, headers=AUTH).status_code == 429
    finally:
        engine.controls.clear_faults()
    (entry,) = journal(http)["requests"]
    assert entry["error"]["status"] == 429
    assert entry["error"]["code"] == "rate_limited"
    assert entry["error"]["message"].endswith("(injected fault)")


def test_a_dropped_connection_is_journaled_as_injected(
    http: FlaskClient, engine: MockEngine
) -> None:
    engine.controls.set_fault("robaws", "listClients", {"drop_rate": 1})
    try:
        http.get(CLIENTS, headers=AUTH)
    finally:
        engine.controls.clear_faults()
    (entry,) = journal(http)["requests"]
    assert entry["response_headers"]["X-Mock-Fault"] == "drop"
    assert entry["error"]["code"] == "dropped"
    assert "injected" in entry["error"]["message"].lower()


# filters and polling -------------------------------------------------------------------------


def test_after_returns_only_newer_entries_and_latest_says_where_the_journal_stands(
    http: FlaskClient,
) -> None:
    assert journal(http) == {"count": 0, "latest": journal(http)["latest"], "requests": []}
    http.get(CLIENTS, headers=AUTH)
    first = journal(http)
    mark = first["latest"]
    assert mark == first["requests"][-1]["id"]
    http.get(f"{CLIENTS}?page=1", headers=AUTH)
    http.get(f"{CLIENTS}?page=2", headers=AUTH)
    newer = journal(http, f"?after={mark}")
    assert [e["query"] for e in newer["requests"]] == ["page=1", "page=2"]
    assert newer["latest"] == mark + 2
    assert journal(http, f"?after={newer['latest']}")["requests"] == []
    hidden = journal(http, "?status=500")  # filters hide everything; latest still moves on
    assert (hidden["count"], hidden["latest"]) == (0, mark + 2)


def test_status_accepts_a_class_or_an_exact_code(http: FlaskClient) -> None:
    http.get(CLIENTS, headers=AUTH)
    http.get(CLIENTS)
    http.get("/robaws/api/v2/nothing", headers=AUTH)
    assert [e["status"] for e in journal(http, "?status=4xx")["requests"]] == [401, 404]
    assert [e["status"] for e in journal(http, "?status=2XX")["requests"]] == [200]
    assert [e["status"] for e in journal(http, "?status=404")["requests"]] == [404]
    assert journal(http, "?status=5xx")["requests"] == []


def test_q_matches_path_and_query_case_insensitively(http: FlaskClient) -> None:
    http.get(f"{CLIENTS}?Search=Bouw", headers=AUTH)
    http.get("/robaws/api/v2/articles", headers=AUTH)
    assert [e["path"] for e in journal(http, "?q=search%3Dbouw")["requests"]] == [CLIENTS]
    assert [e["path"] for e in journal(http, "?q=ARTICLES")["requests"]] == [
        "/robaws/api/v2/articles"
    ]
    assert len(journal(http, "?q=api/v2&status=2xx")["requests"]) == 2
    assert journal(http, "?q=%3F")["count"] == 2  # "?" joins path and query on every entry


def test_polling_with_after_misses_nothing_while_threads_send(
    dashboard_app: Flask, http: FlaskClient
) -> None:
    """Four threads send 40 requests each while a poller follows ``latest``: it sees each once."""
    start = journal(http)["latest"]
    done = threading.Event()

    def send() -> None:
        client = dashboard_app.test_client()
        for _ in range(40):
            client.get(CLIENTS, headers=AUTH)

    seen: list[int] = []
    mark = start

    def poll() -> None:
        nonlocal mark
        while True:
            finished = done.is_set()
            answer = journal(http, f"?after={mark}")
            seen.extend(e["id"] for e in answer["requests"])
            mark = answer["latest"]
            if finished:
                return

    poller = threading.Thread(target=poll)
    poller.start()
    senders = [threading.Thread(target=send) for _ in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join()
    done.set()
    poller.join()
    assert seen == list(range(start + 1, start + 161))


@pytest.mark.parametrize(
    "query",
    ["?status=6xx", "?status=abc", "?after=x", "?after=-1", "?limit=-2", "?limit=0", "?limit=one"],
)
def test_bad_filters_are_a_400(http: FlaskClient, query: str) -> None:
    http.get(CLIENTS, headers=AUTH)
    check(http.get(f"/__admin/requests{query}"), "/__admin/requests", 400)
    assert journal(http)["count"] == 1


# one entry -----------------------------------------------------------------------------------


def test_an_entry_shows_the_contract_its_request_broke_even_when_answered_2xx(
    http: FlaskClient,
) -> None:
    assert http.get(f"{CLIENTS}?colour=red", headers=AUTH).status_code == 200
    entry_id = journal(http)["latest"]
    detail = check(http.get(f"/__admin/requests/{entry_id}"), "/__admin/requests/{entryId}", 200)
    assert detail["id"] == entry_id
    assert detail["error"] is None
    (broken,) = detail["contract"]
    assert (broken["location"], broken["field"]) == ("query", "colour")
    assert broken["operation"].startswith("listClients")


def test_a_clean_entry_has_an_empty_contract_and_the_list_shape(http: FlaskClient) -> None:
    http.get(f"{CLIENTS}?page=1&size=5", headers=AUTH)
    (listed,) = journal(http)["requests"]
    detail = check(
        http.get(f"/__admin/requests/{listed['id']}"), "/__admin/requests/{entryId}", 200
    )
    assert detail == {**listed, "contract": []}


def test_the_plugins_check_adds_its_findings_to_violations_in_the_same_shape(
    dashboard_app: Flask, http: FlaskClient
) -> None:
    http.post(CLIENTS, json={"name": 5}, headers=AUTH)
    http.get(f"{CLIENTS}?colour=red", headers=AUTH)
    checker = ConformanceChecker(dashboard_app)
    checker.check()
    checker.check()  # a second check adds nothing twice
    refused, undeclared = journal(http)["requests"]
    assert refused["violations"] == [
        {"location": "body", "field": "/name", "message": '5 is not of type "string"'}
    ]
    assert undeclared["error"] is None
    assert undeclared["violations"] == [
        {
            "location": "query",
            "field": "colour",
            "message": "parameter is not documented for this operation",
        }
    ]


def test_an_unknown_or_forgotten_entry_is_a_404(http: FlaskClient) -> None:
    http.get(CLIENTS, headers=AUTH)
    gone = journal(http)["latest"]
    assert http.delete("/__admin/requests").status_code == 204
    check(http.get(f"/__admin/requests/{gone}"), "/__admin/requests/{entryId}", 404)
    check(http.get("/__admin/requests/999999"), "/__admin/requests/{entryId}", 404)
    assert journal(http)["latest"] == gone  # clearing does not reuse ids


# traffic -------------------------------------------------------------------------------------


def traffic(http: FlaskClient, query: str = "") -> dict[str, Any]:
    return check(http.get(f"/__admin/traffic{query}"), "/__admin/traffic", 200)  # type: ignore[no-any-return]


def test_traffic_counts_a_burst_by_class_and_reset_clears_it(
    http: FlaskClient, engine: MockEngine
) -> None:
    for _ in range(5):
        http.get(CLIENTS, headers=AUTH)
    for _ in range(3):
        http.get(CLIENTS)
    http.get("/robaws/api/v2/nothing", headers=AUTH)
    http.get("/__admin/health")  # admin calls are not API traffic
    seen = traffic(http, "?seconds=60")
    assert len(seen["series"]) == 60 == seen["seconds"]
    assert [p["t"] for p in seen["series"]] == list(range(seen["now"] - 59, seen["now"] + 1))
    totals = {c: sum(p[c] for p in seen["series"]) for c in ("2xx", "3xx", "4xx", "5xx")}
    assert totals == {"2xx": 5, "3xx": 0, "4xx": 4, "5xx": 0}
    assert seen["apis"] == {"robaws": 9}
    assert check(http.post("/__admin/reset"), "/__admin/reset", 200, "post")
    after = traffic(http)
    assert len(after["series"]) == 300
    assert sum(p["2xx"] + p["4xx"] for p in after["series"]) == 0
    assert after["apis"] == {"robaws": 0}


@pytest.mark.parametrize("query", ["?seconds=0", "?seconds=901", "?seconds=ten", "?seconds=-5"])
def test_a_bad_traffic_window_is_a_400(http: FlaskClient, query: str) -> None:
    http.get(CLIENTS, headers=AUTH)
    check(http.get(f"/__admin/traffic{query}"), "/__admin/traffic", 400)
    assert traffic(http, "?seconds=900")["apis"] == {"robaws": 1}


def test_the_meter_counts_exactly_from_many_threads() -> None:
    meter = TrafficMeter(now=lambda: 5_000.0)

    def burst(status: int) -> None:
        for _ in range(2000):
            meter.count("robaws" if status < 500 else "salesdesk", status)

    threads = [threading.Thread(target=burst, args=(s,)) for s in (200, 201, 302, 404, 503)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (point,) = meter.window(1)["series"]
    assert point == {"t": 5_000, "2xx": 4000, "3xx": 2000, "4xx": 2000, "5xx": 2000}
    assert meter.window(1)["apis"] == {"robaws": 8000, "salesdesk": 2000}


def test_the_meter_forgets_seconds_older_than_its_window() -> None:
    clock = [1_000_000.0]
    meter = TrafficMeter(now=lambda: clock[0])
    meter.count("robaws", 201)
    meter.count("robaws", 503)
    meter.count("robaws", 101)  # no class of its own, but still the API's traffic
    assert meter.window(1)["series"] == [{"t": 1_000_000, "2xx": 1, "3xx": 0, "4xx": 0, "5xx": 1}]
    clock[0] += 900  # the same ring slot, one window later
    meter.count("robaws", 404)
    window = meter.window(900)
    assert sum(p["2xx"] + p["5xx"] for p in window["series"]) == 0
    assert window["series"][-1]["4xx"] == 1
    assert window["apis"] == {"robaws": 1}


def test_traffic_is_real_time_whatever_the_mock_clock_does(
    http: FlaskClient, engine: MockEngine
) -> None:
    engine.clock.freeze()
    engine.clock.advance(86_400 * 30)
    try:
        http.get(CLIENTS, headers=AUTH)
        seen = traffic(http, "?seconds=5")
    finally:
        engine.clock.resume()
    assert abs(seen["now"] - time.time()) < 5
    assert sum(p["2xx"] for p in seen["series"]) == 1


# state browser -------------------------------------------------------------------------------


def state(http: FlaskClient) -> dict[str, Any]:
    return check(http.get("/__admin/state"), "/__admin/state", 200)  # type: ignore[no-any-return]


def clients_count(http: FlaskClient, tenant: str) -> int:
    robaws = state(http)["robaws"]
    (clients,) = [r for r in robaws["resources"] if r["name"] == "clients"]
    return int(clients["counts"][tenant])


RECORDS = "/__admin/state/{api}/{resource}"


def test_state_lists_tenants_and_resources_and_counts_a_create(
    http: FlaskClient, engine: MockEngine
) -> None:
    robaws = state(http)["robaws"]
    runtime = engine.runtimes["robaws"]
    assert robaws["title"] == runtime.spec.config.title
    assert [t["id"] for t in robaws["tenants"]] == [t.id for t in runtime.book.tenants]
    assert [r["name"] for r in robaws["resources"]] == list(runtime.spec.resources)
    vdb, claes = clients_count(http, "vdb-bouw"), clients_count(http, "claes-renovatie")
    created = http.post(CLIENTS, json={"name": "Dashboard BV"}, headers=AUTH)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert (clients_count(http, "vdb-bouw"), clients_count(http, "claes-renovatie")) == (
        vdb + 1,
        claes,
    )
    total = vdb + 1
    last_page = (total - 1) // 100
    page = check(
        http.get(f"/__admin/state/robaws/clients?tenant=vdb-bouw&page={last_page}&size=100"),
        RECORDS,
        200,
    )
    assert (page["api"], page["resource"], page["tenant"], page["total"]) == (
        "robaws",
        "clients",
        "vdb-bouw",
        total,
    )
    assert page["items"][-1]["id"] == created.get_json()["id"]  # ascending ids: newest last
    assert page["items"][-1]["name"] == "Dashboard BV"


def test_records_page_in_id_order_and_default_to_the_first_tenant(
    http: FlaskClient, engine: MockEngine
) -> None:
    first = check(http.get("/__admin/state/robaws/clients"), RECORDS, 200)
    assert (first["tenant"], first["page"], first["size"]) == (
        engine.runtimes["robaws"].book.tenants[0].id,
        0,
        20,
    )
    second = check(http.get("/__admin/state/robaws/clients?page=1&size=3"), RECORDS, 200)
    both = check(http.get("/__admin/state/robaws/clients?size=6"), RECORDS, 200)
    assert [r["id"] for r in both["items"]][3:] == [r["id"] for r in second["items"]]
    ids = [int(r["id"]) for r in both["items"]]
    assert ids == sorted(ids)
    other = check(http.get("/__admin/state/robaws/clients?tenant=claes-renovatie"), RECORDS, 200)
    assert other["tenant"] == "claes-renovatie"
    assert not {r["id"] for r in other["items"]} & {r["id"] for r in first["items"]}
    beyond = check(http.get("/__admin/state/robaws/clients?page=1000"), RECORDS, 200)
    assert beyond["items"] == [] and beyond["total"] == first["total"]


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/__admin/state/nope/clients", 404),
        ("/__admin/state/robaws/nope", 404),
        ("/__admin/state/robaws/clients?tenant=nope", 404),
        ("/__admin/state/robaws/clients?page=-1", 400),
        ("/__admin/state/robaws/clients?page=x", 400),
        ("/__admin/state/robaws/clients?size=0", 400),
        ("/__admin/state/robaws/clients?size=101", 400),
    ],
)
def test_bad_state_requests_are_refused_and_change_nothing(
    http: FlaskClient, url: str, status: int
) -> None:
    before = state(http)
    check(http.get(url), RECORDS, status)
    assert state(http) == before
    assert journal(http)["count"] == 0  # admin calls are not journaled as API traffic


def test_the_state_browser_is_read_only(http: FlaskClient) -> None:
    before = state(http)
    assert http.post("/__admin/state/robaws/clients", json={"name": "x"}).status_code == 405
    assert http.delete("/__admin/state/robaws/clients?tenant=claes-renovatie").status_code == 405
    assert http.delete("/__admin/state").status_code == 405
    assert state(http) == before
    assert http.get(CLIENTS, headers=basic(CLAES)).get_json()["totalItems"] == clients_count(
        http, "claes-renovatie"
    )


def test_a_listing_clips_bodies_and_one_entry_shows_them_in_full(http: FlaskClient) -> None:
    answer = http.get(f"{CLIENTS}?size=100", headers=AUTH)
    assert answer.status_code == 200 and len(answer.get_data(as_text=True)) > 4096
    listed = journal(http)["requests"][-1]
    assert listed["response_body"].endswith("…") and len(listed["response_body"]) == 4097
    detail = check(
        http.get(f"/__admin/requests/{listed['id']}"), "/__admin/requests/{entryId}", 200
    )
    assert detail["response_body"] == answer.get_data(as_text=True)


def test_health_says_which_process_answered_and_whether_the_runtime_is_shared(
    http: FlaskClient, engine: MockEngine
) -> None:
    health = check(http.get("/__admin/health"), "/__admin/health", 200)
    assert health["apis"] == ["robaws"] and health["pid"] > 0
    assert health["sharedRuntime"] is engine.settings.shared_runtime
    assert health["store"] == engine.settings.store
