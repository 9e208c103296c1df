"""`workbench run` and `workbench --version` as a script would use them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from workbench import __version__
from workbench.cli import main


@pytest.fixture(scope="module")
def workspace_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a config file whose default workspace is a small generated demo file."""
    from workbench.demo.generator import generate_workspace

    folder = tmp_path_factory.mktemp("run")
    database = folder / "demo.duckdb"
    generate_workspace(database, seed=7, end=datetime.now(timezone.utc), dns_rows=5_000)
    config = folder / "config.toml"
    config.write_text(f'[[workspaces]]\nname = "default"\nkind = "local"\npath = "{database}"\n', encoding="utf-8")
    return config


HUNT = (
    'DnsEvents | extend n = tolower(trim_end(@"\\.", Name)) '
    '| where n == "test3012.duckdns.org" or n endswith ".test3012.duckdns.org" '
    "| project TimeGenerated, Computer, Name"
)


def test_run_prints_table(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query", HUNT])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0].split() == ["TimeGenerated", "Computer", "Name"]
    assert "test3012.duckdns.org" in out.lower()
    assert "rows," in out.splitlines()[-1]


def test_run_json_rows_match(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query", HUNT, "--format", "json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert rows
    for row in rows:
        name = row["Name"].lower().rstrip(".")
        assert name == "test3012.duckdns.org" or name.endswith(".test3012.duckdns.org")
        assert row["TimeGenerated"].endswith("Z")


def test_run_csv_from_file(workspace_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query_file = tmp_path / "hunt.kql"
    query_file.write_text(HUNT + "\n| count", encoding="utf-8")
    code = main(["--config", str(workspace_config), "run", "--query-file", str(query_file), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert code == 0
    assert rows[0] == ["Count"]
    assert int(rows[1][0]) > 0


def test_run_empty_result(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query", 'DnsEvents | where Name == "none.example"', "--format", "json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == []


def test_invalid_query_exits_2(workspace_config: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "workbench", "--config", str(workspace_config), "run", "--query", "DnsEvents\n| where Name == \"a"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 2
    assert "line 2, column" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert completed.stdout == ""


def test_unknown_table_exits_2(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query", "NoSuchTable | take 1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "NoSuchTable" in err
    assert "workbench ingest" in err


def test_missing_query_file_exits_2(workspace_config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query-file", str(tmp_path / "absent.kql")])
    assert code == 2
    assert "absent.kql not found" in capsys.readouterr().err


def test_bad_timespan_exits_2(workspace_config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--config", str(workspace_config), "run", "--query", "DnsEvents | count", "--timespan", "7 days"])
    assert code == 2
    assert "P7D" in capsys.readouterr().err


def test_version_prints_version() -> None:
    completed = subprocess.run([sys.executable, "-m", "workbench", "--version"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"hunt-workbench {__version__}"


def test_broken_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[results]\nsnapshot_rows = \"many\"\n", encoding="utf-8")
    code = main(["--config", str(config), "run", "--query", "print 1"])
    err = capsys.readouterr().err
    assert code == 2
    assert "results.snapshot_rows" in err
    assert "line 2" in err


def test_csv_keeps_raw_values(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    database = tmp_path / "raw.duckdb"
    connection = duckdb.connect(str(database))
    connection.execute("CREATE TABLE Notes (Text VARCHAR)")
    connection.execute("INSERT INTO Notes VALUES ('tab\there\nnewline'), ('quote \"x\"')")
    connection.close()
    config = tmp_path / "config.toml"
    config.write_text(f'[[workspaces]]\nname = "default"\npath = "{database}"\n', encoding="utf-8")
    code = main(["--config", str(config), "run", "--query", "Notes", "--format", "csv", "--all-time"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert code == 0
    assert rows[1:] == [["tab\there\nnewline"], ['quote "x"']]
