"""Tests of `workbench ingest` on real exports, followed by real KQL hunts on the ingested tables.

Every file of the sample telemetry folder is loaded through the CLI into one
workspace, and each table is then hunted with duckdb-kql against that file.
A type or time that came out wrong shows up as a hunt that finds nothing.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import duckdb_kql
import pytest

from workbench.backends.base import CancelToken, Timespan
from workbench.backends.ingest import IngestError, detect_format, ingest_file
from tests.conftest import SHARED_DIR
from workbench.cli import main

TELEMETRY = Path("data") / "telemetry"
UTC = timezone.utc


def write_config(folder: Path) -> tuple[Path, Path]:
    """Write a config with a local workspace `lab` and return the config and workspace paths."""
    db_path = folder / "lab" / "lab.duckdb"
    config_path = folder / "config.toml"
    config_path.write_text(
        '[[workspaces]]\nname = "lab"\nkind = "local"\n'
        f"path = {str(db_path)!r}\n\n"
        '[[workspaces]]\nname = "cloud"\nkind = "azure"\n'
        'workspace_id = "00000000-0000-0000-0000-000000000001"\n',
        encoding="utf-8",
    )
    return config_path, db_path


def run_ingest(config_path: Path, *arguments: str) -> int:
    return main(["--config", str(config_path), "--workspace", "lab", "ingest", *arguments])


def kql_rows(db_path: Path, query: str) -> list[tuple]:
    connection = duckdb_kql.connect(str(db_path), read_only=True)
    try:
        return duckdb_kql.kql(connection, query).fetchall()
    finally:
        connection.close()


def kql_count(db_path: Path, query: str) -> int:
    return kql_rows(db_path, query + " | count")[0][0]


def data_rows(file: Path) -> int:
    """Count a file's records independently of the ingest: CSV records after the header, or JSON lines."""
    if file.suffix == ".json":
        return sum(1 for line in file.read_text(encoding="utf-8").splitlines() if line.strip())
    with file.open(encoding="utf-8-sig", newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


@pytest.fixture(scope="module")
def telemetry(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Ingest every sample telemetry file through the CLI; return the workspace and the telemetry folder."""
    folder = SHARED_DIR / TELEMETRY
    if not folder.is_dir():
        pytest.skip(f"sample telemetry folder {folder} not found; set HUNT_WORKBENCH_SHARED to the shared folder")

    base = tmp_path_factory.mktemp("telemetry")
    with pytest.MonkeyPatch.context() as patch:
        for name in ("DATA", "CONFIG", "CACHE", "LOG"):
            (base / name.lower()).mkdir()
            patch.setenv(f"HUNT_WORKBENCH_{name}_DIR", str(base / name.lower()))
        config_path, db_path = write_config(base)
        for file in sorted(folder.glob("*/*")):
            exit_code = run_ingest(config_path, file.parent.name, str(file))
            assert exit_code == 0, f"ingest of {file} failed"
    return db_path, folder


# Every file, and a hunt on every table


def test_every_file_ingested(telemetry, shared_dir):
    db_path, _ = telemetry
    folder = shared_dir / TELEMETRY
    expected: dict[str, int] = {}
    for file in sorted(folder.glob("*/*")):
        expected[file.parent.name] = expected.get(file.parent.name, 0) + data_rows(file)

    assert len(expected) == 8
    for table, rows in expected.items():
        assert rows > 0
        assert kql_count(db_path, table) == rows, table


HUNTS = [
    # (table, hunt, rows it finds, a time window in which all of them fall)
    (
        "CommonSecurityLog",
        'CommonSecurityLog | extend qname = extract("FTNTFGTqname=([^;]+)", 1, AdditionalExtensions) '
        "| where isnotempty(qname)",
        21,
        ("2025-11-09T15:00:00Z", "2025-11-09T18:00:00Z"),
    ),
    (
        "SecurityEvent",
        'SecurityEvent | where EventID == 4688 and CommandLine has "powershell"',
        14,
        ("2019-01-01T00:00:00Z", "2020-12-31T00:00:00Z"),
    ),
    (
        "Syslog",
        'Syslog | where LogonProcessName == "sshd" and LogonResult == "Failure"',
        59,
        ("2020-05-01T00:00:00Z", "2020-05-31T00:00:00Z"),
    ),
    (
        "Sysmon_OTRF",
        "Sysmon_OTRF | where EventID == 22 | where isnotempty(QueryName)",
        205,
        ("2020-10-22T01:54:00Z", "2020-10-22T01:55:00Z"),
    ),
    (
        "DeviceProcessEvents",
        'DeviceProcessEvents | where FileName =~ "ngen.exe"',
        49,
        ("2021-12-15T00:00:00Z", "2021-12-17T00:00:00Z"),
    ),
    (
        "DeviceNetworkEvents",
        'DeviceNetworkEvents | where RemoteIP == "10.1.2.30" and ActionType == "InboundConnectionAccepted"',
        8,
        ("2022-04-18T00:00:00Z", "2022-04-20T00:00:00Z"),
    ),
    (
        "AzureNetworkAnalytics_CL",
        'AzureNetworkAnalytics_CL | where set_has_element(PublicIPs, "65.55.44.109")',
        97,
        ("2019-02-12T00:00:00Z", "2019-02-15T00:00:00Z"),
    ),
    (
        "ThreatIntelligenceIndicator",
        "ThreatIntelligenceIndicator | where Active == true and isnotempty(NetworkIP)",
        333,
        ("2019-08-05T22:00:00Z", "2019-08-05T23:00:00Z"),
    ),
]


@pytest.mark.parametrize(("table", "hunt", "found", "window"), HUNTS, ids=[case[0] for case in HUNTS])
def test_hunt_finds_rows(telemetry, table, hunt, found, window):
    db_path, _ = telemetry
    start, end = window
    inside = f"{hunt} | where TimeGenerated between (datetime({start}) .. datetime({end}))"
    before = f"{hunt} | where TimeGenerated < datetime({start})"

    assert kql_count(db_path, hunt) == found
    assert kql_count(db_path, inside) == found
    assert kql_count(db_path, before) == 0


def test_hunt_json_text_column(telemetry):
    db_path, _ = telemetry
    hunt = 'SecurityEvent | extend d = parse_json(EventProperties) | where d.TargetUserName == "Remote Desktop Users"'
    direct = 'SecurityEvent | where EventProperties.TargetUserName == "Remote Desktop Users"'

    assert kql_count(db_path, hunt) == 1
    assert kql_count(db_path, direct) == 1


def test_hunt_sysmon_dns_names(telemetry):
    db_path, _ = telemetry
    rows = kql_rows(
        db_path,
        "Sysmon_OTRF | where EventID == 22 | summarize n = count() by QueryName | where QueryName == 'github.com'",
    )

    assert rows == [("github.com", 2)]


def test_timespan_on_ingested_table(telemetry):
    from workbench.backends.local import LocalBackend

    db_path, _ = telemetry
    backend = LocalBackend(db_path, "local:lab")
    try:
        inside = Timespan(
            start=datetime(2020, 10, 22, 1, 54, tzinfo=UTC), end=datetime(2020, 10, 22, 1, 55, tzinfo=UTC)
        )
        outside = Timespan(start=datetime(2021, 1, 1, tzinfo=UTC), end=datetime(2021, 1, 2, tzinfo=UTC))
        found = backend.run("Sysmon_OTRF | where EventID == 22 | count", inside, CancelToken())
        missed = backend.run("Sysmon_OTRF | where EventID == 22 | count", outside, CancelToken())
    finally:
        backend.close()

    assert found.table.column(0).to_pylist() == [205]
    assert missed.table.column(0).to_pylist() == [0]


# Portal quirks, checked on the real files


def test_portal_time_exact_instant(telemetry):
    db_path, _ = telemetry
    rows = kql_rows(db_path, "CommonSecurityLog | summarize earliest = min(TimeGenerated)")

    assert rows == [(datetime(2025, 11, 9, 15, 46, 34, 34000, tzinfo=UTC),)]


def test_unit_suffix_renamed(telemetry):
    db_path, _ = telemetry
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        names = [row[0] for row in connection.execute("DESCRIBE CommonSecurityLog").fetchall()]
        network_names = [row[0] for row in connection.execute("DESCRIBE DeviceNetworkEvents").fetchall()]
    finally:
        connection.close()

    assert "TimeGenerated" in names
    assert "TimeGenerated [UTC]" not in names
    assert "EndTime" in names
    assert "FirstOperation" in network_names


def test_bom_stripped(telemetry):
    db_path, _ = telemetry
    rows = kql_rows(db_path, 'DeviceNetworkEvents | where Computer == "dc01.na.contosohotels.com" | project Computer')

    assert len(rows) > 0


def test_pandas_index_dropped(telemetry):
    db_path, _ = telemetry
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        syslog = [row[0] for row in connection.execute("DESCRIBE Syslog").fetchall()]
        flows = [row[0] for row in connection.execute("DESCRIBE AzureNetworkAnalytics_CL").fetchall()]
    finally:
        connection.close()

    assert syslog[0] == "TenantId"
    assert "Unnamed: 0" not in syslog
    assert flows[0] == "TenantId"


def test_spreadsheet_time_parsed(telemetry):
    db_path, _ = telemetry
    count = kql_count(db_path, "Syslog | where TimeGenerated == datetime(2019-07-08T16:08:00Z)")

    assert count > 0


def test_padded_values_kept(telemetry):
    db_path, _ = telemetry

    assert kql_count(db_path, 'SecurityEvent | where LogonProcessName == "Advapi  "') > 0


def test_time_generated_copied(telemetry):
    db_path, _ = telemetry
    same = "DeviceProcessEvents | where TimeGenerated == Timestamp"
    sysmon = "Sysmon_OTRF | where TimeGenerated == ['@timestamp']"

    assert kql_count(db_path, same) == 200
    assert kql_count(db_path, sysmon) == 1166


def test_sentinel_types_applied(telemetry):
    db_path, _ = telemetry
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        types = dict(
            connection.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'CommonSecurityLog'"
            ).fetchall()
        )
    finally:
        connection.close()

    assert types["DeviceEventClassID"] == "VARCHAR"
    assert types["DestinationPort"] == "INTEGER"
    assert types["EventCount"] == "INTEGER"
    assert kql_count(db_path, 'CommonSecurityLog | where DeviceEventClassID == "54000"') > 0
    assert kql_count(db_path, "CommonSecurityLog | where DestinationPort == 53") > 0


def test_case_duplicate_renamed(telemetry):
    db_path, _ = telemetry

    assert kql_count(db_path, 'Sysmon_OTRF | where ProcessID_1 == "3428"') > 0


# The CLI on small files written here


@pytest.fixture
def lab(tmp_path: Path) -> tuple[Path, Path]:
    return write_config(tmp_path)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_append_twice_doubles(lab, tmp_path):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n2025-01-02T00:00:00Z,b\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert kql_count(db_path, "Events_CL") == 4


def test_replace_keeps_one_copy(lab, tmp_path):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n2025-01-02T00:00:00Z,b\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert run_ingest(config_path, "Events_CL", str(file), "--replace") == 0
    assert kql_count(db_path, "Events_CL") == 2


def test_workspace_file_created(lab, tmp_path):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    assert not db_path.exists()
    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert db_path.exists()


def test_default_workspace_used(tmp_path, isolated_dirs):
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    assert main(["ingest", "Events_CL", str(file)]) == 0
    assert kql_count(isolated_dirs / "data" / "workspaces" / "default.duckdb", "Events_CL") == 1


def test_append_adds_new_columns(lab, tmp_path):
    config_path, db_path = lab
    first = write(tmp_path / "first.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")
    second = write(tmp_path / "second.csv", "TimeGenerated,Account\n2025-01-02T00:00:00Z,admin\n")

    assert run_ingest(config_path, "Events_CL", str(first)) == 0
    assert run_ingest(config_path, "Events_CL", str(second)) == 0
    rows = kql_rows(db_path, "Events_CL | order by TimeGenerated asc | project Computer, Account")
    assert rows == [("a", None), (None, "admin")]


def test_bom_and_portal_time(lab, tmp_path):
    config_path, db_path = lab
    file = write(
        tmp_path / "portal.csv",
        '\ufeff"TimeGenerated [UTC]",Computer\n"11/9/2025, 3:46:34.034 PM",web-01\n',
    )

    assert run_ingest(config_path, "Portal_CL", str(file)) == 0
    rows = kql_rows(db_path, "Portal_CL | project TimeGenerated, Computer")
    assert rows == [(datetime(2025, 11, 9, 15, 46, 34, 34000, tzinfo=UTC), "web-01")]


def test_report_lists_renames(lab, tmp_path, capsys):
    config_path, _ = lab
    file = write(tmp_path / "portal.csv", '"TimeGenerated [UTC]",Computer\n"11/9/2025, 3:46:34.034 PM",web-01\n')

    assert run_ingest(config_path, "Portal_CL", str(file)) == 0
    output = capsys.readouterr().out
    assert "1 row added" in output
    assert "TimeGenerated [UTC] -> TimeGenerated" in output


def test_copied_time_warned(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "mde.csv", "Timestamp,DeviceName\n2021-12-15T23:00:03.449464Z,host-1\n")

    assert run_ingest(config_path, "DeviceProcessEvents", str(file)) == 0
    assert "TimeGenerated was copied from Timestamp" in capsys.readouterr().err
    assert kql_count(db_path, "DeviceProcessEvents | where TimeGenerated == datetime(2021-12-15T23:00:03.449464Z)") == 1


def test_unnamed_data_column_kept(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", ",TimeGenerated\nweb-01,2025-01-01T00:00:00Z\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert "column 1 has no name; it is stored as Column1" in capsys.readouterr().err
    assert kql_rows(db_path, "Events_CL | project Column1") == [("web-01",)]


def test_empty_time_generated(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n,a\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert "TimeGenerated is empty in every row" in capsys.readouterr().err
    assert kql_count(db_path, "Events_CL | where isnull(TimeGenerated)") == 1


def test_day_first_dates(lab, tmp_path):
    config_path, db_path = lab
    file = write(tmp_path / "eu.csv", "TimeGenerated,Computer\n31/12/2025 10:00,a\n01/02/2025 10:00,b\n")

    assert run_ingest(config_path, "Eu_CL", str(file)) == 0
    assert kql_count(db_path, "Eu_CL | where TimeGenerated == datetime(2025-02-01T10:00:00Z)") == 1


def test_inferred_types(lab, tmp_path):
    config_path, db_path = lab
    file = write(
        tmp_path / "types.csv",
        "TimeGenerated,Port,Score,Active,Code,Ids,Empty,Fields\n"
        '2025-01-01T00:00:00Z,443.0,0.5,True,007,"[\'a\', \'b\']",,"{""x"": 1}"\n'
        "2025-01-02T00:00:00Z,,1.5,False,010,[],,\n",
    )

    assert run_ingest(config_path, "Types_CL", str(file)) == 0
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        types = dict(connection.execute("SELECT column_name, data_type FROM information_schema.columns").fetchall())
    finally:
        connection.close()
    assert types["TimeGenerated"] == "TIMESTAMP WITH TIME ZONE"
    assert types["Port"] == "BIGINT"
    assert types["Score"] == "DOUBLE"
    assert types["Active"] == "BOOLEAN"
    assert types["Code"] == "VARCHAR"
    assert types["Ids"] == "JSON"
    assert types["Empty"] == "VARCHAR"
    assert types["Fields"] == "JSON"
    assert kql_count(db_path, 'Types_CL | where set_has_element(Ids, "b")') == 1
    assert kql_count(db_path, 'Types_CL | where Code == "007"') == 1
    assert kql_count(db_path, 'Types_CL | where Empty == ""') == 2
    assert kql_count(db_path, "Types_CL | where Fields.x == 1") == 1


def test_jsonl_and_parquet(lab, tmp_path):
    config_path, db_path = lab
    jsonl = write(
        tmp_path / "events.json",
        '{"@timestamp": "2020-10-22T01:54:20.493Z", "EventID": 22, "QueryName": "a.example"}\n'
        '{"@timestamp": "2020-10-22T01:54:21.493Z", "EventID": 1, "Tags": ["x"]}\n',
    )
    parquet = tmp_path / "events.bin"
    connection = duckdb.connect()
    connection.execute(
        "COPY (SELECT TIMESTAMP '2020-10-22 01:54:22' AS TimeGenerated, 22 AS EventID, 'b.example' AS QueryName) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    connection.close()

    assert run_ingest(config_path, "Sysmon", str(jsonl)) == 0
    assert run_ingest(config_path, "Sysmon", str(parquet)) == 0
    assert kql_count(db_path, "Sysmon | where EventID == 22") == 2
    assert kql_count(db_path, "Sysmon | where TimeGenerated == datetime(2020-10-22T01:54:22Z)") == 1
    assert kql_count(db_path, 'Sysmon | where set_has_element(Tags, "x")') == 1


def test_parquet_pandas_index_dropped(lab, tmp_path):
    config_path, db_path = lab
    parquet = tmp_path / "events.parquet"
    connection = duckdb.connect()
    connection.execute(
        "COPY (SELECT TIMESTAMPTZ '2020-10-22 01:54:22Z' AS TimeGenerated, 'a' AS Computer, 7 AS __index_level_0__) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    connection.close()

    assert run_ingest(config_path, "Events_CL", str(parquet)) == 0
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        names = [row[0] for row in connection.execute("DESCRIBE Events_CL").fetchall()]
    finally:
        connection.close()
    assert names == ["TimeGenerated", "Computer"]


def test_utf16_csv(lab, tmp_path):
    config_path, db_path = lab
    file = write(tmp_path / "ps.csv", "TimeGenerated;Computer\n2025-01-01T00:00:00Z;a\n", encoding="utf-16")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert kql_rows(db_path, "Events_CL | project Computer") == [("a",)]


def test_sentinel_type_mismatch_kept(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "cef.csv", "TimeGenerated,DestinationPort\n2025-01-01T00:00:00Z,https\n")

    assert run_ingest(config_path, "CommonSecurityLog", str(file)) == 0
    assert "column DestinationPort is int in the Sentinel CommonSecurityLog table" in capsys.readouterr().err
    assert kql_count(db_path, 'CommonSecurityLog | where DestinationPort == "https"') == 1


def test_format_option_overrides(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "braces.txt", "{Id},TimeGenerated\n7,2025-01-01T00:00:00Z\n")

    assert run_ingest(config_path, "Braces_CL", str(file)) == 2
    assert "--format csv" in capsys.readouterr().err
    assert run_ingest(config_path, "Braces_CL", str(file), "--format", "csv") == 0
    assert kql_rows(db_path, "Braces_CL | project ['{Id}']") == [(7,)]


def test_table_name_case_kept(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert run_ingest(config_path, "events_cl", str(file)) == 0
    assert "Appended to table Events_CL" in capsys.readouterr().out
    assert kql_count(db_path, "Events_CL") == 2


def test_type_conflict_rejected(lab, tmp_path, capsys):
    config_path, db_path = lab
    first = write(tmp_path / "first.csv", "TimeGenerated,Port\n2025-01-01T00:00:00Z,443\n")
    second = write(tmp_path / "second.csv", "TimeGenerated,Port\n2025-01-02T00:00:00Z,https\n")

    assert run_ingest(config_path, "Ports_CL", str(first)) == 0
    assert run_ingest(config_path, "Ports_CL", str(second)) == 2
    error = capsys.readouterr().err
    assert "column Port of table Ports_CL is long" in error
    assert "'https'" in error
    assert kql_count(db_path, "Ports_CL") == 1


def test_integer_column_widened(lab, tmp_path):
    config_path, db_path = lab
    first = write(tmp_path / "first.csv", "TimeGenerated,Score\n2025-01-01T00:00:00Z,70\n")
    second = write(tmp_path / "second.csv", "TimeGenerated,Score\n2025-01-02T00:00:00Z,70.5\n")

    assert run_ingest(config_path, "Scores_CL", str(first)) == 0
    assert run_ingest(config_path, "Scores_CL", str(second)) == 0
    assert kql_count(db_path, "Scores_CL | where Score > 70.1") == 1


# Errors


@pytest.mark.parametrize("name", ["1Events", "_Events", "Events-CL", "Events CL", "", "where", "E" * 1025])
def test_bad_table_name(lab, tmp_path, capsys, name):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    assert run_ingest(config_path, name, str(file)) == 2
    assert f"invalid table name {name!r}" in capsys.readouterr().err
    assert not db_path.exists()


def test_missing_file(lab, tmp_path, capsys):
    config_path, _ = lab
    missing = tmp_path / "nowhere.csv"

    assert run_ingest(config_path, "Events_CL", str(missing)) == 2
    assert f"file {missing} not found" in capsys.readouterr().err


def test_folder_not_file(lab, tmp_path, capsys):
    config_path, _ = lab

    assert run_ingest(config_path, "Events_CL", str(tmp_path)) == 2
    assert "is a folder, not a file" in capsys.readouterr().err


@pytest.mark.parametrize("content", ["", "\ufeff", "\n\n  \n"])
def test_empty_file(lab, tmp_path, capsys, content):
    config_path, _ = lab
    file = write(tmp_path / "empty.csv", content)

    assert run_ingest(config_path, "Events_CL", str(file)) == 2
    assert f"file {file} is empty" in capsys.readouterr().err


def test_header_only_file(tmp_path):
    file = write(tmp_path / "header.csv", "TimeGenerated,Computer\n")
    report = ingest_file(tmp_path / "lab.duckdb", "Events_CL", file)

    assert report.rows_added == 0
    assert f"file {file} has column names but no rows" in report.warnings
    assert [(column.name, column.kql_type) for column in report.columns] == [
        ("TimeGenerated", "datetime"),
        ("Computer", "string"),
    ]


def test_malformed_json_lines(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "broken.json", '{"EventID": 1}\n{"EventID": 2,\n{"EventID": 3}\n')

    assert run_ingest(config_path, "Events_CL", str(file)) == 2
    error = capsys.readouterr().err
    assert f"file {file} is not valid JSON lines" in error
    assert "Traceback" not in error


def test_malformed_csv(lab, tmp_path, capsys):
    config_path, _ = lab
    file = write(tmp_path / "broken.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n2025-01-02T00:00:00Z,b,c,d\n")

    assert run_ingest(config_path, "Events_CL", str(file)) == 2
    error = capsys.readouterr().err
    assert f"file {file} is not a valid CSV file" in error


def test_failed_append_keeps_table(lab, tmp_path):
    config_path, db_path = lab
    good = write(tmp_path / "good.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")
    broken = write(tmp_path / "broken.json", '{"TimeGenerated": "2025-01-02T00:00:00Z", "Extra": 1}\n{"x":\n')

    assert run_ingest(config_path, "Events_CL", str(good)) == 0
    assert run_ingest(config_path, "Events_CL", str(broken)) == 2
    connection = duckdb.connect(str(db_path), read_only=True)
    try:
        names = [row[0] for row in connection.execute("DESCRIBE Events_CL").fetchall()]
    finally:
        connection.close()
    assert names == ["TimeGenerated", "Computer"]
    assert kql_count(db_path, "Events_CL") == 1


def test_azure_workspace_rejected(lab, tmp_path, capsys):
    config_path, _ = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    assert main(["--config", str(config_path), "--workspace", "cloud", "ingest", "Events_CL", str(file)]) == 2
    assert "ingest writes only to local workspaces" in capsys.readouterr().err


def test_lock_held_elsewhere(lab, tmp_path, capsys):
    config_path, db_path = lab
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")
    assert run_ingest(config_path, "Events_CL", str(file)) == 0

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys\n"
            f"connection = duckdb.connect({str(db_path)!r})\n"
            "print('ready', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        exit_code = run_ingest(config_path, "Events_CL", str(file))
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    assert exit_code == 2
    error = capsys.readouterr().err
    assert "is open in another workbench process" in error
    assert f"(PID {holder.pid})" in error
    assert "retry" in error
    assert run_ingest(config_path, "Events_CL", str(file)) == 0
    assert kql_count(db_path, "Events_CL") == 2


def test_open_read_only_here(tmp_path):
    db_path = tmp_path / "lab.duckdb"
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")
    ingest_file(db_path, "Events_CL", file)
    reader = duckdb.connect(str(db_path), read_only=True)
    try:
        with pytest.raises(IngestError, match="is open read-only in this process"):
            ingest_file(db_path, "Events_CL", file)
    finally:
        reader.close()


def test_lock_released_after(tmp_path):
    db_path = tmp_path / "lab.duckdb"
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")
    ingest_file(db_path, "Events_CL", file)

    writer = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(db_path)!r}).execute('SELECT 1')"],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert writer.returncode == 0, writer.stderr


# The library function


def test_detect_format(tmp_path):
    csv_file = write(tmp_path / "a.txt", "\ufeffTimeGenerated,Computer\n")
    json_file = write(tmp_path / "b.txt", '\n  {"a": 1}\n')
    array_file = write(tmp_path / "c.txt", '[{"a": 1}]')
    parquet_file = tmp_path / "d.txt"
    parquet_file.write_bytes(b"PAR1rest")

    assert detect_format(csv_file) == "csv"
    assert detect_format(json_file) == "jsonl"
    assert detect_format(array_file) == "jsonl"
    assert detect_format(parquet_file) == "parquet"


def test_report_fields(tmp_path):
    file = write(
        tmp_path / "portal.csv",
        ',"TimeGenerated [UTC]",Count\n0,"11/9/2025, 3:46:34.034 PM",1\n1,"11/9/2025, 3:47:00.000 PM",2\n',
    )
    report = ingest_file(tmp_path / "lab.duckdb", "Portal_CL", file)

    assert report.table == "Portal_CL"
    assert report.rows_added == 2
    assert report.created is True
    assert report.renamed_columns == {"TimeGenerated [UTC]": "TimeGenerated"}
    assert report.time_columns_parsed == ["TimeGenerated"]
    assert [(column.name, column.kql_type) for column in report.columns] == [
        ("TimeGenerated", "datetime"),
        ("Count", "long"),
    ]
    assert any("pandas index" in warning for warning in report.warnings)


def test_invalid_format_rejected(tmp_path):
    file = write(tmp_path / "events.csv", "TimeGenerated,Computer\n2025-01-01T00:00:00Z,a\n")

    with pytest.raises(IngestError, match="invalid format 'xml'"):
        ingest_file(tmp_path / "lab.duckdb", "Events_CL", file, format="xml")
