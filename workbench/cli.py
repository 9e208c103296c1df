"""The `workbench` command: the TUI with no subcommand, headless subcommands otherwise.

Each subcommand lives in `workbench.commands.<name>` with `register(subparsers)`
that adds its parser and sets `handler`. Exit codes are a contract for scripts:
0 success, 1 a finding the caller needs to act on (rejected feed
entries, new rows on replay), 2 an error, with the message on stderr and no
traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from workbench import __version__

COMMAND_MODULES = (
    "run",
    "ingest",
    "open",
    "iocs",
    "hunt",
    "exclusions",
    "replay",
    "report",
    "emulator",
    "config_cmd",
    "demo",
)

EXIT_OK = 0
EXIT_FINDING = 1
EXIT_ERROR = 2

log = logging.getLogger(__name__)


class CommandError(Exception):
    """An error a subcommand reports as one line on stderr, exiting with `EXIT_ERROR`."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Hunt for threats in Microsoft Sentinel data from the terminal. "
        "With no subcommand, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"hunt-workbench {__version__}")
    parser.add_argument("--config", metavar="PATH", help="config file (default: config.toml in the user config folder)")
    parser.add_argument("--workspace", metavar="NAME", help="workspace name from the config (default: the embedded local workspace)")
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        type=str.upper,
        help="log file level: DEBUG, INFO, WARNING or ERROR (default: from config, else INFO)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"workbench.commands.{module_name}")
        except ModuleNotFoundError as error:
            if error.name == f"workbench.commands.{module_name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    from workbench.config import ConfigError, load_config
    from workbench.logs import setup_logging

    try:
        config = load_config(args.config)
    except ConfigError as error:
        if args.command != "config":
            print(f"workbench: {error}", file=sys.stderr)
            return EXIT_ERROR
        # `workbench config` must work while the config is broken: it is how the user repairs it.
        from workbench.config import Config

        config = Config()
    log_path = setup_logging(args.log_level or config.log_level)
    log.info("workbench %s started: command=%s", __version__, args.command or "tui")

    handler = getattr(args, "handler", None)
    try:
        if handler is None:
            return _run_tui(args, config)
        return int(handler(args, config) or 0)
    except CommandError as error:
        log.warning("command %s failed: %s", args.command, error)
        print(f"workbench: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of stdout went away (`workbench run ... | head`): stop quietly, as Unix tools do.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the one boundary where any failure becomes exit 2
        log.exception("command %s failed unexpectedly", args.command)
        print(
            f"workbench: unexpected error: {type(error).__name__}: {error}. Details are in the log file {log_path}",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _run_tui(args: argparse.Namespace, config, session_path: str | None = None) -> int:
    from workbench.ui.app import WorkbenchApp

    app = WorkbenchApp(config=config, workspace_name=args.workspace, session_path=session_path)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
