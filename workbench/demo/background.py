"""Bulk background rows of the demo tables, built by DuckDB SQL from `range()`.

Every random choice is `hash(row number, seed, label)`. DuckDB's `hash()` has
no per-process salt, so the same seed and end time give the same rows in every
run of the same DuckDB version. The work runs in DuckDB's threads rather than
in a Python loop: 10,000,000 `DnsEvents` rows took about 35 s on 2 shared
cores (`bench/bench_hunt.py`).
The label keeps the draws of different columns independent. Row order follows
`range()`, because DuckDB preserves insertion order by default.

The background never contains a Nanocore C2 domain: names come from
`catalog.BACKGROUND_DOMAINS` and `catalog.BACKGROUND_NAME_TEMPLATES` only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from workbench.demo import catalog

WINDOW_MILLISECONDS = 14 * 24 * 3600 * 1000
"""Length of the covered window: rows fall in the 14 days before `end`."""

# TimeGenerated strictly inside (end - 14 days, end), to the millisecond.
_TIME = "$end::TIMESTAMPTZ - to_milliseconds((1 + hash(i, $seed, '{label}') % ({window} - 1))::BIGINT)"

# A uniform draw in [0, 1) and a draw skewed towards 0 (its square), for
# picking popular list entries more often.
_UNIFORM = "((hash(i, $seed, '{label}') % 1000000) / 1000000.0)"


def _time(label: str) -> str:
    return _TIME.format(label=label, window=WINDOW_MILLISECONDS)


def _pick(list_parameter: str, label: str, *, skewed: bool = False) -> str:
    """Return SQL that picks one element of the list parameter by a hash draw."""
    uniform = _UNIFORM.format(label=label)
    draw = f"({uniform} * {uniform})" if skewed else uniform
    return f"list_element(${list_parameter}, (1 + floor({draw} * len(${list_parameter})))::INTEGER)"


def _ip_from(hash_sql: str) -> str:
    """Return SQL for a public IPv4 address derived from a UBIGINT hash expression."""
    return (
        f"list_element($octets, (1 + ({hash_sql}) % len($octets))::INTEGER)::VARCHAR"
        f" || '.' || (({hash_sql}) // 16 % 256)::VARCHAR"
        f" || '.' || (({hash_sql}) // 4096 % 256)::VARCHAR"
        f" || '.' || (1 + ({hash_sql}) // 1048576 % 254)::VARCHAR"
    )


def parameters(seed: int, end: datetime) -> dict[str, Any]:
    """Return the values the background statements name; `parameters_for` picks one statement's share."""
    windows = [host for host in catalog.HOSTS if host.os == "Windows"]
    linux = [host for host in catalog.HOSTS if host.os == "Linux"]
    programs = catalog.PROGRAMS
    return {
        "seed": seed,
        "end": end,
        "octets": list(catalog.PUBLIC_FIRST_OCTETS),
        "domains": list(catalog.BACKGROUND_DOMAINS),
        "templates": list(catalog.BACKGROUND_NAME_TEMPLATES),
        "query_types": list(catalog.QUERY_TYPES),
        "all_names": [host.name for host in catalog.HOSTS],
        "all_ips": [host.ip for host in catalog.HOSTS],
        "all_ids": [host.resource_id for host in catalog.HOSTS],
        "win_names": [host.name for host in windows],
        "win_ips": [host.ip for host in windows],
        "win_users": [host.user for host in windows],
        "win_roles": [host.role for host in windows],
        "win_ids": [host.resource_id for host in windows],
        "lnx_names": [host.name for host in linux],
        "lnx_ips": [host.ip for host in linux],
        "lnx_ids": [host.resource_id for host in linux],
        "users": list(catalog.USERS),
        "prog_files": [program.file_name for program in programs],
        "prog_folders": [program.folder for program in programs],
        "prog_parents": [program.parent for program in programs],
        "prog_commands": [program.command_line for program in programs],
        "prog_companies": [program.company for program in programs],
        "prog_products": [program.product for program in programs],
        "prog_versions": [program.version for program in programs],
        "prog_descriptions": [program.description for program in programs],
    }


