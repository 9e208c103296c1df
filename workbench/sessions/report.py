"""A hunt session as a document: Markdown for tickets and wikis, HTML for a browser.

Both formats carry the same sections: a summary, the indicators, each query
with its text, hit count, verdict counts and a sample of hits, the exclusions
with their reasons, and the exclusion lint findings. Everything in a session
came from data (feed values, log rows, analyst notes), so every value passes
through `workbench.text.sanitize` and then the format's own escaping. HTML
uses `html.escape`. Markdown uses entities for `<`, `>` and `&`, because its
renderers pass raw HTML through, and backslashes for its own punctuation. The HTML page also sets a
Content-Security-Policy that allows no script, as a second line of defence.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone

from workbench.sessions.model import VERDICTS, QueryRecord, Run, Session
from workbench.sessions.replay import last_snapshot
from workbench.text import display_value, sanitize

DEFAULT_SAMPLE_ROWS = 10
CELL_WIDTH = 80
"""Characters of a cell shown in a sample row; longer values are cut with an ellipsis."""


@dataclass
class LintSection:
    """The lint findings, or why there are none to show."""

    findings: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(severity, exclusion id, rule, message) per finding."""
    note: str = ""
    """The reason lint did not run; empty when it ran."""


def lint_section(session: Session) -> LintSection:
    """Run the exclusion lint when the workbench has it, with the built-in table schemas."""
    try:
        from workbench.kql.lint import lint_exclusions
    except ImportError:
        return LintSection(note="Exclusion lint is not available in this version of hunt-workbench.")
    if not session.exclusions:
        return LintSection()
    findings = lint_exclusions(session.exclusions, None)
    return LintSection(
        findings=[(finding.severity, finding.exclusion_id, finding.rule, finding.message) for finding in findings]
    )


def verdict_counts(run: Run | None) -> Counter[str]:
    counts: Counter[str] = Counter()
    if run is not None:
        counts.update(verdict.verdict for verdict in run.verdicts)
    return counts


def _time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")


def _cell(value: object) -> str:
    text = display_value(value)
    return text if len(text) <= CELL_WIDTH else text[: CELL_WIDTH - 1] + "…"


def _summary(session: Session) -> list[tuple[str, str]]:
    last_runs = [last_snapshot(query) for query in session.queries]
    hits = sum(run.row_count for run in last_runs if run is not None)
    with_hits = sum(1 for run in last_runs if run is not None and run.row_count)
    verdicts: Counter[str] = Counter()
    for run in last_runs:
        verdicts.update(verdict_counts(run))
    active = sum(1 for exclusion in session.exclusions if exclusion.enabled and not exclusion.is_expired())
    return [
        ("Session", session.id),
        ("Workspace", session.workspace),
        ("Created", _time(session.created)),
        ("Updated", _time(session.updated)),
        ("Indicators", str(len(session.indicators))),
        ("Queries", f"{len(session.queries)} ({with_hits} with hits)"),
        ("Hits in the last runs", str(hits)),
        ("Verdicts", ", ".join(f"{name} {verdicts[name]}" for name in VERDICTS)),
        ("Exclusions", f"{len(session.exclusions)} ({active} active)"),
    ]


INDICATOR_HEADERS = ["Value", "Type", "Threat type", "Malware", "Confidence", "First seen", "Source"]
EXCLUSION_HEADERS = ["Id", "Field", "Operator", "Values", "Reason", "Author", "Created", "Expires", "Enabled"]


def _indicator_rows(session: Session) -> list[list[str]]:
    return [
        [
            indicator.value,
            indicator.ioc_type,
            indicator.threat_type,
            indicator.malware,
            "" if indicator.confidence is None else str(indicator.confidence),
            _time(indicator.first_seen),
            indicator.source,
        ]
        for indicator in session.indicators
    ]


def _exclusion_rows(session: Session) -> list[list[str]]:
    return [
        [
            exclusion.id,
            exclusion.field,
            exclusion.operator,
            ", ".join(exclusion.values),
            exclusion.reason,
            exclusion.author,
            _time(exclusion.created),
            _time(exclusion.expires) or "never",
            "yes" if exclusion.enabled else "no",
        ]
        for exclusion in session.exclusions
    ]


def _query_facts(query: QueryRecord) -> tuple[Run | None, list[tuple[str, str]]]:
    run = last_snapshot(query)
    facts = [("Query id", query.id), ("Timespan", query.timespan or "none")]
    failed = query.runs[-1] if query.runs and query.runs[-1].error else None
    if run is None:
        facts.append(("Last run", "never ran successfully"))
    else:
        hits = f"{run.row_count}" + (f" (the snapshot keeps {len(run.rows)})" if run.truncated else "")
        counts = verdict_counts(run)
        facts.extend(
            [
                ("Last run", f"{_time(run.ran_at)} on {run.workspace}"),
                ("Hits", hits),
                ("Verdicts", ", ".join(f"{name} {counts[name]}" for name in VERDICTS)),
            ]
        )
        if run.excluded_counts:
            removed = ", ".join(f"{key} {value}" for key, value in run.excluded_counts.items())
            facts.append(("Rows removed by exclusions", removed))
    if failed is not None:
        facts.append(("Last attempt failed", f"{_time(failed.ran_at)}: {failed.error}"))
    return run, facts


