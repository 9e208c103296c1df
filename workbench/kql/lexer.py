"""KQL tokens for the editor: highlight spans, query blocks, completion context and syntax checks.

Tokens come from the ANTLR lexer generated from the official KQL grammar and
shipped inside duckdb-kql 1.1.2 as the private module `duckdb_kql._antlr`. It
gives exact token types (`LET`, `WHERE`, `HAS_ANY`, `STRINGLITERAL`,
`COMMENT`), where Pygments' `KustoLexer` tags `let`, `has_any` and `dynamic` as
plain names. Because the module is private, pyproject.toml pins duckdb-kql and
the editor tests fail when a token type used here disappears. Importing it
takes about 0.3 s, so it is imported on first use, never at module import.

The editor text contains several queries separated by blank lines. Syntax
checks and completion work on one block, the run of non-blank lines around
the cursor, and `BlockCache` keeps results per block so that an edit rechecks
only the block it touched. Lexing costs about 0.14 ms per line (1,000 lines of
a typical hunt in 0.14 s, measured with `getAllTokens` on a 2-core VM), so the
editor relexes only the lines an edit changed.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

logger = logging.getLogger(__name__)

# Highlight names, as TextArea themes spell the tree-sitter capture names.
KEYWORD = "keyword"
OPERATOR_KEYWORD = "keyword.operator"
OPERATOR = "operator"
STRING = "string"
NUMBER = "number"
CONSTANT = "constant.builtin"
BOOLEAN = "boolean"
COMMENT = "comment"
FUNCTION = "function"
TYPE = "type.builtin"
TABLE = "type"
BRACKET = "punctuation.bracket"
DELIMITER = "punctuation.delimiter"

# Keyword token types that compare or combine values rather than shape a pipeline.
_OPERATOR_KEYWORD_TYPES = frozenset(
    {
        "AND", "OR", "BETWEEN", "NOT_BETWEEN", "CONTAINS", "CONTAINSCS", "CONTAINS_CS",
        "NOT_CONTAINS", "NOT_CONTAINS_CS", "NOTCONTAINS", "NOTCONTAINSCS", "ENDSWITH",
        "ENDSWITH_CS", "NOT_ENDSWITH", "NOT_ENDSWITH_CS", "HAS", "HAS_ALL", "HAS_ANY",
        "HAS_CS", "NOT_HAS", "NOT_HAS_CS", "HASPREFIX", "HASPREFIX_CS", "NOT_HASPREFIX",
        "NOT_HASPREFIX_CS", "HASSUFFIX", "HASSUFFIX_CS", "NOT_HASSUFFIX", "NOT_HASSUFFIX_CS",
        "IN", "IN_CI", "NOT_IN", "NOT_IN_CI", "LIKE", "LIKECS", "NOTLIKE", "NOTLIKECS",
        "MATCHES_REGEX", "STARTSWITH", "STARTSWITH_CS", "NOT_STARTSWITH", "NOT_STARTSWITH_CS",
    }
)  # fmt: skip

_TYPE_TYPES = frozenset(
    {
        "BOOL", "BOOLEAN", "DATE", "DATETIME", "DECIMAL", "DOUBLE", "DYNAMIC", "FLOAT", "GUID",
        "INT", "INT8", "INT16", "INT32", "INT64", "LONG", "STRING", "REAL", "TIME", "TIMESPAN",
        "UINT", "UINT8", "UINT16", "UINT32", "UINT64", "ULONG", "UNIQUEID", "TYPELITERAL",
    }
)  # fmt: skip

# Keyword token types that are scalar or tabular functions when a `(` follows them.
_FUNCTION_KEYWORD_TYPES = frozenset(
    {"BIN", "CLUSTER", "COUNT", "DATABASE", "LOG", "MATERIALIZE", "PACK", "RANGE", "REPLACE",
     "TABLE", "TOSCALAR", "TOTABLE"}
)  # fmt: skip

_LITERAL_TYPES = {
    "STRINGLITERAL": STRING,
    "LONGLITERAL": NUMBER,
    "INTLITERAL": NUMBER,
    "REALLITERAL": NUMBER,
    "DECIMALLITERAL": NUMBER,
    "TIMESPANLITERAL": NUMBER,
    "DATETIMELITERAL": CONSTANT,
    "GUIDLITERAL": CONSTANT,
    "RAWGUIDLITERAL": CONSTANT,
    "NULL": CONSTANT,
    "BOOLEANLITERAL": BOOLEAN,
    "COMMENT": COMMENT,
}

_BRACKET_TYPES = frozenset({"OPENPAREN", "CLOSEPAREN", "OPENBRACKET", "CLOSEBRACKET", "OPENBRACE", "CLOSEBRACE"})
_DELIMITER_TYPES = frozenset({"COMMA", "SEMICOLON", "COLON", "DOT", "DOTDOT"})

# The highest token type that is punctuation. The keywords start after it
# (`EQUAL_GREATERTHAN` is 36 in duckdb-kql 1.1.2's KqlLexer.tokens).
_LAST_SYMBOL_TYPE_NAME = "EQUAL_GREATERTHAN"

# Token types whose names this module relies on. `tokenize` raises when one is
# missing, so a duckdb-kql upgrade that renames one fails loudly.
REQUIRED_TOKEN_TYPES = (
    "LET", "WHERE", "HAS_ANY", "STRINGLITERAL", "COMMENT", "IDENTIFIER", "BAR", "OPENPAREN",
    "CLOSEPAREN", "SEMICOLON", "EQUAL", "JOIN", "UNION", "LOOKUP", "WHITESPACE",
    _LAST_SYMBOL_TYPE_NAME,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One lexed token, whitespace excluded."""

    kind: str
    """The ANTLR symbolic name, such as `WHERE`, `HAS_ANY` or `IDENTIFIER`."""
    text: str
    row: int
    """0-based line of the first character, relative to the lexed text."""
    column: int
    """0-based column of the first character, in characters."""
    offset: int
    """0-based character offset of the first character in the lexed text."""

    @property
    def end(self) -> int:
        """Character offset just past the last character."""
        return self.offset + len(self.text)