def parameters_for(sql: str, all_parameters: dict[str, Any]) -> dict[str, Any]:
    """Return the parameters `sql` names, because DuckDB rejects one the statement does not use."""
    return {name: value for name, value in all_parameters.items() if f"${name}" in sql}


# NOTE: in DnsEvents from Windows DNS servers `Computer` is the DNS server and
# `ClientIP` the querying client. The demo puts the querying host in `Computer`
# (with its address in `ClientIP`) so that the hunt's projection, which has no
# `ClientIP`, shows who looked a name up and an exclusion on `Computer` works.
# The `EventId` (257, 258), `TaskCategory` and `Result` values are plausible
# guesses: the table reference documents the columns but not their values.
DNS_EVENTS_SQL = f"""
INSERT INTO "DnsEvents" BY NAME
WITH draws AS (
    SELECT
        i,
        {_time('dns:time')} AS "TimeGenerated",
        (1 + hash(i, $seed, 'dns:host') % len($all_names))::INTEGER AS host_index,
        CASE WHEN hash(i, $seed, 'dns:template') % 100 < 12
            THEN replace({_pick('templates', 'dns:template-pick')}, '{{n}}',
                         (hash(i, $seed, 'dns:label') % 50000)::VARCHAR)
            ELSE {_pick('domains', 'dns:name', skewed=True)}
        END AS query_name,
        {_pick('query_types', 'dns:type')} AS "QueryType",
        hash(i, $seed, 'dns:result') % 100 < 4 AS nxdomain
    FROM range($rows) AS r(i)
), answered AS (
    SELECT *, hash(query_name, $seed, 'dns:answer') AS answer_hash FROM draws
)
SELECT
    "TimeGenerated",
    'OpsManager' AS "SourceSystem",
    list_element($all_names, host_index) AS "Computer",
    CASE WHEN nxdomain THEN 258 ELSE 257 END AS "EventId",
    'LookupQuery' AS "SubType",
    list_element($all_ips, host_index) AS "ClientIP",
    CASE WHEN "QueryType" = 'PTR'
        THEN (answer_hash % 250 + 1)::VARCHAR || '.' || (answer_hash // 256 % 3)::VARCHAR || '.20.10.in-addr.arpa'
        ELSE query_name
    END AS "Name",
    CASE
        WHEN nxdomain THEN ''
        WHEN "QueryType" = 'A' AND query_name LIKE '%.contoso.com'
            THEN '10.10.' || (answer_hash % 4)::VARCHAR || '.' || (10 + answer_hash // 4 % 200)::VARCHAR
        WHEN "QueryType" = 'A' AND answer_hash % 10 < 3
            THEN {_ip_from('answer_hash')} || ',' || {_ip_from('answer_hash // 7')}
        WHEN "QueryType" = 'A' THEN {_ip_from('answer_hash')}
        WHEN "QueryType" = 'AAAA'
            THEN '2606:4700:' || printf('%x', answer_hash % 65536) || '::' || printf('%x', answer_hash // 65536 % 65536)
        ELSE ''
    END AS "IPAddresses",
    "QueryType",
    CASE WHEN nxdomain THEN 'Failure' ELSE 'Success' END AS "Result",
    CASE WHEN nxdomain THEN 3 ELSE 0 END AS "ResultCode",
    'LookupQuery' AS "TaskCategory",
    'DnsEvents' AS "Type",
    list_element($all_ids, host_index) AS "_ResourceId"
FROM answered
"""

