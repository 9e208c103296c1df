"""Exclusion lint, and the import of a hunt package's free-text filters as candidate exclusions.

An exclusion that is wrong hides true positives without a trace, so every
exclusion is checked before it runs. The rules report a field the table
lacks, an empty value, a regex that does not compile and an expiry in the
past. They also report an exclusion that removes every row or is made
redundant by another, and negated operators whose `or` is always true. Each problem is a `Finding` value that the TUI
and `workbench exclusions lint` show; nothing here changes an exclusion.

Hunt packages write filters as prose such as `process.name != "schtasks.exe"
OR process.name != "task scheduler"`. As a `where` filter that keeps every
row (any value differs from one of the two), and `process.name` is an
Elastic Common Schema name that no Sentinel table has. `parse_filter_text`
turns such text into the exclusions it most likely meant, disabled, with
findings that say what was wrong, so nothing from a package applies
silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from workbench.backends.base import TableSchema
from workbench.kql.exclusions import LIST_OPERATORS, OPERATORS, Exclusion
from workbench.kql.schemas import builtin_schema, builtin_tables

SEVERITIES = ("error", "warning")

NEGATED_EQUALITY = ("!=", "!~", "!in", "!in~")
"""Operators whose `not(...)` keeps only the listed values."""

_RE2_UNSUPPORTED = re.compile(r"\\[1-9]|\(\?[=!]|\(\?<[=!]|\\[bB]?\(\?P=")
"""Backreferences and lookaround: Python `re` compiles them, RE2 (used by Kusto and DuckDB) rejects them."""


@dataclass(frozen=True)
class Finding:
    """One problem with an exclusion."""

    exclusion_id: str
    """The exclusion's id; for a hunt package filter, the candidate's id or `filter` when none was made."""
    severity: str
    """`error` (the exclusion is wrong as written) or `warning` (it works but deserves a look)."""
    rule: str
    """A stable rule name such as `unknown-field`, for filtering and tests."""
    message: str

    def describe(self) -> str:
        """Return the one line shown to the user."""
        return f"{self.severity}: {self.exclusion_id}: {self.message} [{self.rule}]"


def lint_exclusions(
    exclusions: list[Exclusion],
    tables: list[TableSchema] | None = None,
    *,
    rows_by_exclusion: dict[str, int] | None = None,
    total_rows: int | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Check `exclusions` and return their findings, errors first, in exclusion order.

    `tables` is the workspace's schema; without it the built-in schemas of
    `kql.schemas` are used. An exclusion with a `table` is checked against
    that table; one without is checked against every known table. The
    `removes-every-row` rule needs `rows_by_exclusion` (rows each exclusion
    removed in the last run) and `total_rows` (rows before exclusions).
    """
    now = now or datetime.now(timezone.utc)
    schemas = tables if tables is not None else builtin_tables()
    findings: list[Finding] = []
    for exclusion in exclusions:
        findings.extend(_lint_one(exclusion, schemas, now))
        findings.extend(_lint_row_count(exclusion, rows_by_exclusion, total_rows))
    active = [exclusion for exclusion in exclusions if exclusion.enabled and not exclusion.is_expired(now)]
    findings.extend(_lint_negations(active))
    findings.extend(_lint_redundant(active))
    order = {exclusion.id: index for index, exclusion in enumerate(exclusions)}
    findings.sort(key=lambda finding: (finding.severity != "error", order.get(finding.exclusion_id, len(order))))
    return findings


