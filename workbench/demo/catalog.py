"""The made-up organisation behind the demo telemetry: hosts, users, domains and processes.

Everything here is fixed; only the background rows drawn from it depend on the
seed. The organisation is Contoso (`CONTOSO`, `contoso.com`) with workstations
`WS-001`..`WS-240`, finance laptops `FIN-LT-001`..`FIN-LT-040`, CI runners
`BUILD-01`..`BUILD-08`, Windows servers and a few Linux servers.

No background domain equals one of the Nanocore C2 domains or ends with
`.` + one of them: the planted rows are the only hits, so tests can count them.
"""

from __future__ import annotations

from dataclasses import dataclass

AD_DOMAIN = "CONTOSO"
DNS_SUFFIX = "contoso.com"
TENANT_ID = "5f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5"
SUBSCRIPTION_ID = "0b7d6c5e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"
FIREWALL = "FW-EDGE-01"
FIREWALL_IP = "10.0.0.1"
SYSLOG_COLLECTOR = "lnx-collector01"


@dataclass(frozen=True)
class Host:
    """One machine of the demo organisation."""

    name: str
    """Short upper-case Windows name (`WS-114`) or lower-case Linux name (`lnx-web01`)."""
    ip: str
    os: str
    """`Windows` or `Linux`."""
    role: str
    """`workstation`, `laptop`, `build`, `server` or `linux`."""
    user: str
    """The account that usually runs processes there (a user, or a service account on servers)."""

    @property
    def fqdn(self) -> str:
        return f"{self.name.lower()}.{DNS_SUFFIX}"

    @property
    def resource_id(self) -> str:
        return (
            f"/subscriptions/{SUBSCRIPTION_ID}/resourcegroups/contoso-soc-demo/providers/"
            f"microsoft.compute/virtualmachines/{self.name.lower()}"
        )


USERS = (
    "jmorales", "akhan", "lchen", "bsmith", "tnguyen", "mrossi", "kpatel", "ejohnson",
    "dmueller", "sgarcia", "hlee", "pwilson", "ocarter", "rsingh", "nbrown", "fdubois",
    "iwang", "ymartin", "vlopez", "cthomas", "gkim", "umoore", "wtaylor", "zanderson",
    "qjackson", "xwhite", "aharris", "bclark", "clewis", "drobinson", "ewalker", "fyoung",
)


def _build_hosts() -> tuple[Host, ...]:
    hosts: list[Host] = []
    for number in range(1, 241):
        hosts.append(Host(f"WS-{number:03d}", f"10.20.{number // 200}.{number % 200 + 20}", "Windows", "workstation", USERS[number % len(USERS)]))
    for number in range(1, 41):
        hosts.append(Host(f"FIN-LT-{number:03d}", f"10.30.1.{number + 20}", "Windows", "laptop", USERS[(number * 7) % len(USERS)]))
    for number in range(1, 9):
        hosts.append(Host(f"BUILD-{number:02d}", f"10.40.2.{number + 10}", "Windows", "build", "svc_jenkins"))
    servers = (
        ("DC01", "svc_ad"), ("DC02", "svc_ad"), ("FS01", "svc_backup"), ("SQL01", "svc_sql"),
        ("EXCH01", "svc_exchange"), ("WSUS01", "svc_wsus"), ("LOGCOL-01", "svc_logcollector"),
        ("SPLUNK-HF01", "svc_splunk"), ("APP01", "svc_app"), ("APP02", "svc_app"),
    )
    for index, (name, user) in enumerate(servers):
        hosts.append(Host(name, f"10.10.0.{index + 10}", "Windows", "server", user))
    linux = (
        "lnx-web01", "lnx-web02", "lnx-web03", "lnx-db01", "lnx-elk01",
        "lnx-bastion01", "lnx-files01", SYSLOG_COLLECTOR,
    )
    for index, name in enumerate(linux):
        hosts.append(Host(name, f"10.50.0.{index + 10}", "Linux", "linux", "root"))
    return tuple(hosts)


