"""`workbench open PATH`: open the TUI on a saved hunt session."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli import CommandError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("open", help="open a saved hunt session in the TUI")
    parser.add_argument("path", metavar="PATH", help="the session TOML file")
    parser.set_defaults(handler=open_command)


def open_command(args: argparse.Namespace, config) -> int:
    from workbench.cli import _run_tui

    path = Path(args.path).expanduser()
    if not path.exists():
        raise CommandError(f"session file {path} not found")
    return _run_tui(args, config, session_path=str(path))