@dataclass(frozen=True, slots=True)
class HighlightSpan:
    """A range of one line to draw in one highlight style."""

    row: int
    """0-based line, relative to the lexed text."""
    start: int
    """0-based start column in characters."""
    end: int
    """Exclusive end column in characters, always greater than `start`."""
    name: str
    """The highlight name that TextArea themes map to a style, such as `keyword`."""


class _Grammar:
    """The lazily imported ANTLR lexer and the tables built from its token names."""

    def __init__(self) -> None:
        from antlr4 import InputStream
        from antlr4.dfa.DFA import DFA
        from duckdb_kql._antlr.KqlLexer import KqlLexer

        names: list[str] = list(KqlLexer.symbolicNames)
        self.type_of = {name: index for index, name in enumerate(names) if name and name != "<INVALID>"}
        missing = [name for name in REQUIRED_TOKEN_TYPES if name not in self.type_of]
        if missing:
            raise RuntimeError(
                f"duckdb_kql._antlr.KqlLexer has no token types {missing}: the private lexer changed; "
                "pin duckdb-kql to 1.1.2 or update workbench/kql/lexer.py"
            )

        # The parser that `duckdb_kql.validate` runs in a worker thread shares
        # KqlLexer's class-level DFA cache, and the ANTLR Python runtime takes no
        # lock when it adds states. Highlighting runs on the UI thread, so it
        # gets its own cache instead of racing the worker on that one.
        class HighlightLexer(KqlLexer):  # type: ignore[misc, valid-type]
            decisionsToDFA = [DFA(state, index) for index, state in enumerate(KqlLexer.atn.decisionToState)]

        self.lexer_class = HighlightLexer
        self.input_stream = InputStream
        self.names = names
        self.whitespace_type = self.type_of["WHITESPACE"]
        last_symbol = self.type_of[_LAST_SYMBOL_TYPE_NAME]
        self.highlight_of: dict[str, str] = {}
        for index, name in enumerate(names):
            if not name or name == "<INVALID>":
                continue
            self.highlight_of[name] = _classify(name, index, last_symbol)


