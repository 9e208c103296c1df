"""Parser for plain or defanged text: one indicator a line, or indicators inside prose.

A line containing one token is one entry and must be a valid indicator. A line
of several tokens is read as a sentence of a report. There a token counts as
an entry when it was defanged or looks like an indicator, and other words are
skipped as prose.
Each whitespace-separated token yields at most one indicator, so the IP inside
`hxxp://198.51.100[.]7/x` is not also reported as an `ip`.
"""

from __future__ import annotations

from workbench.iocs.entries import FeedBuilder
from workbench.iocs.model import FeedLoad
from workbench.iocs.normalise import detect_type, refang

COMMENT_PREFIXES = ("#", "//", ";")
_LEADING_PUNCTUATION = "\"'<(`"
_TRAILING_PUNCTUATION = "\"'>),;:`."

FILE_EXTENSIONS = frozenset(
    "exe dll sys scr bat cmd ps1 vbs js jar msi zip rar 7z gz tar iso lnk hta doc docx xls xlsx xlsm pdf "
    "txt log tmp dat bin py sh elf apk json csv xml html htm md yml yaml toml ini cfg conf".split()
)
"""Last labels that make a prose token a file name, not a domain (`invoice.exe`, `update.ps1`).

NOTE: `.zip` and `.py` are also real top-level domains; in prose they are read
as file names. A line containing only such a name is still read as a domain.
"""


def parse_text(text: str, source: str) -> FeedLoad:
    builder = FeedBuilder(source, "text")
    for line_number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped or stripped.startswith(COMMENT_PREFIXES) or set(stripped) <= set("|-: "):
            continue
        where = f"line {line_number}"
        tokens = stripped.split()
        if len(tokens) == 1:
            builder.add(where, _trim(tokens[0]), None)
            continue
        for token in tokens:
            candidate = _trim(token)
            if candidate and _is_prose_indicator(candidate):
                builder.add(where, candidate, None)
    return builder.load


def _trim(token: str) -> str:
    return token.lstrip(_LEADING_PUNCTUATION).rstrip(_TRAILING_PUNCTUATION)


def _is_prose_indicator(token: str) -> bool:
    """Return whether a token inside a sentence is meant as an indicator."""
    plain = refang(token)
    if plain != token:
        return True
    try:
        ioc_type = detect_type(plain)
    except ValueError:
        return False
    if ioc_type == "domain":
        last_label = plain.rstrip(".").rsplit(".", 1)[-1].lower()
        return last_label.isalpha() and last_label not in FILE_EXTENSIONS and len(last_label) >= 2
    if ioc_type == "email":
        return "." in plain.rpartition("@")[2]
    return True
