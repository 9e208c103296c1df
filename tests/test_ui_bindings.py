"""Every pane and key binding of the TUI, driven with Pilot over a real generated workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import wait_for
from tests.test_ui_main import make_config, run_and_wait, start
from workbench.ui.app import WorkbenchApp


async def run_text(pilot, app: WorkbenchApp, text: str) -> None:
    app.editor.load_text(text)
    app.editor.focus()
    await run_and_wait(pilot, app)


HITS = (
    'DnsEvents | extend n = tolower(trim_end(@"\\.", Name)) '
    '| where n == "test3012.duckdns.org" or n endswith ".test3012.duckdns.org" '
    "| project TimeGenerated, Computer, Name, QueryType | order by TimeGenerated desc"
)


async def focus_results(pilot, app: WorkbenchApp, row: int = 0, column: int = 2) -> None:
    app.action_focus_pane("results-pane")
    await pilot.pause()
    app.results_pane.table.move_cursor(row=row, column=column)
    await pilot.pause()


async def test_help_lists_every_binding(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("f1")
        await pilot.pause()
        from workbench.ui.screens import HelpScreen

        assert isinstance(app.screen, HelpScreen)
        ids = {binding_id for _, _, binding_id in app.screen.rows}
        for expected in ("run_query", "cancel_query", "generate_hunt", "save_session", "open_session", "quit", "help",
                         "results.exclude", "results.verdict_tp", "results.copy_cell", "ioc.toggle", "exclusions.delete"):
            assert expected in ids
        keys = {binding_id: keys for keys, _, binding_id in app.screen.rows}
        assert "ctrl+r" in keys["run_query"]
        assert "f5" in keys["run_query"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)

        # `?` opens help outside text fields.
        app.action_focus_pane("iocs-pane")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)


async def test_function_keys_jump_to_panes(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        for key, index in (("f2", 0), ("f3", 1), ("f4", 2), ("f6", 3)):
            await pilot.press(key)
            await pilot.pause()
            assert app._focused_pane_index() == index, key
        await pilot.press("shift+tab")
        await pilot.pause()
        assert app._focused_pane_index() == 2


async def test_ioc_selection_drives_hunt(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("f2")
        await pilot.press("space")
        pane = app.ioc_pane
        await wait_for(pilot, lambda: not pane.busy, what="selection")
        assert len(pane.selected) == 1
        selected_value = next(iter(pane.selected))[1]
        await pilot.press("ctrl+g")
        await pilot.pause()
        text = app.editor.text
        other = [value for _, value in (indicator.key for indicator in pane.indicators) if value != selected_value][0]
        assert selected_value in text
        assert other not in text

        await pilot.press("f2")
        await pilot.press("a")
        await wait_for(pilot, lambda: not pane.busy, what="select all")
        assert len(pane.selected) == len(pane.indicators)
        await pilot.press("A")
        await wait_for(pilot, lambda: not pane.busy, what="select none")
        assert pane.selected == set()

        await pilot.press("slash")
        await pilot.press(*"elroi")
        await wait_for(pilot, lambda: not pane.busy, what="filter")
        assert [indicator.value for indicator in pane.shown()] == ["elroiseeme02.ip-ddns.com"]
        assert "1 shown of 2" in str(app.query_one("#ioc-info").render())

        await pilot.press("ctrl+a", "ctrl+k")
        await pilot.press(*"age<=3")
        await wait_for(pilot, lambda: not pane.busy, what="age filter")
        assert pane.shown() == []
        await pilot.press("ctrl+a", "ctrl+k")
        await pilot.press(*"type:domain conf>=100")
        await wait_for(pilot, lambda: not pane.busy, what="type filter")
        assert len(pane.shown()) == 2


async def test_escape_cancels_running_query(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents | join kind=inner (DnsEvents) on QueryType | join kind=inner (DnsEvents) on QueryType | count")
        before = app.run_id
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert app.running is not None
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.run_id > before and app.running is None, what="cancelled run")
        assert app.last_error is not None
        assert app.last_error.kind == "cancelled"
        assert "cancelled" in str(app.query_one("#results-info").render()).lower()


async def test_f5_runs_query(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents | count")
        before = app.run_id
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_id > before and app.running is None and not app.results_pane.busy, what="run")
        assert app.results_pane.view.column_names == ["Count"]


async def test_row_detail_copy_and_verdicts(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, HITS)
        first = app.results_pane.view.to_pylist()[0]
        await focus_results(pilot, app, row=0, column=2)

        await pilot.press("enter")
        await pilot.pause()
        from workbench.ui.screens import RowDetailScreen

        assert isinstance(app.screen, RowDetailScreen)
        assert app.screen.row["Computer"] == first["Computer"]
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == first["Computer"]
        await pilot.press("Y")
        await pilot.pause()
        assert json.loads(app.clipboard)["Name"] == first["Name"]

        for key, verdict in (("t", "true_positive"), ("f", "false_positive"), ("b", "benign"), ("n", "needs_review")):
            await pilot.press(key)
            await pilot.pause()
        counts = app.results_pane.verdict_counts()
        assert counts == {"true_positive": 1, "false_positive": 1, "benign": 1, "needs_review": 1}
        assert "4 triaged" in str(app.results_pane.border_title)
        markers = app.results_pane.table.get_column_at(0)
        assert list(markers)[:4] == ["TP", "FP", "BN", "??"]

        # `v` cycles the verdict filter: true positives only.
        await pilot.press("v")
        await wait_for(pilot, lambda: not app.results_pane.busy, what="verdict filter")
        assert app.results_pane.view.num_rows == 1
        for _ in range(5):
            await pilot.press("v")
            await wait_for(pilot, lambda: not app.results_pane.busy, what="verdict filter")
        assert app.results_pane.verdict_filter == ""


async def test_filter_sort_frequency_hide(demo_db: Path, tmp_path: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, HITS)
        all_rows = app.results_pane.view.to_pylist()
        computer = all_rows[0]["Computer"]
        await focus_results(pilot, app, row=0, column=2)

        await pilot.press("slash")
        await pilot.press(*computer)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.results_pane.busy, what="filter")
        shown = app.results_pane.view.to_pylist()
        assert shown
        assert all(computer in row["Computer"] for row in shown)
        assert len(shown) < len(all_rows)

        await pilot.press("slash")
        await pilot.press("ctrl+a")
        await pilot.press("ctrl+k")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not app.results_pane.busy, what="filter cleared")
        assert app.results_pane.view.num_rows == len(all_rows)

        app.results_pane.table.move_cursor(row=0, column=2)
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await wait_for(pilot, lambda: app.results_pane.source.column("Computer")[0].as_py() == min(row["Computer"] for row in all_rows), what="sort")
        await wait_for(pilot, lambda: not app.results_pane.busy, what="sorted view")
        computers = [row["Computer"] for row in app.results_pane.view.to_pylist()]
        assert computers == sorted(computers)
        app.results_pane.table.move_cursor(row=0, column=2)
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: app.results_pane.source.column("Computer")[0].as_py() == max(row["Computer"] for row in all_rows), what="sort")

        app.results_pane.table.move_cursor(row=0, column=2)
        await pilot.pause()
        await pilot.press("F")
        from workbench.ui.screens import FrequencyScreen

        await wait_for(pilot, lambda: isinstance(app.screen, FrequencyScreen), what="frequency")
        expected = {}
        for row in all_rows:
            expected[row["Computer"]] = expected.get(row["Computer"], 0) + 1
        assert dict(app.screen.counts) == expected
        await pilot.press("escape")
        await pilot.pause()

        app.results_pane.table.move_cursor(row=0, column=2)
        await pilot.pause()
        await pilot.press("h")
        await wait_for(pilot, lambda: not app.results_pane.busy and "Computer" not in app.results_pane.view.column_names, what="hide")
        await pilot.press("H")
        await wait_for(pilot, lambda: not app.results_pane.busy and "Computer" in app.results_pane.view.column_names, what="show")

        export = tmp_path / "rows.jsonl"
        await pilot.press("E")
        await pilot.pause()
        path_input = app.screen.query_one("#path-input")
        path_input.value = str(export)
        await pilot.press("enter")
        await wait_for(pilot, lambda: export.exists() and export.stat().st_size > 0, what="export")
        await pilot.pause(0.2)
        lines = export.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(all_rows)


async def test_exclusion_pane_keys(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("f6")
        await pilot.press("a")
        await pilot.pause()
        from workbench.ui.screens import ConfirmScreen, ExclusionFormScreen

        assert isinstance(app.screen, ExclusionFormScreen)
        app.screen.query_one("#exclusion-field").value = "Computer"
        app.screen.query_one("#exclusion-values").value = "WS-114"
        # An empty reason is rejected with a message; the form stays open.
        app.screen.query_one("#exclusion-reason").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExclusionFormScreen)
        assert "reason" in str(app.screen.query_one("#exclusion-error").render()).lower()
        await pilot.press(*"known scanner")
        await pilot.press("enter")
        await pilot.pause()
        assert [exclusion.values for exclusion in app.session.exclusions] == [["WS-114"]]

        await pilot.press("space")
        await pilot.pause()
        assert app.session.exclusions[0].enabled is False
        await pilot.press("space")
        await pilot.pause()
        assert app.session.exclusions[0].enabled is True

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExclusionFormScreen)
        app.screen.query_one("#exclusion-values").value = "WS-207"
        app.screen.query_one("#exclusion-reason").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.exclusions[0].values == ["WS-207"]

        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(app.session.exclusions) == 1
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.session.exclusions == []


async def test_timespan_picker_changes_rows(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, "DnsEvents | count")
        fourteen_days = app.results_pane.view.column("Count")[0].as_py()
        await pilot.press("ctrl+t")
        await pilot.pause()
        from workbench.ui.screens import ChoiceScreen

        assert isinstance(app.screen, ChoiceScreen)
        # The list opens on the current timespan, P14D; two steps up is the last 24 hours.
        await pilot.press("up", "up")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.query(app.current_query_id).timespan == "P1D"
        await run_text(pilot, app, "DnsEvents | count")
        one_day = app.results_pane.view.column("Count")[0].as_py()
        assert 0 < one_day < fourteen_days
        assert "P1D" in str(app.query_one("#status").render())


async def test_quit_asks_when_unsaved(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert app.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        from workbench.ui.screens import ConfirmScreen

        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_open_and_browse_sessions(demo_db: Path) -> None:
    from workbench.paths import sessions_dir

    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.saving, what="save")
        saved = app.session_path
        assert saved is not None and saved.parent == sessions_dir()
        generated = app.editor.text
        app.editor.load_text("")

        await pilot.press("ctrl+l")
        await pilot.pause()
        from workbench.ui.session_browser import SessionBrowserScreen

        assert isinstance(app.screen, SessionBrowserScreen)
        browser = app.screen
        await wait_for(pilot, lambda: not browser.loading, what="session list")
        assert [summary.path for summary in browser.summaries] == [saved]
        await pilot.press("c")
        await pilot.pause()
        await wait_for(pilot, lambda: not browser.loading, what="session list")
        assert len(browser.summaries) == 2
        await pilot.press("escape")
        await pilot.pause()

        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path-input").value = str(saved)
        await pilot.press("enter")
        await pilot.pause()
        await wait_for(pilot, lambda: not app.session_loading, what="session load")
        assert app.editor.text == generated


async def test_workspace_switcher_reports_missing_file(demo_db: Path, tmp_path: Path) -> None:
    from workbench.config import WorkspaceConfig

    config = make_config(demo_db)
    config.workspaces.append(WorkspaceConfig(name="other", kind="local", path=str(tmp_path / "absent.duckdb")))
    app = WorkbenchApp(config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "unavailable" in str(app.query_one("#status").render()), what="workspace error")
        assert "absent.duckdb" in str(app.query_one("#status").render())
        await pilot.press("f7")
        await pilot.pause()
        # The list opens on the current workspace, "other"; the default is one up.
        await pilot.press("up")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.backend is not None, what="default workspace")
        assert app.backend_name == "local:default"


async def test_hunt_package_import_reports_lint(demo_db: Path, shared_dir: Path) -> None:
    package = shared_dir / "hunt-packages" / "nanocore-threatfox-dnsevents.md"
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        queries_before = len(app.session.queries)
        app._load_feed_file(package)
        await wait_for(pilot, lambda: len(app.session.exclusions) > 0, what="hunt package import")
        await pilot.pause()
        assert len(app.session.queries) == queries_before + 1
        assert "DnsEvents" in app.session.queries[-1].text
        assert all(not exclusion.enabled for exclusion in app.session.exclusions)
        findings = app.exclusions_pane.findings
        messages = " ".join(message for items in findings.values() for message in items).lower()
        assert "always true" in messages
        assert "process.name" in messages


async def test_live_threatfox_feed_and_refresh(demo_db: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from workbench.config import FeedConfig

    body = (shared_dir / "feeds" / "threatfox_api_get_iocs_ok.json").read_bytes()
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            requests.append(self.headers.get("Auth-Key", ""))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("TEST_THREATFOX_KEY", "key-for-tests")
    try:
        config = make_config(demo_db)
        config.feeds = [FeedConfig(name="tf", kind="threatfox", url=f"http://127.0.0.1:{server.server_port}/api/v1/", auth_key_env="TEST_THREATFOX_KEY")]
        app = WorkbenchApp(config=config)
        async with app.run_test(size=(120, 40)) as pilot:
            await start(pilot, app)
            await wait_for(pilot, lambda: len(app.ioc_pane.indicators) > 2, what="live feed")
            assert requests == ["key-for-tests"]
            sources = " ".join(indicator.source for indicator in app.ioc_pane.indicators)
            assert "threatfox" in sources.lower()
            count = len(app.ioc_pane.indicators)

            await pilot.press("f2")
            await pilot.press("R")
            await wait_for(pilot, lambda: len(requests) == 2, what="refresh request")
            await wait_for(pilot, lambda: not app.ioc_pane.busy, what="refreshed table")
            assert len(app.ioc_pane.indicators) == count
    finally:
        server.shutdown()
        server.server_close()


async def test_query_tabs_and_history(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents | count")
        await run_and_wait(pilot, app)
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert app.editor.text == ""
        assert len(app.tabs) == 2
        assert "2 empty" in str(app.query_one("#query-pane").border_subtitle)
        app.editor.load_text("Syslog | count")
        await pilot.press("f9")
        await pilot.pause()
        assert app.editor.text == "DnsEvents | count"
        await pilot.press("f8")
        await pilot.pause()
        assert app.editor.text == "Syslog | count"

        await pilot.press("f10")
        await pilot.pause()
        from workbench.ui.screens import ChoiceScreen

        assert isinstance(app.screen, ChoiceScreen)
        assert any("DnsEvents | count" in label for label, _ in app.screen.choices)
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.tabs) == 3
        assert app.editor.text == "DnsEvents | count"


async def test_generate_for_chosen_tables(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.action_generate_for_tables()
        await pilot.pause()
        from workbench.ui.screens import TablePickerScreen

        assert isinstance(app.screen, TablePickerScreen)
        table_list = app.screen.query_one("#table-list")
        for name in app.screen.tables:
            if name != "CommonSecurityLog":
                table_list.deselect(name)
        await pilot.press("enter")
        await pilot.pause()
        assert "CommonSecurityLog" in app.editor.text
        assert "DnsEvents" not in app.editor.text


async def test_display_and_fetch_limits_are_honest(demo_db: Path) -> None:
    config = make_config(demo_db)
    config.fetch_limit = 500
    config.display_limit = 200
    app = WorkbenchApp(config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, "DnsEvents | project TimeGenerated, Computer, Name")
        info = str(app.query_one("#results-info").render())
        assert "500 of >500 rows" in info
        assert "drawing the first 200 of 500" in info
        assert app.results_pane.view.num_rows == 500
        assert app.results_pane.table.row_count == 200


async def test_exclusions_pane_stays_usable(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, HITS)
        for row in (0, 1):
            await focus_results(pilot, app, row=row, column=2)
            await pilot.press("x")
            await pilot.pause()
            await pilot.press(*"reason")
            await pilot.press("enter")
            await pilot.pause()
        await run_and_wait(pilot, app)
        pane = app.exclusions_pane
        assert pane.table in pane.children
        assert pane.table.row_count == 2
        await pilot.press("f6")
        await pilot.pause()
        assert app.focused is pane.table
        await pilot.press("space")
        await pilot.pause()
        assert app.session.exclusions[0].enabled is False
        assert app.focused is pane.table


async def test_verdict_burst_marks_successive_rows(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        await run_text(pilot, app, HITS)
        await focus_results(pilot, app, row=0, column=2)
        await pilot.press("f", "f", "f", "f", "f", "f")
        await pilot.pause()
        markers = list(app.results_pane.table.get_column_at(0))
        assert markers[:6] == ["FP"] * 6
        assert app.results_pane.verdict_counts()["false_positive"] == 6
        assert app.focused is app.results_pane.table
        assert app.results_pane.table.cursor_row == 6
        assert "wyY" not in app.editor.text


async def test_exclusion_form_tab_moves_between_fields(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        await pilot.press("f6")
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"Computer")
        await pilot.press("tab")
        await pilot.press("tab")
        await pilot.press(*"WS-114")
        await pilot.press("tab")
        await pilot.press(*"manual entry")
        await pilot.press("enter")
        await pilot.pause()
        assert len(app.session.exclusions) == 1
        exclusion = app.session.exclusions[0]
        assert exclusion.field == "Computer"
        assert exclusion.values == ["WS-114"]
        assert exclusion.reason == "manual entry"


async def test_typed_query_survives_save(demo_db: Path, tmp_path: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.focus()
        await pilot.press(*"Syslog | take 5")
        await pilot.pause()
        assert app.dirty
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert len(app.tabs) == 2
        assert app.tabs[0] == "Syslog | take 5"
        app.session_path = tmp_path / "typed.toml"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.saving, what="save")
        assert not app.dirty
    from workbench.sessions.store import load_session

    texts = [query.text for query in load_session(tmp_path / "typed.toml").queries]
    assert "Syslog | take 5" in texts


def test_filter_rows_skips_numbers_for_words() -> None:
    from datetime import datetime, timezone

    import pyarrow as pa

    from workbench.resultview import filter_rows

    table = pa.table(
        {
            "TimeGenerated": [datetime(2026, 1, 2, tzinfo=timezone.utc)] * 3,
            "Port": [22, 443, 8080],
            "Name": ["a.example", "B.EXAMPLE", "c.test"],
            "Score": [1.5, float("nan"), 2.0],
        }
    )
    assert filter_rows(table, "example").num_rows == 2
    assert filter_rows(table, "443").num_rows == 1
    assert filter_rows(table, "2026-01-02").num_rows == 3
    assert filter_rows(table, "nan").num_rows == 1
    assert filter_rows(table, "z").num_rows == 0