HOSTS: tuple[Host, ...] = _build_hosts()
HOSTS_BY_NAME: dict[str, Host] = {host.name: host for host in HOSTS}

# Ordered from most to least queried: the background draws an index skewed
# towards the start of the list.
BACKGROUND_DOMAINS = (
    "login.microsoftonline.com", "outlook.office365.com", "www.google.com", "teams.microsoft.com",
    "graph.microsoft.com", "settings-win.data.microsoft.com", "contoso.sharepoint.com", "www.bing.com",
    "clients4.google.com", "update.googleapis.com", "fonts.gstatic.com", "api.github.com",
    "github.com", "ctldl.windowsupdate.com", "download.windowsupdate.com", "oneclient.sfx.ms",
    "slack.com", "wss-primary.slack.com", "zoom.us", "www.youtube.com", "i.ytimg.com",
    "edge.microsoft.com", "nav.smartscreen.microsoft.com", "ocsp.digicert.com", "crl3.digicert.com",
    "ocsp.pki.goog", "www.linkedin.com", "static.licdn.com", "cdn.jsdelivr.net", "ajax.googleapis.com",
    "www.wikipedia.org", "en.wikipedia.org", "news.ycombinator.com", "www.reddit.com", "stackoverflow.com",
    "cdn.sstatic.net", "pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "repo1.maven.org",
    "dc.services.visualstudio.com", "vortex.data.microsoft.com", "self.events.data.microsoft.com",
    "wdcp.microsoft.com", "winatp-gw-weu.microsoft.com", "time.windows.com", "www.msftconnecttest.com",
    "dns.msftncsi.com", "adservice.google.com", "www.googletagmanager.com", "www.google-analytics.com",
    "connect.facebook.net", "www.amazon.com", "images-na.ssl-images-amazon.com", "s3.amazonaws.com",
    "contoso-backups.s3.amazonaws.com", "dropbox.com", "www.dropbox.com", "docs.google.com",
    "drive.google.com", "mail.google.com", "accounts.google.com", "www.salesforce.com",
    "contoso.my.salesforce.com", "www.servicenow.com", "contoso.service-now.com", "www.okta.com",
    "contoso.okta.com", "www.bbc.co.uk", "www.nytimes.com", "www.theguardian.com", "weather.com",
    "www.adobe.com", "acrobat.adobe.com", "ardownload2.adobe.com", "www.zscaler.com",
    "upgrade.bitdefender.com", "nimbus.bitdefender.net", "splunk-idx01.contoso.com",
    "wsus01.contoso.com", "dc01.contoso.com", "dc02.contoso.com", "fs01.contoso.com",
    "sql01.contoso.com", "exch01.contoso.com", "intranet.contoso.com", "artifacts.contoso.com",
    "jenkins.contoso.com", "git.contoso.com", "wpad.contoso.com", "_ldap._tcp.dc._msdcs.contoso.com",
    "homelab-nas.duckdns.org", "plex-home.duckdns.org", "printer.ddns.net", "vpn.no-ip.org",
)

# Label templates for names with a random-looking first label, so the names
# are not a closed list: `{n}` becomes a number drawn from the row's hash.
BACKGROUND_NAME_TEMPLATES = (
    "e{n}.dscx.akamaiedge.net",
    "r{n}.sn-4g5e6nz7.googlevideo.com",
    "s{n}.ipcdn.apple.com",
    "cdn{n}.cloudfront.net",
    "host-{n}.contoso.com",
)

# First octets of the public addresses that background lookups resolve to.
PUBLIC_FIRST_OCTETS = (13, 20, 23, 34, 35, 40, 52, 54, 104, 142, 151, 157, 185, 199)

