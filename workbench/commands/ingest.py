"""`workbench ingest TABLE FILE`: load a CSV, JSON lines or Parquet export into a local workspace."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.cli import EXIT_OK, CommandError
from workbench.text import plural


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="load a CSV, JSON lines or Parquet export into a table of a local workspace",
        description="Load FILE into TABLE of the default local workspace (or the global --workspace), "
        "creating the workspace file when it does not exist. Rows are appended, and columns new in FILE "
        "are added to TABLE. Portal exports are handled as they come: `TimeGenerated [UTC]` columns, "
        "`11/9/2025, 3:46:34.034 PM` times, a UTF-8 BOM, pandas index columns. "
        "Exit codes: 0 success, 2 error (the message on stderr).",
    )
    parser.add_argument("table", metavar="TABLE", help="the table to write, such as CommonSecurityLog or Proxy_CL")
    parser.add_argument("file", metavar="FILE", help="the exported file")
    parser.add_argument("--replace", action="store_true", help="replace TABLE with the file's rows instead of appending")
    parser.add_argument(
        "--format",
        choices=["csv", "jsonl", "parquet"],
        help="the file's format (default: detected from its content)",
    )
    parser.set_defaults(handler=ingest_command)


def ingest_command(args: argparse.Namespace, config) -> int:
    from workbench.backends.ingest import IngestError, ingest_file
    from workbench.config import ConfigError

    try:
        workspace = config.workspace(args.workspace)
    except ConfigError as error:
        raise CommandError(str(error)) from None
    if workspace.kind != "local":
        raise CommandError(
            f"workspace {workspace.name!r} is an Azure workspace, and ingest writes only to local workspaces; "
            "pass --workspace with the name of a local workspace, or omit it for the default one"
        )

    # The first use of the default workspace gets the demo data too, as the TUI's first start does.
    from workbench.backends import local_workspace_path
    from workbench.backends.local import WorkspaceError

    try:
        path = local_workspace_path(workspace, config)
    except WorkspaceError as error:
        raise CommandError(str(error)) from None
    file = Path(args.file).expanduser()
    try:
        report = ingest_file(path, args.table, file, replace=args.replace, format=args.format)
    except IngestError as error:
        raise CommandError(str(error)) from None

    if args.replace:
        action = "Replaced the rows of"
    elif report.created:
        action = "Created"
    else:
        action = "Appended to"
    print(
        f"{action} table {report.table} in workspace {workspace.name} ({path}): "
        f"{plural(report.rows_added, 'row')} added, {plural(len(report.columns), 'column')}."
    )
    if report.renamed_columns:
        renamed = ", ".join(f"{_printable(old)} -> {_printable(new)}" for old, new in report.renamed_columns.items())
        print(f"Renamed columns: {renamed}")
    if report.time_columns_parsed:
        print(f"Time columns parsed to UTC: {', '.join(_printable(name) for name in report.time_columns_parsed)}")
    for warning in report.warnings:
        print(f"workbench: warning: {_printable(warning)}", file=sys.stderr)
    return EXIT_OK


def _printable(text: str) -> str:
    """Escape control and other unprintable characters, which a file's column names can carry."""
    if text.isprintable():
        return text
    return "".join(character if character.isprintable() else repr(character)[1:-1] for character in text)