def _lint_one(exclusion: Exclusion, schemas: list[TableSchema], now: datetime) -> list[Finding]:
    findings = []

    def add(severity: str, rule: str, message: str) -> None:
        findings.append(Finding(exclusion.id, severity, rule, message))

    if exclusion.operator not in OPERATORS:
        add(
            "error",
            "unknown-operator",
            f"operator {exclusion.operator!r} is not one an exclusion can use; use one of {', '.join(OPERATORS)}",
        )

    if not exclusion.field.strip():
        add("error", "empty-field", "the field is empty; name the column the exclusion reads")
    else:
        findings.extend(_lint_field(exclusion, schemas))

    if not exclusion.values:
        add("error", "empty-value", f"no value for {exclusion.field} {exclusion.operator}; add the value to exclude")
    for value in exclusion.values:
        if not value.strip():
            add(
                "error",
                "empty-value",
                f"value {value!r} of {exclusion.field} {exclusion.operator} is empty or whitespace, "
                "so it excludes blank fields rather than the rows meant; enter the value or delete the exclusion",
            )
    if exclusion.operator not in LIST_OPERATORS and len(exclusion.values) > 1:
        add(
            "warning",
            "extra-values",
            f"operator {exclusion.operator} uses only the first value, {exclusion.values[0]!r}; "
            "use `in` to exclude several values",
        )

    if exclusion.operator == "matches regex":
        for value in exclusion.values:
            problem = regex_problem(value)
            if problem:
                add("error", "invalid-regex", f"regex {value!r} does not compile: {problem}")

    if exclusion.operator in ("==", "=~", "in", "in~") and any("*" in value for value in exclusion.values):
        add(
            "warning",
            "literal-wildcard",
            f"{exclusion.field} {exclusion.operator} compares '*' literally, not as a wildcard; "
            "use startswith, endswith or matches regex",
        )

    if exclusion.is_expired(now):
        assert exclusion.expires is not None
        add(
            "warning",
            "expired",
            f"expired on {exclusion.expires:%Y-%m-%d %H:%M} UTC and no longer applies; "
            "extend its expiry or delete it",
        )
    return findings


def _lint_field(exclusion: Exclusion, schemas: list[TableSchema]) -> list[Finding]:
    if exclusion.table:
        schema = _find_schema(exclusion.table, schemas)
        if schema is None:
            return [
                Finding(
                    exclusion.id,
                    "warning",
                    "unknown-table",
                    f"table {exclusion.table} has no known schema, so field {exclusion.field} was not checked",
                )
            ]
        if exclusion.field in schema.column_names():
            return []
        return [Finding(exclusion.id, "error", "unknown-field", _unknown_field_message(exclusion.field, schema))]

    if not schemas or any(exclusion.field in schema.column_names() for schema in schemas):
        return []
    names = ", ".join(schema.name for schema in schemas)
    return [
        Finding(
            exclusion.id,
            "error",
            "unknown-field",
            f"field {exclusion.field} is not a column of any known table ({names}); "
            "the clause would fail on every query it is added to",
        )
    ]


def _find_schema(table: str, schemas: list[TableSchema]) -> TableSchema | None:
    for schema in schemas:
        if schema.name.lower() == table.lower():
            return schema
    return builtin_schema(table)


def _unknown_field_message(field: str, schema: TableSchema) -> str:
    message = f"field {field} is not a column of {schema.name}"
    if "." in field:
        message += " (it looks like an Elastic Common Schema name, which Sentinel tables do not use)"
    close = [name for name in schema.column_names() if name.lower() == field.lower()]
    if close:
        return f"{message}; column names are case-sensitive, use {close[0]}"
    return f"{message}; pick one of its columns, such as {', '.join(schema.column_names()[:6])}"


def regex_problem(pattern: str) -> str:
    """Return why `pattern` would not compile in Kusto, or an empty string when it compiles.

    Kusto and DuckDB use RE2, so the pattern is compiled with RE2 itself when
    the `google-re2` package is installed. Without it, Python's `re` plus a
    check for backreferences and lookaround (which `re` accepts and RE2
    rejects) is an approximation that misses rarer differences such as `\\Z`.
    """
    re2 = _re2_module()
    if re2 is not None:
        options = re2.Options()
        options.log_errors = False
        try:
            re2.compile(pattern, options)
        except re2.error as error:
            detail = error.args[0] if error.args else error
            return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return ""

    try:
        re.compile(pattern)
    except re.error as error:
        return str(error)
    if _RE2_UNSUPPORTED.search(pattern):
        return "backreferences and lookaround are not supported by RE2, the regex engine of Kusto"
    return ""


def _re2_module():
    try:
        import re2
    except ImportError:
        return None
    return re2


