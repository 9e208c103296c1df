"""Benchmark: saving and opening a session file, against bare `tomli_w` and `tomllib` on the same data.

The session has 10 queries, each with one run whose snapshot contains 5,000
rows of DnsEvents-like columns: `TimeGenerated` as ISO text, `Computer`,
`Name`, `IPAddresses`, `QueryType` (int) and a `dynamic` object (`Answers`).
Every 50th row has a null `Computer`, and each run has 20 verdicts. The rows
come from a seeded `random.Random`, so every run of the script writes the
same file.

Each step runs `--repeat` times after one warm-up, and the median is reported
with its ratio to the floor of the same run:

- save: `workbench.sessions.store.save_session` (encode, render, write to a
  temporary file, fsync, keep the previous file as `.bak`, rename), against
  `tomli_w.dumps` of the dict that `encode_session` built beforehand (so the
  floor leaves the encoding out) plus a plain write of the bytes. A second
  floor adds an fsync, the part of the cost that crash safety takes.
- open: `workbench.sessions.store.load_session` (read, `tomllib.loads`,
  `decode_session`), against `tomllib.loads` of the same text alone.

Repeated saves go to the same path, which this process wrote last, so
`save_session` does not read the file back before replacing it.

Run: `python bench/bench_sessions.py [--repeat 7] [--folder DIR]`. The script
prints a Markdown section for docs/benchmarks.md; it does not write the page.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import tempfile
import time
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import tomli_w

from workbench.sessions.codec import decode_session, encode_session
from workbench.sessions.model import QueryRecord, Run, Session, Verdict, row_hash
from workbench.sessions.store import load_session, render_session, save_session

QUERY_COUNT = 10
SNAPSHOT_ROWS = 5_000
VERDICTS_PER_RUN = 20
SEED = 7
START = datetime(2026, 12, 1, tzinfo=timezone.utc)

COLUMNS = [
    ("TimeGenerated", "datetime"),
    ("Computer", "string"),
    ("Name", "string"),
    ("IPAddresses", "string"),
    ("QueryType", "int"),
    ("Answers", "dynamic"),
]

DOMAIN_WORDS = ["update", "cdn", "login", "mail", "api", "static", "telemetry", "files", "portal", "auth"]
DOMAIN_SUFFIXES = ["contoso.com", "fabrikam.net", "duckdns.org", "ip-ddns.com", "microsoft.com", "example.org"]


def snapshot_row(generator: random.Random, index: int) -> list[object]:
    """Return one DnsEvents-like row in snapshot form (ISO text time, JSON-compatible dynamic)."""
    moment = START + timedelta(seconds=generator.randrange(14 * 24 * 3600), microseconds=generator.randrange(10**6))
    name = f"{generator.choice(DOMAIN_WORDS)}{generator.randrange(1000)}.{generator.choice(DOMAIN_SUFFIXES)}"
    addresses = [f"10.{generator.randrange(256)}.{generator.randrange(256)}.{generator.randrange(1, 255)}" for _ in range(generator.randrange(1, 4))]
    answers = {"ttl": generator.choice([60, 300, 3600]), "records": [{"type": "A", "data": address} for address in addresses], "truncated": False}
    computer: object = f"WS-{generator.randrange(400):03d}.corp.contoso.com"
    if index % 50 == 0:
        computer = None
    return [
        moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        computer,
        name,
        ",".join(addresses),
        generator.choice([1, 28, 5, 15, 33]),
        answers,
    ]


def build_session() -> Session:
    """Return the benchmark session: QUERY_COUNT queries, each with one SNAPSHOT_ROWS-row run."""
    generator = random.Random(SEED)
    session = Session(id="bench-sessions", title="Session save and open benchmark", created=START, updated=START)
    for number in range(1, QUERY_COUNT + 1):
        rows = [snapshot_row(generator, index) for index in range(SNAPSHOT_ROWS)]
        verdicts = [
            Verdict(row=row_hash(rows[index]), verdict="false_positive", note="CI runner", decided=START)
            for index in range(0, SNAPSHOT_ROWS, SNAPSHOT_ROWS // VERDICTS_PER_RUN)
        ]
        run = Run(
            ran_at=START + timedelta(minutes=number),
            workspace="local:default",
            row_count=SNAPSHOT_ROWS * 3,
            truncated=True,
            columns=list(COLUMNS),
            rows=rows,
            elapsed_seconds=0.25,
            timespan="P14D",
            verdicts=verdicts,
        )
        text = f"DnsEvents\n| where Name endswith \".duckdns.org\"\n| project {', '.join(name for name, _ in COLUMNS)}\n| take {number}"
        session.queries.append(QueryRecord(id=f"q-{number}", title=f"Hunt {number}", text=text, timespan="P14D", runs=[run]))
    return session


def median_seconds(step: Callable[[], object], repeat: int) -> float:
    """Run `step` once to warm up, then `repeat` times; return the median wall time in seconds."""
    step()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        step()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def write_plain(path: Path, data: bytes, fsync: bool) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        if fsync:
            handle.flush()
            os.fsync(handle.fileno())


def machine_description() -> str:
    cpu = platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return (
        f"{cpu}, {os.cpu_count()} cores (nproc), {memory_kib / 1024 / 1024:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per step after one warm-up (default 7)")
    parser.add_argument("--folder", type=Path, default=None, help="folder for the files (default: a temporary folder)")
    arguments = parser.parse_args()

    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="hunt-workbench-bench-sessions-"))
    folder.mkdir(parents=True, exist_ok=True)
    session_path = folder / "bench.toml"
    floor_path = folder / "floor.toml"
    started_load = load_average()
    started_at = datetime.now(timezone.utc)

    session = build_session()
    text = render_session(session)
    data = text.encode("utf-8")
    document = encode_session(session)
    # render_session writes multi-line strings where it can; the floor writes the same document tomli_w's default way.
    floor_size = len(tomli_w.dumps(document).encode("utf-8"))

    save_session(session, session_path)
    loaded = load_session(session_path)
    if len(loaded.queries) != QUERY_COUNT or any(len(query.runs[0].rows) != SNAPSHOT_ROWS for query in loaded.queries):
        raise SystemExit("the saved session did not load back with every snapshot row")
    if loaded.queries[3].runs[0].rows[:100] != session.queries[3].runs[0].rows[:100]:
        raise SystemExit("snapshot rows changed between save and open")

    repeat = arguments.repeat
    results: list[tuple[str, str, float]] = []
    results.append(("save", "floor: `tomli_w.dumps(document)` + write", median_seconds(lambda: write_plain(floor_path, tomli_w.dumps(document).encode("utf-8"), fsync=False), repeat)))
    results.append(("save", "floor + fsync", median_seconds(lambda: write_plain(floor_path, tomli_w.dumps(document).encode("utf-8"), fsync=True), repeat)))
    results.append(("save", "`encode_session` alone", median_seconds(lambda: encode_session(session), repeat)))
    results.append(("save", "`render_session` (encode + dumps, no file)", median_seconds(lambda: render_session(session), repeat)))
    results.append(("save", "`save_session`", median_seconds(lambda: save_session(session, session_path), repeat)))
    results.append(("open", "floor: `tomllib.loads`", median_seconds(lambda: tomllib.loads(text), repeat)))
    parsed = tomllib.loads(text)
    results.append(("open", "`decode_session` alone", median_seconds(lambda: decode_session(parsed), repeat)))
    results.append(("open", "`load_session`", median_seconds(lambda: load_session(session_path), repeat)))

    floors = {"save": results[0][2], "open": results[5][2]}
    print(f"### {started_at:%Y-%m-%d %H:%M} UTC\n")
    print(f"- Command: `python bench/bench_sessions.py --repeat {repeat}`")
    print(f"- Machine: {machine_description()}; load average {started_load} at the start, {load_average()} at the end")
    print(
        f"- Input: {QUERY_COUNT} queries, one run each with {SNAPSHOT_ROWS:,} snapshot rows of {len(COLUMNS)} columns "
        f"({', '.join(name for name, _ in COLUMNS)}); file {len(data) / 1024 / 1024:.1f} MiB "
        f"(floor's text {floor_size / 1024 / 1024:.1f} MiB); median of {repeat} runs after one warm-up\n"
    )
    print("| step | what runs | median s | ratio to floor |")
    print("|---|---|---:|---:|")
    for step, label, seconds in results:
        print(f"| {step} | {label} | {seconds:.3f} | {seconds / floors[step]:.2f} |")


if __name__ == "__main__":
    main()
