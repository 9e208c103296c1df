"""Exclusion lint rules and the import of hunt package filter text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workbench.backends.base import Column, TableSchema
from workbench.kql.exclusions import Exclusion
from workbench.kql.lint import covers, lint_exclusions, parse_filter_text, regex_problem
from workbench.kql.schemas import BUILTIN_SCHEMAS, KQL_FUNCTIONS, KQL_KEYWORDS, builtin_schema

NOW = datetime(2026, 12, 4, 20, 0, tzinfo=timezone.utc)
DNS = [BUILTIN_SCHEMAS["DnsEvents"]]
NANOCORE_FILTER = (
    'process.name != "schtasks.exe" OR process.name != "task scheduler" '
    'or use a custom field like file.name != "maintenance_script.ps1"'
)


def exclusion(id: str = "ex-1", field: str = "Computer", operator: str = "==", values=None, **extra) -> Exclusion:
    return Exclusion(id=id, field=field, operator=operator, values=["BUILD-07"] if values is None else values, reason="ci", **extra)


def rules(findings, exclusion_id: str | None = None) -> set[str]:
    return {finding.rule for finding in findings if exclusion_id is None or finding.exclusion_id == exclusion_id}


def test_clean_exclusion():
    assert lint_exclusions([exclusion(table="DnsEvents")], DNS, now=NOW) == []


def test_unknown_field():
    findings = lint_exclusions([exclusion(field="process.name", table="DnsEvents")], DNS, now=NOW)

    assert rules(findings) == {"unknown-field"}
    assert findings[0].severity == "error"
    assert "Elastic Common Schema" in findings[0].message


def test_unknown_field_case_hint():
    findings = lint_exclusions([exclusion(field="computer", table="DnsEvents")], DNS, now=NOW)

    assert "use Computer" in findings[0].message


def test_unknown_field_any_table():
    tables = [TableSchema("Custom_CL", (Column("Host", "string"),))]

    assert rules(lint_exclusions([exclusion(field="Host")], tables, now=NOW)) == set()
    assert rules(lint_exclusions([exclusion(field="Computer")], tables, now=NOW)) == {"unknown-field"}


def test_builtin_schema_default():
    assert rules(lint_exclusions([exclusion(field="NoSuchColumn")], now=NOW)) == {"unknown-field"}
    assert rules(lint_exclusions([exclusion(field="RemoteUrl")], now=NOW)) == set()


def test_unknown_table_warns():
    findings = lint_exclusions([exclusion(table="Heartbeat")], DNS, now=NOW)

    assert rules(findings) == {"unknown-table"}
    assert findings[0].severity == "warning"


@pytest.mark.parametrize("values", [[], [""], ["   "], ["ok", "\t"]])
def test_empty_value(values):
    findings = lint_exclusions([exclusion(operator="in", values=values)], DNS, now=NOW)

    assert rules(findings) == {"empty-value"}


def test_invalid_regex():
    findings = lint_exclusions([exclusion(operator="matches regex", values=["BUILD-(0"])], DNS, now=NOW)

    assert rules(findings) == {"invalid-regex"}


def test_regex_without_re2_features():
    assert regex_problem(r"^BUILD-\d+$") == ""
    assert regex_problem(r"(a)\1") != ""
    assert regex_problem(r"foo(?=bar)") != ""


def test_regex_fallback_without_re2(monkeypatch):
    from workbench.kql import lint

    monkeypatch.setattr(lint, "_re2_module", lambda: None)

    assert regex_problem(r"^BUILD-\d+$") == ""
    assert "RE2" in regex_problem(r"(a)\1")
    assert "RE2" in regex_problem(r"foo(?=bar)")
    assert regex_problem("BUILD-(0") != ""


def test_expired():
    expired = exclusion(expires=NOW - timedelta(days=1))
    current = exclusion(id="ex-2", expires=NOW + timedelta(days=1))

    findings = lint_exclusions([expired, current], DNS, now=NOW)

    assert rules(findings, "ex-1") == {"expired"}
    assert rules(findings, "ex-2") == set()


def test_removes_every_row():
    first = exclusion()
    second = exclusion(id="ex-2", values=["BUILD-08"])

    findings = lint_exclusions([first, second], DNS, rows_by_exclusion={"ex-1": 40, "ex-2": 3}, total_rows=40, now=NOW)

    assert rules(findings, "ex-1") == {"removes-every-row"}
    assert rules(findings, "ex-2") == set()


def test_removes_rows_of_empty_run():
    findings = lint_exclusions([exclusion()], DNS, rows_by_exclusion={"ex-1": 0}, total_rows=0, now=NOW)

    assert findings == []


def test_two_negations_always_true():
    first = exclusion(operator="!=", values=["schtasks.exe"])
    second = exclusion(id="ex-2", operator="!=", values=["task scheduler"])

    findings = lint_exclusions([first, second], DNS, now=NOW)

    assert rules(findings, "ex-1") == {"always-true-or"}
    assert rules(findings, "ex-2") == {"always-true-or"}
    assert findings[0].severity == "error"


def test_single_negation_warns():
    findings = lint_exclusions([exclusion(operator="!=")], DNS, now=NOW)

    assert rules(findings) == {"negated-operator"}


def test_disabled_negations_ignored():
    first = exclusion(operator="!=", enabled=False)
    second = exclusion(id="ex-2", operator="!=", values=["x"], enabled=False)

    assert lint_exclusions([first, second], DNS, now=NOW) == []


def test_redundant_value_in_list():
    single = exclusion(values=["BUILD-07"])
    listed = exclusion(id="ex-2", operator="in", values=["BUILD-06", "BUILD-07"])

    findings = lint_exclusions([single, listed], DNS, now=NOW)

    assert rules(findings, "ex-1") == {"redundant"}
    assert rules(findings, "ex-2") == set()
    assert "ex-2" in findings[0].message


def test_redundant_prefix():
    narrow = exclusion(operator="startswith", values=["BUILD-07"])
    wide = exclusion(id="ex-2", operator="startswith", values=["build-"])

    findings = lint_exclusions([narrow, wide], DNS, now=NOW)

    assert rules(findings, "ex-1") == {"redundant"}
    assert rules(findings, "ex-2") == set()


def test_duplicate_reported_once():
    findings = lint_exclusions([exclusion(), exclusion(id="ex-2")], DNS, now=NOW)

    assert [finding.exclusion_id for finding in findings] == ["ex-2"]


def test_not_redundant_other_field():
    first = exclusion()
    second = exclusion(id="ex-2", field="ClientIP", operator="in", values=["BUILD-07"])

    assert lint_exclusions([first, second], DNS, now=NOW) == []


def test_covers_respects_case():
    sensitive = exclusion(operator="==", values=["Build"])
    insensitive = exclusion(operator="=~", values=["build"])
    prefix_cs = exclusion(operator="startswith_cs", values=["B"])

    assert covers(insensitive, sensitive)
    assert not covers(sensitive, insensitive)
    assert covers(prefix_cs, sensitive)
    assert not covers(prefix_cs, insensitive)


def test_filter_text_always_true_or():
    candidates, findings = parse_filter_text(NANOCORE_FILTER)

    assert [(c.field, c.operator, c.values) for c in candidates] == [
        ("process.name", "in", ["schtasks.exe", "task scheduler"]),
        ("file.name", "==", ["maintenance_script.ps1"]),
    ]
    assert rules(findings, "candidate-1") == {"always-true-or", "unknown-field"}
    assert rules(findings, "candidate-2") == {"negated-operator", "unknown-field"}


def test_filter_text_never_enabled():
    candidates, _ = parse_filter_text(NANOCORE_FILTER)

    assert all(candidate.enabled is False for candidate in candidates)
    assert all(candidate.table == "DnsEvents" for candidate in candidates)
    assert all(candidate.reason for candidate in candidates)


def test_filter_text_mixed_fields():
    _, findings = parse_filter_text('process.name != "powershell.exe" OR user.name != "admin_account"')

    assert "negated-or" in rules(findings)
    assert "always-true-or" not in rules(findings)


def test_filter_text_escapes_and_wildcard():
    candidates, findings = parse_filter_text('file.path != "C:\\\\temp\\\\log_*.tmp"')

    assert candidates[0].values == ["C:\\temp\\log_*.tmp"]
    assert "literal-wildcard" in rules(findings)


def test_filter_text_cut_off():
    _, findings = parse_filter_text('process.name != "jenkins.exe" or use a custom field like `')

    assert "unparsed-filter" in rules(findings)


def test_filter_text_without_comparison():
    candidates, findings = parse_filter_text("Exclude the build servers.")

    assert candidates == []
    assert rules(findings) == {"unparsed-filter"}


def test_filter_text_known_field():
    candidates, findings = parse_filter_text('Computer == "BUILD-07"')

    assert candidates[0].operator == "=="
    assert findings == []


def test_hunt_package_filters(shared_dir):
    from workbench.iocs import load_feed

    load = load_feed(shared_dir / "hunt-packages" / "nanocore-threatfox-dnsevents.md")
    all_rules = set()
    for _title, _description, filter_text in load.exclusion_texts:
        candidates, findings = parse_filter_text(filter_text)
        all_rules |= rules(findings)
        assert candidates
        assert not any(candidate.enabled for candidate in candidates)

    assert {"always-true-or", "unknown-field"} <= all_rules


def test_schemas_and_words():
    for name in ("DnsEvents", "DeviceNetworkEvents", "CommonSecurityLog", "DeviceFileEvents",
                 "DeviceProcessEvents", "SecurityEvent", "Syslog"):
        assert "TimeGenerated" in BUILTIN_SCHEMAS[name].column_names()
    assert builtin_schema("dnsevents") is BUILTIN_SCHEMAS["DnsEvents"]
    assert "has_any" in KQL_KEYWORDS
    assert "tolower" in KQL_FUNCTIONS
