"""Load CSV, JSON lines and Parquet exports into a table of a local DuckDB workspace.

`ingest_file` reads the file with DuckDB's own readers into a temporary staging
table and infers each column's type from all of its values (see
`ingest_types`). It writes the rows in one transaction, so a failed ingest
leaves the workspace as it was. No step loops over rows in Python.

Real exports are not clean, and each quirk below comes from a Log Analytics
portal, Defender or pandas export. Column names lose a unit suffix
(`TimeGenerated [UTC]` becomes `TimeGenerated`). A first column with an empty
name or `Unnamed: 0` is a pandas index and is dropped. Times written as ISO 8601,
as the portal writes them (`11/9/2025, 3:46:34.034 PM`) or as a spreadsheet
rewrites them (`7/8/2019 16:08`) become `TIMESTAMP WITH TIME ZONE` in UTC. JSON
text becomes a DuckDB `JSON` column, which duckdb-kql 1.1.2 treats as `dynamic`:
`Col.x`, `set_has_element(Col, ...)` and `parse_json(Col)` all work on it, where
the first two fail on a `VARCHAR` column holding the same text. Python list text
with single quotes (`['10.0.0.1', '10.0.0.2']`) is rewritten to JSON first.
String columns hold `''` rather than NULL, as Log Analytics string columns do.

A table with no `TimeGenerated` but another event time column gets a
`TimeGenerated` copied from it, because timespans and hunts filter on that name.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.backends.base import Column
from workbench.backends.ingest_types import (
    EVENT_TIME_COLUMNS,
    STAGE_TABLE,
    PlannedColumn,
    SourceColumn,
    add_time_generated,
    plan_columns,
    quote_identifier,
    short_value,
    warn_untyped_columns,
)

log = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "parquet")

_TABLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,1023}")
"""Up to 1,024 characters, the limit on KQL identifiers (learn.microsoft.com/kusto/query/schema-entities/entity-names)."""
_UNIT_SUFFIX = re.compile(r"^(?P<name>.*\S)\s+\[[^\[\]]+\]$")
_UNNAMED = re.compile(r"^(Unnamed: \d+)?$")
_PANDAS_PARQUET_INDEX = re.compile(r"^__index_level_\d+__$")
"""The column pandas' `to_parquet` writes for an index that is not a plain range, placed last."""

_INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")

class IngestError(Exception):
    """A file that cannot be ingested, or a workspace that cannot be written; the message names the fix."""


@dataclass
class IngestReport:
    """The outcome of one ingest."""

    table: str
    """The table written, spelled as the workspace stores it."""
    rows_added: int
    """Rows read from the file and written; 0 for a file with a header and no rows."""
    columns: list[Column] = field(default_factory=list)
    """The table's columns after the ingest, with their KQL types."""
    renamed_columns: dict[str, str] = field(default_factory=dict)
    """File column name to table column name, for every name that changed."""
    time_columns_parsed: list[str] = field(default_factory=list)
    """Columns whose text was parsed to `datetime`."""
    warnings: list[str] = field(default_factory=list)
    """Things the user should know: dropped columns, a copied `TimeGenerated`, values left as text."""
    created: bool = False
    """True when the table did not exist before, or was replaced."""


def validate_table_name(table: str) -> str:
    """Return `table` when it can name a workspace table; raise IngestError naming it otherwise.

    Letters, digits and underscores, starting with a letter: every Sentinel
    table name (`CommonSecurityLog`) and custom log name (`Proxy_CL`) fits, and
    such a name needs no quoting in KQL.
    """
    if not _TABLE_NAME.fullmatch(table):
        raise IngestError(
            f"invalid table name {table!r}: use up to 1,024 letters, digits and underscores, starting with a letter, "
            "such as CommonSecurityLog or Proxy_CL"
        )
    import duckdb_kql

    if duckdb_kql.validate(f"{table} | take 1"):
        raise IngestError(f"invalid table name {table!r}: it is a KQL keyword; choose another name, such as {table}_CL")
    return table


