"""Normalise one raw indicator value: refang, canonical form, validation per type.

Every parser calls `normalise` once per entry, so an indicator means the same
thing whichever feed it came from and duplicates across feeds compare equal.
A value that cannot be made valid raises ValueError with a message that names
the value and the problem. Parsers turn it into a `Rejected` entry.

Refanging replaces only bracketed or scheme forms (`hxxp`, `[.]`, `(.)`,
`[:]`, `[at]`, `[@]`, `[dot]`), never a bare word, so `chat.example` never
becomes an e-mail address and `?x=[a]` inside a URL is left alone.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

import idna

from workbench.iocs.model import IOC_TYPES, Indicator

_REFANG_TOKENS = (
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("(dot)", "."),
    ("[:]", ":"),
    ("[://]", "://"),
    ("[@]", "@"),
    ("[at]", "@"),
    ("(at)", "@"),
    ("[/]", "/"),
)
_REFANG_PATTERN = re.compile("|".join(re.escape(token) for token, _ in _REFANG_TOKENS), re.IGNORECASE)
_REFANG_MAP = {token: plain for token, plain in _REFANG_TOKENS}
_DEFANGED_SCHEME = re.compile(r"^(h[x*]{2}p(s?)|fxp)(\[:\]//|\[://\]|://)", re.IGNORECASE)

_CONTROL_OR_BIDI = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 control characters and bidi controls, which can hide or reorder the text on an analyst's screen."""
_WHITESPACE = re.compile(r"\s")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_HASH_LENGTHS = {32: "md5_hash", 40: "sha1_hash", 64: "sha256_hash"}
_HASH_TYPE_LENGTHS = {ioc_type: length for length, ioc_type in _HASH_LENGTHS.items()}

# Letters, digits, hyphen and underscore: underscores are invalid in host names
# but occur in real DNS names (SRV records, some malware C2 labels), so they pass.
_ASCII_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_EMAIL_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}$")
_URL_SCHEMES = ("http", "https", "ftp", "ftps", "sftp", "tcp", "udp", "ws", "wss")

MAX_DOMAIN_LENGTH = 253
"""Maximum length of a DNS name in its text form without the trailing dot (RFC 1035)."""


def refang(text: str) -> str:
    """Undo the usual defanging (`hxxp`, `[.]`, `(.)`, `[:]`, `[at]`) in `text`."""
    text = text.strip()
    match = _DEFANGED_SCHEME.match(text)
    if match:
        scheme = "https" if match.group(2) else "http"
        if match.group(1).lower() == "fxp":
            scheme = "ftp"
        text = scheme + "://" + text[match.end():]
    if "[" in text or "(" in text or "{" in text:
        text = _REFANG_PATTERN.sub(lambda found: _REFANG_MAP[found.group(0).lower()], text)
    return text


def detect_type(value: str) -> str:
    """Return the `ioc_type` a refanged value looks like; raise ValueError when it looks like none."""
    if _HEX.match(value) and len(value) in _HASH_LENGTHS:
        return _HASH_LENGTHS[len(value)]
    if "://" in value:
        return "url"
    if "@" in value:
        return "email"
    if _parse_ip(value) is not None:
        return "ip"
    if _split_ip_port(value) is not None:
        return "ip:port"
    if "." in value and " " not in value and "/" not in value:
        return "domain"
    raise ValueError(f"{value!r} is not a domain, IP address, ip:port, URL, e-mail address or MD5/SHA-1/SHA-256 hash")


def normalise(value: str, ioc_type: str | None = None) -> Indicator:
    """Build an `Indicator` from a raw value, detecting the type when `ioc_type` is None.

    Raises ValueError naming the value and the problem when the value is not
    valid for the type. Only `value`, `ioc_type` and `display_value` are filled.
    """
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    raw = value
    value = refang(value)
    if not value:
        raise ValueError("the value is empty")
    if _CONTROL_OR_BIDI.search(value):
        raise ValueError(f"{raw!r} contains control or bidi characters")

    if ioc_type is None:
        ioc_type = detect_type(value)
    elif ioc_type not in IOC_TYPES:
        raise ValueError(f"indicator type {ioc_type!r} is not supported; supported types: {', '.join(IOC_TYPES)}")

    if ioc_type == "domain":
        canonical, display = normalise_domain(value)
    elif ioc_type == "ip":
        canonical, display = _normalise_ip(value), ""
    elif ioc_type == "ip:port":
        canonical, display = _normalise_ip_port(value), ""
    elif ioc_type == "url":
        canonical, display = _normalise_url(value)
    elif ioc_type == "email":
        canonical, display = _normalise_email(value)
    else:
        canonical, display = _normalise_hash(value, ioc_type), ""
    return Indicator(value=canonical, ioc_type=ioc_type, display_value=display)


