"""Session files: round trips, the null and dynamic encoding, atomic writes and refusals."""

from __future__ import annotations

import math
import os
import pickle
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.iocs.model import Indicator
from workbench.kql.exclusions import Exclusion
from workbench.paths import sessions_dir
from workbench.sessions.model import VERDICTS, QueryRecord, Run, Session, Verdict, row_hash
from workbench.sessions.store import (
    SessionConflictError,
    SessionFileError,
    SessionWriteError,
    default_session_path,
    list_sessions,
    load_session,
    render_session,
    save_session,
)

REPO_ROOT = Path(__file__).resolve().parents[1]

# Text without surrogates: a lone surrogate cannot be encoded as UTF-8 at all
# (saving one raises SessionWriteError, tested below). Control characters,
# NUL, quotes, backslashes and line breaks are all included.
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
HOSTILE = st.sampled_from(['"', "'''", '"""', "\\", "\\u0041", "\x00", "\x1b[31m", "\r\n", "\r", "\n", "\t", "\x7f", "\u2028", "é", "😀", "a = 1", "[[queries]]"])
HOSTILE_TEXT = st.lists(st.one_of(HOSTILE, TEXT), max_size=6).map("".join)

OFFSETS = st.sampled_from(
    [timezone.utc, timezone(timedelta(hours=5, minutes=45)), timezone(timedelta(hours=-9, minutes=-30)), timezone(timedelta(hours=14))]
)
TIMES = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 30), timezones=OFFSETS)

JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), HOSTILE_TEXT)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(HOSTILE_TEXT, children, max_size=4)),
    max_leaves=10,
)
CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # past 64 bits too: written as {int = "..."}
    st.floats(allow_nan=False),
    HOSTILE_TEXT,
    st.lists(JSON_VALUES, max_size=3),
    st.dictionaries(HOSTILE_TEXT, JSON_VALUES, max_size=3),
)
KQL_TYPES = st.sampled_from(["string", "long", "int", "real", "bool", "datetime", "timespan", "dynamic", "guid", "decimal"])


@st.composite
def runs(draw: st.DrawFn) -> Run:
    width = draw(st.integers(0, 4))
    columns = [(draw(HOSTILE_TEXT), draw(KQL_TYPES)) for _ in range(width)]
    rows = draw(st.lists(st.lists(CELLS, min_size=width, max_size=width), max_size=4))
    return Run(
        ran_at=draw(TIMES),
        workspace=draw(HOSTILE_TEXT),
        row_count=draw(st.integers(0, 2**40)),
        truncated=draw(st.booleans()),
        columns=columns,
        rows=rows,
        elapsed_seconds=draw(st.floats(0, 1e6)),
        timespan=draw(st.sampled_from(["", "P7D", "PT1H", "2026-12-01T00:00:00Z/2026-12-04T00:00:00Z"])),
        excluded_counts=draw(st.dictionaries(HOSTILE_TEXT, st.integers(0, 2**40), max_size=3)),
        verdicts=draw(
            st.lists(
                st.builds(Verdict, row=st.text("0123456789abcdef", min_size=64, max_size=64), verdict=st.sampled_from(VERDICTS), note=HOSTILE_TEXT, decided=TIMES),
                max_size=3,
            )
        ),
        error=draw(HOSTILE_TEXT),
    )