def _classify(name: str, token_type: int, last_symbol: int) -> str:
    if name in _LITERAL_TYPES:
        return _LITERAL_TYPES[name]
    if name in _BRACKET_TYPES:
        return BRACKET
    if name in _DELIMITER_TYPES:
        return DELIMITER
    if token_type <= last_symbol:
        return OPERATOR
    if name in _TYPE_TYPES:
        return TYPE
    if name in _OPERATOR_KEYWORD_TYPES:
        return OPERATOR_KEYWORD
    if name in ("IDENTIFIER", "WHITESPACE"):
        return ""
    return KEYWORD


_grammar_lock = threading.Lock()
_grammar: _Grammar | None = None


def _load_grammar() -> _Grammar:
    global _grammar
    with _grammar_lock:
        if _grammar is None:
            _grammar = _Grammar()
        return _grammar


def preload() -> None:
    """Import the ANTLR lexer and parser now, so the first keystroke does not wait about 0.3 s for them.

    Safe to call from a worker thread.
    """
    _load_grammar()
    import duckdb_kql.parser  # noqa: F401 - imported for its side effect of loading the parser


def tokenize(text: str) -> list[Token]:
    """Lex `text` into tokens, comments included and whitespace left out.

    Characters the lexer does not recognise (a stray `$`, the start of an
    unterminated string) are skipped, as the lexer's own error recovery does.
    `check_syntax` reports them. Call it from one thread at a time.
    """
    grammar = _load_grammar()
    lexer = grammar.lexer_class(grammar.input_stream(text))
    lexer.removeErrorListeners()
    names = grammar.names
    whitespace = grammar.whitespace_type
    tokens: list[Token] = []
    for antlr_token in lexer.getAllTokens():
        if antlr_token.type == whitespace:
            continue
        tokens.append(
            Token(
                kind=names[antlr_token.type],
                text=antlr_token.text,
                row=antlr_token.line - 1,
                column=antlr_token.column,
                offset=antlr_token.start,
            )
        )
    return tokens


MAX_LEXED_BLOCK_CHARS = 50_000
"""Blocks longer than this get no colours or completion context. The ANTLR
lexer takes about 3 s for a 0.9 MB block (a 50,000-domain hunt) on a 2-core
VM, and a block is lexed again after every edit inside it."""


def highlight_spans(text: str, table_names: Collection[str] = ()) -> list[HighlightSpan]:
    """Return the highlight spans of `text`, one per line a token covers; none past `MAX_LEXED_BLOCK_CHARS`.

    An identifier or a function-like keyword (`count`, `bin`) followed by `(`
    is a function. An identifier in `table_names` is a table.
    """
    if len(text) > MAX_LEXED_BLOCK_CHARS:
        return []
    grammar = _load_grammar()
    tokens = tokenize(text)
    spans: list[HighlightSpan] = []
    for index, token in enumerate(tokens):
        name = grammar.highlight_of.get(token.kind, "")
        followed_by_paren = index + 1 < len(tokens) and tokens[index + 1].kind == "OPENPAREN"
        if token.kind == "IDENTIFIER":
            if followed_by_paren:
                name = FUNCTION
            elif token.text in table_names:
                name = TABLE
        elif followed_by_paren and token.kind in _FUNCTION_KEYWORD_TYPES:
            name = FUNCTION
        if name:
            spans.extend(_spans_of(token, name))
    return spans


def _spans_of(token: Token, name: str) -> Iterable[HighlightSpan]:
    # A multi-line string (``` ... ```) covers several rows, and each gets a span.
    lines = token.text.split("\n")
    for line_index, line in enumerate(lines):
        start = token.column if line_index == 0 else 0
        end = start + len(line)
        if end > start:
            yield HighlightSpan(token.row + line_index, start, end, name)


# ---------------------------------------------------------------- query blocks


