"""`workbench run`: run one KQL query headless and print the rows."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime
from pathlib import Path

from workbench.cli import EXIT_OK, CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a KQL query on a workspace and print the rows",
        description="Run a KQL query on the default workspace (or --workspace) and print the rows. "
        "Exit codes: 0 success, 2 invalid query or failed run (the error on stderr).",
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--query", metavar="KQL", help="the query text")
    source.add_argument("--query-file", metavar="PATH", help="a file holding the query ('-' for stdin)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table", help="output format (default: table)")
    parser.add_argument(
        "--timespan",
        metavar="ISO",
        help="ISO 8601 window applied to TimeGenerated, such as P7D or START/END (default: [query] default_timespan)",
    )
    parser.add_argument("--all-time", action="store_true", help="apply no timespan (local workspaces only)")
    parser.set_defaults(handler=run_command)


def read_query(args: argparse.Namespace) -> str:
    if args.query is not None:
        return args.query
    if args.query_file == "-":
        return sys.stdin.read()
    path = Path(args.query_file).expanduser()
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"query file {path} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"query file {path} cannot be read: {error}") from None


def run_command(args: argparse.Namespace, config) -> int:
    from workbench.backends import open_backend
    from workbench.backends.base import QueryError, Timespan
    from workbench.backends.local import WorkspaceError
    from workbench.config import ConfigError
    from workbench.querying import run_hunt

    query = read_query(args)
    try:
        workspace = config.workspace(args.workspace)
    except ConfigError as error:
        raise CommandError(str(error)) from None
    timespan = None
    if not args.all_time:
        try:
            timespan = Timespan.parse(args.timespan or workspace.default_timespan or config.default_timespan)
        except ValueError as error:
            raise CommandError(str(error)) from None
    try:
        backend = open_backend(workspace, config)
        try:
            hunt = run_hunt(backend, query, timespan=timespan)
        finally:
            backend.close()
    except QueryError as error:
        raise CommandError(error.describe()) from None
    except WorkspaceError as error:
        raise CommandError(str(error)) from None

    result = hunt.result
    write_rows(result, args.format, sys.stdout)
    for message in result.partial_errors:
        print(f"workbench: warning: partial result: {message}", file=sys.stderr)
    if result.truncated:
        print(f"workbench: warning: the result was cut to {result.row_count} rows", file=sys.stderr)
    return EXIT_OK


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return value


def _csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(_plain(value))


def write_rows(result, output_format: str, stream) -> None:
    """Write `result` to `stream` as an aligned table, CSV or a JSON array of objects."""
    from workbench.text import display_value, sanitize

    names = result.table.column_names
    rows = result.table.to_pylist()
    if output_format == "json":
        # On a terminal, \u escapes keep C1 controls and bidirectional overrides from acting on it.
        ensure_ascii = bool(getattr(stream, "isatty", lambda: False)())
        json.dump([{name: _plain(row[name]) for name in names} for row in rows], stream, ensure_ascii=ensure_ascii, default=str, indent=2)
        stream.write("\n")
        return
    if output_format == "csv":
        # CSV for a file or a pipe keeps values as they are, because quoting carries newlines and tabs.
        # On a terminal, control characters from the data are shown as escapes instead.
        to_terminal = bool(getattr(stream, "isatty", lambda: False)())
        writer = csv.writer(stream)
        writer.writerow([display_value(name) if to_terminal else name for name in names])
        for row in rows:
            writer.writerow([sanitize(_csv_text(row[name])) if to_terminal else _csv_text(row[name]) for name in names])
        return
    cells = [[display_value(row[name]) for name in names] for row in rows]
    widths = [len(name) for name in names]
    for line in cells:
        widths = [max(width, min(len(cell), 60)) for width, cell in zip(widths, line)]
    stream.write("  ".join(name.ljust(width) for name, width in zip(names, widths)).rstrip() + "\n")
    stream.write("  ".join("-" * width for width in widths) + "\n")
    for line in cells:
        shown = [cell if len(cell) <= 60 else cell[:59] + "…" for cell in line]
        stream.write("  ".join(cell.ljust(width) for cell, width in zip(shown, widths)).rstrip() + "\n")
    stream.write(f"({result.row_count} rows, {result.elapsed_seconds:.3f} s, {result.workspace})\n")