def detect_format(file: Path) -> str:
    """Return `parquet`, `jsonl` or `csv` from the file's first bytes.

    Parquet files start with the magic `PAR1`. JSON lines, and a JSON array,
    start with `{` or `[` after any BOM and blanks. Anything else is read as
    CSV. Raises IngestError for a file with no content.
    """
    head = _read_head(file)
    if head.startswith(b"PAR1"):
        return "parquet"
    text = _head_text(file, head)
    if text.startswith("{") or (text.startswith("[") and text[1:].lstrip().startswith(("{", "]"))):
        return "jsonl"
    return "csv"


def ingest_file(
    db_path: Path,
    table: str,
    file: Path,
    *,
    replace: bool = False,
    format: str | None = None,
) -> IngestReport:
    """Load `file` into `table` of the DuckDB workspace at `db_path` and report what changed.

    Appends by default: columns new in the file are added to the table, and
    columns the file lacks are NULL in its rows. `replace=True` replaces the
    table with the file's rows and columns. `format` (`csv`, `jsonl`,
    `parquet`) overrides detection from the content. The workspace file is
    created when missing, and DuckDB's write lock is held only during this call.

    Raises IngestError with the file or workspace named and the fix: an
    invalid table name, a missing, unreadable, empty or malformed file, a value
    that does not fit an existing column, or a workspace another process holds.
    """
    validate_table_name(table)
    file = Path(file)
    _check_readable(file)
    if format is None:
        format = detect_format(file)
    elif format not in FORMATS:
        raise IngestError(f"invalid format {format!r}: use one of {', '.join(FORMATS)}")

    import duckdb

    report = IngestReport(table=table, rows_added=0)
    connection = _open_for_write(Path(db_path))
    try:
        connection.execute("BEGIN TRANSACTION")
        source_columns = _stage(connection, file, format, report)
        plans = plan_columns(connection, source_columns, format, report)
        add_time_generated(plans, report)
        report.rows_added = connection.execute(f"SELECT count(*) FROM {STAGE_TABLE}").fetchone()[0]
        if report.rows_added == 0:
            report.warnings.append(f"file {file} has column names but no rows")

        existing = _table_columns(connection, table)
        if existing is None or replace:
            _create_table(connection, table, plans, file, report)
            report.created = True
        else:
            report.table = existing[0]
            _append(connection, report.table, existing[1], plans, file, report)
        warn_untyped_columns(plans, report)
        connection.execute(f"DROP TABLE {STAGE_TABLE}")
        connection.execute("COMMIT")
        report.columns = _kql_columns(connection, report.table)
    except IngestError:
        _rollback(connection)
        raise
    except duckdb.Error as error:
        # Every expected failure is an IngestError by now, so this is a bug or a
        # DuckDB limit. The log keeps the traceback and the user gets one line.
        _rollback(connection)
        log.exception("ingest of %s into %s failed", file, table)
        raise IngestError(
            f"ingest of file {file} into table {table} failed: {error}. Nothing was written; "
            "the log file has the details"
        ) from None
    finally:
        connection.close()

    log.info(
        "ingested %d rows from %s into %s of %s (%s, replace=%s)",
        report.rows_added, file, report.table, db_path, format, replace,
    )
    return report


# Opening files


def _check_readable(file: Path) -> None:
    """Raise IngestError for a missing, unreadable or empty file."""
    if not file.exists():
        raise IngestError(f"file {file} not found; check the path and retry")
    if file.is_dir():
        raise IngestError(f"{file} is a folder, not a file; name the exported CSV, JSON lines or Parquet file")
    head = _read_head(file)
    if not head.startswith(b"PAR1"):
        _head_text(file, head)


def _read_head(file: Path) -> bytes:
    try:
        with file.open("rb") as handle:
            return handle.read(65536)
    except OSError as error:
        raise IngestError(
            f"file {file} cannot be read: {error.strerror or error}. Check its permissions and retry"
        ) from None


