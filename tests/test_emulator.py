"""The Log Analytics emulator on its own: HTTP contract, timespan, TLS, scenarios, the command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
import requests

from workbench.backends.emulator import SCENARIOS, parse_request_timespan, run_query, start_emulator


def make_workspace(path: Path) -> Path:
    """Write 24 DnsEvents rows one hour apart ending now, and a table without TimeGenerated."""
    now = datetime.now(timezone.utc)
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE DnsEvents (TimeGenerated TIMESTAMPTZ, Name VARCHAR, Extra STRUCT(a INTEGER), Latency INTERVAL)")
    for hour in range(24):
        connection.execute(
            "INSERT INTO DnsEvents VALUES (?, ?, {'a': ?}, INTERVAL (?) MILLISECOND)",
            [now - timedelta(hours=hour, minutes=1), f"site{hour}.example.com", hour, hour * 10],
        )
    connection.execute("CREATE TABLE Watchlist (Domain VARCHAR)")
    connection.execute("INSERT INTO Watchlist VALUES ('test3012.duckdns.org')")
    connection.close()
    return path


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("emulator-db") / "workspace.duckdb")


@pytest.fixture
def emulator(db_path):
    handle = start_emulator(db_path)
    yield handle
    handle.stop()


def post(handle, body: dict, workspace: str = "ws1", token: str | None = "t", prefer: str = "") -> requests.Response:
    headers = {"Prefer": prefer} if prefer else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(f"{handle.url}/workspaces/{workspace}/query", json=body, headers=headers, verify=str(handle.ca_path), timeout=10)


def test_binds_loopback_only(emulator):
    assert emulator.url.startswith("https://127.0.0.1:")
    assert emulator._server.server_address[0] == "127.0.0.1"


def test_rejects_foreign_peer(emulator):
    assert emulator._server.verify_request(None, ("127.0.0.1", 5000))
    assert not emulator._server.verify_request(None, ("10.1.2.3", 5000))


def test_missing_token_gives_401(emulator):
    response = post(emulator, {"query": "DnsEvents | take 1"}, token=None)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "AuthenticationFailed"
    assert emulator.received[-1].has_token is False


def test_answer_shape(emulator):
    response = post(emulator, {"query": "DnsEvents | take 2", "timespan": "P1D"})
    body = response.json()
    assert response.status_code == 200
    assert [column["type"] for column in body["tables"][0]["columns"]] == ["datetime", "string", "dynamic", "timespan"]
    row = body["tables"][0]["rows"][0]
    assert row[0].endswith("Z")
    assert len(row[0].split(".")[1]) == 8
    assert row[2].startswith('{"a":')
    assert "statistics" not in body


def test_statistics_on_prefer(emulator):
    response = post(emulator, {"query": "DnsEvents | take 2"}, prefer="wait=60, include-statistics=true")
    statistics = response.json()["statistics"]["query"]
    assert statistics["datasetStatistics"][0]["tableRowCount"] == 2
    assert statistics["inputDatasetStatistics"]["rows"]["scanned"] == 25


def test_timespan_filters(emulator):
    response = post(emulator, {"query": "DnsEvents | count", "timespan": "PT18000.0S"})
    assert response.json()["tables"][0]["rows"] == [[5]]


def test_table_without_time_unfiltered(emulator):
    response = post(emulator, {"query": "Watchlist | count", "timespan": "PT60.0S"})
    assert response.json()["tables"][0]["rows"] == [[1]]


def test_any_prefix_path(emulator):
    base = emulator.url.removesuffix("/v1")
    response = requests.post(
        f"{base}/custom/v1/workspaces/ws1/query",
        json={"query": "DnsEvents | take 1"},
        headers={"Authorization": "Bearer t"},
        verify=str(emulator.ca_path),
        timeout=10,
    )
    assert response.status_code == 200


def test_unknown_path_404(emulator):
    response = requests.post(f"{emulator.url}/metadata", json={}, headers={"Authorization": "Bearer t"}, verify=str(emulator.ca_path), timeout=10)
    assert response.status_code == 404


def test_empty_query_400(emulator):
    response = post(emulator, {"query": "  "})
    assert response.status_code == 400


def test_scenario_workspace_id(emulator):
    response = post(emulator, {"query": "DnsEvents"}, workspace="scenario-gateway-timeout")
    assert response.status_code == 504


def test_unknown_scenario_workspace(emulator):
    response = post(emulator, {"query": "DnsEvents"}, workspace="scenario-nope")
    assert response.status_code == 404
    assert "gateway-timeout" in response.json()["error"]["message"]


def test_throttled_retry_after_header(emulator):
    emulator.scenario = "throttled"
    first = post(emulator, {"query": "DnsEvents | take 1"})
    second = post(emulator, {"query": "DnsEvents | take 1"})
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "1"
    assert second.status_code == 200


def test_throttled_without_header(emulator):
    emulator.scenario = "throttled-no-retry-after"
    response = post(emulator, {"query": "DnsEvents | take 1"})
    assert response.status_code == 429
    assert "Retry-After" not in response.headers


def test_certificate_required(emulator):
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(f"{emulator.url}/workspaces/ws1/query", json={"query": "x"}, timeout=10)


def test_stop_removes_certificate(db_path):
    handle = start_emulator(db_path)
    assert handle.ca_path.exists()
    handle.stop()
    assert not handle.ca_path.exists()


def test_unknown_scenario_rejected(db_path):
    with pytest.raises(ValueError, match="unknown emulator scenario"):
        start_emulator(db_path, scenario="bogus")


def test_missing_file_rejected(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        start_emulator(tmp_path / "absent.duckdb")


def test_unsupported_construct_400(db_path):
    status, body = run_query(db_path, "search * | take 1", None, False)
    assert status == 400
    assert "cannot run" in body["error"]["innererror"]["innererror"]["message"]


def test_real_syntax_error_body(db_path):
    status, body = run_query(db_path, "DnsEvents\n| where Name ==", None, False)
    innermost = body["error"]["innererror"]["innererror"]
    assert status == 400
    assert body["error"]["innererror"]["code"] == "SyntaxError"
    assert innermost["line"] == 2


def test_parse_timespans():
    now = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    assert parse_request_timespan(None) is None
    assert parse_request_timespan("PT86400.0S", now) == (now - timedelta(days=1), now)
    assert parse_request_timespan("P1DT2H", now) == (now - timedelta(days=1, hours=2), now)
    start = datetime(2026, 12, 1, tzinfo=timezone.utc)
    assert parse_request_timespan("2026-12-01T00:00:00Z/2026-12-02T00:00:00Z") == (start, start + timedelta(days=1))
    assert parse_request_timespan("2026-12-01T00:00:00.000Z/PT3600.0S") == (start, start + timedelta(hours=1))
    with pytest.raises(ValueError, match="invalid timespan"):
        parse_request_timespan("yesterday")


def test_scenarios_documented():
    assert {"ok", "partial", "throttled", "gateway-timeout", "slow"} <= set(SCENARIOS)


def test_command_prints_snippet(db_path):
    environment = dict(os.environ)
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench", "emulator", "--workspace-file", str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
    )
    lines = []
    try:
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                break
        process.send_signal(signal.SIGINT)
        remaining, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    output = "\n".join(lines)
    assert process.returncode == 0, errors
    assert "[[workspaces]]" in output
    assert 'endpoint = "https://127.0.0.1:' in output
    assert "ca_bundle = " in output
    assert "Emulator stopped." in remaining


def test_metadata_lists_tables(emulator):
    response = requests.get(f"{emulator.url}/workspaces/ws1/metadata", headers={"Authorization": "Bearer t"}, verify=str(emulator.ca_path), timeout=10)
    tables = {table["name"]: table for table in response.json()["tables"]}
    assert response.status_code == 200
    assert sorted(tables) == ["DnsEvents", "Watchlist"]
    assert [column["type"] for column in tables["DnsEvents"]["columns"]] == ["datetime", "string", "dynamic", "timespan"]
    assert tables["DnsEvents"]["timespanColumn"] == "TimeGenerated"
    assert "timespanColumn" not in tables["Watchlist"]


def test_metadata_needs_token(emulator):
    response = requests.get(f"{emulator.url}/workspaces/ws1/metadata", verify=str(emulator.ca_path), timeout=10)
    assert response.status_code == 401
