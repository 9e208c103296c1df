"""The TUI on a Log Analytics workspace: the real app, the real azure-monitor-query client and the emulator.

Every test opens `WorkbenchApp` on an azure workspace whose endpoint is the
emulator on 127.0.0.1 over https, trusting its throwaway certificate through
`ca_bundle`, with `auth = "static"`. The emulator runs the queries on the
generated demo workspace, and a workspace id `scenario-<name>` makes it send
one of the service's cases (partial, 400, 429, 504, slow) to every request.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta
from pathlib import Path

import pytest

from tests.helpers import wait_for
from tests.test_ui_main import NANOCORE, expected_hits, make_config, run_and_wait, shown_rows, start
from workbench.backends.azure import STATIC_TOKEN_ENV, AzureBackend, RetryBackoff
from workbench.backends.emulator import parse_request_timespan, start_emulator, workspace_metadata
from workbench.config import Config, WorkspaceConfig
from workbench.ui import app as app_module
from workbench.ui.app import WorkbenchApp

WORKSPACE_ID = "11111111-2222-3333-4444-555555555555"
NANOCORE_LOOKUPS = (
    "DnsEvents | where Name =~ 'test3012.duckdns.org' or Name endswith '.test3012.duckdns.org' "
    "| project TimeGenerated, Computer, Name, QueryType | order by TimeGenerated desc"
)


class StatusRecordingApp(WorkbenchApp):
    """The real app, keeping every text its status line showed, so a short-lived message can be checked."""

    # Textual reads a relative CSS_PATH next to the subclass's module, so point at the app's file.
    CSS_PATH = str(Path(app_module.__file__).with_name(WorkbenchApp.CSS_PATH))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.status_history: list[str] = []

    def set_status(self, message: str, *, error: bool = False) -> None:
        super().set_status(message, error=error)
        self.status_history.append(str(self.query_one("#status").render()))


@pytest.fixture(scope="module")
def emulator(demo_db: Path):
    handle = start_emulator(demo_db)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def reset_emulator(emulator, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(STATIC_TOKEN_ENV, "emulator-token")
    emulator.scenario = "ok"
    emulator.canned = None
    emulator.throttle_count = 1
    emulator.retry_after_seconds = 1
    emulator.slow_seconds = 30.0
    emulator._throttled.clear()
    emulator.received.clear()
    emulator.request_arrived.clear()
    yield


def azure_workspace(emulator, workspace_id: str = WORKSPACE_ID, **settings) -> WorkspaceConfig:
    options = {
        "name": "emulator",
        "kind": "azure",
        "workspace_id": workspace_id,
        "auth": "static",
        "endpoint": emulator.url,
        "ca_bundle": str(emulator.ca_path),
    }
    options.update(settings)
    return WorkspaceConfig(**options)


def config_with(emulator, workspace_id: str = WORKSPACE_ID, **settings) -> Config:
    """Return the local default workspace over the demo file plus the azure workspace named `emulator`."""
    config = make_config(emulator.db_path)
    config.workspaces.append(azure_workspace(emulator, workspace_id, **settings))
    return config


def azure_app(emulator, workspace_id: str = WORKSPACE_ID, **settings) -> StatusRecordingApp:
    return StatusRecordingApp(config=config_with(emulator, workspace_id, **settings), workspace_name="emulator")


async def run_text(pilot, app: WorkbenchApp, text: str) -> None:
    app.editor.load_text(text)
    app.editor.focus()
    await run_and_wait(pilot, app)


def status_text(app: WorkbenchApp) -> str:
    return str(app.query_one("#status").render())


def info_text(app: WorkbenchApp) -> str:
    return str(app.query_one("#results-info").render())


def notification_texts(app: WorkbenchApp) -> list[str]:
    return [f"{notification.title}: {notification.message}" for notification in app._notifications]


def closed_port() -> int:
    """Return a port on 127.0.0.1 that nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# -- results -------------------------------------------------------------------


async def test_ok_rows_and_status(emulator) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend_name == f"azure:{WORKSPACE_ID}"

        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        rows = shown_rows(app)
        assert rows
        for row in rows:
            name = row["Name"].lower().rstrip(".")
            assert name == NANOCORE[0] or name.endswith("." + NANOCORE[0]), row["Name"]
        assert emulator.received[-1].workspace_id == WORKSPACE_ID
        assert emulator.received[-1].query == NANOCORE_LOOKUPS
        start_time, end_time = parse_request_timespan(emulator.received[-1].timespan)
        assert end_time - start_time == timedelta(days=14)

        info = info_text(app)
        assert re.search(rf"\b{len(rows)} rows in \d+\.\d\d s on azure:{WORKSPACE_ID}", info), info
        status = status_text(app)
        assert f"azure:{WORKSPACE_ID}" in status
        assert f"{len(rows)} rows in" in status