def block_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """Return the row ranges `(first, end)` of the runs of non-blank lines, `end` exclusive.

    Blank lines (empty or whitespace only) separate the queries of one editor text.
    """
    ranges: list[tuple[int, int]] = []
    first: int | None = None
    for row, line in enumerate(lines):
        if line.strip():
            if first is None:
                first = row
        elif first is not None:
            ranges.append((first, row))
            first = None
    if first is not None:
        ranges.append((first, len(lines)))
    return ranges


def block_range_at(lines: list[str], row: int) -> tuple[int, int] | None:
    """Return the block range under `row`. On a blank line, return the block above, else the one below.

    Returns None when the text has no non-blank line.
    """
    ranges = block_ranges(lines)
    if not ranges:
        return None
    above = None
    for first, end in ranges:
        if first <= row < end:
            return (first, end)
        if end <= row:
            above = (first, end)
        elif above is None:
            return (first, end)
    return above


KeyT = TypeVar("KeyT")
ValueT = TypeVar("ValueT")


class BlockCache(Generic[KeyT, ValueT]):
    """A bounded least-recently-used map from a block's text to what was computed from it.

    Keys are block texts, so an entry can never describe a different text: an
    edit makes a new key, and the old entry ages out. Keep `max_entries` above
    the number of blocks in use, or entries are evicted before they are read.
    """

    def __init__(self, max_entries: int = 512) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[KeyT, ValueT] = OrderedDict()

    def get(self, key: KeyT) -> ValueT | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: KeyT, value: ValueT) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def __contains__(self, key: object) -> bool:
        return key in self._entries


# ------------------------------------------------------------- completion context

STATEMENT_START = "statement_start"
"""The cursor begins a statement or a subquery: a table name comes next."""
AFTER_PIPE = "after_pipe"
"""The cursor follows `|`: a tabular operator comes next."""
EXPRESSION = "expression"
"""The cursor is inside an operator's arguments: columns, functions and scalar operators."""
NO_COMPLETION = "none"
"""The cursor is inside a string or a comment."""

# Hyphenated tabular operators (`project-away`, `mv-expand`) complete as one word.
_HYPHENATED_HEADS = ("project", "mv", "make", "parse", "top", "sample", "materialized", "macro")
_WORD_BEFORE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]*)?$")
_TABLE_KEYWORDS = frozenset({"JOIN", "UNION", "LOOKUP", "FIND", "SEARCH"})


@dataclass(frozen=True)
class CompletionContext:
    """The word and the place a completion at the cursor fills in."""

    prefix: str
    """The part of a word typed before the cursor, empty when the cursor follows no word."""
    position: str
    """One of STATEMENT_START, AFTER_PIPE, EXPRESSION or NO_COMPLETION."""
    table: str | None
    """The table whose columns are in scope, spelled as in `table_names`. None when unknown."""


def word_before(line: str, column: int) -> str:
    """Return the identifier that ends at `column` of `line`, or an empty string.

    A hyphen joins two parts only after a hyphenated operator's head, so `project-aw`
    is one word and `x-y` ends in the word `y`.
    """
    match = _WORD_BEFORE.search(line[:column])
    if match is None:
        return ""
    word = match.group()
    if "-" in word and word.split("-", 1)[0].lower() not in _HYPHENATED_HEADS:
        word = word.rsplit("-", 1)[1]
    if word[:1].isdigit():
        return ""
    return word


