"""`workbench hunt` and `workbench exclusions lint` through the real command line entry point."""

from __future__ import annotations

import duckdb_kql

from workbench.cli import main
from workbench.kql.exclusions import Exclusion
from workbench.sessions.model import Session
from workbench.sessions.store import save_session


def test_hunt_prints_kql(tmp_path, capsys):
    feed = tmp_path / "domains.txt"
    feed.write_text("test3012[.]duckdns[.]org\nelroiseeme02.ip-ddns.com\n")

    code = main(["hunt", "--iocs", str(feed), "--table", "DnsEvents"])
    output = capsys.readouterr().out

    assert code == 0
    assert output.startswith("// Domain indicators in DnsEvents (2 indicators)\n")
    assert '"test3012.duckdns.org"' in output
    assert "| project TimeGenerated, Computer, Name, IPAddresses, QueryType" in output
    assert duckdb_kql.parse(output).ok


def test_hunt_every_table(tmp_path, capsys):
    feed = tmp_path / "domains.txt"
    feed.write_text("test3012.duckdns.org\n")

    code = main(["hunt", "--iocs", str(feed)])
    output = capsys.readouterr().out

    assert code == 0
    assert output.count("// Domain indicators in ") == 3


def test_hunt_unknown_table(tmp_path, capsys):
    feed = tmp_path / "domains.txt"
    feed.write_text("test3012.duckdns.org\n")

    code = main(["hunt", "--iocs", str(feed), "--table", "Heartbeat"])

    assert code == 2
    assert "no hunt template for table Heartbeat" in capsys.readouterr().err


def test_hunt_missing_feed(tmp_path, capsys):
    code = main(["hunt", "--iocs", str(tmp_path / "absent.txt")])

    assert code == 2
    assert "not found" in capsys.readouterr().err


def test_lint_hunt_package(shared_dir, capsys):
    code = main(["exclusions", "lint", str(shared_dir / "hunt-packages" / "nanocore-threatfox-dnsevents.md")])
    output = capsys.readouterr().out

    assert code == 1
    assert "[always-true-or]" in output
    assert "field process.name is not a column of DnsEvents" in output


def test_lint_clean_session(tmp_path, capsys):
    session = Session.new("Nanocore C2")
    session.exclusions.append(
        Exclusion(id="ex-1", field="Computer", operator="in", values=["BUILD-07"], reason="CI runner", table="DnsEvents")
    )
    path = tmp_path / "clean.toml"
    save_session(session, path)

    code = main(["exclusions", "lint", str(path)])

    assert code == 0
    assert "no findings" in capsys.readouterr().out


def test_lint_session_findings(tmp_path, capsys):
    session = Session.new("Nanocore C2")
    session.exclusions.append(Exclusion(id="ex-1", field="Computer", operator="==", values=[" "], reason="typo"))
    path = tmp_path / "findings.toml"
    save_session(session, path)

    code = main(["exclusions", "lint", str(path)])

    assert code == 1
    assert "error: ex-1:" in capsys.readouterr().out


def test_lint_broken_session(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text("format = \n")

    code = main(["exclusions", "lint", str(path)])

    assert code == 2
    assert "broken.toml" in capsys.readouterr().err


def test_lint_escapes_terminal_sequences(tmp_path, capsys):
    session = Session.new("Nanocore C2")
    session.exclusions.append(Exclusion(id="ex-1", field="Comp\x1b]0;pwned\x07", operator="==", values=["x"], reason="r"))
    path = tmp_path / "hostile.toml"
    save_session(session, path)

    code = main(["exclusions", "lint", str(path)])
    output = capsys.readouterr().out

    assert code == 1
    assert "\x1b" not in output
    assert "\\x1b" in output
