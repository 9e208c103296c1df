"""Benchmark: the Nanocore domain hunt on DnsEvents through duckdb-kql, against raw DuckDB SQL.

For each size (1,000,000 and 10,000,000 background DnsEvents rows by
default) the script generates the demo workspace with
`workbench.demo.generator.generate_workspace`, opens it read-only as the
local backend does, and times three queries that return the same rows:

- `hunt`: the KQL `workbench.kql.hunts.domain_hunt` writes for the two
  Nanocore domains, run by `duckdb_kql.kql` (translation included);
- `in+endswith`: the same match hand-written in KQL with
  `tolower(trim_end(@"\\.", Name)) in (list)` or `endswith "." + domain`;
- `sql last labels`: DuckDB SQL with the hunt's own test (the last three
  labels of the normalised name are in the list);
- `sql = / LIKE`: DuckDB SQL with the textbook test (`=` the domain or
  `LIKE '%.' || domain`).

The floor is the faster of the two SQL queries. Each query runs once to warm
up, then `--repeat` times; the median is reported with its ratio to the
floor's median of the same run. The script fails when a query returns a
different row count from the others.

Usage: python bench/bench_hunt.py [--sizes 1000000,10000000] [--repeat 5] [--folder DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import duckdb_kql

from workbench.demo.generator import generate_workspace
from workbench.demo.planted import NANOCORE_DOMAINS
from workbench.kql.hunts import domain_hunt

END = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)

HAND_WRITTEN_KQL = """\
let malicious_domains = dynamic(["test3012.duckdns.org", "elroiseeme02.ip-ddns.com"]);
DnsEvents
| extend NormalisedName = tolower(trim_end(@"\\.", Name))
| where NormalisedName in (malicious_domains)
    or NormalisedName endswith ".test3012.duckdns.org"
    or NormalisedName endswith ".elroiseeme02.ip-ddns.com"
| project TimeGenerated, Computer, Name, IPAddresses, QueryType
| order by TimeGenerated desc"""

SQL_LAST_LABELS = """\
SELECT "TimeGenerated", "Computer", "Name", "IPAddresses", "QueryType"
FROM "DnsEvents"
WHERE regexp_extract(lower(regexp_replace("Name", '\\.+$', '')), '[^.]+(?:\\.[^.]+){2}$')
      IN ('test3012.duckdns.org', 'elroiseeme02.ip-ddns.com')
ORDER BY "TimeGenerated" DESC"""

SQL_EQUAL_OR_LIKE = """\
SELECT "TimeGenerated", "Computer", "Name", "IPAddresses", "QueryType"
FROM (SELECT *, lower(rtrim("Name", '.')) AS normalised_name FROM "DnsEvents")
WHERE normalised_name IN ('test3012.duckdns.org', 'elroiseeme02.ip-ddns.com')
   OR normalised_name LIKE '%.test3012.duckdns.org'
   OR normalised_name LIKE '%.elroiseeme02.ip-ddns.com'
ORDER BY "TimeGenerated" DESC"""


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = next(
            int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
        )
        memory = f"{memory_kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        memory = "RAM unknown"
    return f"{cpu}, {os.cpu_count()} cores (nproc), {memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def time_query(run, repeat: int) -> tuple[float, int]:
    """Run `run()` once to warm up, then `repeat` times; return the median seconds and the row count."""
    row_count = len(run())
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        timings.append(time.perf_counter() - started)
        if len(rows) != row_count:
            raise SystemExit(f"row count changed between runs: {row_count} then {len(rows)}")
    return statistics.median(timings), row_count


def bench_size(folder: Path, dns_rows: int, repeat: int) -> list[tuple[str, float, int]]:
    path = folder / f"bench-{dns_rows}.duckdb"
    started = time.perf_counter()
    counts = generate_workspace(path, end=END, dns_rows=dns_rows)
    print(f"generated {counts['DnsEvents']:,} DnsEvents rows ({sum(counts.values()):,} in all) in {time.perf_counter() - started:.1f} s")

    connection = duckdb.connect(str(path), read_only=True)
    connection.execute("SET TimeZone = 'UTC'").fetchall()
    hunt_kql = domain_hunt(list(NANOCORE_DOMAINS))
    queries = {
        "sql last labels": lambda: connection.execute(SQL_LAST_LABELS).fetchall(),
        "sql = / LIKE": lambda: connection.execute(SQL_EQUAL_OR_LIKE).fetchall(),
        "hunt": lambda: duckdb_kql.kql(connection, hunt_kql).fetchall(),
        "in+endswith": lambda: duckdb_kql.kql(connection, HAND_WRITTEN_KQL).fetchall(),
    }
    results = []
    for name, run in queries.items():
        median, row_count = time_query(run, repeat)
        results.append((name, median, row_count))
    connection.close()
    path.unlink()

    first_rows = results[0][2]
    for name, _, row_count in results:
        if row_count != first_rows:
            raise SystemExit(f"{name} returned {row_count} rows where {results[0][0]} returned {first_rows}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000000,10000000", help="comma-separated DnsEvents row counts")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query after one warm-up run")
    parser.add_argument("--folder", help="folder for the generated files (default: a temporary folder)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    print(f"machine: {machine_description()}")
    print(f"duckdb {duckdb.__version__}, duckdb-kql {duckdb_kql.__version__}, median of {args.repeat} runs")
    print(f"hunt KQL:\n{domain_hunt(list(NANOCORE_DOMAINS))}\n")
    with tempfile.TemporaryDirectory(dir=args.folder) as folder:
        for dns_rows in sizes:
            results = bench_size(Path(folder), dns_rows, args.repeat)
            floor = min(median for name, median, _ in results if name.startswith("sql"))
            print("| DnsEvents rows | query | median s | ratio to floor | rows found |")
            print("|---|---|---|---|---|")
            for name, median, row_count in results:
                print(f"| {dns_rows:,} | {name} | {median:.3f} | {median / floor:.1f} | {row_count} |")
            print()


if __name__ == "__main__":
    main()
