"""Hunt templates: indicators in, one KQL hunt per table that can show them.

Each IOC type maps to the Sentinel tables and columns that can carry it
(`TEMPLATES`). A hunt keeps the shape analysts know from hunt packages: a
`let` with the indicator list, the table, one `where`, a `project` and
`order by TimeGenerated desc`. Every value goes through `kql.literals`.

Domain semantics. A host name `h` is lower-cased and its trailing dots are
removed. A domain indicator `d` then matches when `h == d` or `h` ends with
`"." + d`, which is the domain itself and its subdomains at any depth. A name
that merely contains `d` never matches: `xtest3012.duckdns.org` and
`test3012.duckdns.org.example.net` are not hits for `test3012.duckdns.org`.
`has_any` would match the second and `endswith` alone the first. The check
is written as "the last k labels of `h` are in the list", one `extract` per
distinct label count k among the indicators, so the list is tested with `in`
whatever its size instead of one `endswith` per indicator. Host names inside
URLs (`RemoteUrl`, `RequestURL`) are cut out with a regex first, because
duckdb-kql 1.1.2 returns `parse_url(...).Host` as a JSON-quoted string.

Lists of more than `LARGE_LIST_THRESHOLD` values are not written as
`dynamic([...])`: duckdb-kql turns each value of an `in (dynamic)` list into
SQL, and Kusto disables its text index past 128 terms anyway. They become a
one-column table, `print value = split("<values joined by a comma>", ",") |
mv-expand value to typeof(string)`, which `in (table)` reads as a semi-join.
One string token keeps parsing cheaper than one token per value. The times
below were measured with duckdb-kql 1.1.2 on 2 cores against 2,000,000
generated DnsEvents rows. For 50,000 domains the hunt took 1.8 s with the
split string, 10.8 s with a `datatable` (5.9 s of it parsing the query) and
about 108 s with `dynamic([...])`, against 0.7 s for 2 domains. What remains is parsing: duckdb-kql's ANTLR
parser reads about 1 MB of query text a second whatever the token type
(`bench/bench_hunt_scale.py`). A value that contains a comma falls back to
a `datatable`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from workbench.backends.base import TableSchema
from workbench.iocs.model import Indicator
from workbench.kql.literals import check_representable, identifier, string_literal

log = logging.getLogger(__name__)

LARGE_LIST_THRESHOLD = 300
"""Lists with more values than this are written as a one-column table instead of `dynamic([...])`."""

_HOST_FROM_URL = r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#]*@)?([^/:?#\[\]]+)"
"""Regex whose group 1 is the host of a URL, with or without a scheme; RE2 and Python agree on it."""

_URL_SCHEME = r"^[A-Za-z][A-Za-z0-9+.-]*://"


@dataclass(frozen=True)
class Hunt:
    """One generated hunt: the KQL for one table."""

    title: str
    table: str
    text: str
    ioc_types: tuple[str, ...]
    """The `ioc_type` values of the indicators this hunt looks for."""
    indicator_count: int
    """How many distinct indicator values the hunt's lists hold."""


@dataclass(frozen=True)
class Template:
    """The columns of one table that can show one family of indicators."""

    family: str
    """`domain`, `ip`, `ip:port`, `url` or `hash`."""
    table: str
    columns: tuple[str, ...]
    """The columns tested; a hunt tests every one of them that the table has, joined with `or`."""
    kind: str
    """The test applied to the columns: host, url_host, ip, ip_text, ip_port, url or hash."""


FAMILY_OF_TYPE = {
    "domain": "domain",
    "ip": "ip",
    "ip:port": "ip:port",
    "url": "url",
    "md5_hash": "hash",
    "sha1_hash": "hash",
    "sha256_hash": "hash",
}
"""The template family each `ioc_type` feeds; `email` has no template yet."""

TEMPLATES: tuple[Template, ...] = (
    Template("domain", "DnsEvents", ("Name",), "host"),
    Template("domain", "DeviceNetworkEvents", ("RemoteUrl",), "url_host"),
    Template("domain", "CommonSecurityLog", ("DestinationHostName",), "host"),
    Template("domain", "CommonSecurityLog", ("RequestURL",), "url_host"),
    Template("ip", "DeviceNetworkEvents", ("RemoteIP",), "ip"),
    Template("ip", "CommonSecurityLog", ("DestinationIP",), "ip"),
    Template("ip", "DnsEvents", ("IPAddresses",), "ip_text"),
    Template("ip:port", "DeviceNetworkEvents", ("RemoteIP", "RemotePort"), "ip_port"),
    Template("ip:port", "CommonSecurityLog", ("DestinationIP", "DestinationPort"), "ip_port"),
    Template("url", "DeviceNetworkEvents", ("RemoteUrl",), "url"),
    Template("url", "CommonSecurityLog", ("RequestURL",), "url"),
    Template("hash", "DeviceFileEvents", ("SHA256", "SHA1", "MD5"), "hash"),
    Template("hash", "DeviceProcessEvents", ("SHA256", "SHA1", "MD5"), "hash"),
)