def normalise_domain(value: str) -> tuple[str, str]:
    """Return (punycode lower-case domain, Unicode display form or "") for a refanged domain."""
    name = value.strip().rstrip(".")
    if not name:
        raise ValueError(f"{value!r} is not a domain name")
    if name.isascii():
        name = name.lower()
        display = ""
        if "xn--" in name:
            try:
                decoded = idna.decode(name)
            except idna.IDNAError as error:
                raise ValueError(f"{value!r} has an invalid punycode label: {error}") from None
            display = decoded if decoded != name else ""
    else:
        try:
            encoded = idna.encode(name, uts46=True, transitional=False).decode("ascii")
        except idna.IDNAError as error:
            raise ValueError(f"{value!r} is not a valid internationalised domain name: {error}") from None
        display = name.lower()
        name = encoded

    if ":" in name:
        raise ValueError(f"{value!r} contains a colon; a domain indicator is the host name alone, without a port")
    labels = name.split(".")
    if len(labels) < 2:
        raise ValueError(f"{value!r} is not a fully qualified domain name: it has no dot")
    if len(name) > MAX_DOMAIN_LENGTH:
        raise ValueError(f"{value!r} is longer than {MAX_DOMAIN_LENGTH} characters")
    for label in labels:
        if not _ASCII_LABEL.match(label):
            raise ValueError(
                f"{value!r} has an invalid label {label!r}: labels are 1-63 letters, digits, "
                "hyphens or underscores and do not start or end with a hyphen"
            )
    if labels[-1].isdigit():
        raise ValueError(f"{value!r} ends in a numeric label, so it is neither a domain nor a valid IP address")
    return name, display


def _parse_ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = value.strip("[]") if value.startswith("[") else value
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _normalise_ip(value: str) -> str:
    address = _parse_ip(value)
    if address is None:
        if "/" in value:
            raise ValueError(f"{value!r} is a network range; an ip indicator is one address")
        raise ValueError(f"{value!r} is not a valid IPv4 or IPv6 address")
    return str(address)


def _split_ip_port(value: str) -> tuple[str, str] | None:
    """Split `203.0.113.45:4782` or `[2001:db8::1]:443` into address and port text, else None."""
    if value.startswith("["):
        closing = value.find("]:")
        if closing < 0:
            return None
        return value[1:closing], value[closing + 2:]
    if value.count(":") != 1:
        return None
    host, port = value.split(":")
    if _parse_ip(host) is None:
        return None
    return host, port


def _normalise_ip_port(value: str) -> str:
    parts = _split_ip_port(value)
    if parts is None:
        raise ValueError(f"{value!r} is not an ip:port pair such as 203.0.113.45:4782 or [2001:db8::1]:443")
    host, port_text = parts
    address = _parse_ip(host)
    if address is None:
        raise ValueError(f"{value!r} does not start with a valid IP address")
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ValueError(f"{value!r} has an invalid port {port_text!r}; ports are 1 to 65535")
    if address.version == 6:
        return f"[{address}]:{int(port_text)}"
    return f"{address}:{int(port_text)}"


def _normalise_url(value: str) -> tuple[str, str]:
    """Lower-case the scheme and host, punycode an IDN host, strip its trailing dot; keep path and query."""
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not a valid URL: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _URL_SCHEMES:
        raise ValueError(f"{value!r} is not a URL with a scheme such as http:// or https://")
    if _WHITESPACE.search(value):
        raise ValueError(f"{value!r} contains white space; encode spaces in a URL as %20")

    host = parts.hostname or ""
    if not host:
        raise ValueError(f"{value!r} has no host name")
    display = ""
    address = _parse_ip(host)
    if address is not None:
        host_text = f"[{address}]" if address.version == 6 else str(address)
    else:
        host_text, host_display = normalise_domain(host)
        if host_display:
            display = urlunsplit((scheme, _netloc(parts, host_display), parts.path, parts.query, parts.fragment))

    netloc = _netloc(parts, host_text)
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), display


def _netloc(parts, host: str) -> str:
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{parts.geturl()!r} has an invalid port; ports are 0 to 65535") from None
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = host if not userinfo else f"{userinfo}@{host}"
    if port is not None:
        netloc += f":{port}"
    return netloc


def _normalise_email(value: str) -> tuple[str, str]:
    local, at, domain = value.rpartition("@")
    if not at or not local or not _EMAIL_LOCAL.match(local) or local.startswith(".") or ".." in local:
        raise ValueError(f"{value!r} is not an e-mail address such as user@example.org")
    domain_text, domain_display = normalise_domain(domain)
    display = f"{local}@{domain_display}" if domain_display else ""
    return f"{local}@{domain_text}", display


def _normalise_hash(value: str, ioc_type: str) -> str:
    expected = _HASH_TYPE_LENGTHS[ioc_type]
    if not _HEX.match(value):
        raise ValueError(f"{value!r} is not a hexadecimal {ioc_type}")
    if len(value) != expected:
        raise ValueError(f"{value!r} has {len(value)} hex digits; a {ioc_type} has {expected}")
    return value.lower()
