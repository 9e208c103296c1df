"""Parser for STIX 2.1 bundles: indicators whose `stix` pattern names an observable value.

Patterns go through `stix2-patterns` (the OASIS grammar), never string
splitting, because values can hold `=`, `]`, `AND` or an escaped quote. Each
equality comparison on a supported object path becomes one indicator; a
`network-traffic` observation with both `dst_ref.value` and `dst_port` becomes
one `ip:port`. Comparisons on paths the workbench cannot hunt for (`file:name`,
`process:*`) and non-equality operators (`LIKE`, `MATCHES`) are rejected with
the reason, as are revoked indicators and non-`stix` pattern types.

The malware name comes from `indicates` relationships to `malware` objects,
else from the indicator's `labels`.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.iocs.entries import FeedBuilder, as_list, parse_confidence, parse_time, split_tags, text_or_empty
from workbench.iocs.model import FeedLoad

_SIMPLE_PATHS = {
    ("domain-name", ("value",)): "domain",
    ("ipv4-addr", ("value",)): "ip",
    ("ipv6-addr", ("value",)): "ip",
    ("url", ("value",)): "url",
    ("email-addr", ("value",)): "email",
    ("file", ("hashes", "MD5")): "md5_hash",
    ("file", ("hashes", "SHA-1")): "sha1_hash",
    ("file", ("hashes", "SHA1")): "sha1_hash",
    ("file", ("hashes", "SHA-256")): "sha256_hash",
    ("file", ("hashes", "SHA256")): "sha256_hash",
}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


def is_bundle(data: Any) -> bool:
    return isinstance(data, dict) and (data.get("type") == "bundle" or isinstance(data.get("objects"), list))


def parse_bundle(data: dict[str, Any], source: str) -> FeedLoad:
    # Imported here because the ANTLR runtime behind stix2-patterns adds about
    # 30 ms to start-up, which only STIX feeds should pay.
    from stix2patterns.exceptions import ParseException
    from stix2patterns.v21.pattern import Pattern

    builder = FeedBuilder(source, "stix21")
    objects = [item for item in as_list(data.get("objects")) if isinstance(item, dict)]
    malware_names = _malware_by_indicator(objects)

    for item in objects:
        if item.get("type") != "indicator":
            continue
        indicator_id = text_or_empty(item.get("id")) or "indicator without id"
        where = f"id {indicator_id}"
        pattern_text = item.get("pattern")
        if item.get("revoked") is True:
            builder.reject(where, pattern_text or "", "the indicator is revoked")
            continue
        pattern_type = item.get("pattern_type", "stix")
        if pattern_type != "stix":
            builder.reject(where, pattern_text or "", f"pattern_type {pattern_type!r} is not supported; only 'stix' patterns are read")
            continue
        if not isinstance(pattern_text, str) or not pattern_text.strip():
            builder.reject(where, "", "the indicator has no pattern")
            continue
        try:
            comparisons = Pattern(pattern_text).inspect().comparisons
        except ParseException as error:
            builder.reject(where, pattern_text, f"the STIX pattern is invalid: {error}")
            continue

        labels = split_tags(item.get("labels"))
        metadata = dict(
            malware=malware_names.get(indicator_id, "") or (labels[0] if labels else ""),
            first_seen=parse_time(item.get("valid_from") or item.get("created")),
            last_seen=parse_time(item.get("valid_until")),
            confidence=parse_confidence(item.get("confidence")),
            tags=labels,
            reference=_reference(item),
        )
        for value, ioc_type, problem in _observables(comparisons):
            if problem:
                builder.reject(where, value, problem)
            else:
                builder.add(where, value, ioc_type, **metadata)
    return builder.load


def _observables(comparisons: dict[str, list[tuple]]) -> list[tuple[str, str | None, str]]:
    """Return (value, ioc_type, rejection reason or "") for each comparison of a parsed pattern."""
    found: list[tuple[str, str | None, str]] = []
    for object_type, entries in comparisons.items():
        if object_type == "network-traffic":
            found.extend(_network_traffic(entries))
            continue
        for path, operator, literal in entries:
            path_key = tuple(str(step) for step in path)
            value = _literal_value(literal)
            readable_path = f"{object_type}:{'.'.join(path_key)}"
            ioc_type = _SIMPLE_PATHS.get((object_type, path_key))
            if ioc_type is None:
                found.append((value, None, f"{readable_path} is not an indicator type the workbench can hunt for"))
            elif operator != "=":
                found.append((value, None, f"{readable_path} uses operator {operator}; only = comparisons name one value"))
            else:
                found.append((value, ioc_type, ""))
    return found


def _network_traffic(entries: list[tuple]) -> list[tuple[str, str | None, str]]:
    """Combine `dst_ref.value` and `dst_port` of one observation into an `ip:port` or `ip`."""
    address = ""
    port = ""
    for path, operator, literal in entries:
        path_key = tuple(str(step) for step in path)
        if operator != "=":
            continue
        if path_key == ("dst_ref", "value"):
            address = _literal_value(literal)
        elif path_key == ("dst_port",):
            port = _literal_value(literal)
    if address and port:
        host = f"[{address}]" if ":" in address else address
        return [(f"{host}:{port}", "ip:port", "")]
    if address:
        return [(address, "ip", "")]
    return [("network-traffic", None, "the network-traffic pattern names no dst_ref.value address")]


def _literal_value(literal: str) -> str:
    """Turn a pattern literal (`'o\\'brien'`, `4782`, `h'0a'`) into its value; STIX escapes only ' and \\."""
    if len(literal) >= 2 and literal.startswith("'") and literal.endswith("'"):
        return _ESCAPE.sub(lambda match: match.group(1), literal[1:-1])
    return literal


def _malware_by_indicator(objects: list[dict[str, Any]]) -> dict[str, str]:
    malware = {item["id"]: text_or_empty(item.get("name")) for item in objects if item.get("type") == "malware" and "id" in item}
    names: dict[str, str] = {}
    for item in objects:
        if item.get("type") == "relationship" and item.get("relationship_type") == "indicates":
            name = malware.get(item.get("target_ref", ""))
            if name:
                names[text_or_empty(item.get("source_ref"))] = name
    return names


def _reference(item: dict[str, Any]) -> str:
    for reference in as_list(item.get("external_references")):
        if isinstance(reference, dict) and reference.get("url"):
            return str(reference["url"])
    return ""
