"""Benchmark: time from `tmux new-session` to the first frame of the workbench, a bare Textual app and harlequin.

"First frame" is the moment `tmux capture-pane` first shows a marker text that
the app draws in its first screen. The markers are the `IOC feeds` border
title for the workbench, the one Static's text for the bare app and the
`Query Editor` border title for harlequin. The bare app (a Textual `App` with a
single `Static`) is the floor that no Textual app can beat. The clock starts just before `tmux new-session -d`
and the pane is polled every 10 ms, so each time includes Python start-up,
imports, the first layout and tmux's own latency, as a user would see it.

All three run in one process, interleaved, after one unmeasured warm-up run
each (which fills the OS file cache and writes .pyc files), so the ratios to
the bare app are comparable across machines even where the seconds are not.
The workbench uses a config, data, cache and log folder under /tmp whose demo
workspace is generated before any timing, because the first run of the
workbench generates it. harlequin is installed into its own virtual
environment under /tmp, never into the project's, and is skipped (with the
reason recorded) when it cannot be installed.

A last, unmeasured run of the workbench records with an audit hook which
modules were imported before the first frame, and the heavy ones among them
are each timed with `python -X importtime` in a fresh interpreter.

Run: `python bench/bench_startup.py` (add `--no-record` to skip docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS_PAGE = REPO_ROOT / "docs" / "benchmarks.md"
SECTION_HEADING = "## Start-up to first frame"

WORK_DIR = Path("/tmp/hunt-workbench-bench-startup")
HARLEQUIN_VENV = Path("/tmp/hunt-workbench-bench-harlequin")
POLL_SECONDS = 0.01
FIRST_FRAME_TIMEOUT_SECONDS = 60.0
EXIT_AFTER_HANGUP_SECONDS = 3.0
"""Seconds a program may take to exit after tmux kill-session sends SIGHUP before it is killed."""

BARE_MARKER = "bare-textual-first-frame"
BARE_APP = f'''from textual.app import App, ComposeResult
from textual.widgets import Static


class BareApp(App):
    def compose(self) -> ComposeResult:
        yield Static("{BARE_MARKER}")


BareApp().run()
'''

# Loaded with an audit hook in place, this records each module's first import as "<unix time> <name>".
IMPORT_TRACE_LAUNCHER = '''import sys
import time

trace = open(sys.argv[1], "w", buffering=1)
seen = set(sys.modules)


def record_import(event, args):
    if event == "import" and args[0] not in seen:
        seen.add(args[0])
        trace.write(f"{time.time():.4f} {args[0]}\\n")


sys.addaudithook(record_import)
from workbench.cli import main

sys.exit(main([]))
'''

HEAVY_PACKAGES = (
    "duckdb", "duckdb_kql", "duckdb_kql._antlr", "pyarrow", "pyarrow.compute", "azure.monitor.query", "azure.identity",
    "pygments.lexers", "textual_fastdatatable", "stix2", "httpx", "http.server", "cryptography.x509", "numpy", "pandas",
)
"""Packages that should load after the first frame (DuckDB, Arrow, Azure, Pygments, the KQL lexer), and other large ones."""


@dataclass
class Target:
    """One program whose first frame is timed."""

    name: str
    command: str
    """Shell command tmux runs in the new session."""
    marker: str
    """Text whose appearance in the pane counts as the first frame."""
    times: list[float] = field(default_factory=list)
    """Seconds to first frame of each measured run."""
    hung_runs: int = 0
    """Runs, warm-up and trace included, still alive EXIT_AFTER_HANGUP_SECONDS after SIGHUP, so killed."""


class Tmux:
    """A private tmux server (its own socket), so the benchmark never touches the user's sessions."""

    def __init__(self, width: int, height: int) -> None:
        self.socket = f"hunt-workbench-bench-{os.getpid()}"
        self.width = width
        self.height = height
        # A long-lived session keeps the server up, so server start-up is never timed.
        self.run("new-session", "-d", "-s", "keepalive", "-x", str(width), "-y", str(height), "sleep 86400")

    def run(self, *arguments: str) -> str:
        completed = subprocess.run(["tmux", "-L", self.socket, *arguments], capture_output=True, text=True, check=False)
        return completed.stdout

    def time_first_frame(self, target: Target, command: str | None = None, session: str = "timed") -> float | None:
        """Start the target's command (or `command`) in a new session; return the seconds until its marker shows.

        Returns None on timeout. The session is then killed, which sends the
        program SIGHUP as a dropped SSH connection would, and a program still
        running after EXIT_AFTER_HANGUP_SECONDS is killed and counted in
        `target.hung_runs`.
        """
        started = time.perf_counter()
        self.run("new-session", "-d", "-s", session, "-x", str(self.width), "-y", str(self.height), command or target.command)
        # The pane's first process leads a process group that contains everything the command started.
        process_group = int(self.run("display-message", "-p", "-t", session, "#{pane_pid}").strip() or 0)
        try:
            while time.perf_counter() - started < FIRST_FRAME_TIMEOUT_SECONDS:
                if target.marker in self.run("capture-pane", "-p", "-t", session):
                    return time.perf_counter() - started
                time.sleep(POLL_SECONDS)
            return None
        finally:
            self.run("kill-session", "-t", session)
            if process_group and not wait_for_exit(process_group, EXIT_AFTER_HANGUP_SECONDS):
                target.hung_runs += 1
                os.killpg(process_group, signal.SIGKILL)

    def close(self) -> None:
        self.run("kill-server")


