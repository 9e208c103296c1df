"""Columns of the demo workspace's tables, with their Microsoft Sentinel names and KQL types.

Names and types follow the Azure Monitor Logs table reference
(learn.microsoft.com/azure/azure-monitor/reference/tables/<table>). The
Log Analytics system columns `_BilledSize`, `_IsBillable` and
`_SubscriptionId` are left out; `_ResourceId` is kept where the reference
lists it, because hunts pivot on it. `DnsEvents`, `DeviceNetworkEvents` and
`Syslog` carry every other column of their reference page.
`CommonSecurityLog` (about 150 columns) and `SecurityEvent` (about 230) carry
the columns that hunts use and that the demo's firewall, proxy, logon,
process-creation and object-access events fill.

String columns default to the empty string, as in Log Analytics, where a
string is never null; numbers, times and `dynamic` columns default to null.
"""

from __future__ import annotations

KQL_TO_DUCKDB = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "long": "BIGINT",
    "real": "DOUBLE",
    "bool": "BOOLEAN",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "dynamic": "JSON",
}

DNS_EVENTS: tuple[tuple[str, str], ...] = (
    ("TimeGenerated", "datetime"),
    ("SourceSystem", "string"),
    ("Computer", "string"),
    ("EventId", "int"),
    ("SubType", "string"),
    ("ClientIP", "string"),
    ("Name", "string"),
    ("IPAddresses", "string"),
    ("QueryType", "string"),
    ("Result", "string"),
    ("ResultCode", "int"),
    ("TaskCategory", "string"),
    ("Message", "string"),
    ("Description", "string"),
    ("MaliciousIP", "string"),
    ("IndicatorThreatType", "string"),
    ("Confidence", "string"),
    ("Severity", "int"),
    ("RemoteIPCountry", "string"),
    ("RemoteIPLatitude", "real"),
    ("RemoteIPLongitude", "real"),
    ("Type", "string"),
    ("_ResourceId", "string"),
)

# `Timestamp` is not on the Azure Monitor page but is in the Defender XDR
# advanced hunting schema of this table, and Defender tables streamed to
# Sentinel carry it beside `TimeGenerated`.
DEVICE_NETWORK_EVENTS: tuple[tuple[str, str], ...] = (
    ("TenantId", "string"),
    ("TimeGenerated", "datetime"),
    ("Timestamp", "datetime"),
    ("DeviceId", "string"),
    ("DeviceName", "string"),
    ("ActionType", "string"),
    ("RemoteIP", "string"),
    ("RemotePort", "int"),
    ("RemoteUrl", "string"),
    ("LocalIP", "string"),
    ("LocalPort", "int"),
    ("Protocol", "string"),
    ("LocalIPType", "string"),
    ("RemoteIPType", "string"),
    ("InitiatingProcessSHA1", "string"),
    ("InitiatingProcessSHA256", "string"),
    ("InitiatingProcessMD5", "string"),
    ("InitiatingProcessFileName", "string"),
    ("InitiatingProcessFileSize", "long"),
    ("InitiatingProcessVersionInfoCompanyName", "string"),
    ("InitiatingProcessVersionInfoProductName", "string"),
    ("InitiatingProcessVersionInfoProductVersion", "string"),
    ("InitiatingProcessVersionInfoInternalFileName", "string"),
    ("InitiatingProcessVersionInfoOriginalFileName", "string"),
    ("InitiatingProcessVersionInfoFileDescription", "string"),
    ("InitiatingProcessId", "long"),
    ("InitiatingProcessCommandLine", "string"),
    ("InitiatingProcessCreationTime", "datetime"),
    ("InitiatingProcessFolderPath", "string"),
    ("InitiatingProcessParentFileName", "string"),
    ("InitiatingProcessParentId", "long"),
    ("InitiatingProcessParentCreationTime", "datetime"),
    ("InitiatingProcessAccountDomain", "string"),
    ("InitiatingProcessAccountName", "string"),
    ("InitiatingProcessAccountSid", "string"),
    ("InitiatingProcessAccountUpn", "string"),
    ("InitiatingProcessAccountObjectId", "string"),
    ("InitiatingProcessIntegrityLevel", "string"),
    ("InitiatingProcessTokenElevation", "string"),
    ("ReportId", "long"),
    ("AppGuardContainerId", "string"),
    ("AdditionalFields", "dynamic"),
    ("MachineGroup", "string"),
    ("SourceSystem", "string"),
    ("Type", "string"),
)

