"""Pickers, the command palette, pane navigation and the help screen of the workbench app.

A mixin of `WorkbenchApp`. The help screen is built from the bindings as
they are mapped now, so a remapped key shows as the user set it.
"""

from __future__ import annotations

from typing import Any

from workbench.backends.base import Timespan
from workbench.text import sanitize

PANE_IDS = ("iocs-pane", "query-pane", "results-pane", "exclusions-pane")


class NavigationMixin:
    """Timespan and workspace pickers, palette commands, pane focus and help."""

    # Workspace and timespan

    def action_pick_timespan(self) -> None:
        """Choose the timespan of the current query: last hour, day, week, 14 or 30 days, or custom."""
        from workbench.ui.screens import ChoiceScreen, PathScreen

        choices = [
            ("Last hour (PT1H)", "PT1H"),
            ("Last 24 hours (P1D)", "P1D"),
            ("Last 7 days (P7D)", "P7D"),
            ("Last 14 days (P14D)", "P14D"),
            ("Last 30 days (P30D)", "P30D"),
            ("Custom: ISO 8601 duration or START/END", "custom"),
        ]

        def chosen(value: str | None) -> None:
            if value == "custom":
                self.push_screen(
                    PathScreen("Custom timespan", self._current_timespan_text(), "P3D, PT6H, or 2026-12-01T00:00:00Z/2026-12-02T00:00:00Z", replace=True),
                    self._set_timespan,
                )
            elif value:
                self._set_timespan(value)

        self.push_screen(ChoiceScreen("Timespan of the query", choices, current=self._current_timespan_text()), chosen)

    def _set_timespan(self, text: str | None) -> None:
        if not text:
            return
        try:
            timespan = Timespan.parse(text)
        except ValueError as error:
            self.notify(sanitize(str(error)), severity="error")
            return
        self.config.default_timespan = timespan.iso()
        query = self.session.query(self.current_query_id)
        if query is not None:
            query.timespan = timespan.iso()
            self.mark_dirty()
        self.set_status(f"Timespan set to {timespan.iso()}; ctrl+r runs the query over it")

    def action_pick_workspace(self) -> None:
        """Switch the workspace that queries go to."""
        from workbench.ui.screens import ChoiceScreen

        choices = [
            (f"{workspace.name}  ({workspace.kind}{': ' + workspace.workspace_id if workspace.workspace_id else ''})", workspace.name)
            for workspace in self.config.workspaces
        ]

        def chosen(name: str | None) -> None:
            if not name:
                return
            if self.running is not None:
                self.running.cancel()
            old = self.backend
            self.backend = None
            self.tables = []
            self.backend_name = ""
            if old is not None:
                old.close()
            self.workspace_name = name
            self.set_status(f"Opening workspace {name}...")
            self.open_workspace()

        current = self.workspace_name or self.config.default_workspace
        self.push_screen(ChoiceScreen("Workspace", choices, "Add workspaces in config.toml under [[workspaces]]", current=current), chosen)


    def get_system_commands(self, screen: Any):
        from textual.app import SystemCommand

        yield from super().get_system_commands(screen)
        yield SystemCommand("Run query", "Run the query block under the cursor (ctrl+r, f5)", self.action_run_query)
        yield SystemCommand("Cancel run", "Cancel the running query (escape)", self.action_cancel_query)
        yield SystemCommand("Generate hunt", "Hunts from the selected indicators over every table that can show them (ctrl+g)", self.action_generate_hunt)
        yield SystemCommand("Save session", "Save the session to its file (ctrl+s)", self.action_save_session)
        yield SystemCommand("Save session as", "Save the session to a new file, which it uses from now on", self.action_save_session_as)
        yield SystemCommand("Open session", "Open a session file by path (ctrl+o)", self.action_open_session)
        yield SystemCommand("Key bindings", "Every key with its binding id, and the log file (f1)", self.action_help)
        yield SystemCommand("Switch workspace", "Choose the workspace queries go to (f7)", self.action_pick_workspace)
        yield SystemCommand("Set timespan", "Last hour, day, week, 30 days or custom (ctrl+t)", self.action_pick_timespan)
        yield SystemCommand("Browse sessions", "Open, rename, duplicate or delete saved sessions (ctrl+l)", self.action_browse_sessions)
        yield SystemCommand("Replay session", "Re-run every query and show new, gone and unchanged rows", self.action_replay)
        yield SystemCommand("Add IOC feed", "Load indicators from a feed file", self.action_add_feed)
        yield SystemCommand("New query tab", "Open an empty query tab (ctrl+n)", self.action_new_tab)
        yield SystemCommand("Next query tab", "Show the next query tab (f9, ctrl+pagedown)", self.action_next_tab)
        yield SystemCommand("Previous query tab", "Show the previous query tab (f8, ctrl+pageup)", self.action_previous_tab)
        yield SystemCommand("Close query tab", "Close the current query tab; its queries stay in the history", self.action_close_tab)
        yield SystemCommand("Query history", "Every query of the session with its last run (f10)", self.action_query_history)
        yield SystemCommand("Generate hunt for chosen tables", "Pick the tables the hunt covers", self.action_generate_for_tables)
        yield SystemCommand("Export results", "Write the shown rows to CSV, JSON lines or Markdown", self.results_pane.action_export)


    # Navigation and help

    def action_focus_pane(self, pane_id: str) -> None:
        """Move the focus into a pane."""
        pane = self.query_one(f"#{pane_id}")
        if pane_id == "query-pane":
            self.editor.focus()
            return
        table = getattr(pane, "table", None)
        if table is not None:
            table.focus()
        else:
            pane.focus()

    def _focused_pane_index(self) -> int:
        node = self.focused
        while node is not None:
            if node.id in PANE_IDS:
                return PANE_IDS.index(node.id)
            node = node.parent
        return -1

    def action_next_pane(self) -> None:
        """Move the focus to the next pane."""
        index = self._focused_pane_index()
        self.action_focus_pane(PANE_IDS[(index + 1) % len(PANE_IDS)])

    def action_previous_pane(self) -> None:
        """Move the focus to the previous pane."""
        index = self._focused_pane_index()
        self.action_focus_pane(PANE_IDS[(index - 1) % len(PANE_IDS)])

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """Return (keys, description, id) of the app's and the panes' bindings as they are mapped now."""
        rows: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        sources = [self, self.ioc_pane, self.query_one("#query-pane"), self.results_pane, self.exclusions_pane]
        keymap = getattr(self, "_keymap", {}) or {}
        for source in sources:
            for binding in source._bindings:
                bound = binding[1] if isinstance(binding, tuple) else binding
                key = getattr(bound, "id", None) or f"{type(source).__name__}.{bound.action}"
                if key in seen:
                    continue
                seen.add(key)
                keys = keymap.get(getattr(bound, "id", None), None) or _keys_of(source, bound)
                rows.append((keys, bound.description or bound.action, getattr(bound, "id", "") or ""))
        return rows

    def action_help(self) -> None:
        """Show every key binding."""
        from workbench.logs import log_file_path
        from workbench.ui.screens import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.binding_rows(), str(log_file_path())))




def _keys_of(source: Any, binding: Any) -> str:
    keys = [
        key
        for key, bindings in source._bindings.key_to_bindings.items()
        for candidate in bindings
        if candidate.action == binding.action and getattr(candidate, "id", None) == getattr(binding, "id", None)
    ]
    return ", ".join(sorted(set(keys))) or binding.key