def _head_text(file: Path, head: bytes) -> str:
    """Decode the start of a text file without its BOM and leading blanks; raise IngestError when nothing is left."""
    encoding = "utf-16" if head.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8"
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise IngestError(f"file {file} is empty: there is nothing to ingest. Export the table again and retry")
    return text


def _open_for_write(db_path: Path) -> Any:
    """Open the workspace with DuckDB's write lock, creating the file and its folder when missing."""
    import duckdb

    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise IngestError(f"workspace folder {db_path.parent} cannot be created: {error.strerror or error}") from None
    try:
        connection = duckdb.connect(str(db_path))
    except duckdb.IOException as error:
        text = str(error)
        if "lock" in text.lower():
            pid = re.search(r"\(PID (\d+)\)", text)
            holder = f" (PID {pid.group(1)})" if pid else ""
            raise IngestError(
                f"workspace {db_path} is open in another workbench process{holder}, such as the TUI or the "
                "emulator, and DuckDB lets only one process write while others have it open. "
                "Close that process, or wait for it to finish, and retry the ingest"
            ) from None
        raise IngestError(f"workspace {db_path} cannot be opened: {error}") from None
    except duckdb.ConnectionException as error:
        if "different configuration" not in str(error):
            raise IngestError(f"workspace {db_path} cannot be opened: {error}") from None
        # DuckDB allows one configuration per file in a process: a read-only
        # backend connection here blocks a writable one.
        raise IngestError(
            f"workspace {db_path} is open read-only in this process; close its backend before ingesting, and retry"
        ) from None
    except duckdb.Error as error:
        raise IngestError(
            f"workspace {db_path} is not a readable DuckDB file: {error}. "
            "Point --workspace at another workspace, or move the file away to start a new one"
        ) from None
    connection.execute("SET TimeZone='UTC'")
    return connection


def _rollback(connection: Any) -> None:
    import duckdb

    try:
        connection.execute("ROLLBACK")
    except duckdb.Error:
        # No transaction is open when the failure came before BEGIN or after COMMIT.
        pass


# Staging


def _stage(connection: Any, file: Path, format: str, report: IngestReport) -> list[SourceColumn]:
    """Read `file` into the temporary staging table and return its columns under their table names."""
    import duckdb

    path = str(file)
    if format == "csv":
        header = _read_csv_header(file)
        # Every option is set, so DuckDB's sniffer guesses nothing: on a short
        # file with one bad row it can pick another delimiter or skip the rows
        # before the bad one, and return a wrong table instead of an error.
        stage_columns = {f"c{position}": "VARCHAR" for position in range(len(header.names))}
        reader = (
            "read_csv(?, auto_detect = false, header = true, skip = ?, delim = ?, quote = '\"', escape = '\"', "
            "strict_mode = true, encoding = ?, columns = ?)"
        )
        parameters: list[Any] = [path, header.skip_lines, header.delimiter, header.encoding, stage_columns]
    elif format == "jsonl":
        if _text_encoding(file) != "utf-8":
            raise IngestError(
                f"file {file} is UTF-16 text, which DuckDB reads only as CSV; convert it with "
                "`iconv -f UTF-16 -t UTF-8` and retry"
            )
        # Depth 2 types the top-level fields and keeps nested objects and arrays as JSON.
        reader = "read_json(?, format = 'auto', records = true, maximum_depth = 2, sample_size = -1)"
        parameters = [path]
    else:
        reader = "read_parquet(?)"
        parameters = [path]

    try:
        connection.execute(f"CREATE TEMP TABLE {STAGE_TABLE} AS SELECT * FROM {reader}", parameters)
    except duckdb.Error as error:
        raise _read_error(file, format, error) from None

    described = connection.execute(f"DESCRIBE {STAGE_TABLE}").fetchall()
    stage_names = [row[0] for row in described]
    stage_types = [row[1] for row in described]
    if format == "csv":
        original_names = header.names
    elif format == "jsonl" and any(re.search(r"_[0-9]+$", name) for name in stage_names):
        original_names = _json_keys(connection, file, stage_names)
    else:
        original_names = list(stage_names)
    return _name_columns(connection, stage_names, stage_types, original_names, report)