INDICATORS = st.builds(
    Indicator,
    value=HOSTILE_TEXT,
    ioc_type=st.sampled_from(["domain", "ip:port", "url", "sha256_hash"]),
    threat_type=HOSTILE_TEXT,
    malware=HOSTILE_TEXT,
    first_seen=st.none() | TIMES,
    last_seen=st.none() | TIMES,
    confidence=st.none() | st.integers(0, 100),
    tags=st.lists(HOSTILE_TEXT, max_size=3),
    reference=HOSTILE_TEXT,
    source=HOSTILE_TEXT,
    display_value=HOSTILE_TEXT,
)
EXCLUSIONS = st.builds(
    Exclusion,
    id=HOSTILE_TEXT,
    field=HOSTILE_TEXT,
    operator=st.sampled_from(["==", "in", "!in~", "matches regex"]),
    values=st.lists(HOSTILE_TEXT, max_size=3),
    reason=HOSTILE_TEXT,
    author=HOSTILE_TEXT,
    created=TIMES,
    expires=st.none() | TIMES,
    enabled=st.booleans(),
    table=HOSTILE_TEXT,
)
QUERIES = st.builds(QueryRecord, id=HOSTILE_TEXT, title=HOSTILE_TEXT, text=HOSTILE_TEXT, timespan=st.sampled_from(["P14D", "PT30M"]), runs=st.lists(runs(), max_size=2))
SESSIONS = st.builds(
    Session,
    id=HOSTILE_TEXT,
    title=HOSTILE_TEXT,
    created=TIMES,
    updated=TIMES,
    workspace=HOSTILE_TEXT,
    indicators=st.lists(INDICATORS, max_size=3),
    exclusions=st.lists(EXCLUSIONS, max_size=3),
    queries=st.lists(QUERIES, max_size=2),
)


def sample_session() -> Session:
    session = Session(
        id="nanocore-c2-2026-12-04",
        title="Nanocore RAT C2 domains",
        created=datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc),
        updated=datetime(2026, 12, 4, 19, 42, 10, tzinfo=timezone.utc),
    )
    session.indicators.append(
        Indicator("test3012.duckdns.org", "domain", threat_type="botnet_cc", malware="Nanocore RAT", confidence=100, source="threatfox")
    )
    session.exclusions.append(
        Exclusion("ex-1", "Computer", "in", ["BUILD-07"], "CI runner resolves dynamic-DNS test names",
                  created=datetime(2026, 12, 4, 19, 30, tzinfo=timezone.utc))
    )
    query = QueryRecord("q-1", "DNS lookups of Nanocore C2 domains", 'DnsEvents\r\n| where Name =~ "test3012.duckdns.org"')
    query.runs.append(
        Run(
            ran_at=datetime(2026, 12, 4, 19, 31, 2, tzinfo=timezone.utc),
            workspace="local:default",
            row_count=2,
            truncated=False,
            columns=[("TimeGenerated", "datetime"), ("Computer", "string"), ("Extra", "dynamic")],
            rows=[["2026-06-19T10:00:00.000000Z", "WS-114", {"a": None}], ["2026-06-19T11:00:00.000000Z", None, None]],
            verdicts=[Verdict("ab" * 32, "true_positive", decided=datetime(2026, 12, 4, 19, 40, tzinfo=timezone.utc))],
        )
    )
    session.queries.append(query)
    return session


