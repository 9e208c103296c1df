"""Every exclusion operator renders one `where not(...)` clause that duckdb-kql runs on hostile values."""

from __future__ import annotations

import duckdb_kql
import pytest

from workbench.kql.exclusions import OPERATORS, Exclusion, apply_exclusions

ROWS = {
    1: 'say "hi"',
    2: "C:\\temp\\x",
    3: "line1\nline2",
    4: "a) | take 1",
    5: "pipe|value",
    6: 'SAY "HI"',
    7: "plain",
}
ALL = set(ROWS)

# operator -> (values, ids of the rows the exclusion removes)
CASES = {
    "==": (['say "hi"'], {1}),
    "!=": (['say "hi"'], ALL - {1}),
    "=~": (['say "hi"'], {1, 6}),
    "!~": (['say "hi"'], ALL - {1, 6}),
    "in": (["C:\\temp\\x", "line1\nline2"], {2, 3}),
    "!in": (["C:\\temp\\x", "line1\nline2"], ALL - {2, 3}),
    "in~": (['say "HI"', "PLAIN"], {1, 6, 7}),
    "!in~": (['say "HI"', "PLAIN"], ALL - {1, 6, 7}),
    "has": (["hi"], {1, 6}),
    "!has": (["hi"], ALL - {1, 6}),
    "has_cs": (["HI"], {6}),
    "!has_cs": (["HI"], ALL - {6}),
    "contains": (["temp\\"], {2}),
    "!contains": (["temp\\"], ALL - {2}),
    "contains_cs": (["SAY"], {6}),
    "!contains_cs": (["SAY"], ALL - {6}),
    "startswith": (["line1\n"], {3}),
    "!startswith": (["line1\n"], ALL - {3}),
    "startswith_cs": (["SAY"], {6}),
    "!startswith_cs": (["SAY"], ALL - {6}),
    "endswith": (["|value"], {5}),
    "!endswith": (["|value"], ALL - {5}),
    "endswith_cs": (['"HI"'], {6}),
    "!endswith_cs": (['"HI"'], ALL - {6}),
    "matches regex": (["^a\\) \\|"], {4}),
}


@pytest.fixture(scope="module")
def connection():
    con = duckdb_kql.connect()
    con.sql("CREATE TABLE Events (Id BIGINT, Value VARCHAR)")
    con.executemany("INSERT INTO Events VALUES (?, ?)", list(ROWS.items()))
    yield con
    con.close()


def kept_ids(connection, query: str) -> set[int]:
    return {row[0] for row in duckdb_kql.kql(connection, query).fetchall()}


def test_cases_cover_operators():
    assert set(CASES) == set(OPERATORS)


@pytest.mark.parametrize("operator", OPERATORS)
def test_operator_clause_runs(connection, operator):
    values, removed = CASES[operator]
    exclusion = Exclusion(id="ex-1", field="Value", operator=operator, values=values, reason="test")

    clause = exclusion.clause()
    kept = kept_ids(connection, f"Events\n{clause}")

    assert clause.startswith("| where not(")
    assert "\n" not in clause
    assert kept == ALL - removed


def test_apply_exclusions_skips_disabled(connection):
    exclusions = [
        Exclusion(id="ex-1", field="Value", operator="==", values=["plain"], reason="test"),
        Exclusion(id="ex-2", field="Value", operator="has", values=["hi"], reason="test", enabled=False),
    ]

    query = apply_exclusions("Events;", exclusions)

    assert kept_ids(connection, query) == ALL - {7}


def test_odd_field_name(connection):
    connection.sql('CREATE TABLE Odd AS SELECT 1 AS "Host Name", \'a"b\' AS "x)y"')
    exclusion = Exclusion(id="ex-1", field="x)y", operator="==", values=['a"b'], reason="test")

    assert duckdb_kql.kql(connection, f"Odd\n{exclusion.clause()}").fetchall() == []
