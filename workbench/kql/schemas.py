"""Built-in schemas of the Sentinel tables the hunt templates use, and KQL words for completion.

Exclusion lint and editor completion need a table's columns. A workspace
reports its own through `Backend.tables()`. These built-in schemas are used
when none is known, such as before a workspace is open. Column names and KQL types follow the Azure Monitor Logs table
reference for each table. The Log Analytics system columns (`_BilledSize`,
`_IsBillable`, `Type`, `TenantId`) are left out. `CommonSecurityLog` and
`SecurityEvent` have well over a hundred columns each, so they list only the
ones hunts use.
"""

from __future__ import annotations

from workbench.backends.base import Column, TableSchema


def _schema(name: str, columns: str) -> TableSchema:
    """Build a schema from `name:type` pairs separated by whitespace."""
    parsed = []
    for pair in columns.split():
        column, kql_type = pair.split(":")
        parsed.append(Column(column, kql_type))
    return TableSchema(name, tuple(parsed))


BUILTIN_SCHEMAS: dict[str, TableSchema] = {
    schema.name: schema
    for schema in (
        _schema(
            "DnsEvents",
            """TimeGenerated:datetime SourceSystem:string Computer:string EventId:int SubType:string
            ClientIP:string Name:string IPAddresses:string QueryType:string Result:string ResultCode:int
            Confidence:string Severity:int Description:string RemoteIPCountry:string RemoteIPLatitude:real
            RemoteIPLongitude:real MaliciousIP:string IndicatorThreatType:string ReportReferenceLink:string
            _ResourceId:string""",
        ),
        _schema(
            "DeviceNetworkEvents",
            """TimeGenerated:datetime Timestamp:datetime DeviceId:string DeviceName:string ActionType:string
            RemoteIP:string RemotePort:int RemoteUrl:string LocalIP:string LocalPort:int Protocol:string
            LocalIPType:string RemoteIPType:string InitiatingProcessSHA1:string InitiatingProcessSHA256:string
            InitiatingProcessMD5:string InitiatingProcessFileName:string InitiatingProcessFileSize:long
            InitiatingProcessId:long InitiatingProcessCommandLine:string InitiatingProcessCreationTime:datetime
            InitiatingProcessFolderPath:string InitiatingProcessParentFileName:string
            InitiatingProcessParentId:long InitiatingProcessAccountDomain:string
            InitiatingProcessAccountName:string InitiatingProcessAccountSid:string
            InitiatingProcessAccountUpn:string InitiatingProcessIntegrityLevel:string
            InitiatingProcessTokenElevation:string ReportId:long AppGuardContainerId:string
            AdditionalFields:dynamic""",
        ),
        _schema(
            "CommonSecurityLog",
            """TimeGenerated:datetime DeviceVendor:string DeviceProduct:string DeviceVersion:string
            DeviceEventClassID:string Activity:string LogSeverity:string DeviceAction:string
            ApplicationProtocol:string Protocol:string SourceIP:string SourcePort:int SourceHostName:string
            SourceUserName:string SourceUserID:string DestinationIP:string DestinationPort:int
            DestinationHostName:string DestinationDnsDomain:string DestinationUserName:string
            DestinationServiceName:string RequestURL:string RequestMethod:string
            RequestClientApplication:string RequestContext:string DeviceAddress:string DeviceName:string
            Computer:string ProcessName:string FileName:string FilePath:string FileHash:string
            ReceivedBytes:long SentBytes:long CommunicationDirection:string EventOutcome:string
            Reason:string Message:string AdditionalExtensions:string SimplifiedDeviceAction:string
            ThreatSeverity:int IndicatorThreatType:string MaliciousIP:string""",
        ),
        _schema(
            "DeviceFileEvents",
            """TimeGenerated:datetime Timestamp:datetime DeviceId:string DeviceName:string ActionType:string
            FileName:string FolderPath:string SHA1:string SHA256:string MD5:string FileOriginUrl:string
            FileOriginReferrerUrl:string FileOriginIP:string PreviousFolderPath:string
            PreviousFileName:string FileSize:long InitiatingProcessAccountDomain:string
            InitiatingProcessAccountName:string InitiatingProcessAccountSid:string
            InitiatingProcessAccountUpn:string InitiatingProcessMD5:string InitiatingProcessSHA1:string
            InitiatingProcessSHA256:string InitiatingProcessFolderPath:string
            InitiatingProcessFileName:string InitiatingProcessId:long InitiatingProcessCommandLine:string
            InitiatingProcessCreationTime:datetime InitiatingProcessIntegrityLevel:string
            InitiatingProcessTokenElevation:string InitiatingProcessParentId:long
            InitiatingProcessParentFileName:string RequestProtocol:string RequestSourceIP:string
            RequestSourcePort:int RequestAccountName:string RequestAccountDomain:string
            ShareName:string SensitivityLabel:string ReportId:long AdditionalFields:dynamic""",
        ),
        _schema(
            "DeviceProcessEvents",
            """TimeGenerated:datetime Timestamp:datetime DeviceId:string DeviceName:string ActionType:string
            FileName:string FolderPath:string SHA1:string SHA256:string MD5:string FileSize:long
            ProcessId:long ProcessCommandLine:string ProcessIntegrityLevel:string
            ProcessTokenElevation:string ProcessCreationTime:datetime AccountDomain:string
            AccountName:string AccountSid:string AccountUpn:string AccountObjectId:string LogonId:long
            InitiatingProcessAccountDomain:string InitiatingProcessAccountName:string
            InitiatingProcessAccountSid:string InitiatingProcessAccountUpn:string
            InitiatingProcessLogonId:long InitiatingProcessIntegrityLevel:string
            InitiatingProcessTokenElevation:string InitiatingProcessSHA1:string
            InitiatingProcessSHA256:string InitiatingProcessMD5:string InitiatingProcessFileName:string
            InitiatingProcessFileSize:long InitiatingProcessId:long InitiatingProcessCommandLine:string
            InitiatingProcessCreationTime:datetime InitiatingProcessFolderPath:string
            InitiatingProcessParentId:long InitiatingProcessParentFileName:string
            InitiatingProcessParentCreationTime:datetime ReportId:long AdditionalFields:dynamic""",
        ),
        _schema(
            "SecurityEvent",
            """TimeGenerated:datetime SourceSystem:string Computer:string EventSourceName:string
            Channel:string Task:int Level:string EventData:string EventID:int Activity:string
            Account:string AccountType:string AccountName:string AccountDomain:string
            SubjectUserName:string SubjectDomainName:string SubjectUserSid:string SubjectLogonId:string
            TargetUserName:string TargetDomainName:string TargetUserSid:string TargetLogonId:string
            TargetAccount:string LogonType:int LogonTypeName:string LogonProcessName:string
            AuthenticationPackageName:string WorkstationName:string IpAddress:string IpPort:string
            Process:string ProcessId:string ProcessName:string NewProcessName:string NewProcessId:string
            ParentProcessName:string CommandLine:string TokenElevationType:string ServiceName:string
            ObjectName:string ObjectType:string AccessMask:string Status:string SubStatus:string
            FailureReason:string FileHash:string FilePath:string _ResourceId:string""",
        ),
        _schema(
            "Syslog",
            """TimeGenerated:datetime SourceSystem:string Computer:string EventTime:datetime Facility:string
            HostName:string SeverityLevel:string SyslogMessage:string ProcessID:int HostIP:string
            ProcessName:string CollectorHostName:string _ResourceId:string""",
        ),
    )
}
"""Built-in schemas by table name."""


