"""`workbench replay`: re-run a saved hunt and report new, gone and unchanged rows.

Made for cron: exit 0 when no query found new rows, 1 when one did, 2 when
the session cannot be loaded or a query failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli import EXIT_ERROR, EXIT_FINDING, EXIT_OK, CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="re-run every query of a saved session and report new rows",
        description="Re-run every query of a session and compare the rows with each query's last snapshot. "
        "Exit codes: 0 nothing new, 1 new rows, 2 an error (the session cannot be loaded or a query failed).",
    )
    parser.add_argument("session", metavar="SESSION", help="a session file, or the id of a session in the sessions folder")
    parser.add_argument(
        "--workspace",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help="workspace name from the config (default: the workspace the session was run on)",
    )
    parser.add_argument("--format", choices=["table", "json"], default="table", help="output format (default: table)")
    parser.add_argument("--update", action="store_true", help="append the new runs to the session and save it")
    parser.add_argument(
        "--sample",
        type=int,
        default=10,
        metavar="N",
        help="new and gone rows shown per query (default: 10)",
    )
    parser.set_defaults(handler=replay_command)


def resolve_session_path(text: str) -> Path:
    """Return the file for SESSION: an existing path, else `<id>.toml` in the sessions folder."""
    from workbench.paths import sessions_dir

    path = Path(text).expanduser()
    if path.exists() or path.suffix == ".toml" or "/" in text:
        return path
    return sessions_dir() / f"{text}.toml"


def workspace_for(config, session, requested: str | None):
    """Return the config workspace to replay on: `requested`, else the one the session names.

    A session stores a backend name (`local:default`, `azure:<workspace id>`),
    so the config workspace whose backend name matches is used.
    """
    from workbench.config import ConfigError

    if requested:
        try:
            return config.workspace(requested)
        except ConfigError as error:
            raise CommandError(str(error)) from None
    for workspace in config.workspaces:
        if workspace.backend_name == session.workspace:
            return workspace
    names = ", ".join(workspace.name for workspace in config.workspaces)
    raise CommandError(
        f"session {session.id} was run on workspace {session.workspace!r}, which no config workspace matches; "
        f"pick one with --workspace NAME (configured: {names})"
    )


def replay_command(args: argparse.Namespace, config) -> int:
    from workbench.backends import open_backend
    from workbench.backends.local import WorkspaceError
    from workbench.sessions.replay import apply_replay, replay_session
    from workbench.sessions.store import SessionError, load_session, save_session

    path = resolve_session_path(args.session)
    try:
        session = load_session(path)
    except SessionError as error:
        raise CommandError(str(error)) from None
    if args.sample < 0:
        raise CommandError(f"--sample must be 0 or more, not {args.sample}")

    workspace = workspace_for(config, session, getattr(args, "workspace", None))
    try:
        backend = open_backend(workspace, config)
    except WorkspaceError as error:
        raise CommandError(str(error)) from None
    try:
        report = replay_session(session, backend, snapshot_rows_limit=config.snapshot_rows, sample_rows=args.sample)
    finally:
        backend.close()

    if args.format == "json":
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        write_table(report, sys.stdout)

    if args.update:
        apply_replay(session, report)
        try:
            save_session(session, path)
        except SessionError as error:
            raise CommandError(str(error)) from None
        print(f"workbench: saved the new runs to {path}", file=sys.stderr)

    for diff in report.failed:
        print(f"workbench: query {diff.query_id} failed: {diff.error}", file=sys.stderr)
    if report.failed:
        return EXIT_ERROR
    return EXIT_FINDING if report.new_count else EXIT_OK


def write_table(report, stream) -> None:
    """Write one summary line per query, then its sample of new (+) and gone (-) rows."""
    from workbench.text import display_value, sanitize

    stream.write(f"session {sanitize(report.session_id)} on {sanitize(report.workspace)}\n")
    for diff in report.queries:
        title = sanitize(diff.title)
        if diff.error:
            stream.write(f"{diff.query_id}  {title}: FAILED: {sanitize(diff.error)}\n")
            continue
        notes = []
        if not diff.has_baseline:
            notes.append("no earlier run")
        if diff.columns_changed:
            notes.append("columns changed")
        if diff.baseline_truncated:
            notes.append("earlier snapshot was capped, so some new rows may be old")
        suffix = f"  ({'; '.join(notes)})" if notes else ""
        stream.write(
            f"{sanitize(diff.query_id)}  {title}: {diff.new_count} new, {diff.gone_count} gone, "
            f"{diff.unchanged_count} unchanged{suffix}\n"
        )
        for marker, rows in (("+", diff.new_rows), ("-", diff.gone_rows)):
            for row in rows:
                cells = [display_value(value) for value in row]
                line = " | ".join(cell if len(cell) <= 60 else cell[:59] + "…" for cell in cells)
                stream.write(f"  {marker} {line}\n")
    rows = "row" if report.new_count == 1 else "rows"
    queries = "query" if len(report.queries) == 1 else "queries"
    stream.write(f"{report.new_count} new {rows} in {len(report.queries)} {queries}\n")