# ---------------------------------------------------------------------------
# Markdown

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#!|~])")
"""Characters with inline meaning in CommonMark and GitHub tables; `<`, `>` and `&` become entities instead."""


def md_text(value: object) -> str:
    """Return `value` as inline Markdown text that renders literally, on one line."""
    text = sanitize(str(value))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def md_code_block(text: str, language: str = "kql") -> str:
    """Return a fenced code block whose fence is longer than any backtick run inside `text`."""
    body = sanitize(text.replace("\r\n", "\n"), keep_newlines=True)
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{body}\n{fence}"


def md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md_text(header) for header in headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(md_text(cell) for cell in row) + " |")
    return lines


def render_markdown(session: Session, *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> str:
    """Return the session as a Markdown document."""
    lines = [f"# {md_text(session.title or session.id)}", "", "## Summary", ""]
    lines += md_table(["Item", "Value"], [[name, value] for name, value in _summary(session)])

    lines += ["", "## Indicators", ""]
    lines += md_table(INDICATOR_HEADERS, _indicator_rows(session)) if session.indicators else ["No indicators."]

    lines += ["", "## Queries"]
    if not session.queries:
        lines += ["", "No queries."]
    for query in session.queries:
        run, facts = _query_facts(query)
        lines += ["", f"### {md_text(query.title or query.id)}", ""]
        lines += [f"- {md_text(name)}: {md_text(value)}" for name, value in facts]
        lines += ["", md_code_block(query.text)]
        if run is not None and run.rows and sample_rows > 0:
            sample = run.rows[:sample_rows]
            lines += ["", f"Sample of hits ({len(sample)} of {run.row_count}):", ""]
            lines += md_table([name for name, _ in run.columns], [[_cell(value) for value in row] for row in sample])

    lines += ["", "## Exclusions", ""]
    lines += md_table(EXCLUSION_HEADERS, _exclusion_rows(session)) if session.exclusions else ["No exclusions."]

    lint = lint_section(session)
    lines += ["", "## Exclusion lint", ""]
    if lint.note:
        lines.append(md_text(lint.note))
    elif not lint.findings:
        lines.append("No findings.")
    else:
        lines += md_table(["Severity", "Exclusion", "Rule", "Finding"], [list(finding) for finding in lint.findings])
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# HTML

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #c8c8cc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f3; }
pre { background: #f6f6f8; padding: 0.75rem; overflow-x: auto; }
.error { color: #b00020; }
"""


def h(value: object) -> str:
    """Return `value` as HTML text: sanitised, then escaped, quotes included."""
    return html.escape(sanitize(str(value)), quote=True)


def html_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["<table>", "<tr>" + "".join(f"<th>{h(header)}</th>" for header in headers) + "</tr>"]
    for row in rows:
        lines.append("<tr>" + "".join(f"<td>{h(cell)}</td>" for cell in row) + "</tr>")
    lines.append("</table>")
    return lines


def render_html(session: Session, *, sample_rows: int = DEFAULT_SAMPLE_ROWS) -> str:
    """Return the session as a standalone HTML page with no scripts and no external resources."""
    title = h(session.title or session.id)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>{title}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        "<h2>Summary</h2>",
    ]
    lines += html_table(["Item", "Value"], [[name, value] for name, value in _summary(session)])

    lines.append("<h2>Indicators</h2>")
    lines += html_table(INDICATOR_HEADERS, _indicator_rows(session)) if session.indicators else ["<p>No indicators.</p>"]

    lines.append("<h2>Queries</h2>")
    if not session.queries:
        lines.append("<p>No queries.</p>")
    for query in session.queries:
        run, facts = _query_facts(query)
        lines.append(f"<h3>{h(query.title or query.id)}</h3>")
        lines.append("<ul>")
        lines += [f"<li>{h(name)}: {h(value)}</li>" for name, value in facts]
        lines.append("</ul>")
        code = html.escape(sanitize(query.text.replace("\r\n", "\n"), keep_newlines=True), quote=True)
        lines.append(f"<pre><code>{code}</code></pre>")
        if run is not None and run.rows and sample_rows > 0:
            sample = run.rows[:sample_rows]
            lines.append(f"<p>Sample of hits ({len(sample)} of {run.row_count}):</p>")
            lines += html_table([name for name, _ in run.columns], [[_cell(value) for value in row] for row in sample])

    lines.append("<h2>Exclusions</h2>")
    lines += html_table(EXCLUSION_HEADERS, _exclusion_rows(session)) if session.exclusions else ["<p>No exclusions.</p>"]

    lint = lint_section(session)
    lines.append("<h2>Exclusion lint</h2>")
    if lint.note:
        lines.append(f"<p>{h(lint.note)}</p>")
    elif not lint.findings:
        lines.append("<p>No findings.</p>")
    else:
        lines += html_table(["Severity", "Exclusion", "Rule", "Finding"], [list(finding) for finding in lint.findings])
    lines += ["</body>", "</html>"]
    return "\n".join(lines) + "\n"
