"""The results pane: the rows of the last run, with keyboard triage.

The table is `textual-fastdatatable` over Arrow, so a million rows never
become a million Python objects. Verdict markers, filtering and sorting work
on the Arrow table; only the rows a key acts on are converted.
"""

from __future__ import annotations

import json
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from workbench.sessions.model import VERDICTS
from workbench.sessions.snapshot import row_hashes, snapshot_rows, snapshot_value
from workbench.text import sanitize
from workbench.ui.tables import display_table

VERDICT_MARKERS = {"true_positive": "TP", "false_positive": "FP", "benign": "BN", "needs_review": "??"}
MARKER_COLUMN = "verdict"
VERDICT_ROW_LIMIT = 100_000
"""Rows that get a verdict marker; past this the marker column is blank (hashing is per row in Python)."""


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
        Binding("slash", "filter", "Filter rows", id="results.filter"),
        Binding("F", "frequency", "Column frequency", id="results.frequency"),
        Binding("left_square_bracket", "sort(False)", "Sort ascending", id="results.sort_asc"),
        Binding("right_square_bracket", "sort(True)", "Sort descending", id="results.sort_desc"),
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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = None
        """Arrow table of the last run after exclusions; None before the first run."""
        self.view = None
        """`source` after the row filter and sort: what the table shows."""
        self.column_types: dict[str, str] = {}
        self.verdicts: dict[str, str] = {}
        """Verdict by row hash for the current query."""
        self._view_hashes: list[str] = []
        self.filter_text = ""
        self.summary = "No query run yet. Press ctrl+r to run the query in the editor."

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter rows: text to find in any column; enter to apply, empty to clear", id="results-filter")
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

            data = pa.table({"": pa.array([], type=pa.string())})
        return DataTable(
            backend=ArrowBackend(data),
            classes="results-table",
            cursor_type="cell",
            show_row_labels=False,
            render_markup=False,
            max_column_content_width=48,
            null_rep="",
        )

    # Showing results

    def show_result(self, table: Any, column_types: dict[str, str], summary: str, verdicts: dict[str, str]) -> None:
        """Show a new result table; `verdicts` maps row hashes to verdicts kept from earlier runs."""
        self.source = table
        self.column_types = column_types
        self.verdicts = dict(verdicts)
        self.summary = summary
        self.filter_text = ""
        self._apply_view()

    def show_message(self, summary: str) -> None:
        self.summary = summary
        self.query_one("#results-info", Static).update(sanitize(summary))
        self._refresh_title()

    def _apply_view(self, cursor: tuple[int, int] | None = None) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.source is None:
            return
        view = self.source
        if self.filter_text:
            needle = self.filter_text
            mask = None
            for column in view.columns:
                as_text = pc.cast(column, pa.string(), safe=False) if not pa.types.is_string(column.type) else column
                hit = pc.fill_null(pc.match_substring(as_text, needle, ignore_case=True), False)
                mask = hit if mask is None else pc.or_(mask, hit)
            if mask is not None:
                view = view.filter(mask)
        self.view = view
        self._view_hashes = row_hashes(view, VERDICT_ROW_LIMIT) if self.verdicts or view.num_rows <= VERDICT_ROW_LIMIT else []
        self._replace_table(self._with_markers(display_table(view)), cursor)
        self._update_info()

    def _with_markers(self, shown: Any) -> Any:
        import pyarrow as pa

        markers = [VERDICT_MARKERS.get(self.verdicts.get(row_hash, ""), "") for row_hash in self._view_hashes]
        markers.extend([""] * (shown.num_rows - len(markers)))
        return shown.add_column(0, MARKER_COLUMN, pa.array(markers, type=pa.string()))

    def _replace_table(self, data: Any, cursor: tuple[int, int] | None) -> None:
        # fastdatatable cannot change a mounted table's data, so a new table replaces it.
        old = self._table
        had_focus = old.has_focus
        self._table = self._new_table(data)
        self._table.fixed_columns = 1
        if old.is_mounted:
            self.mount(self._table, after=old)
            old.remove()
        if had_focus:
            self._table.focus()
        if cursor and data.num_rows:
            row, column = cursor
            self._table.call_after_refresh(self._table.move_cursor, row=min(row, data.num_rows - 1), column=column)

    def _update_info(self) -> None:
        counts = self.verdict_counts()
        verdict_text = ", ".join(f"{VERDICT_MARKERS[name]} {count}" for name, count in counts.items() if count)
        shown = self.view.num_rows if self.view is not None else 0
        parts = [self.summary]
        if self.filter_text:
            parts.append(f"filter {self.filter_text!r}: {shown} rows")
        if verdict_text:
            parts.append(verdict_text)
        self.query_one("#results-info", Static).update(sanitize(" | ".join(parts)))
        self._refresh_title()

    def _refresh_title(self) -> None:
        counts = self.verdict_counts()
        marked = sum(counts.values())
        self.border_title = "Results" + (f" ({marked} triaged)" if marked else "")

    def verdict_counts(self) -> dict[str, int]:
        counts = {name: 0 for name in VERDICTS}
        hashes = set(self._view_hashes)
        for row_hash, verdict in self.verdicts.items():
            if row_hash in hashes and verdict in counts:
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
        values = snapshot_rows(self.view, 1, start=row)[0]
        return dict(zip(self.view.column_names, values))

    # Actions

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
        self.app.notify(f"Copied {name}: {len(text.encode('utf-8'))} bytes")

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
        if row >= len(self._view_hashes):
            self._view_hashes = row_hashes(self.view, max(row + 1, len(self._view_hashes)))
        row_hash = self._view_hashes[row]
        if self.verdicts.get(row_hash) == verdict:
            self.verdicts.pop(row_hash)
            verdict = ""
        else:
            self.verdicts[row_hash] = verdict
        self.post_message(self.VerdictSet(row_hash, verdict))
        next_row = min(row + 1, self.view.num_rows - 1)
        self._replace_table(self._with_markers(display_table(self.view)), (next_row, cursor[1]))
        self._update_info()

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
        self._apply_view()
        self._table.focus()

    def action_sort(self, descending: bool) -> None:
        """Sort the rows by the column under the cursor."""
        cursor = self._cursor()
        if cursor is None:
            return
        data_column = self._data_column(cursor[1])
        if data_column is None:
            return
        name = self.view.column_names[data_column]
        order = "descending" if descending else "ascending"
        try:
            self.source = self.source.sort_by([(name, order)])
        except Exception as error:  # noqa: BLE001 - Arrow rejects some types (nested values)
            self.app.notify(f"Cannot sort by {name}: {error}", severity="warning")
            return
        self._apply_view(cursor=(0, cursor[1]))
        self.app.notify(f"Sorted by {name}, {order}")

    def action_frequency(self) -> None:
        """Show how often each value of the column under the cursor occurs."""
        cursor = self._cursor()
        if cursor is None:
            return
        data_column = self._data_column(cursor[1])
        if data_column is None:
            return
        import pyarrow as pa
        import pyarrow.compute as pc

        name = self.view.column_names[data_column]
        column = self.view.column(data_column)
        if not (pa.types.is_string(column.type) or pa.types.is_integer(column.type) or pa.types.is_boolean(column.type)):
            column = pc.cast(column, pa.string(), safe=False)
        counts = pc.value_counts(column).to_pylist()
        counts.sort(key=lambda item: item["counts"], reverse=True)
        from workbench.ui.screens import FrequencyScreen

        self.app.push_screen(FrequencyScreen(name, [(item["values"], item["counts"]) for item in counts[:200]], len(counts)))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
