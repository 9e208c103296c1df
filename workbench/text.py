"""The one sanitiser for every string that came from data.

Cells, indicator values and service error texts can carry terminal escape
sequences (set title, OSC 52 clipboard writes, 8-bit CSI), bidirectional
overrides and zero-width characters. Textual and Rich pass many of them
through to the terminal, so each is replaced by a visible escape such as
`\\x1b` or `\\u202e` before it reaches a widget. Markup is never interpreted:
callers put the result into `rich.text.Text`, never into a markup string.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime

_INVISIBLE = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f",  # zero-width and directional marks
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # bidirectional embeddings and overrides
    "\u2060", "\u2061", "\u2062", "\u2063", "\u2064",  # word joiner and invisible operators
    "\u2066", "\u2067", "\u2068", "\u2069",  # bidirectional isolates
    "\ufeff", "\u061c", "\u180e",
}


def _escape_char(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def sanitize(value: str, *, keep_newlines: bool = False) -> str:
    """Return `value` with control, bidirectional and zero-width characters shown as escapes.

    With `keep_newlines`, `\\n` and `\\t` stay as they are (for multi-line
    detail views); everything else that could move the cursor is escaped.
    """
    if value.isprintable() and not any(char in _INVISIBLE for char in value):
        return value
    out: list[str] = []
    for char in value:
        if keep_newlines and char in "\n\t":
            out.append(char)
        elif char in _INVISIBLE:
            out.append(_escape_char(char))
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn") and char != " ":
            out.append(_escape_char(char))
        else:
            out.append(char)
    return "".join(out)


def display_value(value: object) -> str:
    """Return a cell value as one sanitised line of text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" if value.utcoffset() is not None else value.isoformat()
    if isinstance(value, (dict, list)):
        return sanitize(json.dumps(value, ensure_ascii=False, default=str))
    if isinstance(value, bool):
        return "true" if value else "false"
    return sanitize(str(value))


_UNSAFE_FOR_CELLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c\u180e\u2028\u2029]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def visible_controls(text: str) -> str:
    """Return `text` with each unsafe character replaced by one visible cell.

    For editable fields, where the text must keep its length so the cursor
    stays in place: C0 controls become Control Pictures (ESC is drawn as
    U+241B), DEL as U+2421, and C1, bidirectional and zero-width characters
    as U+FFFD. `sanitize` is for text that is only read.
    """
    if not _UNSAFE_FOR_CELLS.search(text):
        return text
    return _UNSAFE_FOR_CELLS.sub(_picture, text)


def plural(count: int, noun: str) -> str:
    """Return `count noun` with an `s` unless the count is 1: `1 row`, `76 rows`."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"
