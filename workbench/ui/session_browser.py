"""The session browser: every saved session, with open, rename, duplicate and delete."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from workbench.text import sanitize
from workbench.ui.tables import replace_table

COLUMNS = ["title", "updated", "indicators", "queries", "runs", "hits", "verdicts", "file"]


class SessionBrowserScreen(ModalScreen[Path | None]):
    """Lists the sessions folder; `enter` opens, `r` renames, `c` duplicates, `d` deletes."""

    BINDINGS = [
        Binding("enter", "open", "Open", id="sessions.open"),
        Binding("r", "rename", "Rename", id="sessions.rename"),
        Binding("c", "duplicate", "Duplicate", id="sessions.duplicate"),
        Binding("d,delete", "delete", "Delete", id="sessions.delete"),
        Binding("escape", "close", "Close", id="sessions.close"),
    ]

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.summaries: list[Any] = []
        self.loading = False
        """True while a worker reads the sessions folder."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall", id="sessions-dialog"):
            yield Static("Sessions", classes="dialog-title")
            self._table = self._new_table([])
            yield self._table
            yield Static("enter open · r rename · c duplicate · d delete · escape close", classes="dialog-hint")

    def on_mount(self) -> None:
        self.reload()

    def _new_table(self, rows: list[list[str]]):
        from textual_fastdatatable import ArrowBackend, DataTable

        return DataTable(
            backend=ArrowBackend.from_records([COLUMNS, *rows], has_header=True),
            cursor_type="row",
            show_row_labels=False,
            render_markup=False,
            max_column_content_width=40,
            classes="sessions-table",
        )

    def reload(self) -> None:
        """Read the sessions folder in a worker; every file is parsed, which takes seconds for large sessions."""
        self.loading = True
        self._read_sessions()

    @work(thread=True, exclusive=True, group="session-browser")
    def _read_sessions(self) -> None:
        from workbench.sessions.store import list_sessions

        summaries = list_sessions(self.folder)
        rows = []
        for summary in summaries:
            if summary.error:
                rows.append([sanitize(summary.error.split(":")[0]), "unreadable", "", "", "", "", "", sanitize(summary.path.name)])
                continue
            verdict_text = " ".join(f"{name.split('_')[0]}:{count}" for name, count in sorted(summary.verdict_counts.items()))
            rows.append(
                [
                    sanitize(summary.title or summary.id),
                    summary.updated.strftime("%Y-%m-%d %H:%M"),
                    str(summary.indicator_count),
                    str(summary.query_count),
                    str(summary.run_count),
                    str(summary.hit_count),
                    verdict_text,
                    sanitize(summary.path.name),
                ]
            )
        self.app.call_from_thread(self._show_rows, summaries, rows)

    def _show_rows(self, summaries: list[Any], rows: list[list[str]]) -> None:
        self.summaries = summaries
        self.loading = False
        self._table = replace_table(self._table, self._new_table(rows))
        self._table.focus()
        if not rows:
            self.notify("No saved sessions yet: ctrl+s saves the current one")

    def current(self) -> Any | None:
        if self.loading:
            self.notify("Still reading the sessions folder", severity="warning")
            return None
        if not self.summaries:
            return None
        row = self._table.cursor_row
        return self.summaries[row] if 0 <= row < len(self.summaries) else None

    def on_data_table_cell_selected(self, event: Any) -> None:
        event.stop()
        self.action_open()

    def on_data_table_row_selected(self, event: Any) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        """Open the session under the cursor."""
        summary = self.current()
        if summary is None:
            return
        if summary.error:
            self.notify(sanitize(summary.error), severity="error", timeout=15)
            return
        self.dismiss(summary.path)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_rename(self) -> None:
        """Change the title of the session under the cursor."""
        summary = self.current()
        if summary is None or summary.error:
            return
        from workbench.ui.screens import PathScreen

        def renamed(title: str | None) -> None:
            if not title:
                return
            from workbench.sessions.store import load_session, save_session

            if self._is_open(summary.path):
                # The open session saves itself; changing its title in memory keeps the next save from undoing it.
                self.app.session.title = title
                self.app.mark_dirty()
                self.app.save(quiet=True)
                self.notify("Renamed the open session")
                self.set_timer(0.5, self.reload)
                return
            try:
                session = load_session(summary.path)
                session.title = title
                save_session(session, summary.path)
            except Exception as error:  # noqa: BLE001 - reported, the file is unchanged on failure
                self.notify(sanitize(str(error)), severity="error", timeout=15)
                return
            self.reload()

        self.app.push_screen(PathScreen("New title", summary.title, "enter saves, escape cancels", replace=True), renamed)

    def action_duplicate(self) -> None:
        """Copy the session under the cursor to a new file."""
        summary = self.current()
        if summary is None or summary.error:
            return
        from workbench.sessions.store import load_session, save_session

        try:
            session = load_session(summary.path)
            number = 2
            target = summary.path.with_name(f"{summary.path.stem}-copy.toml")
            while target.exists():
                target = summary.path.with_name(f"{summary.path.stem}-copy{number}.toml")
                number += 1
            session.id = target.stem
            session.title = f"{session.title} (copy)"
            save_session(session, target)
        except Exception as error:  # noqa: BLE001 - reported to the user
            self.notify(sanitize(str(error)), severity="error", timeout=15)
            return
        self.notify(f"Copied to {target.name}")
        self.reload()

    def _is_open(self, path: Path) -> bool:
        open_path = getattr(self.app, "session_path", None)
        return open_path is not None and Path(open_path).resolve() == path.resolve()

    def action_delete(self) -> None:
        """Delete the session under the cursor, after confirmation; its .bak stays as a way back."""
        summary = self.current()
        if summary is None:
            return
        if self._is_open(summary.path):
            self.notify("This session is open here, and its next save would bring the file back; open another session first", severity="warning")
            return
        from workbench.ui.screens import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            backup = summary.path.with_name(summary.path.name + ".deleted")
            try:
                shutil.move(str(summary.path), str(backup))
            except OSError as error:
                self.notify(f"Delete failed: {sanitize(str(error))}", severity="error")
                return
            self.notify(f"Deleted; the file was kept as {backup.name} until you remove it")
            self.reload()

        self.app.push_screen(
            ConfirmScreen(f"Delete session {summary.title or summary.id!r} ({summary.path.name})?"), confirmed
        )

