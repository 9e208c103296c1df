"""Export a session's queries as Microsoft Sentinel hunting-query YAML files.

The layout follows the hunting queries of the Azure-Sentinel community
repository: `id` (a GUID), `name`, `description`, `requiredDataConnectors`
(connector id plus the tables it fills), `tactics`, `relevantTechniques`
and `query`. The `id` is a UUID 5 of the session id and query id, so
exporting the same hunt again overwrites the same Sentinel query instead of
adding a copy.

The YAML is written by hand, so the workbench needs no YAML library. Every
scalar from data is double-quoted with escapes, except the query, which is
a literal block scalar (`query: |`) so it stays readable. A query that a
block scalar cannot hold exactly (control characters, or the YAML 1.1 line
breaks U+0085, U+2028 and U+2029) is written double-quoted instead.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from workbench.sessions.model import QueryRecord, Session

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "sentinel.hunt-workbench")
"""The UUID 5 namespace of exported query ids; changing it would orphan every exported query."""

TABLE_CONNECTORS: dict[str, str] = {
    "DnsEvents": "DNS",
    "DeviceNetworkEvents": "MicrosoftThreatProtection",
    "DeviceFileEvents": "MicrosoftThreatProtection",
    "DeviceProcessEvents": "MicrosoftThreatProtection",
    "DeviceEvents": "MicrosoftThreatProtection",
    "DeviceRegistryEvents": "MicrosoftThreatProtection",
    "CommonSecurityLog": "CEF",
    "SecurityEvent": "SecurityEvents",
    "Syslog": "Syslog",
    "SigninLogs": "AzureActiveDirectory",
    "AuditLogs": "AzureActiveDirectory",
    "OfficeActivity": "Office365",
    "AzureActivity": "AzureActivity",
    "ThreatIntelligenceIndicator": "ThreatIntelligence",
}
"""Table name to the Sentinel data connector id that fills it."""

THREAT_TYPE_ATTACK: dict[str, tuple[str, str]] = {
    "botnet_cc": ("CommandAndControl", "T1071"),
    "payload_delivery": ("CommandAndControl", "T1105"),
    "payload": ("Execution", "T1204"),
}
"""ThreatFox threat type to the ATT&CK tactic and technique a hunt for it covers."""


def sentinel_query_id(session: Session, query: QueryRecord) -> str:
    """Return the GUID of the exported query, the same for every export of this session and query."""
    return str(uuid.uuid5(NAMESPACE, f"{session.id}/{query.id}"))


def required_connectors(query_text: str) -> list[tuple[str, list[str]]]:
    """Return (connector id, tables) for each known table the query text names, in first-use order."""
    found: dict[str, list[str]] = {}
    positions = []
    for table, connector in TABLE_CONNECTORS.items():
        match = re.search(rf"(?<![\w.]){re.escape(table)}\b", query_text)
        if match:
            positions.append((match.start(), table, connector))
    for _, table, connector in sorted(positions):
        found.setdefault(connector, []).append(table)
    return list(found.items())


def attack_mapping(session: Session) -> tuple[list[str], list[str]]:
    """Return the tactics and techniques implied by the threat types of the session's indicators.

    Indicators are not tied to single queries in a session, so every query of
    the session gets the same mapping.
    """
    tactics: list[str] = []
    techniques: list[str] = []
    for indicator in session.indicators:
        pair = THREAT_TYPE_ATTACK.get(indicator.threat_type)
        if pair is None:
            continue
        if pair[0] not in tactics:
            tactics.append(pair[0])
        if pair[1] not in techniques:
            techniques.append(pair[1])
    return tactics, techniques


def render_hunting_query(session: Session, query: QueryRecord) -> str:
    """Return the Sentinel hunting-query YAML of one query."""
    tactics, techniques = attack_mapping(session)
    title = query.title.strip().rstrip(".") or query.id
    description = f'{title}. Exported by hunt-workbench from the hunt "{session.title}" (session {session.id}).'
    lines = [
        f"id: {sentinel_query_id(session, query)}",
        f"name: {quoted(query.title or query.id)}",
        f"description: {quoted(description)}",
    ]
    connectors = required_connectors(query.text)
    if connectors:
        lines.append("requiredDataConnectors:")
        for connector, tables in connectors:
            lines.append(f"  - connectorId: {quoted(connector)}")
            lines.append("    dataTypes:")
            lines.extend(f"      - {quoted(table)}" for table in tables)
    else:
        lines.append("requiredDataConnectors: []")
    lines.append(_sequence("tactics", tactics))
    lines.append(_sequence("relevantTechniques", techniques))
    lines.append(query_field(query.text))
    return "\n".join(lines) + "\n"


def _sequence(key: str, items: list[str]) -> str:
    if not items:
        return f"{key}: []"
    return f"{key}:\n" + "\n".join(f"  - {quoted(item)}" for item in items)


def query_field(text: str) -> str:
    """Return `query: |` with the text as a literal block, or a quoted scalar when a block cannot hold it."""
    body = text.replace("\r\n", "\n").rstrip()
    if not body or not _block_safe(body):
        return f"query: {quoted(text)}"
    lines = body.split("\n")
    first = next(line for line in lines if line.strip())
    # YAML takes the block's indentation from its first non-empty line unless an indicator gives it.
    indicator = "|2" if first.startswith((" ", "\t")) or not lines[0].strip() else "|"
    block = "\n".join(f"  {line}" if line else "" for line in lines)
    return f"query: {indicator}\n{block}"


def _block_safe(text: str) -> bool:
    """Return True when every character can stand as itself in a YAML literal block."""
    for char in text:
        code = ord(char)
        if char in "\n\t":
            continue
        if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
            return False
        if char in "\u2028\u2029\ufeff" or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return False
    return True


def quoted(value: str) -> str:
    """Return `value` as a YAML double-quoted scalar, escaping what YAML does not allow raw."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
            out.append(f"\\x{code:02x}")
        elif char in "\u2028\u2029\ufeff" or code in (0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def export_hunting_queries(session: Session, folder: Path) -> list[Path]:
    """Write one `<session id>-<query id>.yaml` per query into `folder` and return the paths.

    Raises OSError when the folder cannot be created or a file written.
    """
    folder = Path(folder).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for query in session.queries:
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{session.id}-{query.id}").strip(".-") or "query"
        path = folder / f"{name}.yaml"
        write_private(path, render_hunting_query(session, query))
        written.append(path)
    return written


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path` with mode 0600 for a new file, since exports name hosts and indicators."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
