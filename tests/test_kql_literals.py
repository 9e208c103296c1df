"""String literals round-trip through duckdb-kql for any text a feed can carry."""

from __future__ import annotations

import json

import duckdb_kql
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.kql.literals import dynamic_list, identifier, string_literal

REPRESENTABLE = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    max_size=40,
)
HOSTILE = [
    'a"b',
    "a\\b",
    "a\\",
    'end\\"',
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "\x1b[31mred\x1b[0m",
    "\u202eevil",
    "\U0001f600 emoji",
    '") | take 1 //',
    "' or 1 == 1",
    "@\"verbatim\"",
    "\\u0041",
    "",
]


@pytest.fixture(scope="module")
def connection():
    con = duckdb_kql.connect()
    yield con
    con.close()


def evaluate(connection, expression: str):
    return duckdb_kql.kql(connection, f"print x = {expression}").fetchall()[0][0]


@pytest.mark.parametrize("value", HOSTILE)
def test_literal_hostile_values(connection, value):
    assert evaluate(connection, string_literal(value)) == value


@settings(max_examples=300, deadline=None)
@given(value=REPRESENTABLE)
def test_literal_round_trip(connection, value):
    literal = string_literal(value)

    assert duckdb_kql.parse(f"print x = {literal}").ok
    assert evaluate(connection, literal) == value


@settings(max_examples=100, deadline=None)
@given(values=st.lists(REPRESENTABLE, min_size=1, max_size=5))
def test_dynamic_list_round_trip(connection, values):
    result = evaluate(connection, dynamic_list(values))

    assert json.loads(result) == values


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "bad \ud800 surrogate"])
def test_literal_rejects_unrepresentable(value):
    with pytest.raises(ValueError, match="NUL|surrogate"):
        string_literal(value)


def test_identifier_plain():
    assert identifier("TimeGenerated") == "TimeGenerated"


def test_identifier_quotes_odd_names(connection):
    connection.sql('CREATE TABLE Odd AS SELECT 7 AS "Time Generated [UTC]", 8 AS "a""b"')

    spaced = identifier("Time Generated [UTC]")
    quoted = identifier('a"b')

    assert duckdb_kql.kql(connection, f"Odd | project {spaced}").fetchall() == [(7,)]
    assert duckdb_kql.kql(connection, f"Odd | project {quoted}").fetchall() == [(8,)]
