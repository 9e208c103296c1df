"""Filter, sort, count and export result tables, column-wise on Arrow.

The results pane calls these from thread workers. None of them loops over
rows in Python except `export_view` for Markdown and CSV text, which must
produce one line per row anyway.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

EXPORT_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".md": "markdown", ".markdown": "markdown"}


def filter_rows(table: Any, needle: str) -> Any:
    """Return the rows of `table` where any column, as text, contains `needle` (case-insensitive)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not needle:
        return table
    # Integers and times print as digits and punctuation (the UTC "Z" aside), so a needle
    # without a digit is not searched in them; skipping the casts saves about 1.2 s per
    # million rows. Reals stay searched, because they can print as "nan" or "inf".
    could_match_numbers = any(character.isdigit() for character in needle)
    mask = None
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            as_text = column
        elif not could_match_numbers and (
            pa.types.is_integer(column.type)
            or pa.types.is_timestamp(column.type)
            or pa.types.is_date(column.type)
            or pa.types.is_duration(column.type)
            or pa.types.is_decimal(column.type)
        ):
            continue
        else:
            try:
                as_text = pc.cast(column, pa.string(), safe=False)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
        hit = pc.fill_null(pc.match_substring(as_text, needle, ignore_case=True), False)
        mask = hit if mask is None else pc.or_(mask, hit)
    if mask is None:
        return table.slice(0, 0)
    return table.filter(mask)


def sort_rows(table: Any, column: str, descending: bool) -> Any:
    """Return `table` sorted by `column`; nulls last. Raises ValueError for a type Arrow cannot sort."""
    import pyarrow as pa

    try:
        return table.sort_by([(column, "descending" if descending else "ascending")])
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise ValueError(f"column {column!r} cannot be sorted: {error}") from None


def value_frequency(table: Any, column: str, top: int = 200) -> tuple[list[tuple[Any, int]], int]:
    """Return the `top` most frequent values of `column` with their counts, and the number of distinct values."""
    import pyarrow as pa
    import pyarrow.compute as pc

    data = table.column(column)
    if not (pa.types.is_string(data.type) or pa.types.is_integer(data.type) or pa.types.is_boolean(data.type)):
        data = pc.cast(data, pa.string(), safe=False)
    counts = pc.value_counts(data)
    values = counts.field("values")
    frequencies = counts.field("counts")
    order = pc.sort_indices(frequencies, sort_keys=[("", "descending")]) if len(frequencies) else pa.array([], pa.int64())
    chosen = order[:top]
    top_values = pc.take(values, chosen).to_pylist()
    top_counts = pc.take(frequencies, chosen).to_pylist()
    return list(zip(top_values, top_counts)), len(counts)


def export_format(path: Path) -> str:
    """Return the export format for a file name; raise ValueError naming the supported endings."""
    fmt = EXPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"cannot tell the format of {path.name!r}: end the name with .csv, .jsonl or .md")
    return fmt


def export_view(table: Any, path: Path, columns: list | None = None) -> int:
    """Write `table` to `path` as CSV, JSON lines or a Markdown table (by the file ending); return rows written.

    Values go out in snapshot form (ISO times, JSON for dynamic values), by the
    KQL types in `columns` (default: every column as it is).
    Raises ValueError for an unknown ending and OSError when the file cannot be written.
    """
    from workbench.backends.base import Column
    from workbench.sessions.capture import snapshot_rows

    fmt = export_format(path)
    names = table.column_names
    rows = snapshot_rows(table, columns or [Column(name, "string") for name in names])
    with path.open("w", encoding="utf-8", newline="") as stream:
        if fmt == "csv":
            writer = csv.writer(stream)
            writer.writerow(names)
            for row in rows:
                writer.writerow([_cell_text(value) for value in row])
        elif fmt == "jsonl":
            for row in rows:
                stream.write(json.dumps(dict(zip(names, row)), ensure_ascii=False) + "\n")
        else:
            stream.write("| " + " | ".join(_markdown_cell(name) for name in names) + " |\n")
            stream.write("|" + "---|" * len(names) + "\n")
            for row in rows:
                stream.write("| " + " | ".join(_markdown_cell(_cell_text(value)) for value in row) + " |\n")
    return len(rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _markdown_cell(text: str) -> str:
    from workbench.text import sanitize

    return sanitize(text).replace("|", "\\|")
