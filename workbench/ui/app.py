"""The Textual application: four panes, the key bindings and the workers.

The app owns the session and the backend. Queries and feed loads run in
thread workers that post messages (`ui.messages`); only handlers on the UI
thread touch widgets. Each query run has an id, and a result whose id is not
the latest is dropped, so a slow run can never overwrite a newer one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from workbench.backends.base import CancelToken, QueryError, Timespan
from workbench.config import Config, ConfigError
from workbench.kql.exclusions import Exclusion
from workbench.sessions.model import QueryRecord, Session, Verdict
from workbench.text import plural, sanitize
from workbench.ui.app_feeds import FeedsMixin
from workbench.ui.app_navigation import PANE_IDS, NavigationMixin
from workbench.ui.app_sessions import SessionsMixin
from workbench.ui.app_tabs import TabsMixin, _title_from_text
from workbench.ui.messages import QueryFinished, WorkspaceReady
from workbench.ui.panes.exclusions import ExclusionsPane
from workbench.ui.panes.iocs import IocPane
from workbench.ui.panes.results import ResultsPane

log = logging.getLogger(__name__)


class WorkbenchApp(FeedsMixin, SessionsMixin, TabsMixin, NavigationMixin, App[int]):
    """hunt-workbench: IOC feeds, a KQL editor, results and exclusions on one screen."""

    CSS_PATH = "workbench.tcss"
    TITLE = "hunt-workbench"

    BINDINGS = [
        Binding("ctrl+r,f5", "run_query", "Run", priority=True, id="run_query"),
        Binding("escape", "cancel_query", "Cancel run", id="cancel_query"),
        Binding("ctrl+g", "generate_hunt", "Generate hunt", priority=True, id="generate_hunt"),
        Binding("ctrl+s", "save_session", "Save", priority=True, id="save_session"),
        Binding("ctrl+o", "open_session", "Open", priority=True, id="open_session"),
        Binding("ctrl+q", "quit_app", "Quit", priority=True, id="quit"),
        Binding("ctrl+t", "pick_timespan", "Timespan", priority=True, id="pick_timespan"),
        Binding("ctrl+l", "browse_sessions", "Sessions", priority=True, id="browse_sessions"),
        Binding("f7", "pick_workspace", "Workspace", show=False, priority=True, id="pick_workspace"),
        Binding("ctrl+n", "new_tab", "New query tab", show=False, priority=True, id="new_tab"),
        Binding("f9,ctrl+pagedown", "next_tab", "Next query tab", show=False, priority=True, id="next_tab"),
        Binding("f8,ctrl+pageup", "previous_tab", "Previous query tab", show=False, priority=True, id="previous_tab"),
        Binding("f10", "query_history", "Query history", show=False, priority=True, id="query_history"),
        Binding("f1", "help", "Help", priority=True, id="help"),
        Binding("question_mark", "help", "Help", show=False, id="help_outside_text"),
        Binding("tab", "next_pane", "Next pane", show=False, priority=True, id="next_pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, priority=True, id="previous_pane"),
        Binding("f2", "focus_pane('iocs-pane')", "IOC feeds", show=False, priority=True, id="focus_iocs"),
        Binding("f3", "focus_pane('query-pane')", "Query", show=False, priority=True, id="focus_query"),
        Binding("f4", "focus_pane('results-pane')", "Results", show=False, priority=True, id="focus_results"),
        Binding("f6", "focus_pane('exclusions-pane')", "Exclusions", show=False, priority=True, id="focus_exclusions"),
    ]

    def __init__(
        self,
        config: Config | None = None,
        workspace_name: str | None = None,
        session_path: str | None = None,
    ) -> None:
        super().__init__()
        self.config = config or Config()
        if not any(workspace.name == "default" for workspace in self.config.workspaces):
            from workbench.config import _with_default_workspace

            _with_default_workspace(self.config)
        self.workspace_name = workspace_name
        self.session_path: Path | None = Path(session_path).expanduser() if session_path else None
        self.session = Session.new("Untitled hunt")
        self.session_loaded = session_path is None
        """False while a session file given on the command line has not been read; saves wait for it."""
        self.backend: Any = None
        self.azure_backoff: Any = None
        """A `RetryBackoff` for Log Analytics throttling; None for the backend's default (tests shorten it)."""
        self.tables: list = []
        """The open workspace's tables and columns, read once by the worker that opened it."""
        self.backend_name = ""
        self.current_query_id = ""
        self.dirty = False
        """True when the session has changes that are not on disk."""
        self.change_count = 0
        """Changes made since start; a save clears `dirty` only when none came in while it ran."""
        self.saving = False
        """True while a save worker writes the session."""
        self._save_again = False
        self.session_loading = False
        """True while a worker reads a session file."""
        self.run_id = 0
        self.running: CancelToken | None = None
        self.last_error: QueryError | None = None
        self._autosave_timer = None
        self.tabs: list[str] = [""]
        """The text of each query tab; the current tab's text lives in the editor until the tab is left."""
        self.tab_index = 0
        self.import_findings: dict[str, list[str]] = {}
        """Problems found when hunt-package filters were turned into exclusions, by exclusion id."""
        self.session_error = ""
        """Why the session file given on start could not be opened; empty when it was."""

    # Layout

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield IocPane(id="iocs-pane", classes="pane")
                yield ExclusionsPane(id="exclusions-pane", classes="pane")
            with Vertical(id="right"):
                with Vertical(id="query-pane", classes="pane"):
                    yield self._make_editor()
                    yield Static("", id="query-info", classes="pane-info")
                yield ResultsPane(id="results-pane", classes="pane")
        yield Static("", id="status")
        yield Footer()

    def _make_editor(self):
        try:
            from workbench.ui.editor import KqlEditor
        except ImportError:
            from textual.widgets import TextArea

            return TextArea("", id="editor", tab_behavior="focus", show_line_numbers=True)
        return KqlEditor("", id="editor")

    @property
    def editor(self):
        return self.query_one("#editor")

    @property
    def ioc_pane(self) -> IocPane:
        return self.query_one(IocPane)

    @property
    def results_pane(self) -> ResultsPane:
        return self.query_one(ResultsPane)

    @property
    def exclusions_pane(self) -> ExclusionsPane:
        return self.query_one(ExclusionsPane)

    def on_mount(self) -> None:
        self.query_one("#query-pane").border_title = "Query"
        self.results_pane.display_limit = self.config.display_limit
        self._load_themes()
        if self.config.keys:
            self._apply_keymap(self.config.keys)
        self._install_signal_handlers()
        set_schema = getattr(self.editor, "set_schema", None)
        if set_schema is not None:
            from workbench.kql.schemas import builtin_tables

            set_schema(builtin_tables())
        self.set_status("Opening the workspace...")
        self.open_workspace()
        if self.session_path is not None:
            self._load_session_file(self.session_path)
        else:
            self.load_feeds()
        self.editor.focus()

    def _apply_keymap(self, keys: dict[str, str]) -> None:
        """Remap bindings by id from the config; an unknown id or key name is reported and skipped."""
        known_ids = {binding_id for _, _, binding_id in self.binding_rows() if binding_id}
        usable: dict[str, str] = {}
        for binding_id, keys_text in keys.items():
            bad_keys = [key for key in keys_text.split(",") if not _is_key_name(key)]
            if binding_id not in known_ids:
                problem = f"[keys] {binding_id!r} is not a binding id; f1 lists the ids"
            elif bad_keys:
                problem = f"[keys] {binding_id}: {', '.join(repr(key) for key in bad_keys)} is not a key name Textual knows, such as ctrl+r, f5 or question_mark"
            else:
                usable[binding_id] = keys_text
                continue
            log.warning("key remapping skipped: %s", problem)
            self.notify(sanitize(problem) + "; the default keys stay", title="Key not remapped", severity="error", timeout=15)
        if usable:
            self.set_keymap(usable)

    def _load_themes(self) -> None:
        from workbench.ui.themes import discover_themes

        themes, errors = discover_themes()
        for theme in themes:
            self.register_theme(theme)
        for error in errors:
            self.notify(sanitize(error), title="Theme not loaded", severity="warning")
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(f"Theme {self.config.theme!r} not found; using the default", severity="warning")
        self.watch(self, "theme", self._theme_changed, init=False)

    def _theme_changed(self, theme: str) -> None:
        """Keep a theme picked in the command palette: write it to the config file."""
        if theme == self.config.theme:
            return
        from workbench.config import save_setting

        self.config.theme = theme
        try:
            path = save_setting("ui", "theme", theme, self.config.path)
        except ConfigError as error:
            self.notify(sanitize(str(error)), title="Theme not saved", severity="warning")
            return
        self.notify(f"Theme {theme} saved in {path}")

    # Status

    def set_status(self, message: str, *, error: bool = False) -> None:
        timespan = self._current_timespan_text()
        workspace = self.backend_name or "(no workspace)"
        state = "running" if self.running else "idle"
        text = Text()
        text.append(f" {workspace} ", style="bold")
        text.append(f"| {timespan} | {state} | ")
        text.append(sanitize(message))
        status = self.query_one("#status", Static)
        status.update(text)
        status.set_class(error, "error")

    def _current_timespan_text(self) -> str:
        query = self.session.query(self.current_query_id)
        return query.timespan if query else self.config.default_timespan

    # Workspace and feeds

    @work(thread=True, exclusive=True, group="workspace")
    def open_workspace(self) -> None:
        from workbench.backends import open_backend
        from workbench.backends.local import WorkspaceError

        try:
            workspace = self.config.workspace(self.workspace_name)
            backend = open_backend(workspace, self.config, **self._azure_options(workspace))
            tables = backend.tables()
        except QueryError as error:
            log.warning("workspace could not be opened: %s", error.describe())
            self.post_message(WorkspaceReady(None, error.describe()))
            return
        except (ConfigError, WorkspaceError) as error:
            log.warning("workspace could not be opened: %s", error)
            self.post_message(WorkspaceReady(None, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - shown to the user instead of crashing the app
            log.exception("workspace could not be opened")
            self.post_message(WorkspaceReady(None, f"{type(error).__name__}: {error}"))
            return
        self.post_message(WorkspaceReady(backend, tables=tables))

    def _azure_options(self, workspace) -> dict[str, Any]:
        if workspace.kind != "azure":
            return {}
        options: dict[str, Any] = {"prompt_callback": self._device_code_prompt, "on_retry_wait": self._retry_wait}
        if self.azure_backoff is not None:
            options["backoff"] = self.azure_backoff
        return options

    def _retry_wait(self, wait: Any) -> None:
        """Show a throttling back-off in the status line; called from the query's thread."""
        message = f"The service returned HTTP {wait.status}; retry {wait.attempt} in {wait.seconds:.1f} s ({wait.source})"
        try:
            self.call_from_thread(self.set_status, message)
        except RuntimeError:
            # Called on the UI thread itself (no worker in between): update directly.
            self.set_status(message)

    def _device_code_prompt(self, verification_uri: str, user_code: str, expires_on: Any) -> None:
        """Show the device-code sign-in inside the TUI; called from a worker thread by azure-identity."""
        message = f"To sign in, open {sanitize(str(verification_uri))} and enter the code {sanitize(str(user_code))}"
        self.call_from_thread(self.notify, message, title="Azure sign-in", severity="warning", timeout=900)
        self.call_from_thread(self.set_status, message)

    def on_text_area_changed(self, message: Any) -> None:
        """Count an edit of the query as an unsaved change, so quitting needs a confirmation."""
        # Loading a tab or a session stores the text first, so only a real edit differs from the stored copy.
        if getattr(message.text_area, "id", None) == "editor" and message.text_area.text != self.tabs[self.tab_index]:
            self.dirty = True

    def on_kql_editor_validated(self, message: Any) -> None:
        """Show the first syntax error of the editor text under the editor."""
        found = self.query("#query-info")
        if not found:
            # A check that finishes while the app shuts down has nothing to update.
            return
        info = found.first(Static)
        diagnostics = message.diagnostics
        if not diagnostics:
            info.update("")
            info.remove_class("error")
            return
        more = f" (+{len(diagnostics) - 1} more)" if len(diagnostics) > 1 else ""
        info.update(Text(sanitize(diagnostics[0].describe()) + more))
        info.add_class("error")

    def on_workspace_ready(self, message: WorkspaceReady) -> None:
        if message.backend is None:
            self.set_status(f"Workspace unavailable: {message.error}", error=True)
            self.notify(sanitize(message.error), title="Workspace unavailable", severity="error", timeout=15)
            return
        self.backend = message.backend
        self.backend_name = message.backend.name
        self.tables = message.tables
        self.session.workspace = self.backend_name if not self.session.queries else self.session.workspace
        tables = message.tables
        set_schema = getattr(self.editor, "set_schema", None)
        if set_schema is not None:
            set_schema(tables)
        if self.session_error:
            self.set_status(f"Session not opened: {self.session_error}", error=True)
            return
        self.set_status(f"Ready: {len(tables)} tables. ctrl+g generates a hunt, ctrl+r runs it, f1 shows every key")

    # Hunts

    def action_generate_hunt(self) -> None:
        """Turn the selected indicators (or all shown) into hunts over every table of the workspace that can show them."""
        self._generate(None)

    def action_generate_for_tables(self) -> None:
        """Pick the tables a hunt covers, then generate it."""
        from workbench.kql.hunts import hunt_tables
        from workbench.ui.screens import TablePickerScreen

        existing = {table.name for table in self.tables}
        names = [name for name in hunt_tables() if not existing or name in existing]

        def chosen(picked: list[str] | None) -> None:
            if picked:
                self._generate(picked)

        self.push_screen(TablePickerScreen(names), chosen)

    def _generate(self, only_tables: list[str] | None) -> None:
        indicators = self.ioc_pane.selected_or_shown()
        if not indicators:
            self.notify("No indicators to hunt for: load a feed first", severity="warning")
            return
        from workbench.kql.hunts import build_hunts

        tables = self.tables or None
        try:
            hunts = build_hunts(indicators, tables, only_tables)
        except ValueError as error:
            self.notify(sanitize(str(error)), title="No hunt generated", severity="error")
            return
        if not hunts:
            self.notify("No table in this workspace can show these indicator types", severity="warning")
            return
        text = "\n\n".join(hunt.text for hunt in hunts)
        first_id = ""
        for hunt in hunts:
            query = QueryRecord(
                id=self.session.next_query_id(),
                title=hunt.title,
                text=hunt.text,
                timespan=self.config.default_timespan,
            )
            self.session.queries.append(query)
            first_id = first_id or query.id
        if self.session.title == "Untitled hunt":
            from workbench.sessions.model import make_session_id

            self.session.title = hunts[0].title if len(hunts) == 1 else f"Hunt for {len(indicators)} indicators"
            if self.session_path is None:
                malware = sorted({indicator.malware for indicator in indicators if indicator.malware})
                name = f"{malware[0]} hunt" if len(malware) == 1 else self.session.title
                self.session.id = make_session_id(name, self.session.created)
        self.current_query_id = first_id
        if self.editor.text.strip():
            # Never overwrite what the user typed: a generated hunt gets its own tab.
            self.action_new_tab()
        self.editor.load_text(text)
        self._store_tab()
        self._update_tab_title()
        self.editor.focus()
        self.mark_dirty()
        self.set_status(f"Generated {plural(len(hunts), 'hunt')} for {plural(len(indicators), 'indicator')}; ctrl+r runs the block under the cursor")

    def _query_text(self) -> str:
        block = getattr(self.editor, "current_block", None)
        if block is not None:
            return block()
        selected = self.editor.selected_text
        return selected if selected.strip() else self.editor.text

    def _current_query(self, text: str) -> QueryRecord:
        """Return the session query for the block being run, creating one for new text.

        A block whose text matches a query of the session is that query. Any
        other text becomes a new query, so every run stays next to the text
        that produced it, and a generated hunt never takes another tab's text.
        """
        stripped = text.strip()
        for query in self.session.queries:
            if query.text.strip() == stripped:
                self.current_query_id = query.id
                return query
        current = self.session.query(self.current_query_id)
        query = QueryRecord(
            id=self.session.next_query_id(),
            title=_title_from_text(text),
            text=text,
            timespan=current.timespan if current else self.config.default_timespan,
        )
        self.session.queries.append(query)
        self.current_query_id = query.id
        return query

    def action_run_query(self) -> None:
        """Run the query block under the cursor (or the selection) in a worker."""
        if self.backend is None:
            self.notify("The workspace is not open yet; see the status line", severity="warning")
            return
        text = self._query_text()
        if not text.strip():
            self.notify("The editor is empty: type a query or press ctrl+g to generate one", severity="warning")
            return
        if self.running is not None:
            self.running.cancel()
        self._store_tab()
        self._update_tab_title()
        query = self._current_query(text)
        try:
            timespan = Timespan.parse(query.timespan) if query.timespan else None
        except ValueError as error:
            self.notify(str(error), severity="error")
            return
        self.run_id += 1
        token = CancelToken()
        self.running = token
        self.results_pane.show_message(f"Running {query.id} over {query.timespan or 'all time'}... escape cancels")
        self.set_status(f"Running {query.id}")
        self._run_worker(self.run_id, query.id, text, timespan, list(self.session.exclusions), token)

    @work(thread=True, group="query")
    def _run_worker(self, run_id: int, query_id: str, text: str, timespan, exclusions: list[Exclusion], token: CancelToken) -> None:
        from workbench.querying import run_hunt

        log.info("run %d of query %s started", run_id, query_id)
        try:
            hunt = run_hunt(self.backend, text, timespan=timespan, exclusions=exclusions, cancel=token)
        except QueryError as error:
            log.info("run %d of query %s failed: %s", run_id, query_id, error.kind)
            self.post_message(QueryFinished(run_id, query_id, None, error))
            return
        except Exception as error:  # noqa: BLE001 - the boundary where engine failures become values
            log.exception("run %d of query %s failed unexpectedly", run_id, query_id)
            self.post_message(QueryFinished(run_id, query_id, None, QueryError(f"{type(error).__name__}: {error}", kind="internal")))
            return
        self.post_message(QueryFinished(run_id, query_id, hunt, None))

    def action_cancel_query(self) -> None:
        """Cancel the running query."""
        if self.running is None:
            return
        self.running.cancel()
        self.set_status("Cancelling...")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_query" and self.running is None:
            return False
        if action in ("next_pane", "previous_pane", "focus_pane") and len(self.screen_stack) > 1:
            # In a dialog, tab moves between its fields and the pane keys do nothing.
            return False
        if action in ("next_pane", "previous_pane"):
            wants_tab = getattr(self.focused, "wants_tab", None)
            if callable(wants_tab) and wants_tab():
                return False
        return True

    def on_query_finished(self, message: QueryFinished) -> None:
        if message.run_id != self.run_id:
            log.info("dropped stale result of run %d", message.run_id)
            return
        self.running = None
        query = self.session.query(message.query_id)
        if message.error is not None:
            self._show_query_error(message.error)
            return
        hunt = message.hunt
        self.last_error = None
        result = hunt.result
        removed_total = hunt.unexcluded_row_count - result.row_count
        summary = f"{plural(result.row_count, 'row')} in {result.elapsed_seconds:.2f} s on {result.workspace}"
        if removed_total or hunt.removed:
            summary += f"; exclusions removed {removed_total}"
        if result.partial_errors:
            summary = f"{result.row_count:,} rows, a partial result ({sanitize(result.partial_errors[0])}), in {result.elapsed_seconds:.2f} s on {result.workspace}"
        elif result.truncated:
            summary = f"{result.row_count:,} of >{result.row_count:,} rows (fetch limit) in {result.elapsed_seconds:.2f} s on {result.workspace}"
        statistics = _statistics_text(result.statistics)
        if statistics:
            summary += f"; {statistics}"
        for partial in result.partial_errors:
            self.notify(sanitize(partial), title="Partial result", severity="warning", timeout=15)
        column_types = {column.name: column.kql_type for column in result.columns}
        verdicts = self._verdicts_of(query)
        self.results_pane.show_result(result.table, column_types, summary, verdicts)
        self.exclusions_pane.set_exclusions(self.session.exclusions, removed=hunt.removed, errors=hunt.exclusion_errors)
        self.refresh_lint(removed=hunt.removed, total_rows=hunt.unexcluded_row_count)
        for exclusion_id, problem in hunt.exclusion_errors.items():
            self.notify(f"Exclusion {exclusion_id} {sanitize(problem)}", severity="warning")
        if query is not None:
            self._record_run(query, hunt)
        self.set_status(summary)

    def _show_query_error(self, error: QueryError) -> None:
        self.last_error = error
        text = error.describe()
        if error.kind == "cancelled":
            self.results_pane.show_message("The run was cancelled.")
            self.set_status("Cancelled")
            return
        self.results_pane.show_message(f"Query failed: {text}")
        self.set_status(f"Query failed: {text}", error=True)
        self.notify(sanitize(text), title="Query failed", severity="error", timeout=12)

    def _record_run(self, query: QueryRecord, hunt) -> None:
        from workbench.sessions.capture import snapshot_from_result

        run = snapshot_from_result(
            hunt.result,
            self.config.snapshot_rows,
            timespan=query.timespan,
            excluded_counts=dict(hunt.removed),
        )
        run.verdicts = [Verdict(row=key, verdict=value) for key, value in self.results_pane.verdicts.items()]
        query.runs.append(run)
        self.mark_dirty()

    def _verdicts_of(self, query: QueryRecord | None) -> dict[str, str]:
        verdicts: dict[str, str] = {}
        if query is None:
            return verdicts
        for run in query.runs:
            for verdict in run.verdicts:
                verdicts[verdict.row] = verdict.verdict
        return verdicts

    # Triage and exclusions

    def on_results_pane_verdict_set(self, message: ResultsPane.VerdictSet) -> None:
        query = self.session.query(self.current_query_id)
        if query is None or query.last_run is None:
            return
        run = query.last_run
        run.verdicts = [verdict for verdict in run.verdicts if verdict.row != message.row_hash]
        if message.verdict:
            run.verdicts.append(Verdict(row=message.row_hash, verdict=message.verdict))
        self.mark_dirty()

    def on_results_pane_exclude_requested(self, message: ResultsPane.ExcludeRequested) -> None:
        operator = "==" if message.kql_type == "string" else "=="
        exclusion = Exclusion(
            id=self.session.next_exclusion_id(),
            field=message.column,
            operator=operator,
            values=[message.value],
            reason="",
        )
        self._edit_exclusion(exclusion, is_new=True)

    def on_exclusions_pane_edit_requested(self, message: ExclusionsPane.EditRequested) -> None:
        if message.exclusion is None:
            self._edit_exclusion(Exclusion(id=self.session.next_exclusion_id(), field="", operator="==", values=[""], reason=""), is_new=True)
        else:
            self._edit_exclusion(message.exclusion, is_new=False)

    def _edit_exclusion(self, exclusion: Exclusion, *, is_new: bool) -> None:
        from workbench.ui.screens import ExclusionFormScreen

        from_pane = self._focused_pane_index()

        def saved(result: Exclusion | None) -> None:
            # The pane's table is rebuilt below, so the focus it had before the dialog is set again by hand.
            self.call_after_refresh(self.action_focus_pane, PANE_IDS[from_pane] if from_pane >= 0 else "exclusions-pane")
            if result is None:
                return
            if is_new:
                self.session.exclusions.append(result)
            self.exclusions_pane.set_exclusions(self.session.exclusions)
            self.refresh_lint()
            self.mark_dirty()
            self.notify(f"Exclusion {result.id} saved; it applies from the next run (ctrl+r)")

        self.push_screen(ExclusionFormScreen(exclusion, is_new=is_new), saved)

    def on_exclusions_pane_changed(self, message: ExclusionsPane.Changed) -> None:
        self.session.exclusions = list(self.exclusions_pane.exclusions)
        self.refresh_lint()
        self.mark_dirty()


def _statistics_text(statistics: dict[str, object]) -> str:
    """Return the service's query statistics as a short text (CPU time, data scanned); empty when there are none."""
    parts = []
    cpu = statistics.get("cpu_seconds")
    if isinstance(cpu, (int, float)):
        parts.append(f"CPU {cpu:.2f} s")
    scanned = statistics.get("scanned_rows")
    if isinstance(scanned, int):
        parts.append(f"scanned {scanned:,} rows")
    size = statistics.get("result_bytes")
    if isinstance(size, int):
        parts.append(f"{size / 1_000_000:.1f} MB returned")
    memory = statistics.get("memory_peak_bytes")
    if isinstance(memory, int):
        parts.append(f"peak memory {memory / 1_000_000:.0f} MB")
    return ", ".join(parts)


def _is_key_name(key: str) -> bool:
    """Return True when `key` (such as `ctrl+shift+f5` or `question_mark`) names a key Textual can bind."""
    import unicodedata

    from textual.keys import Keys

    *modifiers, name = key.strip().split("+")
    if any(modifier not in ("ctrl", "shift", "alt", "meta", "super", "hyper") for modifier in modifiers):
        return False
    if len(name) == 1 and name.isprintable():
        return True
    if name in {member.value for member in Keys}:
        return True
    try:
        unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return True
