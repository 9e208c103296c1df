"""Hunts run on a real duckdb-kql workspace and find the hits but none of the traps."""

from __future__ import annotations

import duckdb_kql
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.backends.base import Column, TableSchema
from workbench.iocs.model import Indicator
from workbench.kql.hunts import LARGE_LIST_THRESHOLD, build_hunts, domain_hunt
from workbench.kql.literals import dynamic_list

DOMAINS = ["test3012.duckdns.org", "elroiseeme02.ip-ddns.com"]

DNS_ROWS = [
    ("hit-exact", "test3012.duckdns.org"),
    ("hit-upper", "TEST3012.DuckDNS.org"),
    ("hit-trailing-dot", "test3012.duckdns.org."),
    ("hit-subdomain", "a.test3012.duckdns.org"),
    ("hit-deep-subdomain", "x.y.z.elroiseeme02.ip-ddns.com."),
    ("trap-prefix", "xtest3012.duckdns.org"),
    ("trap-suffix", "test3012.duckdns.org.example.net"),
    ("trap-parent", "duckdns.org"),
    ("trap-sibling", "test3013.duckdns.org"),
    ("trap-inner-dot", "test3012-duckdns.org"),
    ("trap-empty", ""),
    ("trap-dots", ".."),
]


def hits(connection, query: str, column: str = "Computer") -> set[str]:
    result = duckdb_kql.kql(connection, query)
    names = [description[0] for description in result.description]
    index = names.index(column)
    return {row[index] for row in result.fetchall()}


@pytest.fixture(scope="module")
def connection():
    con = duckdb_kql.connect()
    con.sql(
        "CREATE TABLE DnsEvents (TimeGenerated TIMESTAMP, Computer VARCHAR, Name VARCHAR, "
        "IPAddresses VARCHAR, QueryType VARCHAR)"
    )
    for number, (computer, name) in enumerate(DNS_ROWS):
        con.execute(
            "INSERT INTO DnsEvents VALUES (TIMESTAMP '2026-12-01' + to_seconds(?), ?, ?, ?, 'A')",
            [number, computer, name, "203.0.113.9"],
        )
    con.execute("INSERT INTO DnsEvents VALUES ('2026-12-02', 'hit-null-name', NULL, '198.51.100.7, 203.0.113.45', 'A')")
    con.execute("INSERT INTO DnsEvents VALUES ('2026-12-02', 'trap-ip-prefix', 'x', '198.51.100.70', 'A')")

    con.sql(
        "CREATE TABLE DeviceNetworkEvents (TimeGenerated TIMESTAMP, DeviceName VARCHAR, RemoteIP VARCHAR, "
        "RemotePort INTEGER, RemoteUrl VARCHAR)"
    )
    con.sql(
        """INSERT INTO DeviceNetworkEvents VALUES
        ('2026-12-01', 'hit-url-scheme', '10.0.0.1', 443, 'https://Test3012.duckdns.org:8443/gate.php'),
        ('2026-12-01', 'hit-url-bare', '10.0.0.1', 443, 'a.test3012.duckdns.org/x'),
        ('2026-12-01', 'hit-url-userinfo', '10.0.0.1', 443, 'http://user@test3012.duckdns.org'),
        ('2026-12-01', 'trap-url-path', '10.0.0.1', 443, 'https://example.net/test3012.duckdns.org'),
        ('2026-12-01', 'trap-url-query', '10.0.0.1', 443, 'https://example.net/?u=test3012.duckdns.org'),
        ('2026-12-01', 'hit-ip', '203.0.113.45', 80, ''),
        ('2026-12-01', 'hit-endpoint', '198.51.100.7', 4782, ''),
        ('2026-12-01', 'trap-endpoint-port', '198.51.100.7', 4783, ''),
        ('2026-12-01', 'hit-full-url', '10.0.0.2', 80, 'HTTP://evil.example/Payload.exe'),
        ('2026-12-01', 'hit-url-no-scheme', '10.0.0.2', 80, 'evil.example/payload.exe/'),
        ('2026-12-01', 'trap-url-other-path', '10.0.0.2', 80, 'evil.example/payload.exe.txt')
        """
    )
    con.sql("CREATE TABLE DeviceFileEvents (TimeGenerated TIMESTAMP, DeviceName VARCHAR, SHA256 VARCHAR, MD5 VARCHAR)")
    con.sql(
        f"""INSERT INTO DeviceFileEvents VALUES
        ('2026-12-01', 'hit-sha256', '{"A" * 64}', ''),
        ('2026-12-01', 'hit-md5', '', '{"b" * 32}'),
        ('2026-12-01', 'trap-hash', '{"a" * 63}c', '{"b" * 31}c')"""
    )
    yield con
    con.close()