async def test_statistics_in_info(emulator) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert "include-statistics=true" in emulator.received[-1].prefer.replace(" ", "")
        info = info_text(app)
        assert re.search(r"CPU \d+\.\d\d s", info), info
        scanned = re.search(r"scanned ([\d,]+) rows", info)
        assert scanned, info
        assert int(scanned.group(1).replace(",", "")) >= len(shown_rows(app))


async def test_partial_rows_and_reason(emulator) -> None:
    app = azure_app(emulator, "scenario-partial")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert shown_rows(app)
        warnings = [text for text in notification_texts(app) if text.startswith("Partial result")]
        assert warnings, notification_texts(app)
        assert "E_QUERY_RESULT_SET_TOO_LARGE" in warnings[0]


async def test_partial_not_called_fetch_limit(emulator) -> None:
    app = azure_app(emulator, "scenario-partial")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert shown_rows(app)
        assert "fetch limit" not in info_text(app)
        assert "partial" in info_text(app).lower()


# -- query errors ----------------------------------------------------------------


async def test_syntax_error_position(emulator) -> None:
    app = azure_app(emulator, "scenario-syntax-error")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        # The emulator's canned body names 'wher' at line 2, position 2 (0-based) for any query.
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert len(emulator.received) == 1
        assert app.last_error is not None
        assert app.last_error.kind == "syntax"
        assert "'wher'" in info_text(app)
        assert "line 2, column 3" in info_text(app)
        assert "line 2, column 3" in status_text(app)


async def test_syntax_checked_before_send(emulator) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, "DnsEvents\n| where Name ==")
        assert emulator.received == []
        assert app.last_error is not None
        assert app.last_error.kind == "syntax"
        assert app.last_error.line == 2
        assert re.search(r"at line 2, column \d+", info_text(app)), info_text(app)
        assert re.search(r"at line 2, column \d+", status_text(app)), status_text(app)


async def test_semantic_error_message(emulator) -> None:
    app = azure_app(emulator, "scenario-semantic-error")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, "DnsEventz | take 1")
        assert app.last_error is not None
        assert app.last_error.kind == "semantic"
        assert "Failed to resolve table or column expression named 'DnsEventz'" in info_text(app)
        assert "DnsEventz" in status_text(app)


async def test_unsupported_construct_position(emulator) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, "DnsEvents\n| take 1\n| search 'x'")
        assert app.last_error is not None
        assert app.last_error.kind == "semantic"
        assert re.search(r"at line 3, column \d+", info_text(app)), info_text(app)
        assert re.search(r"at line 3, column \d+", status_text(app)), status_text(app)


AUTH_CASES = [
    ("unauthorized", "rejected the token from the static credential", STATIC_TOKEN_ENV),
    ("forbidden", "The static identity has no read access", "Log Analytics Reader"),
    ("wrong-audience", "The static credential's token was issued for another audience", "Set audience"),
]


@pytest.mark.parametrize(("scenario", "problem", "fix"), AUTH_CASES)
async def test_query_auth_error(emulator, scenario: str, problem: str, fix: str) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        emulator.scenario = scenario
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is not None
        assert app.last_error.kind in ("auth", "forbidden")
        assert problem in info_text(app)
        assert fix in info_text(app)
        assert problem in status_text(app)
        assert fix in status_text(app)


@pytest.mark.parametrize(("scenario", "problem", "fix"), AUTH_CASES)
async def test_open_auth_names_kind(emulator, scenario: str, problem: str, fix: str) -> None:
    app = azure_app(emulator, f"scenario-{scenario}")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is None
        assert "Workspace unavailable" in status_text(app)
        assert problem in status_text(app)


@pytest.mark.parametrize(("scenario", "problem", "fix"), AUTH_CASES)
async def test_open_auth_names_fix(emulator, scenario: str, problem: str, fix: str) -> None:
    app = azure_app(emulator, f"scenario-{scenario}")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is None
        assert fix in status_text(app)


