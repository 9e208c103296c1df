"""Benchmark: how a DnsEvents domain hunt scales with the number of indicators.

Runs `kql.hunts.domain_hunt` with 2, 1,000 and 50,000 domains against a
generated DnsEvents table on the local engine (duckdb-kql over in-memory
DuckDB) and reports each time as a ratio to the 2-domain hunt of the same
run. The floor is the same match written directly in DuckDB SQL against a
table of the domains, which shows what the KQL translation costs.

Every list contains the two Nanocore domains, which the generated table
contains (with subdomains and trailing dots) twice in every 100,000 rows.
The other domains are fillers that match nothing, so every size must find
the same rows, and the script exits with 1 when one does not.

Usage: python bench/bench_hunt_scale.py [--rows 2000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import duckdb
import duckdb_kql

from workbench.kql.hunts import LARGE_LIST_THRESHOLD, domain_hunt

SIZES = (2, 1_000, 50_000)
HIT_DOMAINS = ["test3012.duckdns.org", "elroiseeme02.ip-ddns.com"]


def create_table(connection: duckdb.DuckDBPyConnection, rows: int) -> None:
    """Create DnsEvents with `rows` rows: 50,000 distinct benign names, and a hit every 100,000th row."""
    connection.sql(
        f"""
        CREATE TABLE DnsEvents AS
        SELECT
            TIMESTAMP '2026-12-01' + to_seconds(i % 604800) AS TimeGenerated,
            'WS-' || (i % 500) AS Computer,
            CASE
                WHEN i % 100000 = 0 THEN 'Beacon' || (i // 100000) || '.TEST3012.duckdns.org.'
                WHEN i % 100000 = 50000 THEN 'elroiseeme02.ip-ddns.com'
                WHEN i % 100000 = 25000 THEN 'xtest3012.duckdns.org'
                ELSE 'host' || (i % 50000) || '.sub' || (i % 13) || '.example' || (i % 97) || '.com'
            END AS Name,
            '198.51.100.' || (i % 250) AS IPAddresses,
            'A' AS QueryType
        FROM range({rows}) AS t(i)
        """
    )


def domains_of_size(size: int) -> list[str]:
    fillers = [f"c2-{number}.filler{number % 17}.example.net" for number in range(size - len(HIT_DOMAINS))]
    return HIT_DOMAINS + fillers


def time_kql(connection: duckdb.DuckDBPyConnection, text: str, repeat: int) -> tuple[float, int]:
    timings = []
    row_count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        row_count = duckdb_kql.kql(connection, text).to_arrow_table().num_rows
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), row_count


def time_sql_floor(connection: duckdb.DuckDBPyConnection, domains: list[str], repeat: int) -> tuple[float, int]:
    """Time the same match in plain DuckDB SQL, against a table of the domains."""
    connection.execute("CREATE OR REPLACE TEMP TABLE ioc AS SELECT unnest(?::VARCHAR[]) AS domain", [domains])
    label_counts = sorted({domain.count(".") + 1 for domain in domains})
    host = "lower(regexp_replace(Name, '\\.+$', ''))"
    tests = " OR ".join(
        f"regexp_extract({host}, '[^.]+(?:\\.[^.]+){{{labels - 1}}}$') IN (SELECT domain FROM ioc)" for labels in label_counts
    )
    sql = (
        "SELECT TimeGenerated, Computer, Name, IPAddresses, QueryType FROM DnsEvents "
        f"WHERE {tests} ORDER BY TimeGenerated DESC"
    )
    timings = []
    row_count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        row_count = connection.sql(sql).to_arrow_table().num_rows
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), row_count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="DnsEvents rows to generate (default 2,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is reported (default 3)")
    args = parser.parse_args()

    connection = duckdb_kql.connect()
    started = time.perf_counter()
    create_table(connection, args.rows)
    print(f"generated {args.rows:,} DnsEvents rows in {time.perf_counter() - started:.2f} s")
    print(
        f"duckdb {duckdb.__version__}, duckdb-kql {duckdb_kql.__version__}, python {platform.python_version()}, "
        f"list threshold {LARGE_LIST_THRESHOLD}"
    )

    # Warm up: the first query pays for importing the translator and the parser.
    duckdb_kql.kql(connection, domain_hunt(HIT_DOMAINS)).to_arrow_table()

    results = []
    for size in SIZES:
        domains = domains_of_size(size)
        text = domain_hunt(domains)
        started = time.perf_counter()
        duckdb_kql.to_sql(text)
        translate_seconds = time.perf_counter() - started
        kql_seconds, kql_rows = time_kql(connection, text, args.repeat)
        sql_seconds, sql_rows = time_sql_floor(connection, domains, args.repeat)
        results.append((size, len(text), translate_seconds, kql_seconds, kql_rows, sql_seconds, sql_rows))

    base = results[0][3]
    print()
    print("| domains | query size | translate | hunt (KQL) | ratio to 2 | SQL floor | KQL / floor | rows |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, length, translate_seconds, kql_seconds, kql_rows, sql_seconds, sql_rows in results:
        print(
            f"| {size:,} | {length / 1024:,.0f} KiB | {translate_seconds:.2f} s | {kql_seconds:.2f} s | "
            f"{kql_seconds / base:.1f}x | {sql_seconds:.2f} s | {kql_seconds / sql_seconds:.1f}x | {kql_rows:,} |"
        )

    expected_rows = results[0][4]
    wrong = [row for row in results if row[4] != expected_rows or row[6] != expected_rows]
    if wrong or expected_rows == 0:
        print(f"FAILED: the sizes found different rows or none: {[(row[0], row[4], row[6]) for row in results]}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
