"""The normalised indicator (IOC) that every feed parser produces.

Field names follow ThreatFox's API, because ThreatFox is the feed analysts
meet most and its `ioc_type` names are what they already type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

IOC_TYPES = ("domain", "ip", "ip:port", "url", "md5_hash", "sha1_hash", "sha256_hash", "email")
"""Every `ioc_type` the workbench knows; ThreatFox's names plus `ip` and `email`."""


@dataclass
class Indicator:
    """One indicator after normalisation (refanged, lower-cased where case does not matter, validated)."""

    value: str
    """The normalised value: `test3012.duckdns.org`, `203.0.113.45:4782`, a lower-case hex hash."""
    ioc_type: str
    """One of `IOC_TYPES`."""
    threat_type: str = ""
    """ThreatFox threat type such as `botnet_cc` or `payload_delivery`; empty when the feed gave none."""
    malware: str = ""
    """Printable malware family name such as `NanoCore RAT`; empty when unknown."""
    first_seen: datetime | None = None
    """Aware UTC time the feed first saw the indicator; None when the feed gave none."""
    last_seen: datetime | None = None
    """Aware UTC time the feed last saw the indicator; None when the feed gave none."""
    confidence: int | None = None
    """Confidence 0-100; None when the feed gave none."""
    tags: list[str] = field(default_factory=list)
    reference: str = ""
    """A URL or text pointing at the report; empty when none."""
    source: str = ""
    """Every feed the indicator came from, comma-separated (`threatfox`, `misp:<event uuid>`, a file name)."""
    display_value: str = ""
    """The value as the feed wrote it when it differs from `value` (an IDN domain before punycode); else empty."""

    @property
    def key(self) -> tuple[str, str]:
        """Return the identity used to merge duplicates across feeds."""
        return (self.ioc_type, self.value)

    def sources(self) -> list[str]:
        return [part for part in self.source.split(",") if part]

    def port(self) -> int | None:
        """Return the port of an `ip:port` indicator, else None."""
        if self.ioc_type != "ip:port":
            return None
        return int(self.value.rsplit(":", 1)[1])

    def host(self) -> str:
        """Return the IP of an `ip:port` indicator, else the value itself."""
        if self.ioc_type == "ip:port":
            return self.value.rsplit(":", 1)[0].strip("[]")
        return self.value


@dataclass
class Rejected:
    """A feed entry that failed normalisation or validation, reported and skipped."""

    where: str
    """The line (`line 14`) or id (`id 1890121`) of the entry in its feed."""
    value: str
    """The raw value as the feed wrote it."""
    reason: str
    """Why it was rejected, in words that say how to fix it."""


@dataclass
class FeedLoad:
    """What one feed file or answer produced."""

    source: str
    """The feed's name or path."""
    format: str
    """Detected format: threatfox-api, threatfox-csv, threatfox-json, stix21, misp, text, hunt-package."""
    indicators: list[Indicator] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    queries: list[tuple[str, str]] = field(default_factory=list)
    """(title, KQL text) pairs a hunt package carried; empty for other formats."""
    exclusion_texts: list[tuple[str, str, str]] = field(default_factory=list)
    """(scenario title, description, filter text) of a hunt package's false-positive scenarios."""
    summary: str = ""
    """A hunt package's prose summary; empty for other formats."""


class FeedError(Exception):
    """A feed that could not be read at all (not a known format, unreadable, truncated)."""