DEVICE_NETWORK_EVENTS_SQL = f"""
INSERT INTO "DeviceNetworkEvents" BY NAME
WITH draws AS (
    SELECT
        i,
        {_time('dne:time')} AS "TimeGenerated",
        (1 + hash(i, $seed, 'dne:host') % len($win_names))::INTEGER AS host_index,
        (1 + hash(i, $seed, 'dne:program') % len($prog_files))::INTEGER AS program_index,
        CASE WHEN hash(i, $seed, 'dne:has-url') % 100 < 75
            THEN {_pick('domains', 'dne:url', skewed=True)} ELSE '' END AS url,
        hash(i, $seed, 'dne:action') % 100 AS action_draw,
        hash(i, $seed, 'dne:misc') AS misc
    FROM range($rows) AS r(i)
), shaped AS (
    SELECT *,
        list_element($prog_parents, program_index) IN ('services.exe', 'MsSense.exe') AS as_system,
        CASE WHEN url = '' THEN hash(i, $seed, 'dne:ip') ELSE hash(url, $seed, 'dns:answer') END AS answer_hash
    FROM draws
)
SELECT
    '{catalog.TENANT_ID}' AS "TenantId",
    "TimeGenerated",
    "TimeGenerated" - to_milliseconds((misc % 3000)::BIGINT) AS "Timestamp",
    sha1(list_element($win_names, host_index)) AS "DeviceId",
    lower(list_element($win_names, host_index)) || '.{catalog.DNS_SUFFIX}' AS "DeviceName",
    CASE WHEN action_draw < 88 THEN 'ConnectionSuccess'
         WHEN action_draw < 95 THEN 'ConnectionFailed'
         ELSE 'ConnectionRequest' END AS "ActionType",
    CASE WHEN url LIKE '%.contoso.com'
        THEN '10.10.' || (answer_hash % 4)::VARCHAR || '.' || (10 + answer_hash // 4 % 200)::VARCHAR
        ELSE {_ip_from('answer_hash')} END AS "RemoteIP",
    CASE WHEN misc % 10 = 0 THEN 80 ELSE 443 END AS "RemotePort",
    url AS "RemoteUrl",
    list_element($win_ips, host_index) AS "LocalIP",
    (49152 + misc // 16 % 16000)::INTEGER AS "LocalPort",
    'Tcp' AS "Protocol",
    'Private' AS "LocalIPType",
    CASE WHEN url LIKE '%.contoso.com' THEN 'Private' ELSE 'Public' END AS "RemoteIPType",
    sha1(list_element($prog_files, program_index)) AS "InitiatingProcessSHA1",
    sha256(list_element($prog_files, program_index)) AS "InitiatingProcessSHA256",
    md5(list_element($prog_files, program_index)) AS "InitiatingProcessMD5",
    list_element($prog_files, program_index) AS "InitiatingProcessFileName",
    (200000 + hash(list_element($prog_files, program_index)) % 4000000)::BIGINT AS "InitiatingProcessFileSize",
    list_element($prog_companies, program_index) AS "InitiatingProcessVersionInfoCompanyName",
    list_element($prog_products, program_index) AS "InitiatingProcessVersionInfoProductName",
    list_element($prog_versions, program_index) AS "InitiatingProcessVersionInfoProductVersion",
    list_element($prog_files, program_index) AS "InitiatingProcessVersionInfoInternalFileName",
    list_element($prog_files, program_index) AS "InitiatingProcessVersionInfoOriginalFileName",
    list_element($prog_descriptions, program_index) AS "InitiatingProcessVersionInfoFileDescription",
    (1000 + misc // 65536 % 30000)::BIGINT AS "InitiatingProcessId",
    list_element($prog_commands, program_index) AS "InitiatingProcessCommandLine",
    "TimeGenerated" - to_seconds((misc // 7 % 86400)::BIGINT) AS "InitiatingProcessCreationTime",
    list_element($prog_folders, program_index) || '\\' || list_element($prog_files, program_index) AS "InitiatingProcessFolderPath",
    list_element($prog_parents, program_index) AS "InitiatingProcessParentFileName",
    (400 + misc // 1048576 % 9000)::BIGINT AS "InitiatingProcessParentId",
    "TimeGenerated" - to_seconds((86400 + misc // 11 % 86400)::BIGINT) AS "InitiatingProcessParentCreationTime",
    CASE WHEN as_system THEN 'nt authority' ELSE lower('{catalog.AD_DOMAIN}') END AS "InitiatingProcessAccountDomain",
    CASE WHEN as_system THEN 'system' ELSE list_element($win_users, host_index) END AS "InitiatingProcessAccountName",
    CASE WHEN as_system THEN 'S-1-5-18'
        ELSE 'S-1-5-21-1004336348-1177238915-682003330-' || (1100 + hash(list_element($win_users, host_index)) % 900)::VARCHAR
    END AS "InitiatingProcessAccountSid",
    CASE WHEN as_system THEN '' ELSE list_element($win_users, host_index) || '@{catalog.DNS_SUFFIX}' END AS "InitiatingProcessAccountUpn",
    CASE WHEN as_system THEN 'System' ELSE 'Medium' END AS "InitiatingProcessIntegrityLevel",
    CASE WHEN as_system THEN 'TokenElevationTypeDefault' ELSE 'TokenElevationTypeLimited' END AS "InitiatingProcessTokenElevation",
    (misc % 1000000)::BIGINT AS "ReportId",
    CASE list_element($win_roles, host_index)
        WHEN 'server' THEN 'Servers' WHEN 'build' THEN 'Build agents' ELSE 'Workstations' END AS "MachineGroup",
    'DeviceNetworkEvents' AS "Type"
FROM shaped
"""

