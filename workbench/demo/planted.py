"""The planted story of the demo workspace: Nanocore RAT C2 lookups, look-alike traps and benign look-alikes.

Two Nanocore RAT C2 domains from a ThreatFox report (`test3012.duckdns.org`,
`elroiseeme02.ip-ddns.com`) are looked up and contacted by four hosts:
`WS-114` (the first infection, beaconing for 11 days), `WS-207`, `FIN-LT-033`
and the CI runner `BUILD-07`. The nightly job on `BUILD-07` resolves a
dynamic-DNS test name, which is the false positive an analyst is meant to
exclude. The lookups
use the name itself, subdomains, upper case and a trailing dot, which all ARE
the domain. `TRAP_NAMES` are names a careless match hits but that are not the
domain (`has_any` hits `test3012.duckdns.org.example.net`, a bare `endswith`
hits `xtest3012.duckdns.org`).

Around them sit the benign activity that hunts for this malware usually trip
over: scheduled maintenance tasks, patch management PowerShell run by
`admin_account`, log collectors writing `C:\\temp\\log_*.tmp`, antivirus
quarantine and CI artifact downloads by `jenkins.exe`.

Planted rows are placed relative to `end` and do not depend on the seed.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from workbench.demo import catalog
from workbench.demo.catalog import HOSTS_BY_NAME

NANOCORE_DOMAINS = ("test3012.duckdns.org", "elroiseeme02.ip-ddns.com")
"""The C2 domain indicators, normalised (lower case, no trailing dot)."""

TRAP_NAMES = (
    "test3012.duckdns.org.example.net",
    "test3012.duckdns.org.evil.example",
    "xtest3012.duckdns.org",
    "homelab-test3012.duckdns.org",
    "test3013.duckdns.org",
    "elroiseeme02.ip-ddns.com.evil.example",
    "notelroiseeme02.ip-ddns.com",
    "elroiseeme02-ip-ddns.com",
)
"""Names present in `DnsEvents` that contain or end with a C2 domain's text but are not the domain or a subdomain."""

PLANTED_HOSTS = ("WS-114", "WS-207", "FIN-LT-033", "BUILD-07")
"""Computers whose `DnsEvents` rows hit a C2 domain."""

CI_RUNNER_HOST = "BUILD-07"
"""The planted host whose hits are a false positive (a CI job resolving a dynamic-DNS test name)."""

C2_ADDRESSES = {"test3012.duckdns.org": "203.0.113.45", "elroiseeme02.ip-ddns.com": "198.51.100.23"}
"""The address each C2 domain resolves to in the demo (documentation ranges of RFC 5737)."""

NANOCORE_PORTS = {"test3012.duckdns.org": 54984, "elroiseeme02.ip-ddns.com": 7090}

_DHCPMON_FOLDER = r"C:\Users\{user}\AppData\Roaming\5B9F2E1A-7C3D-4E8F-A0B1-C2D3E4F5A6B7\DHCP Monitor"
_REGASM = r"C:\Windows\Microsoft.NET\Framework\v4.0.30319\RegAsm.exe"

Row = dict[str, Any]


class _Clock:
    """Times relative to `end`, keeping only those inside the 14-day window."""

    def __init__(self, end: datetime) -> None:
        self.end = end
        self.start = end - timedelta(days=14)
        self.midnight = end.replace(hour=0, minute=0, second=0, microsecond=0)

    def ago(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        return self.end - timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)

    def daily(self, hour: int, minute: int, days: range = range(14)) -> Iterator[tuple[int, datetime]]:
        """Yield (days ago, time) for the given time of day on each of `days` days back, inside the window."""
        for days_ago in days:
            moment = self.midnight - timedelta(days=days_ago) + timedelta(hours=hour, minutes=minute)
            if self.start < moment < self.end:
                yield days_ago, moment


def planted_rows(end: datetime) -> dict[str, list[Row]]:
    """Return the planted rows of every demo table, keyed by table name."""
    clock = _Clock(end)
    return {
        "DnsEvents": list(_dns_events(clock)),
        "DeviceNetworkEvents": list(_device_network_events(clock)),
        "CommonSecurityLog": list(_common_security_log(clock)),
        "SecurityEvent": list(_security_events(clock)),
        "Syslog": list(_syslog(clock)),
    }