def builtin_schema(table: str) -> TableSchema | None:
    """Return the built-in schema of `table` (any case), or None when there is none."""
    for name, schema in BUILTIN_SCHEMAS.items():
        if name.lower() == table.lower():
            return schema
    return None


def builtin_tables() -> list[TableSchema]:
    """Return every built-in schema, for a lint or completion that has no workspace schema."""
    return list(BUILTIN_SCHEMAS.values())


KQL_KEYWORDS: tuple[str, ...] = (
    # Tabular operators.
    "as", "consume", "count", "distinct", "evaluate", "extend", "externaldata", "facet", "find",
    "fork", "getschema", "invoke", "join", "limit", "lookup", "make-series", "mv-apply", "mv-expand",
    "order by", "parse", "parse-kv", "parse-where", "partition", "print", "project", "project-away",
    "project-keep", "project-rename", "project-reorder", "range", "reduce", "render", "sample",
    "sample-distinct", "scan", "search", "serialize", "sort by", "summarize", "take", "top",
    "top-hitters", "top-nested", "union", "where",
    # Statements and clauses.
    "let", "set", "declare", "datatable", "materialize", "toscalar", "by", "on", "kind", "with",
    "asc", "desc", "nulls first", "nulls last", "inner", "innerunique", "leftouter", "rightouter",
    "fullouter", "leftanti", "rightanti", "leftsemi", "rightsemi", "bin", "to", "typeof", "step",
    "from", "true", "false", "and", "or", "not",
    # String and set operators.
    "==", "!=", "=~", "!~", "in", "!in", "in~", "!in~", "has", "!has", "has_cs", "!has_cs",
    "has_any", "has_all", "hasprefix", "!hasprefix", "hassuffix", "!hassuffix", "contains",
    "!contains", "contains_cs", "!contains_cs", "startswith", "!startswith", "startswith_cs",
    "!startswith_cs", "endswith", "!endswith", "endswith_cs", "!endswith_cs", "matches regex",
    "between", "!between",
)
"""Tabular operators, statements, clauses and comparison operators, as KQL spells them."""

KQL_FUNCTIONS: tuple[str, ...] = (
    # Aggregations.
    "arg_max", "arg_min", "avg", "count", "countif", "dcount", "dcountif", "make_bag", "make_list",
    "make_list_if", "make_set", "make_set_if", "max", "maxif", "min", "minif", "percentile",
    "percentiles", "stdev", "sum", "sumif", "take_any", "variance",
    # Strings.
    "base64_decode_tostring", "base64_encode_tostring", "countof", "extract", "extract_all",
    "format_datetime", "indexof", "isempty", "isnotempty", "parse_json", "parse_url", "replace_regex",
    "replace_string", "reverse", "split", "strcat", "strcat_array", "strcat_delim", "strlen",
    "substring", "tolower", "toupper", "trim", "trim_end", "trim_start", "url_decode", "url_encode",
    # Conversions and types.
    "tobool", "todatetime", "todouble", "todynamic", "toint", "tolong", "toreal", "tostring",
    "totimespan", "gettype", "isnull", "isnotnull",
    # Dynamic values and arrays.
    "array_length", "array_slice", "bag_keys", "pack", "pack_array", "set_difference",
    "set_has_element", "set_intersect", "set_union",
    # Dates and times.
    "ago", "bin", "datetime_add", "datetime_diff", "dayofweek", "endofday", "format_timespan",
    "now", "startofday", "startofmonth", "startofweek",
    # IP addresses.
    "ipv4_compare", "ipv4_is_in_range", "ipv4_is_private", "ipv6_compare", "parse_ipv4",
    # Conditionals and numbers.
    "case", "coalesce", "iff", "abs", "floor", "log", "round", "hash", "hash_sha256",
)
"""Scalar and aggregation function names, for completion; duckdb-kql 1.1.2 runs most of them, but not all."""