COMMON_SECURITY_LOG_SQL = f"""
INSERT INTO "CommonSecurityLog" BY NAME
WITH draws AS (
    SELECT
        i,
        {_time('csl:time')} AS "TimeGenerated",
        (1 + hash(i, $seed, 'csl:host') % len($all_names))::INTEGER AS host_index,
        hash(i, $seed, 'csl:kind') % 100 < 60 AS is_traffic,
        {_pick('domains', 'csl:name', skewed=True)} AS host_name,
        hash(i, $seed, 'csl:misc') AS misc
    FROM range($rows) AS r(i)
), shaped AS (
    SELECT *,
        hash(host_name, $seed, 'dns:answer') AS answer_hash,
        misc % 100 < 3 AS denied
    FROM draws
)
SELECT
    '{catalog.TENANT_ID}' AS "TenantId",
    "TimeGenerated",
    'OpsManager' AS "SourceSystem",
    '{catalog.FIREWALL}' AS "Computer",
    '{catalog.SYSLOG_COLLECTOR}' AS "CollectorHostName",
    CASE WHEN is_traffic THEN 'Palo Alto Networks' ELSE 'Zscaler' END AS "DeviceVendor",
    CASE WHEN is_traffic THEN 'PAN-OS' ELSE 'NSSWeblog' END AS "DeviceProduct",
    CASE WHEN is_traffic THEN '11.1.4' ELSE '6.2' END AS "DeviceVersion",
    CASE WHEN is_traffic THEN 'end' ELSE 'web' END AS "DeviceEventClassID",
    CASE WHEN is_traffic THEN 'TRAFFIC' WHEN denied THEN 'Blocked' ELSE 'Allowed' END AS "Activity",
    CASE WHEN denied THEN '5' ELSE '1' END AS "LogSeverity",
    CASE WHEN denied THEN 'Medium' ELSE 'Informational' END AS "OriginalLogSeverity",
    CASE WHEN denied AND is_traffic THEN 'deny' WHEN denied THEN 'Blocked'
         WHEN is_traffic THEN 'allow' ELSE 'Allowed' END AS "DeviceAction",
    CASE WHEN denied THEN 'Deny' ELSE 'Allow' END AS "SimplifiedDeviceAction",
    CASE WHEN misc % 10 = 0 THEN 'HTTP' ELSE 'HTTPS' END AS "ApplicationProtocol",
    'TCP' AS "Protocol",
    'Outbound' AS "CommunicationDirection",
    list_element($all_ips, host_index) AS "SourceIP",
    (49152 + misc // 16 % 16000)::INTEGER AS "SourcePort",
    CASE WHEN is_traffic THEN '' ELSE list_element($all_names, host_index) END AS "SourceHostName",
    CASE WHEN is_traffic THEN '' ELSE {_pick('users', 'csl:user')} || '@{catalog.DNS_SUFFIX}' END AS "SourceUserName",
    '198.51.100.7' AS "SourceTranslatedAddress",
    (1024 + misc // 1024 % 60000)::INTEGER AS "SourceTranslatedPort",
    {_ip_from('answer_hash')} AS "DestinationIP",
    CASE WHEN misc % 10 = 0 THEN 80 ELSE 443 END AS "DestinationPort",
    CASE WHEN is_traffic THEN '' ELSE host_name END AS "DestinationHostName",
    CASE WHEN is_traffic THEN ''
        ELSE CASE WHEN misc % 10 = 0 THEN 'http://' ELSE 'https://' END || host_name || '/'
             || list_element(['', 'index.html', 'api/v1/events', 'static/app.js', 'login', 'favicon.ico'],
                             (1 + misc // 64 % 6)::INTEGER)
    END AS "RequestURL",
    CASE WHEN is_traffic THEN '' WHEN misc // 8 % 10 < 2 THEN 'POST' ELSE 'GET' END AS "RequestMethod",
    CASE WHEN is_traffic THEN ''
        ELSE 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
    END AS "RequestClientApplication",
    '{catalog.FIREWALL}' AS "DeviceName",
    '{catalog.FIREWALL_IP}' AS "DeviceAddress",
    CASE WHEN is_traffic THEN 'ethernet1/2' ELSE '' END AS "DeviceInboundInterface",
    CASE WHEN is_traffic THEN 'ethernet1/1' ELSE '' END AS "DeviceOutboundInterface",
    (200 + misc // 4096 % 20000)::BIGINT AS "SentBytes",
    (500 + misc // 65536 % 900000)::BIGINT AS "ReceivedBytes",
    1 AS "EventCount",
    0 AS "EventType",
    CASE WHEN is_traffic THEN 'allow-outbound-web' ELSE '' END AS "DeviceCustomString1",
    CASE WHEN is_traffic THEN 'Rule' ELSE '' END AS "DeviceCustomString1Label",
    CASE WHEN is_traffic THEN '' ELSE 'Professional Services' END AS "DeviceCustomString2",
    CASE WHEN is_traffic THEN '' ELSE 'URLCategory' END AS "DeviceCustomString2Label",
    'CommonSecurityLog' AS "Type"
FROM shaped
"""