PROJECTIONS: dict[str, tuple[str, ...]] = {
    "DnsEvents": ("TimeGenerated", "Computer", "Name", "IPAddresses", "QueryType"),
    "DeviceNetworkEvents": (
        "TimeGenerated", "DeviceName", "ActionType", "RemoteIP", "RemotePort", "RemoteUrl",
        "InitiatingProcessFileName", "InitiatingProcessCommandLine",
    ),
    "CommonSecurityLog": (
        "TimeGenerated", "DeviceVendor", "DeviceProduct", "Activity", "SourceIP", "DestinationIP",
        "DestinationPort", "DestinationHostName", "RequestURL",
    ),
    "DeviceFileEvents": (
        "TimeGenerated", "DeviceName", "ActionType", "FileName", "FolderPath", "SHA256", "SHA1", "MD5",
        "InitiatingProcessFileName",
    ),
    "DeviceProcessEvents": (
        "TimeGenerated", "DeviceName", "FileName", "FolderPath", "ProcessCommandLine", "SHA256", "SHA1", "MD5",
        "InitiatingProcessFileName",
    ),
}
"""The columns each hunt keeps, in order; a workspace schema drops those its table lacks."""

_LIST_NAMES = {
    "domain": "malicious_domains",
    "ip": "malicious_ips",
    "ip:port": "malicious_endpoints",
    "url": "malicious_urls",
    "md5_hash": "malicious_md5",
    "sha1_hash": "malicious_sha1",
    "sha256_hash": "malicious_sha256",
}

_HASH_COLUMN = {"sha256_hash": "SHA256", "sha1_hash": "SHA1", "md5_hash": "MD5"}

_TITLES = {
    "domain": "Domain indicators",
    "ip": "IP indicators",
    "ip:port": "IP:port indicators",
    "url": "URL indicators",
    "hash": "File hash indicators",
}


def build_hunts(
    indicators: list[Indicator],
    tables: list[TableSchema] | None = None,
    only_tables: list[str] | None = None,
) -> list[Hunt]:
    """Build one hunt per table and indicator family that the templates cover.

    `tables` is the workspace's schema: when given, only tables it has are
    hunted, and only columns they have are tested and projected. `only_tables`
    is the user's pick of table names (any case); a name no template covers
    raises ValueError naming the tables that can be hunted. Indicators whose
    `ioc_type` has no template (`email`) and values that cannot be written as
    KQL are skipped and logged.
    """
    schemas = {schema.name.lower(): schema for schema in tables} if tables is not None else None
    picked = _check_only_tables(only_tables)
    values_by_type = _values_by_type(indicators)

    # Merge the templates per (family, table), so CommonSecurityLog gets one
    # domain hunt that tests DestinationHostName and RequestURL.
    merged: dict[tuple[str, str], list[Template]] = {}
    for template in TEMPLATES:
        if picked is not None and template.table.lower() not in picked:
            continue
        merged.setdefault((template.family, template.table), []).append(template)

    hunts = []
    for (family, table), templates in merged.items():
        types = tuple(t for t, f in FAMILY_OF_TYPE.items() if f == family and values_by_type.get(t))
        if not types:
            continue
        schema = None
        if schemas is not None:
            schema = schemas.get(table.lower())
            if schema is None:
                log.info("no %s hunt: the workspace has no table %s", family, table)
                continue
        usable = [t for t in templates if schema is None or _has_columns(schema, t)]
        if not usable:
            log.info("no %s hunt on %s: the table lacks the columns %s", family, table, templates[0].columns)
            continue
        hunt = _render_hunt(family, schema.name if schema else table, usable, values_by_type, schema)
        if hunt is not None:
            hunts.append(hunt)
    return hunts


def domain_hunt(domains: list[str], table: str = "DnsEvents", column: str = "Name") -> str:
    """Return the hunt for `domains` (and their subdomains) in a host-name column.

    The domains are lower-cased and their trailing dots removed; for the
    matching rule see the module docstring.
    """
    template = Template("domain", table, (column,), "host")
    values = {"domain": _clean_domains(domains)}
    hunt = _render_hunt("domain", table, [template], values, None)
    if hunt is None:
        raise ValueError("no domain to hunt for: every value was empty or could not be written as KQL")
    return hunt.text


