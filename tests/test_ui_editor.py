"""Tests of the KQL editor widget and the lexer behind it.

The UI tests mount `KqlEditor` in a small host app at 80x24 and drive it with
`Pilot`. The host records the `Validated` messages and counts its own key
bindings, so a test can tell whether a key reached the app or stayed in the
editor.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Input, TextArea
from textual.widgets.text_area import Selection

from workbench.backends.base import Column, TableSchema
from workbench.kql import lexer
from workbench.ui.editor import ERROR_HIGHLIGHT, KqlEditor

DNS_EVENTS = TableSchema(
    "DnsEvents",
    (
        Column("TimeGenerated", "datetime"),
        Column("Computer", "string"),
        Column("Name", "string"),
        Column("ClientIP", "string"),
    ),
)
DEVICE_NETWORK_EVENTS = TableSchema(
    "DeviceNetworkEvents",
    (Column("TimeGenerated", "datetime"), Column("RemoteUrl", "string"), Column("RemoteIP", "string")),
)

APP_KEYS = ("ctrl+r", "f5", "f1", "ctrl+s", "ctrl+g", "ctrl+o", "ctrl+q", "escape")


class Host(App[None]):
    """An editor and an input, with the app-level bindings the workbench uses."""

    # Tab and shift+tab are priority bindings, as in the workbench app, where
    # they move between panes whatever widget has focus.
    BINDINGS = [
        *(Binding(key, f"record('{key}')") for key in APP_KEYS),
        Binding("tab", "focus_next", priority=True),
        Binding("shift+tab", "focus_previous", priority=True),
    ]

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.pressed: list[str] = []
        self.validated: list[list[lexer.SyntaxDiagnostic]] = []

    def compose(self) -> ComposeResult:
        yield KqlEditor(self.text, id="query", validation_delay=0.01)
        yield Input(id="other")

    def on_mount(self) -> None:
        editor = self.query_one(KqlEditor)
        editor.set_schema([DNS_EVENTS, DEVICE_NETWORK_EVENTS])
        editor.focus()

    def action_record(self, key: str) -> None:
        self.pressed.append(key)

    def on_kql_editor_validated(self, message: KqlEditor.Validated) -> None:
        self.validated.append(message.diagnostics)


async def settle(pilot: Pilot[None]) -> None:
    """Let the debounce timer fire, the syntax-check worker finish and its messages arrive."""
    await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def names_by_text(editor: KqlEditor, row: int) -> dict[str, str]:
    """Map each highlighted piece of `row` to its highlight name."""
    line_bytes = editor.document.lines[row].encode("utf-8")
    return {
        line_bytes[start:end].decode("utf-8"): name
        for start, end, name in editor._highlights.get(row, [])
        if end is not None
    }


# --------------------------------------------------------------------- lexer


def test_lexer_token_types() -> None:
    tokens = lexer.tokenize('let d = dynamic(["a"]);\nDnsEvents | where Name has_any (d) // note')
    kinds = {token.text: token.kind for token in tokens}
    assert kinds["let"] == "LET"
    assert kinds["where"] == "WHERE"
    assert kinds["has_any"] == "HAS_ANY"
    assert kinds['"a"'] == "STRINGLITERAL"
    assert kinds["// note"] == "COMMENT"
    assert kinds["DnsEvents"] == "IDENTIFIER"


def test_lexer_token_positions() -> None:
    tokens = lexer.tokenize("T\n| where x")
    where = next(token for token in tokens if token.kind == "WHERE")
    assert (where.row, where.column, where.offset) == (1, 2, 4)


def test_highlight_span_names() -> None:
    text = 'let n = 5; T | where Name has_any ("x") and n > 1.5 and ago(1d) < now() | summarize count() // c'
    spans = {text[span.start : span.end]: span.name for span in lexer.highlight_spans(text, {"T"})}
    assert spans["let"] == "keyword"
    assert spans["where"] == "keyword"
    assert spans["summarize"] == "keyword"
    assert spans["has_any"] == "keyword.operator"
    assert spans['"x"'] == "string"
    assert spans["5"] == "number"
    assert spans["1.5"] == "number"
    assert spans["1d"] == "number"
    assert spans["// c"] == "comment"
    assert spans["ago"] == "function"
    assert spans["count"] == "function"
    assert spans["T"] == "type"
    assert spans["|"] == "operator"


def test_highlight_multiline_string() -> None:
    spans = lexer.highlight_spans('print s = ```one\ntwo```')
    strings = [(span.row, span.start, span.end) for span in spans if span.name == "string"]
    assert strings == [(0, 10, 16), (1, 0, 6)]


def test_block_ranges() -> None:
    lines = ["A", "| take 1", "", "  ", "B", "", ""]
    assert lexer.block_ranges(lines) == [(0, 2), (4, 5)]
    assert lexer.block_range_at(lines, 1) == (0, 2)
    assert lexer.block_range_at(lines, 3) == (0, 2)
    assert lexer.block_range_at(["", "B"], 0) == (1, 2)
    assert lexer.block_range_at(["", " "], 0) is None


def test_context_after_pipe() -> None:
    context = lexer.completion_context(["DnsEvents | wh"], 0, 14, ["DnsEvents"])
    assert context.prefix == "wh"
    assert context.position == lexer.AFTER_PIPE
    assert context.table == "DnsEvents"


def test_context_join_subquery() -> None:
    lines = ["DnsEvents", "| join (DeviceNetworkEvents | where Rem"]
    context = lexer.completion_context(lines, 1, len(lines[1]), ["DnsEvents", "DeviceNetworkEvents"])
    assert context.position == lexer.EXPRESSION
    assert context.table == "DeviceNetworkEvents"


def test_context_let_and_parens() -> None:
    lines = ['let d = dynamic(["a"]);', "let t = DnsEvents | where Name in (d) and Co"]
    context = lexer.completion_context(lines, 1, len(lines[1]), ["DnsEvents"])
    assert context.table == "DnsEvents"
    assert context.prefix == "Co"


def test_context_statement_start() -> None:
    assert lexer.completion_context(["Dn"], 0, 2, ["DnsEvents"]).position == lexer.STATEMENT_START
    assert lexer.completion_context(["let x = 1;", "Dn"], 1, 2).position == lexer.STATEMENT_START
    assert lexer.completion_context(["T | take 1", "", "Dn"], 2, 2).position == lexer.STATEMENT_START


def test_context_in_string() -> None:
    context = lexer.completion_context(['T | where Name == "Co"'], 0, 20, ["T"])
    assert context.position == lexer.NO_COMPLETION


def test_word_before() -> None:
    assert lexer.word_before("T | project-aw", 14) == "project-aw"
    assert lexer.word_before("x-y", 3) == "y"
    assert lexer.word_before("take 10", 7) == ""
    assert lexer.word_before("T | ", 4) == ""


def test_check_syntax_columns() -> None:
    diagnostics = lexer.check_syntax("DnsEvents\n| where Name == ")
    assert len(diagnostics) == 1
    assert diagnostics[0].line == 2
    assert diagnostics[0].column == 17
    assert diagnostics[0].message == "unexpected end of query"
    assert diagnostics[0].describe() == "Line 2, column 17: unexpected end of query"


def test_check_syntax_unterminated_string() -> None:
    diagnostics = lexer.check_syntax('T | where x == "abc')
    assert diagnostics[0].message == "unterminated string \"abc"
    assert diagnostics[0].column == 16
    assert diagnostics[0].length == 4


def test_check_syntax_valid() -> None:
    assert lexer.check_syntax('let d = dynamic(["a"]);\nDnsEvents | where Name has_any (d) | take 10') == []


# ------------------------------------------------------------- highlighting


def test_textarea_hook_present() -> None:
    # KqlEditor overrides these private TextArea members; a Textual upgrade that
    # renames them would leave the editor unhighlighted without any error.
    assert "_build_highlight_map" in TextArea.__dict__
    area = TextArea("x")
    assert isinstance(area._highlights, dict)
    assert hasattr(area, "_line_cache")


async def test_highlight_map_names() -> None:
    app = Host('let n = 1;\nDnsEvents | where Name has_any ("é.example") // dns\n| take 10')
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.pause()
        assert names_by_text(editor, 0)["let"] == "keyword"
        assert names_by_text(editor, 0)["1"] == "number"
        row1 = names_by_text(editor, 1)
        assert row1["where"] == "keyword"
        assert row1["has_any"] == "keyword.operator"
        assert row1['"é.example"'] == "string"
        assert row1["// dns"] == "comment"
        assert row1["DnsEvents"] == "type"
        assert names_by_text(editor, 2)["10"] == "number"


async def test_rendered_strip_styles() -> None:
    app = Host("let n = 1; // c")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.pause()
        editor.blur()
        await pilot.pause()
        strip = editor.render_line(0)
        colors = {segment.text.strip(): segment.style.color for segment in strip if segment.text.strip()}
        styles = editor._theme.syntax_styles
        assert colors["let"] == styles["keyword"].color
        assert colors["// c"] == styles["comment"].color
        assert colors["1"] == styles["number"].color


async def test_highlight_follows_edit() -> None:
    app = Host("")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.press(*"T | where x")
        assert names_by_text(editor, 0)["where"] == "keyword"


async def test_multiline_string_block() -> None:
    app = Host('print s = ```one\ntwo``` | take 1')
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.pause()
        assert names_by_text(editor, 0)["```one"] == "string"
        assert names_by_text(editor, 1)["two```"] == "string"
        assert names_by_text(editor, 1)["take"] == "keyword"


async def test_edit_relexes_only_changed() -> None:
    app = Host("T\n| where x == 1\n| take 5")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        untouched = editor._highlights[2]
        editor.move_cursor((1, 15))
        await pilot.press(*' and y has "z"')
        assert names_by_text(editor, 1)['"z"'] == "string"
        assert names_by_text(editor, 1)["has"] == "keyword.operator"
        assert editor._highlights[2] is untouched


async def test_broken_lexer_degrades(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing_lexer(*args: object, **kwargs: object) -> None:
        raise RuntimeError("duckdb_kql._antlr.KqlLexer has no token types ['HAS_ANY']")

    monkeypatch.setattr(lexer, "highlight_spans", missing_lexer)
    monkeypatch.setattr(lexer, "completion_context", missing_lexer)
    app = Host("")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.press(*"Dn", "tab")
        assert editor.text == "Dn"
        assert not editor.completion_open
        assert app.focused is app.query_one("#other")
        assert not any(editor._highlights.values())


async def test_theme_follows_app() -> None:
    app = Host("let n = 1;")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        assert editor._theme.name == "css"
        app.theme = "textual-light"
        await pilot.pause()
        assert editor._theme.name == "kql-light"
        assert ERROR_HIGHLIGHT in editor._theme.syntax_styles
        assert names_by_text(editor, 0)["let"] == "keyword"


# --------------------------------------------------------------- validation


async def test_validation_underlines_error() -> None:
    app = Host("")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.press(*"DnsEvents | take 10 20")
        await settle(pilot)
        diagnostics = app.validated[-1]
        assert len(diagnostics) == 1
        assert (diagnostics[0].line, diagnostics[0].column) == (1, 21)
        assert diagnostics[0].describe().startswith("Line 1, column 21: unexpected '20'")
        assert editor.diagnostics == diagnostics
        assert names_by_text(editor, 0).get("20") == ERROR_HIGHLIGHT


async def test_validation_rendered_underline() -> None:
    app = Host("T | where x == | take 1")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await settle(pilot)
        editor.blur()
        await pilot.pause()
        underlined = "".join(segment.text for segment in editor.render_line(0) if segment.style.underline)
        assert underlined == "|"


async def test_validation_clears_after_fix() -> None:
    app = Host("T | take 1 2")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await settle(pilot)
        assert app.validated[-1][0].column == 12
        editor.move_cursor((0, 12))
        await pilot.press("backspace", "backspace", *"0 | where")
        await settle(pilot)
        assert editor.text == "T | take 10 | where"
        assert len(app.validated[-1]) == 1
        await pilot.press(*" x == 1")
        await settle(pilot)
        assert app.validated[-1] == []
        assert all(name != ERROR_HIGHLIGHT for _, _, name in editor._highlights[0])


async def test_validation_per_block() -> None:
    app = Host("DnsEvents | take 1\n\nDnsEvents\n| where Name ==")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        diagnostics = app.validated[-1]
        assert len(diagnostics) == 1
        assert (diagnostics[0].line, diagnostics[0].column) == (4, 16)


async def test_validation_many_blocks() -> None:
    blocks = [f"T | take {count}" for count in range(600)] + ["T | take"]
    app = Host("\n\n".join(blocks))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        diagnostics = app.validated[-1]
        assert len(diagnostics) == 1
        assert diagnostics[0].line == 2 * 600 + 1


# --------------------------------------------------------------- completion


async def test_completion_table_name() -> None:
    app = Host("")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.press("D", "n", "tab")
        assert editor.completion_open
        assert [item.label for item in editor._completions] == ["DnsEvents"]
        await pilot.press("enter")
        assert editor.text == "DnsEvents"
        assert not editor.completion_open


async def test_completion_column_name() -> None:
    app = Host("DnsEvents | where Co")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 20))
        await pilot.press("ctrl+space")
        assert editor.completion_open
        assert editor._completions[0].label == "Computer"
        assert "RemoteUrl" not in [item.label for item in editor._completions]
        await pilot.press("tab")
        assert editor.text == "DnsEvents | where Computer"
        assert editor.has_focus


async def test_completion_popup_inside_screen() -> None:
    app = Host("DnsEvents\n| where TimeGenerated > ago(1d) and Na")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((1, 38))
        await pilot.press("tab")
        await pilot.pause()
        popup = editor._completion_list
        assert popup is not None
        assert popup.region.right <= 80
        assert popup.region.bottom <= 24
        assert popup.region.height > 0


async def test_completion_refilters() -> None:
    app = Host("DnsEvents | where ")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 18))
        # Terminals send ctrl+space as NUL, which Textual names ctrl+@.
        await pilot.press("ctrl+@")
        assert "Name" in [item.label for item in editor._completions]
        await pilot.press("C", "l")
        await pilot.pause()
        assert [item.label for item in editor._completions] == ["ClientIP"]
        await pilot.press("space")
        await pilot.pause()
        assert not editor.completion_open


async def test_completion_after_pipe() -> None:
    app = Host("DnsEvents | ")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 12))
        await pilot.press("ctrl+space", "down")
        assert editor._completions[0].label == "where"
        await pilot.press("enter")
        assert editor.text == "DnsEvents | project"


async def test_escape_closes_popup() -> None:
    app = Host("Dn")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 2))
        await pilot.press("tab")
        assert editor.completion_open
        await pilot.press("escape")
        assert not editor.completion_open
        assert app.pressed == []
        assert editor.text == "Dn"
        await pilot.press("escape")
        assert app.pressed == ["escape"]


async def test_tab_moves_focus() -> None:
    app = Host("DnsEvents | take 10")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 19))
        await pilot.press("tab")
        assert app.focused is app.query_one("#other")
        assert editor.text == "DnsEvents | take 10"


async def test_tab_after_dismiss_moves_focus() -> None:
    app = Host("Dn")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 2))
        await pilot.press("tab", "escape", "tab")
        assert not editor.completion_open
        assert app.focused is app.query_one("#other")


async def test_tab_after_full_name_moves_focus() -> None:
    app = Host("DnsEvents")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((0, 9))
        await pilot.press("tab")
        assert not editor.completion_open
        assert app.focused is app.query_one("#other")


# ------------------------------------------------------------ blocks and keys


async def test_current_block() -> None:
    app = Host("A | take 1\n\nB\n| where x == 1\n\n")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        editor.move_cursor((3, 4))
        assert editor.current_block() == "B\n| where x == 1"
        editor.move_cursor((1, 0))
        assert editor.current_block() == "A | take 1"
        editor.move_cursor((0, 0))
        assert editor.current_block() == "A | take 1"
        editor.selection = Selection((2, 0), (3, 7))
        assert editor.current_block() == "B\n| where"
        editor.selection = Selection((1, 0), (2, 0))
        assert editor.current_block() == "B\n| where x == 1"
        await pilot.pause()


async def test_current_block_blank_text() -> None:
    app = Host("\n \n")
    async with app.run_test(size=(80, 24)):
        editor = app.query_one(KqlEditor)
        assert editor.current_block() == "\n \n"


async def test_app_keys_bubble() -> None:
    app = Host("DnsEvents | take 1")
    async with app.run_test(size=(80, 24)) as pilot:
        editor = app.query_one(KqlEditor)
        await pilot.press(*APP_KEYS)
        assert app.pressed == list(APP_KEYS)
        assert editor.text == "DnsEvents | take 1"
        assert editor.has_focus