def assert_same_session(loaded: Session, original: Session) -> None:
    assert loaded == original
    assert loaded.created.utcoffset() == timedelta(0)
    for query in loaded.queries:
        for run in query.runs:
            assert run.ran_at.utcoffset() == timedelta(0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(session=SESSIONS)
def test_round_trip_any_session(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "round.toml"
    save_session(session, path, force=True)
    assert_same_session(load_session(path), session)


@settings(max_examples=60, deadline=None)
@given(text=HOSTILE_TEXT)
def test_round_trip_hostile_query_text(text: str) -> None:
    session = sample_session()
    session.queries[0].text = text
    session.queries[0].title = text
    rendered = render_session(session)
    assert tomllib.loads(rendered)["queries"][0]["text"] == text


def test_crlf_query_text_survives(tmp_path: Path) -> None:
    session = sample_session()
    path = tmp_path / "crlf.toml"
    save_session(session, path)
    assert load_session(path).queries[0].text == 'DnsEvents\r\n| where Name =~ "test3012.duckdns.org"'


def test_multiline_text_without_cr(tmp_path: Path) -> None:
    session = sample_session()
    session.queries[0].text = "DnsEvents\n| take 10"
    path = tmp_path / "lf.toml"
    save_session(session, path)
    assert '"""' in path.read_text()
    assert load_session(path).queries[0].text == "DnsEvents\n| take 10"


def test_nonfinite_reals_round_trip(tmp_path: Path) -> None:
    session = sample_session()
    run = session.queries[0].runs[0]
    run.columns = [("r", "real")]
    run.rows = [[math.inf], [-math.inf], [math.nan], [-0.0]]
    path = tmp_path / "reals.toml"
    save_session(session, path)
    rows = load_session(path).queries[0].runs[0].rows
    assert rows[0] == [math.inf]
    assert rows[1] == [-math.inf]
    assert math.isnan(rows[2][0])
    assert math.copysign(1, rows[3][0]) == -1


def test_null_and_dynamic_encoding(tmp_path: Path) -> None:
    path = tmp_path / "cells.toml"
    save_session(sample_session(), path)
    run = tomllib.loads(path.read_text())["queries"][0]["runs"][0]
    assert run["rows"][0][2] == {"json": '{"a":null}'}
    assert run["rows"][1][1] == {"null": True}
    assert run["rows"][1][2] == {"null": True}


def test_big_integer_cell(tmp_path: Path) -> None:
    session = sample_session()
    session.queries[0].runs[0].columns = [("n", "long")]
    session.queries[0].runs[0].rows = [[2**64], [-(2**63)]]
    path = tmp_path / "big.toml"
    save_session(session, path)
    assert tomllib.loads(path.read_text())["queries"][0]["runs"][0]["rows"][0][0] == {"int": str(2**64)}
    assert load_session(path).queries[0].runs[0].rows == [[2**64], [-(2**63)]]


def test_optional_none_fields_omitted(tmp_path: Path) -> None:
    path = tmp_path / "omit.toml"
    save_session(sample_session(), path)
    document = tomllib.loads(path.read_text())
    assert "first_seen" not in document["indicators"][0]
    assert "expires" not in document["exclusions"][0]
    assert "author" not in document["exclusions"][0]
    assert document["format"] == "hunt-workbench.session"
    assert document["version"] == 1


def test_times_converted_to_utc(tmp_path: Path) -> None:
    session = sample_session()
    session.created = datetime(2026, 12, 5, 1, 15, tzinfo=timezone(timedelta(hours=5, minutes=45)))
    path = tmp_path / "utc.toml"
    save_session(session, path)
    raw = tomllib.loads(path.read_text())["created"]
    assert raw.utcoffset() == timedelta(0)
    assert raw == datetime(2026, 12, 4, 19, 30, tzinfo=timezone.utc)


def test_empty_session_round_trip(tmp_path: Path) -> None:
    session = Session(id="empty", title="", created=datetime(2026, 1, 1, tzinfo=timezone.utc), updated=datetime(2026, 1, 1, tzinfo=timezone.utc))
    session.queries.append(QueryRecord("q-1", "", ""))
    path = tmp_path / "empty.toml"
    save_session(session, path)
    assert load_session(path) == session


def test_surrogate_rejected(tmp_path: Path) -> None:
    session = sample_session()
    session.title = "bad \ud800"
    path = tmp_path / "surrogate.toml"
    with pytest.raises(SessionWriteError, match="not valid Unicode"):
        save_session(session, path)
    assert not path.exists()


def test_file_mode_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "hunt.toml"
    session = sample_session()
    save_session(session, path)
    first = path.read_bytes()
    session.title = "second"
    save_session(session, path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "hunt.toml.bak").read_bytes() == first
    assert load_session(path).title == "second"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["hunt.toml", "hunt.toml.bak"]


def test_default_path_stays_inside() -> None:
    session = sample_session()
    session.id = "../../etc/passwd"
    path = default_session_path(session)
    assert path.parent == sessions_dir()
    assert path.name == "etc-passwd.toml"


BROKEN = textwrap.dedent(
    """\
    format = "hunt-workbench.session"
    version = 1
    id = "x"
    title "missing equals"
    """
)


def test_broken_toml_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    with pytest.raises(SessionFileError) as caught:
        load_session(path)
    assert caught.value.line == 4
    assert str(path) in str(caught.value)
    assert "line 4" in str(caught.value)
    assert "there is no broken.toml.bak" in str(caught.value)

    (tmp_path / "broken.toml.bak").write_text("")
    with pytest.raises(SessionFileError) as caught:
        load_session(path)
    assert "restore broken.toml.bak" in str(caught.value)


def test_truncated_toml_names_last_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.toml"
    path.write_text('format = "hunt-workbench.session"\nversion = 1\ntitle = "half', encoding="utf-8")
    with pytest.raises(SessionFileError) as caught:
        load_session(path)
    assert caught.value.line == 3
    assert "line 3" in str(caught.value)


def test_broken_file_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    with pytest.raises(SessionFileError):
        load_session(path)
    with pytest.raises(SessionFileError, match="was not saved"):
        save_session(sample_session(), path)
    assert path.read_text() == BROKEN
    assert not (tmp_path / "broken.toml.bak").exists()


def test_broken_after_save_detected(tmp_path: Path) -> None:
    path = tmp_path / "edited.toml"
    save_session(sample_session(), path)
    good = path.read_bytes()
    save_session(sample_session(), path)
    path.write_text(BROKEN)
    with pytest.raises(SessionFileError):
        save_session(sample_session(), path)
    assert path.read_text() == BROKEN
    assert (tmp_path / "edited.toml.bak").read_bytes() == good


def test_forced_save_keeps_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    save_session(sample_session(), path, force=True)
    assert (tmp_path / "broken.toml.unreadable").read_text() == BROKEN
    assert load_session(path).id == "nanocore-c2-2026-12-04"


OTHER_SAVER = """
import sys
from pathlib import Path
from workbench.sessions.store import load_session, save_session

path = Path(sys.argv[1])
session = load_session(path)
session.title = "saved by the other process"
save_session(session, path)
"""


def test_save_conflict_detected(tmp_path: Path) -> None:
    path = tmp_path / "shared.toml"
    session = sample_session()
    save_session(session, path)
    subprocess.run([sys.executable, "-c", OTHER_SAVER, str(path)], check=True, cwd=REPO_ROOT)
    theirs = path.read_bytes()
    session.title = "saved here"
    with pytest.raises(SessionConflictError, match="changed on disk"):
        save_session(session, path)
    assert path.read_bytes() == theirs
    save_session(session, path, force=True)
    assert load_session(path).title == "saved here"
    assert (tmp_path / "shared.toml.bak").read_bytes() == theirs


def test_reload_clears_conflict(tmp_path: Path) -> None:
    path = tmp_path / "shared.toml"
    save_session(sample_session(), path)
    subprocess.run([sys.executable, "-c", OTHER_SAVER, str(path)], check=True, cwd=REPO_ROOT)
    session = load_session(path)
    session.title = "after reload"
    save_session(session, path)
    assert load_session(path).title == "after reload"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ('format = "other.tool"\nversion = 1\n', "not \"hunt-workbench.session\""),
        ('format = "hunt-workbench.session"\nversion = 7\n', "newer than version 1"),
        ('version = 1\n', "format is missing"),
    ],
)
def test_foreign_or_newer_rejected(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "other.toml"
    text = header + 'id = "x"\ntitle = "t"\ncreated = 2026-12-04T19:00:00Z\nupdated = 2026-12-04T19:00:00Z\nworkspace = "w"\n'
    path.write_text(text)
    with pytest.raises(SessionFileError, match=message) as caught:
        load_session(path)
    assert str(path) in str(caught.value)
    with pytest.raises(SessionFileError):
        save_session(sample_session(), path)
    assert path.read_text() == text


def test_newer_version_names_line(tmp_path: Path) -> None:
    path = tmp_path / "newer.toml"
    path.write_text('# written by a later workbench\nformat = "hunt-workbench.session"\nversion = 2\n')
    with pytest.raises(SessionFileError) as caught:
        load_session(path)
    assert caught.value.line == 3
    assert "upgrade hunt-workbench" in str(caught.value)


def test_invalid_value_names_line(tmp_path: Path) -> None:
    path = tmp_path / "value.toml"
    save_session(sample_session(), path)
    lines = path.read_text().splitlines()
    number = next(index for index, line in enumerate(lines) if line.startswith("row_count"))
    lines[number] = 'row_count = "twelve"'
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SessionFileError) as caught:
        load_session(path)
    assert caught.value.line == number + 1
    assert "queries[0].runs[0].row_count must be an integer" in str(caught.value)