async def test_throttle_retry_after_shown(emulator) -> None:
    emulator.retry_after_seconds = 0
    app = azure_app(emulator, "scenario-throttled")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert shown_rows(app)
        assert len(emulator.received) == 2
        waits = [text for text in app.status_history if "HTTP 429" in text]
        assert len(waits) == 1, app.status_history
        assert "retry 1 in 0.0 s (Retry-After)" in waits[0]
        assert "running" in waits[0]


async def test_throttle_backoff_shown(emulator) -> None:
    app = azure_app(emulator, "scenario-throttled-no-retry-after")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend.backoff.initial_seconds == RetryBackoff().initial_seconds
        # The workbench's own first wait is 2 s; the app's azure_backoff shortens it for the test.
        app.backend.backoff = RetryBackoff(initial_seconds=0.2, max_seconds=0.4, max_attempts=3)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert shown_rows(app)
        assert len(emulator.received) == 2
        waits = [text for text in app.status_history if "HTTP 429" in text]
        assert len(waits) == 1, app.status_history
        assert "retry 1 in 0.2 s (backoff)" in waits[0]


async def test_throttle_gives_up(emulator) -> None:
    emulator.retry_after_seconds = 0
    emulator.throttle_count = None
    app = azure_app(emulator, "scenario-throttled")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is not None
        assert app.last_error.kind == "throttled"
        assert len(emulator.received) == RetryBackoff().max_attempts
        assert "gave up after" in status_text(app)
        assert "Wait a minute" in status_text(app)


async def test_gateway_timeout_hint(emulator) -> None:
    app = azure_app(emulator, "scenario-gateway-timeout")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is not None
        assert app.last_error.kind == "timeout"
        assert "ran past the service's time limit" in info_text(app)
        assert "shorter timespan than P14D" in info_text(app)
        assert "shorter timespan than P14D" in status_text(app)


# -- network and cancel -------------------------------------------------------------


async def test_missing_ca_bundle_names_setting(emulator, tmp_path: Path) -> None:
    app = azure_app(emulator, ca_bundle=str(tmp_path / "absent-ca.pem"))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is None
        assert "absent-ca.pem" in status_text(app)
        assert "OSError" not in status_text(app)
        assert "ca_bundle" in status_text(app)


async def test_closed_port_names_endpoint(emulator) -> None:
    endpoint = f"https://127.0.0.1:{closed_port()}/v1"
    app = azure_app(emulator, endpoint=endpoint)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is None
        assert f"Cannot reach Log Analytics at {endpoint}" in status_text(app)


async def test_unreachable_run_names_endpoint(emulator) -> None:
    # The table list is cached from the emulator first, so the workspace opens
    # while its endpoint is down and the failure comes from the run itself.
    AzureBackend(azure_workspace(emulator)).tables()
    endpoint = f"https://127.0.0.1:{closed_port()}/v1"
    app = azure_app(emulator, endpoint=endpoint)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is not None
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is not None
        assert app.last_error.kind == "network"
        assert f"Cannot reach Log Analytics at {endpoint}" in info_text(app)
        assert endpoint in status_text(app)
        assert "Check the network" in status_text(app)


async def test_stopped_service_names_endpoint(demo_db: Path, tmp_path: Path) -> None:
    handle = start_emulator(demo_db)
    try:
        # stop() deletes the certificate, so the workspace trusts a copy that outlives it.
        ca_copy = tmp_path / "emulator-ca.pem"
        ca_copy.write_bytes(handle.ca_path.read_bytes())
        app = azure_app(handle, ca_bundle=str(ca_copy))
        async with app.run_test(size=(120, 40)) as pilot:
            await start(pilot, app)
            assert app.backend is not None
            handle.stop()
            await run_text(pilot, app, NANOCORE_LOOKUPS)
            assert app.last_error is not None
            assert app.last_error.kind == "network"
            assert f"Cannot reach Log Analytics at {handle.url}" in info_text(app)
            assert handle.url in status_text(app)
    finally:
        handle.stop()


async def test_escape_cancels_held_run(emulator) -> None:
    app = azure_app(emulator, "scenario-slow")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text(NANOCORE_LOOKUPS)
        app.editor.focus()
        before = app.run_id
        await pilot.press("ctrl+r")
        await wait_for(pilot, emulator.request_arrived.is_set, timeout=20, what="request at the emulator")
        assert app.running is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.run_id > before and app.running is None, timeout=20, what="cancelled run")
        assert app.last_error is not None
        assert app.last_error.kind == "cancelled"
        assert "cancelled" in info_text(app).lower()
        assert "Cancelled" in status_text(app)

        # The next run on the same workspace is not held and shows its rows.
        emulator.slow_seconds = 0
        await run_and_wait(pilot, app)
        assert shown_rows(app)
        assert re.search(r"\d+ rows in", status_text(app)), status_text(app)