COMMON_SECURITY_LOG: tuple[tuple[str, str], ...] = (
    ("TenantId", "string"),
    ("TimeGenerated", "datetime"),
    ("SourceSystem", "string"),
    ("Computer", "string"),
    ("CollectorHostName", "string"),
    ("DeviceVendor", "string"),
    ("DeviceProduct", "string"),
    ("DeviceVersion", "string"),
    ("DeviceEventClassID", "string"),
    ("Activity", "string"),
    ("LogSeverity", "string"),
    ("OriginalLogSeverity", "string"),
    ("DeviceAction", "string"),
    ("SimplifiedDeviceAction", "string"),
    ("ApplicationProtocol", "string"),
    ("Protocol", "string"),
    ("CommunicationDirection", "string"),
    ("SourceIP", "string"),
    ("SourcePort", "int"),
    ("SourceHostName", "string"),
    ("SourceUserName", "string"),
    ("SourceTranslatedAddress", "string"),
    ("SourceTranslatedPort", "int"),
    ("DestinationIP", "string"),
    ("DestinationPort", "int"),
    ("DestinationHostName", "string"),
    ("DestinationDnsDomain", "string"),
    ("RequestURL", "string"),
    ("RequestMethod", "string"),
    ("RequestClientApplication", "string"),
    ("RequestContext", "string"),
    ("DeviceName", "string"),
    ("DeviceAddress", "string"),
    ("DeviceInboundInterface", "string"),
    ("DeviceOutboundInterface", "string"),
    ("SentBytes", "long"),
    ("ReceivedBytes", "long"),
    ("EventCount", "int"),
    ("EventType", "int"),
    ("DeviceCustomString1", "string"),
    ("DeviceCustomString1Label", "string"),
    ("DeviceCustomString2", "string"),
    ("DeviceCustomString2Label", "string"),
    ("AdditionalExtensions", "string"),
    ("Message", "string"),
    ("ReceiptTime", "string"),
    ("Reason", "string"),
    ("RemoteIP", "string"),
    ("RemotePort", "string"),
    ("MaliciousIP", "string"),
    ("ThreatSeverity", "int"),
    ("Type", "string"),
    ("_ResourceId", "string"),
)

SECURITY_EVENT: tuple[tuple[str, str], ...] = (
    ("TimeGenerated", "datetime"),
    ("SourceSystem", "string"),
    ("Account", "string"),
    ("AccountType", "string"),
    ("Computer", "string"),
    ("EventSourceName", "string"),
    ("Channel", "string"),
    ("Task", "int"),
    ("Level", "string"),
    ("EventData", "string"),
    ("EventID", "int"),
    ("Activity", "string"),
    ("AccessMask", "string"),
    ("AuthenticationPackageName", "string"),
    ("CommandLine", "string"),
    ("IpAddress", "string"),
    ("IpPort", "string"),
    ("LogonProcessName", "string"),
    ("LogonType", "int"),
    ("LogonTypeName", "string"),
    ("MandatoryLabel", "string"),
    ("NewProcessId", "string"),
    ("NewProcessName", "string"),
    ("ObjectName", "string"),
    ("ObjectServer", "string"),
    ("ObjectType", "string"),
    ("ParentProcessName", "string"),
    ("Process", "string"),
    ("ProcessId", "string"),
    ("ProcessName", "string"),
    ("SubjectAccount", "string"),
    ("SubjectDomainName", "string"),
    ("SubjectLogonId", "string"),
    ("SubjectUserName", "string"),
    ("SubjectUserSid", "string"),
    ("TargetAccount", "string"),
    ("TargetDomainName", "string"),
    ("TargetLogonId", "string"),
    ("TargetUserName", "string"),
    ("TargetUserSid", "string"),
    ("TokenElevationType", "string"),
    ("WorkstationName", "string"),
    ("Status", "string"),
    ("SubStatus", "string"),
    ("FailureReason", "string"),
    ("Type", "string"),
    ("_ResourceId", "string"),
)

SYSLOG: tuple[tuple[str, str], ...] = (
    ("TimeGenerated", "datetime"),
    ("SourceSystem", "string"),
    ("Computer", "string"),
    ("EventTime", "datetime"),
    ("Facility", "string"),
    ("HostName", "string"),
    ("SeverityLevel", "string"),
    ("SyslogMessage", "string"),
    ("ProcessID", "int"),
    ("HostIP", "string"),
    ("ProcessName", "string"),
    ("CollectorHostName", "string"),
    ("Type", "string"),
    ("_ResourceId", "string"),
)

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "DnsEvents": DNS_EVENTS,
    "DeviceNetworkEvents": DEVICE_NETWORK_EVENTS,
    "CommonSecurityLog": COMMON_SECURITY_LOG,
    "SecurityEvent": SECURITY_EVENT,
    "Syslog": SYSLOG,
}
"""Table name to its (column name, KQL type) pairs, in the order the table is created."""


def create_table_sql(table: str) -> str:
    """Return the `CREATE OR REPLACE TABLE` statement of one demo table."""
    definitions = []
    for name, kql_type in TABLES[table]:
        definition = f'"{name}" {KQL_TO_DUCKDB[kql_type]}'
        if kql_type == "string":
            definition += " DEFAULT ''"
        definitions.append(definition)
    return f'CREATE OR REPLACE TABLE "{table}" ({", ".join(definitions)})'
