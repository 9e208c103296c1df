"""The contract every workspace backend meets, and the values it returns.

A backend turns KQL text into a columnar `QueryResult`. Errors that the engine
or the service reports are raised as `QueryError`, a value the UI and the CLI
show as it is: it carries the position, the kind and the next step, so no
caller has to parse an exception text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class Column:
    """One result or table column."""

    name: str
    kql_type: str
    """The KQL scalar type name: string, long, int, real, bool, datetime, timespan, dynamic, guid, decimal."""


@dataclass(frozen=True)
class TableSchema:
    """A workspace table with its columns, for completion and exclusion lint."""

    name: str
    columns: tuple[Column, ...]

    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


MAX_TIMESPAN = timedelta(days=36_500)
"""The maximum duration accepted: 100 years, past any Log Analytics retention (at most 12 years)."""

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)


@dataclass(frozen=True)
class Timespan:
    """The time window a query covers, as Log Analytics applies it to `TimeGenerated`.

    Either `duration` (ending now) or both `start` and `end` are set.
    """

    duration: timedelta | None = None
    """Length of the window ending at the time the query runs; None when start and end are set."""
    start: datetime | None = None
    """Aware UTC start of a fixed window; None for a duration."""
    end: datetime | None = None
    """Aware UTC end of a fixed window; None for a duration."""

    @classmethod
    def parse(cls, text: str) -> Timespan:
        """Parse an ISO 8601 duration (`P7D`, `PT1H`) or a `START/END` pair of ISO times.

        Raises ValueError with the text and the accepted forms when it is neither.
        """
        text = text.strip()
        if "/" in text:
            start_text, end_text = text.split("/", 1)
            try:
                start = _aware(datetime.fromisoformat(start_text.replace("Z", "+00:00")))
                end = _aware(datetime.fromisoformat(end_text.replace("Z", "+00:00")))
            except ValueError:
                raise ValueError(
                    f"invalid timespan {text!r}: use an ISO 8601 duration such as P7D or PT1H, "
                    "or START/END such as 2026-12-01T00:00:00Z/2026-12-04T00:00:00Z"
                ) from None
            if end <= start:
                raise ValueError(f"invalid timespan {text!r}: the end is not after the start")
            return cls(start=start, end=end)
        match = _DURATION.match(text.upper())
        if not match or text.upper() in ("P", "PT"):
            raise ValueError(
                f"invalid timespan {text!r}: use an ISO 8601 duration such as P7D, P14D or PT1H, "
                "or START/END such as 2026-12-01T00:00:00Z/2026-12-04T00:00:00Z"
            )
        parts = {name: int(value) for name, value in match.groupdict().items() if value}
        try:
            duration = timedelta(**parts)
        except OverflowError:
            duration = MAX_TIMESPAN + MAX_TIMESPAN
        if duration <= timedelta(0):
            raise ValueError(f"invalid timespan {text!r}: the duration is zero")
        if duration > MAX_TIMESPAN:
            raise ValueError(f"invalid timespan {text!r}: longer than {MAX_TIMESPAN.days} days, the longest the workbench accepts")
        return cls(duration=duration)

    def bounds(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """Return the window as (start, end) in UTC, taking `now` as the end of a duration."""
        if self.duration is not None:
            end = now or datetime.now(timezone.utc)
            return end - self.duration, end
        assert self.start is not None and self.end is not None
        return self.start, self.end

    def iso(self) -> str:
        """Return the ISO 8601 text that `parse` accepts, as stored in sessions."""
        if self.duration is not None:
            seconds = int(self.duration.total_seconds())
            days, rest = divmod(seconds, 86400)
            hours, rest = divmod(rest, 3600)
            minutes, seconds = divmod(rest, 60)
            time_part = "".join(
                f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
            )
            text = "P"
            if days:
                text += f"{days}D"
            if time_part:
                text += f"T{time_part}"
            return text
        assert self.start is not None and self.end is not None
        return f"{_utc_text(self.start)}/{_utc_text(self.end)}"

    def azure_value(self) -> timedelta | tuple[datetime, datetime]:
        """Return the value `LogsQueryClient.query_workspace(timespan=...)` takes."""
        if self.duration is not None:
            return self.duration
        assert self.start is not None and self.end is not None
        return (self.start, self.end)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class CancelToken:
    """A flag a worker checks, plus callbacks that interrupt a running engine call.

    The UI calls `cancel()` from its own thread; the backend registers
    `on_cancel` callbacks (DuckDB's `interrupt()`, closing an HTTP response) so
    a long query stops promptly instead of at the next check.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:
            self._event.set()
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - an interrupt that fails must not stop the others
                pass

    def on_cancel(self, callback: Callable[[], None]) -> None:
        """Register `callback` to run on cancel; it runs at once when already cancelled."""
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return
        callback()

    def remove(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)


@dataclass
class QueryResult:
    """A query's rows, kept columnar until a row is drawn."""

    table: pa.Table
    """The rows as an Arrow table; its column order is the query's."""
    columns: list[Column]
    """The columns with their KQL types, in the order of `table`."""
    elapsed_seconds: float
    """Wall time from sending the query to holding all rows."""
    truncated: bool = False
    """True when the engine or a fetch limit cut the rows; `table` then holds only the first ones."""
    statistics: dict[str, object] = field(default_factory=dict)
    """Engine statistics (CPU time, data scanned); empty when the engine sent none."""
    partial_errors: list[str] = field(default_factory=list)
    """Errors of a partial result: the rows are real but incomplete for these reasons."""
    workspace: str = ""
    """The backend name that produced the rows, such as `local:default`."""

    @property
    def row_count(self) -> int:
        return self.table.num_rows


class QueryError(Exception):
    """A query that could not run, carried to the UI and the CLI as a value.

    `kind` is one of: syntax, unsupported, semantic, cancelled, auth, forbidden,
    throttled, timeout, network, workspace, internal.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str = "semantic",
        line: int | None = None,
        column: int | None = None,
        hint: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.line = line
        """1-based line of the error in the query text; None when the engine gave no position."""
        self.column = column
        """1-based column of the error; None when the engine gave no position."""
        self.hint = hint
        """What the user can do next; empty when there is nothing specific to suggest."""

    def describe(self) -> str:
        """Return one message with the position and the hint, as shown to the user."""
        where = ""
        if self.line is not None:
            where = f" at line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        text = f"{self.message}{where}"
        if self.hint:
            text += f". {self.hint}"
        return text


def empty_query_error() -> QueryError:
    """Build the QueryError for a query that is empty or only whitespace."""
    return QueryError("the query is empty", kind="syntax", hint="Write a KQL query, or generate one from indicators")


def syntax_error(diagnostics: list, fallback: str = "") -> QueryError:
    """Build the QueryError for duckdb-kql parser diagnostics (1-based line, 0-based column) or a fallback text."""
    if diagnostics:
        first = diagnostics[0]
        return QueryError(
            f"invalid KQL: {first.message}",
            kind="syntax",
            line=first.span.line,
            column=first.span.column + 1,
        )
    return QueryError(f"invalid KQL: {fallback}", kind="syntax")


class Backend(Protocol):
    """A workspace that runs KQL."""

    name: str
    """`local:<name>` or `azure:<workspace-id>`; shown in the status bar and stored in sessions."""

    def tables(self) -> list[TableSchema]:
        """Return the workspace's tables and columns, for completion and lint."""
        ...

    def run(self, query: str, timespan: Timespan | None, cancel: CancelToken) -> QueryResult:
        """Run `query` and return its rows; raise `QueryError` on any failure."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...


ARROW_TO_KQL: dict[str, str] = {
    "string": "string",
    "large_string": "string",
    "bool": "bool",
    "int8": "int",
    "int16": "int",
    "int32": "int",
    "int64": "long",
    "uint8": "int",
    "uint16": "int",
    "uint32": "long",
    "uint64": "long",
    "float": "real",
    "double": "real",
    "halffloat": "real",
}


def kql_type_of_arrow(arrow_type: pa.DataType) -> str:
    """Map an Arrow type to the KQL type name a user expects to see for it."""
    import pyarrow as pa

    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "datetime"
    if pa.types.is_duration(arrow_type) or pa.types.is_interval(arrow_type):
        return "timespan"
    if pa.types.is_decimal(arrow_type):
        return "decimal"
    if pa.types.is_list(arrow_type) or pa.types.is_struct(arrow_type) or pa.types.is_map(arrow_type):
        return "dynamic"
    if getattr(arrow_type, "extension_name", "") in ("arrow.json", "duckdb.json"):
        return "dynamic"
    if getattr(arrow_type, "extension_name", "") in ("arrow.uuid",):
        return "guid"
    return ARROW_TO_KQL.get(str(arrow_type), "string")
