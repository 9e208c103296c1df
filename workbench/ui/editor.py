"""The KQL editor: a TextArea with KQL highlighting, syntax checks as you type and completion.

Textual's TextArea highlights only through tree-sitter, and PyPI has no KQL
grammar for it. `KqlEditor` overrides `_build_highlight_map`, the private hook
that TextArea calls after every edit, undo, redo and document load, and fills
`_highlights` itself: a dict from row to `(start, end or None, highlight name)`
with start and end as UTF-8 byte offsets, the way tree-sitter counts them. The
hook is private (written against textual 8.2.8, and pyproject.toml keeps
textual below 8.3), so tests/test_ui_editor.py fails when it changes. Tokens
come from `workbench.kql.lexer`, one query block (a run of non-blank lines) at
a time, and unchanged blocks are not relexed.

Keys. Tab moves focus between panes, as it does everywhere in the app, with
three exceptions. With the completion list open, tab accepts the highlighted
entry. When the cursor ends a word that has longer completions, tab opens the
list. After escape has closed the list, the next tab at the same cursor
position moves focus again, so tab cannot trap the user in the editor.
Shift+tab always moves focus. Ctrl+space opens the list even without a word.
Escape closes the list; with no list open it bubbles to the app, which uses it
to cancel a running query. The editor binds no function key and none of
ctrl+r, ctrl+s, ctrl+g, ctrl+o and ctrl+q, so those reach the app's bindings.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from functools import partial

from rich.style import Style
from rich.text import Text
from textual import events, on
from textual.message import Message
from textual.timer import Timer
from textual.widgets import OptionList, TextArea
from textual.widgets.text_area import TextAreaTheme
from textual.worker import get_current_worker

from workbench.backends.base import TableSchema
from workbench.kql import lexer
from workbench.kql.lexer import BlockCache, CompletionContext, SyntaxDiagnostic
from workbench.kql.literals import identifier

logger = logging.getLogger(__name__)

ERROR_HIGHLIGHT = "kql.error"
"""The highlight name of a syntax error's position. Every theme the editor registers gets a style for it."""

ERROR_STYLE = Style(color="#ff5f5f", underline=True, bold=True)

DARK_THEME = "css"
"""The TextArea theme for dark app themes: colours from the app's CSS, syntax colours of `vscode_dark`."""
LIGHT_THEME = "kql-light"
"""The TextArea theme for light app themes: colours from the app's CSS, syntax colours of `github_light`."""

DIAGNOSTIC_CACHE_BLOCKS = 512
"""Minimum number of block texts whose diagnostics are kept."""

VALIDATION_DELAY_SECONDS = 0.3
"""Pause after the last keystroke before the syntax check runs."""

MAX_COMPLETIONS = 100
"""Maximum number of entries in the completion list. Lower-ranked entries are dropped."""

COMPLETION_ROWS = 8
"""Rows the completion list shows before it scrolls, small enough for a 24-row screen."""

_CTRL_SPACE_KEYS = frozenset({"ctrl+space", "ctrl+at", "ctrl+@"})
_COMPLETION_LIST_KEYS = frozenset({"up", "down", "pageup", "pagedown", "enter", "tab", "escape"})

# Highlights of one row as TextArea stores them: (start byte, end byte, highlight name).
RowHighlights = list[tuple[int, int | None, str]]
# Highlights of one block: row relative to the block's first row, to that row's highlights.
BlockHighlights = dict[int, RowHighlights]


@dataclass(frozen=True)
class Completion:
    """One entry of the completion list."""

    label: str
    """The name as the list shows it and the prefix filter matches it."""
    kind: str
    """The kind of name: table, operator, keyword, function, or a column's KQL type such as `string`."""
    insert_text: str
    """The KQL text that replaces the word before the cursor, bracket-quoted when the name needs it."""


