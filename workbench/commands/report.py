"""`workbench report`: write a saved hunt as Markdown or HTML, or its queries as Sentinel YAML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli import EXIT_OK, CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write a saved session as a Markdown or HTML report, or export its queries for Sentinel",
        description="Write a session as a document: summary, indicators, each query with its hits, verdicts and a "
        "sample of rows, exclusions and their lint findings. With --sentinel-yaml, also write each query as a "
        "Microsoft Sentinel hunting-query YAML file. Exit codes: 0 written, 2 an error.",
    )
    parser.add_argument("session", metavar="SESSION", help="a session file, or the id of a session in the sessions folder")
    parser.add_argument(
        "--format",
        choices=["markdown", "html"],
        help="report format (default: markdown; no report is written when only --sentinel-yaml is given)",
    )
    parser.add_argument("--output", metavar="PATH", help="report file to write (default: standard output)")
    parser.add_argument("--sentinel-yaml", metavar="DIR", help="folder to write one Sentinel hunting-query YAML file per query into")
    parser.add_argument("--sample", type=int, default=10, metavar="N", help="hit rows shown per query (default: 10)")
    parser.set_defaults(handler=report_command)


def report_command(args: argparse.Namespace, config) -> int:
    from workbench.commands.replay import resolve_session_path
    from workbench.sessions.report import render_html, render_markdown
    from workbench.sessions.sentinel import export_hunting_queries, write_private
    from workbench.sessions.store import SessionError, load_session

    if args.sample < 0:
        raise CommandError(f"--sample must be 0 or more, not {args.sample}")
    path = resolve_session_path(args.session)
    try:
        session = load_session(path)
    except SessionError as error:
        raise CommandError(str(error)) from None

    if args.sentinel_yaml:
        folder = Path(args.sentinel_yaml).expanduser()
        try:
            written = export_hunting_queries(session, folder)
        except OSError as error:
            raise CommandError(
                f"Sentinel YAML could not be written to {folder}: {error.strerror or error}. Pick a writable folder"
            ) from None
        noun = "query" if len(written) == 1 else "queries"
        print(f"workbench: wrote {len(written)} Sentinel hunting {noun} to {folder}", file=sys.stderr)
        if args.format is None and args.output is None:
            return EXIT_OK

    output_format = args.format or "markdown"
    if output_format == "html":
        text = render_html(session, sample_rows=args.sample)
    else:
        text = render_markdown(session, sample_rows=args.sample)

    if args.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    output = Path(args.output).expanduser()
    try:
        write_private(output, text)
    except OSError as error:
        raise CommandError(f"report file {output} could not be written: {error.strerror or error}. Pick a writable path") from None
    print(f"workbench: wrote the {output_format} report to {output}", file=sys.stderr)
    return EXIT_OK