def _lint_row_count(exclusion: Exclusion, rows_by_exclusion: dict[str, int] | None, total_rows: int | None) -> list[Finding]:
    if rows_by_exclusion is None or total_rows is None or total_rows <= 0:
        return []
    removed = rows_by_exclusion.get(exclusion.id)
    if removed is None or removed < total_rows:
        return []
    return [
        Finding(
            exclusion.id,
            "error",
            "removes-every-row",
            f"removed all {total_rows} rows of the last run, so the hunt can no longer show a hit; "
            "narrow the exclusion or check that its operator is not negated",
        )
    ]


def _lint_negations(exclusions: list[Exclusion]) -> list[Finding]:
    """Report negated equality among active exclusions: one keeps only its values, two on a field remove every row."""
    by_field: dict[tuple[str, str], list[Exclusion]] = {}
    for exclusion in exclusions:
        if exclusion.operator in NEGATED_EQUALITY:
            by_field.setdefault((exclusion.table.lower(), exclusion.field), []).append(exclusion)

    findings = []
    for (_, field), group in by_field.items():
        if len(group) == 1:
            exclusion = group[0]
            positive = exclusion.operator[1:] if exclusion.operator != "!=" else "=="
            findings.append(
                Finding(
                    exclusion.id,
                    "warning",
                    "negated-operator",
                    f"not({field} {exclusion.operator} ...) removes every row except those with the listed "
                    f"values; to remove rows with these values use {positive}",
                )
            )
            continue
        ids = ", ".join(exclusion.id for exclusion in group)
        for exclusion in group:
            findings.append(
                Finding(
                    exclusion.id,
                    "error",
                    "always-true-or",
                    f"exclusions {ids} negate {field} with different values: a row differs from at least one "
                    f"of them, so together they remove every row; use one `in` exclusion on {field} instead",
                )
            )
    return findings


def _lint_redundant(exclusions: list[Exclusion]) -> list[Finding]:
    active = [exclusion for exclusion in exclusions if exclusion.values and exclusion.operator in _MATCHERS]
    findings = []
    for narrow in active:
        for wide in active:
            if narrow is wide or narrow.field != wide.field or narrow.table.lower() != wide.table.lower():
                continue
            if not covers(wide, narrow):
                continue
            # Two identical exclusions cover each other: report only the later one.
            if covers(narrow, wide) and exclusions.index(narrow) < exclusions.index(wide):
                continue
            findings.append(
                Finding(
                    narrow.id,
                    "warning",
                    "redundant",
                    f"every row it removes is already removed by {wide.id} "
                    f"({wide.field} {wide.operator} {_shown_values(wide)}); delete one of them",
                )
            )
            break
    return findings


def _shown_values(exclusion: Exclusion) -> str:
    if exclusion.operator in LIST_OPERATORS:
        return "(" + ", ".join(repr(value) for value in exclusion.values) + ")"
    return repr(exclusion.values[0])


# Positive operators that `covers` understands: (kind, case-sensitive).
_MATCHERS = {
    "==": ("exact", True),
    "=~": ("exact", False),
    "in": ("exact", True),
    "in~": ("exact", False),
    "startswith": ("prefix", False),
    "startswith_cs": ("prefix", True),
    "endswith": ("suffix", False),
    "endswith_cs": ("suffix", True),
    "contains": ("substring", False),
    "contains_cs": ("substring", True),
}


def covers(wide: Exclusion, narrow: Exclusion) -> bool:
    """Return whether every value `narrow` matches is also matched by `wide` (same field assumed).

    Only the positive equality, `in`, prefix, suffix and substring operators
    are compared; anything else returns False, so a redundancy is never
    reported without proof.
    """
    if wide.operator not in _MATCHERS or narrow.operator not in _MATCHERS:
        return False
    wide_kind, wide_cs = _MATCHERS[wide.operator]
    narrow_kind, narrow_cs = _MATCHERS[narrow.operator]
    if narrow_cs is False and wide_cs is True:
        # A case-insensitive match includes case variants that a case-sensitive one misses.
        return False
    wide_values = _operator_values(wide)
    return all(
        any(_value_covers(wide_kind, wide_cs, wide_value, narrow_kind, narrow_value) for wide_value in wide_values)
        for narrow_value in _operator_values(narrow)
    )


def _operator_values(exclusion: Exclusion) -> list[str]:
    if exclusion.operator in LIST_OPERATORS:
        return exclusion.values
    return exclusion.values[:1]


