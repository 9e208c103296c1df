"""`workbench demo`: create or replace the demo workspace and print its row counts."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from workbench.cli import EXIT_OK, CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="create or replace the demo workspace (a DuckDB file of generated Sentinel tables)",
        description="Generate 14 days of demo telemetry (DnsEvents, DeviceNetworkEvents, CommonSecurityLog, "
        "SecurityEvent, Syslog) with planted Nanocore RAT C2 lookups, and write it to the embedded workspace "
        "file, replacing what is there. The same seed and end time give the same rows.",
    )
    parser.add_argument("--seed", type=int, metavar="N", help="seed of the background rows (default: [demo] seed, 4242)")
    parser.add_argument(
        "--end",
        metavar="ISO",
        help="end of the 14-day window as an ISO 8601 time, UTC unless it has an offset "
        "(default: now, truncated to the minute)",
    )
    parser.add_argument(
        "--dns-rows",
        type=int,
        metavar="N",
        help="background DnsEvents rows; the other tables get a fixed share of it (default: [demo] dns_rows, 200000)",
    )
    parser.add_argument("--path", metavar="FILE", help="DuckDB file to write (default: the embedded workspace file)")
    parser.add_argument("--force", action="store_true", help="replace the file even when it contains ingested tables")
    parser.set_defaults(handler=demo_command)


def parse_end(text: str) -> datetime:
    """Parse `--end`: ISO 8601 with an optional `Z` or offset; a time without one is UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"invalid --end {text!r}: use an ISO 8601 time such as 2026-12-04T21:00:00Z or 2026-12-04"
        ) from None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def demo_command(args: argparse.Namespace, config) -> int:
    import duckdb

    from workbench.demo.generator import WorkspaceLockedError, generate_workspace
    from workbench.paths import default_workspace_path

    seed = config.demo_seed if args.seed is None else args.seed
    dns_rows = config.demo_dns_rows if args.dns_rows is None else args.dns_rows
    if not 0 <= seed < 2**63:
        raise CommandError(f"invalid --seed {seed}: use an integer from 0 to 2**63-1")
    if dns_rows < 0:
        raise CommandError(f"invalid --dns-rows {dns_rows}: use 0 or more")
    end = parse_end(args.end) if args.end else datetime.now(timezone.utc).replace(second=0, microsecond=0)
    path = Path(args.path).expanduser() if args.path else default_workspace_path()
    if path.exists() and not args.force:
        extra = _tables_not_from_demo(path)
        if extra:
            raise CommandError(
                f"workspace {path} contains tables the demo does not make ({', '.join(extra)}), which a new demo "
                "would drop. Pass --force to replace them anyway, or --path to generate elsewhere"
            )

    try:
        counts = generate_workspace(path, seed=seed, end=end, dns_rows=dns_rows)
    except WorkspaceLockedError as error:
        raise CommandError(str(error)) from None
    except (OSError, duckdb.Error) as error:
        raise CommandError(f"demo workspace {path} cannot be written: {error}") from None

    print(f"Demo workspace {path}: seed {seed}, 14 days ending {end:%Y-%m-%dT%H:%M:%SZ}")
    width = max(len(table) for table in counts)
    for table, rows in counts.items():
        print(f"  {table:<{width}}  {rows:>12,} rows")
    return EXIT_OK


def _tables_not_from_demo(path: Path) -> list[str]:
    """Return the tables of an existing workspace that the demo generator does not create (ingested data)."""
    import duckdb

    from workbench.demo.schema import TABLES

    try:
        connection = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        # Unreadable or locked: generate_workspace reports that with its own message.
        return []
    try:
        names = [row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
    finally:
        connection.close()
    return sorted(name for name in names if name not in TABLES)
