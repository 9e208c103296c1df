"""Normalisation of single indicator values: refanging, canonical forms, validation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.iocs import normalise, refang


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hxxp://evil[.]example/a", "http://evil.example/a"),
        ("hXXps://evil(.)example", "https://evil.example"),
        ("198.51.100[.]7", "198.51.100.7"),
        ("203.0.113.45[:]4782", "203.0.113.45:4782"),
        ("user[at]evil[.]example", "user@evil.example"),
        ("https://cdn.example/?x=[a]", "https://cdn.example/?x=[a]"),
    ],
)
def test_refang(raw, expected):
    assert refang(raw) == expected


@pytest.mark.parametrize(
    ("raw", "ioc_type", "value"),
    [
        ("Test3012.DuckDNS.org.", "domain", "test3012.duckdns.org"),
        ("test3012[.]duckdns[.]org", "domain", "test3012.duckdns.org"),
        ("198.51.100[.]7", "ip", "198.51.100.7"),
        ("2001:DB8::1", "ip", "2001:db8::1"),
        ("203.0.113.45:4782", "ip:port", "203.0.113.45:4782"),
        ("[2001:db8::1]:443", "ip:port", "[2001:db8::1]:443"),
        ("hxxp://198.51.100[.]7/gate.php", "url", "http://198.51.100.7/gate.php"),
        ("HTTPS://CDN.Example./Path?Q=A", "url", "https://cdn.example/Path?Q=A"),
        ("87473D835ECD7A8199232F35B676B350", "md5_hash", "87473d835ecd7a8199232f35b676b350"),
        ("a" * 40, "sha1_hash", "a" * 40),
        ("b" * 64, "sha256_hash", "b" * 64),
        ("billing[at]invoice-mail[.]example", "email", "billing@invoice-mail.example"),
    ],
)
def test_detected_type(raw, ioc_type, value):
    indicator = normalise(raw)

    assert indicator.ioc_type == ioc_type
    assert indicator.value == value


def test_defanged_ip_stays_ip():
    indicator = normalise("198[.]51[.]100[.]7")

    assert indicator.ioc_type == "ip"
    assert indicator.value == "198.51.100.7"


def test_host_with_at_not_email():
    for host in ("chat.example", "updates-at-home.example", "data.example", "atlas.example"):
        indicator = normalise(host)
        assert indicator.ioc_type == "domain", host
        assert indicator.value == host


def test_idn_lookalike_punycoded():
    lookalike = "p\u0430ypal.example"  # Cyrillic a in place of the Latin one

    indicator = normalise(lookalike, "domain")

    assert indicator.value == "xn--pypal-4ve.example"
    assert indicator.display_value == lookalike


def test_punycode_input_gets_display():
    indicator = normalise("XN--PYPAL-4VE.example", "domain")

    assert indicator.value == "xn--pypal-4ve.example"
    assert indicator.display_value == "p\u0430ypal.example"


def test_idn_url_host_punycoded():
    indicator = normalise("https://b\u00fccher.example/x", "url")

    assert indicator.value == "https://xn--bcher-kva.example/x"
    assert indicator.display_value == "https://b\u00fccher.example/x"


@pytest.mark.parametrize(
    ("raw", "ioc_type", "fragment"),
    [
        ("203.0.113.45:70000", "ip:port", "invalid port"),
        ("203.0.113.45", "ip:port", "ip:port pair"),
        ("999.1.1.1", "ip", "not a valid"),
        ("198.51.100.0/24", "ip", "network range"),
        ("localhost", "domain", "no dot"),
        ("evil.example:443", "domain", "without a port"),
        ("-bad.example", "domain", "invalid label"),
        ("1.2.3.999", "domain", "numeric label"),
        ("87473d835ecd7a8199232f35b676b35", "md5_hash", "31 hex digits"),
        ("zz473d835ecd7a8199232f35b676b350", "md5_hash", "not a hexadecimal"),
        ("evil.example/path", "url", "scheme"),
        ("not-an-email.example", "email", "e-mail address"),
        ("evil\x1b[31m.example", "domain", "control or bidi"),
        ("https://evil.example/\u202egnp.exe", "url", "control or bidi"),
        ("evil.example", "mutex", "not supported"),
        ("", None, "empty"),
        ("just words", None, "is not a domain"),
    ],
)
def test_invalid_values(raw, ioc_type, fragment):
    with pytest.raises(ValueError) as error:
        normalise(raw, ioc_type)

    assert fragment in str(error.value)


@given(st.text(max_size=80))
def test_normalise_raises_only_valueerror(raw):
    try:
        indicator = normalise(raw)
    except ValueError:
        return
    assert indicator.value
    assert normalise(indicator.value, indicator.ioc_type).value == indicator.value
