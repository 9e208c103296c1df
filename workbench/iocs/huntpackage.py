"""Parser for hunt packages: a markdown report with an IOC table, a KQL query and false-positive scenarios.

Packages are generated reports, not a fixed format, so the parser looks for
parts by their shape rather than by headings:
- the IOC table is a pipe table whose header has `Type` and `Value` columns;
- the KQL is a fenced block (```kql or ```kusto), or else the run of lines that
  starts with `//` comments or `let` and continues with `| ...` pipe lines that
  are not table rows (a table row also ends with `|`);
- a scenario is `Scenario:`, `Description:` and `Filter/Exclusion:` lines.
The summary is the prose before the first of these parts.
"""

from __future__ import annotations

import re

from workbench.iocs.entries import FeedBuilder, parse_confidence, parse_time, split_tags
from workbench.iocs.model import FeedLoad

_FENCE = re.compile(r"^\s*```+\s*(kql|kusto)\s*$", re.IGNORECASE)
_FENCE_END = re.compile(r"^\s*```+\s*$")
_SCENARIO = re.compile(r"^\s*\**\s*Scenario\s*\**\s*:\s*(.*)$", re.IGNORECASE)
_DESCRIPTION = re.compile(r"^\s*\**\s*Description\s*\**\s*:\s*(.*)$", re.IGNORECASE)
_FILTER = re.compile(r"^\s*\**\s*Filter\s*/?\s*Exclusion\s*\**\s*:\s*(.*)$", re.IGNORECASE)
_MALWARE = re.compile(r"Malware Family:\s*(.+?)(?:\s+Total IOCs:|\s*$)", re.IGNORECASE)

_TYPE_ALIASES = {
    "domain": "domain",
    "hostname": "domain",
    "ip": "ip",
    "ipv4": "ip",
    "ipv6": "ip",
    "ip:port": "ip:port",
    "url": "url",
    "md5": "md5_hash",
    "md5_hash": "md5_hash",
    "sha1": "sha1_hash",
    "sha1_hash": "sha1_hash",
    "sha256": "sha256_hash",
    "sha256_hash": "sha256_hash",
    "email": "email",
}


def looks_like_hunt_package(text: str) -> bool:
    has_table = any(_is_ioc_table_header(line) for line in text.splitlines())
    has_scenario = bool(re.search(r"^\s*\**\s*Scenario\s*\**\s*:", text, re.IGNORECASE | re.MULTILINE))
    return has_table or (has_scenario and "Filter" in text)


def parse_hunt_package(text: str, source: str) -> FeedLoad:
    builder = FeedBuilder(source, "hunt-package")
    lines = text.splitlines()
    malware_match = _MALWARE.search(text)
    malware = malware_match.group(1).strip() if malware_match else ""

    summary_lines: list[str] = []
    summary_done = False
    line_index = 0
    while line_index < len(lines):
        line = lines[line_index]
        if _is_ioc_table_header(line):
            summary_done = True
            line_index = _read_ioc_table(builder, lines, line_index, malware)
            continue
        if _FENCE.match(line):
            summary_done = True
            line_index = _read_fenced_query(builder.load, lines, line_index)
            continue
        if _starts_query(lines, line_index):
            summary_done = True
            line_index = _read_bare_query(builder.load, lines, line_index)
            continue
        if _SCENARIO.match(line):
            summary_done = True
            line_index = _read_scenario(builder.load, lines, line_index)
            continue
        if not summary_done:
            if line.strip().lower() in ("ioc summary", "## ioc summary", "# ioc summary"):
                summary_done = True
            elif line.strip():
                summary_lines.append(line.strip().lstrip("# ").strip())
        line_index += 1

    builder.load.summary = "\n".join(summary_lines)
    return builder.load


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1


def _is_ioc_table_header(line: str) -> bool:
    if not _is_table_row(line):
        return False
    names = [cell.lower() for cell in _cells(line)]
    return "type" in names and ("value" in names or "ioc" in names or "indicator" in names)


