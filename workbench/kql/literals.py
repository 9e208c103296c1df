"""The one place a value becomes KQL text.

Feed values and result cells are hostile input: quotes, backslashes, newlines
and control characters must never change the meaning of a query. Every other
module builds KQL through these functions, and `tests/test_kql_literals.py`
checks with generated strings that each literal evaluates back to its value.

duckdb-kql 1.1.2 reads the escapes `\\"`, `\\\\`, `\\n`, `\\r` and `\\t`, and
every other character as it is, control and non-BMP characters included
(checked by running `print x = <literal>`). It does not read
`\\uXXXX` (it yields the letter `u` and the digits), and a raw carriage
return ends the token with a syntax error, so the encoder writes the escapes
above and passes everything else through raw.
"""

from __future__ import annotations

import re

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def check_representable(value: str) -> None:
    """Raise ValueError when `value` cannot be written as a KQL string literal.

    A NUL character has no escape that duckdb-kql reads, and a lone UTF-16
    surrogate (from a badly decoded feed) cannot be encoded as UTF-8 at all.
    """
    if "\x00" in value:
        raise ValueError(
            f"value {value!r} contains a NUL character, which a KQL string cannot hold; "
            "remove it from the feed or the exclusion"
        )
    for char in value:
        if "\ud800" <= char <= "\udfff":
            raise ValueError(
                f"value {value!r} contains a lone surrogate U+{ord(char):04X}, which is not valid text; "
                "re-export the feed as UTF-8"
            )


def string_literal(value: str) -> str:
    """Return `value` as a double-quoted KQL string literal that evaluates back to `value`.

    Raises ValueError for a value KQL cannot hold (see `check_representable`).
    """
    check_representable(value)
    out = ['"']
    for char in value:
        out.append(_ESCAPES.get(char, char))
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
