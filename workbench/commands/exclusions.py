"""`workbench exclusions lint PATH`: report problems with a session's exclusions or a hunt package's filters.

A session file (TOML) has its exclusions linted against the built-in
schemas of the Sentinel tables. A hunt package (markdown) has each
scenario's `Filter/Exclusion:` text turned into candidate exclusions and
linted the same way, so a filter that is always true or names fields the
table lacks is caught before anyone copies it into a hunt. Exit code: 0 no
findings, 1 findings, 2 the file could not be read.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from workbench.cli import EXIT_FINDING, EXIT_OK, CommandError
from workbench.kql.lint import Finding, lint_exclusions, parse_filter_text
from workbench.kql.schemas import BUILTIN_SCHEMAS
from workbench.text import sanitize

log = logging.getLogger(__name__)

HUNT_PACKAGE_SUFFIXES = (".md", ".markdown")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exclusions",
        help="check false-positive exclusions",
        description="Check false-positive exclusions of a session file or a hunt package.",
    )
    commands = parser.add_subparsers(dest="exclusions_command", metavar="COMMAND", required=True)
    lint = commands.add_parser(
        "lint",
        help="report problems with the exclusions of a session file or the filters of a hunt package",
        description="Lint the exclusions of a session file (.toml) or the Filter/Exclusion texts of a "
        "hunt package (.md). Exit code: 0 no findings, 1 findings, 2 the file could not be read.",
    )
    lint.add_argument("path", metavar="PATH", type=Path, help="session file (.toml) or hunt package (.md)")
    lint.add_argument(
        "--table", metavar="TABLE",
        help="for a hunt package, the table its filters apply to "
        "(default: the first built-in table its queries name, else DnsEvents)",
    )
    lint.set_defaults(handler=run_lint)


def run_lint(args: argparse.Namespace, config) -> int:
    path: Path = args.path
    if path.suffix.lower() in HUNT_PACKAGE_SUFFIXES:
        findings = _lint_hunt_package(path, args.table)
    else:
        findings = _lint_session(path)

    # Findings quote fields and values from the file, which may carry terminal escape sequences.
    for finding in findings:
        print(sanitize(finding.describe()))
    if not findings:
        print(f"{path}: no findings")
        return EXIT_OK
    errors = sum(1 for finding in findings if finding.severity == "error")
    print(f"{path}: {errors} errors, {len(findings) - errors} warnings")
    return EXIT_FINDING


def _lint_session(path: Path) -> list[Finding]:
    from workbench.sessions.store import SessionError, load_session

    try:
        session = load_session(path)
    except SessionError as error:
        raise CommandError(str(error)) from None
    log.info("linting %d exclusions of session %s", len(session.exclusions), session.id)
    return lint_exclusions(session.exclusions)


def _lint_hunt_package(path: Path, table: str | None) -> list[Finding]:
    from workbench.iocs import FeedError, load_feed

    try:
        load = load_feed(path)
    except FeedError as error:
        raise CommandError(str(error)) from None
    if load.format != "hunt-package":
        raise CommandError(f"{path} was read as {load.format}, not as a hunt package; give a hunt package .md file")
    if not load.exclusion_texts:
        raise CommandError(f"hunt package {path} has no Filter/Exclusion lines to lint")

    table = table or _package_table(load.queries)
    findings = []
    for number, (title, _description, filter_text) in enumerate(load.exclusion_texts, start=1):
        candidates, scenario_findings = parse_filter_text(filter_text, table=table, id_prefix=f"scenario-{number}")
        log.info("scenario %d (%s): %d candidates, %d findings", number, title, len(candidates), len(scenario_findings))
        findings.extend(scenario_findings)
    return findings


def _package_table(queries: list[tuple[str, str]]) -> str:
    """Return the first built-in table a package's queries name, else DnsEvents."""
    for _title, text in queries:
        for line in text.splitlines():
            name = line.strip()
            if name in BUILTIN_SCHEMAS:
                return name
    return "DnsEvents"