def test_unknown_key_rejected(tmp_path: Path) -> None:
    path = tmp_path / "unknown.toml"
    save_session(sample_session(), path)
    path.write_text(path.read_text().replace('workspace = "local:default"\n', 'workspace = "local:default"\ncolour = "red"\n', 1))
    with pytest.raises(SessionFileError, match="colour is not a key this version knows"):
        load_session(path)


def test_bad_cell_tag_rejected(tmp_path: Path) -> None:
    path = tmp_path / "tag.toml"
    save_session(sample_session(), path)
    path.write_text(path.read_text().replace("{ null = true }", "{ nil = true }", 1))
    with pytest.raises(SessionFileError, match=r"rows\[1\]\[1\]"):
        load_session(path)


VERSION_0 = textwrap.dedent(
    """\
    format = "hunt-workbench.session"
    version = 0
    id = "old-hunt"
    title = "Draft-format hunt"
    created = 2026-11-01T08:00:00Z
    updated = 2026-11-01T09:00:00Z
    workspace = "local:default"

    [[queries]]
    id = "q-1"
    title = "DNS"
    query = "DnsEvents | take 5"
    timespan = "P7D"

    [[queries.runs]]
    ran_at = 2026-11-01T08:30:00Z
    workspace = "local:default"
    hits = 9
    columns = [["Name", "string"]]
    rows = [["a.example"], [{null = true}]]
    """
)


