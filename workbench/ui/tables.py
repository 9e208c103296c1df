"""Arrow tables prepared for display, through the one sanitiser.

`textual-fastdatatable` draws cells from an Arrow table without a Python
object per cell. Before a table reaches it, one vectorised regex checks each
string column for characters the terminal must not receive. Only the rows
that match go through `workbench.text.sanitize`, so clean data costs one pass
per column.
"""

from __future__ import annotations

from typing import Any

from workbench.text import sanitize

_UNSAFE_PATTERN = "[\\x00-\\x1f\\x7f-\\x9f\\x{200b}-\\x{200f}\\x{202a}-\\x{202e}\\x{2060}-\\x{2069}\\x{feff}\\x{061c}\\x{180e}\\x{2028}\\x{2029}]"


def display_table(table: Any) -> Any:
    """Return `table` with string columns sanitised and nested or JSON columns turned into text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = []
    for field, column in zip(table.schema, table.columns):
        data_type = field.type
        if pa.types.is_list(data_type) or pa.types.is_struct(data_type) or pa.types.is_map(data_type) or isinstance(
            data_type, pa.ExtensionType
        ):
            import json

            values = [None if value is None else json.dumps(value, ensure_ascii=False, default=str) for value in column.to_pylist()]
            column = pa.chunked_array([pa.array(values, type=pa.string())])
            data_type = pa.string()
        if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
            column = _sanitize_column(column, pc, pa)
        columns.append(column)
    return pa.table(columns, names=table.column_names)


def _sanitize_column(column: Any, pc: Any, pa: Any) -> Any:
    if len(column) == 0:
        return column
    mask = pc.match_substring_regex(column, _UNSAFE_PATTERN)
    if not pc.any(mask).as_py():
        return column
    values = column.to_pylist()
    flags = mask.to_pylist()
    cleaned = [sanitize(value) if flag else value for value, flag in zip(values, flags)]
    return pa.chunked_array([pa.array(cleaned, type=pa.string())])


def replace_table(old: Any, new: Any, cursor: tuple[int, int] | None = None) -> Any:
    """Mount the DataTable `new` where `old` is, keeping the focus, and return `new`.

    fastdatatable cannot change a mounted table's data, so panes swap tables.
    The cursor is set before mounting, so a key pressed before the first
    refresh acts on that cell. `old.parent` is checked, not `is_mounted`,
    because a table mounted a moment ago is attached before it is mounted.
    """
    from textual.coordinate import Coordinate

    if cursor is not None and new.row_count:
        row, column = cursor
        new.cursor_coordinate = Coordinate(min(row, new.row_count - 1), max(0, min(column, new.column_count - 1)))
    had_focus = old.has_focus
    if old.parent is not None:
        old.parent.mount(new, after=old)
        old.remove()
    if had_focus:
        new.focus()
    return new
