"""Benchmark: the results pane's first paint, peak memory, sort, filter and frequency.

The real `WorkbenchApp` runs headless (`App.run_test()`, 160x48) on a local
workspace built by `workbench.demo.generator.generate_workspace` (DnsEvents,
23 columns). The editor gets `DnsEvents | take N` and `ctrl+r` runs it. Every
measurement runs in a fresh subprocess, one per size and kind, so peak RSS
(`VmHWM` in /proc/self/status) belongs to that size alone.

What "first paint" means here: the clock starts when `on_query_finished`
receives the run's `QueryFinished` message on the UI thread, so the query
itself is not counted. It stops when the new fastdatatable `DataTable`
returns from its first `render_lines` call that produced lines, which the
compositor makes while building a frame. The headless driver then discards
the frame, so writing to a terminal is not counted. The benchmark wraps `WorkbenchApp.on_query_finished`,
`ResultsPane.show_result`, `ResultsPane.on_results_pane_view_ready` and
`DataTable.render_lines` at class level in the child process to take these
times; no project file is changed.

Input blocking is measured as the longest event-loop stall: a task on the
app's loop sleeps 5 ms in a loop, and any wake-up later than that is time in
which no key could have been handled.

Floors, in the same run:
- `arrow`: DuckDB SQL `SELECT * FROM DnsEvents LIMIT N` with
  `to_arrow_table()` in a fresh process, the cost of having the rows at all;
- `fastdatatable`: a bare Textual app mounting textual-fastdatatable's
  `DataTable` over the same Arrow table, the widget without the workbench;
- `builtin`: a bare Textual app with `textual.widgets.DataTable`, rows added
  with `add_rows` from `to_pylist()` values (10,000 and 100,000 rows only);
- the pure functions of `workbench.resultview` (and `workbench.ui.tables.display_table`)
  on the 1,000,000-row result, against the pane's `[`, `]`, `F` and `/` keys.

Run: `python bench/bench_results.py [--sizes 10000,100000,1000000] [--repeat 3]`.
`--profile` runs the largest size once more under cProfile (main thread only,
that is the UI thread) and prints the slowest calls. The script prints a
Markdown section for docs/benchmarks.md; it does not write the page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

DEFAULT_FOLDER = Path("/tmp/hunt-workbench-bench-results")
END = datetime(2026, 12, 4, 21, 0, tzinfo=timezone.utc)
SCREEN_SIZE = (160, 48)
STALL_TICK_SECONDS = 0.005
STEP_TIMEOUT_SECONDS = 600.0
ACTION_COLUMN = "Name"
"""Column the sort and frequency keys act on: text, about 90,000 distinct values in 1,000,000 rows."""
FILTER_TERM = "duckdns"
"""Text the `/` filter looks for. About 0.9 % of the demo rows contain it."""


# ---------------------------------------------------------------------------
# Measuring helpers used in the child processes


def peak_rss_mib() -> float:
    """Return this process's peak resident set size (VmHWM) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM is missing from /proc/self/status")


def current_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS is missing from /proc/self/status")


