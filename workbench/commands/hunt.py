"""`workbench hunt`: print the KQL hunts generated from IOC feed files.

The hunts are printed, not run, so they can be reviewed, pasted into the
portal or piped into `workbench run`. Each hunt is preceded by a `//`
comment line with its title and indicator count, and hunts are separated
by a blank line. Exit code: 0 all entries loaded, 1 some feed entries were
rejected (listed on stderr), 2 nothing to hunt for.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from workbench.cli import EXIT_FINDING, EXIT_OK, CommandError
from workbench.iocs import FeedError, load_feed, merge_indicators
from workbench.kql.hunts import build_hunts, hunt_tables
from workbench.text import sanitize

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hunt",
        help="print KQL hunts for the indicators of IOC feed files",
        description="Load IOC feeds and print one KQL hunt per table that can show their indicators. "
        "Domains match the domain and its subdomains only. "
        "Exit code: 0 all loaded, 1 some feed entries rejected, 2 nothing to hunt for.",
    )
    parser.add_argument(
        "--iocs", metavar="PATH", action="append", required=True, type=Path,
        help="feed file (ThreatFox, STIX 2.1, MISP, plain text, hunt package); repeat for several",
    )
    parser.add_argument(
        "--table", metavar="TABLE", action="append", dest="tables",
        help=f"hunt only in this table; repeat for several (default: every table a template covers: "
        f"{', '.join(hunt_tables())})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, config) -> int:
    loads = []
    for path in args.iocs:
        try:
            loads.append(load_feed(path))
        except FeedError as error:
            raise CommandError(str(error)) from None

    rejected = 0
    for load in loads:
        for entry in load.rejected:
            message = f"{load.source}: {entry.where}: rejected {entry.value!r}: {entry.reason}"
            print(f"workbench: {sanitize(message)}", file=sys.stderr)
            rejected += 1

    indicators = merge_indicators(loads)
    if not indicators:
        raise CommandError("the feeds contain no valid indicator; check the files with `workbench iocs PATH`")

    try:
        hunts = build_hunts(indicators, only_tables=args.tables)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if not hunts:
        types = sorted({indicator.ioc_type for indicator in indicators})
        raise CommandError(
            f"no hunt template covers indicators of type {', '.join(types)} in the tables chosen; "
            "pick other tables with --table or leave it out"
        )

    blocks = []
    for hunt in hunts:
        noun = "indicator" if hunt.indicator_count == 1 else "indicators"
        blocks.append(f"// {hunt.title} ({hunt.indicator_count} {noun})\n{hunt.text}")
    print("\n\n".join(blocks))
    log.info("printed %d hunts for %d indicators", len(hunts), len(indicators))
    return EXIT_FINDING if rejected else EXIT_OK
