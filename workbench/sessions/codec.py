"""Conversion between a `Session` and the TOML document of a session file.

`encode_session` builds the plain dict that `tomli_w` writes. `decode_session`
checks a dict that `tomllib` read and builds the `Session`, and raises
`DocumentError` with the dotted key of the first problem. Older file versions
are brought up to `VERSION` by the functions in `MIGRATIONS` before decoding.

TOML has no null, so the encoding is explicit (docs/session-format.md has the
full table). Optional indicator and exclusion fields that hold their default
(None, an empty string or list) are left out. A snapshot cell that TOML cannot
hold natively is written as an inline table with exactly one tag key:
`{null = true}` for a missing value, `{json = "..."}` for a list or object
(KQL `dynamic`), and `{int = "..."}` for an integer outside TOML's signed
64-bit range. `dynamic` values go through JSON text rather than native arrays
and tables because they may contain nulls at any depth, and because a native
table in a row could not be told apart from a tag.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from workbench.iocs.model import Indicator
from workbench.kql.exclusions import Exclusion
from workbench.sessions.model import VERDICTS, QueryRecord, Run, Session, Verdict

FORMAT = "hunt-workbench.session"
VERSION = 1

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


class DocumentError(ValueError):
    """A session document whose content does not match the format.

    `key` is the dotted path of the offending value (`queries[2].runs[0].rows[5][1]`),
    which the store turns into a line number.
    """

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key} {problem}" if key else problem)
        self.key = key
        self.problem = problem


# ---------------------------------------------------------------------------
# Encoding


def encode_session(session: Session) -> dict[str, Any]:
    """Return the TOML document of `session` as a dict for `tomli_w`.

    Every datetime is written as an aware UTC time; a naive datetime is taken
    to be UTC already.
    """
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "id": session.id,
        "title": session.title,
        "created": _utc(session.created),
        "updated": _utc(session.updated),
        "workspace": session.workspace,
    }
    if session.indicators:
        document["indicators"] = [_encode_indicator(indicator) for indicator in session.indicators]
    if session.exclusions:
        document["exclusions"] = [_encode_exclusion(exclusion) for exclusion in session.exclusions]
    if session.queries:
        document["queries"] = [_encode_query(query) for query in session.queries]
    return document


def _encode_indicator(indicator: Indicator) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": indicator.value, "ioc_type": indicator.ioc_type}
    for name in ("threat_type", "malware"):
        if getattr(indicator, name):
            entry[name] = getattr(indicator, name)
    if indicator.first_seen is not None:
        entry["first_seen"] = _utc(indicator.first_seen)
    if indicator.last_seen is not None:
        entry["last_seen"] = _utc(indicator.last_seen)
    if indicator.confidence is not None:
        entry["confidence"] = indicator.confidence
    if indicator.tags:
        entry["tags"] = list(indicator.tags)
    for name in ("reference", "source", "display_value"):
        if getattr(indicator, name):
            entry[name] = getattr(indicator, name)
    return entry


def _encode_exclusion(exclusion: Exclusion) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": exclusion.id,
        "field": exclusion.field,
        "operator": exclusion.operator,
        "values": list(exclusion.values),
        "reason": exclusion.reason,
    }
    if exclusion.author:
        entry["author"] = exclusion.author
    entry["created"] = _utc(exclusion.created)
    if exclusion.expires is not None:
        entry["expires"] = _utc(exclusion.expires)
    entry["enabled"] = exclusion.enabled
    if exclusion.table:
        entry["table"] = exclusion.table
    return entry


def _encode_query(query: QueryRecord) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": query.id, "title": query.title, "text": query.text, "timespan": query.timespan}
    if query.runs:
        entry["runs"] = [_encode_run(run) for run in query.runs]
    return entry


def _encode_run(run: Run) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ran_at": _utc(run.ran_at),
        "workspace": run.workspace,
        "row_count": run.row_count,
        "truncated": run.truncated,
        "elapsed_seconds": float(run.elapsed_seconds),
    }
    if run.timespan:
        entry["timespan"] = run.timespan
    if run.error:
        entry["error"] = run.error
    if run.excluded_counts:
        entry["excluded_counts"] = dict(run.excluded_counts)
    entry["columns"] = [[name, kql_type] for name, kql_type in run.columns]
    entry["rows"] = [[encode_cell(value) for value in row] for row in run.rows]
    if run.verdicts:
        entry["verdicts"] = [
            {"row": verdict.row, "verdict": verdict.verdict, "note": verdict.note, "decided": _utc(verdict.decided)}
            for verdict in run.verdicts
        ]
    return entry


def encode_cell(value: object) -> object:
    """Return the TOML form of one snapshot value (see the module docstring for the tags).

    A value outside the snapshot form (a datetime a caller forgot to convert)
    is written as its `str()`, the same text `row_hash` takes for it.
    """
    if value is None:
        return {"null": True}
    if isinstance(value, (bool, str, float)):
        return value
    if isinstance(value, int):
        if _INT64_MIN <= value <= _INT64_MAX:
            return value
        return {"int": str(value)}
    if isinstance(value, (list, dict)):
        return {"json": json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)}
    return str(value)


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


# ---------------------------------------------------------------------------
# Migration


def _migrate_0_to_1(document: dict[str, Any]) -> dict[str, Any]:
    """Version 0, the draft layout: a query's text was `query`, a run's row count `hits`, and runs had no `truncated`."""
    for query in document.get("queries", []):
        if isinstance(query, dict) and "query" in query and "text" not in query:
            query["text"] = query.pop("query")
        for run in query.get("runs", []) if isinstance(query, dict) else []:
            if isinstance(run, dict) and "hits" in run and "row_count" not in run:
                run["row_count"] = run.pop("hits")
                rows = run.get("rows", [])
                if isinstance(run["row_count"], int) and isinstance(rows, list):
                    run.setdefault("truncated", len(rows) < run["row_count"])
    return document


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: _migrate_0_to_1,
}
"""Version N to the function that turns a version N document into version N + 1."""


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    """Bring a document of an older version up to `VERSION`, in place.

    Raises DocumentError for a missing or unknown format, a version newer than
    `VERSION`, or an old version with no migration.
    """
    file_format = document.get("format")
    if file_format != FORMAT:
        if file_format is None:
            raise DocumentError("format", f'is missing; a session file starts with format = "{FORMAT}"')
        raise DocumentError("format", f'is {file_format!r}, not "{FORMAT}": this is not a hunt-workbench session file')
    version = document.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise DocumentError("version", f"must be an integer, not {version!r}")
    if version > VERSION:
        raise DocumentError(
            "version",
            f"is {version}, newer than version {VERSION} that this workbench reads; upgrade hunt-workbench to open it",
        )
    while version < VERSION:
        step = MIGRATIONS.get(version)
        if step is None:
            raise DocumentError("version", f"is {version}, which this workbench cannot migrate")
        document = step(document)
        version += 1
        document["version"] = version
    return document


# ---------------------------------------------------------------------------
# Decoding


def decode_session(document: dict[str, Any]) -> Session:
    """Migrate and check a document read by `tomllib` and return its `Session`.

    Raises DocumentError naming the dotted key of the first invalid value.
    Unknown keys are errors too: a file with keys this version does not know
    was written by something else, and saving it back would drop them.
    """
    document = migrate(document)
    reader = _Reader("")
    reader.keys(
        document,
        required=("format", "version", "id", "title", "created", "updated", "workspace"),
        optional=("indicators", "exclusions", "queries"),
    )
    session = Session(
        id=reader.string(document, "id"),
        title=reader.string(document, "title"),
        created=reader.time(document, "created"),
        updated=reader.time(document, "updated"),
        workspace=reader.string(document, "workspace"),
    )
    session.indicators = [
        _decode_indicator(_Reader(f"indicators[{index}]"), entry)
        for index, entry in enumerate(reader.tables(document, "indicators"))
    ]
    session.exclusions = [
        _decode_exclusion(_Reader(f"exclusions[{index}]"), entry)
        for index, entry in enumerate(reader.tables(document, "exclusions"))
    ]
    session.queries = [
        _decode_query(_Reader(f"queries[{index}]"), entry) for index, entry in enumerate(reader.tables(document, "queries"))
    ]
    return session


def _decode_indicator(reader: _Reader, entry: dict[str, Any]) -> Indicator:
    reader.keys(
        entry,
        required=("value", "ioc_type"),
        optional=("threat_type", "malware", "first_seen", "last_seen", "confidence", "tags", "reference", "source", "display_value"),
    )
    confidence = entry.get("confidence")
    if confidence is not None:
        confidence = reader.integer(entry, "confidence")
    return Indicator(
        value=reader.string(entry, "value"),
        ioc_type=reader.string(entry, "ioc_type"),
        threat_type=reader.string(entry, "threat_type", ""),
        malware=reader.string(entry, "malware", ""),
        first_seen=reader.time(entry, "first_seen") if "first_seen" in entry else None,
        last_seen=reader.time(entry, "last_seen") if "last_seen" in entry else None,
        confidence=confidence,
        tags=reader.strings(entry, "tags"),
        reference=reader.string(entry, "reference", ""),
        source=reader.string(entry, "source", ""),
        display_value=reader.string(entry, "display_value", ""),
    )


def _decode_exclusion(reader: _Reader, entry: dict[str, Any]) -> Exclusion:
    reader.keys(
        entry,
        required=("id", "field", "operator", "values", "reason", "created"),
        optional=("author", "expires", "enabled", "table"),
    )
    return Exclusion(
        id=reader.string(entry, "id"),
        field=reader.string(entry, "field"),
        operator=reader.string(entry, "operator"),
        values=reader.strings(entry, "values"),
        reason=reader.string(entry, "reason"),
        author=reader.string(entry, "author", ""),
        created=reader.time(entry, "created"),
        expires=reader.time(entry, "expires") if "expires" in entry else None,
        enabled=reader.boolean(entry, "enabled", True),
        table=reader.string(entry, "table", ""),
    )


def _decode_query(reader: _Reader, entry: dict[str, Any]) -> QueryRecord:
    reader.keys(entry, required=("id", "title", "text"), optional=("timespan", "runs"))
    query = QueryRecord(
        id=reader.string(entry, "id"),
        title=reader.string(entry, "title"),
        text=reader.string(entry, "text"),
        timespan=reader.string(entry, "timespan", "P14D"),
    )
    query.runs = [
        _decode_run(reader.child(f"runs[{index}]"), run) for index, run in enumerate(reader.tables(entry, "runs"))
    ]
    return query


def _decode_run(reader: _Reader, entry: dict[str, Any]) -> Run:
    reader.keys(
        entry,
        required=("ran_at", "workspace", "row_count", "truncated", "columns", "rows"),
        optional=("elapsed_seconds", "timespan", "error", "excluded_counts", "verdicts"),
    )
    columns = _decode_columns(reader, entry.get("columns"))
    rows = _decode_rows(reader, entry.get("rows"), len(columns))
    counts = entry.get("excluded_counts", {})
    if not isinstance(counts, dict) or not all(
        isinstance(value, int) and not isinstance(value, bool) for value in counts.values()
    ):
        raise reader.error("excluded_counts", "must be a table of exclusion id = row count")
    elapsed = entry.get("elapsed_seconds", 0.0)
    if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)):
        raise reader.error("elapsed_seconds", f"must be a number, not {elapsed!r}")
    return Run(
        ran_at=reader.time(entry, "ran_at"),
        workspace=reader.string(entry, "workspace"),
        row_count=reader.integer(entry, "row_count"),
        truncated=reader.boolean(entry, "truncated"),
        columns=columns,
        rows=rows,
        elapsed_seconds=float(elapsed),
        timespan=reader.string(entry, "timespan", ""),
        excluded_counts=dict(counts),
        verdicts=[
            _decode_verdict(reader.child(f"verdicts[{index}]"), verdict)
            for index, verdict in enumerate(reader.tables(entry, "verdicts"))
        ],
        error=reader.string(entry, "error", ""),
    )


def _decode_columns(reader: _Reader, columns: object) -> list[tuple[str, str]]:
    if not isinstance(columns, list):
        raise reader.error("columns", 'must be an array of [name, type] pairs such as [["Computer", "string"]]')
    pairs: list[tuple[str, str]] = []
    for index, pair in enumerate(columns):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(part, str) for part in pair)):
            raise reader.error(f"columns[{index}]", f"must be a [name, type] pair of strings, not {pair!r}")
        pairs.append((pair[0], pair[1]))
    return pairs


def _decode_rows(reader: _Reader, rows: object, width: int) -> list[list[object]]:
    if not isinstance(rows, list):
        raise reader.error("rows", "must be an array of rows, each an array of cells")
    decoded: list[list[object]] = []
    for row_index, row in enumerate(rows):
        if not isinstance(row, list):
            raise reader.error(f"rows[{row_index}]", "must be an array of cells")
        if len(row) != width:
            raise reader.error(f"rows[{row_index}]", f"has {len(row)} cells but the run has {width} columns")
        decoded.append([decode_cell(reader, f"rows[{row_index}][{index}]", cell) for index, cell in enumerate(row)])
    return decoded


def decode_cell(reader: _Reader, key: str, cell: object) -> object:
    """Return the snapshot value of one TOML cell, undoing `encode_cell`."""
    if isinstance(cell, (bool, str, int)):
        return cell
    if isinstance(cell, float):
        return cell
    if isinstance(cell, dict) and len(cell) == 1:
        tag, payload = next(iter(cell.items()))
        if tag == "null" and payload is True:
            return None
        if tag == "json" and isinstance(payload, str):
            try:
                value = json.loads(payload)
            except json.JSONDecodeError as error:
                raise reader.error(key, f"contains invalid JSON in {{json = ...}}: {error.msg} at character {error.pos}") from None
            return value
        if tag == "int" and isinstance(payload, str):
            try:
                return int(payload)
            except ValueError:
                raise reader.error(key, f"contains {payload!r} in {{int = ...}}, which is not an integer") from None
    raise reader.error(
        key,
        f"is {cell!r}; a cell is a string, number, boolean, or one of {{null = true}}, "
        '{json = "..."}, {int = "..."}',
    )


def _decode_verdict(reader: _Reader, entry: dict[str, Any]) -> Verdict:
    reader.keys(entry, required=("row", "verdict"), optional=("note", "decided"))
    verdict = reader.string(entry, "verdict")
    if verdict not in VERDICTS:
        raise reader.error("verdict", f"is {verdict!r}; use one of {', '.join(VERDICTS)}")
    result = Verdict(row=reader.string(entry, "row"), verdict=verdict, note=reader.string(entry, "note", ""))
    if "decided" in entry:
        result.decided = reader.time(entry, "decided")
    return result


class _Reader:
    """Typed access to one table of the document, with errors naming the dotted key."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def child(self, name: str) -> _Reader:
        return _Reader(f"{self.prefix}.{name}" if self.prefix else name)

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}" if self.prefix else name

    def error(self, name: str, problem: str) -> DocumentError:
        return DocumentError(self.key(name), problem)

    def keys(self, entry: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
        for name in required:
            if name not in entry:
                where = self.prefix or "the top level"
                raise DocumentError(self.key(name), f"is missing from {where}")
        for name in entry:
            if name not in required and name not in optional:
                known = ", ".join(required + optional)
                raise self.error(name, f"is not a key this version knows; known keys here: {known}")

    def string(self, entry: dict[str, Any], name: str, default: str | None = None) -> str:
        value = entry.get(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, not {value!r}")
        return value

    def strings(self, entry: dict[str, Any], name: str) -> list[str]:
        value = entry.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, f"must be an array of strings, not {value!r}")
        return list(value)

    def integer(self, entry: dict[str, Any], name: str) -> int:
        value = entry.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be an integer, not {value!r}")
        return value

    def boolean(self, entry: dict[str, Any], name: str, default: bool | None = None) -> bool:
        value = entry.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, not {value!r}")
        return value

    def time(self, entry: dict[str, Any], name: str) -> datetime:
        value = entry.get(name)
        if not isinstance(value, datetime):
            raise self.error(name, f"must be a date-time such as 2026-12-04T19:00:00Z, not {value!r}")
        return _utc(value)

    def tables(self, entry: dict[str, Any], name: str) -> list[dict[str, Any]]:
        value = entry.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(name, f"must be an array of tables, written [[{self.key(name).split('[')[0]}]]")
        return value