class StallMonitor:
    """Event-loop stalls: each stretch in which a 5 ms sleep on the loop woke up late."""

    def __init__(self) -> None:
        self.stalls: list[tuple[float, float]] = []
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _watch(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(STALL_TICK_SECONDS)
            now = time.perf_counter()
            if now - last > 2 * STALL_TICK_SECONDS:
                self.stalls.append((last, now))
            last = now

    def longest(self, start: float, end: float) -> float:
        """Return the longest stall in seconds (beyond the tick) that overlaps start..end."""
        overlapping = [stop - begin - STALL_TICK_SECONDS for begin, stop in self.stalls if stop > start and begin < end]
        return max(overlapping, default=0.0)


class Timeline:
    """Times taken by the class-level wrappers that `instrument` installs."""

    def __init__(self) -> None:
        self.paints: list[tuple[float, int]] = []
        """(time, id of the table) after each fastdatatable `render_lines` call."""
        self.calls: dict[str, list[tuple[float, float]]] = {}
        """(entry, exit) times of each wrapped handler, by name."""

    def first_paint(self, table: Any, after: float) -> float | None:
        for moment, table_id in self.paints:
            if table_id == id(table) and moment > after:
                return moment
        return None

    def call_after(self, name: str, after: float) -> tuple[float, float] | None:
        for entry, exit_ in self.calls.get(name, []):
            if entry > after:
                return entry, exit_
        return None


def instrument(timeline: Timeline) -> None:
    """Wrap the handlers the timings need, at class level, in this process only."""
    from textual_fastdatatable import DataTable

    from workbench.ui.app import WorkbenchApp
    from workbench.ui.panes.results import ResultsPane

    original_render_lines = DataTable.render_lines

    def render_lines(self, crop):
        strips = original_render_lines(self, crop)
        # The compositor's first call after a mount can have a crop of height 0, which draws nothing.
        if strips:
            timeline.paints.append((time.perf_counter(), id(self)))
        return strips

    DataTable.render_lines = render_lines

    def timed(cls: type, name: str) -> None:
        # Textual calls the handler of every class in the MRO that defines one, so the
        # wrapper replaces the method in the class that defines it instead of shadowing it.
        owner = next(base for base in cls.__mro__ if name in base.__dict__)
        original = owner.__dict__[name]

        def wrapper(self, *args, **kwargs):
            entry = time.perf_counter()
            try:
                return original(self, *args, **kwargs)
            finally:
                timeline.calls.setdefault(name, []).append((entry, time.perf_counter()))

        setattr(owner, name, wrapper)

    timed(WorkbenchApp, "on_query_finished")
    timed(ResultsPane, "show_result")
    timed(ResultsPane, "on_results_pane_view_ready")


async def wait_for(condition, what: str, timeout: float = STEP_TIMEOUT_SECONDS) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.002)


# ---------------------------------------------------------------------------
# Child: the workbench app


def workbench_config(workspace: Path):
    from workbench.config import Config, WorkspaceConfig

    # Without a timespan `take N` returns N rows whatever today's date is. The autosave
    # delay is an hour, so no session write lands inside a measured step.
    return Config(
        default_timespan="",
        autosave_seconds=3600.0,
        workspaces=[WorkspaceConfig(name="default", kind="local", path=str(workspace))],
    )


async def run_query(app, pilot, timeline: Timeline, monitor: StallMonitor, text: str, rows: int, profiler=None) -> dict:
    """Run `text` from the editor and return the timings of its arrival and first paint."""
    pane = app.results_pane
    old_table = pane.table
    app.editor.load_text(text)
    app.editor.focus()

    pressed = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    await pilot.press("ctrl+r")
    await wait_for(
        lambda: pane.table is not old_table and not pane.busy and timeline.first_paint(pane.table, pressed) is not None,
        f"the first paint of {rows} rows",
    )
    if profiler is not None:
        profiler.disable()
    painted = timeline.first_paint(pane.table, pressed)
    await pilot.pause()
    settled = time.perf_counter()

    if pane.view is None or pane.view.num_rows != rows:
        raise RuntimeError(f"the pane shows {pane.view.num_rows if pane.view is not None else 0} rows, expected {rows}")

    finished_entry, finished_exit = timeline.call_after("on_query_finished", pressed)
    show_entry, _ = timeline.call_after("show_result", pressed)
    ready_entry, ready_exit = timeline.call_after("on_results_pane_view_ready", pressed)
    return {
        "query_seconds": finished_entry - pressed,
        "first_paint_seconds": painted - finished_entry,
        "first_paint_from_show_result_seconds": painted - show_entry,
        "on_query_finished_seconds": finished_exit - finished_entry,
        "view_worker_seconds": ready_entry - finished_exit,
        "view_ready_handler_seconds": ready_exit - ready_entry,
        "view_ready_to_paint_seconds": painted - ready_exit,
        "settled_seconds": settled - finished_entry,
        "longest_stall_seconds": monitor.longest(finished_entry, painted),
    }