def completion_context(
    lines: list[str], row: int, column: int, table_names: Collection[str] = ()
) -> CompletionContext:
    """Describe the completion at (`row`, `column`) of the editor text split into `lines`.

    The table in scope is the first identifier of the pipeline that contains
    the cursor: the statement's source, or a subquery's inside parentheses
    (`join (DeviceNetworkEvents | where ...)`), falling back to the enclosing
    pipeline's when the inner one names no known table.
    """
    line = lines[row] if row < len(lines) else ""
    prefix = word_before(line, column)
    block = block_range_at(lines, row)
    if block is None or not block[0] <= row < block[1]:
        # A blank line starts a new query.
        return CompletionContext(prefix, STATEMENT_START, None)

    first_row, end_row = block
    block_text = "\n".join(lines[first_row:end_row])
    if len(block_text) > MAX_LEXED_BLOCK_CHARS:
        return CompletionContext(prefix, STATEMENT_START, None)
    cursor_offset = _row_offsets(lines[first_row:end_row])[row - first_row] + column
    prefix_offset = cursor_offset - len(prefix)

    tokens = tokenize(block_text)
    for token in tokens:
        if token.kind in ("STRINGLITERAL", "COMMENT") and token.offset < cursor_offset <= token.end:
            if token.kind == "COMMENT" or cursor_offset < token.end:
                return CompletionContext(prefix, NO_COMPLETION, None)

    before = [token for token in tokens if token.end <= prefix_offset]
    position, sources = _scan_pipelines(before)
    return CompletionContext(prefix, position, _table_in_scope(sources, table_names))


def _row_offsets(lines: list[str]) -> list[int]:
    offsets = []
    offset = 0
    for line in lines:
        offsets.append(offset)
        offset += len(line) + 1
    return offsets


@dataclass
class _Level:
    source: str | None = None
    first_kind: str | None = None
    seen: int = 0


def _scan_pipelines(tokens: list[Token]) -> tuple[str, list[str | None]]:
    """Walk `tokens` (those before the cursor) and return the position and the sources, outermost first."""
    levels = [_Level()]
    for token in tokens:
        level = levels[-1]
        kind = token.kind
        if kind in ("OPENPAREN", "OPENBRACKET", "OPENBRACE"):
            level.seen += 1
            levels.append(_Level())
            continue
        if kind in ("CLOSEPAREN", "CLOSEBRACKET", "CLOSEBRACE"):
            if len(levels) > 1:
                levels.pop()
            levels[-1].seen += 1
            continue
        if kind == "SEMICOLON":
            levels[-1] = _Level()
            continue
        if level.seen == 0:
            level.first_kind = kind
            if kind == "IDENTIFIER":
                level.source = token.text
        # `let name = Source | ...`: the pipeline starts after the `=`.
        if kind == "EQUAL" and level.first_kind == "LET" and level.seen == 2:
            levels[-1] = _Level()
            continue
        level.seen += 1

    level = levels[-1]
    last_kind = tokens[-1].kind if tokens else None
    if level.seen == 0:
        position = STATEMENT_START
    elif last_kind == "BAR":
        position = AFTER_PIPE
    elif last_kind in _TABLE_KEYWORDS or last_kind == "COMMA" and level.first_kind == "UNION":
        position = STATEMENT_START
    else:
        position = EXPRESSION
    return position, [level.source for level in levels]


def _table_in_scope(sources: list[str | None], table_names: Collection[str]) -> str | None:
    by_lower = {name.lower(): name for name in table_names}
    for source in reversed(sources):
        if source is None:
            continue
        if source in table_names:
            return source
        if source.lower() in by_lower:
            return by_lower[source.lower()]
    return None


# ---------------------------------------------------------------- syntax checks


@dataclass(frozen=True)
class SyntaxDiagnostic:
    """A syntax error, positioned as users count: 1-based line and 1-based column."""

    line: int
    """1-based line in the text that was checked."""
    column: int
    """1-based column in characters, unlike duckdb-kql's 0-based SourceSpan column."""
    length: int
    """Characters to underline from `column`, at least 1."""
    message: str
    """A short description such as `unexpected 'wher'` or `unexpected end of query`."""
    detail: str = ""
    """The parser's full message, with the list of tokens it expected."""

    def describe(self) -> str:
        """Return the message with its position, as a status line shows it."""
        return f"Line {self.line}, column {self.column}: {self.message}"

    def shifted(self, rows: int) -> SyntaxDiagnostic:
        """Return this diagnostic moved down by `rows` lines."""
        return SyntaxDiagnostic(self.line + rows, self.column, self.length, self.message, self.detail)