def wait_for_exit(process_group: int, timeout: float) -> bool:
    """Return whether every process of `process_group` has exited within `timeout` seconds."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            os.killpg(process_group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def machine_description() -> str:
    cpu = platform.machine()
    memory = "unknown memory"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB memory"
                break
    except OSError:
        pass
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} cores (nproc), {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, tmux {tmux_version()}; load average at start {load}"
    )


def tmux_version() -> str:
    completed = subprocess.run(["tmux", "-V"], capture_output=True, text=True, check=False)
    return completed.stdout.strip().removeprefix("tmux ")


def workbench_environment() -> dict[str, str]:
    return {f"HUNT_WORKBENCH_{name.upper()}_DIR": str(WORK_DIR / name) for name in ("config", "data", "cache", "log")}


def shell_command(arguments: list[str], environment: dict[str, str]) -> str:
    assignments = [f"{name}={value}" for name, value in environment.items()]
    return shlex.join(["env", *assignments, *arguments])


def workbench_arguments() -> list[str]:
    script = Path(sys.executable).with_name("workbench")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbench"]


def prepare_workspace() -> None:
    """Generate the demo workspace once, so no timed run pays for the first-run generation."""
    workspace = WORK_DIR / "data" / "workspaces" / "default.duckdb"
    if workspace.exists():
        return
    print(f"generating the demo workspace at {workspace} (first run only)", file=sys.stderr)
    environment = {**os.environ, **workbench_environment()}
    subprocess.run([*workbench_arguments(), "run", "--query", "DnsEvents | take 1"], env=environment, check=True, capture_output=True)


def prepare_harlequin(venv: Path) -> tuple[Path | None, str]:
    """Return harlequin's executable in the virtual environment `venv`, installing it there when absent, and its version.

    Returns (None, reason) when it cannot be installed.
    """
    executable = venv / "bin" / "harlequin"
    if not executable.exists():
        print(f"installing harlequin into {venv} (first run only)", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "harlequin"], check=True, capture_output=True, text=True)
        except subprocess.CalledProcessError as error:
            last_line = (error.stderr or "").strip().splitlines()[-1:] or ["no output"]
            return None, f"harlequin could not be installed into {venv}: {last_line[0]}"
    completed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import importlib.metadata as m; print(m.version('harlequin'), m.version('textual'))"],
        capture_output=True, text=True, check=False,
    )
    versions = completed.stdout.split()
    if len(versions) != 2:
        return None, f"harlequin in {venv} does not start: {completed.stderr.strip()[-200:]}"
    return executable, f"harlequin {versions[0]} (Textual {versions[1]})"


def trace_imports_before_first_frame(tmux: Tmux, workbench: Target) -> tuple[list[str], dict[str, float], float]:
    """Run the workbench once under an import audit hook.

    Returns the modules imported before its first frame, the seconds from the
    first traced import to each module's import, and the seconds from the
    first traced import to the first frame.
    """
    launcher = WORK_DIR / "import_trace_launcher.py"
    trace = WORK_DIR / "import_trace.txt"
    launcher.write_text(IMPORT_TRACE_LAUNCHER, encoding="utf-8")
    trace.unlink(missing_ok=True)

    command = shell_command([sys.executable, str(launcher), str(trace)], workbench_environment())
    started = time.time()
    seconds = tmux.time_first_frame(workbench, command, session="traced")
    if seconds is None or not trace.exists():
        return [], {}, 0.0
    first_frame = started + seconds

    stamps: dict[str, float] = {}
    for line in trace.read_text(encoding="utf-8").splitlines():
        stamp, name = line.split(" ", 1)
        stamps[name] = float(stamp)
    if not stamps:
        return [], {}, 0.0
    origin = min(stamps.values())
    modules = [name for name, stamp in stamps.items() if stamp <= first_frame]
    offsets = {name: stamp - origin for name, stamp in stamps.items()}
    return modules, offsets, first_frame - origin


def import_seconds(module: str, repeat: int = 3) -> float | None:
    """Return the lowest of `repeat` cumulative `-X importtime` measurements of `module`, each in a fresh interpreter.

    Returns None when the module is not installed. The lowest counts because other load on the machine only adds time.
    """
    times = [one_import_seconds(module) for _ in range(repeat)]
    measured = [seconds for seconds in times if seconds is not None]
    return min(measured) if measured else None


def one_import_seconds(module: str) -> float | None:
    completed = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        return None
    # The requested module's own line is its last one: an earlier one is a nested import with a partial time.
    pattern = re.compile(rf"^import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*{re.escape(module)}$")
    matches = [pattern.match(line) for line in completed.stderr.splitlines()]
    cumulative = [int(match.group(1)) for match in matches if match]
    return cumulative[-1] / 1_000_000 if cumulative else None


def import_report(modules: list[str], offsets: dict[str, float], first_frame: float) -> str:
    """Describe which heavy packages the workbench imports before its first frame, and what each costs alone."""
    loaded = set(modules)
    lines = [
        f"Imports before the workbench's first frame, from one extra run with an audit hook (which slows it): "
        f"{len(modules)} modules, first frame {first_frame:.2f} s after the first traced import. "
        "`-X importtime` alone is the module's cumulative import time in a fresh interpreter, lowest of 3.",
        "",
        "| module | imported before first frame | first imported at, s | `-X importtime` alone, ms |",
        "|---|---|---|---|",
    ]
    for module in ("workbench.ui.app", "textual.app", *HEAVY_PACKAGES):
        seconds = import_seconds(module)
        if seconds is None:
            lines.append(f"| `{module}` | not installed | | |")
            continue
        before = "yes" if module in loaded else "no"
        offset = f"{offsets[module]:.2f}" if module in offsets else ""
        lines.append(f"| `{module}` | {before} | {offset} | {seconds * 1000:.0f} |")
    return "\n".join(lines) + "\n"


def record(entry: str) -> None:
    """Append `entry` to this benchmark's section of docs/benchmarks.md, leaving other sections untouched.

    The page is re-read immediately before writing because other benchmarks append to it too.
    """
    BENCHMARKS_PAGE.parent.mkdir(parents=True, exist_ok=True)
    text = BENCHMARKS_PAGE.read_text(encoding="utf-8") if BENCHMARKS_PAGE.exists() else "# Benchmarks\n"
    lines = text.splitlines(keepends=True)
    headings = [index for index, line in enumerate(lines) if line.rstrip("\n") == SECTION_HEADING]
    if not headings:
        text = text.rstrip("\n") + f"\n\n{SECTION_HEADING}\n\n{entry}"
    else:
        start = headings[0]
        end = next((index for index in range(start + 1, len(lines)) if lines[index].startswith("## ")), len(lines))
        rest = "".join(lines[end:])
        text = "".join(lines[:end]).rstrip("\n") + "\n\n" + entry + ("\n" + rest if rest else "")
    BENCHMARKS_PAGE.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="measured runs of each program; the median counts (default 7)")
    parser.add_argument("--size", default="120x36", help="terminal size COLUMNSxROWS of the tmux pane (default 120x36)")
    parser.add_argument("--no-harlequin", action="store_true", help="skip harlequin")
    parser.add_argument(
        "--harlequin-venv", type=Path, default=HARLEQUIN_VENV,
        help=f"virtual environment with harlequin, created and installed when absent (default {HARLEQUIN_VENV})",
    )
    parser.add_argument("--no-record", action="store_true", help="print the result without appending it to docs/benchmarks.md")
    args = parser.parse_args(argv)

    if shutil.which("tmux") is None:
        print("bench_startup: tmux is not installed; install it (apt-get install tmux) and retry", file=sys.stderr)
        return 2
    width, height = (int(part) for part in args.size.lower().split("x"))
    machine = machine_description()

    for name in ("config", "data", "cache", "log"):
        (WORK_DIR / name).mkdir(parents=True, exist_ok=True)
    prepare_workspace()
    bare_app = WORK_DIR / "bare_app.py"
    bare_app.write_text(BARE_APP, encoding="utf-8")

    targets = [
        Target("bare Textual app (floor)", shlex.join([sys.executable, str(bare_app)]), BARE_MARKER),
        Target("workbench", shell_command(workbench_arguments(), workbench_environment()), "IOC feeds"),
    ]
    harlequin_note = "skipped (--no-harlequin)"
    if not args.no_harlequin:
        executable, harlequin_note = prepare_harlequin(args.harlequin_venv)
        if executable is not None:
            home = WORK_DIR / "harlequin-home"
            home.mkdir(exist_ok=True)
            # harlequin with no arguments opens an in-memory DuckDB database.
            targets.append(Target("harlequin", shell_command([str(executable)], {"HOME": str(home)}), "Query Editor"))

    tmux = Tmux(width, height)
    try:
        for target in targets:
            if tmux.time_first_frame(target) is None:
                print(f"bench_startup: {target.name} drew no {target.marker!r} within {FIRST_FRAME_TIMEOUT_SECONDS:g} s", file=sys.stderr)
                return 1
        for _ in range(args.repeat):
            for target in targets:
                seconds = tmux.time_first_frame(target)
                if seconds is None:
                    print(f"bench_startup: {target.name} timed out", file=sys.stderr)
                    return 1
                target.times.append(seconds)
        modules, offsets, first_frame = trace_imports_before_first_frame(tmux, targets[1])
    finally:
        tmux.close()

    floor = statistics.median(targets[0].times)
    command = "python bench/bench_startup.py"
    if args.repeat != 7:
        command += f" --repeat {args.repeat}"
    if args.size != "120x36":
        command += f" --size {args.size}"
    if args.no_harlequin:
        command += " --no-harlequin"
    if args.harlequin_venv != HARLEQUIN_VENV:
        command += f" --harlequin-venv {args.harlequin_venv}"
    rows = [
        f"| {target.name} | `{target.marker}` | {statistics.median(target.times):.3f} | {min(target.times):.3f} | "
        f"{max(target.times):.3f} | {statistics.median(target.times) / floor:.2f} | {target.hung_runs} |"
        for target in targets
    ]
    entry = (
        f"### {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC\n\n"
        f"- Command: `{command}`\n"
        f"- Machine: {machine}\n"
        f"- Method: seconds from `tmux new-session -d` until `tmux capture-pane` shows the marker, pane {width}x{height}, "
        f"polled every {POLL_SECONDS * 1000:.0f} ms; {args.repeat} interleaved runs each after one warm-up; "
        "the workbench opens the pre-generated demo workspace. Each run ends with `tmux kill-session` (SIGHUP); "
        f"a program still running {EXIT_AFTER_HANGUP_SECONDS:g} s later is killed and counted, warm-up and trace runs included\n"
        f"- harlequin: {harlequin_note}\n\n"
        f"| program | marker | median s | min s | max s | median / floor | runs alive {EXIT_AFTER_HANGUP_SECONDS:g} s after SIGHUP |\n"
        "|---|---|---|---|---|---|---|\n"
        + "\n".join(rows) + "\n\n"
        + import_report(modules, offsets, first_frame)
    )
    print(entry)
    if not args.no_record:
        record(entry)
        print(f"appended to {BENCHMARKS_PAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