async def press_and_wait_for_table(app, pilot, timeline: Timeline, monitor: StallMonitor, keys: list[str], what: str, profiler=None) -> dict:
    pane = app.results_pane
    old_table = pane.table
    pressed = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    await pilot.press(*keys)
    await wait_for(
        lambda: pane.table is not old_table and not pane.busy and timeline.first_paint(pane.table, pressed) is not None, what
    )
    if profiler is not None:
        profiler.disable()
    painted = timeline.first_paint(pane.table, pressed)
    return {"seconds": painted - pressed, "longest_stall_seconds": monitor.longest(pressed, painted), "rows": pane.view.num_rows}


async def app_actions(app, pilot, timeline: Timeline, monitor: StallMonitor, profiler=None) -> dict:
    """Press `[`, `]`, `F` and `/` on the shown result; return the time until each view is ready."""
    from workbench.ui.screens import FrequencyScreen

    pane = app.results_pane
    column = pane.view.column_names.index(ACTION_COLUMN) + 1  # the verdict marker column comes first
    pane.table.focus()
    pane.table.move_cursor(row=0, column=column)
    await pilot.pause()
    results = {}
    results["sort ascending `[`"] = await press_and_wait_for_table(
        app, pilot, timeline, monitor, ["left_square_bracket"], "the ascending sort", profiler
    )
    await pilot.pause()
    pane.table.move_cursor(row=0, column=column)
    await pilot.pause()
    results["sort descending `]`"] = await press_and_wait_for_table(
        app, pilot, timeline, monitor, ["right_square_bracket"], "the descending sort", profiler
    )
    await pilot.pause()
    pane.table.move_cursor(row=0, column=column)
    await pilot.pause()

    pressed = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    await pilot.press("F")
    await wait_for(lambda: isinstance(app.screen, FrequencyScreen), "the frequency screen")
    pushed = time.perf_counter()
    await pilot.pause()
    if profiler is not None:
        profiler.disable()
    shown = time.perf_counter()
    results["frequency `F`"] = {
        "seconds": pushed - pressed,
        "seconds_with_one_pause": shown - pressed,
        "longest_stall_seconds": monitor.longest(pressed, shown),
        "rows": pane.view.num_rows,
    }
    await pilot.press("escape")
    await pilot.pause()

    pane.table.focus()
    await pilot.press("slash")
    await pilot.pause()
    await pilot.press(*FILTER_TERM)
    results[f"filter `/` {FILTER_TERM}"] = await press_and_wait_for_table(
        app, pilot, timeline, monitor, ["enter"], "the filtered view", profiler
    )
    return results


def pure_floors(table, repeat: int) -> dict:
    """Return the median seconds of the resultview functions (and the display preparation) alone on `table`."""
    from workbench.resultview import filter_rows, sort_rows, value_frequency
    from workbench.ui.tables import display_table

    steps = {
        "sort_rows ascending": lambda: sort_rows(table, ACTION_COLUMN, False),
        "sort_rows descending": lambda: sort_rows(table, ACTION_COLUMN, True),
        "value_frequency": lambda: value_frequency(table, ACTION_COLUMN),
        f"filter_rows {FILTER_TERM}": lambda: filter_rows(table, FILTER_TERM),
        "display_table": lambda: display_table(table),
    }
    timings = {}
    for name, step in steps.items():
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            step()
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs)
    return timings