# `duckdb_kql.validate` runs the ANTLR parser, whose class-level caches are
# not safe to fill from two threads at once. A cancelled worker thread keeps
# running, so two debounced editor checks can overlap, and they queue here.
# The local backend and `querying.check_syntax` take the same lock while
# they parse (not while DuckDB executes).
_validate_lock = threading.Lock()
PARSER_LOCK = _validate_lock
"""Hold while calling any duckdb_kql function that parses KQL."""

_MISMATCHED = re.compile(r"^(?:mismatched|extraneous) input '(?P<found>.*)' expecting (?P<expected>.*)$", re.S)
_NO_ALTERNATIVE = re.compile(r"^no viable alternative at input '(?P<found>.*)'$", re.S)
_UNRECOGNISED = re.compile(r"^token recognition error at: '(?P<found>.*)'$", re.S)
_MISSING = re.compile(r"^missing (?P<missing>.*) at '(?P<found>.*)'$", re.S)
_MAX_EXPECTED_SHOWN = 4


def check_syntax(block_text: str) -> list[SyntaxDiagnostic]:
    """Syntax-check one query block with `duckdb_kql.validate` and return its diagnostics.

    Lines are relative to the block (the first line is 1). This is a syntax
    check only: unknown tables and columns pass. It costs about 1.4 ms per
    line (a 1,000-line block in 1.4 s on a 2-core VM), so call it from a
    worker thread. Calls are serialised.
    """
    import duckdb_kql

    with _validate_lock:
        try:
            raw_diagnostics = duckdb_kql.validate(block_text)
        except RecursionError:
            # Deeply nested parentheses exhaust the recursive-descent parser.
            return [SyntaxDiagnostic(1, 1, 1, "the query is nested too deeply to check")]
        lines = block_text.split("\n")
        diagnostics = []
        for raw in raw_diagnostics:
            line = min(max(raw.span.line, 1), len(lines))
            column = min(max(raw.span.column, 0), len(lines[line - 1]))
            message, found = _short_message(raw.message)
            diagnostics.append(
                SyntaxDiagnostic(
                    line=line,
                    column=column + 1,
                    length=_underline_length(lines[line - 1], column, found),
                    message=message,
                    detail=raw.message,
                )
            )
        return diagnostics


def _short_message(message: str) -> tuple[str, str]:
    """Return a short form of an ANTLR message and the offending text it names."""
    if match := _MISMATCHED.match(message):
        found = match["found"]
        found_text = "end of query" if found == "<EOF>" else f"'{found}'"
        expected = match["expected"]
        if expected.startswith("{"):
            choices = [choice.strip() for choice in expected.strip("{}").split(",")]
        else:
            choices = [expected]
        if len(choices) <= _MAX_EXPECTED_SHOWN:
            expected_text = " or ".join(choice.replace("<EOF>", "end of query") for choice in choices)
            return f"unexpected {found_text}, expected {expected_text}", _found_text(found)
        return f"unexpected {found_text}", _found_text(found)
    if match := _NO_ALTERNATIVE.match(message):
        found = match["found"]
        return f"cannot parse '{found.strip()}'", ""
    if match := _MISSING.match(message):
        found = match["found"]
        place = "at end of query" if found == "<EOF>" else f"before '{found}'"
        return f"missing {match['missing']} {place}", _found_text(found)
    if match := _UNRECOGNISED.match(message):
        found = match["found"]
        if found[:1] in ("'", '"', "`"):
            return f"unterminated string {found}", found
        return f"unrecognised character {found}", found
    return message, ""


def _found_text(found: str) -> str:
    return "" if found == "<EOF>" else found


def _underline_length(line: str, column: int, found: str) -> int:
    if found and line.startswith(found.split("\n", 1)[0], column):
        return max(1, len(found.split("\n", 1)[0]))
    match = re.match(r"[A-Za-z0-9_]+", line[column:])
    if match:
        return len(match.group())
    return 1


# ------------------------------------------------------------- completion words


