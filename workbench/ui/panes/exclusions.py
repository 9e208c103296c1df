"""The exclusions pane: the session's false-positive exclusions and what each removed."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from workbench.kql.exclusions import Exclusion
from workbench.text import plural, sanitize
from workbench.ui.tables import replace_table

COLUMNS = ["on", "id", "field", "op", "values", "removed", "reason", "expires"]


class ExclusionsPane(Vertical):
    """Lists exclusions; `space` enables or disables, `e` edits, `a` adds, `d` deletes."""

    BINDINGS = [
        Binding("space", "toggle", "Enable/disable", id="exclusions.toggle"),
        Binding("e", "edit", "Edit", id="exclusions.edit"),
        Binding("a", "add", "Add", id="exclusions.add"),
        Binding("d,delete", "delete", "Delete", id="exclusions.delete"),
    ]

    class Changed(Message):
        """An exclusion was toggled, edited or deleted."""

    class EditRequested(Message):
        """The user asked to edit an exclusion (None: add a new one)."""

        def __init__(self, exclusion: Exclusion | None) -> None:
            super().__init__()
            self.exclusion = exclusion

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exclusions: list[Exclusion] = []
        self.removed: dict[str, int] = {}
        """Rows each exclusion removed in the last run, by id."""
        self.errors: dict[str, str] = {}
        """Why an exclusion could not be applied in the last run, by id."""
        self.findings: dict[str, list[str]] = {}
        """Lint findings by exclusion id."""

    def compose(self) -> ComposeResult:
        self._table = self._new_table([])
        yield self._table
        yield Static("No exclusions. Press x on a result cell to exclude its value.", id="exclusions-info", classes="pane-info")

    def on_mount(self) -> None:
        self.border_title = "Exclusions"

    @property
    def table(self):
        return self._table

    def _new_table(self, rows: list[list[str]]):
        from textual_fastdatatable import ArrowBackend, DataTable

        return DataTable(
            backend=ArrowBackend.from_records([COLUMNS, *rows], has_header=True),
            classes="exclusions-table",
            cursor_type="row",
            show_row_labels=False,
            render_markup=False,
            max_column_content_width=40,
        )

    def set_exclusions(
        self,
        exclusions: list[Exclusion],
        removed: dict[str, int] | None = None,
        errors: dict[str, str] | None = None,
        findings: dict[str, list[str]] | None = None,
    ) -> None:
        self.exclusions = exclusions
        if removed is not None:
            self.removed = removed
        if errors is not None:
            self.errors = errors
        if findings is not None:
            self.findings = findings
        self.refresh_table()

    def _row(self, exclusion: Exclusion) -> list[str]:
        if exclusion.id in self.errors:
            removed = "error"
        elif exclusion.id in self.removed:
            removed = str(self.removed[exclusion.id])
        else:
            removed = "-"
        expires = exclusion.expires.strftime("%Y-%m-%d") if exclusion.expires else ""
        if exclusion.is_expired():
            expires += " (expired)"
        return [
            "on" if exclusion.enabled else "off",
            exclusion.id,
            sanitize(exclusion.field),
            exclusion.operator,
            sanitize(", ".join(exclusion.values)),
            removed,
            sanitize(exclusion.reason),
            expires,
        ]

    def refresh_table(self, cursor_row: int | None = None) -> None:
        old = self._table
        if cursor_row is not None:
            cursor = cursor_row
        else:
            cursor = old.cursor_row if old.row_count else 0
        rows = [self._row(exclusion) for exclusion in self.exclusions]
        self._table = replace_table(old, self._new_table(rows), (cursor, 0) if rows else None)
        self._update_info()

    def _update_info(self) -> None:
        if not self.exclusions:
            text = "No exclusions. Press x on a result cell to exclude its value."
        else:
            enabled = sum(1 for exclusion in self.exclusions if exclusion.enabled)
            text = f"{plural(len(self.exclusions), 'exclusion')}, {enabled} enabled"
            problems = [f"{key}: {message}" for key, message in self.errors.items()]
            for key, messages in self.findings.items():
                problems.extend(f"{key}: {message}" for message in messages)
            if problems:
                text += " | " + "; ".join(problems[:3])
        self.query_one("#exclusions-info", Static).update(sanitize(text))

    def current(self) -> Exclusion | None:
        if not self.exclusions:
            return None
        row = self._table.cursor_row
        return self.exclusions[row] if 0 <= row < len(self.exclusions) else None

    def action_toggle(self) -> None:
        """Enable or disable the exclusion under the cursor."""
        exclusion = self.current()
        if exclusion is None:
            return
        exclusion.enabled = not exclusion.enabled
        self.refresh_table()
        self.post_message(self.Changed())

    def action_edit(self) -> None:
        """Edit the exclusion under the cursor."""
        exclusion = self.current()
        if exclusion is not None:
            self.post_message(self.EditRequested(exclusion))

    def action_add(self) -> None:
        """Add an exclusion by hand."""
        self.post_message(self.EditRequested(None))

    def action_delete(self) -> None:
        """Delete the exclusion under the cursor, after confirmation."""
        exclusion = self.current()
        if exclusion is None:
            return
        from workbench.ui.screens import ConfirmScreen

        def deleted(confirmed: bool | None) -> None:
            if confirmed:
                self.exclusions.remove(exclusion)
                self.removed.pop(exclusion.id, None)
                self.refresh_table()
                self.post_message(self.Changed())

        self.app.push_screen(
            ConfirmScreen(f"Delete exclusion {exclusion.id} ({sanitize(exclusion.field)} {exclusion.operator} ...)?"), deleted
        )
