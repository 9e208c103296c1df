"""The main job end to end in the TUI: feed, hunt, run, exclude, save and reopen."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest

from tests.helpers import wait_for
from workbench.config import Config, WorkspaceConfig
from workbench.ui.app import WorkbenchApp

NANOCORE = ("test3012.duckdns.org", "elroiseeme02.ip-ddns.com")


def make_config(db: Path) -> Config:
    config = Config()
    config.workspaces = [WorkspaceConfig(name="default", kind="local", path=str(db))]
    config.autosave_seconds = 3600.0
    return config


def expected_hits(db: Path) -> set[tuple[str, str]]:
    """Return (Computer, Name) of every real C2 lookup in the last 14 days, by plain SQL."""
    connection = duckdb.connect(str(db), read_only=True)
    try:
        rows = connection.execute(
            """
            SELECT Computer, Name FROM DnsEvents
            WHERE TimeGenerated >= now() - INTERVAL 14 DAY
              AND (lower(rtrim(Name, '.')) IN (?, ?)
                   OR lower(rtrim(Name, '.')) LIKE '%.' || ? OR lower(rtrim(Name, '.')) LIKE '%.' || ?)
            """,
            [*NANOCORE, *NANOCORE],
        ).fetchall()
    finally:
        connection.close()
    return set(rows)


async def start(pilot, app: WorkbenchApp) -> None:
    await wait_for(pilot, lambda: app.backend is not None or "unavailable" in str(app.query_one("#status").render()), what="workspace")
    await wait_for(pilot, lambda: len(app.ioc_pane.indicators) > 0 and not app.ioc_pane.busy, what="demo feed")


async def run_and_wait(pilot, app: WorkbenchApp) -> None:
    before = app.run_id
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: app.run_id > before and app.running is None and not app.results_pane.busy, what="query run")


def shown_rows(app: WorkbenchApp) -> list[dict]:
    return app.results_pane.view.to_pylist()


async def test_panes_have_titles(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        titles = {pane: str(app.query_one(f"#{pane}").border_title) for pane in ("iocs-pane", "query-pane", "results-pane", "exclusions-pane")}
        assert titles["iocs-pane"] == "IOC feeds"
        assert titles["query-pane"] == "Query"
        assert titles["results-pane"] == "Results"
        assert titles["exclusions-pane"] == "Exclusions"


async def test_demo_feed_lists_nanocore(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        indicators = {indicator.value: indicator for indicator in app.ioc_pane.indicators}
        assert set(NANOCORE) <= set(indicators)
        for value in NANOCORE:
            indicator = indicators[value]
            assert indicator.ioc_type == "domain"
            assert indicator.threat_type == "botnet_cc"
            assert "nanocore" in indicator.malware.lower()
            assert indicator.first_seen is not None and indicator.first_seen.date().isoformat() == "2026-06-19"
            assert indicator.confidence == 100
        row = app.ioc_pane.table.get_row_at(0)
        assert any(str(cell) in NANOCORE for cell in row)


async def test_main_job_end_to_end(demo_db: Path, tmp_path: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)

        await pilot.press("ctrl+g")
        text = app.editor.text
        assert "let malicious_domains" in text
        assert "DnsEvents" in text
        assert "| project TimeGenerated, Computer, Name, IPAddresses, QueryType" in text
        assert "order by TimeGenerated desc" in text
        assert "has_any" not in text

        await run_and_wait(pilot, app)
        assert app.last_error is None
        rows = shown_rows(app)
        found = {(row["Computer"], row["Name"]) for row in rows}
        assert found == expected_hits(demo_db)
        for row in rows:
            name = row["Name"].lower().rstrip(".")
            assert any(name == domain or name.endswith("." + domain) for domain in NANOCORE), row["Name"]
        info = str(app.query_one("#results-info").render())
        assert f"{len(rows)} rows in" in info

        # Exclude the first row's Computer with x, giving a reason in the form.
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
        assert exclusion.reason == "CI runner resolves test names"
        listed = app.exclusions_pane.table.get_row_at(0)
        assert "CI runner resolves test names" in [str(cell) for cell in listed]

        await run_and_wait(pilot, app)
        after = shown_rows(app)
        removed = sum(1 for row in rows if row["Computer"] == excluded_computer)
        assert len(after) == len(rows) - removed
        assert all(row["Computer"] != excluded_computer for row in after)
        assert app.exclusions_pane.removed[exclusion.id] == removed
        listed = [str(cell) for cell in app.exclusions_pane.table.get_row_at(0)]
        assert str(removed) in listed

        # A verdict on the first remaining row.
        app.results_pane.table.move_cursor(row=0, column=1)
        await pilot.pause()
        await pilot.press("t")
        await pilot.pause()

        session_path = tmp_path / "nanocore.toml"
        app.session_path = session_path
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not app.saving, what="save")
        assert session_path.exists()
        assert not app.dirty
        saved_text = app.editor.text
        saved_rows = len(after)

    data = tomllib.loads(session_path.read_text(encoding="utf-8"))
    assert data["format"] == "hunt-workbench.session"
    assert data["version"] == 1
    assert {indicator["value"] for indicator in data["indicators"]} >= set(NANOCORE)
    assert data["exclusions"][0]["field"] == "Computer"
    assert data["exclusions"][0]["reason"] == "CI runner resolves test names"
    ran = [query for query in data["queries"] if query.get("runs")]
    assert len(ran) == 1
    assert len(ran[0]["runs"]) == 2
    last_run = ran[0]["runs"][-1]
    assert last_run["row_count"] == saved_rows
    assert len(last_run["rows"]) == saved_rows
    assert last_run["verdicts"][0]["verdict"] == "true_positive"

    reopened = WorkbenchApp(config=make_config(demo_db), session_path=str(session_path))
    async with reopened.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: reopened.backend is not None, what="workspace")
        await wait_for(pilot, lambda: reopened.session_loaded and not reopened.session_loading, what="session load")
        await wait_for(pilot, lambda: not reopened.results_pane.busy and reopened.results_pane.view is not None, what="snapshot rows")
        assert reopened.editor.text == saved_text
        assert [exclusion.reason for exclusion in reopened.session.exclusions] == ["CI runner resolves test names"]
        assert reopened.results_pane.view.num_rows == saved_rows
        assert reopened.results_pane.verdict_counts()["true_positive"] == 1
        assert "TP" in list(reopened.results_pane.table.get_column_at(0))
        assert str(reopened.results_pane.view.schema.field("TimeGenerated").type).startswith("timestamp")
        assert {indicator.value for indicator in reopened.ioc_pane.indicators} >= set(NANOCORE)


async def test_invalid_query_shows_position(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents\n| where Name == \"a")
        await run_and_wait(pilot, app)
        assert app.last_error is not None
        assert app.last_error.kind == "syntax"
        assert app.last_error.line == 2
        info = str(app.query_one("#results-info").render())
        assert "Query failed" in info
        assert "line 2" in info


async def test_empty_result_says_zero_rows(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text('DnsEvents | where Name == "no-such-name.example"')
        await run_and_wait(pilot, app)
        assert app.last_error is None
        assert app.results_pane.view.num_rows == 0
        assert "0 rows in" in str(app.query_one("#results-info").render())


async def test_unknown_column_is_reported(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("DnsEvents | where NoSuchColumn == 1")
        await run_and_wait(pilot, app)
        assert app.last_error is not None
        assert "NoSuchColumn" in app.last_error.message


async def test_session_not_toml_is_kept(demo_db: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("format = \"hunt-workbench.session\"\nversion = = 1\n", encoding="utf-8")
    before = broken.read_bytes()
    app = WorkbenchApp(config=make_config(demo_db), session_path=str(broken))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.backend is not None, what="workspace")
        await wait_for(pilot, lambda: app.session_loaded and not app.session_loading, what="session load")
        status = str(app.query_one("#status").render())
        assert "broken.toml" in status
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.session_path is not None and not app.saving, what="save")
        saved_to = app.session_path
    assert broken.read_bytes() == before
    assert saved_to is not None
    assert saved_to != broken
    assert saved_to.exists()


async def test_unwritable_data_dir_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("HUNT_WORKBENCH_DATA_DIR", str(blocker / "data"))
    app = WorkbenchApp(config=Config())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "unavailable" in str(app.query_one("#status").render()), what="workspace error")
        status = str(app.query_one("#status").render())
        assert "cannot be created" in status
        assert app.backend is None


async def test_usable_at_80x24(demo_db: Path) -> None:
    app = WorkbenchApp(config=make_config(demo_db))
    async with app.run_test(size=(80, 24)) as pilot:
        await start(pilot, app)
        visited = []
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
            visited.append(app._focused_pane_index())
        assert sorted(visited) == [0, 1, 2, 3]
        for pane in ("iocs-pane", "query-pane", "results-pane", "exclusions-pane"):
            region = app.query_one(f"#{pane}").region
            assert region.width > 10
            assert region.height >= 4
