"""Benchmark: loading a 100,000-entry ThreatFox CSV export, as a ratio to the `csv` module alone.

The floor is what no parser can beat: reading the same file and splitting
every row with `csv.reader`. `load_feed` adds format detection, mapping
columns by header name, refanging, validation per type and time parsing.
Both run in one process on the same file, so the ratio is comparable across
machines even where the seconds are not. Each side runs `--repeat` times and
the fastest run counts, which keeps a busy shared machine from inflating one
side.

Run: `python bench/bench_feeds.py` (add `--no-record` to skip docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.iocs import load_feed

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_PAGE = REPO_ROOT / "docs" / "benchmarks.md"
SECTION_HEADING = "## IOC feed loading"

HEADER = (
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",'
    '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"'
)
MALWARE = [("win.nanocore", "NanoCore RAT"), ("win.quasar_rat", "Quasar RAT"), ("win.agent_tesla", "Agent Tesla"), ("win.asyncrat", "AsyncRAT")]


def generate_export(path: Path, entries: int, seed: int = 4242) -> None:
    """Write a ThreatFox-shaped CSV export with `entries` rows of mixed indicator types."""
    rng = random.Random(seed)
    start = datetime(2026, 6, 19, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("################################################################\r\n")
        handle.write("# ThreatFox IOCs: generated for the feed-loading benchmark      #\r\n")
        handle.write("#\r\n" + HEADER + "\r\n")
        for number in range(entries):
            kind = number % 5
            if kind == 0:
                value, ioc_type, threat = f"c2-{rng.getrandbits(40):010x}.duckdns.org", "domain", "botnet_cc"
            elif kind == 1:
                # Unique by construction, so every generated row survives de-duplication.
                serial = number // 5
                value = f"203.0.113.{serial % 254 + 1}:{1024 + serial // 254}"
                ioc_type, threat = "ip:port", "botnet_cc"
            elif kind == 2:
                value = f"https://cdn-{rng.getrandbits(24):06x}.example/dl/{rng.getrandbits(32):08x}.zip?id={number}"
                ioc_type, threat = "url", "payload_delivery"
            elif kind == 3:
                value, ioc_type, threat = f"{rng.getrandbits(128):032x}", "md5_hash", "payload"
            else:
                value, ioc_type, threat = f"{rng.getrandbits(256):064x}", "sha256_hash", "payload"
            malware, printable = MALWARE[number % len(MALWARE)]
            first_seen = (start + timedelta(seconds=number * 7)).strftime("%Y-%m-%d %H:%M:%S")
            fields = [
                first_seen, str(1_900_000 + number), value, ioc_type, threat, malware, "None", printable,
                "", str(rng.choice((50, 75, 90, 100))), "False", "None", "RAT,bench", "0", "bench_reporter",
            ]
            handle.write(", ".join(f'"{field}"' for field in fields) + "\r\n")
        handle.write(f"# Number of entries: {entries}\r\n")


def read_with_csv_module(path: Path) -> int:
    """Read the export with `csv.reader` alone (comment lines skipped) and return the row count."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        return sum(1 for _ in csv.reader(lines, skipinitialspace=True))


def fastest(function, path: Path, repeat: int) -> tuple[float, object]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(path)
        best = min(best, time.perf_counter() - started)
    return best, result


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def record(entry: str) -> None:
    """Append `entry` to this benchmark's section of docs/benchmarks.md, leaving other sections untouched.

    The page is re-read immediately before writing because other benchmarks append to it too.
    """
    BENCHMARKS_PAGE.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_PAGE.read_text(encoding="utf-8") if BENCHMARKS_PAGE.exists() else "# Benchmarks\n"
    if SECTION_HEADING not in text.splitlines():
        text = text.rstrip("\n") + f"\n\n{SECTION_HEADING}\n\n{entry}"
    else:
        lines = text.splitlines(keepends=True)
        start = lines.index(SECTION_HEADING + "\n") if SECTION_HEADING + "\n" in lines else lines.index(SECTION_HEADING)
        end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("## ")), len(lines))
        section_end = "".join(lines[:end]).rstrip("\n") + "\n\n" + entry
        rest = "".join(lines[end:])
        text = section_end + ("\n" + rest if rest else "")
    BENCHMARKS_PAGE.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000, help="rows in the generated export (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the fastest counts (default 3)")
    parser.add_argument("--no-record", action="store_true", help="print the result without appending it to docs/benchmarks.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "threatfox_export.csv"
        generate_export(path, args.entries)
        size_mb = path.stat().st_size / 1_000_000

        floor_seconds, floor_rows = fastest(read_with_csv_module, path, args.repeat)
        load_seconds, load = fastest(load_feed, path, args.repeat)

    if floor_rows != args.entries or len(load.indicators) != args.entries or load.rejected:
        print(f"bench_feeds: expected {args.entries} rows; csv read {floor_rows}, load_feed kept "
              f"{len(load.indicators)} and rejected {len(load.rejected)}", file=sys.stderr)
        return 1

    ratio = load_seconds / floor_seconds
    command = "python bench/bench_feeds.py" + (f" --entries {args.entries}" if args.entries != 100_000 else "") + (
        f" --repeat {args.repeat}" if args.repeat != 3 else "")
    entry = (
        f"### {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n\n"
        f"- Command: `{command}`\n"
        f"- Machine: {machine_description()}\n"
        f"- Input: generated ThreatFox CSV export, {args.entries:,} entries, {size_mb:.1f} MB; fastest of {args.repeat} runs each\n\n"
        "| step | seconds | ratio |\n|---|---|---|\n"
        f"| `csv.reader` alone (floor) | {floor_seconds:.3f} | 1.0 |\n"
        f"| `workbench.iocs.load_feed` | {load_seconds:.3f} | {ratio:.1f} |\n"
    )
    print(entry)
    if not args.no_record:
        record(entry)
        print(f"appended to {BENCHMARKS_PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
