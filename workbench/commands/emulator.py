"""`workbench emulator`: serve the local Log Analytics query API until Ctrl-C.

It prints the endpoint, the certificate to trust and a `[[workspaces]]` entry
to paste into the config, so the TUI and `workbench run` can be tried against
an "Azure" workspace with no Azure account.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from workbench.cli import CommandError

EMULATOR_WORKSPACE_ID = "00000000-0000-0000-0000-000000000000"


def register(subparsers: argparse._SubParsersAction) -> None:
    from workbench.backends.scenarios import SCENARIOS

    parser = subparsers.add_parser(
        "emulator",
        help="serve a local Log Analytics query API over a DuckDB workspace, for tests and demos",
        description="Serve the Log Analytics query API on https://127.0.0.1 with a throwaway certificate, "
        "answering from a local DuckDB workspace, until Ctrl-C.",
    )
    parser.add_argument("--port", type=int, default=0, metavar="N", help="TCP port on 127.0.0.1 (default: a free port)")
    parser.add_argument(
        "--scenario",
        choices=list(SCENARIOS),
        default="ok",
        metavar="CASE",
        help="the case every request gets: " + ", ".join(SCENARIOS) + " (default: ok). "
        "A workspace id scenario-CASE picks a case per request",
    )
    parser.add_argument(
        "--workspace-file",
        metavar="PATH",
        help="DuckDB workspace file the queries run on (default: the --workspace's file, else the embedded demo workspace)",
    )
    parser.set_defaults(handler=run_emulator)


def run_emulator(args: argparse.Namespace, config) -> int:
    from workbench.backends.emulator import start_emulator

    db_path = _workspace_file(args, config)
    if not 0 <= args.port <= 65535:
        raise CommandError(f"--port {args.port} is not a TCP port; use 1 to 65535, or 0 for a free one")
    try:
        handle = start_emulator(db_path, port=args.port, scenario=args.scenario)
    except ValueError as error:
        raise CommandError(str(error)) from None
    except OSError as error:
        raise CommandError(f"the emulator cannot listen on 127.0.0.1:{args.port}: {error.strerror}; pick another --port") from None

    stopped = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        print(f"Log Analytics emulator on {handle.url} (scenario {handle.scenario}) over {db_path}")
        print(f"Certificate to trust: {handle.ca_path}")
        print("Add this to the config file, set HUNT_WORKBENCH_STATIC_TOKEN to any text, and pick it with --workspace emulator:")
        print()
        print(config_snippet(handle.url, handle.ca_path))
        print("Press Ctrl-C to stop.", flush=True)
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        handle.stop()
    print("Emulator stopped.")
    return 0


def config_snippet(url: str, ca_path: Path, name: str = "emulator") -> str:
    """Return a `[[workspaces]]` entry that points the workbench at the emulator."""
    return "\n".join(
        [
            "[[workspaces]]",
            f'name = "{name}"',
            'kind = "azure"',
            f'workspace_id = "{EMULATOR_WORKSPACE_ID}"',
            f'endpoint = "{url}"',
            f'ca_bundle = "{ca_path}"',
            'auth = "static"',
            "server_timeout = 60",
        ]
    )


def _workspace_file(args: argparse.Namespace, config) -> Path:
    if args.workspace_file:
        path = Path(args.workspace_file).expanduser()
        if not path.is_file():
            raise CommandError(f"workspace file {path} not found; pass an existing DuckDB file to --workspace-file")
        return path
    from workbench.config import ConfigError

    try:
        workspace = config.workspace(args.workspace or "default")
    except ConfigError as error:
        raise CommandError(str(error)) from None
    if workspace.kind != "local":
        raise CommandError(f"workspace {workspace.name!r} is not local; the emulator runs queries on a local DuckDB file")
    from workbench.backends import local_workspace_path
    from workbench.backends.local import WorkspaceError

    try:
        path = local_workspace_path(workspace, config)
    except WorkspaceError as error:
        raise CommandError(str(error)) from None
    if not path.is_file():
        raise CommandError(f"workspace file {path} not found; create it with `workbench ingest` or pass --workspace-file")
    return path
