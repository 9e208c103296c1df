"""Parsers for ThreatFox's three shapes: API responses, the CSV export and the JSON export.

API responses (`get_iocs`, `search_ioc`, `ioc`) are `{"query_status": ..., "data": ...}`.
They report errors as HTTP 200 with a `query_status` other than `ok`. Such a
response raises FeedError, because an empty feed would hide the failure.

The CSV export's header is a comment line (`# "first_seen_utc", ...`), or a
plain line in some copies of the file. Fields are separated by `", "` and
null is the string `None`. Columns are mapped by header name, because
ThreatFox has added columns over time, and an unknown column is ignored.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from typing import Any

from workbench.iocs.entries import FeedBuilder, parse_confidence, parse_time, split_tags, text_or_empty
from workbench.iocs.model import FeedError, FeedLoad

log = logging.getLogger(__name__)

CSV_REQUIRED_COLUMNS = ("ioc_value", "ioc_type")


def is_api_response(data: Any) -> bool:
    return isinstance(data, dict) and "query_status" in data


def is_json_export(data: Any) -> bool:
    """Return whether `data` is the JSON export: ids mapped to one-element lists of entries."""
    if not isinstance(data, dict) or not data:
        return False
    first = next(iter(data.values()))
    return isinstance(first, list) and bool(first) and isinstance(first[0], dict) and "ioc_value" in first[0]


def looks_like_csv_export(text: str) -> bool:
    """Return whether `text` has the export's header, commented (`# "first_seen_utc"`) or not."""
    for line in text.splitlines()[:50]:
        stripped = line.lstrip("# \ufeff")
        if stripped.startswith('"first_seen_utc"') or stripped.startswith("first_seen_utc,"):
            return True
    return False


def parse_api_response(data: dict[str, Any], source: str) -> FeedLoad:
    """Parse a ThreatFox API response; raise FeedError when `query_status` is not `ok`."""
    status = data.get("query_status")
    if status != "ok":
        detail = data.get("data")
        detail_text = f": {detail}" if isinstance(detail, str) and detail else ""
        raise FeedError(f"ThreatFox responded with query_status {status!r}{detail_text}; so the feed has no indicators")

    entries = data.get("data")
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise FeedError(f"The ThreatFox response has query_status 'ok' but its data is a {type(entries).__name__}, not a list")

    builder = FeedBuilder(source, "threatfox-api")
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            builder.reject(f"entry {position}", entry, "the entry is not a JSON object")
            continue
        where = f"id {entry['id']}" if entry.get("id") else f"entry {position}"
        builder.add(
            where,
            entry.get("ioc"),
            text_or_empty(entry.get("ioc_type")) or None,
            threat_type=text_or_empty(entry.get("threat_type")),
            malware=text_or_empty(entry.get("malware_printable")) or text_or_empty(entry.get("malware")),
            first_seen=parse_time(entry.get("first_seen")),
            last_seen=parse_time(entry.get("last_seen")),
            confidence=parse_confidence(entry.get("confidence_level")),
            tags=split_tags(entry.get("tags")),
            reference=text_or_empty(entry.get("reference")),
        )
    return builder.load


def parse_json_export(data: dict[str, Any], source: str) -> FeedLoad:
    """Parse the JSON export: `{"<id>": [{"ioc_value": ..., "tags": "a,b"}], ...}`."""
    builder = FeedBuilder(source, "threatfox-json")
    for ioc_id, items in data.items():
        where = f"id {ioc_id}"
        if not isinstance(items, list) or not items or not isinstance(items[0], dict):
            builder.reject(where, items, "the entry is not a list holding one JSON object")
            continue
        for entry in items:
            _add_export_entry(builder, where, entry)
    return builder.load


def parse_csv_export(text: str, source: str) -> FeedLoad:
    """Parse the CSV export; raise FeedError when its header lacks `ioc_value` or `ioc_type`."""
    builder = FeedBuilder(source, "threatfox-csv")
    header: list[str] | None = None
    line_number = 0

    def data_lines() -> Iterator[str]:
        nonlocal header, line_number
        for line_number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#") or stripped.startswith("\ufeff#"):
                candidate = stripped.lstrip("\ufeff#").strip()
                if header is None and candidate.startswith('"first_seen_utc"'):
                    header = _parse_csv_line(candidate)
                continue
            candidate = stripped.lstrip("\ufeff")
            if header is None and candidate.startswith(('"first_seen_utc"', "first_seen_utc,")):
                header = _parse_csv_line(candidate)
                continue
            yield line

    reader = csv.reader(data_lines(), skipinitialspace=True)
    columns: dict[str, int] | None = None
    field_count = 0
    for row in reader:
        if columns is None:
            columns = _column_positions(header)
            field_count = len(header)
        where = f"line {line_number}"
        if len(row) != field_count:
            builder.reject(where, ", ".join(row)[:200], f"the row has {len(row)} fields but the header has {field_count}")
            continue
        entry = {name: row[position] for name, position in columns.items()}
        _add_export_entry(builder, where, entry)

    if header is None:
        raise FeedError('the CSV has no ThreatFox header line (# "first_seen_utc", "ioc_id", "ioc_value", ...)')
    if columns is None:
        _column_positions(header)
    return builder.load


def _parse_csv_line(line: str) -> list[str]:
    return next(csv.reader([line], skipinitialspace=True))


def _column_positions(header: list[str] | None) -> dict[str, int]:
    if header is None:
        raise FeedError('the CSV has data before its ThreatFox header line (# "first_seen_utc", "ioc_id", ...)')
    positions = {name.strip(): position for position, name in enumerate(header)}
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in positions]
    if missing:
        raise FeedError(f"the CSV header has no {' or '.join(missing)} column; found: {', '.join(positions)}")
    return positions


def _add_export_entry(builder: FeedBuilder, where: str, entry: dict[str, Any]) -> None:
    """Add one CSV or JSON export entry; both use the same column names."""
    ioc_id = text_or_empty(entry.get("ioc_id"))
    if ioc_id and where.startswith("line"):
        where = f"{where} (id {ioc_id})"
    builder.add(
        where,
        entry.get("ioc_value"),
        text_or_empty(entry.get("ioc_type")) or None,
        threat_type=text_or_empty(entry.get("threat_type")),
        malware=text_or_empty(entry.get("malware_printable")) or text_or_empty(entry.get("fk_malware") or entry.get("malware")),
        first_seen=parse_time(entry.get("first_seen_utc")),
        last_seen=parse_time(entry.get("last_seen_utc")),
        confidence=parse_confidence(entry.get("confidence_level")),
        tags=split_tags(entry.get("tags")),
        reference=text_or_empty(entry.get("reference")),
    )
