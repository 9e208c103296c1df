"""AzureBackend driving the real azure-monitor-query client against the local emulator.

Every case of the Log Analytics query API is exercised over https on
127.0.0.1 with results from a small DuckDB workspace, with the emulator's
scenarios, and with the recorded service bodies of the sample folder served
verbatim.
"""

from __future__ import annotations

import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from workbench.backends.azure import (
    AzureBackend,
    RetryBackoff,
    RetryWait,
    StaticTokenCredential,
    arrow_from_logs_table,
    flatten_statistics,
    make_credential,
)
from workbench.backends.base import CancelToken, QueryError, Timespan
from workbench.backends.emulator import start_emulator
from workbench.config import WorkspaceConfig

WORKSPACE_ID = "11111111-2222-3333-4444-555555555555"
TINY_BACKOFF = RetryBackoff(initial_seconds=0.01, max_seconds=0.05, max_attempts=3, max_retry_after_seconds=5)


def make_dns_workspace(path: Path) -> Path:
    """Write a DnsEvents table: 48 rows one hour apart ending now, two of them on known bad domains."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    connection = duckdb.connect(str(path))
    connection.execute(
        "CREATE TABLE DnsEvents (TimeGenerated TIMESTAMPTZ, Computer VARCHAR, ClientIP VARCHAR, Name VARCHAR, QueryType INTEGER)"
    )
    rows = []
    for hour in range(48):
        name = "test3012.duckdns.org" if hour in (1, 30) else f"site{hour}.example.com"
        rows.append((now - timedelta(hours=hour, minutes=5), f"WS-{hour % 4:03d}", f"10.0.0.{hour}", name, 1))
    connection.executemany("INSERT INTO DnsEvents VALUES (?, ?, ?, ?, ?)", rows)
    connection.execute("CREATE TABLE Heartbeat (TimeGenerated TIMESTAMPTZ, Computer VARCHAR)")
    connection.execute("INSERT INTO Heartbeat VALUES (now(), 'WS-000')")
    connection.close()
    return path


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory):
    db_path = make_dns_workspace(tmp_path_factory.mktemp("emulator") / "workspace.duckdb")
    handle = start_emulator(db_path)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def reset_emulator(emulator):
    emulator.scenario = "ok"
    emulator.canned = None
    emulator.throttle_count = 1
    emulator.retry_after_seconds = 1
    emulator._throttled.clear()
    emulator.received.clear()
    emulator.metadata_requests = 0
    emulator.serve_metadata = True
    yield


def workspace_for(emulator, **settings) -> WorkspaceConfig:
    options = {
        "name": "emu",
        "kind": "azure",
        "workspace_id": WORKSPACE_ID,
        "endpoint": emulator.url,
        "ca_bundle": str(emulator.ca_path),
        "auth": "static",
    }
    options.update(settings)
    return WorkspaceConfig(**options)


def backend_for(emulator, waits: list[RetryWait] | None = None, **settings) -> AzureBackend:
    return AzureBackend(
        workspace_for(emulator, **settings),
        credential=StaticTokenCredential("emulator-token"),
        backoff=TINY_BACKOFF,
        on_retry_wait=waits.append if waits is not None else None,
    )


def run_error(backend: AzureBackend, query: str = "DnsEvents | take 3") -> QueryError:
    with pytest.raises(QueryError) as caught:
        backend.run(query, None, CancelToken())
    return caught.value


# -- results -----------------------------------------------------------------


def test_ok_rows_and_types(emulator):
    backend = backend_for(emulator)
    result = backend.run("DnsEvents | where Name == 'test3012.duckdns.org' | project TimeGenerated, Computer, Name, QueryType", None, CancelToken())
    assert backend.name == f"azure:{WORKSPACE_ID}"
    assert result.workspace == backend.name
    assert result.row_count == 1
    assert [column.kql_type for column in result.columns] == ["datetime", "string", "string", "int"]
    assert result.table.schema.field("TimeGenerated").type == pa.timestamp("us", tz="UTC")
    assert result.table.schema.field("QueryType").type == pa.int32()
    assert result.table.column("Name").to_pylist() == ["test3012.duckdns.org"]
    assert result.partial_errors == []
    assert result.truncated is False
    backend.close()


def test_request_carries_options(emulator):
    backend = backend_for(emulator, server_timeout=90, additional_workspaces=["other-ws"])
    backend.run("DnsEvents | take 1", None, CancelToken())
    request = emulator.received[-1]
    assert request.path == f"/v1/workspaces/{WORKSPACE_ID}/query"
    assert request.timespan == "PT86400.0S"
    assert "wait=90" in request.prefer
    assert "include-statistics=true" in request.prefer
    assert request.additional_workspaces == ["other-ws"]
    assert request.has_token


def test_default_timespan_used(emulator):
    backend = backend_for(emulator, default_timespan="P7D")
    result = backend.run("DnsEvents | count", None, CancelToken())
    assert emulator.received[-1].timespan == "PT604800.0S"
    assert result.table.column(0).to_pylist() == [48]


def test_timespan_filters_rows(emulator):
    backend = backend_for(emulator)
    result = backend.run("DnsEvents | where Name == 'test3012.duckdns.org' | count", Timespan.parse("PT12H"), CancelToken())
    assert result.table.column(0).to_pylist() == [1]


def test_fixed_window_sent(emulator):
    backend = backend_for(emulator)
    end = datetime.now(timezone.utc)
    window = Timespan(start=end - timedelta(hours=40), end=end - timedelta(hours=20))
    result = backend.run("DnsEvents | where Name == 'test3012.duckdns.org' | count", window, CancelToken())
    assert "/" in emulator.received[-1].timespan
    assert result.table.column(0).to_pylist() == [1]


def test_statistics_reported(emulator):
    result = backend_for(emulator).run("DnsEvents | take 5", None, CancelToken())
    assert result.statistics["result_rows"] == 5
    assert result.statistics["scanned_rows"] > 0
    assert "cpu_seconds" in result.statistics
    assert "execution_seconds" in result.statistics


def test_partial_keeps_rows(emulator):
    emulator.scenario = "partial"
    result = backend_for(emulator).run("DnsEvents | take 4", None, CancelToken())
    assert result.row_count == 2
    assert len(result.partial_errors) == 1
    assert "E_QUERY_RESULT_SET_TOO_LARGE" in result.partial_errors[0]
    assert result.truncated is True


def test_row_limit_gives_partial(emulator):
    emulator.max_rows = 10
    try:
        result = backend_for(emulator).run("DnsEvents", Timespan.parse("P3D"), CancelToken())
    finally:
        emulator.max_rows = 500_000
    assert result.row_count == 10
    assert "record count limit 10" in result.partial_errors[0]


def test_scenario_by_workspace_id(emulator):
    backend = backend_for(emulator, workspace_id="scenario-forbidden")
    error = run_error(backend)
    assert error.kind == "forbidden"


# -- query errors ------------------------------------------------------------


def test_real_syntax_error_position(emulator):
    error = run_error(backend_for(emulator), "DnsEvents\n| where Name ==")
    assert error.kind == "syntax"
    assert error.line == 2
    assert error.column is not None


def test_real_unknown_table(emulator):
    error = run_error(backend_for(emulator), "DnsEventz | take 1")
    assert error.kind == "semantic"
    assert "DnsEventz" in error.message


def test_syntax_scenario(emulator):
    emulator.scenario = "syntax-error"
    error = run_error(backend_for(emulator))
    assert error.kind == "syntax"
    assert (error.line, error.column) == (2, 3)
    assert "wher" in error.message


def test_semantic_scenario(emulator):
    emulator.scenario = "semantic-error"
    error = run_error(backend_for(emulator))
    assert error.kind == "semantic"
    assert "DnsEventz" in error.message
    assert error.line is None


# -- credentials and access ----------------------------------------------------


class EmptyTokenCredential:
    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        return AccessToken("", 2_000_000_000)


def test_missing_token_is_auth(emulator):
    backend = AzureBackend(workspace_for(emulator, auth="azure-cli"), credential=EmptyTokenCredential())
    error = run_error(backend)
    assert error.kind == "auth"
    assert "azure-cli" in error.message
    assert "az login" in error.hint


def test_unauthorized_names_kind(emulator):
    emulator.scenario = "unauthorized"
    error = run_error(backend_for(emulator, auth="environment"))
    assert error.kind == "auth"
    assert "environment" in error.message
    assert "AZURE_CLIENT_ID" in error.hint


def test_forbidden_suggests_role(emulator):
    emulator.scenario = "forbidden"
    error = run_error(backend_for(emulator))
    assert error.kind == "forbidden"
    assert WORKSPACE_ID in error.message
    assert "Log Analytics Reader" in error.hint


def test_wrong_audience_suggests_setting(emulator):
    emulator.scenario = "wrong-audience"
    error = run_error(backend_for(emulator))
    assert error.kind == "auth"
    assert "audience" in error.message
    assert "Set audience" in error.hint


def test_static_auth_from_env(emulator, monkeypatch):
    monkeypatch.setenv("HUNT_WORKBENCH_STATIC_TOKEN", "any-text")
    backend = AzureBackend(workspace_for(emulator))
    result = backend.run("DnsEvents | take 2", None, CancelToken())
    assert result.row_count == 2


def test_static_auth_without_env(emulator, monkeypatch):
    monkeypatch.delenv("HUNT_WORKBENCH_STATIC_TOKEN", raising=False)
    error = run_error(AzureBackend(workspace_for(emulator)))
    assert error.kind == "auth"
    assert "HUNT_WORKBENCH_STATIC_TOKEN" in error.message


@pytest.mark.parametrize(
    ("auth", "class_name"),
    [
        ("azure-cli", "AzureCliCredential"),
        ("device-code", "DeviceCodeCredential"),
        ("environment", "EnvironmentCredential"),
        ("managed-identity", "ManagedIdentityCredential"),
        ("default", "DefaultAzureCredential"),
    ],
)
def test_credential_per_auth_kind(auth, class_name):
    credential = make_credential(WorkspaceConfig(name="w", kind="azure", workspace_id="x", auth=auth), prompt_callback=lambda *_: None)
    assert type(credential).__name__ == class_name


def test_static_credential_hides_token():
    credential = StaticTokenCredential("secret-value")
    assert "secret-value" not in repr(credential)
    assert credential.get_token("scope/.default").token == "secret-value"


# -- throttling and timeouts -------------------------------------------------------


def test_throttle_honours_retry_after(emulator):
    emulator.scenario = "throttled"
    waits: list[RetryWait] = []
    result = backend_for(emulator, waits).run("DnsEvents | take 2", None, CancelToken())
    assert result.row_count == 2
    assert waits == [RetryWait(attempt=1, seconds=1.0, status=429, source="Retry-After")]
    assert len(emulator.received) == 2


def test_throttle_without_retry_after(emulator):
    emulator.scenario = "throttled-no-retry-after"
    emulator.throttle_count = 2
    waits: list[RetryWait] = []
    result = backend_for(emulator, waits).run("DnsEvents | take 2", None, CancelToken())
    assert result.row_count == 2
    assert [wait.source for wait in waits] == ["backoff", "backoff"]
    assert [wait.seconds for wait in waits] == [0.01, 0.02]


def test_throttle_gives_up(emulator):
    emulator.scenario = "throttled-no-retry-after"
    emulator.throttle_count = None
    error = run_error(backend_for(emulator))
    assert error.kind == "throttled"
    assert "after 3 attempts" in error.message
    assert len(emulator.received) == TINY_BACKOFF.max_attempts


def test_long_retry_after_not_waited(emulator):
    emulator.scenario = "throttled"
    emulator.retry_after_seconds = 60
    error = run_error(backend_for(emulator))
    assert error.kind == "throttled"
    assert "60 s" in error.message
    assert len(emulator.received) == 1


def test_gateway_timeout_suggests_timespan(emulator):
    emulator.scenario = "gateway-timeout"
    error = run_error(backend_for(emulator))
    assert error.kind == "timeout"
    assert "shorter timespan than P1D" in error.hint
    assert len(emulator.received) == 1


# -- network -----------------------------------------------------------------------


def test_closed_port_names_endpoint(emulator):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"https://127.0.0.1:{port}/v1"
    error = run_error(backend_for(emulator, endpoint=endpoint))
    assert error.kind == "network"
    assert endpoint in error.message


def test_untrusted_certificate(emulator):
    error = run_error(backend_for(emulator, ca_bundle=""))
    assert error.kind == "network"
    assert "ca_bundle" in error.hint


# -- cancel --------------------------------------------------------------------------


def run_in_thread(backend: AzureBackend, token: CancelToken) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            backend.run("DnsEvents | take 2", None, token)
        except BaseException as error:  # noqa: BLE001 - the test inspects whatever the worker raised
            errors.append(error)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread, errors


def test_cancel_running_query(emulator):
    emulator.scenario = "slow"
    emulator.request_arrived.clear()
    token = CancelToken()
    thread, errors = run_in_thread(backend_for(emulator), token)
    assert emulator.request_arrived.wait(10)
    token.cancel()
    thread.join(10)
    assert not thread.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], QueryError)
    assert errors[0].kind == "cancelled"


def test_cancel_during_retry_wait(emulator):
    emulator.scenario = "throttled"
    emulator.retry_after_seconds = 4
    token = CancelToken()
    backend = AzureBackend(
        workspace_for(emulator),
        credential=StaticTokenCredential("emulator-token"),
        backoff=TINY_BACKOFF,
        on_retry_wait=lambda wait: token.cancel(),
    )
    error = run_error_with(backend, token)
    assert error.kind == "cancelled"
    assert len(emulator.received) == 1


def run_error_with(backend: AzureBackend, token: CancelToken) -> QueryError:
    with pytest.raises(QueryError) as caught:
        backend.run("DnsEvents | take 2", None, token)
    return caught.value


def test_cancel_before_start(emulator):
    token = CancelToken()
    token.cancel()
    error = run_error_with(backend_for(emulator), token)
    assert error.kind == "cancelled"
    assert emulator.received == []


# -- tables ----------------------------------------------------------------------------


def test_tables_from_metadata(emulator):
    backend = backend_for(emulator)
    tables = {table.name: table for table in backend.tables()}
    assert sorted(tables) == ["DnsEvents", "Heartbeat"]
    assert tables["DnsEvents"].column_names() == ["TimeGenerated", "Computer", "ClientIP", "Name", "QueryType"]
    assert [column.kql_type for column in tables["DnsEvents"].columns] == ["datetime", "string", "string", "string", "int"]
    assert emulator.metadata_requests == 1
    assert emulator.received == []


def test_tables_cached(emulator):
    backend_for(emulator).tables()
    again = backend_for(emulator).tables()
    assert [table.name for table in again] == ["DnsEvents", "Heartbeat"]
    assert emulator.metadata_requests == 1


def test_tables_kql_fallback(emulator):
    emulator.serve_metadata = False
    tables = {table.name: table for table in backend_for(emulator).tables()}
    assert sorted(tables) == ["DnsEvents", "Heartbeat"]
    assert tables["DnsEvents"].column_names() == ["TimeGenerated", "Computer", "ClientIP", "Name", "QueryType"]
    assert tables["Heartbeat"].columns[0].kql_type == "datetime"
    assert emulator.metadata_requests == 1
    assert len(emulator.received) == 2


def test_tables_stale_cache_on_error(emulator):
    backend = backend_for(emulator)
    backend.tables()
    emulator.scenario = "forbidden"
    tables = backend.tables(refresh=True)
    assert [table.name for table in tables] == ["DnsEvents", "Heartbeat"]


def test_tables_error_without_cache(emulator):
    emulator.scenario = "forbidden"
    with pytest.raises(QueryError) as caught:
        backend_for(emulator).tables()
    assert caught.value.kind == "forbidden"


# -- the recorded service bodies, served verbatim ----------------------------------------


def serve_fixture(emulator, shared_dir: Path, name: str, status: int, headers: dict[str, str] | None = None) -> None:
    body = json.loads((shared_dir / "log-analytics-api" / name).read_text(encoding="utf-8"))
    emulator.respond_with(status, body, headers)


def test_recorded_ok_types(emulator, shared_dir):
    serve_fixture(emulator, shared_dir, "query_ok.json", 200)
    result = backend_for(emulator).run("DnsEvents", None, CancelToken())
    schema = result.table.schema
    assert result.row_count == 3
    assert schema.field("TimeGenerated").type == pa.timestamp("us", tz="UTC")
    assert schema.field("QueryType").type == pa.int32()
    assert schema.field("Count").type == pa.int64()
    assert schema.field("Score").type == pa.float64()
    assert schema.field("IsBlocked").type == pa.bool_()
    assert schema.field("Latency").type == pa.duration("us")
    assert schema.field("CorrelationId").type == pa.string()
    assert [column.kql_type for column in result.columns][-3:] == ["dynamic", "timespan", "guid"]
    first = result.table.slice(0, 1).to_pylist()[0]
    assert first["TimeGenerated"] == datetime(2026, 6, 19, 9, 1, 12, 523000, tzinfo=timezone.utc)
    assert json.loads(first["AdditionalFields"])["answers"] == ["198.51.100.23"]
    assert first["Latency"] == timedelta(milliseconds=12)
    assert result.table.column("AdditionalFields").to_pylist()[2] is None


def test_recorded_statistics(emulator, shared_dir):
    serve_fixture(emulator, shared_dir, "query_ok_with_statistics.json", 200)
    result = backend_for(emulator).run("DnsEvents", None, CancelToken())
    assert result.statistics["execution_seconds"] == 0.734
    assert result.statistics["cache_hits"] == 12


def test_recorded_partial(emulator, shared_dir):
    serve_fixture(emulator, shared_dir, "query_partial_error.json", 200)
    result = backend_for(emulator).run("DnsEvents", None, CancelToken())
    assert result.row_count == 3
    assert "record count limit 500000" in result.partial_errors[0]
    assert result.truncated is True


@pytest.mark.parametrize(
    ("name", "status", "kind", "text"),
    [
        ("error_400_syntax.json", 400, "syntax", "wher"),
        ("error_400_semantic.json", 400, "semantic", "DnsEventz"),
        ("error_401_no_auth.json", 401, "auth", "Authorization"),
        ("error_403_insufficient_access.json", 403, "forbidden", "insufficient access"),
        ("error_403_wrong_audience.json", 403, "auth", "wrong audience"),
        ("error_504_gateway_timeout.json", 504, "timeout", "time limit"),
    ],
)
def test_recorded_errors(emulator, shared_dir, name, status, kind, text):
    serve_fixture(emulator, shared_dir, name, status)
    error = run_error(backend_for(emulator))
    assert error.kind == kind
    assert text in error.message


def test_recorded_syntax_position(emulator, shared_dir):
    serve_fixture(emulator, shared_dir, "error_400_syntax.json", 400)
    error = run_error(backend_for(emulator))
    assert (error.line, error.column) == (2, 3)


def test_recorded_throttle(emulator, shared_dir):
    serve_fixture(emulator, shared_dir, "error_429_throttled.json", 429)
    waits: list[RetryWait] = []
    error = run_error(backend_for(emulator, waits))
    assert error.kind == "throttled"
    assert [wait.source for wait in waits] == ["backoff", "backoff"]


# -- conversion helpers ------------------------------------------------------------------


def test_arrow_bad_values_kept_as_text():
    table, columns = arrow_from_logs_table(["When", "N"], ["datetime", "long"], [["not a time", "x"], [None, None]])
    assert table.schema.field("When").type == pa.string()
    assert table.schema.field("N").type == pa.string()
    assert [column.kql_type for column in columns] == ["datetime", "long"]


def test_arrow_real_specials():
    table, _ = arrow_from_logs_table(["R"], ["real"], [["NaN"], ["Infinity"], [1.5]])
    values = table.column("R").to_pylist()
    assert values[0] != values[0]
    assert values[1] == float("inf")
    assert values[2] == 1.5


def test_statistics_cpu_and_extents():
    statistics = {
        "query": {
            "executionTime": 1.5,
            "resourceUsage": {"cpu": {"totalCpu": "00:00:02.5000000"}, "memory": {"peakPerNode": 1024}},
            "inputDatasetStatistics": {"extents": {"total": 10, "scanned": 4}, "rows": {"total": 900, "scanned": 300}},
            "datasetStatistics": [{"tableRowCount": 7, "tableSize": 640}],
        }
    }
    flat = flatten_statistics(statistics)
    assert flat == {
        "execution_seconds": 1.5,
        "cpu_seconds": 2.5,
        "memory_peak_bytes": 1024,
        "scanned_rows": 300,
        "scanned_extents": 4,
        "result_rows": 7,
        "result_bytes": 640,
    }


# -- through `workbench run` ---------------------------------------------------------------


def test_cli_run_against_emulator(emulator, tmp_path, monkeypatch, capsys):
    import workbench.config
    from workbench.cli import main

    # NOTE: config.py does not list "static" yet; this adds it for the test until it does.
    if "static" not in workbench.config.AUTH_KINDS:
        monkeypatch.setattr(workbench.config, "AUTH_KINDS", (*workbench.config.AUTH_KINDS, "static"))
    monkeypatch.setenv("HUNT_WORKBENCH_STATIC_TOKEN", "emulator-token")
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        "\n".join(
            [
                "[[workspaces]]",
                'name = "emu"',
                'kind = "azure"',
                f'workspace_id = "{WORKSPACE_ID}"',
                f'endpoint = "{emulator.url}"',
                f'ca_bundle = "{emulator.ca_path}"',
                'auth = "static"',
                'default_timespan = "P1D"',
            ]
        ),
        encoding="utf-8",
    )

    exit_code = main(["--config", str(config_path), "--workspace", "emu", "run", "--query", "DnsEvents | take 3", "--format", "json"])

    captured = capsys.readouterr()
    assert exit_code == 0, captured.err
    rows = json.loads(captured.out)
    assert len(rows) == 3
    assert set(rows[0]) == {"TimeGenerated", "Computer", "ClientIP", "Name", "QueryType"}
    assert emulator.received[-1].timespan == "PT86400.0S"


def test_cli_run_reports_error(emulator, tmp_path, monkeypatch, capsys):
    import workbench.config
    from workbench.cli import main

    if "static" not in workbench.config.AUTH_KINDS:
        monkeypatch.setattr(workbench.config, "AUTH_KINDS", (*workbench.config.AUTH_KINDS, "static"))
    monkeypatch.setenv("HUNT_WORKBENCH_STATIC_TOKEN", "emulator-token")
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        "\n".join(
            [
                "[[workspaces]]",
                'name = "emu"',
                'kind = "azure"',
                'workspace_id = "scenario-forbidden"',
                f'endpoint = "{emulator.url}"',
                f'ca_bundle = "{emulator.ca_path}"',
                'auth = "static"',
            ]
        ),
        encoding="utf-8",
    )

    exit_code = main(["--config", str(config_path), "--workspace", "emu", "run", "--query", "DnsEvents | take 3"])

    captured = capsys.readouterr()
    assert exit_code == 2
    assert "Log Analytics Reader" in captured.err
    assert "Traceback" not in captured.err


class BlockingCredential:
    """A credential that blocks like a device-code sign-in that the user never completes."""

    def __init__(self) -> None:
        self.called = threading.Event()
        self.release = threading.Event()

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken

        self.called.set()
        self.release.wait(30)
        return AccessToken("late-token", 2_000_000_000)


def test_cancel_during_sign_in(emulator):
    credential = BlockingCredential()
    backend = AzureBackend(workspace_for(emulator, auth="device-code"), credential=credential)
    token = CancelToken()
    thread, errors = run_in_thread(backend, token)
    try:
        assert credential.called.wait(10)
        token.cancel()
        thread.join(10)
        assert not thread.is_alive()
        assert errors[0].kind == "cancelled"
    finally:
        credential.release.set()


def test_device_prompt_on_stderr(capsys):
    from workbench.backends.azure import _print_device_prompt

    _print_device_prompt("https://microsoft.com/devicelogin", "ABCD-EFGH", datetime(2026, 12, 4, 22, 15, tzinfo=timezone.utc))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "ABCD-EFGH" in captured.err
    assert "https://microsoft.com/devicelogin" in captured.err


def write_emulator_config(path, url: str, ca_path, workspace_id: str) -> None:
    path.write_text(
        "\n".join(
            [
                "[[workspaces]]",
                'name = "emu"',
                'kind = "azure"',
                f'workspace_id = "{workspace_id}"',
                f'endpoint = "{url}"',
                f'ca_bundle = "{ca_path}"',
                'auth = "static"',
                'default_timespan = "P1D"',
            ]
        ),
        encoding="utf-8",
    )


CLI_CASES = [
    # (scenario, exit code, text expected on stderr)
    ("partial", 0, "partial result"),
    ("syntax-error", 2, "line"),
    ("semantic-error", 2, "failed"),
    ("unauthorized", 2, "static"),
    ("forbidden", 2, "Log Analytics Reader"),
    ("wrong-audience", 2, "audience"),
    ("throttled", 0, ""),
    ("throttled-no-retry-after", 0, ""),
    ("gateway-timeout", 2, "shorter timespan"),
]


@pytest.mark.parametrize(("scenario", "expected_code", "expected_text"), CLI_CASES)
def test_cli_run_every_case(emulator, tmp_path, monkeypatch, capsys, scenario, expected_code, expected_text):
    from workbench.cli import main

    emulator.retry_after_seconds = 0
    monkeypatch.setenv("HUNT_WORKBENCH_STATIC_TOKEN", "emulator-token")
    config_path = tmp_path / "config.toml"
    write_emulator_config(config_path, emulator.url, emulator.ca_path, f"scenario-{scenario}")

    exit_code = main(["--config", str(config_path), "--workspace", "emu", "run", "--query", "DnsEvents | take 3", "--format", "json"])

    captured = capsys.readouterr()
    assert exit_code == expected_code, captured.err
    assert "Traceback" not in captured.err
    assert expected_text.lower() in captured.err.lower()
    if expected_code == 0:
        assert json.loads(captured.out)


def test_cli_run_names_unreachable_endpoint(emulator, tmp_path, monkeypatch, capsys):
    import socket

    from workbench.cli import main

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("HUNT_WORKBENCH_STATIC_TOKEN", "emulator-token")
    config_path = tmp_path / "config.toml"
    write_emulator_config(config_path, f"https://127.0.0.1:{closed_port}/v1", emulator.ca_path, WORKSPACE_ID)

    exit_code = main(["--config", str(config_path), "--workspace", "emu", "run", "--query", "DnsEvents | take 3"])

    captured = capsys.readouterr()
    assert exit_code == 2
    assert f"127.0.0.1:{closed_port}" in captured.err
    assert "Traceback" not in captured.err
