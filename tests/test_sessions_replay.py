"""Replay against a real DuckDB workspace: new, gone and unchanged rows, verdicts, the CLI's exit codes."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.backends.base import Column, QueryResult, Timespan
from workbench.backends.local import LocalBackend
from workbench.cli import main
from workbench.kql.exclusions import Exclusion
from workbench.sessions.capture import row_keys, snapshot_from_result, snapshot_keys, snapshot_rows
from workbench.sessions.codec import decode_session
from workbench.sessions.model import QueryRecord, Session, Verdict, row_hash
from workbench.sessions.replay import apply_replay, replay_session
from workbench.sessions.store import load_session, render_session, save_session

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)
HUNT = "DnsEvents | where Name endswith 'duckdns.org' | project TimeGenerated, Computer, Name, Hits, Score, Flagged, Extra, Took, Id"
EVERY_TYPE = (
    'print s="a\\"b\\\\c", l=long(5), i=int(3), r=real(1.25), nr=real(nan), inf=real(+inf), b=true, '
    "d=datetime(2026-06-19 10:00:00.123), ts=timespan(1.02:00:00), neg=-90m, "
    'dyn=dynamic({"a":[1,2,{"b":null}],"é":"x"}), arr=dynamic([1,"x",null]), '
    'g=toguid("8d8b8b8b-1111-2222-3333-444455556666"), n=long(null), nd=datetime(null), dn=dynamic(null)'
)


def make_workspace(path: Path, rows: list[tuple]) -> None:
    """Write a DnsEvents table with one column of most DuckDB types KQL results carry."""
    import duckdb

    connection = duckdb.connect(str(path))
    connection.execute("SET TimeZone='UTC'")
    connection.execute("DROP TABLE IF EXISTS DnsEvents")
    connection.execute(
        "CREATE TABLE DnsEvents (TimeGenerated TIMESTAMPTZ, Computer VARCHAR, Name VARCHAR, Hits BIGINT, "
        "Score DOUBLE, Flagged BOOLEAN, Extra JSON, Took INTERVAL, Id UUID)"
    )
    connection.executemany("INSERT INTO DnsEvents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.close()


def dns_row(index: int, computer: str = "WS-114", name: str = "test3012.duckdns.org") -> tuple:
    return (
        NOW - timedelta(hours=index + 1),
        computer,
        name,
        index,
        index / 3 if index % 5 else math.nan,
        index % 2 == 0,
        json.dumps({"query": name, "answers": [index, None], "note": 'quote " and \\ back'}),
        timedelta(seconds=index, microseconds=250),
        f"00000000-0000-0000-0000-{index:012d}",
    )


BASE_ROWS = [dns_row(index) for index in range(6)] + [dns_row(6, computer="BUILD-07"), dns_row(7, name="example.com")]


def open_local(path: Path) -> LocalBackend:
    return LocalBackend(path, name="local:hunt")


def session_with_baseline(path: Path) -> Session:
    """Return a session whose one query has a run captured from the workspace at `path`."""
    session = Session(id="replay-test", title="Replay test", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "Nanocore DNS", HUNT, timespan="P7D"))
    backend = open_local(path)
    try:
        report = replay_session(session, backend, now=NOW)
    finally:
        backend.close()
    apply_replay(session, report)
    return session


def reloaded(session: Session, tmp_path: Path) -> Session:
    path = tmp_path / "replay.toml"
    save_session(session, path)
    return load_session(path)


def replay(session: Session, path: Path, **options):
    backend = open_local(path)
    try:
        return replay_session(session, backend, now=NOW, **options)
    finally:
        backend.close()


def test_first_replay_all_new(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = Session(id="s", title="t", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "DNS", HUNT, timespan="P7D"))
    report = replay(session, database)
    diff = report.queries[0]
    assert diff.error == ""
    assert diff.has_baseline is False
    assert diff.new_count == 7
    assert report.new_count == 7


def test_unchanged_after_save(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = reloaded(session_with_baseline(database), tmp_path)
    diff = replay(session, database).queries[0]
    assert diff.has_baseline is True
    assert diff.new_count == 0
    assert diff.gone_count == 0
    assert diff.unchanged_count == 7


def test_every_kql_type_unchanged(tmp_path: Path) -> None:
    """A result of every KQL type, saved and loaded, keys equal to the same result run again."""
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = Session(id="types", title="t", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "types", EVERY_TYPE, timespan=""))
    report = replay(session, database)
    assert report.queries[0].error == ""
    apply_replay(session, report)
    session = reloaded(session, tmp_path)
    row = session.queries[0].runs[0].rows[0]
    assert row[0] == 'a"b\\c'
    assert row[4] == "NaN"
    assert row[5] == "Infinity"
    assert row[7] == "2026-06-19T10:00:00.123000Z"
    assert row[8] == "1.02:00:00"
    assert row[9] == "-01:30:00"
    diff = replay(session, database).queries[0]
    assert diff.unchanged_count == 1
    assert diff.new_count == 0
    assert diff.gone_count == 0


def test_new_and_gone_rows(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = reloaded(session_with_baseline(database), tmp_path)
    baseline = session.queries[0].runs[-1]
    gone_row = next(row for row in baseline.rows if row[3] == 0)
    kept_row = next(row for row in baseline.rows if row[3] == 1)
    baseline.verdicts = [Verdict(row_hash(gone_row), "benign"), Verdict(row_hash(kept_row), "true_positive", note="C2")]

    make_workspace(database, BASE_ROWS[1:] + [dns_row(40, computer="WS-200")])
    diff = replay(session, database).queries[0]
    assert diff.new_count == 1
    assert diff.gone_count == 1
    assert diff.unchanged_count == 6
    assert diff.new_rows[0][1] == "WS-200"
    assert diff.gone_rows == [gone_row]
    assert diff.carried_verdicts == 1
    assert [verdict.row for verdict in diff.run.verdicts] == [row_hash(kept_row)]
    assert diff.run.verdicts[0].note == "C2"


def test_exclusion_applied(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = Session(id="s", title="t", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "DNS", HUNT, timespan="P7D"))
    session.exclusions.append(Exclusion("ex-1", "Computer", "in", ["BUILD-07"], "CI runner", created=NOW))
    session.exclusions.append(Exclusion("ex-2", "Computer", "==", ["WS-114"], "expired", created=NOW, expires=NOW - timedelta(days=1)))
    diff = replay(session, database).queries[0]
    assert diff.new_count == 6
    assert diff.run.excluded_counts == {"ex-1": 1}
    assert all(row[1] != "BUILD-07" for row in diff.run.rows)


def test_failed_query_reported(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = Session(id="s", title="t", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "broken", "DnsEvents | where ((", timespan="P7D"))
    session.queries.append(QueryRecord("q-2", "good", HUNT, timespan="P7D"))
    report = replay(session, database)
    assert report.queries[0].error != ""
    assert report.queries[0].run.error == report.queries[0].error
    assert report.queries[1].new_count == 7
    assert [diff.query_id for diff in report.failed] == ["q-1"]


def test_columns_changed(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = session_with_baseline(database)
    session.queries[0].text = "DnsEvents | where Name endswith 'duckdns.org' | project Computer"
    diff = replay(session, database).queries[0]
    assert diff.columns_changed is True
    assert diff.new_count == 7
    assert diff.gone_count == 7


def test_snapshot_cap_sets_truncated(tmp_path: Path) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, BASE_ROWS)
    session = Session(id="s", title="t", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "DNS", HUNT, timespan="P7D"))
    apply_replay(session, replay(session, database, snapshot_rows_limit=3))
    run = session.queries[0].runs[0]
    assert len(run.rows) == 3
    assert run.row_count == 7
    assert run.truncated is True
    diff = replay(session, database).queries[0]
    assert diff.baseline_truncated is True
    assert diff.unchanged_count == 3
    assert diff.new_count == 4


def test_large_result_diff() -> None:
    """200,000 result rows against a 5,000-row snapshot, keyed column-wise."""
    count = 200_000
    times = pa.array([NOW + timedelta(seconds=index) for index in range(count)], pa.timestamp("us", "UTC"))
    table = pa.table({"TimeGenerated": times, "Computer": pa.array([f"WS-{index % 997}" for index in range(count)]), "Hits": pa.array(range(count), pa.int64())})
    columns = [Column("TimeGenerated", "datetime"), Column("Computer", "string"), Column("Hits", "long")]
    result = QueryResult(table=table, columns=columns, elapsed_seconds=0.0, workspace="local:big")
    baseline = snapshot_from_result(result.__class__(table=table.slice(10, 6000), columns=columns, elapsed_seconds=0.0), 5000)
    new_keys = row_keys(table, columns)
    old_keys = snapshot_keys(baseline.rows, 3)
    import pyarrow.compute as pc

    unchanged = pc.sum(pc.is_in(new_keys, value_set=old_keys)).as_py()
    assert unchanged == 5000
    assert len(new_keys) == count


# ---------------------------------------------------------------------------
# Keys of a fresh result equal keys of its snapshot read back from TOML

CELL_COLUMNS = st.sampled_from(["string", "long", "real", "bool", "datetime", "dynamic", "timespan"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=8,
)


@st.composite
def arrow_tables(draw: st.DrawFn) -> tuple[pa.Table, list[Column]]:
    kinds = draw(st.lists(CELL_COLUMNS, min_size=1, max_size=4))
    size = draw(st.integers(0, 6))
    arrays, columns = [], []
    for index, kind in enumerate(kinds):
        if kind == "string":
            values = draw(st.lists(st.none() | st.text(alphabet=st.characters(exclude_categories=("Cs",))), min_size=size, max_size=size))
            arrays.append(pa.array(values, pa.string()))
        elif kind == "long":
            arrays.append(pa.array(draw(st.lists(st.none() | st.integers(-(2**63), 2**63 - 1), min_size=size, max_size=size)), pa.int64()))
        elif kind == "real":
            arrays.append(pa.array(draw(st.lists(st.none() | st.floats(), min_size=size, max_size=size)), pa.float64()))
        elif kind == "bool":
            arrays.append(pa.array(draw(st.lists(st.none() | st.booleans(), min_size=size, max_size=size)), pa.bool_()))
        elif kind == "dynamic":
            # The engine's JSON spelling (spacing, escapes) differs from Python's; keys compare parsed values.
            texts = st.builds(lambda value, indent, ascii: json.dumps(value, indent=indent, ensure_ascii=ascii), JSON_VALUES, st.sampled_from([None, 1]), st.booleans())
            arrays.append(pa.array(draw(st.lists(st.none() | texts, min_size=size, max_size=size)), pa.string()))
        elif kind == "timespan":
            spans = st.timedeltas(min_value=timedelta(days=-900), max_value=timedelta(days=900))
            arrays.append(pa.array(draw(st.lists(st.none() | spans, min_size=size, max_size=size)), pa.duration("us")))
        else:
            times = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
            arrays.append(pa.array(draw(st.lists(st.none() | times, min_size=size, max_size=size)), pa.timestamp("us")))
        columns.append(Column(f"c{index}", kind))
    return pa.table(arrays, names=[column.name for column in columns]), columns


@settings(max_examples=50, deadline=None)
@given(case=arrow_tables())
def test_keys_match_after_toml(case: tuple[pa.Table, list[Column]]) -> None:
    table, columns = case
    result = QueryResult(table=table, columns=columns, elapsed_seconds=0.0, workspace="local:x")
    session = Session(id="k", title="k", created=NOW, updated=NOW)
    session.queries.append(QueryRecord("q-1", "q", "T"))
    session.queries[0].runs.append(snapshot_from_result(result, 100, ran_at=NOW))
    import tomllib

    loaded = decode_session(tomllib.loads(render_session(session)))
    rows = loaded.queries[0].runs[0].rows
    assert row_keys(table, columns).to_pylist() == snapshot_keys(rows, len(columns)).to_pylist()
    assert [row_hash(row) for row in rows] == [row_hash(row) for row in snapshot_rows(table, columns)]


# ---------------------------------------------------------------------------
# The command


def write_config(tmp_path: Path, database: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[[workspaces]]\nname = "hunt"\nkind = "local"\npath = "{database}"\n', encoding="utf-8")
    return config


def recent_rows() -> list[tuple]:
    """Rows within the last day of the real clock, since the command replays at the current time."""
    now = datetime.now(timezone.utc)
    return [(now - timedelta(hours=1),) + row[1:] for row in BASE_ROWS]


def test_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "ws.duckdb"
    rows = recent_rows()
    make_workspace(database, rows)
    config = write_config(tmp_path, database)
    session = Session(id="cli", title="CLI hunt", workspace="local:hunt")
    session.queries.append(QueryRecord("q-1", "DNS", HUNT, timespan="P7D"))
    path = tmp_path / "cli.toml"
    save_session(session, path)

    assert main(["--config", str(config), "replay", str(path), "--format", "json"]) == 1
    output = json.loads(capsys.readouterr().out)
    assert output["queries"][0]["new_count"] == 7
    assert load_session(path).queries[0].runs == []

    assert main(["--config", str(config), "replay", str(path), "--update"]) == 1
    captured = capsys.readouterr()
    assert "q-1  DNS: 7 new, 0 gone, 0 unchanged" in captured.out
    assert len(load_session(path).queries[0].runs) == 1
    assert (tmp_path / "cli.toml.bak").exists()

    assert main(["--config", str(config), "replay", str(path)]) == 0
    assert "0 new, 0 gone, 7 unchanged" in capsys.readouterr().out


def test_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    database = tmp_path / "ws.duckdb"
    make_workspace(database, recent_rows())
    config = write_config(tmp_path, database)

    assert main(["--config", str(config), "replay", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err

    session = Session(id="other", title="t", workspace="azure:0000")
    session.queries.append(QueryRecord("q-1", "DNS", "DnsEvents | where ((", timespan="P7D"))
    path = tmp_path / "other.toml"
    save_session(session, path)
    assert main(["--config", str(config), "replay", str(path)]) == 2
    assert "--workspace" in capsys.readouterr().err

    assert main(["--config", str(config), "replay", str(path), "--workspace", "hunt"]) == 2
    assert "query q-1 failed" in capsys.readouterr().err


def test_command_finds_session_by_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from workbench.sessions.store import default_session_path

    database = tmp_path / "ws.duckdb"
    make_workspace(database, recent_rows())
    config = write_config(tmp_path, database)
    session = Session(id="by-id", title="t", workspace="local:hunt")
    save_session(session, default_session_path(session))
    assert main(["--config", str(config), "replay", "by-id"]) == 0
    assert "0 new rows in 0 queries" in capsys.readouterr().out


def test_timespan_window_fixed() -> None:
    from workbench.sessions.replay import _timespan

    window = _timespan(QueryRecord("q", "t", "T", timespan="P1D"), NOW)
    assert window == Timespan(start=NOW - timedelta(days=1), end=NOW)
