"""Replay: re-run every query of a session and diff the rows against its last snapshot.

Each query runs through `querying.run_hunt` with the session's enabled,
unexpired exclusions, as the TUI runs it, so a replay and an interactive run
of the same hunt return the same rows. The new rows are compared with the
last successful run's snapshot by key (`capture.row_keys`): new rows are in
the result but not the snapshot, gone rows in the snapshot but not the
result, unchanged rows in both. The result side is keyed column by column
and compared with Arrow's `is_in`, so a large result is never walked row by
row in Python. The snapshot side is at most `results.snapshot_rows` rows
(5,000 by default) and is keyed in Python.

Verdicts of the baseline run follow unchanged rows into the new run, matched
by `row_hash`. When the baseline snapshot was truncated, rows past its cap were
never recorded, so they count as new and `baseline_truncated` is set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from workbench.backends.base import CancelToken, QueryError, Timespan
from workbench.sessions.capture import row_keys, snapshot_from_result, snapshot_keys, snapshot_rows
from workbench.sessions.model import QueryRecord, Run, Session, row_hash, utc_now

if TYPE_CHECKING:
    from workbench.backends.base import Backend

log = logging.getLogger(__name__)

DEFAULT_SAMPLE_ROWS = 20


@dataclass
class QueryDiff:
    """The outcome of replaying one query, compared with its last snapshot."""

    query_id: str
    title: str
    columns: list[tuple[str, str]] = field(default_factory=list)
    """(name, KQL type) of the new result's columns; empty when the run failed."""
    new_count: int = 0
    gone_count: int = 0
    unchanged_count: int = 0
    new_rows: list[list[object]] = field(default_factory=list)
    """The first new rows in snapshot form, at most the replay's `sample_rows`."""
    gone_rows: list[list[object]] = field(default_factory=list)
    """The first gone rows of the baseline snapshot, at most `sample_rows`, in the baseline's columns."""
    unchanged_rows: list[list[object]] = field(default_factory=list)
    has_baseline: bool = False
    """False when the query had no successful run yet, so every row counts as new."""
    baseline_truncated: bool = False
    """True when the baseline snapshot was capped, so some rows counted as new may be old."""
    columns_changed: bool = False
    """True when the column names differ from the baseline's; every row then counts as new and every old row as gone."""
    carried_verdicts: int = 0
    """Verdicts copied from the baseline to unchanged rows of the new run."""
    run: Run | None = None
    """The new run, snapshot capped, with the carried verdicts; its `error` is set for a failed run."""
    error: str = ""
    """The error message of a failed run; empty on success."""


@dataclass
class ReplayReport:
    """The outcome of replaying a whole session on one workspace."""

    session_id: str
    workspace: str
    ran_at: datetime
    queries: list[QueryDiff] = field(default_factory=list)

    @property
    def new_count(self) -> int:
        return sum(diff.new_count for diff in self.queries)

    @property
    def failed(self) -> list[QueryDiff]:
        return [diff for diff in self.queries if diff.error]

    def to_dict(self) -> dict[str, object]:
        """Return the report as JSON-compatible data, the `--format json` output."""
        return {
            "session": self.session_id,
            "workspace": self.workspace,
            "ran_at": self.ran_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "new_count": self.new_count,
            "queries": [
                {
                    "id": diff.query_id,
                    "title": diff.title,
                    "error": diff.error,
                    "new_count": diff.new_count,
                    "gone_count": diff.gone_count,
                    "unchanged_count": diff.unchanged_count,
                    "has_baseline": diff.has_baseline,
                    "baseline_truncated": diff.baseline_truncated,
                    "columns_changed": diff.columns_changed,
                    "carried_verdicts": diff.carried_verdicts,
                    "columns": [list(column) for column in diff.columns],
                    "new_rows": diff.new_rows,
                    "gone_rows": diff.gone_rows,
                }
                for diff in self.queries
            ],
        }


def replay_session(
    session: Session,
    backend: Backend,
    *,
    now: datetime | None = None,
    snapshot_rows_limit: int = 5000,
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    cancel: CancelToken | None = None,
) -> ReplayReport:
    """Re-run every query of `session` on `backend` and diff each against its last snapshot.

    `now` fixes the replay time: exclusion expiry is judged at it, and a
    duration timespan (`P7D`) becomes the window ending at it. Without `now`
    the current time is used and the backend applies durations itself.
    A query that fails is reported in its `QueryDiff.error`; the others still run.
    `session` is not changed; `apply_replay` adds the new runs.
    """
    ran_at = (now or utc_now()).astimezone(timezone.utc)
    report = ReplayReport(session_id=session.id, workspace=backend.name, ran_at=ran_at)
    exclusions = [item for item in session.exclusions if item.enabled and not item.is_expired(ran_at)]
    log.info("replaying session %s on %s: %d queries", session.id, backend.name, len(session.queries))
    for query in session.queries:
        diff = _replay_query(query, backend, exclusions, now, ran_at, snapshot_rows_limit, sample_rows, cancel)
        if diff.error:
            log.warning("replay of query %s in session %s failed: %s", query.id, session.id, diff.error)
        report.queries.append(diff)
    return report