async def app_child(workspace: Path, rows: int, repeat: int, actions: bool, profile_path: Path | None) -> dict:
    from workbench.ui.app import WorkbenchApp

    timeline = Timeline()
    instrument(timeline)
    profiler = None
    if profile_path is not None:
        import cProfile

        profiler = cProfile.Profile()
    app = WorkbenchApp(config=workbench_config(workspace))
    monitor = StallMonitor()
    result: dict[str, Any] = {"rows": rows}
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        monitor.start()
        await wait_for(lambda: app.backend is not None, "the workspace to open", timeout=120)
        await pilot.pause()
        # Warm-up: duckdb-kql, the lexer and pyarrow.compute load on the first run.
        await run_query(app, pilot, timeline, monitor, "DnsEvents | take 1", 1)
        result["rss_before_mib"] = current_rss_mib()
        result["peak_rss_before_mib"] = peak_rss_mib()
        runs = []
        for index in range(repeat):
            runs.append(await run_query(app, pilot, timeline, monitor, f"DnsEvents | take {rows}", rows, profiler if index == 0 else None))
            if index == 0:
                result["peak_rss_first_run_mib"] = peak_rss_mib()
        result["peak_rss_all_runs_mib"] = peak_rss_mib()
        result["runs"] = runs
        if actions:
            unsorted = app.results_pane.source
            result["actions"] = await app_actions(app, pilot, timeline, monitor, profiler)
            result["floors"] = pure_floors(unsorted, repeat)
        monitor.stop()
    if profiler is not None:
        profiler.dump_stats(str(profile_path))
    return result


# ---------------------------------------------------------------------------
# Children: the floors


def arrow_table(workspace: Path, rows: int):
    import duckdb

    connection = duckdb.connect(str(workspace), read_only=True)
    try:
        return connection.sql(f"SELECT * FROM DnsEvents LIMIT {int(rows)}").to_arrow_table()
    finally:
        connection.close()


def arrow_child(workspace: Path, rows: int, repeat: int) -> dict:
    import duckdb  # noqa: F401 - imported before the baseline, as the app has it loaded
    import pyarrow  # noqa: F401

    before = peak_rss_mib()
    timings = []
    peak_first = 0.0
    for index in range(repeat + 1):
        started = time.perf_counter()
        table = arrow_table(workspace, rows)
        timings.append(time.perf_counter() - started)
        if table.num_rows != rows:
            raise RuntimeError(f"DuckDB returned {table.num_rows} rows, expected {rows}")
        if index == 0:
            peak_first = peak_rss_mib()
        del table
    return {"rows": rows, "seconds": statistics.median(timings[1:]), "peak_rss_before_mib": before, "peak_rss_first_run_mib": peak_first}


async def widget_child(workspace: Path, rows: int, kind: str) -> dict:
    """Time a bare Textual app from having the Arrow table to the first paint of one table widget."""
    from textual.app import App

    table = arrow_table(workspace, rows)
    before = peak_rss_mib()

    if kind == "builtin":
        from textual.widgets import DataTable as Widget
    else:
        from textual_fastdatatable import DataTable as Widget
    paints: list[float] = []
    original_render_lines = Widget.render_lines

    def render_lines(self, crop):
        strips = original_render_lines(self, crop)
        if strips:
            paints.append(time.perf_counter())
        return strips

    Widget.render_lines = render_lines

    class BareApp(App):
        pass

    app = BareApp()
    timings: dict[str, float] = {}
    monitor = StallMonitor()
    async with app.run_test(size=SCREEN_SIZE) as pilot:
        monitor.start()
        await pilot.pause()
        started = time.perf_counter()
        if kind == "builtin":
            values = list(zip(*(column.to_pylist() for column in table.columns)))
            converted = time.perf_counter()
            widget = Widget()
            widget.add_columns(*table.column_names)
            widget.add_rows(values)
            timings["to_pylist_seconds"] = converted - started
            timings["add_rows_seconds"] = time.perf_counter() - converted
        else:
            from textual_fastdatatable import ArrowBackend

            widget = Widget(backend=ArrowBackend(table))
        await app.screen.mount(widget)
        await wait_for(lambda: any(moment > started for moment in paints), f"the first paint of the {kind} table")
        painted = next(moment for moment in paints if moment > started)
        timings["first_paint_seconds"] = painted - started
        timings["longest_stall_seconds"] = monitor.longest(started, painted)
        monitor.stop()
    return {"rows": rows, **timings, "peak_rss_before_mib": before, "peak_rss_after_mib": peak_rss_mib()}


# ---------------------------------------------------------------------------
# Parent: orchestration and the report


