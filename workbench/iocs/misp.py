"""Parser for MISP events in the core JSON format: attributes, objects and composite types.

Only attributes with `to_ids` true are indicators; MISP marks notes, file names
and context with `to_ids` false, so those are skipped without a rejection.
Composite types (`ip-dst|port`, `domain|ip`, `filename|sha256`) are split on
`|` into the parts the workbench can hunt for. The indicator's source is
`misp:<event uuid>`, so the same event loaded from two files merges into one.
"""

from __future__ import annotations

from typing import Any

from workbench.iocs.entries import FeedBuilder, as_list, parse_time, text_or_empty
from workbench.iocs.model import FeedError, FeedLoad

_SIMPLE_TYPES = {
    "domain": "domain",
    "hostname": "domain",
    "ip-dst": "ip",
    "ip-src": "ip",
    "url": "url",
    "md5": "md5_hash",
    "sha1": "sha1_hash",
    "sha256": "sha256_hash",
    "email": "email",
    "email-src": "email",
    "email-dst": "email",
}
_PORT_TYPES = {"ip-dst|port", "ip-src|port"}
_HASH_COMPOSITES = {"filename|md5": "md5_hash", "filename|sha1": "sha1_hash", "filename|sha256": "sha256_hash"}


def is_event(data: Any) -> bool:
    if isinstance(data, dict):
        return "Event" in data or "Attribute" in data or isinstance(data.get("response"), list)
    return isinstance(data, list) and bool(data) and isinstance(data[0], dict) and "Event" in data[0]


def parse_events(data: Any, source: str) -> FeedLoad:
    """Parse one event, `{"Event": ...}`, a list of those, or a `{"response": [...]}` search response."""
    events = _events(data)
    if not events:
        raise FeedError("the MISP JSON contains no event; expected {\"Event\": {...}}")
    builder = FeedBuilder(source, "misp")
    for event in events:
        _parse_event(builder, event)
    return builder.load


def _events(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    items = data if isinstance(data, list) else [data]
    events = []
    for item in items:
        event = item.get("Event", item) if isinstance(item, dict) else None
        if isinstance(event, dict):
            events.append(event)
    return events


def _parse_event(builder: FeedBuilder, event: dict[str, Any]) -> None:
    event_uuid = text_or_empty(event.get("uuid"))
    source = f"misp:{event_uuid}" if event_uuid else builder.indicator_source
    event_tags = _tag_names(event)
    malware = _malware_from_tags(event_tags)

    attributes = [(attribute, "") for attribute in as_list(event.get("Attribute"))]
    for misp_object in as_list(event.get("Object")):
        if isinstance(misp_object, dict):
            object_name = text_or_empty(misp_object.get("name"))
            attributes.extend((attribute, object_name) for attribute in as_list(misp_object.get("Attribute")))

    for attribute, object_name in attributes:
        if not isinstance(attribute, dict):
            builder.reject("attribute", attribute, "the attribute is not a JSON object")
            continue
        if not _is_true(attribute.get("to_ids")):
            continue
        attribute_type = text_or_empty(attribute.get("type"))
        value = attribute.get("value")
        where = f"attribute {attribute.get('uuid') or attribute.get('id') or '?'}"
        if object_name:
            where += f" (object {object_name})"
        tags = event_tags + [tag for tag in _tag_names(attribute) if tag not in event_tags]
        metadata = dict(
            malware=malware,
            first_seen=parse_time(attribute.get("first_seen")),
            last_seen=parse_time(attribute.get("last_seen")),
            tags=tags,
            reference=text_or_empty(event.get("info")),
            source=source,
        )
        for part_value, ioc_type, problem in _split_attribute(attribute_type, value):
            if problem:
                builder.reject(where, part_value, problem)
            else:
                builder.add(where, part_value, ioc_type, **metadata)


def _split_attribute(attribute_type: str, value: Any) -> list[tuple[str, str | None, str]]:
    """Return (value, ioc_type, rejection reason or "") for the parts of one attribute."""
    text = value if isinstance(value, str) else ""
    if attribute_type in _SIMPLE_TYPES:
        return [(text, _SIMPLE_TYPES[attribute_type], "")]
    if attribute_type in _PORT_TYPES or attribute_type == "hostname|port":
        host, separator, port = text.rpartition("|")
        if not separator:
            return [(text, None, f"MISP type {attribute_type} needs a value such as 203.0.113.45|4782")]
        if attribute_type == "hostname|port":
            return [(host, "domain", "")]
        bracketed = f"[{host}]" if ":" in host else host
        return [(f"{bracketed}:{port}", "ip:port", "")]
    if attribute_type in ("domain|ip", "ip-dst|ip-src"):
        domain, separator, address = text.partition("|")
        if not separator:
            return [(text, None, f"MISP type {attribute_type} needs a value such as example.org|192.0.2.1")]
        return [(domain, "domain", ""), (address, "ip", "")]
    if attribute_type in _HASH_COMPOSITES:
        _, separator, digest = text.rpartition("|")
        if not separator:
            return [(text, None, f"MISP type {attribute_type} needs a value such as name.exe|<hash>")]
        return [(digest, _HASH_COMPOSITES[attribute_type], "")]
    return [(text, None, f"MISP type {attribute_type!r} has no matching indicator type, so it cannot be hunted for")]


def _is_true(value: Any) -> bool:
    return value is True or value in ("1", 1, "true", "True")


def _tag_names(item: dict[str, Any]) -> list[str]:
    names = []
    for tag in as_list(item.get("Tag")):
        name = text_or_empty(tag.get("name")) if isinstance(tag, dict) else ""
        if name and name not in names:
            names.append(name)
    return names


def _malware_from_tags(tags: list[str]) -> str:
    """Return the family from a `misp-galaxy:malpedia="..."` or `misp-galaxy:...="..."` tag, else ""."""
    for tag in tags:
        if tag.startswith("misp-galaxy:") and '="' in tag:
            galaxy, _, name = tag.partition('="')
            if galaxy.endswith(("malpedia", "rat", "ransomware", "botnet", "tool", "stealer", "backdoor")):
                return name.rstrip('"')
    return ""