def _replay_query(query, backend, exclusions, now, ran_at, snapshot_rows_limit, sample_rows, cancel) -> QueryDiff:
    from workbench.querying import run_hunt

    diff = QueryDiff(query_id=query.id, title=query.title)
    try:
        timespan = _timespan(query, now)
    except ValueError as error:
        return _failed(diff, query, backend, ran_at, f"query {query.id} has an invalid timespan: {error}")
    try:
        hunt = run_hunt(backend, query.text, timespan=timespan, exclusions=exclusions, cancel=cancel)
    except QueryError as error:
        return _failed(diff, query, backend, ran_at, error.describe())

    result = hunt.result
    run = snapshot_from_result(
        result,
        snapshot_rows_limit,
        ran_at=ran_at,
        timespan=timespan.iso() if timespan else "",
        excluded_counts=hunt.removed,
    )
    diff.run = run
    diff.columns = list(run.columns)
    baseline = last_snapshot(query)
    new_names = [name for name, _ in run.columns]

    if baseline is None or [name for name, _ in baseline.columns] != new_names:
        diff.has_baseline = baseline is not None
        diff.columns_changed = baseline is not None
        diff.new_count = result.row_count
        diff.new_rows = run.rows[:sample_rows]
        if baseline is not None:
            diff.gone_count = len(baseline.rows)
            diff.gone_rows = baseline.rows[:sample_rows]
        return diff

    import pyarrow.compute as pc

    diff.has_baseline = True
    diff.baseline_truncated = baseline.truncated
    new_keys = row_keys(result.table, result.columns)
    old_keys = snapshot_keys(baseline.rows, len(baseline.columns))
    is_new = pc.invert(pc.is_in(new_keys, value_set=old_keys))
    is_kept = pc.is_in(old_keys, value_set=new_keys)

    diff.new_count = int(pc.sum(is_new).as_py() or 0)
    diff.unchanged_count = result.row_count - diff.new_count
    kept_flags = is_kept.to_pylist()
    diff.gone_count = kept_flags.count(False)
    diff.new_rows = snapshot_rows(result.table.filter(is_new), result.columns, sample_rows)
    diff.gone_rows = [row for row, kept in zip(baseline.rows, kept_flags) if not kept][:sample_rows]
    diff.unchanged_rows = [row for row, kept in zip(baseline.rows, kept_flags) if kept][:sample_rows]

    kept_hashes = {row_hash(row) for row, kept in zip(baseline.rows, kept_flags) if kept}
    run.verdicts = [replace(verdict) for verdict in baseline.verdicts if verdict.row in kept_hashes]
    diff.carried_verdicts = len(run.verdicts)
    return diff


def _failed(diff: QueryDiff, query: QueryRecord, backend, ran_at: datetime, message: str) -> QueryDiff:
    diff.error = message
    diff.run = Run(
        ran_at=ran_at,
        workspace=backend.name,
        row_count=0,
        truncated=False,
        columns=[],
        rows=[],
        timespan=query.timespan,
        error=message,
    )
    return diff


def _timespan(query: QueryRecord, now: datetime | None) -> Timespan | None:
    if not query.timespan:
        return None
    timespan = Timespan.parse(query.timespan)
    if now is not None and timespan.duration is not None:
        start, end = timespan.bounds(now.astimezone(timezone.utc))
        return Timespan(start=start, end=end)
    return timespan


def last_snapshot(query: QueryRecord) -> Run | None:
    """Return the query's last run that succeeded, the baseline of a replay; None when there is none."""
    for run in reversed(query.runs):
        if not run.error:
            return run
    return None


def apply_replay(session: Session, report: ReplayReport) -> int:
    """Append each query's new run from `report` to `session` and return how many were added.

    Failed runs are appended too, with their error, so the session records
    that the replay happened; `last_snapshot` skips them.
    """
    added = 0
    for diff in report.queries:
        query = session.query(diff.query_id)
        if query is None or diff.run is None:
            continue
        query.runs.append(diff.run)
        added += 1
    if added:
        session.updated = report.ran_at
    return added