def _value_covers(wide_kind: str, wide_cs: bool, wide_value: str, narrow_kind: str, narrow_value: str) -> bool:
    if not wide_cs:
        wide_value = wide_value.lower()
        narrow_value = narrow_value.lower()
    if wide_kind == "exact":
        return narrow_kind == "exact" and narrow_value == wide_value
    if wide_kind == "prefix":
        return narrow_kind in ("exact", "prefix") and narrow_value.startswith(wide_value)
    if wide_kind == "suffix":
        return narrow_kind in ("exact", "suffix") and narrow_value.endswith(wide_value)
    if wide_kind == "substring":
        return wide_value in narrow_value
    return False


_COMPARISON = re.compile(
    r"""(?P<field>[A-Za-z_@][\w.@-]*)\s*
        (?P<operator>==|!=|=~|!~|!in~|!in|in~|\bin\b|!contains|\bcontains\b|!startswith|\bstartswith\b
           |!endswith|\bendswith\b|!has|\bhas\b|\bmatches\s+regex\b)\s*
        (?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\((?:[^()"']|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')*\)|[^\s`'"()]+)""",
    re.VERBOSE,
)
_QUOTED = re.compile(r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'""")
_LEFTOVER_NOISE = re.compile(
    r"\b(?:or|and|use|a|an|custom|field|fields|like|add|such|as|e\.g\.|for|example|the)\b|[`,;:.]",
    re.IGNORECASE,
)
_KQL_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "r": "\r", "t": "\t"}


def parse_filter_text(
    text: str,
    *,
    table: str = "DnsEvents",
    tables: list[TableSchema] | None = None,
    id_prefix: str = "candidate",
) -> tuple[list[Exclusion], list[Finding]]:
    """Turn a hunt package's `Filter/Exclusion:` text into disabled candidate exclusions and findings.

    Comparisons are read from the prose in order. Negated comparisons on one
    field joined by `or` are reported as always true and become one `in`
    exclusion of their values, which is what a filter listing benign values
    means. A single `field != value` becomes `field == value` with a warning.
    Candidates are written for `table` and linted against `tables`, else the
    built-in schema, so a field the table lacks is reported. Text without a
    comparison, or a fragment left unread, is reported as `unparsed-filter`.
    """
    matches = list(_COMPARISON.finditer(text))
    comparisons = [(match, _connective_before(text, matches, index)) for index, match in enumerate(matches)]

    # Group negated comparisons on the same field that `or` joins.
    groups: list[list[re.Match[str]]] = []
    for match, connective in comparisons:
        operator = _normalise_operator(match["operator"])
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and connective == "or"
            and operator in ("!=", "!~")
            and _normalise_operator(previous["operator"]) == operator
            and previous["field"] == match["field"]
        ):
            groups[-1].append(match)
        else:
            groups.append([match])

    candidates: list[Exclusion] = []
    findings: list[Finding] = []
    findings.extend(_mixed_field_negations(comparisons, id_prefix))
    for group in groups:
        candidate_id = f"{id_prefix}-{len(candidates) + 1}"
        candidate, candidate_findings = _candidate(candidate_id, group, table, text)
        candidates.append(candidate)
        findings.extend(candidate_findings)

    leftover = _leftover(text, matches)
    if text.count("`") % 2:
        findings.append(
            Finding(
                id_prefix,
                "warning",
                "unparsed-filter",
                f"the filter text has an unclosed backquote and may be cut off: {text.strip()[-60:]!r}",
            )
        )
    if not matches:
        findings.append(
            Finding(id_prefix, "warning", "unparsed-filter", f"no comparison found in filter text {text.strip()!r}")
        )
    elif leftover:
        findings.append(
            Finding(
                id_prefix,
                "warning",
                "unparsed-filter",
                f"part of the filter text was not read: {leftover!r}; it may be cut off or prose",
            )
        )

    lint_tables = tables if tables is not None else [schema for schema in [builtin_schema(table)] if schema]
    findings.extend(
        finding
        for finding in lint_exclusions(candidates, lint_tables)
        if finding.rule not in ("negated-operator", "always-true-or")
    )
    return candidates, findings


