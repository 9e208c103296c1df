"""The results pane: the rows of the last run, with keyboard triage.

The table is `textual-fastdatatable` over Arrow, so a million rows never
become a million Python objects. Filtering, sorting and column frequency run
in thread workers on the Arrow table (`workbench.resultview`); a worker posts
`ViewReady` and only the handler touches widgets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from workbench.backends.base import Column
from workbench.sessions.capture import snapshot_rows
from workbench.sessions.model import VERDICTS, row_hash
from workbench.sessions.snapshot import snapshot_value
from workbench.text import sanitize
from workbench.ui.safe_input import SafeInput
from workbench.ui.tables import display_table, replace_table

VERDICT_MARKERS = {"true_positive": "TP", "false_positive": "FP", "benign": "BN", "needs_review": "??"}
VERDICT_FILTERS = ("", "true_positive", "false_positive", "benign", "needs_review", "unmarked")
MARKER_COLUMN = "verdict"
VERDICT_ROW_LIMIT = 100_000
"""Rows that can carry a verdict marker. Row hashes are computed per row in
Python (about 1 s per 100,000 rows of ten columns), so past this the marker
column stays blank and a verdict key reports the limit."""


class ResultsPane(Vertical):
    """Rows of the last run; `enter` details, `y` copies, `x` excludes, `t f b n` set verdicts."""

    BINDINGS = [
        Binding("enter", "row_detail", "Row detail", id="results.detail"),
        Binding("y", "copy_cell", "Copy cell", id="results.copy_cell"),
        Binding("Y", "copy_row", "Copy row as JSON", id="results.copy_row"),
        Binding("x", "exclude_cell", "Exclude value", id="results.exclude"),
        Binding("t", "verdict('true_positive')", "True positive", id="results.verdict_tp"),
        Binding("f", "verdict('false_positive')", "False positive", id="results.verdict_fp"),
        Binding("b", "verdict('benign')", "Benign", id="results.verdict_benign"),
        Binding("n", "verdict('needs_review')", "Needs review", id="results.verdict_review"),
        Binding("v", "verdict_filter", "Filter by verdict", id="results.verdict_filter"),
        Binding("slash", "filter", "Filter rows", id="results.filter"),
        Binding("F", "frequency", "Column frequency", id="results.frequency"),
        Binding("left_square_bracket", "sort(False)", "Sort ascending", id="results.sort_asc"),
        Binding("right_square_bracket", "sort(True)", "Sort descending", id="results.sort_desc"),
        Binding("h", "hide_column", "Hide column", id="results.hide_column"),
        Binding("H", "show_columns", "Show hidden columns", id="results.show_columns"),
        Binding("E", "export", "Export view", id="results.export"),
    ]

    class ExcludeRequested(Message):
        """The user asked for an exclusion on a cell's column and value."""

        def __init__(self, column: str, value: str, kql_type: str) -> None:
            super().__init__()
            self.column = column
            self.value = value
            self.kql_type = kql_type

    class VerdictSet(Message):
        """A verdict was set (or cleared, with `verdict` empty) on a row."""

        def __init__(self, row_hash: str, verdict: str) -> None:
            super().__init__()
            self.row_hash = row_hash
            self.verdict = verdict

    class ViewReady(Message):
        """A worker finished computing the shown rows."""

        def __init__(
            self, generation: int, view: Any, full_view: Any, drawn: Any, hashes: list[str], cursor: tuple[int, int] | None, note: str
        ) -> None:
            super().__init__()
            self.generation = generation
            self.view = view
            self.full_view = full_view
            self.drawn = drawn
            """The view as the table draws it: capped at the display limit and sanitised, without markers."""
            self.hashes = hashes
            self.cursor = cursor
            self.note = note

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = None
        """Arrow table of the last run after exclusions (and sort); None before the first run."""
        self.view = None
        """`source` after the row filter, the verdict filter and hidden columns: what the table shows."""
        self.full_view = None
        """`view` with the hidden columns: what verdict hashes, row details and exports read."""
        self._drawn_table = None
        self.column_types: dict[str, str] = {}
        self.verdicts: dict[str, str] = {}
        """Verdict by row hash for the current query."""
        self.hidden_columns: list[str] = []
        self._view_hashes: list[str] = []
        self._generation = 0
        self.filter_text = ""
        self.verdict_filter = ""
        """Verdict the shown rows must have (`unmarked` for none); empty shows every row."""
        self.summary = "No query run yet. Press ctrl+r to run the query in the editor."
        self.busy = False
        """True while a worker computes a new view."""
        self.display_limit = 1_000_000
        """Rows drawn in the table; the app sets it from the config."""

    def compose(self) -> ComposeResult:
        yield SafeInput(placeholder="filter rows: text to find in any column; enter applies, empty clears", id="results-filter")
        self._table = self._new_table(None)
        yield self._table
        yield Static(self.summary, id="results-info", classes="pane-info")

    def on_mount(self) -> None:
        self.border_title = "Results"

    @property
    def table(self):
        return self._table

    def _new_table(self, data: Any):
        from textual_fastdatatable import ArrowBackend, DataTable

        if data is None:
            import pyarrow as pa

            data = pa.table({MARKER_COLUMN: pa.array([], type=pa.string())})
        return DataTable(
            backend=ArrowBackend(data),
            classes="results-table",
            cursor_type="cell",
            show_row_labels=False,
            render_markup=False,
            max_column_content_width=48,
            null_rep="",
            fixed_columns=min(2, data.num_columns),
        )

    # Showing results

    def show_result(self, table: Any, column_types: dict[str, str], summary: str, verdicts: dict[str, str]) -> None:
        """Show a new result table; `verdicts` maps row hashes to verdicts kept from earlier runs."""
        self.source = table
        self.column_types = column_types
        self.verdicts = dict(verdicts)
        self.summary = summary
        self.filter_text = ""
        self.hidden_columns = [name for name in self.hidden_columns if name in table.column_names]
        self.refresh_view()

    def show_message(self, summary: str) -> None:
        self.summary = summary
        self.query_one("#results-info", Static).update(sanitize(summary))
        self._refresh_title()

    def refresh_view(self, cursor: tuple[int, int] | None = None, note: str = "") -> None:
        """Recompute the shown rows in a worker."""
        if self.source is None:
            return
        self._generation += 1
        self.busy = True
        self._compute_view(
            self._generation,
            self.source,
            self._columns(),
            self.filter_text,
            self.verdict_filter,
            dict(self.verdicts),
            list(self.hidden_columns),
            cursor,
            note,
        )

    def _columns(self) -> list[Column]:
        names = self.source.column_names if self.source is not None else []
        return [Column(name, self.column_types.get(name, "string")) for name in names]

    @work(thread=True, group="results-view")
    def _compute_view(
        self,
        generation: int,
        source: Any,
        columns: list[Column],
        filter_text: str,
        verdict_filter: str,
        verdicts: dict[str, str],
        hidden: list[str],
        cursor: tuple[int, int] | None,
        note: str,
    ) -> None:
        import pyarrow as pa

        from workbench.resultview import filter_rows

        view = filter_rows(source, filter_text)
        hashes: list[str] = []
        if verdicts and view.num_rows:
            hashes = [row_hash(row) for row in snapshot_rows(view, columns, VERDICT_ROW_LIMIT)]
        if verdict_filter:
            if verdict_filter == "unmarked":
                keep = [verdicts.get(row_hash) is None for row_hash in hashes] + [True] * (view.num_rows - len(hashes))
            else:
                keep = [verdicts.get(row_hash) == verdict_filter for row_hash in hashes] + [False] * (view.num_rows - len(hashes))
            mask = pa.array(keep, type=pa.bool_())
            view = view.filter(mask)
            hashes = [row_hash for row_hash, kept in zip(hashes, keep) if kept]
        full_view = view
        if hidden:
            view = view.drop_columns([name for name in hidden if name in view.column_names])
        # Sanitising a million rows takes about a second, so it happens here, not on the UI thread.
        drawn = display_table(self._drawn(view))
        self.post_message(self.ViewReady(generation, view, full_view, drawn, hashes, cursor, note))

    def on_results_pane_view_ready(self, message: ViewReady) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.busy = False
        self.view = message.view
        self.full_view = message.full_view
        self._drawn_table = message.drawn
        self._view_hashes = message.hashes
        self._replace_table(self._with_markers(self._drawn_table), message.cursor)
        self._update_info()
        if message.note:
            self.app.notify(message.note)

    def _drawn(self, view: Any) -> Any:
        return view if view.num_rows <= self.display_limit else view.slice(0, self.display_limit)

    def _with_markers(self, shown: Any) -> Any:
        import pyarrow as pa

        markers = [VERDICT_MARKERS.get(self.verdicts.get(row_hash, ""), "") for row_hash in self._view_hashes]
        markers.extend([""] * (shown.num_rows - len(markers)))
        return shown.add_column(0, MARKER_COLUMN, pa.array(markers, type=pa.string()))

    def _replace_table(self, data: Any, cursor: tuple[int, int] | None) -> None:
        self._table = replace_table(self._table, self._new_table(data), cursor)

    def _update_info(self) -> None:
        counts = self.verdict_counts()
        verdict_text = ", ".join(f"{VERDICT_MARKERS[name]} {count}" for name, count in counts.items() if count)
        shown = self.view.num_rows if self.view is not None else 0
        parts = [self.summary]
        if self.filter_text or self.verdict_filter:
            conditions = []
            if self.filter_text:
                conditions.append(f"text {self.filter_text!r}")
            if self.verdict_filter:
                conditions.append(f"verdict {self.verdict_filter}")
            parts.append(f"shown {shown} ({', '.join(conditions)})")
        if shown > self.display_limit:
            parts.append(f"drawing the first {self.display_limit:,} of {shown:,} (display limit; filter, sort or export for the rest)")
        if self.hidden_columns:
            parts.append(f"{len(self.hidden_columns)} hidden columns (H shows)")
        if verdict_text:
            parts.append(verdict_text)
        self.query_one("#results-info", Static).update(sanitize(" | ".join(parts)))
        self._refresh_title()

    def _refresh_title(self) -> None:
        counts = self.verdict_counts()
        marked = sum(counts.values())
        self.border_title = "Results" + (f" ({marked} triaged)" if marked else "")

    def verdict_counts(self) -> dict[str, int]:
        """Count the verdicts of the rows in the last result (not only the shown ones)."""
        counts = {name: 0 for name in VERDICTS}
        for verdict in self.verdicts.values():
            if verdict in counts:
                counts[verdict] += 1
        return counts

    # Cursor helpers

    def _cursor(self) -> tuple[int, int] | None:
        if self.view is None or self.view.num_rows == 0:
            return None
        return self._table.cursor_row, self._table.cursor_column

    def _data_column(self, table_column: int) -> int | None:
        """Map a table column to the view's column; None for the verdict marker column."""
        return None if table_column == 0 else table_column - 1

    def _cell(self) -> tuple[str, Any] | None:
        cursor = self._cursor()
        if cursor is None:
            return None
        row, column = cursor
        data_column = self._data_column(column)
        if data_column is None:
            return None
        name = self.view.column_names[data_column]
        value = self.view.column(data_column)[row].as_py()
        return name, value

    def _row_dict(self, row: int) -> dict[str, Any]:
        values = snapshot_rows(self.full_view, self._columns_of(self.full_view), 1, start=row)[0]
        return dict(zip(self.full_view.column_names, values))

    def _columns_of(self, table: Any) -> list[Column]:
        return [Column(name, self.column_types.get(name, "string")) for name in table.column_names]

    # Actions

    def on_data_table_cell_selected(self, event: Any) -> None:
        """Open the row detail when the table reports `enter` as a cell selection."""
        event.stop()
        self.action_row_detail()

    def action_row_detail(self) -> None:
        """Show every column of the row under the cursor."""
        cursor = self._cursor()
        if cursor is None:
            return
        from workbench.ui.screens import RowDetailScreen

        self.app.push_screen(RowDetailScreen(self._row_dict(cursor[0]), self.column_types))

    def action_copy_cell(self) -> None:
        """Copy the cell under the cursor to the clipboard (OSC 52)."""
        cell = self._cell()
        if cell is None:
            self.app.notify("Move to a data cell to copy it", severity="warning")
            return
        name, value = cell
        text = _as_text(snapshot_value(value))
        self.app.copy_to_clipboard(text)
        self.app.notify(f"Copied {sanitize(name)}: {len(text.encode('utf-8'))} bytes")

    def action_copy_row(self) -> None:
        """Copy the row under the cursor as JSON."""
        cursor = self._cursor()
        if cursor is None:
            return
        text = json.dumps(self._row_dict(cursor[0]), ensure_ascii=False, indent=2)
        self.app.copy_to_clipboard(text)
        self.app.notify(f"Copied row {cursor[0] + 1} as JSON: {len(text.encode('utf-8'))} bytes")

    def action_exclude_cell(self) -> None:
        """Ask for an exclusion on the cell's column and value."""
        cell = self._cell()
        if cell is None:
            self.app.notify("Move to a data cell to exclude its value", severity="warning")
            return
        name, value = cell
        self.post_message(self.ExcludeRequested(name, _as_text(snapshot_value(value)), self.column_types.get(name, "string")))

    def action_verdict(self, verdict: str) -> None:
        """Set a verdict on the row under the cursor; the same key again clears it."""
        cursor = self._cursor()
        if cursor is None:
            return
        row = cursor[0]
        if row >= VERDICT_ROW_LIMIT:
            self.app.notify(f"Verdicts are kept for the first {VERDICT_ROW_LIMIT:,} rows; filter the rows first", severity="warning")
            return
        if row < len(self._view_hashes):
            key = self._view_hashes[row]
        else:
            # No verdicts yet, so the view worker hashed no rows: hash only this one, not 100,000 on the UI thread.
            key = row_hash(snapshot_rows(self.full_view, self._columns_of(self.full_view), 1, start=row)[0])
        if self.verdicts.get(key) == verdict:
            self.verdicts.pop(key)
            verdict = ""
        else:
            self.verdicts[key] = verdict
        self.post_message(self.VerdictSet(key, verdict))
        self._set_marker(row, VERDICT_MARKERS.get(verdict, ""))
        self._table.move_cursor(row=min(row + 1, self.view.num_rows - 1), column=cursor[1])
        self._update_info()

    def _set_marker(self, row: int, marker: str) -> None:
        """Change one verdict marker in place; rebuilding the table would cost about 0.2 s per million rows."""
        import pyarrow as pa

        backend = self._table.backend
        if backend is None or row >= backend.row_count:
            return
        column = backend.data.column(0)
        chunks = [*column.slice(0, row).chunks, pa.array([marker], type=pa.string()), *column.slice(row + 1).chunks]
        backend.data = backend.data.set_column(0, MARKER_COLUMN, pa.chunked_array(chunks, type=pa.string()))
        # NOTE: fastdatatable 0.19 offers no public cell update; its row caches are cleared by hand.
        self._table._clear_caches()
        self._table.refresh()

    def action_verdict_filter(self) -> None:
        """Cycle the verdict filter: all, TP, FP, benign, needs review, unmarked."""
        index = VERDICT_FILTERS.index(self.verdict_filter)
        self.verdict_filter = VERDICT_FILTERS[(index + 1) % len(VERDICT_FILTERS)]
        self.refresh_view(note=f"Showing {self.verdict_filter or 'all'} rows")

    def action_filter(self) -> None:
        """Show the row filter line."""
        box = self.query_one("#results-filter", Input)
        box.add_class("visible")
        box.value = self.filter_text
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "results-filter":
            return
        event.stop()
        self.filter_text = event.value.strip()
        if not self.filter_text:
            event.input.remove_class("visible")
        self.refresh_view()
        self._table.focus()

    def _column_under_cursor(self) -> str | None:
        cursor = self._cursor()
        if cursor is None:
            return None
        data_column = self._data_column(cursor[1])
        if data_column is None:
            return None
        return self.view.column_names[data_column]

    def action_sort(self, descending: bool) -> None:
        """Sort the rows by the column under the cursor, in a worker."""
        name = self._column_under_cursor()
        if name is None:
            return
        self._sort(name, descending, self._table.cursor_column)

    @work(thread=True, group="results-sort")
    def _sort(self, name: str, descending: bool, column: int) -> None:
        from workbench.resultview import sort_rows

        try:
            sorted_source = sort_rows(self.source, name, descending)
        except ValueError as error:
            self.app.call_from_thread(self.app.notify, sanitize(str(error)), severity="warning")
            return
        self.app.call_from_thread(self._sorted, sorted_source, name, descending, column)

    def _sorted(self, sorted_source: Any, name: str, descending: bool, column: int) -> None:
        self.source = sorted_source
        self.refresh_view(cursor=(0, column), note=f"Sorted by {sanitize(name)}, {'descending' if descending else 'ascending'}")

    def action_frequency(self) -> None:
        """Show how often each value of the column under the cursor occurs."""
        name = self._column_under_cursor()
        if name is not None:
            self._frequency(name)

    @work(thread=True, group="results-frequency")
    def _frequency(self, name: str) -> None:
        from workbench.resultview import value_frequency

        counts, distinct = value_frequency(self.view, name)
        from workbench.ui.screens import FrequencyScreen

        self.app.call_from_thread(self.app.push_screen, FrequencyScreen(name, counts, distinct))

    def action_hide_column(self) -> None:
        """Hide the column under the cursor."""
        name = self._column_under_cursor()
        if name is None:
            return
        self.hidden_columns.append(name)
        self.refresh_view(cursor=(self._table.cursor_row, max(1, self._table.cursor_column - 1)), note=f"Hid {sanitize(name)}; H shows it again")

    def action_show_columns(self) -> None:
        """Show every hidden column again."""
        if self.hidden_columns:
            self.hidden_columns = []
            self.refresh_view(note="Every column is shown")

    def action_export(self) -> None:
        """Export the shown rows to CSV, JSON lines or Markdown."""
        if self.view is None:
            self.app.notify("Run a query first", severity="warning")
            return
        from workbench.ui.screens import PathScreen

        def chosen(path_text: str | None) -> None:
            if not path_text:
                return
            path = Path(path_text).expanduser()
            if not path.exists():
                self._export(path)
                return
            from workbench.ui.screens import ConfirmScreen

            def overwrite(yes: bool | None) -> None:
                if yes:
                    self._export(path)

            self.app.push_screen(ConfirmScreen(f"{sanitize(str(path))} exists. Replace it?"), overwrite)

        self.app.push_screen(
            PathScreen("Export the shown rows", str(Path.cwd()) + "/", "The ending sets the format: .csv, .jsonl or .md", default_name="results.csv"),
            chosen,
        )

    @work(thread=True, group="results-export")
    def _export(self, path: Path) -> None:
        from workbench.resultview import export_view

        try:
            count = export_view(self.view, path, self._columns_of(self.view))
        except (ValueError, OSError) as error:
            self.app.call_from_thread(self.app.notify, sanitize(f"Export failed: {error}"), severity="error")
            return
        self.app.call_from_thread(self.app.notify, f"Exported {count} rows to {sanitize(str(path))}")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
