"""The hunt session: indicators, queries with their runs, exclusions and verdicts.

This is the in-memory form of the TOML file that `sessions.store` reads and
writes. Snapshot rows are kept as JSON-compatible Python values (strings for
times, lists and dicts for `dynamic`), because a session is a record of what
was seen, not a cache of Arrow data.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from workbench.iocs.model import Indicator
from workbench.kql.exclusions import Exclusion

VERDICTS = ("true_positive", "false_positive", "benign", "needs_review")


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def row_hash(values: list[object]) -> str:
    """Return the sha256 of a row's values, the key that ties a verdict to a row across runs.

    Values are serialised as compact JSON with `str` for anything JSON cannot
    hold, so a row read back from a session hashes like the same row fresh from
    the engine once both are in snapshot form (see `snapshot_value`).
    """
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Verdict:
    """An analyst's decision on one result row."""

    row: str
    """`row_hash` of the row's snapshot values."""
    verdict: str
    """One of `VERDICTS`."""
    note: str = ""
    decided: datetime = field(default_factory=utc_now)


@dataclass
class Run:
    """One execution of a query and the snapshot of its rows."""

    ran_at: datetime
    workspace: str
    row_count: int
    """Rows the query returned, before the snapshot cap."""
    truncated: bool
    """True when `rows` contains fewer rows than `row_count` (snapshot cap or engine limit)."""
    columns: list[tuple[str, str]]
    """(name, KQL type) per column."""
    rows: list[list[object]]
    """Snapshot rows in snapshot form: None, bool, int, float, str, list or dict."""
    elapsed_seconds: float = 0.0
    timespan: str = ""
    """The ISO 8601 timespan the run used; empty when it ran without one."""
    excluded_counts: dict[str, int] = field(default_factory=dict)
    """Rows each exclusion removed in this run, by exclusion id."""
    verdicts: list[Verdict] = field(default_factory=list)
    error: str = ""
    """The error text of a failed run; empty on success."""


@dataclass
class QueryRecord:
    """A KQL hunt of the session."""

    id: str
    title: str
    text: str
    timespan: str = "P14D"
    """ISO 8601 timespan the query runs over (see `backends.base.Timespan.parse`)."""
    runs: list[Run] = field(default_factory=list)

    @property
    def last_run(self) -> Run | None:
        return self.runs[-1] if self.runs else None


@dataclass
class Session:
    """A hunt: what was looked for, how, what was found and what was decided."""

    id: str
    title: str
    created: datetime = field(default_factory=utc_now)
    updated: datetime = field(default_factory=utc_now)
    workspace: str = "local:default"
    indicators: list[Indicator] = field(default_factory=list)
    exclusions: list[Exclusion] = field(default_factory=list)
    queries: list[QueryRecord] = field(default_factory=list)

    @classmethod
    def new(cls, title: str = "Untitled hunt") -> Session:
        now = utc_now()
        return cls(id=make_session_id(title, now), title=title, created=now, updated=now)

    def next_query_id(self) -> str:
        return _next_id("q", [query.id for query in self.queries])

    def next_exclusion_id(self) -> str:
        return _next_id("ex", [exclusion.id for exclusion in self.exclusions])

    def query(self, query_id: str) -> QueryRecord | None:
        for query in self.queries:
            if query.id == query_id:
                return query
        return None


def make_session_id(title: str, when: datetime) -> str:
    """Return a file-name-safe id from a title and a date: `nanocore-c2-2026-12-04`."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48] or "hunt"
    return f"{slug}-{when:%Y-%m-%d}"


def _next_id(prefix: str, existing: list[str]) -> str:
    numbers = [int(item.split("-", 1)[1]) for item in existing if re.fullmatch(rf"{prefix}-\d+", item)]
    return f"{prefix}-{max(numbers, default=0) + 1}"