class CompletionList(OptionList, can_focus=False):
    """The completion popup, drawn over the screen under the cursor while the editor keeps focus."""

    DEFAULT_CSS = """
    CompletionList {
        layer: kql-completion;
        dock: top;
        overlay: screen;
        constrain: inside inside;
        display: none;
        width: 32;
        height: auto;
        max-height: 10;
        padding: 0;
        scrollbar-size-vertical: 1;
        border: round $accent;
        background: $panel;
        & > .option-list--option-highlighted {
            text-style: bold reverse;
        }
    }
    """

    def __init__(self, editor: KqlEditor) -> None:
        super().__init__()
        self.editor = editor

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.editor.accept_completion(event.option_index)


class KqlEditor(TextArea):
    """A TextArea for KQL with highlighting, debounced syntax checks and completion."""

    DEFAULT_CSS = """
    KqlEditor {
        height: 1fr;
    }
    """

    @dataclass
    class Validated(Message):
        """Posted after a syntax check of the whole text. An empty list means every block parses."""

        diagnostics: list[SyntaxDiagnostic]
        """Errors with 1-based lines and columns in the editor text, first block first."""
        editor: KqlEditor

        @property
        def control(self) -> KqlEditor:
            return self.editor

    class _SyntaxChecked(Message, bubble=False):
        """Carries a worker's per-block diagnostics back to the UI thread."""

        def __init__(self, results: dict[str, list[SyntaxDiagnostic]]) -> None:
            super().__init__()
            self.results = results

    def render_line(self, y: int):
        """Render one line with control, bidi and zero-width characters drawn as visible symbols.

        Query text can come from a shared session file, so an ESC in it must
        not reach the terminal. Each unsafe character becomes one visible
        cell (a Control Pictures symbol or U+FFFD), keeping the cursor columns.
        """
        from workbench.ui.safe_input import safe_strip

        return safe_strip(super().render_line(y))

    def __init__(
        self,
        text: str = "",
        *,
        theme: str | None = None,
        soft_wrap: bool = True,
        show_line_numbers: bool = True,
        validation_delay: float = VALIDATION_DELAY_SECONDS,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create the editor holding `text`.

        `theme` names a TextArea theme. None follows the app's theme: `DARK_THEME`
        for a dark app theme, `LIGHT_THEME` for a light one. `validation_delay`
        is the pause in seconds between the last edit and the syntax check.
        """
        # TextArea.__init__ already calls _build_highlight_map, so its state comes first.
        self._lexed_lines: dict[str, RowHighlights] = {}
        self._lexed_blocks: dict[str, BlockHighlights] = {}
        self._diagnostic_cache: BlockCache[str, list[SyntaxDiagnostic]] = BlockCache(DIAGNOSTIC_CACHE_BLOCKS)
        self._tables: dict[str, TableSchema] = {}
        self._validation_timer: Timer | None = None
        self._mounted = False
        self._completion_list: CompletionList | None = None
        self._completions: list[Completion] = []
        self._completion_start: tuple[int, int] | None = None
        self._dismissed_at: tuple[int, int] | None = None
        self._text_version = 0
        self._lexer_error: Exception | None = None
        self._tab_result: tuple[object, bool] | None = None
        self.validation_delay = validation_delay
        self.diagnostics: list[SyntaxDiagnostic] = []
        """The diagnostics of the last `Validated` message."""

        super().__init__(
            text,
            language=None,
            theme=theme or DARK_THEME,
            soft_wrap=soft_wrap,
            tab_behavior="focus",
            show_line_numbers=show_line_numbers,
            name=name,
            id=id,
            classes=classes,
            disabled=disabled,
        )
        for builtin_theme in TextAreaTheme.builtin_themes():
            self.register_theme(builtin_theme)
        light_syntax = TextAreaTheme.get_builtin_theme("github_light")
        assert light_syntax is not None
        self.register_theme(TextAreaTheme(LIGHT_THEME, syntax_styles=dict(light_syntax.syntax_styles)))
        self._follows_app_theme = theme is None
        self.theme = theme or DARK_THEME

    # ------------------------------------------------------------------ schema

    def set_schema(self, tables: list[TableSchema]) -> None:
        """Use `tables` for completion and table-name highlighting, replacing the previous ones."""
        self._tables = {table.name: table for table in tables}
        self._lexed_lines = {}
        self._lexed_blocks = {}
        self._text_version += 1
        self._refresh_highlights()
        self.refresh()

    def register_theme(self, theme: TextAreaTheme) -> None:
        """Register `theme`, adding the syntax-error style when the theme has none."""
        if ERROR_HIGHLIGHT not in theme.syntax_styles:
            theme = dataclasses.replace(theme, syntax_styles={**theme.syntax_styles, ERROR_HIGHLIGHT: ERROR_STYLE})
        super().register_theme(theme)

    # ---------------------------------------------------------------- highlights

    def _build_highlight_map(self) -> None:
        """Fill TextArea's highlight map from the KQL lexer, then schedule a syntax check."""
        self._refresh_highlights()
        self._text_version += 1
        self._dismissed_at = None
        self._schedule_validation()

    def _refresh_highlights(self) -> None:
        """Rebuild `_highlights`, relexing only the lines (or blocks) that changed since the last rebuild.

        Lines are lexed one at a time: KQL tokens do not span lines, except the
        ``` multi-line string, so a block that contains ``` is lexed whole.
        Relexing one line of a 1,000-line query costs about 1 ms against 185 ms
        for the whole block (measured on a 2-core VM). Each rebuild keeps only
        the entries it used, so the caches hold the current text and no more.
        """
        self._line_cache.clear()
        highlights = self._highlights
        highlights.clear()
        lines = self.document.lines
        previous_lines, previous_blocks = self._lexed_lines, self._lexed_blocks
        lexed_lines: dict[str, RowHighlights] = {}
        lexed_blocks: dict[str, BlockHighlights] = {}

        for first_row, end_row in lexer.block_ranges(lines):
            block_text = "\n".join(lines[first_row:end_row])
            if "```" in block_text:
                block_highlights = previous_blocks.get(block_text)
                if block_highlights is None:
                    block_highlights = self._lex_block(block_text)
                lexed_blocks[block_text] = block_highlights
                for relative_row, row_highlights in block_highlights.items():
                    highlights[first_row + relative_row] = row_highlights
            else:
                for row in range(first_row, end_row):
                    line = lines[row]
                    row_highlights = lexed_lines.get(line)
                    if row_highlights is None:
                        row_highlights = previous_lines.get(line)
                    if row_highlights is None:
                        row_highlights = self._lex_block(line).get(0, [])
                    lexed_lines[line] = row_highlights
                    if row_highlights:
                        highlights[row] = row_highlights

            for diagnostic in self._diagnostic_cache.get(block_text) or ():
                row = first_row + diagnostic.line - 1
                line = lines[row]
                start = _byte_offset(line, diagnostic.column - 1)
                end = _byte_offset(line, diagnostic.column - 1 + diagnostic.length)
                # A new list, because the cached ones are shared between rebuilds.
                highlights[row] = [*highlights.get(row, ()), (start, end, ERROR_HIGHLIGHT)]

        self._lexed_lines, self._lexed_blocks = lexed_lines, lexed_blocks

    def _lex_block(self, block_text: str) -> BlockHighlights:
        if self._lexer_error is not None:
            return {}
        try:
            spans = lexer.highlight_spans(block_text, self._tables.keys())
        except (ImportError, RuntimeError) as error:
            # The private duckdb-kql lexer is missing or changed: edit without colours.
            self._lexer_error = error
            logger.error("KQL highlighting and completion are off: %s", error)
            return {}
        lines = block_text.split("\n")
        block_highlights: BlockHighlights = {}
        for span in spans:
            line = lines[span.row]
            start = _byte_offset(line, span.start)
            end = _byte_offset(line, span.end)
            block_highlights.setdefault(span.row, []).append((start, end, span.name))
        return block_highlights

    # ---------------------------------------------------------------- validation

    # Textual calls the `_on_*` handler of every class in the MRO, so these
    # overrides do not call super(). TextArea's own handlers run after them.
    def _on_mount(self, event: events.Mount) -> None:
        self._mounted = True
        if self._follows_app_theme:
            self.watch(self.app, "theme", self._match_app_theme, init=True)
        self._schedule_validation()
        self.call_after_refresh(self._preload_lexer)

    def _preload_lexer(self) -> None:
        self.run_worker(lexer.preload, name="kql-lexer-preload", thread=True, exit_on_error=False)

    def _match_app_theme(self) -> None:
        self.theme = DARK_THEME if self.app.current_theme.dark else LIGHT_THEME

    def _on_unmount(self) -> None:
        if self._completion_list is not None:
            self._completion_list.remove()
            self._completion_list = None

    def _schedule_validation(self) -> None:
        if not self._mounted:
            return
        if self._validation_timer is not None:
            self._validation_timer.stop()
        self._validation_timer = self.set_timer(self.validation_delay, self._start_validation)

    def _start_validation(self) -> None:
        self._validation_timer = None
        blocks = self._blocks()
        # Room for every current block plus as many older ones, which undo brings back.
        self._diagnostic_cache.max_entries = max(DIAGNOSTIC_CACHE_BLOCKS, 2 * len(blocks))
        unchecked = [text for _, text in blocks if text not in self._diagnostic_cache]
        if not unchecked:
            self._post_validated()
            return
        self.run_worker(
            partial(self._check_blocks, unchecked),
            name="kql-syntax-check",
            group="kql-syntax-check",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def _check_blocks(self, block_texts: list[str]) -> None:
        """Check `block_texts` in a worker thread and post the results without touching a widget."""
        worker = get_current_worker()
        results: dict[str, list[SyntaxDiagnostic]] = {}
        for block_text in block_texts:
            if worker.is_cancelled:
                break
            try:
                results[block_text] = lexer.check_syntax(block_text)
            except Exception as error:  # noqa: BLE001 - a checker bug must not end the editor
                logger.exception("syntax check failed on a %d-character block", len(block_text))
                results[block_text] = [
                    SyntaxDiagnostic(1, 1, 1, f"the syntax check failed: {type(error).__name__}: {error}")
                ]
        self.post_message(self._SyntaxChecked(results))

    @on(_SyntaxChecked)
    def _store_syntax_results(self, message: _SyntaxChecked) -> None:
        for block_text, diagnostics in message.results.items():
            self._diagnostic_cache.put(block_text, diagnostics)
        self._refresh_highlights()
        self.refresh()
        if all(text in self._diagnostic_cache for _, text in self._blocks()):
            self._post_validated()

    def _post_validated(self) -> None:
        diagnostics: list[SyntaxDiagnostic] = []
        for first_row, block_text in self._blocks():
            for diagnostic in self._diagnostic_cache.get(block_text) or ():
                diagnostics.append(diagnostic.shifted(first_row))
        self.diagnostics = diagnostics
        self.post_message(self.Validated(diagnostics, self))

    def _blocks(self) -> list[tuple[int, str]]:
        lines = self.document.lines
        return [(first, "\n".join(lines[first:end])) for first, end in lexer.block_ranges(lines)]

    # ------------------------------------------------------------- query blocks

    def current_block(self) -> str:
        """Return the text to run: the selection, else the block under the cursor, else the whole text.

        A selection of only whitespace counts as none. Blocks are runs of
        non-blank lines. On a blank line the block above the cursor counts, or
        the one below when there is none above. The whole text is returned
        only when it has no non-blank line.
        """
        if self.selected_text.strip():
            return self.selected_text
        lines = self.document.lines
        block = lexer.block_range_at(lines, self.cursor_location[0])
        if block is None:
            return self.text
        first_row, end_row = block
        return "\n".join(lines[first_row:end_row])

    # --------------------------------------------------------------- completion

    @property
    def completion_open(self) -> bool:
        """True while the completion list is shown."""
        return self._completion_list is not None and self._completion_list.display

    def completion_context(self) -> CompletionContext:
        """Describe what a completion at the cursor would complete."""
        row, column = self.cursor_location
        if self._lexer_error is not None:
            return CompletionContext("", lexer.NO_COMPLETION, None)
        try:
            return lexer.completion_context(self.document.lines, row, column, self._tables.keys())
        except (ImportError, RuntimeError) as error:
            self._lexer_error = error
            logger.error("KQL highlighting and completion are off: %s", error)
            return CompletionContext("", lexer.NO_COMPLETION, None)

    def completions(self, context: CompletionContext | None = None) -> list[Completion]:
        """Return the completions for `context` (the cursor's when None), best first."""
        if context is None:
            context = self.completion_context()
        keywords, functions = lexer.completion_words()
        groups: list[list[Completion]] = []
        tables = [Completion(name, "table", identifier(name)) for name in self._tables if name.isprintable()]
        if context.position == lexer.STATEMENT_START:
            groups = [tables, _words(lexer.STATEMENT_KEYWORDS, "keyword")]
        elif context.position == lexer.AFTER_PIPE:
            groups = [_words(lexer.TABULAR_OPERATORS, "operator")]
        elif context.position == lexer.EXPRESSION:
            columns: list[Completion] = []
            if context.table is not None:
                for column in self._tables[context.table].columns:
                    if column.name.isprintable():
                        columns.append(Completion(column.name, column.kql_type, identifier(column.name)))
            groups = [columns, _words(functions, "function"), _words(keywords, "keyword"), tables]

        prefix = context.prefix.lower()
        ranked: dict[str, Completion] = {}
        for group in groups:
            for completion in group:
                if completion.label.lower().startswith(prefix) and completion.label not in ranked:
                    ranked[completion.label] = completion
        return list(ranked.values())[:MAX_COMPLETIONS]

    def open_completion(self) -> bool:
        """Show the completion list for the word before the cursor, returning False when nothing matches."""
        if self.read_only or self.selection.start != self.selection.end:
            return False
        context = self.completion_context()
        completions = self.completions(context)
        if not completions:
            self.close_completion()
            return False

        row, column = self.cursor_location
        self._completions = completions
        self._completion_start = (row, column - len(context.prefix))
        popup = self._ensure_completion_list()
        popup.clear_options()
        label_width = max(len(item.label) for item in completions)
        popup.add_options(_option_text(item, label_width) for item in completions)
        popup.highlighted = 0
        self._place_completion_list(popup, len(context.prefix))
        popup.display = True
        return True

    def close_completion(self) -> None:
        """Hide the completion list."""
        if self._completion_list is not None:
            self._completion_list.display = False
        self._completions = []
        self._completion_start = None

    def accept_completion(self, index: int | None = None) -> None:
        """Replace the word before the cursor with the entry at `index` (the highlighted one when None)."""
        if not self.completion_open or self._completion_start is None:
            return
        assert self._completion_list is not None
        if index is None:
            index = self._completion_list.highlighted
        if index is None or not 0 <= index < len(self._completions):
            self.close_completion()
            return
        completion = self._completions[index]
        start = self._completion_start
        self.close_completion()
        self.replace(completion.insert_text, start, self.cursor_location)

    def _ensure_completion_list(self) -> CompletionList:
        popup = self._completion_list
        if popup is None or popup.parent is not self.screen:
            if popup is not None:
                popup.remove()
            popup = CompletionList(self)
            self._completion_list = popup
            self.screen.mount(popup)
        return popup

    def _place_completion_list(self, popup: CompletionList, prefix_length: int) -> None:
        cursor_x, cursor_y = self.cursor_screen_offset
        screen_width, screen_height = self.screen.size
        # Label, two spaces, kind, then the border (2) and the scrollbar (1).
        text_width = max(len(item.label) for item in self._completions) + 2
        text_width += max(len(item.kind) for item in self._completions)
        width = min(max(text_width + 3, 16), 60, screen_width)
        height = min(len(self._completions), COMPLETION_ROWS) + 2
        x = max(0, cursor_x - prefix_length)
        y = cursor_y + 1
        if y + height > screen_height and cursor_y - height >= 0:
            y = cursor_y - height
        popup.styles.width = width
        popup.styles.max_height = height
        popup.styles.offset = (x, y)

    def _update_completion(self) -> None:
        """Refilter the open list after an edit, or close it when the cursor left the word."""
        if not self.completion_open or self._completion_start is None:
            return
        start_row, start_column = self._completion_start
        row, column = self.cursor_location
        prefix = lexer.word_before(self.document.lines[row], column) if row == start_row else None
        if prefix is None or column - len(prefix) != start_column:
            self.close_completion()
            return
        if not self.open_completion():
            self.close_completion()

    @on(TextArea.Changed)
    def _completion_after_edit(self, event: TextArea.Changed) -> None:
        if event.text_area is self:
            self._update_completion()

    @on(TextArea.SelectionChanged)
    def _completion_after_move(self, event: TextArea.SelectionChanged) -> None:
        if event.text_area is not self or not self.completion_open or self._completion_start is None:
            return
        row, column = event.selection.end
        start_row, start_column = self._completion_start
        if event.selection.start != event.selection.end or row != start_row or column < start_column:
            self.close_completion()

    def _on_blur(self, event: events.Blur) -> None:
        self.close_completion()

    def _on_resize(self) -> None:
        # The list sits at screen coordinates that a resize makes stale.
        self.close_completion()

    # --------------------------------------------------------------------- keys

    def check_consume_key(self, key: str, character: str | None = None) -> bool:
        """Return True for the keys the editor takes ahead of the app's bindings.

        Textual leaves out an ancestor's binding, priority or not, for a key
        the focused widget consumes. So the app's tab binding yields while tab
        completes, and escape closes the list instead of cancelling a query.
        """
        if not self.read_only:
            if self.completion_open and key in _COMPLETION_LIST_KEYS:
                return True
            if key in _CTRL_SPACE_KEYS:
                return True
            if key == "tab" and self._tab_completes():
                return True
        return super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        # prevent_default() keeps TextArea._on_key, which runs next, from inserting the key.
        if self.completion_open and self._handle_completion_key(event.key):
            event.stop()
            event.prevent_default()
            return
        if event.key in _CTRL_SPACE_KEYS:
            event.stop()
            event.prevent_default()
            self.open_completion()
            return
        if event.key == "tab" and self._tab_completes() and self.open_completion():
            event.stop()
            event.prevent_default()

    def _tab_completes(self) -> bool:
        """Return True when tab at the cursor opens the completion list instead of moving focus.

        Textual calls `check_consume_key` for tab on every key press, so the
        result is kept until the text, the cursor or the dismissal changes.
        """
        state = (self._text_version, self.selection, self._dismissed_at)
        if self._tab_result is not None and self._tab_result[0] == state:
            return self._tab_result[1]
        completes = self._has_longer_completion()
        self._tab_result = (state, completes)
        return completes

    def _has_longer_completion(self) -> bool:
        if self.read_only or self.selection.start != self.selection.end:
            return False
        if self._dismissed_at == self.cursor_location:
            return False
        row, column = self.cursor_location
        if not lexer.word_before(self.document.lines[row], column):
            return False
        context = self.completion_context()
        return any(len(item.label) > len(context.prefix) for item in self.completions(context))

    def _handle_completion_key(self, key: str) -> bool:
        popup = self._completion_list
        assert popup is not None
        if key == "down":
            popup.action_cursor_down()
        elif key == "up":
            popup.action_cursor_up()
        elif key == "pagedown":
            popup.action_page_down()
        elif key == "pageup":
            popup.action_page_up()
        elif key in ("enter", "tab"):
            self.accept_completion()
        elif key == "escape":
            self.close_completion()
            self._dismissed_at = self.cursor_location
        else:
            return False
        return True


def _words(words: tuple[str, ...], kind: str) -> list[Completion]:
    return [Completion(word, kind, word) for word in words]


def _option_text(completion: Completion, label_width: int) -> Text:
    return Text.assemble(completion.label.ljust(label_width), "  ", (completion.kind, "dim"), no_wrap=True)


def _byte_offset(line: str, column: int) -> int:
    """Return the UTF-8 byte offset of character `column` in `line`, as TextArea's highlight map counts."""
    if line.isascii():
        return column
    return len(line[:column].encode("utf-8"))