@dataclass
class _CsvHeader:
    names: list[str]
    delimiter: str
    skip_lines: int
    """Blank lines before the header."""
    encoding: str
    """`utf-8` or `utf-16`, as DuckDB's `read_csv(encoding = ...)` names them."""


_DELIMITERS = (",", "\t", ";", "|")


def _text_encoding(file: Path) -> str:
    """Return `utf-16` for a file that starts with a UTF-16 BOM (PowerShell's `Out-File`), else `utf-8`."""
    with file.open("rb") as handle:
        start = handle.read(2)
    return "utf-16" if start in (b"\xff\xfe", b"\xfe\xff") else "utf-8"


def _read_csv_header(file: Path) -> _CsvHeader:
    """Read the header record with Python's csv module and pick the delimiter that splits it most.

    DuckDB renames an empty header to `column00`, which would hide a pandas
    index column, so the names come from the file itself.
    """
    encoding = _text_encoding(file)
    best: _CsvHeader | None = None
    try:
        for delimiter in _DELIMITERS:
            with file.open(encoding="utf-8-sig" if encoding == "utf-8" else "utf-16", newline="") as handle:
                reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
                skip_lines = 0
                names: list[str] = []
                for record in reader:
                    if any(field.strip() for field in record):
                        names = record
                        break
                    skip_lines = reader.line_num
            if best is None or len(names) > len(best.names):
                best = _CsvHeader(names, delimiter, skip_lines, encoding)
    except UnicodeDecodeError:
        raise IngestError(
            f"file {file} is not UTF-8 or UTF-16 text; convert it to UTF-8, for example with "
            "`iconv -f LATIN1 -t UTF-8`, and retry"
        ) from None
    except csv.Error as error:
        raise IngestError(f"file {file} has an invalid CSV header: {error}. Fix the first line and retry") from None
    assert best is not None
    return best


def _json_keys(connection: Any, file: Path, stage_names: list[str]) -> list[str]:
    """Recover the JSON keys behind the names DuckDB made unique with a `_1` suffix.

    DuckDB compares names case-insensitively, so of the keys `ProcessId` and
    `ProcessID` the second becomes `ProcessID_1`; the real key lets the
    report name what was renamed.
    """
    rows = connection.execute(
        "SELECT DISTINCT unnest(json_keys(json)) FROM read_json_objects(?, format = 'auto')", [str(file)]
    ).fetchall()
    unclaimed = {key for (key,) in rows} - set(stage_names)
    originals: list[str] = []
    for name in stage_names:
        original = name
        match = re.fullmatch(r"(.*)_[0-9]+", name)
        if match and name not in {key for (key,) in rows}:
            for key in sorted(unclaimed):
                if key.lower() == match.group(1).lower():
                    original = key
                    unclaimed.discard(key)
                    break
        originals.append(original)
    return originals


def _read_error(file: Path, format: str, error: Exception) -> IngestError:
    """Turn a DuckDB reader error into a message naming the file, keeping DuckDB's first lines."""
    lines: list[str] = []
    for line in str(error).splitlines():
        # DuckDB follows the reason with its own fixes and the SQL it ran, neither of use here.
        if line.startswith(("Possible fixes", "LINE ")):
            break
        if line.strip():
            lines.append(line.strip())
    detail = " ".join(lines[:3])[:400].removeprefix("Invalid Input Error: ").rstrip(".")
    kind = {"csv": "a valid CSV file", "jsonl": "valid JSON lines", "parquet": "a valid Parquet file"}[format]
    others = " or ".join(f"--format {other}" for other in FORMATS if other != format)
    return IngestError(
        f"file {file} is not {kind}: {detail}. Fix the record it names, or pass {others} if the file is in that format"
    )


