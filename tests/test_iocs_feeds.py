"""Feed parsers on the sample feeds and on broken or hostile input."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.iocs import (
    FeedError,
    detect_format,
    load_demo_feed,
    load_feed,
    merge_indicators,
    parse_feed_text,
)

NANOCORE = {"test3012.duckdns.org", "elroiseeme02.ip-ddns.com"}
SHA256 = "b9ca1a1416459992403329681f8bcb1823f91bae9ad8504b90b5645bfe0dfde0"
URL = "https://cdn-update.example/dl/inv_2026,06.zip?id=7&x=[a]"
CSV_HEADER = (
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias",'
    '"malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"'
)


def values(load, ioc_type=None):
    return {indicator.value for indicator in load.indicators if ioc_type is None or indicator.ioc_type == ioc_type}


def by_value(load, value):
    return next(indicator for indicator in load.indicators if indicator.value == value)


# The sample feeds


@pytest.mark.parametrize(
    ("name", "format_name", "count"),
    [
        ("threatfox_api_get_iocs_ok.json", "threatfox-api", 6),
        ("threatfox_api_search_ioc_ok.json", "threatfox-api", 2),
        ("threatfox_api_ioc_by_id_ok.json", "threatfox-api", 1),
        ("threatfox_export_recent.csv", "threatfox-csv", 6),
        ("threatfox_export_recent.json", "threatfox-json", 6),
        ("misp_event.json", "misp", 5),
        ("stix21_bundle.json", "stix21", 5),
    ],
)
def test_sample_feed_loads(shared_dir, name, format_name, count):
    load = load_feed(shared_dir / "feeds" / name)

    assert load.format == format_name
    assert len(load.indicators) == count
    assert NANOCORE & values(load) == ({"test3012.duckdns.org"} if count == 1 else NANOCORE)


@pytest.mark.parametrize("name", ["threatfox_api_search_ioc_no_result.json", "threatfox_api_illegal_search_term.json"])
def test_threatfox_error_status(shared_dir, name):
    with pytest.raises(FeedError) as error:
        load_feed(shared_dir / "feeds" / name)

    assert "query_status" in str(error.value)
    assert name in str(error.value)


def test_api_fields(shared_dir):
    load = load_feed(shared_dir / "feeds" / "threatfox_api_get_iocs_ok.json")

    domain = by_value(load, "test3012.duckdns.org")
    assert domain.ioc_type == "domain"
    assert domain.threat_type == "botnet_cc"
    assert domain.malware == "NanoCore RAT"
    assert domain.confidence == 100
    assert domain.first_seen == datetime(2026, 6, 19, 8, 14, 2, tzinfo=timezone.utc)
    assert domain.tags == ["NanoCore", "RAT", "duckdns"]
    assert domain.source == "threatfox_api_get_iocs_ok.json"
    quasar = by_value(load, "203.0.113.45:4782")
    assert quasar.port() == 4782
    assert quasar.last_seen == datetime(2026, 6, 20, 3, 11, 9, tzinfo=timezone.utc)
    assert quasar.reference == "https://example.org/report/quasar-fixture"
    assert by_value(load, "87473d835ecd7a8199232f35b676b350").tags == []


def test_csv_export_fields(shared_dir):
    load = load_feed(shared_dir / "feeds" / "threatfox_export_recent.csv")

    assert load.rejected == []
    url = by_value(load, URL)
    assert url.ioc_type == "url"
    assert url.malware == "Agent Tesla"
    assert url.tags == ["zip", "AgentTesla"]
    assert url.reference == ""
    assert url.last_seen is None
    assert by_value(load, "203.0.113.45:4782").last_seen == datetime(2026, 6, 20, 3, 11, 9, tzinfo=timezone.utc)


def test_json_export_fields(shared_dir):
    load = load_feed(shared_dir / "feeds" / "threatfox_export_recent.json")

    domain = by_value(load, "test3012.duckdns.org")
    assert domain.tags == ["NanoCore", "RAT", "duckdns"]
    assert domain.confidence == 100
    assert by_value(load, URL).threat_type == "payload_delivery"


def test_misp_event(shared_dir):
    load = load_feed(shared_dir / "feeds" / "misp_event.json")

    assert values(load, "ip:port") == {"203.0.113.45:4782"}
    assert values(load, "sha256_hash") == {SHA256}
    assert "Analyst note - not an IOC (to_ids false)" not in values(load)
    assert "inv_2026.exe" not in values(load)
    domain = by_value(load, "test3012.duckdns.org")
    assert domain.source == "misp:ce5b48d0-fdbe-51f7-bfdf-bc844e7b07cd"
    assert domain.malware == "NanoCore"
    assert "kill-chain:Command and Control" in domain.tags
    assert "tlp:clear" in domain.tags


def test_stix_bundle(shared_dir):
    load = load_feed(shared_dir / "feeds" / "stix21_bundle.json")

    assert values(load, "ip:port") == {"203.0.113.45:4782"}
    assert values(load, "url") == {URL}
    assert values(load, "sha256_hash") == {SHA256}
    assert by_value(load, "test3012.duckdns.org").malware == "NanoCore"
    assert by_value(load, "test3012.duckdns.org").reference == "https://threatfox.abuse.ch/ioc/1890101/"
    assert len(load.rejected) == 1
    assert load.rejected[0].value == "o'brien\\x.exe"
    assert "file:name" in load.rejected[0].reason


def test_hunt_package(shared_dir):
    load = load_feed(shared_dir / "hunt-packages" / "nanocore-threatfox-dnsevents.md")

    assert load.format == "hunt-package"
    assert values(load, "domain") == NANOCORE
    assert by_value(load, "elroiseeme02.ip-ddns.com").confidence == 100
    assert by_value(load, "elroiseeme02.ip-ddns.com").malware == "Nanocore RAT"
    assert load.summary.startswith("The detection identifies potential Nanocore RAT activity")
    assert len(load.queries) == 1
    title, query = load.queries[0]
    assert title == "Hunt for DNS queries to known malicious domains"
    assert query.startswith("// Hunt for DNS queries")
    assert query.endswith("| order by TimeGenerated desc")
    assert "Sentinel Table" not in query
    assert len(load.exclusion_texts) == 5
    scenario, description, filter_text = load.exclusion_texts[0]
    assert scenario == "Scheduled System Maintenance Task"
    assert description.startswith("A legitimate scheduled task")
    assert filter_text.startswith('process.name != "schtasks.exe"')
    assert load.exclusion_texts[-1][2].endswith("use a custom field like")


def test_merge_lists_sources(shared_dir):
    feeds = shared_dir / "feeds"
    loads = [load_feed(feeds / "threatfox_export_recent.csv"), load_feed(feeds / "stix21_bundle.json"), load_feed(feeds / "misp_event.json")]

    merged = merge_indicators(loads)

    assert len(merged) == 6
    domain = next(indicator for indicator in merged if indicator.value == "test3012.duckdns.org")
    assert domain.sources() == ["threatfox_export_recent.csv", "stix21_bundle.json", "misp:ce5b48d0-fdbe-51f7-bfdf-bc844e7b07cd"]
    assert domain.first_seen == datetime(2026, 6, 19, 8, 14, 2, tzinfo=timezone.utc)
    assert "kill-chain:Command and Control" in domain.tags
    assert loads[0].indicators[-1].source == "threatfox_export_recent.csv"


def test_merge_keeps_extremes():
    older = parse_feed_text("evil.example\n", "a")
    newer = parse_feed_text(json.dumps({"query_status": "ok", "data": [{
        "id": "1", "ioc": "EVIL.example.", "ioc_type": "domain", "confidence_level": 40,
        "first_seen": "2026-01-01 00:00:00 UTC", "last_seen": "2026-02-01 00:00:00 UTC", "tags": ["x"],
    }]}), "b")

    merged = merge_indicators([older, newer])

    assert len(merged) == 1
    assert merged[0].source == "a,b"
    assert merged[0].confidence == 40
    assert merged[0].last_seen == datetime(2026, 2, 1, tzinfo=timezone.utc)
    assert older.indicators[0].source == "a"


def test_demo_feed():
    load = load_demo_feed()

    assert load.format == "threatfox-api"
    assert values(load) == NANOCORE
    for indicator in load.indicators:
        assert indicator.ioc_type == "domain"
        assert indicator.threat_type == "botnet_cc"
        assert indicator.malware == "NanoCore RAT"
        assert indicator.confidence == 100
        assert indicator.first_seen.date().isoformat() == "2026-06-19"
        assert indicator.tags


# Content detection


@pytest.mark.parametrize(
    ("text", "format_name"),
    [
        ('{"query_status": "ok", "data": []}', "threatfox-api"),
        ('{"type": "bundle", "id": "bundle--1", "objects": []}', "stix21"),
        ('{"Event": {"Attribute": []}}', "misp"),
        ('{"1": [{"ioc_value": "evil.example", "ioc_type": "domain"}]}', "threatfox-json"),
        (CSV_HEADER + "\n", "threatfox-csv"),
        ("| Type | Value |\n|---|---|\n| domain | evil.example |\n", "hunt-package"),
        ("evil[.]example\n", "text"),
        ("[2001:db8::1]:443\n", "text"),
    ],
)
def test_detect_format(text, format_name):
    assert detect_format(text) == format_name


# Broken input


def test_truncated_json(shared_dir, tmp_path):
    path = tmp_path / "truncated.json"
    path.write_bytes((shared_dir / "feeds" / "threatfox_api_get_iocs_ok.json").read_bytes()[:700])

    with pytest.raises(FeedError) as error:
        load_feed(path)

    assert "not valid JSON" in str(error.value)
    assert "truncated" in str(error.value)
    assert str(path) in str(error.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("\n  \n")

    with pytest.raises(FeedError, match="empty"):
        load_feed(path)


def test_binary_file(tmp_path):
    path = tmp_path / "image.bin"
    path.write_bytes(bytes(range(256)) * 4)

    with pytest.raises(FeedError, match="binary"):
        load_feed(path)


def test_latin1_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\xe9.example\n".encode("latin-1"))

    with pytest.raises(FeedError, match="not UTF-8"):
        load_feed(path)


def test_missing_file(tmp_path):
    with pytest.raises(FeedError, match="not found"):
        load_feed(tmp_path / "absent.json")


def test_unknown_json_shape():
    with pytest.raises(FeedError, match="not a known feed shape"):
        parse_feed_text('{"hello": "world"}', "odd.json")


def test_csv_extra_column():
    header = CSV_HEADER.replace('"reporter"', '"reporter","new_column"').replace('"ioc_id"', '"ioc_id","added_first"')
    rows = [
        '"2026-06-19 08:14:02", "1890101", "x", "test3012.duckdns.org", "domain", "botnet_cc", "win.nanocore", '
        '"None", "NanoCore RAT", "", "100", "False", "None", "NanoCore,RAT", "0", "abuse_ch", "extra"',
        '"2026-06-19 08:14:03", "1890102", "x", "elroiseeme02.ip-ddns.com", "domain", "botnet_cc", "win.nanocore", '
        '"None", "NanoCore RAT", "", "100", "False", "None", "None", "0", "abuse_ch", "extra"',
    ]
    text = "# banner\r\n" + header + "\r\n" + "\r\n".join(rows) + "\r\n# Number of entries: 2\r\n"

    load = parse_feed_text(text, "export.csv")

    assert load.rejected == []
    assert values(load) == NANOCORE
    assert by_value(load, "test3012.duckdns.org").tags == ["NanoCore", "RAT"]
    assert by_value(load, "elroiseeme02.ip-ddns.com").tags == []
    assert by_value(load, "elroiseeme02.ip-ddns.com").first_seen == datetime(2026, 6, 19, 8, 14, 3, tzinfo=timezone.utc)


def test_csv_bad_rows_rejected():
    good = ('"2026-06-19 08:14:02", "1", "test3012.duckdns.org", "domain", "botnet_cc", "win.nanocore", "None", '
            '"NanoCore RAT", "", "100", "False", "None", "None", "0", "abuse_ch"')
    bad_value = good.replace("test3012.duckdns.org", "not a domain").replace('"1"', '"2"')
    short = '"2026-06-19 08:14:02", "3", "evil.example"'
    text = "\n".join([CSV_HEADER, good, bad_value, short])

    load = parse_feed_text(text, "export.csv")

    assert values(load) == {"test3012.duckdns.org"}
    assert [rejected.where for rejected in load.rejected] == ["line 3 (id 2)", "line 4"]
    assert "3 fields" in load.rejected[1].reason


def test_csv_without_value_column():
    text = '# "first_seen_utc","ioc_id","ioc_type"\n"2026-06-19", "1", "domain"\n'

    with pytest.raises(FeedError, match="no ioc_value"):
        parse_feed_text(text, "export.csv")


def stix_bundle(*patterns):
    objects = [
        {"type": "indicator", "spec_version": "2.1", "id": f"indicator--{number}", "pattern": pattern,
         "pattern_type": "stix", "valid_from": "2026-06-19T08:14:02Z"}
        for number, pattern in enumerate(patterns)
    ]
    return json.dumps({"type": "bundle", "id": "bundle--1", "objects": objects})


def test_stix_value_with_equals():
    load = parse_feed_text(stix_bundle("[url:value = 'https://evil.example/a?b=c&d=e']"), "b.json")

    assert values(load) == {"https://evil.example/a?b=c&d=e"}


def test_stix_escaped_quote():
    load = parse_feed_text(stix_bundle(r"[url:value = 'https://evil.example/it\'s\\x']"), "b.json")

    assert values(load) == {"https://evil.example/it's\\x"}


def test_stix_pattern_brackets_and_keywords():
    pattern = "[domain-name:value = 'and.example'] OR [url:value = 'https://x.example/]AND[a=1'] "
    load = parse_feed_text(stix_bundle(pattern.strip()), "b.json")

    assert values(load) == {"and.example", "https://x.example/]AND[a=1"}


def test_stix_invalid_pattern_rejected():
    load = parse_feed_text(stix_bundle("[domain-name:value = 'evil.example'", "[domain-name:value = 'good.example']"), "b.json")

    assert values(load) == {"good.example"}
    assert load.rejected[0].where == "id indicator--0"
    assert "invalid" in load.rejected[0].reason


def test_stix_like_operator_rejected():
    load = parse_feed_text(stix_bundle("[domain-name:value LIKE '%.evil.example']"), "b.json")

    assert load.indicators == []
    assert "LIKE" in load.rejected[0].reason


def test_misp_composites():
    event = {"Event": {"uuid": "e1", "Attribute": [
        {"uuid": "a1", "type": "domain|ip", "value": "evil.example|198.51.100.7", "to_ids": True},
        {"uuid": "a2", "type": "filename|md5", "value": "x.exe|87473D835ECD7A8199232F35B676B350", "to_ids": "1"},
        {"uuid": "a3", "type": "ip-src|port", "value": "2001:db8::1|443", "to_ids": True},
        {"uuid": "a4", "type": "mutex", "value": "Global\\nano", "to_ids": True},
        {"uuid": "a5", "type": "ip-dst|port", "value": "203.0.113.45|99999", "to_ids": True},
        {"uuid": "a6", "type": "domain", "value": "skipped.example", "to_ids": False},
    ]}}

    load = parse_feed_text(json.dumps(event), "event.json")

    assert values(load) == {"evil.example", "198.51.100.7", "87473d835ecd7a8199232f35b676b350", "[2001:db8::1]:443"}
    assert [rejected.where for rejected in load.rejected] == ["attribute a4", "attribute a5"]
    assert "mutex" in load.rejected[0].reason
    assert "port" in load.rejected[1].reason


def test_text_defanged():
    text = "\n".join([
        "# Nanocore C2, defanged",
        "test3012[.]duckdns[.]org",
        "hxxp://198.51.100[.]7/gate.php",
        "198.51.100(.)8",
        "billing[at]invoice-mail[.]example",
        "updates.data-at-home.example",
        "not_an_indicator",
    ])

    load = parse_feed_text(text, "iocs.txt")

    assert values(load, "domain") == {"test3012.duckdns.org", "updates.data-at-home.example"}
    assert values(load, "url") == {"http://198.51.100.7/gate.php"}
    assert values(load, "ip") == {"198.51.100.8"}
    assert values(load, "email") == {"billing@invoice-mail.example"}
    assert [rejected.where for rejected in load.rejected] == ["line 7"]


def test_text_prose():
    text = "The loader at hxxps://evil[.]example/a.exe drops invoice.exe and calls 203.0.113.45:4782, see report.pdf."

    load = parse_feed_text(text, "report.txt")

    assert values(load) == {"https://evil.example/a.exe", "203.0.113.45:4782"}
    assert load.rejected == []


def test_text_lookalike_domain():
    load = parse_feed_text("p\u0430ypal.example\n", "iocs.txt")

    assert values(load) == {"xn--pypal-4ve.example"}
    assert load.indicators[0].display_value == "p\u0430ypal.example"


def test_hostile_values_rejected():
    text = json.dumps({"query_status": "ok", "data": [
        {"id": "1", "ioc": "evil.example\n| where 1==1", "ioc_type": "domain"},
        {"id": "2", "ioc": "evil\u202e.example", "ioc_type": "domain"},
        {"id": "3", "ioc": 42, "ioc_type": "domain"},
        {"id": "4", "ioc": None, "ioc_type": "domain"},
        {"id": "5", "ioc": "good.example", "ioc_type": "domain"},
    ]})

    load = parse_feed_text(text, "api.json")

    assert values(load) == {"good.example"}
    assert [rejected.where for rejected in load.rejected] == ["id 1", "id 2", "id 3", "id 4"]


# Fuzzing: any input gives a FeedLoad or a FeedError, never another exception

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
entry_keys = st.sampled_from(["id", "ioc", "ioc_type", "tags", "first_seen", "confidence_level", "ioc_value", "type", "value", "to_ids", "pattern"])
entries = st.dictionaries(entry_keys, json_values, max_size=6)
documents = st.one_of(
    st.fixed_dictionaries({"query_status": st.sampled_from(["ok", "no_result"]), "data": st.lists(entries, max_size=3) | json_values}),
    st.fixed_dictionaries({"type": st.just("bundle"), "objects": st.lists(entries.map(lambda entry: {**entry, "type": "indicator"}), max_size=3)}),
    st.fixed_dictionaries({"Event": st.fixed_dictionaries({"Attribute": st.lists(entries, max_size=3), "Object": json_values})}),
    st.dictionaries(st.text(max_size=5), st.lists(entries, min_size=1, max_size=2), min_size=1, max_size=3),
    json_values,
)


@settings(max_examples=100, deadline=None)
@given(documents)
def test_fuzz_json_shapes(document):
    try:
        load = parse_feed_text(json.dumps(document), "fuzz.json")
    except FeedError:
        return
    for indicator in load.indicators:
        assert indicator.value


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_text(text):
    try:
        parse_feed_text(text, "fuzz.txt")
    except FeedError:
        pass


def test_csv_plain_header_with_bom():
    text = "\ufefffirst_seen_utc,ioc_id,ioc_value,ioc_type\n2026-06-19 08:14:02,1890101,test3012.duckdns.org,domain\n"

    load = parse_feed_text(text, "export.csv")

    assert load.format == "threatfox-csv"
    assert values(load) == {"test3012.duckdns.org"}
    assert load.indicators[0].first_seen == datetime(2026, 6, 19, 8, 14, 2, tzinfo=timezone.utc)


def test_line_numbers_count_blank_lines():
    load = parse_feed_text("\n\n# comment\nevil.example\nnot_valid\n", "iocs.txt")

    assert load.rejected[0].where == "line 5"


def test_every_sample_covered(shared_dir):
    covered = {
        "threatfox_api_get_iocs_ok.json", "threatfox_api_search_ioc_ok.json", "threatfox_api_ioc_by_id_ok.json",
        "threatfox_export_recent.csv", "threatfox_export_recent.json", "misp_event.json", "stix21_bundle.json",
        "threatfox_api_search_ioc_no_result.json", "threatfox_api_illegal_search_term.json",
    }

    present = {path.name for path in (shared_dir / "feeds").iterdir() if path.name != "README.md"}

    assert present == covered


def test_text_without_indicators():
    with pytest.raises(FeedError, match="no indicator found"):
        parse_feed_text("# only a comment\nsome words of prose\n", "notes.txt")
