"""The IOC feeds pane: the session's indicators, a filter and a selection."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from workbench.iocs.model import Indicator
from workbench.text import sanitize


class IocTable:
    """Helpers that build the indicator table's rows."""

    COLUMNS = ["sel", "value", "type", "threat", "malware", "first seen", "conf", "sources"]

    @staticmethod
    def row(indicator: Indicator, selected: bool) -> list[str]:
        first_seen = indicator.first_seen.strftime("%Y-%m-%d") if indicator.first_seen else ""
        confidence = "" if indicator.confidence is None else str(indicator.confidence)
        shown_value = indicator.display_value or indicator.value
        return [
            "[x]" if selected else "[ ]",
            sanitize(shown_value),
            indicator.ioc_type,
            sanitize(indicator.threat_type),
            sanitize(indicator.malware),
            first_seen,
            confidence,
            sanitize(indicator.source),
        ]


class IocPane(Vertical):
    """Lists indicators; `space` selects, `a` selects all shown, `A` clears, `/` filters."""

    BINDINGS = [
        Binding("space", "toggle_selection", "Select", id="ioc.toggle"),
        Binding("a", "select_all", "Select all shown", id="ioc.select_all"),
        Binding("A", "select_none", "Select none", id="ioc.select_none"),
        Binding("slash", "filter", "Filter", id="ioc.filter"),
    ]

    class SelectionChanged(Message):
        """The selection or the filter changed."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.indicators: list[Indicator] = []
        self.selected: set[tuple[str, str]] = set()
        self.filter_text = ""
        self._shown: list[Indicator] = []

    def compose(self) -> ComposeResult:
        from textual_fastdatatable import DataTable

        yield Input(placeholder="filter: text, type:domain, malware:nanocore, conf>=75", id="ioc-filter")
        self._table = self._new_table([])
        yield self._table
        yield Static("", id="ioc-info", classes="pane-info")

    def on_mount(self) -> None:
        self.border_title = "IOC feeds"
        self.refresh_table()

    @property
    def table(self):
        return self._table

    def _new_table(self, rows: list[list[str]]):
        from textual_fastdatatable import ArrowBackend, DataTable

        backend = ArrowBackend.from_records([IocTable.COLUMNS, *rows], has_header=True)
        return DataTable(
            backend=backend,
            classes="ioc-table",
            cursor_type="row",
            show_row_labels=False,
            render_markup=False,
            max_column_content_width=40,
        )

    def set_indicators(self, indicators: list[Indicator]) -> None:
        keys = {indicator.key for indicator in indicators}
        self.indicators = indicators
        self.selected &= keys
        self.refresh_table()

    def shown(self) -> list[Indicator]:
        return list(self._shown)

    def selected_or_shown(self) -> list[Indicator]:
        """Return the selected indicators, or every shown one when none is selected."""
        chosen = [indicator for indicator in self.indicators if indicator.key in self.selected]
        return chosen or self.shown()

    def _matches(self, indicator: Indicator) -> bool:
        for term in self.filter_text.lower().split():
            if term.startswith("type:"):
                if indicator.ioc_type != term[5:]:
                    return False
            elif term.startswith("malware:"):
                if term[8:] not in indicator.malware.lower():
                    return False
            elif term.startswith("conf>="):
                try:
                    minimum = int(term[6:])
                except ValueError:
                    continue
                if (indicator.confidence or 0) < minimum:
                    return False
            else:
                haystack = " ".join(
                    [indicator.value, indicator.display_value, indicator.malware, indicator.threat_type, " ".join(indicator.tags), indicator.source]
                ).lower()
                if term not in haystack:
                    return False
        return True

    def refresh_table(self, cursor_row: int | None = None) -> None:
        self._shown = [indicator for indicator in self.indicators if self._matches(indicator)]
        rows = [IocTable.row(indicator, indicator.key in self.selected) for indicator in self._shown]
        # fastdatatable cannot change a mounted table's data, so a new table replaces it.
        old = self._table
        cursor = cursor_row if cursor_row is not None else (old.cursor_row if old.row_count else 0)
        had_focus = old.has_focus
        self._table = self._new_table(rows)
        if old.is_mounted:
            self.mount(self._table, after=old)
            old.remove()
        if had_focus:
            self._table.focus()
        if rows:
            target = min(cursor, len(rows) - 1)
            self._table.call_after_refresh(self._table.move_cursor, row=target, column=0)
        self.query_one("#ioc-info", Static).update(
            f"{len(self._shown)} shown of {len(self.indicators)}, {len(self.selected)} selected"
        )
        self.post_message(self.SelectionChanged())

    def action_toggle_selection(self) -> None:
        """Select or unselect the indicator under the cursor."""
        if not self._shown:
            return
        row = self.table.cursor_row
        indicator = self._shown[row]
        if indicator.key in self.selected:
            self.selected.discard(indicator.key)
        else:
            self.selected.add(indicator.key)
        self.refresh_table(cursor_row=min(row + 1, len(self._shown) - 1))

    def action_select_all(self) -> None:
        """Select every shown indicator."""
        self.selected |= {indicator.key for indicator in self._shown}
        self.refresh_table()

    def action_select_none(self) -> None:
        """Clear the selection."""
        self.selected.clear()
        self.refresh_table()

    def action_filter(self) -> None:
        """Show the filter line and focus it."""
        box = self.query_one("#ioc-filter", Input)
        box.add_class("visible")
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ioc-filter":
            event.stop()
            self.filter_text = event.value
            self.refresh_table()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "ioc-filter":
            event.stop()
            if not event.value:
                event.input.remove_class("visible")
            self.table.focus()