def _name_columns(
    connection: Any,
    stage_names: list[str],
    stage_types: list[str],
    original_names: list[str],
    report: IngestReport,
) -> list[SourceColumn]:
    """Map file column names to table names: drop a pandas index, strip unit suffixes, make names unique."""
    columns: list[SourceColumn] = []
    used: dict[str, str] = {}
    for position, (stage_name, sql_type, original) in enumerate(zip(stage_names, stage_types, original_names)):
        name = original.strip().lstrip("\ufeff")
        if _PANDAS_PARQUET_INDEX.fullmatch(name):
            report.warnings.append(f"dropped the column {original!r}: it is a pandas index, not data")
            continue
        if _UNNAMED.fullmatch(name):
            if position == 0 and _holds_row_numbers(connection, stage_name):
                label = repr(original) if original else "with no name"
                report.warnings.append(f"dropped the first column {label}: it is a pandas index, not data")
                continue
            name = f"Column{position + 1}"
            report.warnings.append(f"column {position + 1} has no name; it is stored as {name}")
        suffix = _UNIT_SUFFIX.match(name)
        if suffix:
            name = suffix.group("name")

        # DuckDB compares column names case-insensitively, so `ProcessId` and
        # `ProcessID` cannot both be columns of one table.
        unique = name
        counter = 1
        while unique.lower() in used:
            unique = f"{name}_{counter}"
            counter += 1
        if unique != name:
            report.warnings.append(
                f"columns {used[name.lower()]} and {name} differ only in case, which one DuckDB table cannot hold; "
                f"{name} is stored as {unique}"
            )
        used[unique.lower()] = unique
        if unique != original:
            report.renamed_columns[original] = unique
        columns.append(SourceColumn(stage_name=stage_name, name=unique, sql_type=sql_type))
    return columns


def _holds_row_numbers(connection: Any, stage_name: str) -> bool:
    """Return whether every value of the column is a whole number, as in a pandas index."""
    column = quote_identifier(stage_name)
    non_numbers = connection.execute(
        f"SELECT count(*) FROM {STAGE_TABLE} "
        f"WHERE NOT coalesce(regexp_full_match(CAST({column} AS VARCHAR), '[0-9]+'), false)"
    ).fetchone()[0]
    return non_numbers == 0


# Writing


def _table_columns(connection: Any, table: str) -> tuple[str, dict[str, tuple[str, str]]] | None:
    """Return the stored table name and its columns (lower-case name to name and type), or None."""
    rows = connection.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' AND lower(table_name) = lower(?) "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    if not rows:
        return None
    return rows[0][0], {column.lower(): (column, data_type) for _, column, data_type in rows}


def _sentinel_columns(table: str) -> dict[str, tuple[str, str]]:
    """Return the Sentinel reference columns of `table` (lower-case name to name and DuckDB type), or none."""
    from workbench.demo.schema import KQL_TO_DUCKDB, TABLES

    columns = TABLES.get(table, ())
    return {name.lower(): (name, KQL_TO_DUCKDB[kql_type]) for name, kql_type in columns}


def _create_table(
    connection: Any, table: str, plans: list[PlannedColumn], file: Path, report: IngestReport
) -> None:
    """Create (or replace) `table` from the file, giving columns of a known Sentinel table their reference types."""
    known = _sentinel_columns(table)
    if known:
        _conform(connection, table, plans, known, file, report, strict=False)
    selects = ", ".join(f"{plan.expression} AS {quote_identifier(plan.name)}" for plan in plans)
    connection.execute(f"CREATE OR REPLACE TABLE {quote_identifier(table)} AS SELECT {selects} FROM {STAGE_TABLE}")


