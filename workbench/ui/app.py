"""The Textual application: four panes, the key bindings and the workers.

The app owns the session and the backend. Queries and feed loads run in
thread workers that post messages (`ui.messages`); only handlers on the UI
thread touch widgets. Each query run has an id, and a result whose id is not
the latest is dropped, so a slow run can never overwrite a newer one.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
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
from workbench.sessions.model import QueryRecord, Run, Session, Verdict, utc_now
from workbench.text import sanitize
from workbench.ui.messages import FeedsLoaded, QueryFinished, WorkspaceReady
from workbench.ui.panes.exclusions import ExclusionsPane
from workbench.ui.panes.iocs import IocPane
from workbench.ui.panes.results import ResultsPane

log = logging.getLogger(__name__)

PANE_IDS = ("iocs-pane", "query-pane", "results-pane", "exclusions-pane")


class WorkbenchApp(App[int]):
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
        self.backend_name = ""
        self.current_query_id = ""
        self.dirty = False
        """True when the session has changes that are not on disk."""
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
            try:
                self.set_keymap(self.config.keys)
            except Exception as error:  # noqa: BLE001 - a bad keymap must not stop the app
                self.notify(f"Key remapping in the config failed: {error}", severity="error")
        self._install_signal_handlers()
        set_schema = getattr(self.editor, "set_schema", None)
        if set_schema is not None:
            from workbench.kql.schemas import builtin_tables

            set_schema(builtin_tables())
        if self.session_path is not None:
            self._load_session_file(self.session_path)
        self.set_status("Opening the workspace...")
        self.open_workspace()
        if not self.session.indicators:
            self.load_feeds()
        self.editor.focus()

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
            backend.tables()
        except (ConfigError, WorkspaceError, QueryError) as error:
            log.warning("workspace could not be opened: %s", error)
            self.post_message(WorkspaceReady(None, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - shown to the user instead of crashing the app
            log.exception("workspace could not be opened")
            self.post_message(WorkspaceReady(None, f"{type(error).__name__}: {error}"))
            return
        self.post_message(WorkspaceReady(backend))

    def _azure_options(self, workspace) -> dict[str, Any]:
        if workspace.kind != "azure":
            return {}
        return {"prompt_callback": self._device_code_prompt, "on_retry_wait": self._retry_wait}

    def _retry_wait(self, wait: Any) -> None:
        """Show a throttling back-off in the status line; called from the query's thread."""
        message = f"The service answered HTTP {wait.status}; retry {wait.attempt} in {wait.seconds:.1f} s ({wait.source})"
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
        self.session.workspace = self.backend_name if not self.session.queries else self.session.workspace
        tables = message.backend.tables()
        set_schema = getattr(self.editor, "set_schema", None)
        if set_schema is not None:
            set_schema(tables)
        if self.session_error:
            self.set_status(f"Session not opened: {self.session_error}", error=True)
            return
        self.set_status(f"Ready: {len(tables)} tables. ctrl+g generates a hunt, ctrl+r runs it, f1 shows every key")

    @work(thread=True, exclusive=True, group="feeds")
    def load_feeds(self, refresh: bool = False) -> None:
        from workbench.iocs import load_demo_feed, load_feed

        loads = []
        errors: list[str] = []
        try:
            loads.append(load_demo_feed())
        except Exception as error:  # noqa: BLE001 - the app runs without the demo feed
            log.warning("demo feed could not be loaded: %s", error)
            errors.append(f"demo feed: {error}")
        for feed in self.config.feeds:
            try:
                if feed.kind == "threatfox":
                    loads.append(self._fetch_live_feed(feed, refresh))
                else:
                    loads.append(load_feed(Path(feed.path).expanduser()))
            except Exception as error:  # noqa: BLE001 - one bad feed must not stop the others
                log.warning("feed %s could not be loaded: %s", feed.name, error)
                errors.append(f"feed {feed.name}: {error}")
        self.post_message(FeedsLoaded(loads, errors))

    def _fetch_live_feed(self, feed: Any, refresh: bool) -> Any:
        """Fetch a ThreatFox feed (or its cached copy) in a worker thread and say how old a cached copy is."""
        from workbench.iocs.live import ThreatFoxClient

        result = ThreatFoxClient(feed).fetch(refresh=refresh)
        hours = result.age.total_seconds() / 3600
        if result.refresh_error:
            message = f"ThreatFox feed {feed.name}: showing the cached copy from {hours:.1f} h ago because the refresh failed: {result.refresh_error}"
            self.call_from_thread(self.notify, sanitize(message), severity="warning", timeout=15)
        elif result.from_cache:
            self.call_from_thread(self.notify, f"ThreatFox feed {sanitize(feed.name)}: cached copy from {hours:.1f} h ago; R in the IOC pane refreshes it")
        return result.load

    def on_ioc_pane_load_feed_requested(self, message: IocPane.LoadFeedRequested) -> None:
        self.action_add_feed()

    def on_ioc_pane_refresh_requested(self, message: IocPane.RefreshRequested) -> None:
        if not any(feed.kind == "threatfox" for feed in self.config.feeds):
            self.notify("No live feed in the config: add a [[feeds]] entry with kind = \"threatfox\"", severity="warning")
            return
        self.notify("Refreshing the live feeds...")
        self.load_feeds(refresh=True)

    def on_feeds_loaded(self, message: FeedsLoaded) -> None:
        from workbench.iocs import merge_indicators

        indicators = merge_indicators(message.loads) if message.loads else []
        if message.append:
            from workbench.iocs.model import FeedLoad

            current = FeedLoad(source="session", format="session", indicators=list(self.session.indicators))
            indicators = merge_indicators([current, *message.loads])
            for load in message.loads:
                self._import_hunt_package(load)
            if message.loads:
                self.mark_dirty()
        self.session.indicators = indicators
        self.ioc_pane.set_indicators(indicators)
        for load in message.loads:
            if message.append:
                self.notify(f"Loaded {len(load.indicators)} indicators from {sanitize(load.source)} ({load.format})")
        rejected = sum(len(load.rejected) for load in message.loads)
        for error in message.errors:
            self.notify(sanitize(error), title="Feed not loaded", severity="error", timeout=10)
        if rejected:
            self.notify(f"{rejected} feed entries were rejected; run `workbench iocs FILE` to see why", severity="warning")

    def _import_hunt_package(self, load: Any) -> None:
        """Add a hunt package's queries, and its false-positive scenarios as disabled exclusions, with lint findings."""
        for title, text in getattr(load, "queries", []):
            self.session.queries.append(QueryRecord(id=self.session.next_query_id(), title=title, text=text, timespan=self.config.default_timespan))
        scenarios = getattr(load, "exclusion_texts", [])
        if not scenarios:
            return
        try:
            from workbench.kql.lint import parse_filter_text
        except ImportError:
            return
        findings_count = 0
        for title, _description, filter_text in scenarios:
            candidates, findings = parse_filter_text(filter_text)
            new_ids: dict[str, str] = {}
            for candidate in candidates:
                new_ids[candidate.id] = self.session.next_exclusion_id()
                candidate.id = new_ids[candidate.id]
                candidate.enabled = False
                if not candidate.reason:
                    candidate.reason = title
                self.session.exclusions.append(candidate)
            for finding in findings:
                key = new_ids.get(finding.exclusion_id, f"scenario {title!r}")
                self.import_findings.setdefault(key, []).append(finding.message)
            findings_count += len(findings)
        self.exclusions_pane.set_exclusions(self.session.exclusions)
        self.refresh_lint()
        if findings_count:
            self.notify(
                f"The hunt package's false-positive filters have {findings_count} problems; they were added disabled. See the Exclusions pane",
                severity="warning",
                timeout=12,
            )

    def refresh_lint(self, removed: dict[str, int] | None = None, total_rows: int | None = None) -> None:
        """Lint the session's exclusions against the workspace schema and show the findings in the pane."""
        try:
            from workbench.kql.lint import lint_exclusions
        except ImportError:
            return
        tables = self.backend.tables() if self.backend is not None else None
        try:
            findings = lint_exclusions(self.session.exclusions, tables, rows_by_exclusion=removed, total_rows=total_rows)
        except Exception as error:  # noqa: BLE001 - lint must never stop a hunt
            log.warning("exclusion lint failed: %s", error)
            return
        by_id: dict[str, list[str]] = {key: list(messages) for key, messages in self.import_findings.items()}
        for finding in findings:
            by_id.setdefault(finding.exclusion_id, []).append(finding.message)
        self.exclusions_pane.set_exclusions(self.session.exclusions, findings=by_id)

    # Hunts

    def action_generate_hunt(self) -> None:
        """Turn the selected indicators (or all shown) into hunts over every table of the workspace that can show them."""
        self._generate(None)

    def action_generate_for_tables(self) -> None:
        """Pick the tables a hunt covers, then generate it."""
        from workbench.kql.hunts import hunt_tables
        from workbench.ui.screens import TablePickerScreen

        existing = {table.name for table in self.backend.tables()} if self.backend is not None else set()
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

        tables = self.backend.tables() if self.backend is not None else None
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
        self.editor.load_text(text)
        self.editor.focus()
        self.mark_dirty()
        self.set_status(f"Generated {len(hunts)} hunt(s) for {len(indicators)} indicators; ctrl+r runs the block under the cursor")

    def _query_text(self) -> str:
        block = getattr(self.editor, "current_block", None)
        if block is not None:
            return block()
        selected = self.editor.selected_text
        return selected if selected.strip() else self.editor.text

    def _current_query(self, text: str) -> QueryRecord:
        """Return the session query for the block being run, creating one for new text.

        A block whose text matches a query of the session is that query. Edited
        text replaces the current query's text while it has no runs; once it has
        runs, the edit becomes a new query, so every run stays next to the text
        that produced it.
        """
        stripped = text.strip()
        for query in self.session.queries:
            if query.text.strip() == stripped:
                self.current_query_id = query.id
                return query
        current = self.session.query(self.current_query_id)
        if current is not None and not current.runs:
            current.text = text
            return current
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
        result = hunt.result
        removed_total = hunt.unexcluded_row_count - result.row_count
        summary = f"{result.row_count} rows in {result.elapsed_seconds:.2f} s on {result.workspace}"
        if removed_total or hunt.removed:
            summary += f"; exclusions removed {removed_total}"
        if result.truncated:
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

        def saved(result: Exclusion | None) -> None:
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

    # Sessions

    def mark_dirty(self) -> None:
        self.dirty = True
        self.session.updated = utc_now()
        if self._autosave_timer is not None:
            self._autosave_timer.stop()
        self._autosave_timer = self.set_timer(self.config.autosave_seconds, self._autosave)

    def _autosave(self) -> None:
        if self.dirty and self.session_loaded:
            self.save(quiet=True)

    def session_file(self) -> Path:
        """Return the file the session saves to, choosing a new, unused name for a new session."""
        if self.session_path is None:
            from workbench.sessions.store import default_session_path

            path = default_session_path(self.session)
            number = 2
            while path.exists() or path.with_name(path.name + ".bak").exists():
                path = path.with_name(f"{default_session_path(self.session).stem}-{number}.toml")
                number += 1
            self.session_path = path
        return self.session_path

    def save(self, *, quiet: bool = False) -> bool:
        """Write the session to its file; on failure keep it in memory and say why."""
        from workbench.sessions.store import save_session

        path = self.session_file()
        try:
            save_session(self.session, path)
        except Exception as error:  # noqa: BLE001 - the session stays in memory; the user is told why
            log.warning("session %s could not be saved to %s: %s", self.session.id, path, error)
            self.notify(sanitize(str(error)), title="Session not saved", severity="error", timeout=15)
            return False
        self.dirty = False
        log.info("session %s saved to %s", self.session.id, path)
        if not quiet:
            self.notify(f"Session saved to {path}")
        return True

    def action_save_session(self) -> None:
        """Save the session to its TOML file."""
        self.save()

    def action_open_session(self) -> None:
        """Open a saved session file."""
        from workbench.paths import sessions_dir
        from workbench.ui.screens import PathScreen

        def chosen(path_text: str | None) -> None:
            if path_text:
                self._load_session_file(Path(path_text).expanduser())

        self.push_screen(PathScreen("Open session", str(sessions_dir()) + "/", "Type the path of a session .toml file, enter opens it"), chosen)

    def _load_session_file(self, path: Path) -> None:
        from workbench.sessions.store import load_session

        try:
            session = load_session(path)
        except Exception as error:  # noqa: BLE001 - the message names the file, the line and what to do
            log.warning("session file %s could not be opened: %s", path, error)
            self.session_error = str(error)
            if not self.session_loaded:
                # The file given on start stays untouched; work from now on saves to a new file.
                self.session_path = None
                self.session_loaded = True
            self.notify(sanitize(str(error)), title="Session not opened", severity="error", timeout=20)
            self.set_status(f"Session not opened: {error}", error=True)
            return
        self.session_error = ""
        self.session = session
        self.session_path = path
        self.session_loaded = True
        self.dirty = False
        self._show_session()

    def _show_session(self) -> None:
        session = self.session
        self.ioc_pane.set_indicators(session.indicators)
        ran = [query for query in session.queries if query.runs]
        last = max(ran, key=lambda query: query.runs[-1].ran_at) if ran else (session.queries[-1] if session.queries else None)
        self.current_query_id = last.id if last else ""
        texts: list[str] = []
        for query in session.queries:
            if query.text.strip() not in {text.strip() for text in texts}:
                texts.append(query.text)
        self.tabs = ["\n\n".join(texts)]
        self.tab_index = 0
        self.editor.load_text(self.tabs[0])
        self._update_tab_title()
        removed = last.last_run.excluded_counts if last and last.last_run else {}
        self.exclusions_pane.set_exclusions(session.exclusions, removed=dict(removed), errors={})
        self.import_findings = {}
        self.refresh_lint()
        if last and last.last_run:
            run = last.last_run
            table = _table_from_snapshot(run)
            shown = len(run.rows)
            summary = f"{run.row_count} rows from the run of {run.ran_at:%Y-%m-%d %H:%M} UTC on {run.workspace}"
            if run.truncated:
                summary += f" ({shown} kept in the session)"
            self.results_pane.show_result(table, dict(run.columns), summary, self._verdicts_of(last))
        self.set_status(f"Opened session {session.title!r}")

    def action_quit_app(self) -> None:
        """Quit, warning about unsaved changes."""
        if not self.dirty:
            self.exit(0)
            return
        from workbench.ui.screens import ConfirmScreen

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit(0)

        self.push_screen(ConfirmScreen("The session has unsaved changes. Quit without saving? (ctrl+s saves)"), answered)

    def _install_signal_handlers(self) -> None:
        """Save the session on SIGHUP (a dropped SSH connection) and SIGTERM, then exit.

        After SIGHUP the terminal is gone, and Textual's shutdown can block
        forever writing to it, holding the workspace file open; so SIGHUP
        ends the process with `os._exit` once the session is on disk.
        """

        def save_now(signum: int) -> None:
            log.info("signal %d received; saving the session", signum)
            if self.dirty and self.session_loaded:
                try:
                    from workbench.sessions.store import save_session

                    save_session(self.session, self.session_file())
                    self.dirty = False
                except Exception:  # noqa: BLE001 - nothing more can be done while exiting
                    log.exception("session could not be saved on signal %d", signum)

        def on_hangup(signum: int, frame: Any) -> None:
            save_now(signum)
            logging.shutdown()
            os._exit(0)

        def on_terminate(signum: int, frame: Any) -> None:
            save_now(signum)
            # Exit through Textual so the terminal is restored; force it if shutdown hangs.
            watchdog = threading.Timer(3.0, os._exit, args=(0,))
            watchdog.daemon = True
            watchdog.start()
            self.exit(0)

        try:
            signal.signal(signal.SIGHUP, on_hangup)
            signal.signal(signal.SIGTERM, on_terminate)
        except ValueError:
            # Not the main thread (as under some test runners): signals cannot be handled here.
            pass

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

    # Workspace, timespan, sessions and replay

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
                    PathScreen("Custom timespan", self._current_timespan_text(), "P3D, PT6H, or 2026-12-01T00:00:00Z/2026-12-02T00:00:00Z"),
                    self._set_timespan,
                )
            elif value:
                self._set_timespan(value)

        self.push_screen(ChoiceScreen("Timespan of the query", choices), chosen)

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
            self.backend_name = ""
            if old is not None:
                old.close()
            self.workspace_name = name
            self.set_status(f"Opening workspace {name}...")
            self.open_workspace()

        self.push_screen(ChoiceScreen("Workspace", choices, "Add workspaces in config.toml under [[workspaces]]"), chosen)

    def action_browse_sessions(self) -> None:
        """Browse the saved sessions: open, rename, duplicate, delete."""
        from workbench.ui.session_browser import SessionBrowserScreen

        def chosen(path: Path | None) -> None:
            if path is None:
                return
            if self.dirty:
                self.save(quiet=True)
            self._load_session_file(path)

        self.push_screen(SessionBrowserScreen(), chosen)

    def action_replay(self) -> None:
        """Re-run every query of the session and show what changed since the last runs."""
        if self.backend is None:
            self.notify("The workspace is not open yet", severity="warning")
            return
        self.set_status("Replaying the session...")
        self._replay_worker(self.session, self.backend)

    @work(thread=True, exclusive=True, group="replay")
    def _replay_worker(self, session: Session, backend: Any) -> None:
        from workbench.sessions.replay import replay_session

        try:
            report = replay_session(session, backend, snapshot_rows_limit=self.config.snapshot_rows)
        except Exception as error:  # noqa: BLE001 - shown instead of crashing the app
            log.exception("replay of session %s failed", session.id)
            self.call_from_thread(self.notify, sanitize(f"Replay failed: {error}"), severity="error")
            return
        self.call_from_thread(self._replay_done, report)

    def _replay_done(self, report: Any) -> None:
        from workbench.sessions.replay import apply_replay
        from workbench.ui.screens import TextScreen

        apply_replay(self.session, report)
        self.mark_dirty()
        lines = [f"Replay on {report.workspace} at {report.ran_at:%Y-%m-%d %H:%M} UTC: {report.new_count} new rows", ""]
        for diff in report.queries:
            if diff.error:
                lines.append(f"{diff.query_id} {diff.title}: failed: {diff.error}")
            else:
                lines.append(
                    f"{diff.query_id} {diff.title}: {diff.new_count} new, {diff.gone_count} gone, "
                    f"{diff.unchanged_count} unchanged, {diff.carried_verdicts} verdicts carried over"
                )
        self.push_screen(TextScreen("Replay", "\n".join(lines)))
        self.set_status(f"Replay: {report.new_count} new rows")

    def get_system_commands(self, screen: Any):
        from textual.app import SystemCommand

        yield from super().get_system_commands(screen)
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

    def action_add_feed(self) -> None:
        """Load indicators from a feed file into the session."""
        from workbench.ui.screens import PathScreen

        def chosen(path_text: str | None) -> None:
            if path_text:
                self._load_feed_file(Path(path_text).expanduser())

        self.push_screen(PathScreen("Add IOC feed", str(Path.cwd()) + "/", "ThreatFox, STIX 2.1, MISP, text or hunt package; tab completes"), chosen)

    @work(thread=True, group="feeds")
    def _load_feed_file(self, path: Path) -> None:
        from workbench.iocs import load_feed

        try:
            load = load_feed(path)
        except Exception as error:  # noqa: BLE001 - one bad feed is reported, the app goes on
            log.warning("feed %s could not be loaded: %s", path, error)
            self.post_message(FeedsLoaded([], [f"{path}: {error}"], append=True))
            return
        self.post_message(FeedsLoaded([load], [], append=True))

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


def _title_from_text(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            return stripped.lstrip("/ ").strip()[:80] or "Query"
        if stripped:
            return stripped[:80]
    return "Query"


def _table_from_snapshot(run: Run):
    import pyarrow as pa

    names = [name for name, _ in run.columns]
    if not names:
        return pa.table({"": pa.array([], type=pa.string())})
    arrays = []
    for index, _name in enumerate(names):
        values = [row[index] if index < len(row) else None for row in run.rows]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([None if value is None else str(value) for value in values], type=pa.string()))
    return pa.table(arrays, names=names)


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
