"""Query tabs and the session's query history for the workbench app.

A mixin of `WorkbenchApp`. Tabs are editor buffers named in the Query
pane's bottom border, so they cost no screen lines at 80x24.
"""

from __future__ import annotations

from workbench.text import sanitize


class TabsMixin:
    """Several query buffers in one editor, and a list of every query the session ran."""

    # Query tabs and history

    def _store_tab(self) -> None:
        self.tabs[self.tab_index] = self.editor.text

    def _show_tab(self, index: int) -> None:
        self.tab_index = index
        self.editor.load_text(self.tabs[index])
        self._update_tab_title()
        self.editor.focus()

    def _update_tab_title(self) -> None:
        labels = []
        for index, text in enumerate(self.tabs):
            label = _title_from_text(text)[:14] if text.strip() else "empty"
            marker = "▸" if index == self.tab_index else " "
            labels.append(f"{marker}{index + 1} {sanitize(label)}")
        pane = self.query_one("#query-pane")
        pane.border_subtitle = " │".join(labels) if len(self.tabs) > 1 else ""

    def action_new_tab(self) -> None:
        """Open an empty query tab."""
        self._store_tab()
        self.tabs.append("")
        self._show_tab(len(self.tabs) - 1)

    def action_next_tab(self) -> None:
        """Show the next query tab."""
        self._store_tab()
        self._show_tab((self.tab_index + 1) % len(self.tabs))

    def action_previous_tab(self) -> None:
        """Show the previous query tab."""
        self._store_tab()
        self._show_tab((self.tab_index - 1) % len(self.tabs))

    def action_close_tab(self) -> None:
        """Close the current query tab (its queries stay in the session history)."""
        if len(self.tabs) == 1:
            self.editor.load_text("")
            self.tabs = [""]
            self._update_tab_title()
            return
        del self.tabs[self.tab_index]
        self._show_tab(min(self.tab_index, len(self.tabs) - 1))

    def action_query_history(self) -> None:
        """List every query of the session with its last run; enter opens one in a new tab."""
        from workbench.ui.screens import ChoiceScreen

        if not self.session.queries:
            self.notify("The session has no queries yet", severity="warning")
            return
        choices = []
        for query in reversed(self.session.queries):
            run = query.last_run
            when = f"{run.ran_at:%m-%d %H:%M} {run.row_count} rows" if run else "never run"
            choices.append((f"{query.id:<5} {when:<22} {sanitize(query.title)[:60]}", query.id))

        def chosen(query_id: str | None) -> None:
            query = self.session.query(query_id) if query_id else None
            if query is None:
                return
            self._store_tab()
            self.tabs.append(query.text)
            self.current_query_id = query.id
            self._show_tab(len(self.tabs) - 1)

        self.push_screen(ChoiceScreen("Query history of this session", choices, "enter opens the query in a new tab"), chosen)



def _title_from_text(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            return stripped.lstrip("/ ").strip()[:80] or "Query"
        if stripped:
            return stripped[:80]
    return "Query"
