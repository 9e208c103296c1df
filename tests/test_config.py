"""The config loader's errors, the sample config, `workbench config` and what reaches the log file.

Every config error must name the file, the key and the line, so each bad
config below is checked for all three. The sample config is loaded as it is
and with its commented examples switched on, and its keys are compared with
the loader's schema both ways, so a setting cannot be added to one and not
the other.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import tomllib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.config import _SCHEMA, AUTH_KINDS, WORKSPACE_KINDS, ConfigError, FeedConfig, WorkspaceConfig, default_config_path, load_config
from workbench.config_template import CONFIG_TEMPLATE
from workbench.logs import log_file_path

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CONFIG = REPO_ROOT / "sample_config.toml"

# Each case: a config text, the key its error must name and the line that key is on.
BAD_CONFIGS = {
    "unknown top-level key": ('default_workspace = "default"\n\nthemes = "dark"\n', "themes", 3),
    "unknown key in section": ('[log]\nlevel = "INFO"\n\n[results]\nsnapshot_row = 10\n', "results.snapshot_row", 5),
    "unknown workspace key": ('[[workspaces]]\nname = "default"\nkind = "local"\nfile = "x.duckdb"\n', "workspaces[0].file", 4),
    "string for integer": ('[results]\nfetch_limit = "1000"\n', "results.fetch_limit", 2),
    "integer for string": ("[ui]\ntheme = 3\n", "ui.theme", 2),
    "string for boolean": (
        '[[workspaces]]\nname = "prod"\nkind = "azure"\nworkspace_id = "w-1"\ntoken_cache = "yes"\n',
        "workspaces[0].token_cache",
        5,
    ),
    "section not a table": ("log = 3\n", "log", 1),
    "negative snapshot_rows": ("[query]\ndefault_timespan = \"P1D\"\n[results]\nsnapshot_rows = -1\n", "results.snapshot_rows", 4),
    "feed days 9": (
        '[[feeds]]\nname = "team"\npath = "feed.csv"\n\n[[feeds]]\nname = "tf"\nkind = "threatfox"\ndays = 9\n',
        "feeds[1].days",
        8,
    ),
    "azure without workspace_id": (
        '[[workspaces]]\nname = "default"\n\n[[workspaces]]\nname = "prod"\nkind = "azure"\nauth = "azure-cli"\n',
        "workspaces[1].workspace_id",
        4,
    ),
    "duplicate workspace names": (
        '[[workspaces]]\nname = "lab"\npath = "a.duckdb"\n\n[[workspaces]]\nname = "lab"\npath = "b.duckdb"\n',
        "workspaces[1].name",
        6,
    ),
    "duplicate feed names": (
        '[[feeds]]\nname = "team"\npath = "a.csv"\n[[feeds]]\nname = "team"\npath = "b.csv"\n',
        "feeds[1].name",
        5,
    ),
    "invalid timespan": ('[query]\ndefault_timespan = "7 days"\n', "query.default_timespan", 2),
    "invalid workspace timespan": (
        '[[workspaces]]\nname = "lab"\ndefault_timespan = "P0D"\n',
        "workspaces[0].default_timespan",
        3,
    ),
    "unknown auth kind": (
        '[[workspaces]]\nname = "prod"\nkind = "azure"\nworkspace_id = "w-1"\nauth = "password"\n',
        "workspaces[0].auth",
        5,
    ),
    "unknown log level": ('[log]\nlevel = "TRACE"\n', "log.level", 2),
    "empty key binding": ('[keys]\nrun_query = ""\n', "keys.run_query", 2),
    "undefined default workspace": ('default_workspace = "prod"\n', "default_workspace", 1),
    "file feed without path": ('[[feeds]]\nname = "team"\nkind = "file"\n', "feeds[0].path", 1),
    "dotted key at top level": ("results.snapshot_rows = -5\n", "results.snapshot_rows", 1),
}


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value)


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
def test_error_names_file_key_line(case: str, tmp_path: Path) -> None:
    text, key, line = BAD_CONFIGS[case]
    path = write(tmp_path, text)

    message = load_error(path)

    assert str(path) in message
    assert f"key {key} " in message
    assert f"line {line}," in message


def test_error_names_the_value(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, '[[workspaces]]\nname = "prod"\nkind = "azure"\nworkspace_id = "w"\nauth = "password"\n'))

    assert "'password'" in message
    assert "azure-cli" in message


def test_feed_days_message(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, '[[feeds]]\nname = "tf"\nkind = "threatfox"\ndays = 9\n'))

    assert "not 9" in message
    assert "1 to 7" in message


def test_invalid_toml_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[log]\nlevel = "INFO"\n\n[results]\nsnapshot_rows = \n')
    with pytest.raises(tomllib.TOMLDecodeError) as parsed:
        tomllib.loads(path.read_text())
    tomllib_line = re.search(r"at line (\d+)", str(parsed.value)).group(1)

    message = load_error(path)

    assert str(path) in message
    assert f"line {tomllib_line}," in message
    assert tomllib_line == "5"
    assert "not valid TOML" in message


def test_missing_config_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "config.toml"

    code = main(["--config", str(missing), "config", "check"])

    error = capsys.readouterr().err
    assert code == 2
    assert str(missing) in error
    assert "not found" in error
    assert "workbench config init" in error
    assert "Traceback" not in error


def test_bad_config_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "[results]\nsnapshot_rows = -1\n")

    code = main(["config", "check", str(path)])

    error = capsys.readouterr().err
    assert code == 2
    assert str(path) in error
    assert "results.snapshot_rows" in error
    assert "line 2," in error


def test_valid_config_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'default_workspace = "prod"\n[log]\nlevel = "debug"\n[results]\nsnapshot_rows = 0\n'
        '[[workspaces]]\nname = "prod"\nkind = "azure"\nworkspace_id = "w-1"\nauth = "device-code"\n'
        '[[feeds]]\nname = "tf"\nkind = "threatfox"\ndays = 7\n',
    )

    config = load_config(path)

    assert config.log_level == "DEBUG"
    assert config.snapshot_rows == 0
    assert config.workspace(None).workspace_id == "w-1"
    assert config.workspace(None).auth == "device-code"
    assert [workspace.name for workspace in config.workspaces] == ["default", "prod"]
    assert config.feeds[0].days == 7


def test_sample_config_loads() -> None:
    config = load_config(SAMPLE_CONFIG)

    assert config.path == SAMPLE_CONFIG
    assert config.default_workspace == "default"
    assert [workspace.name for workspace in config.workspaces] == ["default"]
    assert config.snapshot_rows == 5000


def test_sample_defaults_match_code() -> None:
    """The values the sample shows are the dataclass defaults, so it documents the real behaviour."""
    sample = load_config(SAMPLE_CONFIG)
    defaults = load_config(None)

    for field in dataclasses.fields(sample):
        if field.name != "path":
            assert getattr(sample, field.name) == getattr(defaults, field.name), field.name


def uncommented_sample() -> str:
    """Return the sample with its commented settings and tables switched on."""
    setting = re.compile(r"^#\s?((\[\[?[a-z_]+\]\]?)|([a-z_]+\s*=.*))$")
    lines = []
    for line in SAMPLE_CONFIG.read_text(encoding="utf-8").splitlines():
        match = setting.match(line)
        lines.append(match.group(1) if match else line)
    return "\n".join(lines) + "\n"


def table_keys(tables: list[dict]) -> set[str]:
    return {key for table in tables for key in table}


def test_uncommented_sample_loads(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, uncommented_sample()))

    assert [workspace.kind for workspace in config.workspaces] == ["local", "azure"]
    assert [feed.kind for feed in config.feeds] == ["file", "threatfox"]
    assert config.keys["run_query"] == "ctrl+r,f5"


def test_sample_keys_match_schema() -> None:
    data = tomllib.loads(uncommented_sample())

    assert set(data) == set(_SCHEMA[""])
    for section, keys in _SCHEMA.items():
        if section:
            assert set(data[section]) == set(keys), section


def test_sample_keys_match_fields() -> None:
    data = tomllib.loads(uncommented_sample())

    assert table_keys(data["workspaces"]) == {field.name for field in dataclasses.fields(WorkspaceConfig)}
    assert table_keys(data["feeds"]) == {field.name for field in dataclasses.fields(FeedConfig)}


def test_sample_names_every_kind() -> None:
    sample = SAMPLE_CONFIG.read_text(encoding="utf-8")

    for kind in (*AUTH_KINDS, *WORKSPACE_KINDS):
        assert kind in sample, kind


def test_template_is_sample() -> None:
    assert CONFIG_TEMPLATE == SAMPLE_CONFIG.read_text(encoding="utf-8")


def test_init_then_check(capsys: pytest.CaptureFixture[str]) -> None:
    target = default_config_path()

    init_code = main(["config", "init"])
    init_output = capsys.readouterr().out
    check_code = main(["config", "check"])
    check_output = capsys.readouterr().out

    assert init_code == 0
    assert str(target) in init_output
    assert target.read_text(encoding="utf-8") == CONFIG_TEMPLATE
    assert check_code == 0
    assert check_output.strip() == f"OK: {target}: 1 workspace, 0 feeds"


def test_init_keeps_existing(capsys: pytest.CaptureFixture[str]) -> None:
    target = default_config_path()
    target.write_text('default_workspace = "default"\n', encoding="utf-8")

    code = main(["config", "init"])

    error = capsys.readouterr().err
    assert code == 2
    assert str(target) in error
    assert "--force" in error
    assert target.read_text(encoding="utf-8") == 'default_workspace = "default"\n'


def test_init_force_keeps_backup(tmp_path: Path) -> None:
    target = tmp_path / "custom" / "wb.toml"
    target.parent.mkdir()
    target.write_text("old = true\n", encoding="utf-8")

    code = main(["config", "init", "--path", str(target), "--force"])

    assert code == 0
    assert target.read_text(encoding="utf-8") == CONFIG_TEMPLATE
    assert (tmp_path / "custom" / "wb.toml.bak").read_text(encoding="utf-8") == "old = true\n"


def test_check_counts_entries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        '[[workspaces]]\nname = "lab"\npath = "lab.duckdb"\n'
        '[[feeds]]\nname = "a"\npath = "a.csv"\n[[feeds]]\nname = "b"\npath = "b.csv"\n',
    )

    code = main(["--config", str(path), "config", "check"])

    assert code == 0
    assert capsys.readouterr().out.strip() == f"OK: {path}: 2 workspaces, 2 feeds"


def test_check_warns_missing_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WORKBENCH_TEST_UNSET_KEY", raising=False)
    present = write(tmp_path, "test3012[.]duckdns[.]org\n", name="present.txt")
    path = write(
        tmp_path,
        f'[[workspaces]]\nname = "lab"\npath = "{tmp_path / "absent.duckdb"}"\n'
        f'[[feeds]]\nname = "here"\npath = "{present}"\n'
        f'[[feeds]]\nname = "gone"\npath = "{tmp_path / "absent.csv"}"\n'
        '[[feeds]]\nname = "tf"\nkind = "threatfox"\nauth_key_env = "WORKBENCH_TEST_UNSET_KEY"\n',
    )

    code = main(["config", "check", str(path)])

    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert code == 0
    assert captured.out.startswith("OK: ")
    assert len(warnings) == 3
    assert any("absent.duckdb" in line for line in warnings)
    assert any("absent.csv" in line for line in warnings)
    assert any("WORKBENCH_TEST_UNSET_KEY" in line for line in warnings)
    assert not any("present.txt" in line for line in warnings)


def test_path_lists_folders(isolated_dirs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["config", "path"])

    output = capsys.readouterr().out
    assert code == 0
    for name in ("config", "data", "cache", "log"):
        assert str(isolated_dirs / name) in output, name
    assert "not created yet" in output


def log_text() -> str:
    path = log_file_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_debug_level_logs_debug(tmp_path: Path) -> None:
    path = write(tmp_path, '[log]\nlevel = "INFO"\n')

    assert main(["--config", str(path), "config", "check"]) == 0
    assert " DEBUG " not in log_text()
    assert main(["--config", str(path), "--log-level", "DEBUG", "config", "check"]) == 0

    debug_lines = [line for line in log_text().splitlines() if " DEBUG " in line]
    assert debug_lines
    assert any(str(path) in line for line in debug_lines)


def test_config_level_logs_debug(tmp_path: Path) -> None:
    path = write(tmp_path, '[log]\nlevel = "DEBUG"\n')

    assert main(["--config", str(path), "config", "check"]) == 0

    assert " DEBUG " in log_text()


SECRET = "tfk-5e6f0c1d2b3a4958-never-log-me"
KEY_VARIABLE = "WORKBENCH_TEST_THREATFOX_KEY"
THREATFOX_RESPONSE = {
    "query_status": "ok",
    "data": [
        {
            "id": "1599781",
            "ioc": "test3012.duckdns.org",
            "ioc_type": "domain",
            "threat_type": "botnet_cc",
            "malware_printable": "Nanocore RAT",
            "confidence_level": 100,
            "first_seen": "2026-06-19 00:00:00 UTC",
        }
    ],
}


@pytest.fixture
def threatfox_server() -> Iterator[tuple[str, list[str]]]:
    """Serve `get_iocs` on 127.0.0.1; yield its URL and the Auth-Key of each request."""
    received_keys: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received_keys.append(self.headers.get("Auth-Key", ""))
            payload = json.dumps(THREATFOX_RESPONSE).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1/", received_keys
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_secret_not_logged(
    threatfox_server: tuple[str, list[str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, received_keys = threatfox_server
    monkeypatch.setenv(KEY_VARIABLE, SECRET)
    feed_file = write(tmp_path, "test3012[.]duckdns[.]org\n185.220.101[.]7\n", name="feed.txt")
    config = write(
        tmp_path,
        f'[log]\nlevel = "DEBUG"\n\n[[feeds]]\nname = "tf"\nkind = "threatfox"\nauth_key_env = "{KEY_VARIABLE}"\nurl = "{url}"\n',
    )

    iocs_code = main(["--config", str(config), "iocs", str(feed_file), "--threatfox", "tf", "--refresh"])
    check_code = main(["--config", str(config), "--log-level", "DEBUG", "config", "check"])

    output = capsys.readouterr().out
    log = log_text()
    assert iocs_code == 0
    assert check_code == 0
    assert received_keys == [SECRET]
    assert "185.220.101.7" in output
    assert "ThreatFox feed tf" in log
    assert " DEBUG " in log
    assert SECRET not in log


@pytest.mark.parametrize(("keys_text", "expected"), [("contrl+s", "'contrl' is not a modifier"), ("f55", "f1 to f24"), ("ctrl+Page Up", "key name")])
def test_invalid_key_names_rejected(tmp_path: Path, keys_text: str, expected: str) -> None:
    from workbench.config import ConfigError, load_config

    config_file = tmp_path / "config.toml"
    config_file.write_text(f'[keys]\nsave_session = "{keys_text}"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(config_file)
    assert "keys.save_session" in str(raised.value)
    assert expected in str(raised.value)