def _read_ioc_table(builder: FeedBuilder, lines: list[str], start: int, malware: str) -> int:
    """Add the table's rows as indicators and return the index of the first line after the table."""
    names = [cell.lower() for cell in _cells(lines[start])]
    value_column = next(name for name in ("value", "ioc", "indicator") if name in names)
    index = start + 1
    while index < len(lines) and _is_table_row(lines[index]):
        cells = _cells(lines[index])
        where = f"line {index + 1}"
        index += 1
        if all(set(cell) <= set("-: ") for cell in cells):
            continue
        if len(cells) != len(names):
            builder.reject(where, lines[index - 1].strip(), f"the table row has {len(cells)} cells but the header has {len(names)}")
            continue
        row = dict(zip(names, cells))
        type_text = row.get("type", "").strip("`").lower()
        ioc_type = _TYPE_ALIASES.get(type_text)
        value = row[value_column].strip("`")
        if ioc_type is None:
            builder.reject(where, value, f"IOC type {type_text!r} is not supported; supported types: {', '.join(sorted(set(_TYPE_ALIASES.values())))}")
            continue
        builder.add(
            where,
            value,
            ioc_type,
            threat_type=row.get("threat type", ""),
            malware=row.get("malware", "") or malware,
            first_seen=parse_time(row.get("first seen")),
            last_seen=parse_time(row.get("last seen")),
            confidence=parse_confidence(row.get("confidence")),
            tags=split_tags(row.get("tags")),
        )
    return index


def _read_fenced_query(load: FeedLoad, lines: list[str], start: int) -> int:
    index = start + 1
    body: list[str] = []
    while index < len(lines) and not _FENCE_END.match(lines[index]):
        body.append(lines[index])
        index += 1
    _add_query(load, body)
    return index + 1


def _starts_query(lines: list[str], index: int) -> bool:
    """Return whether an unfenced KQL query starts at `index`: `//` or `let`, or a table name followed by `| ...`."""
    stripped = lines[index].strip()
    if stripped.startswith("//") or re.match(r"^let\s+\w+\s*=", stripped):
        return True
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", stripped) and index + 1 < len(lines):
        following = lines[index + 1].strip()
        return following.startswith("|") and not _is_table_row(following)
    return False


def _read_bare_query(load: FeedLoad, lines: list[str], start: int) -> int:
    index = start
    body: list[str] = []
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if not stripped or _is_table_row(line) or _SCENARIO.match(line) or _FENCE.match(line):
            break
        if body and not _continues_query(stripped, lines, index):
            break
        body.append(line.rstrip())
        index += 1
    _add_query(load, body)
    return index


def _continues_query(stripped: str, lines: list[str], index: int) -> bool:
    """Return whether a line belongs to the query above it rather than to the prose after it."""
    if stripped.startswith(("|", "//", "let ", "(", ")", "and ", "or ", "on ", ",")):
        return True
    if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", stripped) and index + 1 < len(lines):
        following = lines[index + 1].strip()
        return following.startswith("|") and not _is_table_row(following)
    return False


def _add_query(load: FeedLoad, body: list[str]) -> None:
    text = "\n".join(body).strip("\n")
    if not text.strip():
        return
    title = ""
    for line in body:
        stripped = line.strip()
        if stripped.startswith("//"):
            title = stripped.lstrip("/ ").strip()
            break
    load.queries.append((title or f"Hunt package query {len(load.queries) + 1}", text))


def _read_scenario(load: FeedLoad, lines: list[str], start: int) -> int:
    """Read one Scenario/Description/Filter group; a truncated group keeps what it has."""
    title = _SCENARIO.match(lines[start]).group(1).strip()
    description = ""
    filter_text = ""
    index = start + 1
    while index < len(lines):
        line = lines[index]
        if _SCENARIO.match(line) or _is_table_row(line) or _FENCE.match(line):
            break
        if match := _DESCRIPTION.match(line):
            description = match.group(1).strip()
        elif match := _FILTER.match(line):
            filter_text = match.group(1).strip()
        elif line.strip():
            if filter_text:
                filter_text += " " + line.strip()
            elif description:
                description += " " + line.strip()
        index += 1
    if filter_text.count("`") % 2 == 1 and filter_text.endswith("`"):
        # A generated package can stop mid-sentence after an opening backtick.
        filter_text = filter_text[:-1].rstrip()
    load.exclusion_texts.append((title, description, filter_text))
    return index
