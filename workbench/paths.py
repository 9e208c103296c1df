"""The folders the workbench keeps its files in, from platformdirs.

Every path can be moved with an environment variable, which the tests and a
user with an unusual home directory both need: `HUNT_WORKBENCH_DATA_DIR`,
`HUNT_WORKBENCH_CONFIG_DIR`, `HUNT_WORKBENCH_CACHE_DIR`, `HUNT_WORKBENCH_LOG_DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "hunt-workbench"


def _directory(variable: str, default: str) -> Path:
    override = os.environ.get(variable)
    return Path(override).expanduser() if override else Path(default)


def data_dir() -> Path:
    return _directory("HUNT_WORKBENCH_DATA_DIR", platformdirs.user_data_dir(APP_NAME))


def config_dir() -> Path:
    return _directory("HUNT_WORKBENCH_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME))


def cache_dir() -> Path:
    return _directory("HUNT_WORKBENCH_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME))


def log_dir() -> Path:
    return _directory("HUNT_WORKBENCH_LOG_DIR", platformdirs.user_log_dir(APP_NAME))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def default_workspace_path() -> Path:
    """Return the embedded workspace's DuckDB file."""
    return data_dir() / "workspaces" / "default.duckdb"


def themes_dir() -> Path:
    """Return the user's theme folder; every `*.toml` in it is a selectable theme."""
    return config_dir() / "themes"


def bundled_themes_dir() -> Path:
    """Return the `themes/` folder shipped beside the package."""
    return Path(__file__).resolve().parent.parent / "themes"
