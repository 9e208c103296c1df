"""Typed configuration read from TOML with tomllib.

Every error names the file, the key and, where tomllib gives one, the line,
because a config mistake at 3 a.m. should take one edit to fix. Unknown keys
are errors too: a misspelt key that is silently ignored is worse.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.paths import config_dir, default_workspace_path

log = logging.getLogger(__name__)

AUTH_KINDS = ("azure-cli", "device-code", "environment", "managed-identity", "default", "static")
"""Credential kinds; `static` sends the token in HUNT_WORKBENCH_STATIC_TOKEN and is for the emulator only."""
WORKSPACE_KINDS = ("local", "azure")


class ConfigError(Exception):
    """A config file that cannot be read or contains an invalid value."""


@dataclass
class WorkspaceConfig:
    """One `[[workspaces]]` entry."""

    name: str
    kind: str = "local"
    """`local` (DuckDB file) or `azure` (Log Analytics)."""
    path: str = ""
    """The DuckDB file of a local workspace; empty for the default file under the data folder."""
    workspace_id: str = ""
    """The Log Analytics workspace id (a GUID) of an azure workspace."""
    auth: str = "default"
    """One of `AUTH_KINDS`."""
    endpoint: str = ""
    """The query API endpoint; empty for the public cloud (https://api.loganalytics.io/v1)."""
    audience: str = ""
    """The token audience; empty for the endpoint's default."""
    default_timespan: str = ""
    """ISO 8601 timespan for new queries here; empty to use `[query] default_timespan`."""
    additional_workspaces: list[str] = field(default_factory=list)
    """More workspace ids queried together with this one."""
    server_timeout: int = 180
    """Seconds the service may run a query (Log Analytics allows up to 600)."""
    ca_bundle: str = ""
    """A PEM file to trust for the endpoint's certificate (the emulator's); empty for the system store."""
    token_cache: bool = False
    """Persist tokens on disk. Over SSH without a keyring this is an unencrypted file."""

    @property
    def backend_name(self) -> str:
        if self.kind == "azure":
            return f"azure:{self.workspace_id}"
        return f"local:{self.name}"

    def local_path(self) -> Path:
        return Path(self.path).expanduser() if self.path else default_workspace_path()


@dataclass
class FeedConfig:
    """One `[[feeds]]` entry: a file or a live ThreatFox feed loaded at start."""

    name: str
    kind: str = "file"
    """`file` or `threatfox`."""
    path: str = ""
    """The feed file of a `file` feed."""
    auth_key_env: str = "THREATFOX_AUTH_KEY"
    """Environment variable holding the ThreatFox Auth-Key; the key itself is never stored."""
    days: int = 1
    """Days of ThreatFox IOCs to fetch, 1 to 7."""
    url: str = "https://threatfox-api.abuse.ch/api/v1/"
    """The ThreatFox API URL."""


@dataclass
class Config:
    """The whole configuration with every default filled in."""

    path: Path | None = None
    """The file read; None when no file exists and defaults are in use."""
    default_workspace: str = "default"
    log_level: str = "INFO"
    default_timespan: str = "P14D"
    """ISO 8601 timespan for new queries."""
    snapshot_rows: int = 5000
    """Rows of each run kept in the session file."""
    fetch_limit: int = 1_000_000
    """Rows fetched from the engine per run; more are reported as truncated."""
    display_limit: int = 1_000_000
    """Rows drawn in the results table; the rest stay in memory for filter, sort and export, and the row count shows them."""
    demo_seed: int = 4242
    demo_dns_rows: int = 200_000
    theme: str = "workbench-dark"
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id to key list (`run_query = "ctrl+r,f5"`)."""
    workspaces: list[WorkspaceConfig] = field(default_factory=list)
    feeds: list[FeedConfig] = field(default_factory=list)
    autosave_seconds: float = 2.0
    """Debounce delay of the session autosave."""

    def workspace(self, name: str | None) -> WorkspaceConfig:
        """Return the workspace named `name` (or the default); raise ConfigError naming the choices."""
        wanted = name or self.default_workspace
        for workspace in self.workspaces:
            if workspace.name == wanted:
                return workspace
        names = ", ".join(workspace.name for workspace in self.workspaces)
        raise ConfigError(f"workspace {wanted!r} is not in the config; known workspaces: {names}")


_SCHEMA: dict[str, tuple[str, ...]] = {
    "": ("default_workspace", "workspaces", "feeds", "log", "query", "results", "demo", "ui", "keys", "session"),
    "log": ("level",),
    "query": ("default_timespan",),
    "results": ("snapshot_rows", "fetch_limit", "display_limit"),
    "demo": ("seed", "dns_rows"),
    "ui": ("theme",),
    "session": ("autosave_seconds",),
}


def default_config_path() -> Path:
    """Return config.toml in the user config folder (moved by HUNT_WORKBENCH_CONFIG_DIR)."""
    return config_dir() / "config.toml"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Read the config file at `path`, or the default one when it exists, else return defaults.

    Raises ConfigError naming the file, the key and the line of the problem.
    """
    explicit = path is not None
    file_path = Path(path).expanduser() if path is not None else default_config_path()
    if not file_path.exists():
        if explicit:
            raise ConfigError(f"config file {file_path} not found; create it with `workbench config init --path {file_path}`")
        log.debug("no config file at %s; using the defaults", file_path)
        return _with_default_workspace(Config())
    try:
        text = file_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {file_path} cannot be read: {error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_describe_toml_error(file_path, error)) from None
    config = _with_default_workspace(parse_config(data, file_path, text))
    log.debug("read config file %s: %d workspaces, %d feeds", file_path, len(config.workspaces), len(config.feeds))
    return config


def _describe_toml_error(file_path: Path, error: tomllib.TOMLDecodeError) -> str:
    """Word a tomllib error as `file: line N, column C: problem`.

    Python 3.11's TOMLDecodeError has no line attribute, so the position is
    taken from the "(at line N, column C)" suffix of its message.
    """
    message = str(error)
    position = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if position is None:
        return f"config file {file_path} is not valid TOML: {message}. Fix the file and run `workbench config check`"
    problem = message[: position.start()]
    line, column = position.group(1), position.group(2)
    return (
        f"config file {file_path}: line {line}, column {column}: not valid TOML: {problem}. "
        "Fix that line and run `workbench config check`"
    )


def parse_config(data: dict[str, Any], file_path: Path, text: str = "") -> Config:
    """Build a Config from parsed TOML `data`; `text` is the file's text, used only to find error lines.

    Raises ConfigError naming `file_path`, the key and (when `text` is given) the line.
    """
    reader = _Reader(file_path, text)
    config = Config(path=file_path)

    for section, allowed in _SCHEMA.items():
        table = data if section == "" else data.get(section, {})
        if section and not isinstance(table, dict):
            raise reader.error(section, "must be a table, such as [" + section + "]")
        for key in table:
            if section == "" or key in allowed:
                if section == "" and key not in allowed:
                    raise reader.error(key, f"is not a known setting; known top-level keys: {', '.join(allowed)}")
                continue
            raise reader.error(f"{section}.{key}", f"is not a known setting; known keys of [{section}]: {', '.join(allowed)}")

    config.default_workspace = reader.string(data, "default_workspace", config.default_workspace)
    log = data.get("log", {})
    config.log_level = reader.choice(log, "log.level", "level", ("DEBUG", "INFO", "WARNING", "ERROR"), config.log_level, upper=True)
    query = data.get("query", {})
    config.default_timespan = reader.timespan(query, "query.default_timespan", "default_timespan", config.default_timespan)
    results = data.get("results", {})
    config.snapshot_rows = reader.integer(results, "results.snapshot_rows", "snapshot_rows", config.snapshot_rows, minimum=0)
    config.fetch_limit = reader.integer(results, "results.fetch_limit", "fetch_limit", config.fetch_limit, minimum=1)
    config.display_limit = reader.integer(results, "results.display_limit", "display_limit", config.display_limit, minimum=1)
    demo = data.get("demo", {})
    config.demo_seed = reader.integer(demo, "demo.seed", "seed", config.demo_seed, minimum=0)
    config.demo_dns_rows = reader.integer(demo, "demo.dns_rows", "dns_rows", config.demo_dns_rows, minimum=1000)
    ui = data.get("ui", {})
    config.theme = reader.string(ui, "theme", config.theme, dotted="ui.theme")
    session = data.get("session", {})
    config.autosave_seconds = float(reader.number(session, "session.autosave_seconds", "autosave_seconds", config.autosave_seconds))

    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise reader.error("keys", 'must be a table of binding id = "key,key"')
    for binding_id, keys_text in keys.items():
        if not isinstance(keys_text, str) or not keys_text.strip():
            raise reader.error(f"keys.{binding_id}", 'must be a non-empty string such as "ctrl+r,f5"')
        parts = [part.strip() for part in keys_text.split(",")]
        if any(not part or part.endswith("+") for part in parts):
            raise reader.error(f"keys.{binding_id}", f'has an empty key in {keys_text!r}; separate keys with one comma, such as "ctrl+r,f5"')
        for part in parts:
            problem = _key_problem(part)
            if problem:
                raise reader.error(f"keys.{binding_id}", f"has an invalid key {part!r}: {problem}")
        config.keys[binding_id] = ",".join(parts)

    config.workspaces = [reader.workspace(entry, index) for index, entry in enumerate(reader.array(data, "workspaces"))]
    reader.unique_names("workspaces", [workspace.name for workspace in config.workspaces])
    config.feeds = [reader.feed(entry, index) for index, entry in enumerate(reader.array(data, "feeds"))]
    reader.unique_names("feeds", [feed.name for feed in config.feeds])

    known = ["default"] + [workspace.name for workspace in config.workspaces if workspace.name != "default"]
    if config.default_workspace not in known:
        raise reader.error(
            "default_workspace",
            f"names workspace {config.default_workspace!r}, which no [[workspaces]] entry defines; "
            f"use one of: {', '.join(known)}",
        )
    return config


KEY_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


def _key_problem(key: str) -> str:
    """Return why `key` cannot name a key (a modifier typo, a function key past f24), or an empty string.

    The TUI checks the key names against Textual's own list when it starts;
    this check catches the typos a config file can show without Textual.
    """
    *modifiers, name = key.split("+")
    unknown = [modifier for modifier in modifiers if modifier not in KEY_MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier; use {', '.join(KEY_MODIFIERS)}"
    function_key = re.fullmatch(r"f(\d+)", name)
    if function_key and not 1 <= int(function_key.group(1)) <= 24:
        return "function keys go from f1 to f24"
    if len(name) != 1 and not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return "use one character or a key name such as f5, escape, pageup or question_mark"
    return ""


def _with_default_workspace(config: Config) -> Config:
    """Add the embedded `default` local workspace unless the config defines one of that name."""
    if not any(workspace.name == "default" for workspace in config.workspaces):
        config.workspaces.insert(0, WorkspaceConfig(name="default", kind="local"))
    return config


_DOTTED_KEY = re.compile(r"^(?P<table>[A-Za-z0-9_-]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<key>[A-Za-z0-9_-]+))?$")
_TABLE_HEADER = re.compile(r"^\s*(?:\[\[\s*(?P<array>[^\]]+?)\s*\]\]|\[\s*(?P<table>[^\]]+?)\s*\])\s*(?:#.*)?$")


class _Reader:
    """Reads typed values and builds errors that name the file, the key and the line."""

    def __init__(self, file_path: Path, text: str) -> None:
        self.file_path = file_path
        self.lines = text.splitlines()

    def line_of(self, dotted_key: str) -> int | None:
        """Return the line of `dotted_key` (`log.level`, `workspaces[1].auth`, `theme`) in the file's text.

        The search follows the table headers, so `workspaces[1].auth` is found in
        the second `[[workspaces]]` entry, not the first. A key absent from its
        table (a missing `workspace_id`) gets the table's header line. Returns
        None when the text has no such key, as for a key set in an inline table.
        """
        match = _DOTTED_KEY.match(dotted_key)
        if match is None:
            return None
        table, index, key = match.group("table"), match.group("index"), match.group("key")
        if key is None and index is None:
            table, key = "", table
        target_entry = int(index) if index is not None else None
        key_pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[=.]""") if key else None

        current_table = ""
        current_entry: int | None = None
        entries_seen: dict[str, int] = {}
        header_line: int | None = None
        for number, line in enumerate(self.lines, start=1):
            header = _TABLE_HEADER.match(line)
            if header is not None:
                name = re.sub(r"""[\s"']""", "", header.group("array") or header.group("table"))
                if header.group("array") is not None:
                    entries_seen[name] = entries_seen.get(name, -1) + 1
                    current_table, current_entry = name, entries_seen[name]
                else:
                    current_table, current_entry = name, None
                in_target = current_table == table and (target_entry is None or current_entry == target_entry)
                if header_line is None and (in_target or (table == "" and name == key)):
                    header_line = number
                continue
            in_target = current_table == table and (target_entry is None or current_entry == target_entry)
            if key_pattern is not None and in_target and key_pattern.search(line):
                return number
        if header_line is not None:
            return header_line
        return self._line_of_root_dotted_key(dotted_key)

    def _line_of_root_dotted_key(self, dotted_key: str) -> int | None:
        """Find a key set before any table header: `results.snapshot_rows = ...`, else `results = {...}`."""
        parts = re.sub(r"\[\d+\]", "", dotted_key).split(".")
        for length in (len(parts), 1):
            pattern = re.compile(r"^\s*" + r"\s*\.\s*".join(re.escape(part) for part in parts[:length]) + r"\s*=")
            for number, line in enumerate(self.lines, start=1):
                if _TABLE_HEADER.match(line):
                    break
                if pattern.search(line):
                    return number
        return None

    def unique_names(self, array_key: str, names: list[str]) -> None:
        """Raise ConfigError at the second entry of `array_key` that repeats a name."""
        seen: set[str] = set()
        for index, name in enumerate(names):
            if name in seen:
                raise self.error(f"{array_key}[{index}].name", f"repeats the name {name!r}; each entry of [[{array_key}]] needs its own name")
            seen.add(name)

    def error(self, dotted_key: str, problem: str) -> ConfigError:
        line = self.line_of(dotted_key)
        where = f" line {line}," if line else ""
        return ConfigError(f"config file {self.file_path}:{where} key {dotted_key} {problem}")

    def string(self, table: dict[str, Any], key: str, default: str, dotted: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.error(dotted or key, f"must be a string, not {type(value).__name__} {value!r}")
        return value

    def integer(self, table: dict[str, Any], dotted: str, key: str, default: int, minimum: int | None = None) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(dotted, f"must be an integer, not {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(dotted, f"must be at least {minimum}, not {value}")
        return value

    def number(self, table: dict[str, Any], dotted: str, key: str, default: float) -> float:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise self.error(dotted, f"must be a non-negative number, not {value!r}")
        return float(value)

    def boolean(self, table: dict[str, Any], dotted: str, key: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.error(dotted, f"must be true or false, not {value!r}")
        return value

    def choice(self, table, dotted, key, choices, default, upper=False) -> str:
        value = table.get(key, default)
        if isinstance(value, str) and upper:
            value = value.upper()
        if value not in choices:
            raise self.error(dotted, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def timespan(self, table, dotted, key, default) -> str:
        from workbench.backends.base import Timespan

        value = self.string(table, key, default, dotted=dotted)
        try:
            Timespan.parse(value)
        except ValueError as error:
            raise self.error(dotted, f"is not a valid timespan: {str(error).removeprefix('invalid timespan ')}") from None
        return value

    def array(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(key, f"must be an array of tables, written [[{key}]]")
        return value

    def workspace(self, entry: dict[str, Any], index: int) -> WorkspaceConfig:
        prefix = f"workspaces[{index}]"
        allowed = set(WorkspaceConfig.__dataclass_fields__)
        for key in entry:
            if key not in allowed:
                raise self.error(f"{prefix}.{key}", f"is not a known workspace setting; known: {', '.join(sorted(allowed))}")
        if "name" not in entry:
            raise self.error(prefix, "has no name; add name = \"...\"")
        workspace = WorkspaceConfig(name=self.string(entry, "name", "", dotted=f"{prefix}.name"))
        if not workspace.name.strip():
            raise self.error(f"{prefix}.name", "is empty; give the workspace a name such as \"sentinel-prod\"")
        workspace.kind = self.choice(entry, f"{prefix}.kind", "kind", WORKSPACE_KINDS, "local")
        workspace.path = self.string(entry, "path", "", dotted=f"{prefix}.path")
        workspace.workspace_id = self.string(entry, "workspace_id", "", dotted=f"{prefix}.workspace_id")
        workspace.auth = self.choice(entry, f"{prefix}.auth", "auth", AUTH_KINDS, "default")
        workspace.endpoint = self.string(entry, "endpoint", "", dotted=f"{prefix}.endpoint")
        workspace.audience = self.string(entry, "audience", "", dotted=f"{prefix}.audience")
        workspace.ca_bundle = self.string(entry, "ca_bundle", "", dotted=f"{prefix}.ca_bundle")
        workspace.server_timeout = self.integer(entry, f"{prefix}.server_timeout", "server_timeout", 180, minimum=1)
        workspace.token_cache = self.boolean(entry, f"{prefix}.token_cache", "token_cache", False)
        if "default_timespan" in entry:
            workspace.default_timespan = self.timespan(entry, f"{prefix}.default_timespan", "default_timespan", "")
        extra = entry.get("additional_workspaces", [])
        if not isinstance(extra, list) or not all(isinstance(item, str) for item in extra):
            raise self.error(f"{prefix}.additional_workspaces", "must be a list of workspace id strings")
        workspace.additional_workspaces = extra
        if workspace.kind == "azure" and not workspace.workspace_id:
            raise self.error(
                f"{prefix}.workspace_id",
                f"is missing: workspace {workspace.name!r} has kind = \"azure\", which needs the Log Analytics "
                "workspace id (a GUID from the portal's workspace overview)",
            )
        return workspace

    def feed(self, entry: dict[str, Any], index: int) -> FeedConfig:
        prefix = f"feeds[{index}]"
        allowed = set(FeedConfig.__dataclass_fields__)
        for key in entry:
            if key not in allowed:
                raise self.error(f"{prefix}.{key}", f"is not a known feed setting; known: {', '.join(sorted(allowed))}")
        feed = FeedConfig(name=self.string(entry, "name", f"feed-{index + 1}", dotted=f"{prefix}.name"))
        feed.kind = self.choice(entry, f"{prefix}.kind", "kind", ("file", "threatfox"), "file")
        feed.path = self.string(entry, "path", "", dotted=f"{prefix}.path")
        feed.auth_key_env = self.string(entry, "auth_key_env", feed.auth_key_env, dotted=f"{prefix}.auth_key_env")
        feed.url = self.string(entry, "url", feed.url, dotted=f"{prefix}.url")
        feed.days = self.integer(entry, f"{prefix}.days", "days", 1, minimum=1)
        if feed.days > 7:
            raise self.error(f"{prefix}.days", f"must be 1 to 7 (the ThreatFox API limit), not {feed.days}")
        if feed.kind == "file" and not feed.path:
            raise self.error(f"{prefix}.path", f"is missing: feed {feed.name!r} is kind = \"file\"")
        return feed


def save_setting(section: str, key: str, value: str, path: Path | None = None) -> Path:
    """Write `key = "value"` under `[section]` of the config file, keeping every other line and comment.

    Creates the file when it does not exist. The result is parsed before it
    is written, so a file this edit would break is left as it was (ConfigError).
    Returns the path written.
    """
    import tomli_w

    file_path = Path(path).expanduser() if path is not None else default_config_path()
    try:
        lines = file_path.read_text(encoding="utf-8").splitlines() if file_path.exists() else []
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"config file {file_path} cannot be read: {error}") from None
    assignment = f"{key} = {tomli_w.dumps({key: value}).split('=', 1)[1].strip()}"

    header = re.compile(rf"^\s*\[\s*{re.escape(section)}\s*\]\s*(#.*)?$")
    any_header = re.compile(r"^\s*\[")
    setting = re.compile(rf"^\s*{re.escape(key)}\s*=")
    start = next((index for index, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        lines += ["", f"[{section}]", assignment]
    else:
        end = next((index for index in range(start + 1, len(lines)) if any_header.match(lines[index])), len(lines))
        existing = next((index for index in range(start + 1, end) if setting.match(lines[index])), None)
        if existing is None:
            lines.insert(start + 1, assignment)
        else:
            lines[existing] = assignment
    text = "\n".join(lines).lstrip("\n") + "\n"
    try:
        parse_config(tomllib.loads(text), file_path, text)
    except (tomllib.TOMLDecodeError, ConfigError) as error:
        raise ConfigError(f"config file {file_path} was not changed: setting {section}.{key} would make it invalid: {error}") from None
    try:
        file_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = file_path.with_name(file_path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(file_path)
    except OSError as error:
        raise ConfigError(f"config file {file_path} cannot be written: {error.strerror}") from None
    return file_path
