"""Load a feed of any supported format, detected from its content, and merge feeds.

Detection looks at the content, not the file name, because exports are often
renamed (`iocs.txt` containing JSON). JSON is recognised by its keys
(`query_status`, `objects`, `Event`, ids mapped to `ioc_value` lists). Text is
a ThreatFox CSV export when it has the export's header, a hunt package when it
has an IOC table or scenarios, and otherwise plain or defanged text.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from workbench.iocs import huntpackage, misp, stix, text, threatfox
from workbench.iocs.entries import merge_into
from workbench.iocs.model import FeedError, FeedLoad, Indicator

log = logging.getLogger(__name__)

DEMO_FEED_NAME = "demo_feed.json"
DEMO_SOURCE = "threatfox-demo"


def load_feed(path: Path) -> FeedLoad:
    """Read and parse the feed file at `path`; raise FeedError when nothing in it can be read."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FeedError(f"feed file {path} not found; check the path") from None
    except IsADirectoryError:
        raise FeedError(f"{path} is a folder; give a feed file") from None
    except OSError as error:
        raise FeedError(f"feed file {path} cannot be read: {error.strerror or error}") from None

    feed_text = decode_feed(data, str(path))
    try:
        load = _parse(feed_text, detect_only=False, source=path.name)
    except FeedError as error:
        raise FeedError(f"feed file {path}: {error}") from None
    log.info(
        "loaded feed %s as %s: %d indicators, %d rejected",
        path, load.format, len(load.indicators), len(load.rejected),
    )
    return load


def decode_feed(data: bytes, name: str) -> str:
    """Decode feed bytes as UTF-8 (with or without BOM); raise FeedError for binary or other encodings."""
    if b"\x00" in data[:8192]:
        raise FeedError(f"feed file {name} is binary data, not a feed; give a JSON, CSV, STIX, MISP, markdown or text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FeedError(
            f"feed file {name} is not UTF-8 text (invalid byte at offset {error.start}); "
            "save it as UTF-8 or check that it is a feed file"
        ) from None


def detect_format(feed_text: str) -> str:
    """Return the format name of a feed's content; raise FeedError for empty or broken JSON content."""
    return _parse(feed_text, detect_only=True).format


def parse_feed_text(feed_text: str, source: str) -> FeedLoad:
    """Parse a feed's text in whichever format it is; raise FeedError when nothing can be read.

    A feed whose every entry is rejected still returns a FeedLoad, so the
    caller can show each rejection; FeedError means the text itself is
    unreadable (empty, truncated or unknown JSON, a ThreatFox error response).
    """
    try:
        return _parse(feed_text, detect_only=False, source=source)
    except FeedError as error:
        raise FeedError(f"{source}: {error}") from None


def _parse(feed_text: str, detect_only: bool, source: str = "feed") -> FeedLoad:
    # Detection looks past leading blank lines, but parsers get the whole text
    # so that the line numbers in rejections match the file.
    body = feed_text.removeprefix("\ufeff")
    stripped = body.lstrip(" \t\r\n")
    if not stripped:
        raise FeedError("the feed is empty; a feed needs at least one indicator")
    if "\x00" in stripped[:8192]:
        raise FeedError("the feed is binary data, not text")

    if stripped.startswith("{") or _looks_like_json_array(stripped):
        return _parse_json(body, source, detect_only)
    if threatfox.looks_like_csv_export(stripped):
        return FeedLoad(source, "threatfox-csv") if detect_only else threatfox.parse_csv_export(body, source)
    if huntpackage.looks_like_hunt_package(stripped):
        return FeedLoad(source, "hunt-package") if detect_only else huntpackage.parse_hunt_package(body, source)
    if detect_only:
        return FeedLoad(source, "text")
    load = text.parse_text(body, source)
    if not load.indicators and not load.rejected:
        raise FeedError(
            "no indicator found in the text; expected one indicator a line, or the ThreatFox, "
            "STIX, MISP or hunt-package formats"
        )
    return load


def _looks_like_json_array(stripped: str) -> bool:
    """Return whether text starting with `[` is JSON, not a defanged value such as `[.]` or `[2001:db8::1]:443`."""
    if not stripped.startswith("["):
        return False
    rest = stripped[1:].lstrip()
    return rest[:1] in ("{", "]", '"') or rest == ""


def _parse_json(body: str, source: str, detect_only: bool) -> FeedLoad:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        at_end = error.pos >= len(body.rstrip()) - 1 or error.msg.startswith("Unterminated")
        truncated = "; the file looks truncated, so download it again" if at_end else "; fix the file or download it again"
        raise FeedError(f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}){truncated}") from None

    if threatfox.is_api_response(data):
        format_name, parser = "threatfox-api", threatfox.parse_api_response
    elif stix.is_bundle(data):
        format_name, parser = "stix21", stix.parse_bundle
    elif misp.is_event(data):
        format_name, parser = "misp", misp.parse_events
    elif threatfox.is_json_export(data):
        format_name, parser = "threatfox-json", threatfox.parse_json_export
    elif isinstance(data, dict) and data.get("type") == "indicator":
        format_name, parser = "stix21", stix.parse_bundle
        data = {"type": "bundle", "objects": [data]}
    else:
        raise FeedError(
            "JSON but not a known feed shape; expected a ThreatFox API response or JSON export, "
            "a STIX 2.1 bundle or a MISP event"
        )
    if detect_only:
        return FeedLoad(source, format_name)
    return parser(data, source)


def merge_indicators(loads: list[FeedLoad]) -> list[Indicator]:
    """Merge the indicators of several loads so that each (ioc_type, value) appears once.

    The merged indicator lists every source and the union of tags. It keeps the
    earliest first_seen, the latest last_seen and the highest confidence, and
    each text field keeps its first non-empty value. The order is that of first
    appearance.
    """
    merged: dict[tuple[str, str], Indicator] = {}
    for load in loads:
        for indicator in load.indicators:
            existing = merged.get(indicator.key)
            if existing is None:
                merged[indicator.key] = Indicator(**{**indicator.__dict__, "tags": list(indicator.tags)})
                continue
            merge_into(existing, indicator)
    return list(merged.values())


def load_demo_feed() -> FeedLoad:
    """Parse the bundled demo feed: the two Nanocore RAT C2 domains as a ThreatFox `search_ioc` response."""
    feed_text = resources.files("workbench.iocs").joinpath(DEMO_FEED_NAME).read_text(encoding="utf-8")
    return parse_feed_text(feed_text, DEMO_SOURCE)
