"""Nothing from the data reaches the terminal raw: escapes, bidi overrides and markup are shown, not obeyed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.helpers import wait_for
from tests.test_ui_main import make_config, run_and_wait, start
from workbench.text import sanitize
from workbench.ui.app import WorkbenchApp

HOSTILE = [
    ("title", "\x1b]0;pwned\x07"),
    ("osc52", "\x1b]52;c;ZXZpbA==\x07"),
    ("clear", "\x1b[2J\x1b[H"),
    ("csi8bit", "\x9b31mred"),
    ("rlo", "invoice\u202egnp.exe"),
    ("zero-width", "adm\u200bin"),
    ("markup", "[bold]loud[/] [@click=app.quit]quit[/]"),
    ("plain", "ordinary text"),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE)
def test_sanitize_leaves_no_control(name: str, value: str) -> None:
    shown = sanitize(value)
    assert all(ch.isprintable() for ch in shown), name
    assert "\u202e" not in shown
    assert "\u200b" not in shown


def test_sanitize_shows_escapes() -> None:
    assert sanitize("a\x1bb") == "a\\x1bb"
    assert sanitize("x\u202ey") == "x\\u202ey"
    assert sanitize("[bold]x[/]") == "[bold]x[/]"
    assert sanitize("line1\nline2", keep_newlines=True) == "line1\nline2"
    assert sanitize("line1\nline2") == "line1\\x0aline2"


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.duckdb"
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE Hostile (Kind VARCHAR, Value VARCHAR)")
    connection.executemany("INSERT INTO Hostile VALUES (?, ?)", HOSTILE)
    connection.close()
    return path


async def test_results_never_emit_raw_escapes(hostile_db: Path) -> None:
    app = WorkbenchApp(config=make_config(hostile_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("Hostile")
        await run_and_wait(pilot, app)
        assert app.results_pane.view.num_rows == len(HOSTILE)
        shown_cells = [str(cell) for cell in app.results_pane.table.get_column_at(2)]
        for cell in shown_cells:
            assert all(ch.isprintable() for ch in cell), repr(cell)
        assert "[bold]loud[/] [@click=app.quit]quit[/]" in shown_cells
        assert "\\x1b]0;pwned\\x07" in shown_cells

        screen_text = app.export_screenshot()
        for raw in ("\x1b]0;", "\x1b]52", "\x9b", "\u202e", "\u200b"):
            assert raw not in screen_text
        assert "@click=app.quit" in screen_text

        # The row detail shows the escapes too, and clicking nothing quits the app.
        app.action_focus_pane("results-pane")
        await pilot.pause()
        app.results_pane.table.move_cursor(row=1, column=2)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        detail = app.export_screenshot()
        assert "\x1b]52" not in detail
        assert "\\x1b]52;c;ZXZpbA==\\x07" in detail
        assert app.is_running

        # The copied cell keeps the real value: the clipboard gets data, not the display form.
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == "\x1b]52;c;ZXZpbA==\x07"


async def test_error_text_is_sanitised(hostile_db: Path) -> None:
    app = WorkbenchApp(config=make_config(hostile_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text('Hostile | where ["\x1b[2Jcol"] == 1')
        await run_and_wait(pilot, app)
        assert app.last_error is not None
        screen_text = app.export_screenshot()
        assert "\x1b" not in screen_text
        assert "\u241b[2Jcol" in screen_text
        assert "\x1b" not in str(app.query_one("#status").render())


async def test_exclusion_form_draws_no_escape(hostile_db: Path) -> None:
    app = WorkbenchApp(config=make_config(hostile_db))
    async with app.run_test(size=(120, 40)) as pilot:
        await start(pilot, app)
        app.editor.load_text("Hostile")
        await run_and_wait(pilot, app)
        app.action_focus_pane("results-pane")
        await pilot.pause()
        app.results_pane.table.move_cursor(row=0, column=2)
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        values = app.screen.query_one("#exclusion-values")
        assert values.value == "\x1b]0;pwned\x07"
        screen_text = app.export_screenshot()
        assert "\x1b" not in screen_text
        assert "\x07" not in screen_text
        assert "\u241b" in screen_text
        assert "pwned" in screen_text
        await pilot.press(*"terminal title probe")
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.exclusions[0].values == ["\x1b]0;pwned\x07"]