def test_version_0_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text(VERSION_0)
    session = load_session(path)
    assert session.queries[0].text == "DnsEvents | take 5"
    assert session.queries[0].runs[0].row_count == 9
    assert session.queries[0].runs[0].truncated is True
    assert session.queries[0].runs[0].rows == [["a.example"], [None]]


def test_migrated_save_keeps_old(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text(VERSION_0)
    save_session(load_session(path), path)
    assert (tmp_path / "old.toml.bak").read_text() == VERSION_0
    assert tomllib.loads(path.read_text())["version"] == 1


def test_list_sessions(tmp_path: Path) -> None:
    older = sample_session()
    newer = sample_session()
    newer.id = "newer"
    newer.updated = older.updated + timedelta(hours=1)
    save_session(older, default_session_path(older))
    save_session(newer, default_session_path(newer))
    (sessions_dir() / "broken.toml").write_text(BROKEN)
    (sessions_dir() / "notes.txt").write_text("not a session")
    summaries = list_sessions()
    assert [summary.id for summary in summaries] == ["newer", "nanocore-c2-2026-12-04", "broken"]
    assert summaries[0].query_count == 1
    assert summaries[0].run_count == 1
    assert summaries[0].hit_count == 2
    assert summaries[0].verdict_counts == {"true_positive": 1}
    assert "line 4" in summaries[2].error


# ---------------------------------------------------------------------------
# File-system failures, run in a forked child so limits and user changes stay there


def run_in_child(function, *, unprivileged: bool = False, file_size_limit: int | None = None):
    """Run `function` in a forked child and return what it returned or raised."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            if file_size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
            if unprivileged and os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            outcome = ("returned", function())
        except BaseException as error:  # noqa: BLE001 - carried back to the test
            outcome = ("raised", (type(error).__name__, str(error)))
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(outcome, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


@pytest.fixture
def open_folder():
    """Return a folder every user can enter, so an unprivileged child meets only the folder's own mode."""
    base = Path(tempfile.mkdtemp(prefix="workbench-test-"))
    base.chmod(0o755)
    yield base
    for folder in [base, *base.iterdir()]:
        folder.chmod(0o755)
    shutil.rmtree(base)


def test_read_only_folder(open_folder: Path) -> None:
    folder = open_folder / "sessions"
    folder.mkdir()
    path = folder / "hunt.toml"
    session = sample_session()
    save_session(session, path)
    before = path.read_bytes()
    os.chmod(folder, 0o555)
    os.chmod(path, 0o644)
    session.title = "changed"
    try:
        kind, detail = run_in_child(lambda: save_session(session, path), unprivileged=True)
    finally:
        os.chmod(folder, 0o755)
    assert kind == "raised"
    assert detail[0] == "SessionWriteError"
    assert "Permission denied" in detail[1]
    assert str(path) in detail[1]
    assert path.read_bytes() == before
    assert session.title == "changed"
    assert [item.name for item in folder.iterdir()] == ["hunt.toml"]


def test_full_disk(tmp_path: Path) -> None:
    path = tmp_path / "hunt.toml"
    session = sample_session()
    save_session(session, path)
    before = path.read_bytes()
    session.queries[0].runs[0].rows = [["2026-06-19T10:00:00.000000Z", "x" * 1000, None]] * 50
    kind, detail = run_in_child(lambda: save_session(session, path), file_size_limit=4096)
    assert kind == "raised"
    assert detail[0] == "SessionWriteError"
    assert "File too large" in detail[1]
    assert path.read_bytes() == before
    assert sorted(item.name for item in tmp_path.iterdir()) == ["hunt.toml"]


KILLED_SAVER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from workbench.sessions.model import QueryRecord, Run, Session
from workbench.sessions.store import save_session

path = Path(sys.argv[1])
session = Session(id="killed", title="killed")
query = QueryRecord("q-1", "q", "DnsEvents\\r\\n| take 10")
session.queries.append(query)
count = 0
while True:
    count += 1
    rows = [[f"row {index} of save {count}", index, None] for index in range(count % 400)]
    query.runs = [Run(datetime.now(timezone.utc), "local:default", len(rows), False,
                      [("a", "string"), ("b", "long"), ("c", "dynamic")], rows)]
    save_session(session, path)
    if count == 1:
        print("saved", flush=True)
"""


def test_killed_saver_leaves_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "killed.toml"
    seed = random.randrange(1 << 30)
    chooser = random.Random(seed)
    for attempt in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", KILLED_SAVER, str(path)],
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"saved\n"
        time.sleep(chooser.uniform(0, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        session = load_session(path)
        assert session.id == "killed", f"seed {seed}, attempt {attempt}"
        assert session.queries[0].text == "DnsEvents\r\n| take 10"
        backup = tmp_path / "killed.toml.bak"
        if backup.exists():
            assert load_session(backup).id == "killed", f"seed {seed}, attempt {attempt}"


# ---------------------------------------------------------------------------
# The format document


def format_document() -> str:
    return (REPO_ROOT / "docs" / "session-format.md").read_text(encoding="utf-8")


def test_doc_example_loads(tmp_path: Path) -> None:
    text = format_document()
    start = text.index("```toml\n") + len("```toml\n")
    example = text[start : text.index("```", start)]
    path = tmp_path / "example.toml"
    path.write_text(example, encoding="utf-8")
    session = load_session(path)
    run = session.queries[0].runs[0]
    assert run.rows[1] == ["2026-06-19T11:12:40.500000Z", None, None]
    assert run.verdicts[0].row == row_hash(run.rows[0])
    assert render_session(session) == example


def test_doc_names_every_field() -> None:
    from dataclasses import fields

    text = format_document()
    for model in (Indicator, Exclusion, QueryRecord, Run, Verdict, Session):
        for item in fields(model):
            assert f"`{item.name}`" in text, f"{model.__name__}.{item.name} is not documented"