async def test_escape_cancels_retry_wait(emulator) -> None:
    emulator.retry_after_seconds = 30
    app = azure_app(emulator, "scenario-throttled")
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text(NANOCORE_LOOKUPS)
        app.editor.focus()
        before = app.run_id
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: "retry 1 in 30.0 s (Retry-After)" in status_text(app), timeout=20, what="retry wait")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.run_id > before and app.running is None, timeout=20, what="cancelled wait")
        assert app.last_error is not None
        assert app.last_error.kind == "cancelled"
        assert len(emulator.received) == 1
        assert "Cancelled" in status_text(app)


# -- workspaces, hunts, exclusions and completion ----------------------------------------


async def test_switcher_local_to_azure(emulator) -> None:
    app = StatusRecordingApp(config=config_with(emulator))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend_name == "local:default"

        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.backend_name == f"azure:{WORKSPACE_ID}", what="azure workspace")
        assert f"azure:{WORKSPACE_ID}" in status_text(app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert shown_rows(app)
        assert len(emulator.received) == 1

        await pilot.press("f7")
        await pilot.pause()
        # The list opens on the current (azure) workspace; the local default is one up.
        await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.backend_name == "local:default", what="local workspace")
        assert "local:default" in status_text(app)
        await run_text(pilot, app, NANOCORE_LOOKUPS)
        assert app.last_error is None
        assert shown_rows(app)
        assert len(emulator.received) == 1


async def test_hunt_and_exclusion(emulator) -> None:
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)

        await pilot.press("ctrl+g")
        assert "DnsEvents" in app.editor.text
        await run_and_wait(pilot, app)
        assert app.last_error is None
        rows = shown_rows(app)
        assert {(row["Computer"], row["Name"]) for row in rows} == expected_hits(emulator.db_path)
        assert emulator.received[-1].workspace_id == WORKSPACE_ID

        app.action_focus_pane("results-pane")
        await pilot.pause()
        computer_column = app.results_pane.view.column_names.index("Computer") + 1
        app.results_pane.table.move_cursor(row=0, column=computer_column)
        await pilot.pause()
        excluded_computer = rows[0]["Computer"]
        await pilot.press("x")
        await pilot.pause()
        await pilot.press(*"CI runner resolves test names")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.exclusions) == 1
        exclusion = app.session.exclusions[0]
        assert exclusion.field == "Computer"
        assert exclusion.values == [excluded_computer]

        await run_and_wait(pilot, app)
        assert app.last_error is None
        after = shown_rows(app)
        removed = sum(1 for row in rows if row["Computer"] == excluded_computer)
        assert removed > 0
        assert len(after) == len(rows) - removed
        assert all(row["Computer"] != excluded_computer for row in after)
        assert app.exclusions_pane.removed[exclusion.id] == removed
        assert f"exclusions removed {removed}" in info_text(app)

        runs = app.session.query(app.current_query_id).runs
        assert len(runs) == 2
        assert runs[-1].workspace == f"azure:{WORKSPACE_ID}"
        assert runs[-1].row_count == len(after)


async def test_completion_schema(emulator) -> None:
    expected = {table["name"]: [column["name"] for column in table["columns"]] for table in workspace_metadata(emulator.db_path)["tables"]}
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        schema = app.editor._tables
        assert set(schema) == set(expected)
        # The built-in schema lists DeviceFileEvents, but the demo workspace has no such table.
        assert "DeviceFileEvents" not in schema
        assert [column.name for column in schema["DnsEvents"].columns] == expected["DnsEvents"]


async def test_generate_survives_uncached_schema(emulator) -> None:
    from workbench.paths import cache_dir

    # A file where the cache folder should be makes every cache write fail; the tables read on
    # opening must still serve ctrl+g without another request, even once the service refuses.
    cache_dir().mkdir(parents=True, exist_ok=True)
    (cache_dir() / "azure-tables").write_text("not a folder", encoding="utf-8")
    app = azure_app(emulator)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        assert app.backend is not None
        requests_before = len(emulator.received)
        emulator.scenario = "forbidden"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.is_running
        assert "DnsEvents" in app.editor.text
        assert len(emulator.received) == requests_before
