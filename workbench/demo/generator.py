"""Build the embedded workspace's demo telemetry: five Sentinel tables in one DuckDB file.

`generate_workspace` writes `DnsEvents`, `DeviceNetworkEvents`,
`CommonSecurityLog`, `SecurityEvent` and `Syslog` covering the 14 days before
`end`: seeded background rows built by DuckDB SQL (`background.py`) plus a
fixed planted story of Nanocore RAT C2 lookups, traps and benign look-alikes
(`planted.py`). The same seed, end and row count give identical rows.

The file is built beside the target under a temporary name and renamed over
it, so a reader never sees a half-written workspace. Before that the target
is opened for writing once: DuckDB refuses while another process has the
file open, and that refusal is raised as `WorkspaceLockedError` rather than
replacing a file someone is using.
"""

from __future__ import annotations

import logging
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from workbench.demo import background, planted, schema

log = logging.getLogger(__name__)

DEFAULT_SEED = 4242
DEFAULT_DNS_ROWS = 200_000

# Background rows of the other tables per DnsEvents row, up to MAX_OTHER_ROWS
# each. Their rows cost 3 to 5 times a DnsEvents row to build (wider, with
# hashes of strings), and the cap keeps 10,000,000 DnsEvents rows, the
# benchmark size, near a minute on 2 cores.
ROWS_PER_DNS_ROW = {
    "DeviceNetworkEvents": 1 / 4,
    "CommonSecurityLog": 1 / 8,
    "SecurityEvent": 1 / 5,
    "Syslog": 1 / 10,
}
MAX_OTHER_ROWS = 500_000


# DuckDB 2.0 names the holder: 'Conflicting lock is held in /usr/bin/python3 (PID 1234)'.
_LOCK_HOLDER = re.compile(r"held in (.+?) \(PID (\d+)\)")


