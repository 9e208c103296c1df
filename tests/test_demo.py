"""Tests of the demo workspace generator and `workbench demo`.

The hit and trap checks run their own SQL against the generated file: lower
case, strip one trailing dot, then equal to the domain or ending with "." +
domain. They take only the names from the generator's ground-truth constants.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from workbench.cli import main
from workbench.demo.generator import WorkspaceLockedError, generate_into, generate_workspace
from workbench.demo.planted import CI_RUNNER_HOST, NANOCORE_DOMAINS, PLANTED_HOSTS, TRAP_NAMES

END = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)
DNS_ROWS = 20_000
TABLES = ("DnsEvents", "DeviceNetworkEvents", "CommonSecurityLog", "SecurityEvent", "Syslog")
NAME = '"Name"'
REMOTE_URL = '"RemoteUrl"'
DESTINATION_HOST = '"DestinationHostName"'


def matches(column: str, domain: str) -> str:
    """Return SQL true when `column` is `domain` or a subdomain of it, ignoring case and one trailing dot."""
    normalised = f"lower(regexp_replace({column}, '\\.$', ''))"
    return f"({normalised} = '{domain}' OR {normalised} LIKE '%.{domain}')"


def any_domain(column: str) -> str:
    return "(" + " OR ".join(matches(column, domain) for domain in NANOCORE_DOMAINS) + ")"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    counts = generate_workspace(path, seed=4242, end=END, dns_rows=DNS_ROWS)
    return path, counts


@pytest.fixture(scope="module")
def con(workspace):
    connection = duckdb.connect(str(workspace[0]), read_only=True)
    connection.execute("SET TimeZone = 'UTC'").fetchall()
    yield connection
    connection.close()


def scalar(connection, sql: str):
    return connection.execute(sql).fetchone()[0]


def table_digests(path: Path) -> dict[str, str]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        return {
            table: scalar(
                connection,
                f"SELECT md5(string_agg(CAST(t AS VARCHAR), chr(10) ORDER BY CAST(t AS VARCHAR))) FROM \"{table}\" AS t",
            )
            for table in TABLES
        }
    finally:
        connection.close()


# Shape of the tables


def test_counts_match_tables(con, workspace):
    counts = workspace[1]
    assert set(counts) == set(TABLES)
    for table in TABLES:
        assert counts[table] == scalar(con, f'SELECT count(*) FROM "{table}"')
    assert counts["DnsEvents"] > DNS_ROWS


EXPECTED_COLUMNS = {
    "DnsEvents": {
        "TimeGenerated": "TIMESTAMP WITH TIME ZONE", "Computer": "VARCHAR", "Name": "VARCHAR",
        "IPAddresses": "VARCHAR", "QueryType": "VARCHAR", "ClientIP": "VARCHAR", "SubType": "VARCHAR",
        "EventId": "INTEGER", "Result": "VARCHAR", "ResultCode": "INTEGER", "TaskCategory": "VARCHAR",
        "Type": "VARCHAR", "Severity": "INTEGER", "RemoteIPLatitude": "DOUBLE",
    },
    "DeviceNetworkEvents": {
        "TimeGenerated": "TIMESTAMP WITH TIME ZONE", "Timestamp": "TIMESTAMP WITH TIME ZONE",
        "DeviceName": "VARCHAR", "RemoteUrl": "VARCHAR", "RemoteIP": "VARCHAR", "RemotePort": "INTEGER",
        "InitiatingProcessFileName": "VARCHAR", "InitiatingProcessCommandLine": "VARCHAR",
        "InitiatingProcessAccountName": "VARCHAR", "ActionType": "VARCHAR", "InitiatingProcessId": "BIGINT",
        "ReportId": "BIGINT", "AdditionalFields": "JSON",
    },
    "CommonSecurityLog": {
        "TimeGenerated": "TIMESTAMP WITH TIME ZONE", "DestinationHostName": "VARCHAR", "RequestURL": "VARCHAR",
        "DestinationIP": "VARCHAR", "DestinationPort": "INTEGER", "SourceIP": "VARCHAR", "DeviceVendor": "VARCHAR",
        "DeviceProduct": "VARCHAR", "Activity": "VARCHAR", "SentBytes": "BIGINT", "RemotePort": "VARCHAR",
    },
    "SecurityEvent": {
        "TimeGenerated": "TIMESTAMP WITH TIME ZONE", "EventID": "INTEGER", "Computer": "VARCHAR",
        "Account": "VARCHAR", "Process": "VARCHAR", "CommandLine": "VARCHAR", "NewProcessName": "VARCHAR",
        "ParentProcessName": "VARCHAR", "LogonType": "INTEGER", "Task": "INTEGER",
    },
    "Syslog": {
        "TimeGenerated": "TIMESTAMP WITH TIME ZONE", "Computer": "VARCHAR", "HostName": "VARCHAR",
        "Facility": "VARCHAR", "SeverityLevel": "VARCHAR", "SyslogMessage": "VARCHAR", "ProcessName": "VARCHAR",
        "ProcessID": "INTEGER", "EventTime": "TIMESTAMP WITH TIME ZONE",
    },
}


@pytest.mark.parametrize("table", TABLES)
def test_sentinel_column_types(con, table):
    actual = dict(con.execute(f'SELECT column_name, column_type FROM (DESCRIBE "{table}")').fetchall())
    for column, expected_type in EXPECTED_COLUMNS[table].items():
        assert actual.get(column) == expected_type, f"{table}.{column}"


@pytest.mark.parametrize("table", TABLES)
def test_rows_inside_window(con, table):
    first, last = con.execute(f'SELECT min("TimeGenerated"), max("TimeGenerated") FROM "{table}"').fetchone()
    assert first > END - timedelta(days=14)
    assert last < END
    assert last > END - timedelta(days=1)


def test_strings_empty_not_null(con):
    assert scalar(con, 'SELECT count(*) FROM "DnsEvents" WHERE "Message" IS NULL OR "MaliciousIP" IS NULL') == 0
    assert scalar(con, "SELECT count(*) FROM \"DnsEvents\" WHERE \"Message\" = ''") > 0


# Determinism


def test_same_seed_same_rows(workspace, tmp_path):
    again = tmp_path / "again.duckdb"
    generate_workspace(again, seed=4242, end=END, dns_rows=DNS_ROWS)
    assert table_digests(again) == table_digests(workspace[0])


def test_same_rows_across_processes(workspace, tmp_path):
    again = tmp_path / "process.duckdb"
    script = (
        "from datetime import datetime, timezone; from workbench.demo.generator import generate_workspace; "
        f"generate_workspace({str(again)!r}, seed=4242, end=datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc), "
        f"dns_rows={DNS_ROWS})"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    assert table_digests(again) == table_digests(workspace[0])


def test_other_seed_other_rows(workspace, tmp_path):
    other = tmp_path / "other.duckdb"
    generate_workspace(other, seed=7, end=END, dns_rows=DNS_ROWS)
    first = table_digests(workspace[0])
    second = table_digests(other)
    for table in TABLES:
        assert first[table] != second[table], table


# Planted hits and traps


@pytest.mark.parametrize("domain", NANOCORE_DOMAINS)
def test_dns_hits_every_form(con, domain):
    hits = f'SELECT "Name" FROM "DnsEvents" WHERE {matches(NAME, domain)}'
    names = [row[0] for row in con.execute(hits).fetchall()]
    assert domain in names, "the name itself"
    assert any(name.lower().rstrip(".").endswith("." + domain) for name in names), "a subdomain"
    assert any(name != name.lower() for name in names), "an upper-case form"
    assert any(name.endswith(".") for name in names), "a trailing-dot form"


def test_dns_hit_hosts(con):
    hosts = {
        row[0]
        for row in con.execute(f'SELECT DISTINCT "Computer" FROM "DnsEvents" WHERE {any_domain(NAME)}').fetchall()
    }
    assert len(hosts) >= 3
    assert CI_RUNNER_HOST in hosts
    assert hosts == set(PLANTED_HOSTS)


@pytest.mark.parametrize("trap", TRAP_NAMES)
def test_trap_present_not_hit(con, trap):
    assert scalar(con, f"SELECT count(*) FROM \"DnsEvents\" WHERE \"Name\" = '{trap}'") > 0
    assert scalar(con, f"SELECT count(*) FROM (SELECT '{trap}' AS n) WHERE {any_domain('n')}") == 0


def test_traps_catch_careless_match(con):
    careless = scalar(con, "SELECT count(*) FROM \"DnsEvents\" WHERE \"Name\" ILIKE '%test3012.duckdns.org%'")
    correct = scalar(con, f'SELECT count(*) FROM "DnsEvents" WHERE {matches(NAME, "test3012.duckdns.org")}')
    assert correct > 0
    assert careless > correct


def test_other_duckdns_names_present(con):
    others = scalar(
        con,
        "SELECT count(DISTINCT lower(\"Name\")) FROM \"DnsEvents\" WHERE lower(\"Name\") LIKE '%duckdns.org' "
        f"AND NOT {matches(NAME, 'test3012.duckdns.org')}",
    )
    assert others >= 3


@pytest.mark.parametrize("domain", NANOCORE_DOMAINS)
def test_network_event_hits(con, domain):
    rows = con.execute(
        f'SELECT "DeviceName", "InitiatingProcessFileName" FROM "DeviceNetworkEvents" '
        f'WHERE {matches(REMOTE_URL, domain)}'
    ).fetchall()
    assert rows
    assert any(not device.startswith("build-07") for device, _ in rows)


@pytest.mark.parametrize("domain", NANOCORE_DOMAINS)
def test_firewall_hits(con, domain):
    by_host = scalar(
        con, f'SELECT count(*) FROM "CommonSecurityLog" WHERE {matches(DESTINATION_HOST, domain)}'
    )
    url_host = "regexp_extract(\"RequestURL\", '^[a-z]+://([^/:]+)', 1)"
    by_url = scalar(con, f'SELECT count(*) FROM "CommonSecurityLog" WHERE {matches(url_host, domain)}')
    assert by_host > 0
    assert by_url > 0


def test_network_and_firewall_traps(con):
    urls = {row[0] for row in con.execute('SELECT DISTINCT "RemoteUrl" FROM "DeviceNetworkEvents"').fetchall()}
    assert "xtest3012.duckdns.org" in urls
    assert "test3012.duckdns.org.example.net" in urls
    requests = {row[0] for row in con.execute('SELECT DISTINCT "RequestURL" FROM "CommonSecurityLog"').fetchall()}
    assert "https://elroiseeme02.ip-ddns.com.evil.example/login" in requests


def test_ci_runner_network_hit(con):
    rows = con.execute(
        f'SELECT DISTINCT "InitiatingProcessFileName" FROM "DeviceNetworkEvents" '
        f"WHERE \"DeviceName\" LIKE 'build-07.%' AND {any_domain(REMOTE_URL)}"
    ).fetchall()
    assert rows == [("jenkins.exe",)]


# Benign look-alikes of the false-positive scenarios


def test_patch_management_rows(con):
    rows = scalar(
        con,
        "SELECT count(*) FROM \"SecurityEvent\" WHERE \"EventID\" = 4688 AND \"Process\" = 'powershell.exe' "
        "AND \"CommandLine\" LIKE '%patch_update.ps1%' AND \"Account\" LIKE '%\\admin_account'",
    )
    assert rows > 0


def test_scheduled_task_rows(con):
    rows = scalar(
        con,
        "SELECT count(*) FROM \"SecurityEvent\" WHERE \"EventID\" = 4688 AND \"Process\" = 'schtasks.exe' "
        "AND \"CommandLine\" LIKE '%maintenance_script%'",
    )
    assert rows >= 14


@pytest.mark.parametrize("collector", ["splunkd.exe", "logstash.exe"])
def test_log_collector_rows(con, collector):
    rows = scalar(
        con,
        "SELECT count(*) FROM \"SecurityEvent\" WHERE \"EventID\" = 4663 "
        f"AND \"ProcessName\" LIKE '%\\{collector}' AND \"ObjectName\" LIKE 'C:\\temp\\log!_%.tmp' ESCAPE '!'",
    )
    assert rows > 0


def test_quarantine_rows(con):
    assert scalar(con, "SELECT count(*) FROM \"Syslog\" WHERE \"ProcessName\" = 'clamd' AND \"SyslogMessage\" LIKE '%quarantine%'") > 0
    assert scalar(con, "SELECT count(*) FROM \"SecurityEvent\" WHERE \"ObjectName\" LIKE '%\\Quarantine\\%'") > 0


def test_jenkins_artifact_downloads(con):
    rows = scalar(
        con,
        "SELECT count(*) FROM \"DeviceNetworkEvents\" WHERE \"InitiatingProcessFileName\" = 'jenkins.exe' "
        "AND \"DeviceName\" LIKE 'build-07.%' AND \"RemoteUrl\" = 'artifacts.contoso.com'",
    )
    assert rows >= 13


# The hunt through duckdb-kql


def test_kql_hunt_finds_hits(con):
    import duckdb_kql

    query = textwrap.dedent(
        """\
        let malicious_domains = dynamic(["test3012.duckdns.org", "elroiseeme02.ip-ddns.com"]);
        DnsEvents
        | extend NormalisedName = tolower(trim_end(@"\\.", Name))
        | where NormalisedName in (malicious_domains)
            or NormalisedName endswith ".test3012.duckdns.org"
            or NormalisedName endswith ".elroiseeme02.ip-ddns.com"
        | project TimeGenerated, Computer, Name, IPAddresses, QueryType
        | order by TimeGenerated desc
        """
    )
    rows = duckdb_kql.kql(con, query).fetchall()
    expected = scalar(con, f'SELECT count(*) FROM "DnsEvents" WHERE {any_domain(NAME)}')
    assert len(rows) == expected
    assert not {row[2] for row in rows} & set(TRAP_NAMES)


# Arguments, replacement and the write lock


def test_end_defaults_to_now(tmp_path):
    connection = duckdb.connect()
    before = datetime.now(timezone.utc)
    counts = generate_into(connection, dns_rows=0)
    last = scalar(connection, 'SELECT max("TimeGenerated") FROM "DnsEvents"')
    assert counts["DnsEvents"] > 0
    assert before - timedelta(days=1) < last <= before


def test_invalid_arguments():
    connection = duckdb.connect()
    with pytest.raises(ValueError, match="-1"):
        generate_into(connection, dns_rows=-1)
    with pytest.raises(ValueError, match="seed"):
        generate_into(connection, seed=-5)


def test_replaces_existing_file(tmp_path):
    path = tmp_path / "ws.duckdb"
    old = duckdb.connect(str(path))
    old.execute("CREATE TABLE Leftover AS SELECT 1 AS x").fetchall()
    old.close()
    generate_workspace(path, end=END, dns_rows=1000)
    connection = duckdb.connect(str(path), read_only=True)
    tables = {row[0] for row in connection.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    connection.close()
    assert tables == set(TABLES)
    assert not list(tmp_path.glob(".*building*"))


def test_replaces_non_database_file(tmp_path):
    path = tmp_path / "ws.duckdb"
    path.write_text("not a database")
    counts = generate_workspace(path, end=END, dns_rows=1000)
    assert counts["DnsEvents"] > 1000


@pytest.fixture
def locked_file(tmp_path):
    """Yield a workspace file that another process has open."""
    path = tmp_path / "locked.duckdb"
    generate_workspace(path, end=END, dns_rows=1000)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ready', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    yield path
    holder.stdin.close()
    holder.wait(timeout=30)


def test_locked_file_raises(locked_file):
    with pytest.raises(WorkspaceLockedError, match="open in another process"):
        generate_workspace(locked_file, end=END, dns_rows=1000)
    assert locked_file.exists()


# workbench demo


def test_cli_prints_counts(tmp_path, capsys):
    path = tmp_path / "cli.duckdb"
    code = main(["demo", "--path", str(path), "--dns-rows", "1000", "--seed", "9", "--end", "2026-12-04T21:00:00Z"])
    output = capsys.readouterr().out
    assert code == 0
    assert "2026-12-04T21:00:00Z" in output
    for table in TABLES:
        assert table in output
    connection = duckdb.connect(str(path), read_only=True)
    assert scalar(connection, 'SELECT count(*) FROM "Syslog"') > 100
    connection.close()


def test_cli_default_path(capsys):
    from workbench.paths import default_workspace_path

    code = main(["demo", "--dns-rows", "1000"])
    assert code == 0
    assert default_workspace_path().exists()
    assert str(default_workspace_path()) in capsys.readouterr().out


def test_cli_locked_exits_2(locked_file, capsys):
    code = main(["demo", "--path", str(locked_file), "--dns-rows", "1000"])
    error = capsys.readouterr().err
    assert code == 2
    assert str(locked_file) in error
    assert "open in another process" in error
    assert "Traceback" not in error


def test_cli_bad_end_exits_2(tmp_path, capsys):
    code = main(["demo", "--path", str(tmp_path / "x.duckdb"), "--end", "yesterday"])
    assert code == 2
    assert "invalid --end 'yesterday'" in capsys.readouterr().err


def test_cli_negative_rows_exits_2(tmp_path, capsys):
    code = main(["demo", "--path", str(tmp_path / "x.duckdb"), "--dns-rows", "-3"])
    assert code == 2
    assert "--dns-rows -3" in capsys.readouterr().err


def test_demo_keeps_ingested_tables(tmp_path, capsys) -> None:
    import duckdb

    from workbench.cli import main

    path = tmp_path / "work.duckdb"
    assert main(["demo", "--path", str(path), "--dns-rows", "2000"]) == 0
    connection = duckdb.connect(str(path))
    connection.execute("CREATE TABLE Custom_CL AS SELECT 1 AS x")
    connection.close()
    capsys.readouterr()

    assert main(["demo", "--path", str(path), "--dns-rows", "2000"]) == 2
    assert "Custom_CL" in capsys.readouterr().err
    connection = duckdb.connect(str(path), read_only=True)
    assert connection.execute("SELECT count(*) FROM Custom_CL").fetchone()[0] == 1
    connection.close()

    assert main(["demo", "--path", str(path), "--dns-rows", "2000", "--force"]) == 0
