"""Helpers the format parsers share: one feed entry into an Indicator or a Rejected.

Parsers collect entries into a `FeedBuilder`, which normalises each value and
records a `Rejected` with the entry's line or id when normalisation fails, so
one bad entry never stops the rest of a feed from loading.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from workbench.iocs.model import FeedLoad, Indicator, Rejected
from workbench.iocs.normalise import normalise


def clean_source(source: str) -> str:
    """Return `source` without commas, because `Indicator.source` is a comma-separated list."""
    return source.replace(",", ";").strip()


def parse_time(value: Any) -> datetime | None:
    """Parse a feed time (`2026-06-19 08:14:02 UTC`, ISO 8601, a Unix epoch) as aware UTC, else None."""
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=timezone.utc)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=timezone.utc)
    if text.endswith(" UTC"):
        text = text[:-4]
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def parse_confidence(value: Any) -> int | None:
    """Return a 0-100 confidence from `100`, `"75"` or `"100%"`, else None."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip().rstrip("%")
    if not text.isdigit():
        return None
    number = int(text)
    return number if 0 <= number <= 100 else None


def split_tags(value: Any) -> list[str]:
    """Return tags from a list or a comma-joined string; `None` and empty parts are dropped."""
    if value is None:
        return []
    parts = value if isinstance(value, list) else str(value).split(",")
    tags = []
    for part in parts:
        tag = str(part).strip()
        if tag and tag != "None" and tag not in tags:
            tags.append(tag)
    return tags


def as_list(value: Any) -> list:
    """Return `value` when it is a list, else an empty list, so a malformed feed field reads as absent."""
    return value if isinstance(value, list) else []


def text_or_empty(value: Any) -> str:
    """Return a feed field as text, with null, `None` and non-text values as empty."""
    if value is None or value == "None" or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


class FeedBuilder:
    """Collects normalised indicators and rejected entries for one `FeedLoad`."""

    def __init__(self, source: str, format_name: str) -> None:
        self.load = FeedLoad(source=source, format=format_name)
        self.indicator_source = clean_source(source)
        self._by_key: dict[tuple[str, str], Indicator] = {}

    def reject(self, where: str, value: Any, reason: str) -> None:
        self.load.rejected.append(Rejected(where=where, value=str(value), reason=reason))

    def add(
        self,
        where: str,
        value: Any,
        ioc_type: str | None,
        *,
        threat_type: str = "",
        malware: str = "",
        first_seen: datetime | None = None,
        last_seen: datetime | None = None,
        confidence: int | None = None,
        tags: list[str] | None = None,
        reference: str = "",
        source: str | None = None,
    ) -> bool:
        """Normalise one entry and add it, or record it as rejected; return whether it was added."""
        if value is None or value == "" or value == "None":
            self.reject(where, "", "the entry has no indicator value")
            return False
        if not isinstance(value, str):
            self.reject(where, value, f"the indicator value is a {type(value).__name__}, not text")
            return False
        try:
            indicator = normalise(value, ioc_type)
        except ValueError as error:
            self.reject(where, value, str(error))
            return False
        indicator.threat_type = threat_type
        indicator.malware = malware
        indicator.first_seen = first_seen
        indicator.last_seen = last_seen
        indicator.confidence = confidence
        indicator.tags = list(tags or [])
        indicator.reference = reference
        indicator.source = clean_source(source) if source else self.indicator_source

        # A feed can name one value twice (a MISP attribute and an object
        # attribute); the load keeps one indicator per (ioc_type, value).
        existing = self._by_key.get(indicator.key)
        if existing is not None:
            merge_into(existing, indicator)
            return True
        self._by_key[indicator.key] = indicator
        self.load.indicators.append(indicator)
        return True


def merge_into(target: Indicator, other: Indicator) -> None:
    """Fold `other` into `target`: union of sources and tags, widest seen times, highest confidence."""
    sources = target.sources()
    for source in other.sources():
        if source not in sources:
            sources.append(source)
    target.source = ",".join(sources)
    for tag in other.tags:
        if tag not in target.tags:
            target.tags.append(tag)
    for name in ("threat_type", "malware", "reference", "display_value"):
        if not getattr(target, name) and getattr(other, name):
            setattr(target, name, getattr(other, name))
    if other.first_seen and (target.first_seen is None or other.first_seen < target.first_seen):
        target.first_seen = other.first_seen
    if other.last_seen and (target.last_seen is None or other.last_seen > target.last_seen):
        target.last_seen = other.last_seen
    if other.confidence is not None and (target.confidence is None or other.confidence > target.confidence):
        target.confidence = other.confidence