_ARROW_TYPES = {
    "string": pa.string(),
    "int": pa.int32(),
    "long": pa.int64(),
    "real": pa.float64(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "dynamic": pa.string(),
}


class WorkspaceLockedError(duckdb.IOException):
    """The workspace file is open in another process, so it cannot be replaced.

    A subclass of `duckdb.IOException`, so callers that already catch DuckDB's
    lock error catch this one too.
    """


def background_row_counts(dns_rows: int) -> dict[str, int]:
    """Return the number of background rows each table gets for `dns_rows` DnsEvents rows."""
    counts = {"DnsEvents": dns_rows}
    for table, ratio in ROWS_PER_DNS_ROW.items():
        counts[table] = min(int(dns_rows * ratio), MAX_OTHER_ROWS)
    return counts


def generate_workspace(
    path: Path,
    *,
    seed: int = DEFAULT_SEED,
    end: datetime | None = None,
    dns_rows: int = DEFAULT_DNS_ROWS,
) -> dict[str, int]:
    """Create or replace the DuckDB file at `path` with the demo tables; return rows per table.

    `end` defaults to now in UTC, truncated to the minute; a naive `end` is
    taken as UTC. Raises `WorkspaceLockedError` when another process has the
    file open, and ValueError for a negative `dns_rows` or a seed outside
    0..2**63-1. Any other failure leaves the existing file as it was.
    """
    path = Path(path)
    end = _normalise_end(end)
    _check_arguments(seed, dns_rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    _ensure_not_locked(path)

    temporary = path.with_name(f".{path.name}.{os.getpid()}.building")
    _remove_database_files(temporary)
    started = time.perf_counter()
    log.info("generating demo workspace %s: seed=%d end=%s dns_rows=%d", path, seed, end.isoformat(), dns_rows)
    try:
        connection = duckdb.connect(str(temporary))
        try:
            counts = generate_into(connection, seed=seed, end=end, dns_rows=dns_rows)
            connection.execute("CHECKPOINT").fetchall()
        finally:
            connection.close()
        # A write-ahead log left by the old file would be replayed into the new one.
        _remove_file(path.with_name(path.name + ".wal"))
        os.replace(temporary, path)
    except BaseException:
        _remove_database_files(temporary)
        raise
    log.info("generated demo workspace %s in %.1f s: %s", path, time.perf_counter() - started, counts)
    return counts


def generate_into(
    connection: Any,
    *,
    seed: int = DEFAULT_SEED,
    end: datetime | None = None,
    dns_rows: int = DEFAULT_DNS_ROWS,
) -> dict[str, int]:
    """Create or replace the demo tables in an open DuckDB connection; return rows per table.

    The tables go into the connection's current schema. The connection's
    `TimeZone` setting is set to UTC.
    """
    end = _normalise_end(end)
    _check_arguments(seed, dns_rows)
    connection.execute("SET TimeZone = 'UTC'").fetchall()

    all_parameters = background.parameters(seed, end)
    planted_by_table = planted.planted_rows(end)
    counts: dict[str, int] = {}
    for table, rows in background_row_counts(dns_rows).items():
        connection.execute(schema.create_table_sql(table)).fetchall()
        statement = background.TABLE_SQL[table]
        parameters = background.parameters_for(statement, all_parameters)
        parameters["rows"] = rows
        connection.execute(statement, parameters).fetchall()
        _insert_rows(connection, table, planted_by_table[table])
        counts[table] = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    return counts


def _insert_rows(connection: Any, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert the planted rows through one Arrow table; a column a row leaves out gets '' (strings) or NULL.

    One Arrow insert takes milliseconds where `executemany` took about 0.7 s
    for 300 rows of the wide tables (DuckDB 2.0, 2 cores).
    """
    if not rows:
        return
    columns = schema.TABLES[table]
    unknown = set().union(*rows) - {name for name, _ in columns}
    if unknown:
        raise ValueError(f"planted rows of {table} name columns the table does not have: {sorted(unknown)}")
    arrays = {}
    for name, kql_type in columns:
        default = "" if kql_type == "string" else None
        arrays[name] = pa.array([row.get(name, default) for row in rows], type=_ARROW_TYPES[kql_type])
    planted_rows = pa.table(arrays)
    connection.register("planted_rows", planted_rows)
    try:
        connection.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM planted_rows').fetchall()
    finally:
        connection.unregister("planted_rows")


def _normalise_end(end: datetime | None) -> datetime:
    if end is None:
        return datetime.now(timezone.utc).replace(second=0, microsecond=0)
    if end.tzinfo is None:
        return end.replace(tzinfo=timezone.utc)
    return end.astimezone(timezone.utc)


def _check_arguments(seed: int, dns_rows: int) -> None:
    if not 0 <= seed < 2**63:
        raise ValueError(f"invalid demo seed {seed}: use an integer from 0 to 2**63-1")
    if dns_rows < 0:
        raise ValueError(f"invalid number of DnsEvents rows {dns_rows}: use 0 or more")


def _ensure_not_locked(path: Path) -> None:
    """Open `path` for writing once, raising WorkspaceLockedError when another process has it open."""
    if not path.exists():
        return
    try:
        duckdb.connect(str(path)).close()
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            holder = _LOCK_HOLDER.search(str(error))
            holder_text = f" ({holder.group(1)}, PID {holder.group(2)})" if holder else ""
            raise WorkspaceLockedError(
                f"workspace file {path} is open in another process{holder_text}, so it cannot be replaced. "
                "Close the workbench, `workbench ingest` or the emulator using it and retry"
            ) from error
        # Anything else (a file that is not a DuckDB database) is about to be replaced anyway.
        log.warning("replacing unreadable workspace file %s: %s", path, error)
    except duckdb.Error as error:
        log.warning("replacing unreadable workspace file %s: %s", path, error)


def _remove_database_files(path: Path) -> None:
    _remove_file(path)
    _remove_file(path.with_name(path.name + ".wal"))


def _remove_file(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