# DnsEvents


def _lookup(time: datetime, host_name: str, name: str, *, answer: str = "", result_code: int = 0) -> Row:
    host = HOSTS_BY_NAME[host_name]
    return {
        "TimeGenerated": time,
        "SourceSystem": "OpsManager",
        "Computer": host.name,
        "EventId": 258 if result_code else 257,
        "SubType": "LookupQuery",
        "ClientIP": host.ip,
        "Name": name,
        "IPAddresses": answer,
        "QueryType": "A",
        "Result": "Failure" if result_code else "Success",
        "ResultCode": result_code,
        "TaskCategory": "LookupQuery",
        "Type": "DnsEvents",
        "_ResourceId": host.resource_id,
    }


def _dns_events(clock: _Clock) -> Iterator[Row]:
    test3012 = C2_ADDRESSES["test3012.duckdns.org"]
    elroi = C2_ADDRESSES["elroiseeme02.ip-ddns.com"]

    # WS-114 beacons every 8 hours from 11 days back; it also resolves a subdomain.
    for step in range(33):
        yield _lookup(clock.ago(days=11, minutes=-(step * 480 + step % 7)), "WS-114", "test3012.duckdns.org", answer=test3012)
    for days_ago in (8, 5, 2):
        yield _lookup(clock.ago(days=days_ago, hours=3, minutes=17), "WS-114", "a1.test3012.duckdns.org", answer=test3012)

    # WS-207 resolves the upper-case, fully qualified form in its malware configuration.
    for days_ago in (6, 4, 3, 1):
        yield _lookup(clock.ago(days=days_ago, hours=5, minutes=41), "WS-207", "TEST3012.DUCKDNS.ORG.", answer=test3012)
    for days_ago in (4, 2):
        yield _lookup(clock.ago(days=days_ago, hours=1, minutes=9), "WS-207", "test3012.duckdns.org", answer=test3012)

    # FIN-LT-033 talks to the second domain in every form.
    for step in range(14):
        yield _lookup(clock.ago(days=7, minutes=-(step * 720 + 13)), "FIN-LT-033", "elroiseeme02.ip-ddns.com", answer=elroi)
    for days_ago in (5, 3):
        yield _lookup(clock.ago(days=days_ago, hours=2, minutes=2), "FIN-LT-033", "cdn.elroiseeme02.ip-ddns.com", answer=elroi)
    for days_ago in (6, 4, 1):
        yield _lookup(clock.ago(days=days_ago, hours=7, minutes=30), "FIN-LT-033", "ELROISEEME02.IP-DDNS.COM.", answer=elroi)
    yield _lookup(clock.ago(days=2, hours=9, minutes=12), "FIN-LT-033", "Elroiseeme02.IP-DDNS.com", answer=elroi)

    # BUILD-07's nightly integration test resolves a dynamic-DNS name: the false positive.
    for _days_ago, moment in clock.daily(2, 10):
        yield _lookup(moment, CI_RUNNER_HOST, "test3012.duckdns.org", answer=test3012)

    # Look-alike names that are not the C2 domains.
    trap_hosts = ("WS-031", "WS-150", "FIN-LT-012")
    for index, name in enumerate(TRAP_NAMES):
        nxdomain = name.endswith((".example.net", ".example")) or name.startswith("elroiseeme02-")
        for repeat in range(3):
            yield _lookup(
                clock.ago(days=1 + (index + repeat * 4) % 12, hours=index + 1, minutes=repeat * 11),
                trap_hosts[(index + repeat) % len(trap_hosts)],
                name,
                answer="" if nxdomain else f"192.0.2.{10 + index}",
                result_code=3 if nxdomain else 0,
            )


# DeviceNetworkEvents


