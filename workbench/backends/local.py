"""The embedded local workspace: a DuckDB file queried in KQL through duckdb-kql.

The file is opened read-only, so the TUI, a `workbench replay` from cron and
the emulator can read it at once. Only creation (the demo generator) and
`workbench ingest` take DuckDB's write lock. When another process holds it,
the message names the kind of process to look for instead of showing DuckDB's
lock error.

Timespans are applied the way Log Analytics applies them: every table with a
`TimeGenerated` column is seen through a temporary view filtered to the window,
so the query text stays exactly what the user wrote. Temporary views live on
one connection, so a backend runs one query at a time. The TUI cancels the
previous run before it starts the next one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from pathlib import Path
from typing import Any

from workbench.backends.base import (
    CancelToken,
    Column,
    QueryError,
    QueryResult,
    TableSchema,
    Timespan,
    empty_query_error,
    kql_type_of_arrow,
    syntax_error,
)
from workbench.kql.lexer import PARSER_LOCK

log = logging.getLogger(__name__)

_SQL_TO_KQL = {
    "VARCHAR": "string",
    "BOOLEAN": "bool",
    "TINYINT": "int",
    "SMALLINT": "int",
    "INTEGER": "int",
    "BIGINT": "long",
    "HUGEINT": "long",
    "UTINYINT": "int",
    "USMALLINT": "int",
    "UINTEGER": "long",
    "UBIGINT": "long",
    "FLOAT": "real",
    "DOUBLE": "real",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP": "datetime",
    "DATE": "datetime",
    "INTERVAL": "timespan",
    "JSON": "dynamic",
    "UUID": "guid",
}

_LOCK_HINT = (
    "Another process holds the workspace's write lock: a `workbench ingest` or `workbench demo` "
    "still running. Wait for it to finish and retry"
)


class WorkspaceError(Exception):
    """The workspace file cannot be created, opened or written; the message gives the next step."""


def sql_type_to_kql(sql_type: str) -> str:
    upper = sql_type.upper()
    if upper.startswith("DECIMAL"):
        return "decimal"
    if upper.endswith("[]") or upper.startswith(("STRUCT", "MAP")):
        return "dynamic"
    return _SQL_TO_KQL.get(upper, "string")


def is_lock_error(error: BaseException) -> bool:
    text = str(error).lower()
    return "lock" in text and ("conflicting" in text or "could not set lock" in text)


class LocalBackend:
    """A local DuckDB workspace; see the module docstring for the read-only and timespan contract."""

    parses_kql = True
    """The backend parses queries with duckdb-kql and raises syntax errors with their position itself."""

    def __init__(self, path: Path, name: str = "local:default", *, fetch_limit: int = 1_000_000) -> None:
        self.path = Path(path)
        self.name = name
        self.fetch_limit = fetch_limit
        """Rows fetched per run; a result with more is cut to this many and marked truncated."""
        self._connection: Any = None
        self._database_name = ""
        self._run_lock = threading.Lock()
        self._tables: list[TableSchema] | None = None

    # Connection

    def _connect(self) -> Any:
        if self._connection is not None:
            return self._connection
        import duckdb

        if not self.path.exists():
            raise WorkspaceError(
                f"local workspace file {self.path} not found. Run `workbench demo` to create the demo workspace, "
                "or `workbench ingest TABLE FILE` to load your own data"
            )
        try:
            connection = duckdb.connect(str(self.path), read_only=True)
        except duckdb.IOException as error:
            if is_lock_error(error):
                raise WorkspaceError(f"local workspace {self.path} cannot be opened. {_LOCK_HINT}") from None
            raise WorkspaceError(f"local workspace {self.path} cannot be opened: {error}") from None
        except duckdb.Error as error:
            raise WorkspaceError(
                f"local workspace {self.path} is not a readable DuckDB file: {error}. "
                "Move it away and run `workbench demo` to create a new one"
            ) from None
        connection.execute("SET TimeZone='UTC'")
        self._database_name = connection.execute("SELECT current_database()").fetchone()[0]
        self._connection = connection
        log.info("opened local workspace %s read-only", self.path)
        return connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    # Schema

    def tables(self) -> list[TableSchema]:
        if self._tables is not None:
            return self._tables
        with self._run_lock:
            connection = self._connect()
            rows = connection.execute(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_catalog = current_database() AND table_schema = 'main' "
                "ORDER BY table_name, ordinal_position"
            ).fetchall()
        grouped: dict[str, list[Column]] = {}
        for table_name, column_name, data_type in rows:
            grouped.setdefault(table_name, []).append(Column(column_name, sql_type_to_kql(data_type)))
        self._tables = [TableSchema(name, tuple(columns)) for name, columns in grouped.items()]
        return self._tables

    # Queries

    def run(self, query: str, timespan: Timespan | None, cancel: CancelToken) -> QueryResult:
        import duckdb
        import duckdb_kql

        if not query.strip():
            raise empty_query_error()
        tables = self.tables()
        with self._run_lock:
            connection = self._connect()
            interrupt = connection.interrupt
            cancel.on_cancel(interrupt)
            started = time.perf_counter()
            try:
                if cancel.cancelled:
                    raise QueryError("the query was cancelled", kind="cancelled")
                self._apply_timespan(connection, tables, timespan)
                with PARSER_LOCK:
                    # Parsing and binding only; DuckDB executes below, outside the lock.
                    relation = duckdb_kql.kql(connection, query, allow_write=False)
                sql_types = [str(sql_type) for sql_type in relation.types]
                # One row past the limit separates "exactly the limit" from "more than the limit".
                table = relation.limit(self.fetch_limit + 1).to_arrow_table()
            except QueryError:
                raise
            except duckdb_kql.KqlSyntaxError as error:
                raise syntax_error(getattr(error, "diagnostics", None) or [], str(error)) from None
            except duckdb_kql.KqlUnsupportedError as error:
                span = error.span
                raise QueryError(
                    f"duckdb-kql cannot run the KQL construct {error.construct!r} on the local workspace"
                    + (f" ({error.hint})" if error.hint else ""),
                    kind="unsupported",
                    line=span.line if span else None,
                    column=span.column + 1 if span else None,
                    hint="Rewrite that part, or run the query on a Log Analytics workspace",
                ) from None
            except duckdb_kql.KqlError as error:
                raise QueryError(str(error), kind="semantic") from None
            except duckdb.InterruptException:
                raise QueryError("the query was cancelled", kind="cancelled") from None
            except duckdb.Error as error:
                if cancel.cancelled:
                    raise QueryError("the query was cancelled", kind="cancelled") from None
                raise _engine_error(error, query) from None
            finally:
                cancel.remove(interrupt)
            elapsed = time.perf_counter() - started

        truncated = table.num_rows > self.fetch_limit
        if truncated:
            table = table.slice(0, self.fetch_limit)
        # DuckDB's JSON arrives in Arrow as plain text, so the KQL type comes from the SQL type.
        columns = [
            Column(field.name, sql_type_to_kql(sql_type) if sql_type else kql_type_of_arrow(field.type))
            for field, sql_type in zip(table.schema, sql_types + [""] * (len(table.schema) - len(sql_types)))
        ]
        log.info("local query on %s returned %d rows in %.3f s", self.name, table.num_rows, elapsed)
        return QueryResult(
            table=table,
            columns=columns,
            elapsed_seconds=elapsed,
            truncated=truncated,
            workspace=self.name,
        )

    def _apply_timespan(self, connection: Any, tables: list[TableSchema], timespan: Timespan | None) -> None:
        """Point every table with TimeGenerated at a temporary view filtered to `timespan`."""
        for table in tables:
            if "TimeGenerated" not in table.column_names():
                continue
            quoted = '"' + table.name.replace('"', '""') + '"'
            source = f'"{self._database_name}".main.{quoted}'
            if timespan is None:
                connection.execute(f"DROP VIEW IF EXISTS temp.main.{quoted}")
                continue
            start, end = timespan.bounds()
            # A view cannot take prepared parameters; the bounds are datetimes formatted here, not user text.
            connection.execute(
                f"CREATE OR REPLACE TEMP VIEW {quoted} AS SELECT * FROM {source} "
                f"WHERE TimeGenerated >= TIMESTAMPTZ '{start.isoformat()}' "
                f"AND TimeGenerated <= TIMESTAMPTZ '{end.isoformat()}'"
            )


_DUCKDB_PREFIX = re.compile(r"^(Binder|Catalog|Conversion|Invalid Input|Parser|Not implemented|Out of Range) Error: ")


def _engine_error(error: Exception, query: str) -> QueryError:
    """Turn a DuckDB error into a message in KQL terms; the SQL it came from is never shown."""
    text = str(error).strip()
    first_line = text.splitlines()[0] if text else type(error).__name__
    message = _DUCKDB_PREFIX.sub("", first_line)
    column_match = re.search(r'Referenced column "([^"]+)" not found', first_line)
    if column_match:
        name = column_match.group(1)
        return QueryError(
            f"column {name!r} not found",
            kind="semantic",
            line=_line_of(query, name),
            hint="Check the spelling (KQL names are case-sensitive) or the columns the table has",
        )
    table_match = re.search(r"Table with name (\S+) does not exist", first_line)
    if table_match:
        name = table_match.group(1)
        return QueryError(
            f"table {name!r} not found in the local workspace",
            kind="semantic",
            line=_line_of(query, name),
            hint="Load it with `workbench ingest TABLE FILE`, or check the spelling",
        )
    if "duckdb-kql:" in first_line:
        message = first_line.split("duckdb-kql:", 1)[1].strip()
    return QueryError(f"the query failed: {message}", kind="semantic")


def _line_of(query: str, name: str) -> int | None:
    for number, line in enumerate(query.splitlines(), start=1):
        if re.search(rf"\b{re.escape(name)}\b", line):
            return number
    return None
