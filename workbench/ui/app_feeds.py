"""IOC feed loading and hunt-package import for the workbench app.

A mixin of `WorkbenchApp`: feeds load in thread workers that post
`FeedsLoaded`; exclusion lint runs whenever the exclusions or a run change.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from textual import work

from workbench.sessions.model import QueryRecord
from workbench.text import sanitize
from workbench.ui.messages import FeedsLoaded
from workbench.ui.panes.iocs import IocPane

log = logging.getLogger(__name__)


class FeedsMixin:
    """Loads feeds (files, the demo feed, live ThreatFox) and lints exclusions."""

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
        """Fetch a ThreatFox feed (or its cached copy) in a worker thread and report how old a cached copy is."""
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
            if "has_any" in text:
                self.notify(
                    "The hunt package's query uses has_any, which also matches names that only contain an indicator "
                    "(test3012.duckdns.org.example.net). ctrl+g generates a hunt that matches each domain and its subdomains only.",
                    severity="warning",
                    timeout=15,
                )
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
        tables = self.tables or None
        try:
            findings = lint_exclusions(self.session.exclusions, tables, rows_by_exclusion=removed, total_rows=total_rows)
        except Exception as error:  # noqa: BLE001 - lint must never stop a hunt
            log.warning("exclusion lint failed: %s", error)
            return
        by_id: dict[str, list[str]] = {key: list(messages) for key, messages in self.import_findings.items()}
        for finding in findings:
            by_id.setdefault(finding.exclusion_id, []).append(finding.message)
        self.exclusions_pane.set_exclusions(self.session.exclusions, findings=by_id)


    def action_add_feed(self) -> None:
        """Load indicators from a feed file into the session."""
        from workbench.ui.screens import PathScreen

        def chosen(path_text: str | None) -> None:
            if path_text:
                self._load_feed_file(Path(path_text).expanduser())

        self.push_screen(PathScreen("Add IOC feed", str(Path.cwd()) + "/", "ThreatFox, STIX 2.1, MISP, text or hunt package; the right arrow accepts the suggested path"), chosen)

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

