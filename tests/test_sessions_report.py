"""Session reports in Markdown and HTML, and the Sentinel hunting-query export."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.iocs.model import Indicator
from workbench.kql.exclusions import Exclusion
from workbench.sessions.model import QueryRecord, Run, Session, Verdict
from workbench.sessions.report import render_html, render_markdown
from workbench.sessions.sentinel import export_hunting_queries, render_hunting_query, sentinel_query_id
from workbench.sessions.store import save_session

NOW = datetime(2026, 12, 4, 19, 0, tzinfo=timezone.utc)
SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'


def hostile_session() -> Session:
    session = Session(id="nanocore-c2-2026-12-04", title=f"Nanocore | {SCRIPT}", created=NOW, updated=NOW)
    session.indicators.append(
        Indicator("test3012.duckdns.org", "domain", threat_type="botnet_cc", malware="NanoCore RAT", confidence=100,
                  first_seen=NOW - timedelta(days=160), source="threatfox")
    )
    session.indicators.append(Indicator(SCRIPT, "url", threat_type="payload_delivery", source="feed\x1b[31m.txt"))
    session.exclusions.append(Exclusion("ex-1", "Computer", "in", ["BUILD-07"], f"CI runner {IMAGE}", created=NOW))
    session.exclusions.append(Exclusion("ex-2", "NoSuchField", "==", [""], "typo", created=NOW))
    query = QueryRecord("q-1", "DNS lookups of *Nanocore* C2", 'DnsEvents\r\n| where Name =~ "test3012.duckdns.org"\n// ```` fence')
    rows = [
        ["2026-06-19T10:00:00.000000Z", "WS-114", "test3012.duckdns.org"],
        ["2026-06-19T11:00:00.000000Z", f"WS|{IMAGE}", "a\x1b]52;c;ZXZpbA==\x07b"],
        ["2026-06-19T12:00:00.000000Z", None, {"nested": [1, None]}],
    ]
    query.runs.append(
        Run(NOW, "local:default", 12, True, [("TimeGenerated", "datetime"), ("Computer", "string"), ("Name", "string")], rows,
            excluded_counts={"ex-1": 2},
            verdicts=[Verdict("a" * 64, "true_positive"), Verdict("b" * 64, "false_positive"), Verdict("c" * 64, "true_positive")])
    )
    query.runs.append(Run(NOW + timedelta(hours=1), "local:default", 0, False, [], [], error="the workspace was locked"))
    session.queries.append(query)
    session.queries.append(QueryRecord("q-2", "Never run", "DeviceNetworkEvents | take 1"))
    return session


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def test_html_escapes_data() -> None:
    page = render_html(hostile_session())
    parser = TagCollector()
    parser.feed(page)
    assert parser.tags <= {"html", "head", "meta", "title", "style", "body", "h1", "h2", "h3", "table", "tr", "th", "td", "ul", "li", "pre", "code", "p"}
    assert "onerror" not in parser.attributes
    assert "script" not in parser.tags
    assert "&lt;script&gt;" in page
    assert "\x1b" not in page
    assert "\\x1b" in page
    assert "\x07" not in page


def test_html_sections() -> None:
    page = render_html(hostile_session())
    for heading in ("Summary", "Indicators", "Queries", "Exclusions", "Exclusion lint"):
        assert f"<h2>{heading}</h2>" in page
    assert "true_positive 2, false_positive 1, benign 0, needs_review 0" in page
    assert "12 (the snapshot keeps 3)" in page
    assert "the workspace was locked" in page
    assert "never ran successfully" in page
    assert "NoSuchField" in page
    assert "Content-Security-Policy" in page


def markdown_cells(line: str) -> list[str]:
    """Split a Markdown table row on pipes that are not escaped."""
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_escapes_data() -> None:
    text = render_markdown(hostile_session())
    assert "<script>" not in text
    assert "<img" not in text
    assert "\x1b" not in text
    assert "&lt;script&gt;" in text
    sample_header = next(index for index, line in enumerate(text.splitlines()) if line.startswith("| TimeGenerated"))
    for line in text.splitlines()[sample_header : sample_header + 5]:
        assert len(markdown_cells(line)) == 3, line


def test_markdown_sections() -> None:
    text = render_markdown(hostile_session())
    assert text.startswith("# Nanocore \\| &lt;script&gt;")
    assert "## Exclusion lint" in text
    assert "Sample of hits (3 of 12):" in text
    assert "test3012.duckdns.org" in text
    assert "true\\_positive 2" in text
    assert "`````kql\nDnsEvents\n| where" in text
    assert "CI runner &lt;img" in text


def test_empty_session_report() -> None:
    session = Session(id="empty", title="", created=NOW, updated=NOW)
    assert "No indicators." in render_markdown(session)
    assert "<p>No queries.</p>" in render_html(session)


def test_sentinel_yaml_parses(tmp_path: Path) -> None:
    yaml = pytest.importorskip("yaml")
    session = hostile_session()
    paths = export_hunting_queries(session, tmp_path / "sentinel")
    assert [path.name for path in paths] == ["nanocore-c2-2026-12-04-q-1.yaml", "nanocore-c2-2026-12-04-q-2.yaml"]
    first = yaml.safe_load(paths[0].read_text())
    assert uuid.UUID(first["id"])
    assert first["id"] == sentinel_query_id(session, session.queries[0])
    assert first["name"] == "DNS lookups of *Nanocore* C2"
    assert first["query"].rstrip("\n") == session.queries[0].text.replace("\r\n", "\n")
    assert first["requiredDataConnectors"] == [{"connectorId": "DNS", "dataTypes": ["DnsEvents"]}]
    assert first["tactics"] == ["CommandAndControl"]
    assert first["relevantTechniques"] == ["T1071", "T1105"]
    second = yaml.safe_load(paths[1].read_text())
    assert second["requiredDataConnectors"][0]["connectorId"] == "MicrosoftThreatProtection"
    assert second["id"] != first["id"]
    assert paths[0].stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "text",
    [
        "  indented first line\nDnsEvents",
        "\n\nDnsEvents\n",
        "DnsEvents | where Name == \"a\x1bb\"",
        "DnsEvents | where Name == 'x\u2028y'",
        "key: value\n- item\n# comment\n'quoted' \"double\" \\ back",
        "",
    ],
)
def test_sentinel_query_round_trip(text: str) -> None:
    yaml = pytest.importorskip("yaml")
    session = Session(id="s", title='title "with" quotes: and # hash', created=NOW, updated=NOW)
    query = QueryRecord("q-1", "t: \x00 nul", text)
    document = yaml.safe_load(render_hunting_query(session, query))
    assert document["query"].rstrip("\n") == text.rstrip("\n") or document["query"] == text
    assert document["name"] == "t: \x00 nul"
    assert 'title "with" quotes: and # hash' in document["description"]


def test_sentinel_id_stable() -> None:
    session = hostile_session()
    query = session.queries[0]
    assert sentinel_query_id(session, query) == sentinel_query_id(hostile_session(), query)
    other = hostile_session()
    other.id = "another-hunt"
    assert sentinel_query_id(other, query) != sentinel_query_id(session, query)


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "hunt.toml"
    save_session(hostile_session(), path)
    output = tmp_path / "report.html"
    assert main(["report", str(path), "--format", "html", "--output", str(output)]) == 0
    assert output.read_text().startswith("<!DOCTYPE html>")
    assert output.stat().st_mode & 0o777 == 0o600

    assert main(["report", str(path)]) == 0
    assert capsys.readouterr().out.startswith("# Nanocore")

    folder = tmp_path / "yaml"
    assert main(["report", str(path), "--sentinel-yaml", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "wrote 2 Sentinel hunting queries" in captured.err
    assert len(list(folder.glob("*.yaml"))) == 2


def test_report_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(tmp_path / "missing.toml")]) == 2
    assert "not found" in capsys.readouterr().err
    path = tmp_path / "hunt.toml"
    save_session(hostile_session(), path)
    assert main(["report", str(path), "--output", str(tmp_path / "no" / "such" / "dir" / "r.md")]) == 2
    assert "could not be written" in capsys.readouterr().err
