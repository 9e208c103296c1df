"""`workbench iocs`: load feed files, print the normalised indicators, report rejected entries.

Indicators from every feed are merged (one line per type and value, listing
all sources) and printed to stdout as JSON lines, CSV or a text table.
Rejected entries and unreadable feeds go to stderr. The exit code is 0 when
everything loaded, 1 when entries or feeds were rejected or a live feed fell
back to its cached copy, 2 when nothing could be read.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import unicodedata
from pathlib import Path
from typing import TextIO

from workbench.cli import EXIT_ERROR, EXIT_FINDING, EXIT_OK, CommandError
from workbench.iocs import FeedError, FeedLoad, Indicator, load_demo_feed, load_feed, merge_indicators

log = logging.getLogger(__name__)

OUTPUT_FORMATS = ("table", "jsonl", "csv")
OUTPUT_FIELDS = (
    "ioc_type", "value", "display_value", "threat_type", "malware",
    "first_seen", "last_seen", "confidence", "tags", "reference", "source",
)
TABLE_FIELDS = ("ioc_type", "value", "threat_type", "malware", "first_seen", "confidence", "source")
TABLE_MAX_WIDTH = 60
"""Characters a table cell shows before it is cut with `…`; jsonl and csv are never cut."""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "iocs",
        help="print the normalised indicators of feed files",
        description="Load IOC feeds (ThreatFox API JSON, CSV or JSON export, STIX 2.1, MISP, "
        "plain or defanged text, hunt packages; the format is detected from the content), "
        "print the merged indicators and report rejected entries on stderr. "
        "Exit code: 0 all loaded, 1 some entries or feeds rejected or a live feed fell back to its cached copy, "
        "2 nothing could be read.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="feed files to load")
    parser.add_argument(
        "--format", choices=OUTPUT_FORMATS, default="table", dest="output_format",
        help="output format: table (default), jsonl (one JSON object a line) or csv",
    )
    parser.add_argument("--demo", action="store_true", help="also load the bundled demo feed (two Nanocore RAT C2 domains)")
    parser.add_argument(
        "--threatfox", metavar="NAME", action="append", default=[],
        help="also load the live ThreatFox feed named NAME in the config's [[feeds]] (kind = \"threatfox\"); "
        "repeat for several. The cached copy is used unless --refresh is given",
    )
    parser.add_argument("--refresh", action="store_true", help="request fresh data for --threatfox feeds instead of the cached copy")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config) -> int:
    if not args.paths and not args.demo and not args.threatfox:
        raise CommandError("give at least one feed file, --threatfox NAME for a live feed, or --demo for the bundled demo feed")
    live_feeds = [_threatfox_feed(config, name) for name in args.threatfox]

    loads: list[FeedLoad] = []
    failed_feeds = 0
    if args.demo:
        loads.append(load_demo_feed())
    for feed in live_feeds:
        load, usable = _load_live(feed, args.refresh)
        if load is not None:
            loads.append(load)
        if not usable:
            failed_feeds += 1
    for path_text in args.paths:
        try:
            loads.append(load_feed(Path(path_text)))
        except FeedError as error:
            failed_feeds += 1
            log.warning("feed %s not loaded: %s", path_text, error)
            print(f"workbench: {_printable(str(error))}", file=sys.stderr)

    if not loads:
        return EXIT_ERROR

    rejected_count = report_rejected(loads, sys.stderr)
    try:
        write_indicators(merge_indicators(loads), args.output_format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (`| head`) closed the pipe: stop quietly, as other Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    if rejected_count or failed_feeds:
        return EXIT_FINDING
    return EXIT_OK


def _threatfox_feed(config, name: str):
    for feed in config.feeds:
        if feed.name == name and feed.kind == "threatfox":
            return feed
    known = ", ".join(feed.name for feed in config.feeds if feed.kind == "threatfox") or "none"
    raise CommandError(f"no ThreatFox feed named {name!r} in the config; add a [[feeds]] entry with kind = \"threatfox\" (configured: {known})")


def _load_live(feed, refresh: bool) -> tuple[FeedLoad | None, bool]:
    """Fetch one live feed; return its load (None when nothing could be read) and whether it is as requested."""
    from workbench.iocs.live import ThreatFoxClient

    try:
        result = ThreatFoxClient(feed).fetch(refresh=refresh)
    except FeedError as error:
        log.warning("ThreatFox feed %s not loaded: %s", feed.name, error)
        print(f"workbench: {_printable(str(error))}", file=sys.stderr)
        return None, False
    if result.refresh_error:
        hours = result.age.total_seconds() / 3600
        print(
            f"workbench: ThreatFox feed {feed.name!r}: refresh failed ({_printable(result.refresh_error)}); "
            f"using the cached copy from {result.fetched_at:%Y-%m-%d %H:%M} UTC ({hours:.1f} hours old)",
            file=sys.stderr,
        )
        return result.load, False
    return result.load, True


def report_rejected(loads: list[FeedLoad], stream: TextIO) -> int:
    """Write one line per rejected entry to `stream` and return how many there were."""
    count = 0
    for load in loads:
        for rejected in load.rejected:
            count += 1
            stream.write(f"{load.source}: {rejected.where}: rejected {_printable(repr(rejected.value))}: {_printable(rejected.reason)}\n")
    return count


def write_indicators(indicators: list[Indicator], output_format: str, stream: TextIO) -> None:
    rows = [_row(indicator) for indicator in indicators]
    if output_format == "jsonl":
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif output_format == "csv":
        writer = csv.DictWriter(stream, fieldnames=OUTPUT_FIELDS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "tags": ",".join(row["tags"]), "confidence": "" if row["confidence"] is None else row["confidence"]})
    else:
        _write_table(rows, stream)


def _row(indicator: Indicator) -> dict:
    return {
        "ioc_type": indicator.ioc_type,
        "value": indicator.value,
        "display_value": indicator.display_value,
        "threat_type": indicator.threat_type,
        "malware": indicator.malware,
        "first_seen": indicator.first_seen.isoformat().replace("+00:00", "Z") if indicator.first_seen else "",
        "last_seen": indicator.last_seen.isoformat().replace("+00:00", "Z") if indicator.last_seen else "",
        "confidence": indicator.confidence,
        "tags": list(indicator.tags),
        "reference": indicator.reference,
        "source": indicator.source,
    }


def _write_table(rows: list[dict], stream: TextIO) -> None:
    cells = [[_cell(row[name]) for name in TABLE_FIELDS] for row in rows]
    widths = [max([len(name)] + [len(line[position]) for line in cells]) for position, name in enumerate(TABLE_FIELDS)]
    stream.write("  ".join(name.ljust(width) for name, width in zip(TABLE_FIELDS, widths)).rstrip() + "\n")
    for line in cells:
        stream.write("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() + "\n")


def _cell(value) -> str:
    text = "" if value is None else _printable(str(value))
    if len(text) > TABLE_MAX_WIDTH:
        return text[: TABLE_MAX_WIDTH - 1] + "…"
    return text


def _printable(text: str) -> str:
    """Escape control, format (bidi, zero-width) and separator characters so feed text cannot drive the terminal."""
    escaped = []
    for character in text:
        if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp"):
            escaped.append(f"\\u{ord(character):04x}")
        else:
            escaped.append(character)
    return "".join(escaped)