SECURITY_EVENT_SQL = f"""
INSERT INTO "SecurityEvent" BY NAME
WITH draws AS (
    SELECT
        i,
        {_time('se:time')} AS "TimeGenerated",
        (1 + hash(i, $seed, 'se:host') % len($win_names))::INTEGER AS host_index,
        (1 + hash(i, $seed, 'se:program') % len($prog_files))::INTEGER AS program_index,
        hash(i, $seed, 'se:event') % 100 AS event_draw,
        hash(i, $seed, 'se:misc') AS misc
    FROM range($rows) AS r(i)
), shaped AS (
    SELECT *,
        CASE WHEN event_draw < 50 THEN 4688 WHEN event_draw < 72 THEN 4624 WHEN event_draw < 87 THEN 4634
             WHEN event_draw < 95 THEN 4672 ELSE 4625 END AS event_id,
        list_element($win_users, host_index) AS user_name,
        list_element($prog_parents, program_index) IN ('services.exe', 'MsSense.exe') AS as_system,
        CASE WHEN misc % 10 < 6 THEN 3 WHEN misc % 10 < 9 THEN 2 ELSE 10 END AS logon_type
    FROM draws
)
SELECT
    "TimeGenerated",
    'OpsManager' AS "SourceSystem",
    CASE WHEN event_id = 4688 AND as_system THEN 'NT AUTHORITY\\SYSTEM'
         ELSE '{catalog.AD_DOMAIN}\\' || user_name END AS "Account",
    CASE WHEN event_id = 4688 AND as_system THEN 'Machine' ELSE 'User' END AS "AccountType",
    list_element($win_names, host_index) AS "Computer",
    'Microsoft-Windows-Security-Auditing' AS "EventSourceName",
    'Security' AS "Channel",
    CASE event_id WHEN 4688 THEN 13312 WHEN 4624 THEN 12544 WHEN 4625 THEN 12544
                  WHEN 4634 THEN 12545 ELSE 12548 END AS "Task",
    CASE WHEN event_id = 4625 THEN '16' ELSE '8' END AS "Level",
    event_id AS "EventID",
    CASE event_id
        WHEN 4688 THEN '{catalog.SECURITY_EVENT_ACTIVITIES[4688]}'
        WHEN 4624 THEN '{catalog.SECURITY_EVENT_ACTIVITIES[4624]}'
        WHEN 4625 THEN '{catalog.SECURITY_EVENT_ACTIVITIES[4625]}'
        WHEN 4634 THEN '{catalog.SECURITY_EVENT_ACTIVITIES[4634]}'
        ELSE '{catalog.SECURITY_EVENT_ACTIVITIES[4672]}'
    END AS "Activity",
    CASE WHEN event_id IN (4624, 4625) THEN CASE WHEN logon_type = 3 THEN 'Kerberos' ELSE 'Negotiate' END ELSE '' END
        AS "AuthenticationPackageName",
    CASE WHEN event_id = 4688 THEN list_element($prog_commands, program_index) ELSE '' END AS "CommandLine",
    CASE WHEN event_id IN (4624, 4625) THEN list_element($all_ips, (1 + misc // 16 % len($all_ips))::INTEGER) ELSE '' END
        AS "IpAddress",
    CASE WHEN event_id IN (4624, 4625) THEN (49152 + misc // 256 % 16000)::VARCHAR ELSE '' END AS "IpPort",
    CASE WHEN event_id IN (4624, 4625) THEN CASE WHEN logon_type = 3 THEN 'Kerberos' ELSE 'User32 ' END ELSE '' END
        AS "LogonProcessName",
    CASE WHEN event_id IN (4624, 4625, 4634) THEN logon_type END AS "LogonType",
    CASE WHEN event_id IN (4624, 4625, 4634) THEN
        CASE logon_type WHEN 3 THEN '3 - Network' WHEN 2 THEN '2 - Interactive' ELSE '10 - RemoteInteractive' END
        ELSE '' END AS "LogonTypeName",
    CASE WHEN event_id = 4688 THEN CASE WHEN as_system THEN 'S-1-16-16384' ELSE 'S-1-16-8192' END ELSE '' END
        AS "MandatoryLabel",
    CASE WHEN event_id = 4688 THEN printf('0x%x', 1000 + misc // 65536 % 30000) ELSE '' END AS "NewProcessId",
    CASE WHEN event_id = 4688 THEN list_element($prog_folders, program_index) || '\\' || list_element($prog_files, program_index)
         ELSE '' END AS "NewProcessName",
    CASE WHEN event_id = 4688 THEN
        CASE list_element($prog_parents, program_index)
            WHEN 'explorer.exe' THEN 'C:\\Windows\\explorer.exe'
            WHEN 'services.exe' THEN 'C:\\Windows\\System32\\services.exe'
            WHEN 'MsSense.exe' THEN 'C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe'
            ELSE 'C:\\Users\\' || user_name || '\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe'
        END
        ELSE '' END AS "ParentProcessName",
    CASE WHEN event_id = 4688 THEN list_element($prog_files, program_index) ELSE '' END AS "Process",
    CASE WHEN event_id = 4688 THEN printf('0x%x', 400 + misc // 1048576 % 9000) ELSE '' END AS "ProcessId",
    CASE WHEN event_id = 4688 AND as_system THEN 'NT AUTHORITY\\SYSTEM'
         WHEN event_id IN (4688, 4672) THEN '{catalog.AD_DOMAIN}\\' || user_name ELSE '' END AS "SubjectAccount",
    CASE WHEN event_id IN (4688, 4672) THEN '{catalog.AD_DOMAIN}' ELSE '' END AS "SubjectDomainName",
    CASE WHEN event_id IN (4688, 4672) THEN printf('0x%x', misc // 4096 % 16777216) ELSE '' END AS "SubjectLogonId",
    CASE WHEN event_id IN (4688, 4672) THEN user_name ELSE '' END AS "SubjectUserName",
    CASE WHEN event_id IN (4688, 4672)
        THEN 'S-1-5-21-1004336348-1177238915-682003330-' || (1100 + hash(user_name) % 900)::VARCHAR ELSE '' END
        AS "SubjectUserSid",
    CASE WHEN event_id IN (4624, 4625, 4634) THEN '{catalog.AD_DOMAIN}\\' || user_name ELSE '' END AS "TargetAccount",
    CASE WHEN event_id IN (4624, 4625, 4634) THEN '{catalog.AD_DOMAIN}' ELSE '' END AS "TargetDomainName",
    CASE WHEN event_id IN (4624, 4634) THEN printf('0x%x', misc // 4096 % 16777216) ELSE '' END AS "TargetLogonId",
    CASE WHEN event_id IN (4624, 4625, 4634) THEN user_name ELSE '' END AS "TargetUserName",
    CASE WHEN event_id IN (4624, 4625, 4634)
        THEN 'S-1-5-21-1004336348-1177238915-682003330-' || (1100 + hash(user_name) % 900)::VARCHAR ELSE '' END
        AS "TargetUserSid",
    CASE WHEN event_id = 4688 THEN CASE WHEN as_system THEN '%%1936' ELSE '%%1938' END ELSE '' END AS "TokenElevationType",
    CASE WHEN event_id IN (4624, 4625) THEN list_element($win_names, host_index) ELSE '' END AS "WorkstationName",
    CASE WHEN event_id = 4625 THEN '0xc000006d' ELSE '' END AS "Status",
    CASE WHEN event_id = 4625 THEN '0xc000006a' ELSE '' END AS "SubStatus",
    CASE WHEN event_id = 4625 THEN '%%2313' ELSE '' END AS "FailureReason",
    'SecurityEvent' AS "Type",
    list_element($win_ids, host_index) AS "_ResourceId"
FROM shaped
"""