def _candidate(candidate_id: str, group: list[re.Match[str]], table: str, text: str) -> tuple[Exclusion, list[Finding]]:
    first = group[0]
    field = first["field"]
    operator = _normalise_operator(first["operator"])
    values = [value for match in group for value in _parse_values(match["value"])]
    written = " or ".join(match.group(0) for match in group)
    findings = []

    if len(group) > 1:
        findings.append(
            Finding(
                candidate_id,
                "error",
                "always-true-or",
                f"`{written}` is always true, because every {field} differs from at least one of the values; "
                f"the candidate excludes {field} in ({', '.join(repr(v) for v in values)}) instead",
            )
        )
        operator = "in~" if operator == "!~" else "in"
    elif operator in NEGATED_EQUALITY:
        positive = {"!=": "==", "!~": "=~", "!in": "in", "!in~": "in~"}[operator]
        findings.append(
            Finding(
                candidate_id,
                "warning",
                "negated-operator",
                f"`{written}` keeps rows; the candidate excludes the rows where {field} {positive} the value",
            )
        )
        operator = positive
    elif operator.startswith("!"):
        findings.append(
            Finding(
                candidate_id,
                "warning",
                "negated-operator",
                f"`{written}` is a negated filter; the candidate excludes the rows where it is false",
            )
        )
        operator = operator[1:]

    if operator not in LIST_OPERATORS:
        values = values[:1]
    reason = f"From a hunt package filter (review before enabling): {text.strip()}"
    candidate = Exclusion(
        id=candidate_id,
        field=field,
        operator=operator,
        values=values,
        reason=reason[:300],
        enabled=False,
        table=table,
    )
    return candidate, findings


def _mixed_field_negations(comparisons: list[tuple[re.Match[str], str]], id_prefix: str) -> list[Finding]:
    """Report `A != x or B != y`: as a filter it drops only rows matching both, unlike two exclusions."""
    findings = []
    for (previous, _), (match, connective) in zip(comparisons, comparisons[1:]):
        negated = ("!=", "!~")
        if (
            connective == "or"
            and _normalise_operator(previous["operator"]) in negated
            and _normalise_operator(match["operator"]) in negated
            and previous["field"] != match["field"]
        ):
            findings.append(
                Finding(
                    id_prefix,
                    "warning",
                    "negated-or",
                    f"`{previous.group(0)} or {match.group(0)}` as a filter drops only rows where both "
                    f"{previous['field']} and {match['field']} have those values, but the candidates exclude "
                    "each separately, which removes more; keep the one that matches the false positive",
                )
            )
    return findings


def _normalise_operator(operator: str) -> str:
    return " ".join(operator.split())


def _connective_before(text: str, matches: list[re.Match[str]], index: int) -> str:
    """Return `or` or `and` when only that word joins two comparisons, else `prose` ("or use a custom field like")."""
    if index == 0:
        return ""
    between = text[matches[index - 1].end() : matches[index].start()].strip().strip("`").strip().lower()
    if between in ("or", "||"):
        return "or"
    if between in ("and", "&&"):
        return "and"
    return "prose"


def _parse_values(raw: str) -> list[str]:
    if raw.startswith("("):
        return [_unquote(item) for item in _QUOTED.findall(raw)] or [
            part.strip() for part in raw[1:-1].split(",") if part.strip()
        ]
    return [_unquote(raw)]


def _unquote(raw: str) -> str:
    """Return the value of a quoted KQL string, reading its backslash escapes; bare words come back as they are."""
    if len(raw) < 2 or raw[0] not in "\"'" or raw[-1] != raw[0]:
        return raw
    body = raw[1:-1]
    out = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body):
            out.append(_KQL_ESCAPES.get(body[index + 1], "\\" + body[index + 1]))
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _leftover(text: str, matches: list[re.Match[str]]) -> str:
    """Return the text outside the comparisons once connectives and filler words are removed."""
    pieces = []
    position = 0
    for match in matches:
        pieces.append(text[position : match.start()])
        position = match.end()
    pieces.append(text[position:])
    rest = _LEFTOVER_NOISE.sub(" ", " ".join(pieces))
    return " ".join(rest.split())
