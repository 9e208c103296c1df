"""The IOC feeds pane: the session's indicators, a filter and a selection.

Filtering and building the table's Arrow data run in a thread worker, so a
feed of 100,000 indicators filters while the user keeps typing. The newest
filter wins, and older results are dropped.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from workbench.iocs.model import Indicator
from workbench.text import sanitize
from workbench.ui.safe_input import SafeInput
from workbench.ui.tables import replace_table

COLUMNS = ["sel", "value", "type", "threat", "malware", "first seen", "conf", "sources"]

FILTER_HELP = "text, type:domain, malware:nanocore, conf>=75, age<=30 (days since first seen)"


def indicator_matches(indicator: Indicator, terms: list[str], now: datetime) -> bool:
    """Return True when `indicator` meets every filter term (see FILTER_HELP)."""
    for term in terms:
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
        elif term.startswith("age<="):
            try:
                days = float(term[5:].rstrip("d"))
            except ValueError:
                continue
            if indicator.first_seen is None or now - indicator.first_seen > timedelta(days=days):
                return False
        else:
            haystack = " ".join(
                [indicator.value, indicator.display_value, indicator.malware, indicator.threat_type, " ".join(indicator.tags), indicator.source]
            ).lower()
            if term not in haystack:
                return False
    return True


def indicator_rows(indicators: list[Indicator], selected: set[tuple[str, str]]) -> Any:
    """Return the table's Arrow data for `indicators`, one column at a time."""
    import pyarrow as pa

    def text_column(values: list[str]) -> Any:
        return pa.array([sanitize(value) for value in values], type=pa.string())

    return pa.table(
        {
            COLUMNS[0]: pa.array(["[x]" if indicator.key in selected else "[ ]" for indicator in indicators], type=pa.string()),
            COLUMNS[1]: text_column([indicator.display_value or indicator.value for indicator in indicators]),
            COLUMNS[2]: pa.array([indicator.ioc_type for indicator in indicators], type=pa.string()),
            COLUMNS[3]: text_column([indicator.threat_type for indicator in indicators]),
            COLUMNS[4]: text_column([indicator.malware for indicator in indicators]),
            COLUMNS[5]: pa.array([indicator.first_seen.strftime("%Y-%m-%d") if indicator.first_seen else "" for indicator in indicators], type=pa.string()),
            COLUMNS[6]: pa.array(["" if indicator.confidence is None else str(indicator.confidence) for indicator in indicators], type=pa.string()),
            COLUMNS[7]: text_column([indicator.source for indicator in indicators]),
        }
    )


class IocPane(Vertical):
    """Lists indicators; `space` selects, `a` selects all shown, `A` clears, `/` filters, `L` loads a feed."""

    BINDINGS = [
        Binding("space", "toggle_selection", "Select", id="ioc.toggle"),
        Binding("a", "select_all", "Select all shown", id="ioc.select_all"),
        Binding("A", "select_none", "Select none", id="ioc.select_none"),
        Binding("slash", "filter", "Filter", id="ioc.filter"),
        Binding("L", "load_feed", "Load feed file", id="ioc.load_feed"),
        Binding("R", "refresh_feeds", "Refresh live feeds", id="ioc.refresh"),
    ]

    class SelectionChanged(Message):
        """The selection or the filter changed."""

    class LoadFeedRequested(Message):
        """The user asked to load a feed file."""

    class RefreshRequested(Message):
        """The user asked to refresh the live feeds."""

    class _Shown(Message):
        """A filter worker finished; carries the shown indicators and their table data."""

        def __init__(self, generation: int, shown: list[Indicator], data: Any, cursor_row: int) -> None:
            super().__init__()
            self.generation = generation
            self.shown = shown
            self.data = data
            self.cursor_row = cursor_row

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.indicators: list[Indicator] = []
        self.selected: set[tuple[str, str]] = set()
        self.filter_text = ""
        self._shown: list[Indicator] = []
        self._generation = 0
        self.busy = False
        """True while a worker filters the indicators."""

    def compose(self) -> ComposeResult:
        yield SafeInput(placeholder=f"filter: {FILTER_HELP}", id="ioc-filter")
        self._table = self._new_table(indicator_rows([], set()))
        yield self._table
        yield Static("", id="ioc-info", classes="pane-info")

    def on_mount(self) -> None:
        self.border_title = "IOC feeds"
        self.refresh_table()

    @property
    def table(self):
        return self._table

    def _new_table(self, data: Any):
        from textual_fastdatatable import ArrowBackend, DataTable

        return DataTable(
            backend=ArrowBackend(data),
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

    def refresh_table(self, cursor_row: int | None = None) -> None:
        """Filter the indicators and rebuild the table in a worker."""
        self._generation += 1
        self.busy = True
        old = self._table
        if cursor_row is not None:
            cursor = cursor_row
        else:
            cursor = old.cursor_row if old.row_count else 0
        self._filter(self._generation, list(self.indicators), set(self.selected), self.filter_text, cursor)

    @work(thread=True, group="ioc-filter")
    def _filter(self, generation: int, indicators: list[Indicator], selected: set[tuple[str, str]], filter_text: str, cursor: int) -> None:
        terms = filter_text.lower().split()
        now = datetime.now(timezone.utc)
        shown = [indicator for indicator in indicators if indicator_matches(indicator, terms, now)] if terms else indicators
        self.post_message(self._Shown(generation, shown, indicator_rows(shown, selected), cursor))

    def on_ioc_pane__shown(self, message: _Shown) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        self.busy = False
        self._shown = message.shown
        cursor = (message.cursor_row, 0) if message.shown else None
        self._table = replace_table(self._table, self._new_table(message.data), cursor)
        self.query_one("#ioc-info", Static).update(
            f"{len(self._shown)} shown of {len(self.indicators)}, {len(self.selected)} selected"
        )
        self.post_message(self.SelectionChanged())

    def action_toggle_selection(self) -> None:
        """Select or unselect the indicator under the cursor."""
        if not self._shown or self.busy:
            return
        row = self.table.cursor_row
        indicator = self._shown[row]
        if indicator.key in self.selected:
            self.selected.discard(indicator.key)
        else:
            self.selected.add(indicator.key)
        self.refresh_table(cursor_row=min(row + 1, len(self._shown) - 1))

    def action_select_all(self) -> None:
        """Select every shown indicator (all that match the filter)."""
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

    def action_load_feed(self) -> None:
        """Load indicators from a feed file."""
        self.post_message(self.LoadFeedRequested())

    def action_refresh_feeds(self) -> None:
        """Fetch the live feeds of the config again."""
        self.post_message(self.RefreshRequested())

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ioc-filter":
            event.stop()
            self.filter_text = event.value
            self.refresh_table(cursor_row=0)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "ioc-filter":
            event.stop()
            if not event.value:
                event.input.remove_class("visible")
            self.table.focus()
