"""`workbench config init|check|path`: write a starting config, validate one, show the folders.

`init` writes the commented template (`workbench.config_template`) and never
replaces an existing file unless `--force` is given, because a config contains
hand-made workspace and feed entries. `check` runs the same loader as every
other command, so a file it accepts is a file the workbench starts with.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from workbench.cli import EXIT_OK, CommandError

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="write a starting config, validate a config file, or show the workbench's folders",
        description="Manage the config file. Exit codes: 0 success, 2 error (the message on stderr).",
    )
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init",
        help="write a commented starting config",
        description="Write a commented config with every setting at its default to the user config "
        "folder (HUNT_WORKBENCH_CONFIG_DIR moves it) or to --path.",
    )
    init.add_argument("--path", metavar="PATH", help="file to write (default: config.toml in the user config folder)")
    init.add_argument("--force", action="store_true", help="replace an existing file; the old one is kept as PATH.bak")
    init.set_defaults(handler=init_command)

    check = actions.add_parser(
        "check",
        help="validate a config file",
        description="Load a config file as the workbench does and print a summary, or the error "
        "with the file, the key and the line. Files the config names but that do not exist yet "
        "(feed files, workspace files, CA bundles) and unset Auth-Key variables are reported as "
        "warnings on stderr; they do not change the exit code.",
    )
    check.add_argument("path", nargs="?", metavar="PATH", help="file to check (default: --config, else the user config file)")
    check.set_defaults(handler=check_command)

    path = actions.add_parser(
        "path",
        help="print the config file and the config, data, cache and log folders",
        description="Print where the workbench reads its config and keeps its workspaces, sessions, "
        "cache and log. The HUNT_WORKBENCH_{CONFIG,DATA,CACHE,LOG}_DIR variables move each folder.",
    )
    path.set_defaults(handler=path_command)


def init_command(args: argparse.Namespace, config) -> int:
    from workbench.config import default_config_path
    from workbench.config_template import CONFIG_TEMPLATE

    target = Path(args.path).expanduser() if args.path else default_config_path()
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give --path the name of the file to write, such as {target / 'config.toml'}")
    if target.exists() and not args.force:
        raise CommandError(f"config file {target} already exists and was not changed; pass --force to replace it (the old file is kept as .bak)")

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            backup = target.with_name(target.name + ".bak")
            os.replace(target, backup)
            log.info("config init: kept the previous config %s as %s", target, backup)
        target.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    except OSError as error:
        raise CommandError(f"failed to write the config file {target}: {error.strerror or error}") from None

    log.info("config init wrote %s", target)
    print(f"Wrote {target}. Edit it, then run `workbench config check {target}`.")
    return EXIT_OK


def check_command(args: argparse.Namespace, config) -> int:
    from workbench.config import ConfigError, default_config_path, load_config

    target = args.path or args.config or default_config_path()
    try:
        checked = load_config(target)
    except ConfigError as error:
        raise CommandError(str(error)) from None

    for warning in environment_warnings(checked):
        print(f"workbench: warning: {warning}", file=sys.stderr)

    workspaces = len(checked.workspaces)
    feeds = len(checked.feeds)
    log.debug("config check of %s: workspaces %s, feeds %s", checked.path, [w.name for w in checked.workspaces], [f.name for f in checked.feeds])
    print(f"OK: {checked.path}: {_count(workspaces, 'workspace')}, {_count(feeds, 'feed')}")
    return EXIT_OK


def environment_warnings(config) -> list[str]:
    """List what a valid config names but this machine lacks: missing files and unset Auth-Key variables.

    Relative paths are resolved against the current folder, as the workbench
    does when it opens them. The Auth-Key itself is never read into a message.
    """
    warnings = []
    for workspace in config.workspaces:
        if workspace.kind == "local" and workspace.path and not workspace.local_path().exists():
            warnings.append(f"workspace {workspace.name!r}: DuckDB file {workspace.local_path()} not found; "
                            "create it with `workbench ingest` or fix path")
        if workspace.ca_bundle and not Path(workspace.ca_bundle).expanduser().is_file():
            warnings.append(f"workspace {workspace.name!r}: ca_bundle {workspace.ca_bundle} not found")
    for feed in config.feeds:
        if feed.kind == "file" and not Path(feed.path).expanduser().is_file():
            warnings.append(f"feed {feed.name!r}: file {feed.path} not found")
        if feed.kind == "threatfox" and not os.environ.get(feed.auth_key_env, "").strip():
            warnings.append(f"feed {feed.name!r}: environment variable {feed.auth_key_env} is not set, "
                            "so only a cached copy of this ThreatFox feed can load")
    return warnings


def path_command(args: argparse.Namespace, config) -> int:
    from workbench.config import default_config_path
    from workbench.logs import log_file_path
    from workbench.paths import cache_dir, config_dir, data_dir, log_dir

    config_file = Path(args.config).expanduser() if args.config else default_config_path()
    state = "" if config_file.exists() else " (not created yet; `workbench config init` writes it)"
    rows = (
        ("config file", f"{config_file}{state}"),
        ("config folder", str(config_dir())),
        ("data folder", str(data_dir())),
        ("cache folder", str(cache_dir())),
        ("log folder", str(log_dir())),
        ("log file", str(log_file_path())),
    )
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label.ljust(width)}  {value}")
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