def _names_from(module: Any, attribute: str) -> list[str]:
    values = getattr(module, attribute, None)
    if values is None:
        return []
    names = []
    for value in values:
        name = value if isinstance(value, str) else getattr(value, "name", None)
        if isinstance(name, str) and name:
            names.append(name)
    return names


# Tabular operators offered after `|`, from the KQL reference's operator list.
TABULAR_OPERATORS = (
    "where", "project", "project-away", "project-keep", "project-rename", "project-reorder",
    "extend", "summarize", "order by", "sort by", "take", "limit", "top", "top-nested",
    "distinct", "count", "join", "lookup", "union", "mv-expand", "mv-apply", "parse",
    "parse-where", "parse-kv", "make-series", "evaluate", "render", "sample", "sample-distinct",
    "serialize", "as", "invoke", "getschema", "search", "find", "facet", "fork", "partition",
    "scan", "consume", "externaldata",
)  # fmt: skip

# Words that start a statement besides a table name.
STATEMENT_KEYWORDS = ("let", "union", "print", "datatable", "range", "search", "find", "set")

# Scalar operators and keywords used inside expressions.
EXPRESSION_KEYWORDS = (
    "and", "or", "not", "has", "!has", "has_cs", "has_any", "has_all", "hasprefix", "hassuffix",
    "contains", "!contains", "contains_cs", "startswith", "!startswith", "endswith",
    "!endswith", "in", "!in", "in~", "!in~", "between", "!between", "matches regex", "like",
    "by", "on", "kind", "asc", "desc", "nulls first", "nulls last", "true", "false",
    "dynamic", "datetime", "timespan", "string", "long", "int", "real", "bool", "guid",
)  # fmt: skip

# Common scalar and aggregation functions, used when `workbench.kql.schemas` is absent.
FALLBACK_FUNCTIONS = (
    "ago", "now", "bin", "floor", "datetime_diff", "format_datetime", "startofday", "endofday",
    "tostring", "toint", "tolong", "toreal", "tobool", "todatetime", "totimespan", "todynamic",
    "parse_json", "parse_url", "parse_path", "extract", "extract_all", "split", "strcat",
    "strlen", "substring", "tolower", "toupper", "trim", "replace_string", "replace_regex",
    "indexof", "isempty", "isnotempty", "isnull", "isnotnull", "iff", "iif", "case",
    "coalesce", "ipv4_is_private", "ipv4_is_match", "ipv4_is_in_range", "parse_ipv4",
    "array_length", "bag_keys", "pack_array", "bag_pack", "set_has_element", "hash_sha256",
    "count", "countif", "dcount", "dcountif", "sum", "sumif", "avg", "min", "max", "arg_max",
    "arg_min", "make_set", "make_list", "make_bag", "take_any", "percentile", "stdev",
)  # fmt: skip


@lru_cache(maxsize=1)
def completion_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (expression keywords, functions) for completion inside an operator's arguments.

    Taken from `workbench.kql.schemas.KQL_KEYWORDS` and `KQL_FUNCTIONS` when
    that module exists, merged with this module's lists, or else from this
    module's lists alone. Tabular operators and statement keywords are left out: they
    are offered after `|` and at a statement's start instead.
    """
    keywords: list[str] = list(EXPRESSION_KEYWORDS)
    functions: list[str] = list(FALLBACK_FUNCTIONS)
    try:
        from workbench.kql import schemas
    except ImportError:
        logger.debug("workbench.kql.schemas not found; completing with the built-in word lists")
    else:
        keywords.extend(_names_from(schemas, "KQL_KEYWORDS"))
        functions.extend(_names_from(schemas, "KQL_FUNCTIONS"))
    elsewhere = {word.lower() for word in (*TABULAR_OPERATORS, *STATEMENT_KEYWORDS)}
    # Symbols such as `==` never follow a word prefix, so they are left out too.
    keywords = [word for word in keywords if word.lower() not in elsewhere and any(c.isalpha() for c in word)]
    return tuple(dict.fromkeys(keywords)), tuple(dict.fromkeys(functions))