def _append(
    connection: Any,
    table: str,
    existing: dict[str, tuple[str, str]],
    plans: list[PlannedColumn],
    file: Path,
    report: IngestReport,
) -> None:
    """Add the file's new columns to `table`, then insert its rows, converting values to the table's types."""
    _conform(connection, table, plans, existing, file, report, strict=True)
    for plan in plans:
        if plan.name.lower() not in existing:
            connection.execute(f"ALTER TABLE {quote_identifier(table)} ADD COLUMN {quote_identifier(plan.name)} {plan.sql_type}")
    selects = ", ".join(f"{plan.expression} AS {quote_identifier(plan.name)}" for plan in plans)
    connection.execute(f"INSERT INTO {quote_identifier(table)} BY NAME SELECT {selects} FROM {STAGE_TABLE}")


def _conform(
    connection: Any,
    table: str,
    plans: list[PlannedColumn],
    targets: dict[str, tuple[str, str]],
    file: Path,
    report: IngestReport,
    *,
    strict: bool,
) -> None:
    """Rewrite each plan whose column is in `targets` to produce the target's name and type.

    With `strict` (an append to an existing table) a value that does not
    convert raises IngestError. Otherwise (a reference schema) the column keeps
    its inferred type, and a warning in the report names the value.
    """
    from workbench.backends.local import sql_type_to_kql

    for plan in plans:
        target = targets.get(plan.name.lower())
        if target is None:
            continue
        column_name, target_type = target
        plan.name = column_name
        plan.type_known = True

        if strict and target_type in _INTEGER_TYPES and plan.sql_type == "DOUBLE":
            # Widening to DOUBLE keeps every stored value exactly up to 2**53.
            connection.execute(f"ALTER TABLE {quote_identifier(table)} ALTER COLUMN {quote_identifier(column_name)} TYPE DOUBLE")
            report.warnings.append(f"column {column_name} of table {table} now holds real numbers, not only whole ones")
            target_type = "DOUBLE"
        if _same_type(target_type, plan.sql_type):
            continue

        if plan.all_empty:
            expression = "CAST('' AS VARCHAR)" if target_type == "VARCHAR" else f"CAST(NULL AS {target_type})"
        elif target_type == "VARCHAR" and plan.source_is_text:
            # The file's own text, such as `54000` in a string column, rather than a number printed back.
            expression = f"coalesce({plan.source}, '')"
        else:
            value = f"NULLIF({plan.source}, '')" if plan.sql_type == "VARCHAR" and plan.source_is_text else plan.expression
            expression = f"TRY_CAST({value} AS {target_type})"
            failed = _first_failed_value(connection, value, expression)
            if failed is not None and strict:
                raise IngestError(
                    f"column {column_name} of table {table} is {sql_type_to_kql(target_type)}, but file {file} "
                    f"has {short_value(failed)} in it. Nothing was written. Ingest the file into another table, "
                    f"or pass --replace to rebuild {table} from this file"
                )
            if failed is not None:
                report.warnings.append(
                    f"column {column_name} is {sql_type_to_kql(target_type)} in the Sentinel {table} table, "
                    f"but the file has {short_value(failed)} in it, so it is stored as {sql_type_to_kql(plan.sql_type)}"
                )
                plan.type_known = False
                continue
        plan.expression = expression
        plan.sql_type = target_type


def _first_failed_value(connection: Any, value: str, converted: str) -> str | None:
    """Return a value of the staging table that is not NULL but converts to NULL, or None when all convert."""
    rows = connection.execute(
        f"SELECT CAST({value} AS VARCHAR) FROM {STAGE_TABLE} WHERE {value} IS NOT NULL AND {converted} IS NULL LIMIT 1"
    ).fetchall()
    return rows[0][0] if rows else None


def _same_type(stored: str, planned: str) -> bool:
    aliases = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}
    return aliases.get(stored, stored) == aliases.get(planned, planned)


def _kql_columns(connection: Any, table: str) -> list[Column]:
    from workbench.backends.local import sql_type_to_kql

    found = _table_columns(connection, table)
    assert found is not None
    return [Column(name, sql_type_to_kql(data_type)) for name, data_type in found[1].values()]