def schema_of(connection, table: str) -> TableSchema:
    rows = connection.sql(f"DESCRIBE {table}").fetchall()
    return TableSchema(table, tuple(Column(name, "string") for name, *_ in rows))


def test_domain_hunt_shape():
    text = domain_hunt(DOMAINS)
    lines = text.splitlines()

    assert lines[0] == 'let malicious_domains = dynamic(["test3012.duckdns.org", "elroiseeme02.ip-ddns.com"]);'
    assert lines[1] == "DnsEvents"
    assert lines[2].startswith("| where ")
    assert "Name" in lines[2]
    assert lines[3] == "| project TimeGenerated, Computer, Name, IPAddresses, QueryType"
    assert lines[4] == "| order by TimeGenerated desc"
    assert "has" not in lines[2]


def test_domain_hunt_hits_and_traps(connection):
    found = hits(connection, domain_hunt(DOMAINS))

    assert found == {computer for computer, _ in DNS_ROWS if computer.startswith("hit-")}


def test_domain_hunt_normalises_indicators(connection):
    found = hits(connection, domain_hunt(["TEST3012.duckdns.org."]))

    assert "hit-exact" in found
    assert "trap-prefix" not in found


def test_domain_hunt_large_list(connection):
    filler = [f"filler{number}.example.org" for number in range(LARGE_LIST_THRESHOLD + 50)]
    text = domain_hunt(filler + DOMAINS)

    assert "dynamic([" not in text
    assert "mv-expand" in text
    assert hits(connection, text) == {computer for computer, _ in DNS_ROWS if computer.startswith("hit-")}


def test_domain_hunt_large_list_with_comma(connection):
    filler = [f"filler{number}.example.org" for number in range(LARGE_LIST_THRESHOLD + 1)]
    text = domain_hunt([*filler, "odd,name.example", *DOMAINS])

    assert "datatable(value: string)" in text
    assert "hit-exact" in hits(connection, text)


def test_domain_hunt_rejects_empty():
    with pytest.raises(ValueError, match="no domain"):
        domain_hunt(["", " . "])


def test_url_host_domain_hunt(connection):
    indicators = [Indicator(value, "domain") for value in DOMAINS]
    tables = [schema_of(connection, "DeviceNetworkEvents")]
    (hunt,) = build_hunts(indicators, tables)

    found = hits(connection, hunt.text, "DeviceName")

    assert hunt.table == "DeviceNetworkEvents"
    assert found == {"hit-url-scheme", "hit-url-bare", "hit-url-userinfo"}


def test_ip_hunts(connection):
    indicators = [Indicator("203.0.113.45", "ip"), Indicator("198.51.100.7:4782", "ip:port")]
    tables = [schema_of(connection, name) for name in ("DnsEvents", "DeviceNetworkEvents")]
    hunts = {(hunt.table, hunt.ioc_types): hunt for hunt in build_hunts(indicators, tables)}

    network_ip = hits(connection, hunts[("DeviceNetworkEvents", ("ip",))].text, "DeviceName")
    endpoint = hits(connection, hunts[("DeviceNetworkEvents", ("ip:port",))].text, "DeviceName")
    dns_answer = hits(connection, hunts[("DnsEvents", ("ip",))].text)

    assert network_ip == {"hit-ip"}
    assert endpoint == {"hit-endpoint"}
    assert dns_answer == {"hit-null-name"}


def test_dns_answer_ip_boundary(connection):
    indicators = [Indicator("198.51.100.7", "ip")]
    (hunt,) = build_hunts(indicators, [schema_of(connection, "DnsEvents")])

    assert hits(connection, hunt.text) == {"hit-null-name"}


def test_url_hunt(connection):
    indicators = [Indicator("http://evil.example/payload.exe", "url")]
    (hunt,) = build_hunts(indicators, [schema_of(connection, "DeviceNetworkEvents")])

    assert hits(connection, hunt.text, "DeviceName") == {"hit-full-url", "hit-url-no-scheme"}


def test_hash_hunt(connection):
    indicators = [Indicator("a" * 64, "sha256_hash"), Indicator("b" * 32, "md5_hash"), Indicator("c" * 40, "sha1_hash")]
    (hunt,) = build_hunts(indicators, [schema_of(connection, "DeviceFileEvents")])

    assert "SHA1" not in hunt.text
    assert hunt.ioc_types == ("md5_hash", "sha256_hash")
    assert hits(connection, hunt.text, "DeviceName") == {"hit-sha256", "hit-md5"}