SYSLOG_SQL = f"""
INSERT INTO "Syslog" BY NAME
WITH draws AS (
    SELECT
        i,
        {_time('sys:time')} AS "TimeGenerated",
        (1 + hash(i, $seed, 'sys:host') % len($lnx_names))::INTEGER AS host_index,
        hash(i, $seed, 'sys:kind') % 100 AS kind_draw,
        hash(i, $seed, 'sys:misc') AS misc
    FROM range($rows) AS r(i)
), shaped AS (
    SELECT *,
        CASE WHEN kind_draw < 25 THEN 'sshd-accept' WHEN kind_draw < 35 THEN 'sshd-fail'
             WHEN kind_draw < 55 THEN 'cron' WHEN kind_draw < 75 THEN 'systemd'
             WHEN kind_draw < 88 THEN 'ufw' ELSE 'sudo' END AS kind,
        {_ip_from("hash(i, $seed, 'sys:remote')")} AS outside_ip
    FROM draws
)
SELECT
    "TimeGenerated",
    'Linux' AS "SourceSystem",
    list_element($lnx_names, host_index) AS "Computer",
    "TimeGenerated" - to_milliseconds((misc % 2000)::BIGINT) AS "EventTime",
    CASE kind WHEN 'cron' THEN 'cron' WHEN 'systemd' THEN 'daemon' WHEN 'ufw' THEN 'kern'
              WHEN 'sudo' THEN 'authpriv' ELSE 'auth' END AS "Facility",
    list_element($lnx_names, host_index) AS "HostName",
    CASE kind WHEN 'ufw' THEN 'warning' WHEN 'sshd-fail' THEN 'info' WHEN 'sudo' THEN 'notice' ELSE 'info' END
        AS "SeverityLevel",
    CASE kind
        WHEN 'sshd-accept' THEN 'Accepted publickey for deploy from 10.20.0.' || (21 + misc // 8 % 180)::VARCHAR
            || ' port ' || (49152 + misc // 4096 % 16000)::VARCHAR || ' ssh2: ED25519 SHA256:'
            || substr(sha256(misc::VARCHAR), 1, 43)
        WHEN 'sshd-fail' THEN 'Failed password for invalid user '
            || list_element(['admin', 'oracle', 'test', 'ubuntu', 'postgres'], (1 + misc // 8 % 5)::INTEGER)
            || ' from ' || outside_ip || ' port ' || (1024 + misc // 4096 % 60000)::VARCHAR || ' ssh2'
        WHEN 'cron' THEN list_element(['(root) CMD (run-parts /etc/cron.hourly)',
                                       '(root) CMD (/usr/lib/sysstat/debian-sa1 1 1)',
                                       '(www-data) CMD (php /var/www/app/artisan schedule:run)'],
                                      (1 + misc // 8 % 3)::INTEGER)
        WHEN 'systemd' THEN list_element(['Started Session ' || (misc // 8 % 90000)::VARCHAR || ' of User deploy.',
                                          'Starting Daily apt download activities...',
                                          'Finished Rotate log files.'],
                                         (1 + misc // 8 % 3)::INTEGER)
        WHEN 'ufw' THEN '[UFW BLOCK] IN=eth0 OUT= MAC= SRC=' || outside_ip || ' DST=' || list_element($lnx_ips, host_index)
            || ' LEN=44 TOS=0x00 PREC=0x00 TTL=239 ID=54321 PROTO=TCP SPT=' || (1024 + misc // 8 % 60000)::VARCHAR
            || ' DPT=' || list_element(['23', '445', '3389', '8080', '5900'], (1 + misc // 4096 % 5)::INTEGER)
            || ' WINDOW=65535 RES=0x00 SYN URGP=0'
        ELSE 'deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl restart '
            || list_element(['nginx', 'postgresql', 'filebeat'], (1 + misc // 8 % 3)::INTEGER)
    END AS "SyslogMessage",
    CASE kind WHEN 'ufw' THEN NULL ELSE (300 + misc // 16 % 60000)::INTEGER END AS "ProcessID",
    list_element($lnx_ips, host_index) AS "HostIP",
    CASE kind WHEN 'sshd-accept' THEN 'sshd' WHEN 'sshd-fail' THEN 'sshd' WHEN 'cron' THEN 'CRON'
              WHEN 'systemd' THEN 'systemd' WHEN 'ufw' THEN 'kernel' ELSE 'sudo' END AS "ProcessName",
    list_element($lnx_names, host_index) AS "CollectorHostName",
    'Syslog' AS "Type",
    list_element($lnx_ids, host_index) AS "_ResourceId"
FROM shaped
"""

TABLE_SQL = {
    "DnsEvents": DNS_EVENTS_SQL,
    "DeviceNetworkEvents": DEVICE_NETWORK_EVENTS_SQL,
    "CommonSecurityLog": COMMON_SECURITY_LOG_SQL,
    "SecurityEvent": SECURITY_EVENT_SQL,
    "Syslog": SYSLOG_SQL,
}
"""Table name to the `INSERT ... SELECT` statement of its background rows; each takes `$rows`."""
