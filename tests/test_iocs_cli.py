"""`workbench iocs`: output formats, stderr reports and exit codes, run through `workbench.cli.main`."""

from __future__ import annotations

import csv
import io
import json

from workbench.cli import main

NANOCORE = {"test3012.duckdns.org", "elroiseeme02.ip-ddns.com"}


def test_jsonl_output(shared_dir, capsys):
    code = main(["iocs", "--format", "jsonl", str(shared_dir / "feeds" / "threatfox_export_recent.csv")])

    output = capsys.readouterr()
    rows = [json.loads(line) for line in output.out.splitlines()]
    assert code == 0
    assert output.err == ""
    assert len(rows) == 6
    assert NANOCORE <= {row["value"] for row in rows}
    domain = next(row for row in rows if row["value"] == "test3012.duckdns.org")
    assert domain["first_seen"] == "2026-06-19T08:14:02Z"
    assert domain["tags"] == ["NanoCore", "RAT", "duckdns"]


def test_csv_output_merges(shared_dir, capsys):
    feeds = shared_dir / "feeds"

    code = main(["iocs", "--format", "csv", str(feeds / "threatfox_export_recent.json"), str(feeds / "misp_event.json")])

    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert code == 0
    assert len(rows) == 6
    domain = next(row for row in rows if row["value"] == "test3012.duckdns.org")
    assert domain["source"] == "threatfox_export_recent.json,misp:ce5b48d0-fdbe-51f7-bfdf-bc844e7b07cd"


def test_table_output_demo(capsys):
    code = main(["iocs", "--demo"])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert lines[0].split()[:2] == ["ioc_type", "value"]
    assert len(lines) == 3
    assert "test3012.duckdns.org" in lines[1]


def test_rejected_exit_one(shared_dir, capsys):
    code = main(["iocs", str(shared_dir / "feeds" / "stix21_bundle.json")])

    output = capsys.readouterr()
    assert code == 1
    assert "stix21_bundle.json: id indicator--b04dba36" in output.err
    assert "file:name" in output.err
    assert "test3012.duckdns.org" in output.out


def test_unreadable_exit_two(tmp_path, capsys):
    empty = tmp_path / "empty.json"
    empty.write_text("")

    code = main(["iocs", str(empty), str(tmp_path / "absent.csv")])

    output = capsys.readouterr()
    assert code == 2
    assert output.out == ""
    assert "empty.json" in output.err
    assert "absent.csv not found" in output.err


def test_one_unreadable_exit_one(shared_dir, tmp_path, capsys):
    code = main(["iocs", "--format", "jsonl", str(shared_dir / "feeds" / "threatfox_api_search_ioc_ok.json"), str(tmp_path / "absent.csv")])

    output = capsys.readouterr()
    assert code == 1
    assert len(output.out.splitlines()) == 2


def test_no_arguments_exit_two(capsys):
    code = main(["iocs"])

    assert code == 2
    assert "--demo" in capsys.readouterr().err


def test_control_characters_escaped(tmp_path, capsys):
    feed = tmp_path / "hostile.txt"
    feed.write_text("evil\x1b]0;owned\x07.example\nbidi\u202eelpmaxe.example\n", encoding="utf-8")

    code = main(["iocs", str(feed)])

    err = capsys.readouterr().err
    assert code == 1
    assert "\x1b" not in err
    assert "\u202e" not in err
    assert "\\u202e" in err