def test_build_hunts_without_schema():
    indicators = [Indicator("test3012.duckdns.org", "domain"), Indicator("x@example.org", "email")]
    hunts = build_hunts(indicators)

    assert [hunt.table for hunt in hunts] == ["DnsEvents", "DeviceNetworkEvents", "CommonSecurityLog"]
    assert all(hunt.indicator_count == 1 for hunt in hunts)
    assert all(duckdb_kql.parse(hunt.text).ok for hunt in hunts)


def test_build_hunts_only_tables():
    indicators = [Indicator("test3012.duckdns.org", "domain")]

    assert [hunt.table for hunt in build_hunts(indicators, only_tables=["dnsevents"])] == ["DnsEvents"]


def test_build_hunts_unknown_table():
    with pytest.raises(ValueError, match="no hunt template for table Heartbeat"):
        build_hunts([Indicator("a.example", "domain")], only_tables=["Heartbeat"])


def test_build_hunts_skips_missing_tables(connection):
    indicators = [Indicator("test3012.duckdns.org", "domain")]

    assert [hunt.table for hunt in build_hunts(indicators, [schema_of(connection, "DnsEvents")])] == ["DnsEvents"]


def test_build_hunts_hostile_value(connection):
    value = 'evil".example) | take 1 //\n'
    indicators = [Indicator(value, "url"), Indicator("nul\x00.example", "domain")]
    hunts = build_hunts(indicators, [schema_of(connection, "DeviceNetworkEvents")])

    assert [hunt.ioc_types for hunt in hunts] == [("url",)]
    assert hits(connection, hunts[0].text, "DeviceName") == set()


KQL_TO_SQL = {"string": "VARCHAR", "int": "INTEGER", "long": "BIGINT", "real": "DOUBLE", "datetime": "TIMESTAMP", "dynamic": "JSON"}


def test_hunts_run_on_builtin_schemas():
    from workbench.kql.schemas import BUILTIN_SCHEMAS

    con = duckdb_kql.connect()
    for schema in BUILTIN_SCHEMAS.values():
        columns = ", ".join(f'"{column.name}" {KQL_TO_SQL[column.kql_type]}' for column in schema.columns)
        con.sql(f'CREATE TABLE "{schema.name}" ({columns})')
    indicators = [
        Indicator("test3012.duckdns.org", "domain"),
        Indicator("203.0.113.45", "ip"),
        Indicator("203.0.113.45:4782", "ip:port"),
        Indicator("http://evil.example/a", "url"),
        Indicator("a" * 64, "sha256_hash"),
        Indicator("c" * 40, "sha1_hash"),
        Indicator("b" * 32, "md5_hash"),
    ]

    hunts = build_hunts(indicators, list(BUILTIN_SCHEMAS.values()))

    assert len(hunts) == 12
    for hunt in hunts:
        assert duckdb_kql.kql(con, hunt.text).fetchall() == [], hunt.title
    con.close()


@settings(max_examples=60, deadline=None)
@given(value=st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=30))
def test_hunts_parse_any_value(value):
    types = ("domain", "ip", "url", "sha256_hash")
    hunts = build_hunts([Indicator(value, ioc_type) for ioc_type in types], only_tables=["DeviceNetworkEvents"])

    for hunt in hunts:
        assert duckdb_kql.parse(hunt.text).ok, hunt.text


@settings(max_examples=60, deadline=None)
@given(value=st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1, max_size=20))
def test_dns_hunts_run_any_value(connection, value):
    indicators = [Indicator(value, "ip"), Indicator(value, "domain")]
    hunts = build_hunts(indicators, [schema_of(connection, "DnsEvents")])

    for hunt in hunts:
        duckdb_kql.kql(connection, hunt.text).fetchall()


def test_demo_workspace_traps(tmp_path):
    from workbench.backends.base import CancelToken
    from workbench.backends.local import LocalBackend
    from workbench.demo.generator import generate_workspace

    path = tmp_path / "demo.duckdb"
    generate_workspace(path, dns_rows=2000)
    backend = LocalBackend(path)
    package_query = f"let malicious_domains = {dynamic_list(DOMAINS)};\nDnsEvents | where Name has_any (malicious_domains)"
    try:
        package_names = set(backend.run(package_query, None, CancelToken()).table.column("Name").to_pylist())
        hunt_names = set(backend.run(domain_hunt(DOMAINS), None, CancelToken()).table.column("Name").to_pylist())
    finally:
        backend.close()

    assert hunt_names
    assert hunt_names <= package_names
    assert "test3012.duckdns.org.evil.example" in package_names - hunt_names
    for name in hunt_names:
        host = name.lower().rstrip(".")
        assert any(host == domain or host.endswith("." + domain) for domain in DOMAINS), name
