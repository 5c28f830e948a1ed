"""The pytest plugin as a user meets it: a test file in a fresh directory, run by pytester.

Runs are in-process (``runpytest`` without a subprocess); the plugin is found through its
``pytest11`` entry point, as after ``pip install mockserver``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CONFORMANT = """
import base64
import httpx
from pathlib import Path

import pytest
import requests

AUTH = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")
HEADERS = {"Authorization": "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()}

pytestmark = pytest.mark.mockserver(apis=["robaws"], strict=True)


def test_in_process_client(mock_client, mock_journal):
    page = mock_client.get("/robaws/api/v2/clients?size=5", headers=HEADERS).get_json()
    assert page["size"] == 5 and len(page["items"]) == 5
    mock_journal.verify("robaws", "GET /api/v2/clients", times=1, query={"size": "5"})


def test_real_server_and_urls(mock_server, mock_urls):
    assert mock_urls["robaws"] == mock_server.url + "/robaws"
    created = requests.post(
        mock_urls["robaws"] + "/api/v2/clients", json={"name": "ACME"}, auth=AUTH, timeout=5
    )
    assert created.status_code == 201
    mock_server.verify("robaws", "createClient", times=1, json_contains={"name": "ACME"})


def test_the_server_was_reset_before_this_test(mock_server, mock_urls):
    found = httpx.get(mock_urls["robaws"] + "/api/v2/clients", params={"name": "ACME"}, auth=AUTH)
    assert found.json()["totalItems"] == 0
    assert mock_server.journal.requests("robaws", "createClient") == []


@pytest.mark.mockserver(seed=99, clock="2026-03-01T09:00:00Z", ratelimit={"mode": "storm"})
def test_marker_configures_the_mock(mock_client, mock_app, mock_sleep):
    engine = mock_app.extensions["mockserver"]
    assert engine.settings.seed == 99
    assert engine.settings.features["ratelimit"] == {"mode": "storm"}  # read by the limiter:
    assert mock_client.get("/robaws/api/v2/clients", headers=HEADERS).status_code == 429
    assert engine.clock.frozen and engine.clock.state()["now"].startswith("2026-03-01T09:00:00")
    mock_sleep(90)
    assert engine.clock.state()["now"].startswith("2026-03-01T09:01:30")
    assert mock_sleep.calls == [90]


@pytest.mark.mockserver(faults={"robaws": {"getClient": {"error_rate": 1.0}}})
def test_faults_reach_the_server(mock_server, mock_urls):
    assert requests.get(mock_urls["robaws"] + "/api/v2/clients/1", auth=AUTH).status_code >= 500
    assert requests.get(mock_urls["robaws"] + "/api/v2/clients", auth=AUTH).status_code == 200
"""

NON_CONFORMANT = """
import base64
from pathlib import Path

import pytest

AUTH = ("demo7f3a9c2e41b84d6e", "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43")
HEADERS = {"Authorization": "Basic " + base64.b64encode(":".join(AUTH).encode()).decode()}

pytestmark = pytest.mark.mockserver(apis=["robaws"], strict=True)


def test_wrong_type(mock_client):
    mock_client.get("/robaws/api/v2/clients?page=first", headers=HEADERS)


def test_missing_required_field(mock_client):
    mock_client.post("/robaws/api/v2/clients", json={"email": "a@b.be"}, headers=HEADERS)


def test_undocumented_path(mock_client):
    mock_client.get("/robaws/api/v2/customers", headers=HEADERS)


@pytest.mark.mockserver(strict=False)
def test_not_strict_lets_it_pass(mock_client):
    mock_client.get("/robaws/api/v2/customers", headers=HEADERS)
"""


def test_a_user_test_file_runs_with_the_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=CONFORMANT)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)


def test_a_non_conformant_client_fails_with_a_readable_list(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_client=NON_CONFORMANT)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*the client broke the API contract 1 time(s):*",
            '*1. listClients (GET /api/v2/clients): query page: "first" is not of type*',
            '*createClient (POST /api/v2/clients): body: "name" is a required property*',
            "*undocumented endpoint: endpoint: no operation in the spec matches this path*",
            "*request: GET /robaws/api/v2/customers*",
        ],
        consecutive=False,
    )
    # A failure of the test itself, not an error in teardown.
    assert "ERROR" not in result.stdout.str()


def test_strict_mode_from_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nmockserver_strict = true\n")
    pytester.makepyfile(
        test_ini="""
        def test_undocumented(mock_client):
            mock_client.delete("/robaws/api/v2/vat-tariffs/1")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*undocumented operation*DELETE is not documented*"])


def test_verify_explains_what_it_saw(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_verify="""
        def test_verify(mock_client, mock_journal):
            mock_client.post("/robaws/api/v2/clients", json={"name": "X"})
            mock_journal.verify("robaws", "POST /api/v2/clients", json_contains={"name": "Y"})
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected robaws POST /api/v2/clients to be called at least 1 time(s) with json "
            "containing {'name': 'Y'}, but it was called 0 time(s).*",
            "*#1 POST /robaws/api/v2/clients -> 401*",
            '*body: {"name": "X"}*',
        ]
    )


def test_fuzzed_answers_reach_a_real_client(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_fuzz="""
        import httpx
        from mockserver.testing import CannedResponse

        def test_fuzz(mock_server, mock_urls, mock_fuzz):
            mock_fuzz.respond("robaws", "listClients", [CannedResponse(429)], items=[{"id": "1"}])
            url = mock_urls["robaws"] + "/api/v2/clients"
            assert httpx.get(url).status_code == 429
            assert httpx.get(url).json()["items"] == [{"id": "1"}]
            mock_server.verify("robaws", "listClients", times=2)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_readme_example_runs(pytester: pytest.Pytester) -> None:
    """The README's dozen lines, with the reference client standing in for the user's."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Testing your own client", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    user_import = "from my_app.robaws import MyRobawsClient"
    assert user_import in code
    code = code.replace(
        user_import, "from examples.robaws_client import RobawsClient as MyRobawsClient"
    )
    pytester.makepyfile(test_readme=code)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