def _connection(
    time: datetime,
    host_name: str,
    *,
    url: str,
    remote_ip: str,
    remote_port: int,
    file_name: str,
    folder: str,
    command_line: str,
    parent: str,
    account: str,
    action: str = "ConnectionSuccess",
    company: str = "",
) -> Row:
    host = HOSTS_BY_NAME[host_name]
    system = account == "system"
    return {
        "TenantId": catalog.TENANT_ID,
        "TimeGenerated": time,
        "Timestamp": time - timedelta(milliseconds=850),
        "DeviceId": _sha1_hex(host.name),
        "DeviceName": host.fqdn,
        "ActionType": action,
        "RemoteIP": remote_ip,
        "RemotePort": remote_port,
        "RemoteUrl": url,
        "LocalIP": host.ip,
        "LocalPort": 49152 + (time.minute * 61 + time.second) % 16000,
        "Protocol": "Tcp",
        "LocalIPType": "Private",
        "RemoteIPType": "Private" if remote_ip.startswith("10.") else "Public",
        "InitiatingProcessSHA1": _sha1_hex(file_name),
        "InitiatingProcessFileName": file_name,
        "InitiatingProcessVersionInfoCompanyName": company,
        "InitiatingProcessVersionInfoOriginalFileName": file_name,
        "InitiatingProcessId": 2000 + (time.hour * 97 + time.day) % 20000,
        "InitiatingProcessCommandLine": command_line,
        "InitiatingProcessCreationTime": time - timedelta(minutes=5),
        "InitiatingProcessFolderPath": folder + "\\" + file_name,
        "InitiatingProcessParentFileName": parent,
        "InitiatingProcessAccountDomain": "nt authority" if system else catalog.AD_DOMAIN.lower(),
        "InitiatingProcessAccountName": account,
        "InitiatingProcessAccountUpn": "" if system else f"{account}@{catalog.DNS_SUFFIX}",
        "InitiatingProcessIntegrityLevel": "System" if system else "Medium",
        "InitiatingProcessTokenElevation": "TokenElevationTypeDefault",
        "ReportId": int(time.timestamp()) % 1_000_000,
        "MachineGroup": {"server": "Servers", "build": "Build agents"}.get(host.role, "Workstations"),
        "Type": "DeviceNetworkEvents",
    }


