"""Saving, opening, browsing and replaying sessions for the workbench app.

A mixin of `WorkbenchApp`. Saves go through `sessions.store`, which writes
atomically; every failure is shown and the in-memory session is kept.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import Any

from textual import work

from workbench.sessions.model import Run, Session, utc_now
from workbench.text import sanitize

log = logging.getLogger(__name__)


class SessionsMixin:
    """Session persistence: autosave, save, open, browse, replay, and saving on SIGHUP and SIGTERM."""

    # Sessions

    def mark_dirty(self) -> None:
        self.dirty = True
        self.change_count += 1
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

    def save(self, *, quiet: bool = False) -> None:
        """Write the session to its file in a worker; on failure keep it in memory and show why.

        Saving a session with large snapshots takes seconds (about 2 s for ten
        5,000-row runs), so it runs off the UI thread. A change made while a
        save runs keeps the session dirty, and the next save writes it.
        """
        path = self.session_file()
        if self.saving:
            self._save_again = True
            return
        self.saving = True
        self._save_worker(self.session, path, self.change_count, quiet)

    @work(thread=True, group="save")
    def _save_worker(self, session: Session, path: Path, change_count: int, quiet: bool) -> None:
        from workbench.sessions.store import save_session

        try:
            save_session(session, path)
        except Exception as error:  # noqa: BLE001 - the session stays in memory; the user is told why
            log.warning("session %s could not be saved to %s: %s", session.id, path, error)
            message = str(error)
            if type(error).__name__ in ("SessionConflictError", "SessionFileError"):
                message += ". To keep this work now, use Save session as (ctrl+p) with a new file name"
            self.call_from_thread(self._save_finished, path, change_count, quiet, message)
            return
        log.info("session %s saved to %s", session.id, path)
        self.call_from_thread(self._save_finished, path, change_count, quiet, "")

    def _save_finished(self, path: Path, change_count: int, quiet: bool, error: str) -> None:
        self.saving = False
        if error:
            self.notify(sanitize(error), title="Session not saved", severity="error", timeout=15)
        else:
            if change_count == self.change_count:
                self.dirty = False
            if not quiet:
                self.notify(f"Session saved to {sanitize(str(path))}")
        if self._save_again:
            self._save_again = False
            if self.dirty:
                self.save(quiet=True)

    def action_save_session(self) -> None:
        """Save the session to its TOML file, with every query block of the editor's tabs."""
        self.capture_editor()
        self.save()

    def action_save_session_as(self) -> None:
        """Save the session to a new file, which becomes the session's file from now on."""
        from workbench.ui.screens import PathScreen

        current = self.session_file()

        def chosen(path_text: str | None) -> None:
            if not path_text:
                return
            path = Path(path_text).expanduser()
            if path.suffix != ".toml":
                path = path.with_name(path.name + ".toml")
            if path.exists():
                self.notify(f"{sanitize(str(path))} exists; pick a new name", severity="error")
                return
            self.session_path = path
            self.capture_editor()
            self.save()

        self.push_screen(
            PathScreen(
                "Save session as",
                str(current.parent) + "/",
                "A new .toml file; the session saves there from now on",
                default_name=current.stem + "-copy.toml",
            ),
            chosen,
        )

    def capture_editor(self) -> None:
        """Add each query block of the editor's tabs that the session does not hold yet, so no typed query is lost."""
        from workbench.kql.lexer import block_ranges
        from workbench.sessions.model import QueryRecord
        from workbench.ui.app_tabs import _title_from_text

        self._store_tab()
        known = {query.text.strip() for query in self.session.queries}
        for text in self.tabs:
            lines = text.split("\n")
            for start, end in block_ranges(lines):
                block = "\n".join(lines[start:end]).strip()
                if block and block not in known:
                    known.add(block)
                    self.session.queries.append(
                        QueryRecord(id=self.session.next_query_id(), title=_title_from_text(block), text=block, timespan=self.config.default_timespan)
                    )

    def action_open_session(self) -> None:
        """Open a saved session file."""
        from workbench.paths import sessions_dir
        from workbench.ui.screens import PathScreen

        def chosen(path_text: str | None) -> None:
            if path_text:
                self._load_session_file(Path(path_text).expanduser())

        self.push_screen(PathScreen("Open session", str(sessions_dir()) + "/", "Type the path of a session .toml file, enter opens it"), chosen)

    def _load_session_file(self, path: Path) -> None:
        """Read a session file in a worker, then show it; a file that fails to load is never written."""
        self.session_loading = True
        self.set_status(f"Opening session {path.name}...")
        self._load_worker(path)

    @work(thread=True, group="session-load")
    def _load_worker(self, path: Path) -> None:
        from workbench.sessions.store import load_session

        try:
            session = load_session(path)
        except Exception as error:  # noqa: BLE001 - the message names the file, the line and what to do
            log.warning("session file %s could not be opened: %s", path, error)
            self.call_from_thread(self._session_load_failed, str(error))
            return
        self.call_from_thread(self._session_loaded, path, session)

    def _session_load_failed(self, error: str) -> None:
        self.session_loading = False
        self.session_error = error
        if not self.session_loaded:
            # The file given on start stays untouched; work from now on saves to a new file.
            self.session_path = None
            self.session_loaded = True
        self.notify(sanitize(error), title="Session not opened", severity="error", timeout=20)
        self.set_status(f"Session not opened: {error}", error=True)
        if not self.session.indicators:
            self.load_feeds()

    def _session_loaded(self, path: Path, session: Session) -> None:
        self.session_loading = False
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
        if ran:
            last = max(ran, key=lambda query: query.runs[-1].ran_at)
        elif session.queries:
            last = session.queries[-1]
        else:
            last = None
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
        forever writing to it while the workspace file stays open. So SIGHUP
        ends the process with `os._exit` once the session is on disk.
        """

        def save_now(signum: int) -> None:
            log.info("signal %d received; saving the session", signum)
            if self.dirty and self.session_loaded:
                try:
                    self.capture_editor()
                except Exception:  # noqa: BLE001 - the session is saved without the editor's new blocks
                    log.exception("editor text could not be added to the session on signal %d", signum)
                try:
                    from workbench.sessions.store import save_session

                    save_session(self.session, self.session_file())
                    self.dirty = False
                except Exception:  # noqa: BLE001 - nothing more can be done while exiting
                    log.exception("session could not be saved on signal %d", signum)

        def on_hangup(signum: int, frame: Any) -> None:
            save_now(signum)
            logging.shutdown()
            # 128 + the signal number, as shells report a process ended by a signal.
            os._exit(128 + signum)

        def on_terminate(signum: int, frame: Any) -> None:
            save_now(signum)
            # Exit through Textual so the terminal is restored; force it if shutdown hangs.
            watchdog = threading.Timer(3.0, os._exit, args=(128 + signum,))
            watchdog.daemon = True
            watchdog.start()
            self.exit(return_code=128 + signum)

        try:
            signal.signal(signal.SIGHUP, on_hangup)
            signal.signal(signal.SIGTERM, on_terminate)
        except ValueError:
            # Not the main thread (as under some test runners): signals cannot be handled here.
            pass


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



def _table_from_snapshot(run: Run):
    import pyarrow as pa

    names = [name for name, _ in run.columns]
    if not names:
        return pa.table({"": pa.array([], type=pa.string())})
    arrays = []
    for index, (_name, kql_type) in enumerate(run.columns):
        values = [row[index] if index < len(row) else None for row in run.rows]
        if kql_type == "datetime":
            # Stored as ISO text; back to timestamps so reopened rows look like fresh ones.
            values = [_parse_time(value) for value in values]
        try:
            arrays.append(pa.array(values))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays.append(pa.array([None if value is None else str(value) for value in values], type=pa.string()))
    return pa.table(arrays, names=names)


def _parse_time(value: Any) -> Any:
    """Return an ISO 8601 text as an aware datetime; anything else (None, text that is no time) as it is."""
    from datetime import datetime

    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