QUERY_TYPES = ("A", "A", "A", "A", "A", "A", "A", "AAAA", "AAAA", "PTR", "SRV", "TXT", "MX", "CNAME")


@dataclass(frozen=True)
class Program:
    """A Windows program that shows up in the background process and network rows."""

    file_name: str
    folder: str
    parent: str
    command_line: str
    company: str
    product: str
    version: str
    description: str


PROGRAMS = (
    Program("chrome.exe", r"C:\Program Files\Google\Chrome\Application", "explorer.exe",
            r'"C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService',
            "Google LLC", "Google Chrome", "131.0.6778.86", "Google Chrome"),
    Program("msedge.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application", "explorer.exe",
            r'"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService',
            "Microsoft Corporation", "Microsoft Edge", "131.0.2903.70", "Microsoft Edge"),
    Program("ms-teams.exe", r"C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe", "explorer.exe",
            r'"ms-teams.exe"', "Microsoft Corporation", "Microsoft Teams", "24295.605.3225.8804", "Microsoft Teams"),
    Program("OUTLOOK.EXE", r"C:\Program Files\Microsoft Office\root\Office16", "explorer.exe",
            r'"C:\Program Files\Microsoft Office\Root\Office16\OUTLOOK.EXE"',
            "Microsoft Corporation", "Microsoft Outlook", "16.0.18129.20158", "Microsoft Outlook"),
    Program("OneDrive.exe", r"C:\Program Files\Microsoft OneDrive", "explorer.exe",
            r'"C:\Program Files\Microsoft OneDrive\OneDrive.exe" /background',
            "Microsoft Corporation", "Microsoft OneDrive", "24.201.1006.0005", "Microsoft OneDrive"),
    Program("svchost.exe", r"C:\Windows\System32", "services.exe",
            r"C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache",
            "Microsoft Corporation", "Microsoft Windows Operating System", "10.0.22621.1", "Host Process for Windows Services"),
    Program("MsMpEng.exe", r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0", "services.exe",
            r'"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0\MsMpEng.exe"',
            "Microsoft Corporation", "Microsoft Malware Protection", "4.18.24090.11", "Antimalware Service Executable"),
    Program("SenseNdr.exe", r"C:\Program Files\Windows Defender Advanced Threat Protection", "MsSense.exe",
            r'"SenseNdr.exe"', "Microsoft Corporation", "Microsoft Defender for Endpoint", "10.8760.22621.1", "Windows Defender Advanced Threat Protection Network Detection and Response"),
    Program("powershell.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0", "explorer.exe",
            r'"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -Command Get-Service',
            "Microsoft Corporation", "Microsoft Windows Operating System", "10.0.22621.1", "Windows PowerShell"),
    Program("git.exe", r"C:\Program Files\Git\mingw64\bin", "Code.exe",
            r'"C:\Program Files\Git\mingw64\bin\git.exe" fetch --all',
            "The Git Development Community", "Git", "2.47.0.2", "Git for Windows"),
    Program("Code.exe", r"C:\Users\Public\AppData\Local\Programs\Microsoft VS Code", "explorer.exe",
            r'"Code.exe" --type=utility', "Microsoft Corporation", "Visual Studio Code", "1.95.3", "Visual Studio Code"),
    Program("Zoom.exe", r"C:\Program Files\Zoom\bin", "explorer.exe",
            r'"C:\Program Files\Zoom\bin\Zoom.exe"', "Zoom Video Communications, Inc.", "Zoom", "6.2.11.53780", "Zoom Meetings"),
)
"""Windows programs of the background rows; the order has no meaning."""

SECURITY_EVENT_ACTIVITIES = {
    4624: "4624 - An account was successfully logged on.",
    4625: "4625 - An account failed to log on.",
    4634: "4634 - An account was logged off.",
    4663: "4663 - An attempt was made to access an object.",
    4672: "4672 - Special privileges assigned to new logon.",
    4688: "4688 - A new process has been created.",
}