def _sha1_hex(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _device_network_events(clock: _Clock) -> Iterator[Row]:
    test3012 = "test3012.duckdns.org"
    elroi = "elroiseeme02.ip-ddns.com"
    ws114 = HOSTS_BY_NAME["WS-114"]
    ws207 = HOSTS_BY_NAME["WS-207"]
    fin = HOSTS_BY_NAME["FIN-LT-033"]

    for days_ago in range(11, 0, -1):
        yield _connection(
            clock.ago(days=days_ago, hours=4, minutes=2), "WS-114", url=test3012, remote_ip=C2_ADDRESSES[test3012],
            remote_port=NANOCORE_PORTS[test3012], file_name="dhcpmon.exe", folder=_DHCPMON_FOLDER.format(user=ws114.user),
            command_line='"dhcpmon.exe"', parent="Invoice_0931.exe", account=ws114.user,
        )
    yield _connection(
        clock.ago(days=5, hours=3, minutes=16), "WS-114", url="a1." + test3012, remote_ip=C2_ADDRESSES[test3012],
        remote_port=NANOCORE_PORTS[test3012], file_name="dhcpmon.exe", folder=_DHCPMON_FOLDER.format(user=ws114.user),
        command_line='"dhcpmon.exe"', parent="Invoice_0931.exe", account=ws114.user,
    )
    for days_ago in (4, 3, 1):
        yield _connection(
            clock.ago(days=days_ago, hours=5, minutes=40), "WS-207", url=test3012, remote_ip=C2_ADDRESSES[test3012],
            remote_port=NANOCORE_PORTS[test3012], file_name="dhcpmon.exe", folder=_DHCPMON_FOLDER.format(user=ws207.user),
            command_line='"dhcpmon.exe"', parent="svchost.exe", account=ws207.user, action="ConnectionFailed",
        )
    for days_ago in range(7, 0, -1):
        yield _connection(
            clock.ago(days=days_ago, hours=6, minutes=12), "FIN-LT-033", url=elroi, remote_ip=C2_ADDRESSES[elroi],
            remote_port=NANOCORE_PORTS[elroi], file_name="RegAsm.exe", folder=_REGASM.rsplit("\\", 1)[0],
            command_line=f'"{_REGASM}"', parent="PO-7731.exe", account=fin.user, company="Microsoft Corporation",
        )
    yield _connection(
        clock.ago(days=3, hours=2, minutes=1), "FIN-LT-033", url="cdn." + elroi, remote_ip=C2_ADDRESSES[elroi],
        remote_port=NANOCORE_PORTS[elroi], file_name="RegAsm.exe", folder=_REGASM.rsplit("\\", 1)[0],
        command_line=f'"{_REGASM}"', parent="PO-7731.exe", account=fin.user, company="Microsoft Corporation",
    )

    # BUILD-07: the CI job's probe of the dynamic-DNS name, and nightly artifact downloads.
    jenkins = dict(
        file_name="jenkins.exe", folder=r"C:\Program Files\Jenkins", parent="services.exe", account="svc_jenkins",
        command_line=r'"C:\Program Files\Jenkins\jenkins.exe" -Xrs -jar "C:\Program Files\Jenkins\jenkins.war" --httpPort=8080',
        company="Jenkins project",
    )
    for days_ago in (9, 5, 2):
        yield _connection(clock.ago(days=days_ago, hours=20, minutes=49), CI_RUNNER_HOST, url=test3012,
                          remote_ip=C2_ADDRESSES[test3012], remote_port=443, **jenkins)
    for _days_ago, moment in clock.daily(2, 12):
        yield _connection(moment, CI_RUNNER_HOST, url="artifacts.contoso.com", remote_ip="10.10.0.40", remote_port=443, **jenkins)
        yield _connection(moment + timedelta(seconds=40), CI_RUNNER_HOST, url="repo1.maven.org",
                          remote_ip="151.101.40.209", remote_port=443, **jenkins)

    # Look-alikes opened in a browser.
    chrome = ("chrome.exe", r"C:\Program Files\Google\Chrome\Application")
    edge = ("msedge.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application")
    traps = (
        ("WS-031", "xtest3012.duckdns.org", chrome),
        ("WS-150", "test3012.duckdns.org.example.net", edge),
        ("FIN-LT-012", "notelroiseeme02.ip-ddns.com", chrome),
        ("WS-088", "elroiseeme02.ip-ddns.com.evil.example", edge),
    )
    for index, (host_name, url, (browser, folder)) in enumerate(traps):
        host = HOSTS_BY_NAME[host_name]
        yield _connection(clock.ago(days=2 + index, hours=3), host_name, url=url, remote_ip=f"192.0.2.{40 + index}",
                          remote_port=443, file_name=browser, folder=folder,
                          command_line=f'"{folder}\\{browser}"', parent="explorer.exe", account=host.user)

    # Patch management, log collectors and antivirus updates.
    patched = ("WS-010", "WS-020", "WS-114", "FIN-LT-033", "FS01", "SQL01", "APP01", "APP02")
    for days_ago in (9, 2):
        for index, host_name in enumerate(patched):
            yield _connection(
                clock.ago(days=days_ago, hours=6, minutes=index), host_name, url="wsus01.contoso.com", remote_ip="10.10.0.15",
                remote_port=8530, file_name="powershell.exe", folder=r"C:\Windows\System32\WindowsPowerShell\v1.0",
                command_line=r"powershell.exe -ExecutionPolicy Bypass -File \\fs01\it$\patching\patch_update.ps1",
                parent="wsmprovhost.exe", account="admin_account", company="Microsoft Corporation",
            )
    for hours_ago in range(4, 14 * 24, 4):
        yield _connection(clock.ago(hours=hours_ago), "SPLUNK-HF01", url="splunk-idx01.contoso.com", remote_ip="10.10.0.60",
                          remote_port=9997, file_name="splunkd.exe", folder=r"C:\Program Files\Splunk\bin",
                          command_line='"C:\\Program Files\\Splunk\\bin\\splunkd.exe" service', parent="services.exe",
                          account="system", company="Splunk Inc.")
        yield _connection(clock.ago(hours=hours_ago, minutes=2), "LOGCOL-01", url="lnx-elk01.contoso.com", remote_ip="10.50.0.14",
                          remote_port=5044, file_name="logstash.exe", folder=r"C:\logstash\bin",
                          command_line=r"C:\logstash\bin\logstash.exe -f C:\logstash\config\pipeline.conf",
                          parent="services.exe", account="svc_logcollector", company="Elasticsearch B.V.")
    for _days_ago, moment in clock.daily(11, 30):
        for host_name in ("WS-031", "WS-114", "FIN-LT-033"):
            yield _connection(moment, host_name, url="upgrade.bitdefender.com", remote_ip="104.18.12.33", remote_port=443,
                              file_name="EPSecurityService.exe", folder=r"C:\Program Files\Bitdefender\Endpoint Security",
                              command_line='"EPSecurityService.exe"', parent="services.exe", account="system",
                              company="Bitdefender")


# CommonSecurityLog


def _web_request(time: datetime, host_name: str, host_name_visited: str, url: str, *, destination_ip: str,
                 port: int = 443, blocked: bool = False, user: str | None = None) -> Row:
    host = HOSTS_BY_NAME[host_name]
    return {
        "TenantId": catalog.TENANT_ID,
        "TimeGenerated": time,
        "SourceSystem": "OpsManager",
        "Computer": catalog.FIREWALL,
        "CollectorHostName": catalog.SYSLOG_COLLECTOR,
        "DeviceVendor": "Zscaler",
        "DeviceProduct": "NSSWeblog",
        "DeviceVersion": "6.2",
        "DeviceEventClassID": "web",
        "Activity": "Blocked" if blocked else "Allowed",
        "LogSeverity": "5" if blocked else "1",
        "DeviceAction": "Blocked" if blocked else "Allowed",
        "SimplifiedDeviceAction": "Deny" if blocked else "Allow",
        "ApplicationProtocol": "HTTPS" if url.startswith("https") else "HTTP",
        "Protocol": "TCP",
        "CommunicationDirection": "Outbound",
        "SourceIP": host.ip,
        "SourcePort": 50000 + time.minute * 60 + time.second,
        "SourceHostName": host.name,
        "SourceUserName": f"{user or host.user}@{catalog.DNS_SUFFIX}",
        "DestinationIP": destination_ip,
        "DestinationPort": port,
        "DestinationHostName": host_name_visited,
        "RequestURL": url,
        "RequestMethod": "GET",
        "DeviceName": catalog.FIREWALL,
        "DeviceAddress": catalog.FIREWALL_IP,
        "SentBytes": 612,
        "ReceivedBytes": 1840,
        "EventCount": 1,
        "EventType": 0,
        "DeviceCustomString2": "Dynamic DNS Hosts" if "duckdns" in url or "ip-ddns" in url else "Miscellaneous or Unknown",
        "DeviceCustomString2Label": "URLCategory",
        "Type": "CommonSecurityLog",
    }


def _traffic(time: datetime, host_name: str, destination_host: str, destination_ip: str, port: int) -> Row:
    host = HOSTS_BY_NAME[host_name]
    return {
        "TenantId": catalog.TENANT_ID,
        "TimeGenerated": time,
        "SourceSystem": "OpsManager",
        "Computer": catalog.FIREWALL,
        "CollectorHostName": catalog.SYSLOG_COLLECTOR,
        "DeviceVendor": "Palo Alto Networks",
        "DeviceProduct": "PAN-OS",
        "DeviceVersion": "11.1.4",
        "DeviceEventClassID": "end",
        "Activity": "TRAFFIC",
        "LogSeverity": "1",
        "DeviceAction": "allow",
        "SimplifiedDeviceAction": "Allow",
        "Protocol": "TCP",
        "CommunicationDirection": "Outbound",
        "SourceIP": host.ip,
        "SourcePort": 50000 + time.minute * 60 + time.second,
        "DestinationIP": destination_ip,
        "DestinationPort": port,
        "DestinationHostName": destination_host,
        "DeviceName": catalog.FIREWALL,
        "DeviceAddress": catalog.FIREWALL_IP,
        "SentBytes": 2048,
        "ReceivedBytes": 512,
        "EventCount": 1,
        "EventType": 0,
        "DeviceCustomString1": "allow-outbound-any",
        "DeviceCustomString1Label": "Rule",
        "Type": "CommonSecurityLog",
    }


def _common_security_log(clock: _Clock) -> Iterator[Row]:
    test3012 = "test3012.duckdns.org"
    elroi = "elroiseeme02.ip-ddns.com"

    for days_ago in range(11, 0, -2):
        yield _traffic(clock.ago(days=days_ago, hours=4, minutes=2), "WS-114", test3012, C2_ADDRESSES[test3012],
                       NANOCORE_PORTS[test3012])
    yield _web_request(clock.ago(days=5, hours=3, minutes=16), "WS-114", "a1." + test3012,
                       f"http://a1.{test3012}:{NANOCORE_PORTS[test3012]}/", destination_ip=C2_ADDRESSES[test3012],
                       port=NANOCORE_PORTS[test3012])
    for days_ago in (6, 4, 2, 1):
        yield _web_request(clock.ago(days=days_ago, hours=6, minutes=12), "FIN-LT-033", elroi,
                           f"http://{elroi}:{NANOCORE_PORTS[elroi]}/", destination_ip=C2_ADDRESSES[elroi],
                           port=NANOCORE_PORTS[elroi])
    yield _web_request(clock.ago(days=3, hours=2, minutes=1), "FIN-LT-033", "cdn." + elroi, f"http://cdn.{elroi}/",
                       destination_ip=C2_ADDRESSES[elroi], port=80, blocked=True)
    for days_ago in (9, 5, 2):
        yield _web_request(clock.ago(days=days_ago, hours=20, minutes=49), CI_RUNNER_HOST, test3012,
                           f"https://{test3012}/health", destination_ip=C2_ADDRESSES[test3012], user="svc_jenkins")

    traps = (
        ("WS-031", "xtest3012.duckdns.org", "https://xtest3012.duckdns.org/"),
        ("WS-150", "test3012.duckdns.org.example.net", "https://test3012.duckdns.org.example.net/"),
        ("FIN-LT-012", "notelroiseeme02.ip-ddns.com", "https://notelroiseeme02.ip-ddns.com/"),
        ("WS-088", "elroiseeme02.ip-ddns.com.evil.example", "https://elroiseeme02.ip-ddns.com.evil.example/login"),
    )
    for index, (host_name, visited, url) in enumerate(traps):
        yield _web_request(clock.ago(days=2 + index, hours=3), host_name, visited, url, destination_ip=f"192.0.2.{40 + index}")


# SecurityEvent


def _process_created(time: datetime, host_name: str, *, new_process: str, command_line: str, parent: str,
                     account: str, system: bool = False) -> Row:
    host = HOSTS_BY_NAME[host_name]
    user = account.split("\\")[-1]
    return {
        "TimeGenerated": time,
        "SourceSystem": "OpsManager",
        "Account": account,
        "AccountType": "Machine" if system else "User",
        "Computer": host.name,
        "EventSourceName": "Microsoft-Windows-Security-Auditing",
        "Channel": "Security",
        "Task": 13312,
        "Level": "8",
        "EventID": 4688,
        "Activity": catalog.SECURITY_EVENT_ACTIVITIES[4688],
        "CommandLine": command_line,
        "MandatoryLabel": "S-1-16-16384" if system else "S-1-16-12288",
        "NewProcessId": f"0x{(time.minute * 3600 + time.second * 17 + 4096):x}",
        "NewProcessName": new_process,
        "ParentProcessName": parent,
        "Process": new_process.rsplit("\\", 1)[-1],
        "ProcessId": f"0x{(time.hour * 131 + 900):x}",
        "SubjectAccount": account,
        "SubjectDomainName": account.split("\\")[0],
        "SubjectLogonId": "0x3e7" if system else f"0x{(_stable_hash(user) % 16777216):x}",
        "SubjectUserName": user,
        "TokenElevationType": "%%1936" if system else "%%1937",
        "Type": "SecurityEvent",
        "_ResourceId": host.resource_id,
    }


def _object_accessed(time: datetime, host_name: str, *, object_name: str, process_name: str, account: str) -> Row:
    host = HOSTS_BY_NAME[host_name]
    return {
        "TimeGenerated": time,
        "SourceSystem": "OpsManager",
        "Account": account,
        "AccountType": "User",
        "Computer": host.name,
        "EventSourceName": "Microsoft-Windows-Security-Auditing",
        "Channel": "Security",
        "Task": 12800,
        "Level": "8",
        "EventID": 4663,
        "Activity": catalog.SECURITY_EVENT_ACTIVITIES[4663],
        "AccessMask": "0x2",
        "ObjectName": object_name,
        "ObjectServer": "Security",
        "ObjectType": "File",
        "ProcessId": f"0x{(time.hour * 53 + 700):x}",
        "ProcessName": process_name,
        "SubjectAccount": account,
        "SubjectDomainName": account.split("\\")[0],
        "SubjectUserName": account.split("\\")[-1],
        "Type": "SecurityEvent",
        "_ResourceId": host.resource_id,
    }


def _stable_hash(text: str) -> int:
    """Return a stable integer for `text` (Python's own `hash` of a str changes per process)."""
    return zlib.crc32(text.encode())


def _security_events(clock: _Clock) -> Iterator[Row]:
    domain = catalog.AD_DOMAIN
    ws114 = HOSTS_BY_NAME["WS-114"]
    fin = HOSTS_BY_NAME["FIN-LT-033"]
    dhcpmon = _DHCPMON_FOLDER.format(user=ws114.user) + r"\dhcpmon.exe"
    invoice = rf"C:\Users\{ws114.user}\Downloads\Invoice_0931.exe"

    # The infections: a phishing attachment on WS-114 installs the RAT and its scheduled task.
    yield _process_created(clock.ago(days=11, minutes=3), "WS-114", new_process=invoice, command_line=f'"{invoice}"',
                           parent=r"C:\Windows\explorer.exe", account=f"{domain}\\{ws114.user}")
    yield _process_created(clock.ago(days=11, minutes=2), "WS-114", new_process=r"C:\Windows\System32\schtasks.exe",
                           command_line=rf'"schtasks.exe" /create /f /tn "DHCP Monitor" /xml "C:\Users\{ws114.user}\AppData\Local\Temp\tmpB0F1.tmp"',
                           parent=invoice, account=f"{domain}\\{ws114.user}")
    yield _process_created(clock.ago(days=11, minutes=1), "WS-114", new_process=dhcpmon, command_line=f'"{dhcpmon}"',
                           parent=invoice, account=f"{domain}\\{ws114.user}")
    purchase_order = rf"C:\Users\{fin.user}\AppData\Local\Temp\PO-7731.exe"
    yield _process_created(clock.ago(days=7, minutes=20), "FIN-LT-033", new_process=purchase_order,
                           command_line=f'"{purchase_order}"', parent=r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE",
                           account=f"{domain}\\{fin.user}")
    yield _process_created(clock.ago(days=7, minutes=19), "FIN-LT-033", new_process=_REGASM, command_line=f'"{_REGASM}"',
                           parent=purchase_order, account=f"{domain}\\{fin.user}")

    # Scheduled maintenance: the Task Scheduler starts schtasks-registered scripts nightly.
    for _days_ago, moment in clock.daily(3, 0):
        for host_name in ("FS01", "SQL01", "WSUS01"):
            yield _process_created(moment, host_name, new_process=r"C:\Windows\System32\schtasks.exe",
                                   command_line=r'schtasks.exe /Run /TN "\Contoso\Maintenance\maintenance_script"',
                                   parent=r"C:\Windows\System32\svchost.exe", account="NT AUTHORITY\\SYSTEM", system=True)
            yield _process_created(moment + timedelta(seconds=2), host_name,
                                   new_process=r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
                                   command_line=r"powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\Scripts\maintenance_script.ps1",
                                   parent=r"C:\Windows\System32\svchost.exe", account="NT AUTHORITY\\SYSTEM", system=True)

    # Patch management by admin_account.
    patched = ("WS-010", "WS-020", "WS-114", "FIN-LT-033", "FS01", "SQL01", "APP01", "APP02")
    for days_ago in (9, 2):
        for index, host_name in enumerate(patched):
            yield _process_created(clock.ago(days=days_ago, hours=6, minutes=index, seconds=5), host_name,
                                   new_process=r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
                                   command_line=r"powershell.exe -ExecutionPolicy Bypass -File \\fs01\it$\patching\patch_update.ps1",
                                   parent=r"C:\Windows\System32\wsmprovhost.exe", account=f"{domain}\\admin_account")

    # Log collectors writing temporary files under C:\temp.
    for hours_ago in range(4, 14 * 24, 4):
        moment = clock.ago(hours=hours_ago)
        stamp = moment.strftime("%Y%m%d%H")
        yield _object_accessed(moment, "SPLUNK-HF01", object_name=rf"C:\temp\log_{stamp}.tmp",
                               process_name=r"C:\Program Files\Splunk\bin\splunkd.exe", account=f"{domain}\\svc_splunk")
        yield _object_accessed(moment + timedelta(minutes=2), "LOGCOL-01", object_name=rf"C:\temp\log_{stamp}_ls.tmp",
                               process_name=r"C:\logstash\bin\logstash.exe", account=f"{domain}\\svc_logcollector")

    # Antivirus quarantine of a download on WS-031.
    yield _object_accessed(clock.ago(days=3, hours=8), "WS-031",
                           object_name=r"C:\ProgramData\Bitdefender\Endpoint Security\Quarantine\5f3a9c1e.qua",
                           process_name=r"C:\Program Files\Bitdefender\Endpoint Security\EPSecurityService.exe",
                           account=f"{domain}\\WS-031$")

    # CI/CD: jenkins.exe on BUILD-07 fetches build artifacts nightly.
    for _days_ago, moment in clock.daily(2, 11):
        yield _process_created(moment, CI_RUNNER_HOST, new_process=r"C:\Windows\System32\curl.exe",
                               command_line=r"curl.exe -fsSL -o build\artifacts\agent-installer.zip https://artifacts.contoso.com/ci/agent-installer.zip",
                               parent=r"C:\Program Files\Jenkins\jenkins.exe", account=f"{domain}\\svc_jenkins")
        yield _process_created(moment + timedelta(seconds=30), CI_RUNNER_HOST, new_process=r"C:\Program Files\Git\cmd\git.exe",
                               command_line="git.exe fetch --tags --force --progress -- https://git.contoso.com/platform/agent.git",
                               parent=r"C:\Program Files\Jenkins\jenkins.exe", account=f"{domain}\\svc_jenkins")


# Syslog


def _syslog_line(time: datetime, host_name: str, *, facility: str, severity: str, process: str, process_id: int,
                 message: str) -> Row:
    host = HOSTS_BY_NAME[host_name]
    return {
        "TimeGenerated": time,
        "SourceSystem": "Linux",
        "Computer": host.name,
        "EventTime": time - timedelta(milliseconds=400),
        "Facility": facility,
        "HostName": host.name,
        "SeverityLevel": severity,
        "SyslogMessage": message,
        "ProcessID": process_id,
        "HostIP": host.ip,
        "ProcessName": process,
        "CollectorHostName": host.name,
        "Type": "Syslog",
        "_ResourceId": host.resource_id,
    }


def _syslog(clock: _Clock) -> Iterator[Row]:
    for days_ago, moment in clock.daily(3, 15):
        for index, host_name in enumerate(("lnx-web01", "lnx-db01", "lnx-files01")):
            yield _syslog_line(moment, host_name, facility="cron", severity="info", process="CRON",
                               process_id=20000 + days_ago * 10 + index,
                               message="(root) CMD (/opt/maintenance/maintenance_script.sh --rotate --vacuum)")
    for hours_ago in range(4, 14 * 24, 4):
        moment = clock.ago(hours=hours_ago, minutes=1)
        yield _syslog_line(moment, "lnx-elk01", facility="daemon", severity="info", process="logstash", process_id=1822,
                           message=f'[INFO ][logstash.outputs.file] Opening file {{:path=>"/var/tmp/log_{moment:%Y%m%d%H}.tmp"}}')
    quarantined = "/srv/share/finance/PO-7731.exe"
    moment = clock.ago(days=6, hours=22)
    yield _syslog_line(moment, "lnx-files01", facility="daemon", severity="warning", process="clamd", process_id=911,
                       message=f"{quarantined}: Win.Trojan.Nanocore-9852758-0 FOUND")
    yield _syslog_line(moment + timedelta(seconds=1), "lnx-files01", facility="daemon", severity="info", process="clamd",
                       process_id=911, message=f"{quarantined}: moved to '/var/lib/clamav/quarantine/PO-7731.exe'")
    moment = clock.ago(days=2, hours=13)
    yield _syslog_line(moment, "lnx-files01", facility="daemon", severity="warning", process="clamd", process_id=911,
                       message="/srv/share/it/tools/putty-0.81-installer.msi: Win.Packed.Generic-9953241-0 FOUND")
    yield _syslog_line(moment + timedelta(seconds=1), "lnx-files01", facility="daemon", severity="info", process="clamd",
                       process_id=911, message="/srv/share/it/tools/putty-0.81-installer.msi: moved to "
                       "'/var/lib/clamav/quarantine/putty-0.81-installer.msi'")
