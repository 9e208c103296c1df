"""The one place a value becomes KQL text.

Feed values and result cells are hostile input: quotes, backslashes, newlines
and control characters must never change the meaning of a query. Every other
module builds KQL through these functions.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def string_literal(value: str) -> str:
    """Return `value` as a double-quoted KQL string literal that evaluates back to `value`.

    Raises ValueError for a value KQL cannot hold (a NUL character). Other
    control characters are written as they are: duckdb-kql 1.1.2 reads
    `\\u001b` as the letter `u` followed by digits, but keeps a raw ESC.
    """
    if "\x00" in value:
        raise ValueError(f"value {value!r} contains a NUL character, which a KQL string cannot hold")
    out = ['"']
    for char in value:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def identifier(name: str) -> str:
    """Return a column or table name as KQL text, bracket-quoted when it is not a plain identifier."""
    if _IDENTIFIER.match(name):
        return name
    return f"[{string_literal(name)}]"


def dynamic_list(values: list[str]) -> str:
    """Return `dynamic([...])` holding `values` as strings."""
    return "dynamic([" + ", ".join(string_literal(value) for value in values) + "])"