def hunt_tables() -> list[str]:
    """Return the names of every table some template hunts in, in template order."""
    return list(dict.fromkeys(template.table for template in TEMPLATES))


def _check_only_tables(only_tables: list[str] | None) -> set[str] | None:
    if only_tables is None:
        return None
    known = {name.lower(): name for name in hunt_tables()}
    unknown = [name for name in only_tables if name.lower() not in known]
    if unknown:
        raise ValueError(
            f"no hunt template for table {', '.join(unknown)}; "
            f"tables that can be hunted: {', '.join(known.values())}"
        )
    return {name.lower() for name in only_tables}


def _has_columns(schema: TableSchema, template: Template) -> bool:
    """Return whether the table can run the template: any hash column, else every column."""
    names = set(schema.column_names())
    if template.kind == "hash":
        return any(column in names for column in template.columns)
    return all(column in names for column in template.columns)


def _values_by_type(indicators: list[Indicator]) -> dict[str, list[str]]:
    """Return the distinct, writable values per `ioc_type`, in first-seen order."""
    found: dict[str, dict[str, None]] = {}
    for indicator in indicators:
        if indicator.ioc_type not in FAMILY_OF_TYPE:
            log.info("indicator %r skipped: no hunt template for type %s", indicator.value, indicator.ioc_type)
            continue
        value = _hunt_value(indicator)
        if not value:
            continue
        try:
            check_representable(value)
        except ValueError as error:
            log.warning("indicator skipped: %s", error)
            continue
        found.setdefault(indicator.ioc_type, {})[value] = None
    return {ioc_type: list(values) for ioc_type, values in found.items()}


def _hunt_value(indicator: Indicator) -> str:
    """Return the value as the hunt compares it: lower-case, domains without trailing dots."""
    if indicator.ioc_type == "domain":
        cleaned = _clean_domains([indicator.value])
        return cleaned[0] if cleaned else ""
    if indicator.ioc_type == "ip:port":
        try:
            port = indicator.port()
        except ValueError:
            log.warning("indicator %r skipped: the port is not a number", indicator.value)
            return ""
        return f"{indicator.host().lower()}:{port}"
    if indicator.ioc_type == "url":
        return indicator.value.strip().lower().rstrip("/")
    return indicator.value.strip().lower()


def _clean_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for domain in domains:
        value = domain.strip().lower().rstrip(".")
        if value and value not in cleaned:
            cleaned.append(value)
    return cleaned


def _render_hunt(
    family: str,
    table: str,
    templates: list[Template],
    values_by_type: dict[str, list[str]],
    schema: TableSchema | None,
) -> Hunt | None:
    types = tuple(t for t, f in FAMILY_OF_TYPE.items() if f == family and values_by_type.get(t))
    if not types:
        return None

    lets = []
    conditions = []
    used_types: list[str] = []
    count = 0
    for ioc_type in types:
        values = values_by_type[ioc_type]
        list_name = _LIST_NAMES[ioc_type]
        if family == "url":
            # A URL column may hold the URL without its scheme, so both forms are listed.
            values = list(dict.fromkeys(form for value in values for form in _url_forms(value)))
        type_conditions = []
        for template in templates:
            condition = _condition(template, ioc_type, list_name, values, schema)
            if condition:
                type_conditions.append(condition)
        if type_conditions:
            lets.append(_let_list(list_name, values))
            count += len(values_by_type[ioc_type])
            used_types.append(ioc_type)
            conditions.extend(type_conditions)
    if not conditions:
        return None

    lines = [*lets, identifier(table)]
    if len(conditions) == 1:
        lines.append(f"| where {conditions[0]}")
    else:
        lines.append("| where " + "\n    or ".join(conditions))
    projection = _projection(table, schema)
    if projection:
        lines.append("| project " + ", ".join(identifier(column) for column in projection))
    if "TimeGenerated" in projection:
        lines.append("| order by TimeGenerated desc")
    return Hunt(
        title=f"{_TITLES[family]} in {table}",
        table=table,
        text="\n".join(lines),
        ioc_types=tuple(used_types),
        indicator_count=count,
    )


def _projection(table: str, schema: TableSchema | None) -> list[str]:
    columns = list(PROJECTIONS.get(table, ()))
    if schema is not None:
        present = set(schema.column_names())
        columns = [column for column in columns if column in present]
    return columns


