"""Themes from TOML files: the bundled `themes/` folder and the user's theme folder.

Each file holds `name`, `dark` and colour keys that Textual's `Theme` takes.
A broken file is reported and skipped; the app always keeps Textual's own
themes to fall back on.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

from textual.theme import Theme

from workbench.paths import bundled_themes_dir, themes_dir

log = logging.getLogger(__name__)

COLOUR_KEYS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "success", "warning", "error", "boost")


def load_theme_file(path: Path) -> Theme:
    """Read one theme file; raise ValueError naming the file and the problem."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"theme file {path} cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"theme file {path} is not valid TOML: {error}") from None
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"theme file {path} has no name; add name = \"my-theme\"")
    if "primary" not in data:
        raise ValueError(f"theme file {path} has no primary colour; add primary = \"#4FA3E0\"")
    unknown = set(data) - {"name", "dark", *COLOUR_KEYS}
    if unknown:
        raise ValueError(f"theme file {path} has unknown keys {sorted(unknown)}; known: name, dark, {', '.join(COLOUR_KEYS)}")
    colours = {key: data[key] for key in COLOUR_KEYS if key in data}
    try:
        return Theme(name=name, dark=bool(data.get("dark", True)), **colours)
    except Exception as error:  # noqa: BLE001 - Textual validates colours with its own errors
        raise ValueError(f"theme file {path}: {error}") from None


def discover_themes() -> tuple[list[Theme], list[str]]:
    """Return every loadable theme and one error message per file that failed."""
    themes: list[Theme] = []
    errors: list[str] = []
    for folder in (bundled_themes_dir(), themes_dir()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                themes.append(load_theme_file(path))
            except ValueError as error:
                log.warning("%s", error)
                errors.append(str(error))
    return themes, errors