def ensure_workspace(folder: Path, rows: int) -> tuple[Path, float | None]:
    """Return the workspace file with at least `rows` DnsEvents rows and the seconds spent generating it (None if reused)."""
    import duckdb

    from workbench.demo.generator import generate_workspace

    path = folder / "workspace.duckdb"
    if path.exists():
        connection = duckdb.connect(str(path), read_only=True)
        try:
            count = connection.execute("SELECT count(*) FROM DnsEvents").fetchone()[0]
        finally:
            connection.close()
        if count >= rows:
            return path, None
    started = time.perf_counter()
    generate_workspace(path, end=END, dns_rows=rows)
    return path, time.perf_counter() - started


def run_child(folder: Path, workspace: Path, mode: str, rows: int, extra: list[str] | None = None) -> dict:
    state = folder / "state"
    environment = dict(os.environ)
    for name in ("DATA", "CONFIG", "CACHE", "LOG"):
        environment[f"HUNT_WORKBENCH_{name}_DIR"] = str(state / name.lower())
    command = [sys.executable, __file__, "--child", mode, "--rows", str(rows), "--workspace", str(workspace), *(extra or [])]
    print(f"running {mode} with {rows:,} rows", file=sys.stderr, flush=True)
    completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=3600)
    if completed.returncode != 0:
        raise SystemExit(f"{mode} with {rows} rows failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


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


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def print_report(arguments, started_at: datetime, load_start: str, generated: float | None, results: dict) -> None:
    import importlib.metadata

    versions = ", ".join(
        f"{name} {importlib.metadata.version(name)}" for name in ("textual", "textual-fastdatatable", "pyarrow", "duckdb", "duckdb-kql")
    )
    sizes = arguments.sizes
    print(f"### {started_at:%Y-%m-%d %H:%M} UTC\n")
    print(f"- Command: `python bench/bench_results.py --sizes {','.join(str(size) for size in sizes)} --repeat {arguments.repeat}`")
    print(f"- Machine: {machine_description()}; {versions}")
    print(f"- Load average: {load_start} at the start, {load_average()} at the end")
    generated_text = f"generated in {generated:.1f} s" if generated is not None else "reused from an earlier run"
    print(
        f"- Input: demo workspace with {max(sizes):,} background DnsEvents rows (23 columns; {generated_text}); "
        f"app screen {SCREEN_SIZE[0]}x{SCREEN_SIZE[1]}; median of {arguments.repeat} runs per size after a 1-row warm-up run\n"
    )

    print("| rows | query (ctrl+r to QueryFinished) | first paint | of which `on_query_finished` | view worker | `ViewReady` handler | handler to paint | longest stall | peak RSS before | peak RSS after first run | floor: DuckDB `to_arrow_table()` | floor peak RSS | first paint / Arrow floor |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        app = results["app"][size]
        arrow = results["arrow"][size]
        runs = app["runs"]
        paint = median_of(runs, "first_paint_seconds")
        print(
            f"| {size:,} | {median_of(runs, 'query_seconds'):.3f} s | {paint:.3f} s | {median_of(runs, 'on_query_finished_seconds'):.3f} s "
            f"| {median_of(runs, 'view_worker_seconds'):.3f} s | {median_of(runs, 'view_ready_handler_seconds'):.3f} s "
            f"| {median_of(runs, 'view_ready_to_paint_seconds'):.3f} s | {max(run['longest_stall_seconds'] for run in runs):.3f} s "
            f"| {app['peak_rss_before_mib']:.0f} MiB | {app['peak_rss_first_run_mib']:.0f} MiB "
            f"| {arrow['seconds']:.3f} s | {arrow['peak_rss_first_run_mib']:.0f} MiB | {paint / arrow['seconds']:.1f} |"
        )
    print()

    print("Bare Textual app, from the Arrow table in hand to the widget's first `render_lines`:\n")
    print("| rows | widget | to_pylist | add_rows | first paint | longest stall | peak RSS after | ratio to fastdatatable |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        fast = results["fastdatatable"].get(size)
        if fast is None:
            continue
        print(f"| {size:,} | textual-fastdatatable | | | {fast['first_paint_seconds']:.3f} s | {fast['longest_stall_seconds']:.3f} s | {fast['peak_rss_after_mib']:.0f} MiB | 1.0 |")
        builtin = results["builtin"].get(size)
        if builtin is not None:
            print(
                f"| {size:,} | textual DataTable | {builtin['to_pylist_seconds']:.3f} s | {builtin['add_rows_seconds']:.3f} s "
                f"| {builtin['first_paint_seconds']:.3f} s | {builtin['longest_stall_seconds']:.3f} s | {builtin['peak_rss_after_mib']:.0f} MiB "
                f"| {builtin['first_paint_seconds'] / fast['first_paint_seconds']:.0f} |"
            )
    print()

    largest = max(sizes)
    app = results["app"][largest]
    floors = app["floors"]
    floor_of = {
        "sort ascending `[`": "sort_rows ascending",
        "sort descending `]`": "sort_rows descending",
        "frequency `F`": "value_frequency",
        f"filter `/` {FILTER_TERM}": f"filter_rows {FILTER_TERM}",
    }
    print(
        f"Actions on the {largest:,}-row result, column `{ACTION_COLUMN}`, one run each in the app (key press to the new "
        f"table's first paint; for `F`, until the FrequencyScreen is the active screen); floors are medians of {arguments.repeat}:\n"
    )
    print("| action | rows shown after | seconds | longest stall | floor: `workbench.resultview` function alone | seconds | ratio |")
    print("|---|---:|---:|---:|---|---:|---:|")
    for name, action in app["actions"].items():
        floor_name = floor_of[name]
        floor = floors[floor_name]
        print(
            f"| {name} | {action['rows']:,} | {action['seconds']:.3f} | {action['longest_stall_seconds']:.3f} "
            f"| `{floor_name}` | {floor:.3f} | {action['seconds'] / floor:.1f} |"
        )
    print(f"\n`display_table` alone on the same {largest:,} rows: {floors['display_table']:.3f} s.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="result row counts, comma-separated")
    parser.add_argument("--builtin-sizes", default="10000,100000", help="row counts for textual's own DataTable")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size in the app (default 3)")
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER, help="folder for the workspace and app state")
    parser.add_argument("--profile", type=Path, default=None, help="also profile the largest size's UI thread into this pstats file")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--workspace", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--actions", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()

    if arguments.child is not None:
        if arguments.child == "app":
            output = asyncio.run(app_child(arguments.workspace, arguments.rows, arguments.repeat, arguments.actions, arguments.profile))
        elif arguments.child == "arrow":
            output = arrow_child(arguments.workspace, arguments.rows, arguments.repeat)
        else:
            output = asyncio.run(widget_child(arguments.workspace, arguments.rows, arguments.child))
        print(json.dumps(output))
        return

    arguments.sizes = [int(size) for size in arguments.sizes.split(",")]
    builtin_sizes = [int(size) for size in arguments.builtin_sizes.split(",") if size]
    started_at = datetime.now(timezone.utc)
    load_start = load_average()
    folder = arguments.folder
    folder.mkdir(parents=True, exist_ok=True)
    largest = max(arguments.sizes)
    workspace, generated = ensure_workspace(folder, largest)

    results: dict[str, dict[int, dict]] = {"app": {}, "arrow": {}, "fastdatatable": {}, "builtin": {}}
    repeat = ["--repeat", str(arguments.repeat)]
    for size in arguments.sizes:
        results["arrow"][size] = run_child(folder, workspace, "arrow", size, repeat)
        results["app"][size] = run_child(folder, workspace, "app", size, repeat + (["--actions"] if size == largest else []))
        results["fastdatatable"][size] = run_child(folder, workspace, "fastdatatable", size)
        if size in builtin_sizes:
            results["builtin"][size] = run_child(folder, workspace, "builtin", size)
    if arguments.profile is not None:
        run_child(folder, workspace, "app", largest, ["--repeat", "1", "--actions", "--profile", str(arguments.profile)])
        import pstats

        stats = pstats.Stats(str(arguments.profile), stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(40)
        stats.sort_stats("tottime").print_stats(25)
    print_report(arguments, started_at, load_start, generated, results)


if __name__ == "__main__":
    main()