def _condition(
    template: Template, ioc_type: str, list_name: str, values: list[str], schema: TableSchema | None
) -> str:
    column = identifier(template.columns[0])
    if template.kind == "host":
        return _domain_condition(f'tolower(trim_end(@"\\.+", {column}))', values)
    if template.kind == "url_host":
        host = f'tolower(trim_end(@"\\.+", extract(@"{_HOST_FROM_URL}", 1, {column})))'
        return _domain_condition(host, values)
    if template.kind == "ip":
        return f"tolower({column}) in ({list_name})"
    if template.kind == "ip_text":
        return _ip_text_condition(column, values)
    if template.kind == "ip_port":
        port = identifier(template.columns[1])
        return f'strcat(tolower({column}), ":", tostring({port})) in ({list_name})'
    if template.kind == "url":
        return f'trim_end("/", tolower({column})) in ({list_name})'
    if template.kind == "hash":
        hash_column = _HASH_COLUMN[ioc_type]
        if schema is not None and hash_column not in schema.column_names():
            return ""
        return f"tolower({identifier(hash_column)}) in ({list_name})"
    raise ValueError(f"unknown template kind {template.kind!r}")


def _domain_condition(host_expression: str, domains: list[str]) -> str:
    """Return the test that `host_expression` is one of `domains` or a subdomain of one."""
    label_counts = sorted({domain.count(".") + 1 for domain in domains})
    tests = []
    for labels in label_counts:
        # The leftmost match of this pattern starts at a label boundary, so it is the last `labels` labels.
        pattern = "[^.]+" + (f"(?:\\.[^.]+){{{labels - 1}}}" if labels > 1 else "") + "$"
        tests.append(f'extract(@"{pattern}", 0, {host_expression}) in (malicious_domains)')
    return " or ".join(tests)


def _ip_text_condition(column: str, ips: list[str]) -> str:
    """Return a regex test for `ips` inside a comma-separated address list such as `IPAddresses`."""
    chunks = [ips[start : start + LARGE_LIST_THRESHOLD] for start in range(0, len(ips), LARGE_LIST_THRESHOLD)]
    tests = []
    for chunk in chunks:
        alternatives = "|".join(_regex_escape(ip) for ip in chunk)
        pattern = f"(^|[^0-9A-Fa-f:.])({alternatives})($|[^0-9A-Fa-f:.])"
        tests.append(f"{column} matches regex {string_literal(pattern)}")
    return " or ".join(tests)


_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")


def _regex_escape(value: str) -> str:
    """Escape the regex metacharacters that RE2 and Python share; RE2 rejects escapes of other characters."""
    return "".join("\\" + char if char in _REGEX_SPECIAL else char for char in value)


def _url_forms(url: str) -> list[str]:
    import re

    forms = [url]
    without_scheme = re.sub(_URL_SCHEME, "", url)
    if without_scheme != url:
        forms.append(without_scheme)
    return forms


def _let_list(name: str, values: list[str]) -> str:
    """Return the `let` line binding `name` to `values`, as a table past `LARGE_LIST_THRESHOLD`."""
    if len(values) <= LARGE_LIST_THRESHOLD:
        return f"let {name} = dynamic([{', '.join(string_literal(value) for value in values)}]);"
    if not any("," in value for value in values):
        return f'let {name} = print value = split({_joined_literal(values)}, ",") | mv-expand value to typeof(string);'
    rows = ",\n    ".join(
        ", ".join(string_literal(value) for value in values[start : start + VALUES_PER_LINE])
        for start in range(0, len(values), VALUES_PER_LINE)
    )
    return f"let {name} = datatable(value: string) [\n    {rows}\n];"


VALUES_PER_LINE = 200
"""Values per line of a long list. One line of 50,000 domains (0.9 MB) makes every keystroke in the
editor take seconds, because the editor re-wraps and re-lexes the line that contains the cursor."""

def _joined_literal(values: list[str]) -> str:
    """Return KQL text that evaluates to `values` joined by commas, one string literal per line of `VALUES_PER_LINE`.

    KQL joins string literals separated only by whitespace into one literal
    (the string data type page of the KQL reference), so the text spans
    lines without any function call and duckdb-kql reads it as fast as one
    literal.
    """
    chunks = [",".join(values[start : start + VALUES_PER_LINE]) for start in range(0, len(values), VALUES_PER_LINE)]
    parts = [string_literal(chunk + ("," if index < len(chunks) - 1 else "")) for index, chunk in enumerate(chunks)]
    if len(parts) == 1:
        return parts[0]
    return "\n    " + "\n    ".join(parts) + "\n"
