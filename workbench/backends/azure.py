"""The Log Analytics backend: KQL through `azure-monitor-query`'s `LogsQueryClient`.

Every call sends an explicit timespan, because the service otherwise scans
the whole retention. It also sends `server_timeout` as `Prefer: wait=`, requests
statistics, and sets a client read timeout of `server_timeout` plus a
margin: azure-monitor-query 2.0.0 does not lengthen the transport's own read
timeout to match the server's.

Every failure of the client, the credential or the network becomes a
`QueryError` here and nowhere else, with a message that names the workspace,
the endpoint or the credential kind and the next step.

Retries are the workbench's own: the client's retry policy is off, because it
retries a POST on 504 three times (a query that already ran past the service's
limit) and retries 429 only when `Retry-After` is present. Here 429 and 503
wait for `Retry-After` when the service sends it, else for an exponential
backoff with a cap, and each wait is reported to `on_retry_wait`. A wait and a
running request both stop on cancel: the request's sockets are shut down from
the cancelling thread, so the worker returns at once.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.backends.base import CancelToken, Column, QueryError, QueryResult, TableSchema, Timespan
from workbench.paths import cache_dir

if TYPE_CHECKING:
    import pyarrow as pa

    from workbench.config import WorkspaceConfig

log = logging.getLogger(__name__)

PUBLIC_ENDPOINT = "https://api.loganalytics.io/v1"
DEFAULT_TIMESPAN = "P1D"
READ_TIMEOUT_MARGIN_SECONDS = 30
"""Added to `server_timeout` for the client's read timeout, so the service's own timeout error arrives first."""
CONNECTION_TIMEOUT_SECONDS = 15
SCHEMA_CACHE_SECONDS = 24 * 3600
"""Age after which the cached table list of a workspace is fetched again."""
SCHEMA_TABLES_PER_QUERY = 50
"""Tables per `getschema` query when listing columns, to keep each query text short."""
STATIC_TOKEN_ENV = "HUNT_WORKBENCH_STATIC_TOKEN"
"""Environment variable holding the bearer token of `auth = "static"`, meant for the local emulator only."""
TOKEN_CACHE_NAME = "hunt-workbench"

DevicePrompt = Callable[[str, str, datetime], None]
"""`(verification_uri, user_code, expires_on)`: shows the device-code sign-in prompt to the user."""


@dataclass(frozen=True)
class RetryBackoff:
    """How long to wait between attempts of a throttled (429) or unavailable (503) query."""

    initial_seconds: float = 2.0
    """Wait before the second attempt when the service sends no `Retry-After`; doubled for each later one."""
    max_seconds: float = 60.0
    """Cap of the workbench's own backoff."""
    max_attempts: int = 4
    """Attempts in all, the first included."""
    max_retry_after_seconds: float = 300.0
    """A longer `Retry-After` is not waited for, and the error message states the wait the service requested."""

    def wait_seconds(self, attempt: int) -> float:
        """Return the backoff after failed attempt number `attempt` (1-based)."""
        return min(self.max_seconds, self.initial_seconds * 2 ** (attempt - 1))


@dataclass(frozen=True)
class RetryWait:
    """One wait before a retry, reported to the caller so the UI can show it."""

    attempt: int
    """The attempt that failed, 1-based."""
    seconds: float
    status: int
    """The HTTP status that caused the wait: 429 or 503."""
    source: str
    """`Retry-After` when the service set the wait, `backoff` when the workbench did."""


class StaticTokenCredential:
    """A `TokenCredential` that returns one fixed bearer token, for the local emulator only.

    The emulator accepts any non-empty token; a real endpoint rejects this one
    with 401. The token is never logged and `repr` does not show it.
    """

    def __init__(self, token: str, lifetime_seconds: int = 3600) -> None:
        if not token:
            raise ValueError("the static token is empty")
        self._token = token
        self._lifetime_seconds = lifetime_seconds

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + self._lifetime_seconds)

    def __repr__(self) -> str:
        return "StaticTokenCredential(<hidden>)"


def make_credential(workspace: WorkspaceConfig, prompt_callback: DevicePrompt | None = None) -> Any:
    """Build the azure-identity credential that `workspace.auth` names.

    `prompt_callback` receives the device-code prompt. Without one the prompt
    goes to stderr, never stdout. The persistent token cache is used only when
    `workspace.token_cache` is true, and only by the kinds that support it:
    device-code and environment. With no keyring, as over SSH, that cache is an
    unencrypted file in the user's home folder, readable by anyone who can read
    that folder. Raises QueryError(kind="auth") for an unknown kind or a missing
    static token.
    """
    import azure.identity as identity

    cache_options: dict[str, Any] = {}
    if workspace.token_cache:
        cache_options["cache_persistence_options"] = identity.TokenCachePersistenceOptions(
            name=TOKEN_CACHE_NAME, allow_unencrypted_storage=True
        )

    kind = workspace.auth
    if workspace.token_cache and kind not in ("device-code", "environment"):
        log.info("token_cache is ignored for auth %s of workspace %s: that credential has no persistent cache", kind, workspace.name)
    if kind == "azure-cli":
        return identity.AzureCliCredential(process_timeout=30)
    if kind == "device-code":
        return identity.DeviceCodeCredential(prompt_callback=prompt_callback or _print_device_prompt, **cache_options)
    if kind == "environment":
        return identity.EnvironmentCredential(**cache_options)
    if kind == "managed-identity":
        return identity.ManagedIdentityCredential()
    if kind == "default":
        return identity.DefaultAzureCredential()
    if kind == "static":
        token = os.environ.get(STATIC_TOKEN_ENV, "")
        if not token:
            raise QueryError(
                f"workspace {workspace.name!r} uses auth = \"static\" but {STATIC_TOKEN_ENV} is not set",
                kind="auth",
                hint=f"Set {STATIC_TOKEN_ENV} to any non-empty text for the local emulator; real workspaces need another auth kind",
            )
        return StaticTokenCredential(token)
    raise QueryError(
        f"workspace {workspace.name!r} has unknown auth {kind!r}",
        kind="auth",
        hint="Use azure-cli, device-code, environment, managed-identity or default",
    )


def _print_device_prompt(verification_uri: str, user_code: str, expires_on: datetime) -> None:
    print(
        f"To sign in to Log Analytics, open {verification_uri} and enter the code {user_code} "
        f"before {expires_on:%H:%M} UTC.",
        file=sys.stderr,
        flush=True,
    )


class AzureBackend:
    """A Log Analytics workspace queried through `LogsQueryClient.query_workspace`.

    The client and its credential are built on the first query, so opening the
    backend costs no Azure import and no sign-in. One backend can serve queries
    from several threads; cancelling one aborts only that query's sockets.
    """

    def __init__(
        self,
        workspace: WorkspaceConfig,
        *,
        credential: Any = None,
        prompt_callback: DevicePrompt | None = None,
        backoff: RetryBackoff | None = None,
        on_retry_wait: Callable[[RetryWait], None] | None = None,
    ) -> None:
        """Open the backend; nothing is imported from Azure and no one signs in until the first query.

        `credential` replaces the one `workspace.auth` names (messages still
        name `workspace.auth`). `prompt_callback` gets the device-code prompt
        and is called from the query's worker thread. `on_retry_wait` is called
        before each wait of a throttled query, also from that thread.
        """
        if not workspace.workspace_id:
            raise QueryError(
                f"workspace {workspace.name!r} has no workspace_id",
                kind="workspace",
                hint="Set workspace_id to the GUID on the workspace's Overview page in the Azure portal",
            )
        self.workspace = workspace
        self.name = f"azure:{workspace.workspace_id}"
        self.endpoint = workspace.endpoint or PUBLIC_ENDPOINT
        self.backoff = backoff or RetryBackoff()
        self.on_retry_wait = on_retry_wait
        self._credential = credential
        self._prompt_callback = prompt_callback
        self._client: Any = None
        self._client_lock = threading.Lock()
        self._tracker = _SocketTracker()
        self._tables_in_memory: list[TableSchema] | None = None

    # -- Backend protocol -------------------------------------------------

    def tables(self, refresh: bool = False) -> list[TableSchema]:
        """Return the workspace's tables and columns, from the cache when it is younger than a day.

        Reads the query API's metadata operation (`GET .../workspaces/{id}/metadata`),
        which lists every table with its columns. Where that operation is
        missing, it lists the tables that have rows in the workspace's default
        timespan (`union withsource=TableName * | distinct TableName`), then
        their columns with `getschema`. A stale cache is returned when the
        fetch fails; otherwise the fetch's QueryError is raised.
        """
        if self._tables_in_memory is not None and not refresh:
            return self._tables_in_memory
        cache_path = self._schema_cache_path()
        cached = _read_schema_cache(cache_path)
        if cached is not None and not refresh and time.time() - cached[0] < SCHEMA_CACHE_SECONDS:
            self._tables_in_memory = cached[1]
            return cached[1]
        try:
            tables = self._fetch_tables()
        except QueryError as error:
            if cached is not None:
                log.warning("table list of %s not refreshed, using the cached one: %s", self.name, error.describe())
                self._tables_in_memory = cached[1]
                return cached[1]
            raise
        _write_schema_cache(cache_path, tables)
        # Kept in memory too, so a cache folder that cannot be written does not mean a request per call.
        self._tables_in_memory = tables
        return tables

    def run(self, query: str, timespan: Timespan | None, cancel: CancelToken) -> QueryResult:
        """Run `query` over `timespan` (the workspace's default when None); raise QueryError on any failure."""
        if cancel.cancelled:
            raise _cancelled()
        window = timespan or Timespan.parse(self.workspace.default_timespan or DEFAULT_TIMESPAN)
        started = time.perf_counter()
        response, raw_tables = self._query_with_retries(query, window, cancel)
        result = _result_from_response(response, raw_tables, self.name)
        result.elapsed_seconds = time.perf_counter() - started
        log.info(
            "query on %s returned %d rows in %.2f s%s",
            self.name,
            result.row_count,
            result.elapsed_seconds,
            " (partial)" if result.partial_errors else "",
        )
        return result

    def close(self) -> None:
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # -- Internals ---------------------------------------------------------

    def _get_client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                self._client = self._build_client()
            return self._client

    def _build_client(self) -> Any:
        from azure.core.pipeline.transport import RequestsTransport
        from azure.monitor.query import LogsQueryClient

        bundle = self.workspace.ca_bundle
        if bundle and not Path(bundle).expanduser().is_file():
            raise QueryError(
                f"the ca_bundle file {bundle} of workspace {self.workspace.name!r} does not exist",
                kind="network",
                hint="Set ca_bundle to an existing PEM file (the emulator prints its path), or leave it empty to use the system's certificates",
            )

        credential = self._credential or make_credential(self.workspace, self._prompt_callback)
        transport = RequestsTransport(
            session=_tracked_session(self._tracker),
            session_owner=True,
            connection_verify=str(Path(bundle).expanduser()) if bundle else True,
            connection_timeout=CONNECTION_TIMEOUT_SECONDS,
        )
        options: dict[str, Any] = {"endpoint": self.endpoint, "transport": transport, "retry_total": 0}
        if self.workspace.audience:
            options["audience"] = self.workspace.audience
        log.info("Log Analytics client for %s: endpoint %s, auth %s", self.name, self.endpoint, self._auth_kind())
        return LogsQueryClient(credential, **options)

    def _auth_kind(self) -> str:
        return self.workspace.auth

    def _query_with_retries(self, query: str, window: Timespan, cancel: CancelToken) -> Any:
        client = self._get_client()
        attempt = 1
        while True:
            try:
                return self._query_once(client, query, window, cancel)
            except _Retryable as retryable:
                wait = self._retry_wait(retryable, attempt)
                log.warning(
                    "query on %s got HTTP %d, attempt %d of %d; waiting %.1f s (%s)",
                    self.name, wait.status, attempt, self.backoff.max_attempts, wait.seconds, wait.source,
                )
                if self.on_retry_wait is not None:
                    self.on_retry_wait(wait)
                if _wait_or_cancel(cancel, wait.seconds):
                    raise _cancelled() from None
                attempt += 1

    def _query_once(self, client: Any, query: str, window: Timespan, cancel: CancelToken) -> Any:
        """Send the query from a helper thread and wait for it or for cancel, whichever comes first.

        The helper thread is what lets cancel return at once even while the
        credential blocks, as device-code sign-in does until the user finishes
        it. Cancel also shuts down the request's sockets, so an abandoned
        helper thread ends soon after, except inside such a credential call.
        """
        outcome: dict[str, Any] = {}
        finished = threading.Event()
        run = _RunSockets()
        raw_tables: list[Any] = []

        def keep_raw_tables(pipeline_response: Any, deserialized: Any, headers: Any) -> dict[str, Any]:
            # `cls` is the generated client's hook on the parsed response. The
            # tables are taken out before LogsTable parses every datetime cell in
            # Python: 3.3 s for 100,000 rows of 11 columns on a 2-core machine,
            # where arrow_from_logs_table converts the raw rows in about 1 s.
            body = pipeline_response.http_response.json()
            raw_tables.extend(body.get("tables") or [])
            return {**body, "tables": []}

        def call() -> None:
            self._tracker.attach(run)
            try:
                outcome["response"] = client.query_workspace(
                    self.workspace.workspace_id,
                    query,
                    timespan=window.azure_value(),
                    server_timeout=self.workspace.server_timeout,
                    include_statistics=True,
                    additional_workspaces=self.workspace.additional_workspaces or None,
                    read_timeout=self.workspace.server_timeout + READ_TIMEOUT_MARGIN_SECONDS,
                    cls=keep_raw_tables,
                )
            except BaseException as error:  # noqa: BLE001 - handed to the waiting thread, which maps it
                outcome["error"] = error
            finally:
                self._tracker.end()
                finished.set()

        def on_cancel() -> None:
            run.abort()
            finished.set()

        cancel.on_cancel(on_cancel)
        try:
            if not cancel.cancelled:
                threading.Thread(target=call, name=f"query-{self.workspace.name}", daemon=True).start()
                finished.wait()
        finally:
            cancel.remove(on_cancel)

        if cancel.cancelled:
            raise _cancelled()
        if "error" in outcome:
            raise self._mapped_error(outcome["error"], window) from None
        return outcome["response"], raw_tables

    def _mapped_error(self, error: BaseException, window: Timespan) -> Exception:
        """Map a failure of `query_workspace` to a QueryError, or to `_Retryable` for HTTP 429 and 503."""
        from azure.core.exceptions import AzureError, HttpResponseError, ServiceRequestError, ServiceResponseError

        if isinstance(error, HttpResponseError):
            status = error.status_code or 0
            if status in (429, 503):
                return _Retryable(status, _retry_after_seconds(error))
            return self._http_error(error, window)
        if isinstance(error, (ServiceRequestError, ServiceResponseError)):
            return self._network_error(error)
        if isinstance(error, AzureError):
            log.warning("query on %s failed: %s", self.name, error)
            return QueryError(f"Log Analytics query failed: {error}", kind="internal")
        if isinstance(error, Exception):
            return error
        raise error

    def _retry_wait(self, retryable: _Retryable, attempt: int) -> RetryWait:
        if attempt >= self.backoff.max_attempts:
            raise QueryError(
                f"Log Analytics returned HTTP {retryable.status} {attempt} times in a row for workspace {self.workspace.workspace_id}; gave up after {attempt} attempts",
                kind="throttled",
                hint="Wait a minute before running it again, and run fewer queries at once",
            )
        if retryable.retry_after_seconds is not None:
            if retryable.retry_after_seconds > self.backoff.max_retry_after_seconds:
                raise QueryError(
                    f"Log Analytics throttled the query and asked to wait {retryable.retry_after_seconds:.0f} s before a retry",
                    kind="throttled",
                    hint="Run the query again after that wait",
                )
            return RetryWait(attempt, retryable.retry_after_seconds, retryable.status, "Retry-After")
        return RetryWait(attempt, self.backoff.wait_seconds(attempt), retryable.status, "backoff")

    def _http_error(self, error: Any, window: Timespan | None = None) -> QueryError:
        status = error.status_code or 0
        body = _error_body(error)
        code = str(body.get("code") or "")
        innermost = _innermost(body)
        detail = str(innermost.get("message") or body.get("message") or error.message or "").strip().rstrip(".")
        workspace_id = self.workspace.workspace_id
        log.warning("query on %s failed: HTTP %s %s: %s", self.name, status or "-", code, detail)

        if status == 0:
            # No response at all: the credential failed before a request was sent.
            return QueryError(
                f"Sign-in with the {self._auth_kind()} credential failed: {_first_line(detail)}",
                kind="auth",
                hint=_auth_hint(self._auth_kind()),
            )
        if status == 400:
            line = innermost.get("line")
            pos = innermost.get("pos")
            inner_codes = _inner_codes(body)
            kind = "syntax" if "SyntaxError" in inner_codes else "semantic"
            return QueryError(
                detail or "Log Analytics rejected the query",
                kind=kind,
                line=line if isinstance(line, int) else None,
                column=pos + 1 if isinstance(pos, int) and isinstance(line, int) else None,
            )
        if status == 401:
            return QueryError(
                f"Log Analytics at {self.endpoint} rejected the token from the {self._auth_kind()} credential: {detail}",
                kind="auth",
                hint=_auth_hint(self._auth_kind()),
            )
        if status == 403 and code == "InvalidAuthenticationTokenAudience":
            audience = self.workspace.audience or self.endpoint.removesuffix("/v1")
            return QueryError(
                f"The {self._auth_kind()} credential's token was issued for another audience than Log Analytics at {self.endpoint} (audience in use: {audience}): {detail}",
                kind="auth",
                hint="Set audience in this [[workspaces]] entry to the API's resource, such as https://api.loganalytics.io for the public cloud",
            )
        if status == 403:
            return QueryError(
                f"The {self._auth_kind()} identity has no read access to workspace {workspace_id}: {detail}",
                kind="forbidden",
                hint='Ask for the "Log Analytics Reader" role on the workspace, or check that workspace_id is the right one',
            )
        if status == 404:
            return QueryError(
                f"Workspace {workspace_id} was not found at {self.endpoint}: {detail}",
                kind="workspace",
                hint="Check workspace_id (the GUID on the workspace's Overview page) and endpoint",
            )
        if status in (408, 504):
            timespan_text = window.iso() if window is not None else "the one run"
            return QueryError(
                f"The query ran past the service's time limit on workspace {workspace_id} (server_timeout {self.workspace.server_timeout} s): {detail}",
                kind="timeout",
                hint=f"Use a shorter timespan than {timespan_text}, filter on TimeGenerated first, or raise server_timeout up to 600",
            )
        return QueryError(
            f"Log Analytics returned HTTP {status} {code}: {detail}",
            kind="internal",
            hint="Try again in a few minutes; if it persists, check the Azure status page",
        )

    def _network_error(self, error: Any) -> QueryError:
        from azure.core.exceptions import ServiceResponseTimeoutError

        reason = _first_line(str(getattr(error, "message", "") or error))
        log.warning("query on %s could not reach %s: %s", self.name, self.endpoint, reason)
        if isinstance(error, ServiceResponseTimeoutError):
            return QueryError(
                f"Log Analytics at {self.endpoint} timed out: no response within {self.workspace.server_timeout + READ_TIMEOUT_MARGIN_SECONDS} s",
                kind="timeout",
                hint="Use a shorter timespan, or check the network",
            )
        if "CERTIFICATE_VERIFY_FAILED" in reason or "SSLError" in reason:
            return QueryError(
                f"The TLS certificate of {self.endpoint} is not trusted: {reason}",
                kind="network",
                hint="Set ca_bundle in this [[workspaces]] entry to the PEM file of the certificate authority",
            )
        return QueryError(
            f"Cannot reach Log Analytics at {self.endpoint}: {reason}",
            kind="network",
            hint="Check the network, the proxy settings (HTTPS_PROXY) and the endpoint in the config",
        )

    def _fetch_tables(self) -> list[TableSchema]:
        tables = self._fetch_metadata()
        if tables is not None:
            return tables
        return self._fetch_tables_with_kql()

    def _fetch_metadata(self) -> list[TableSchema] | None:
        """Read the metadata operation; return None when the endpoint has none, so KQL is used instead.

        Raises QueryError for a credential, access or network failure, which KQL would meet as well.
        """
        from urllib.parse import quote

        from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError
        from azure.core.rest import HttpRequest

        client = self._get_client()
        request = HttpRequest("GET", f"/workspaces/{quote(self.workspace.workspace_id, safe='')}/metadata")
        try:
            response = client.send_request(request, read_timeout=self.workspace.server_timeout + READ_TIMEOUT_MARGIN_SECONDS)
        except (ServiceRequestError, ServiceResponseError) as error:
            raise self._network_error(error) from None
        except HttpResponseError as error:
            raise self._http_error(error) from None
        if response.status_code in (401, 403):
            raise self._http_error(HttpResponseError(response=response))
        if response.status_code != 200:
            log.info("metadata of %s not available (HTTP %d); listing tables with KQL", self.name, response.status_code)
            return None
        try:
            body = response.json()
        except ValueError:
            log.warning("metadata of %s is not JSON; listing tables with KQL", self.name)
            return None
        entries = body.get("tables") if isinstance(body, Mapping) else None
        tables = []
        for entry in entries or []:
            if not isinstance(entry, Mapping) or not entry.get("name"):
                continue
            columns = tuple(
                Column(str(column["name"]), str(column.get("type") or "string"))
                for column in entry.get("columns") or []
                if isinstance(column, Mapping) and column.get("name")
            )
            tables.append(TableSchema(str(entry["name"]), columns))
        return sorted(tables, key=lambda table: table.name)

    def _fetch_tables_with_kql(self) -> list[TableSchema]:
        names_result = self.run("union withsource=TableName * | distinct TableName", None, CancelToken())
        names = sorted(str(name) for name in names_result.table.column(0).to_pylist() if name)
        tables: dict[str, list[Column]] = {name: [] for name in names}
        for start in range(0, len(names), SCHEMA_TABLES_PER_QUERY):
            chunk = names[start : start + SCHEMA_TABLES_PER_QUERY]
            parts = [f"({_quote_table(name)} | getschema | extend TableName = {json.dumps(name)})" for name in chunk]
            query = "union " + ", ".join(parts) + " | project TableName, ColumnName, ColumnType"
            result = self.run(query, None, CancelToken())
            for table_name, column_name, column_type in zip(*(column.to_pylist() for column in result.table.columns)):
                tables.setdefault(str(table_name), []).append(Column(str(column_name), str(column_type)))
        return [TableSchema(name, tuple(columns)) for name, columns in tables.items()]

    def _schema_cache_path(self) -> Path:
        safe_id = re.sub(r"[^A-Za-z0-9._-]", "_", self.workspace.workspace_id)
        return cache_dir() / "azure-tables" / f"{safe_id}.json"


class _Retryable(Exception):
    def __init__(self, status: int, retry_after_seconds: float | None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after_seconds = retry_after_seconds


def _cancelled() -> QueryError:
    return QueryError("The query was cancelled", kind="cancelled")


def _wait_or_cancel(cancel: CancelToken, seconds: float) -> bool:
    """Sleep `seconds` unless cancelled first; return True when cancelled."""
    woken = threading.Event()
    cancel.on_cancel(woken.set)
    try:
        woken.wait(seconds)
    finally:
        cancel.remove(woken.set)
    return cancel.cancelled


def _retry_after_seconds(error: Any) -> float | None:
    """Read `Retry-After` (seconds or an HTTP date) from the error's response; None when absent or invalid."""
    response = getattr(error, "response", None)
    value = response.headers.get("Retry-After") if response is not None else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_body(error: Any) -> dict[str, Any]:
    """Return the `error` object of the service's JSON response body, or {} when the body is not that shape."""
    response = getattr(error, "response", None)
    if response is None:
        return {}
    try:
        body = json.loads(response.text())
    except (ValueError, TypeError, AttributeError):
        return {}
    inner = body.get("error") if isinstance(body, dict) else None
    return inner if isinstance(inner, dict) else {}


def _innermost(error_object: Mapping[str, Any]) -> Mapping[str, Any]:
    current = error_object
    while isinstance(current.get("innererror"), Mapping):
        current = current["innererror"]
    return current


def _inner_codes(error_object: dict[str, Any]) -> list[str]:
    codes = []
    current: Any = error_object
    while isinstance(current, Mapping):
        codes.append(str(current.get("code") or ""))
        current = current.get("innererror")
    return codes


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details"


def _auth_hint(auth_kind: str) -> str:
    hints = {
        "azure-cli": "Run `az login` (and `az account set --subscription ...` for the workspace's tenant), then retry",
        "device-code": "Run the query again and complete the device-code sign-in before the code expires",
        "environment": "Check AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH)",
        "managed-identity": "Check that this machine has a managed identity and that it is assigned on the workspace",
        "default": "Sign in with `az login` or set the AZURE_* environment variables, or pick an explicit auth kind",
        "static": f"The static token (from {STATIC_TOKEN_ENV}) only works with the local emulator; check the endpoint and the token",
    }
    return hints.get(auth_kind, "Check the credential passed to the backend")


def _quote_table(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        return name
    return "[" + json.dumps(name) + "]"


# ---------------------------------------------------------------------------
# Cancel: shutting down the sockets of one running query


class _RunSockets:
    """The HTTP connections one query used, so a cancel from another thread can shut them down."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connections: list[Any] = []
        self._aborted = False

    def add(self, connection: Any) -> None:
        with self._lock:
            self._connections.append(connection)
            aborted = self._aborted
        if aborted:
            _shutdown(connection)

    def abort(self) -> None:
        with self._lock:
            self._aborted = True
            connections = list(self._connections)
        for connection in connections:
            _shutdown(connection)


def _shutdown(connection: Any) -> None:
    sock = getattr(connection, "sock", None)
    if sock is None:
        return
    try:
        # The plain socket's shutdown, not SSLSocket's: that one also drops the
        # TLS object under the reader thread, which then fails with an
        # AttributeError instead of a connection error.
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass


class _SocketTracker:
    """A map from each query thread to its `_RunSockets`, which the urllib3 connections register with."""

    def __init__(self) -> None:
        self._local = threading.local()

    def attach(self, run: _RunSockets) -> None:
        self._local.run = run

    def end(self) -> None:
        self._local.run = None

    def add(self, connection: Any) -> None:
        run = getattr(self._local, "run", None)
        if run is not None:
            run.add(connection)


def _tracked_session(tracker: _SocketTracker) -> Any:
    """Build a requests session whose connections report to `tracker`, with urllib3's own retries off.

    NOTE: a request sent through a proxy (HTTPS_PROXY) uses urllib3's proxy
    manager, whose connections are not tracked, so cancel then waits for the
    response or the read timeout.
    """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.util.retry import Retry

    class Tracked:
        """Registers the connection with the tracker before it connects or sends."""

        def connect(self) -> None:
            tracker.add(self)
            super().connect()

        def request(self, *args: Any, **kwargs: Any) -> None:
            tracker.add(self)
            super().request(*args, **kwargs)

    class TrackedHTTPConnection(Tracked, HTTPConnection):
        pass

    class TrackedHTTPSConnection(Tracked, HTTPSConnection):
        pass

    class TrackedHTTPPool(HTTPConnectionPool):
        ConnectionCls = TrackedHTTPConnection

    class TrackedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = TrackedHTTPSConnection

    class TrackedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": TrackedHTTPPool, "https": TrackedHTTPSPool}

    session = requests.Session()
    adapter = TrackedAdapter(max_retries=Retry(total=False, redirect=False, raise_on_status=False))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# ---------------------------------------------------------------------------
# Query results to Arrow


def _result_from_response(response: Any, raw_tables: list[Any], backend_name: str) -> QueryResult:
    """Build the QueryResult from the client's result and the first table of the response body."""
    from azure.monitor.query import LogsQueryStatus

    if response.status == LogsQueryStatus.PARTIAL:
        partial_errors = partial_error_reasons(response.partial_error)
    else:
        partial_errors = []

    names: list[str] = []
    kql_types: list[str] = []
    rows: list[Any] = []
    if raw_tables and isinstance(raw_tables[0], Mapping):
        columns_json = raw_tables[0].get("columns") or []
        names = [str(column.get("name")) for column in columns_json]
        kql_types = [str(column.get("type") or "string") for column in columns_json]
        rows = raw_tables[0].get("rows") or []
    arrow_table, columns = arrow_from_logs_table(names, kql_types, rows)
    truncated = any("E_QUERY_RESULT_SET_TOO_LARGE" in reason or "limit" in reason.lower() for reason in partial_errors)
    return QueryResult(
        table=arrow_table,
        columns=columns,
        elapsed_seconds=0.0,
        truncated=truncated,
        statistics=flatten_statistics(response.statistics),
        partial_errors=partial_errors,
        workspace=backend_name,
    )


def partial_error_reasons(error: Any) -> list[str]:
    """Return the innermost message of each detail of a `LogsQueryError`, else its own message."""
    if error is None:
        return []
    reasons = []
    for detail in getattr(error, "details", None) or []:
        if isinstance(detail, Mapping):
            message = str(_innermost(detail).get("message") or detail.get("message") or "").strip()
            if message and message not in reasons:
                reasons.append(message)
    if not reasons:
        reasons.append(str(getattr(error, "message", "") or getattr(error, "code", "") or "partial result"))
    return reasons


def flatten_statistics(statistics: Any) -> dict[str, object]:
    """Pick the figures an analyst reads from the service's `statistics.query` object.

    Keys, each present only when the service sent it: `execution_seconds`,
    `cpu_seconds`, `memory_peak_bytes`, `scanned_rows`, `scanned_extents`,
    `result_rows`, `result_bytes`, `cache_hits`, `cache_misses`.
    """
    if not isinstance(statistics, Mapping):
        return {}
    query = statistics.get("query")
    if not isinstance(query, Mapping):
        return {}
    out: dict[str, object] = {}
    if isinstance(query.get("executionTime"), (int, float)):
        out["execution_seconds"] = float(query["executionTime"])
    usage = query.get("resourceUsage") or {}
    total_cpu = (usage.get("cpu") or {}).get("totalCpu")
    if isinstance(total_cpu, str) and _timespan_value(total_cpu) is not None:
        out["cpu_seconds"] = _timespan_value(total_cpu).total_seconds()
    peak = (usage.get("memory") or {}).get("peakPerNode")
    if isinstance(peak, int):
        out["memory_peak_bytes"] = peak
    memory_cache = (usage.get("cache") or {}).get("memory") or {}
    for key in ("hits", "misses"):
        if isinstance(memory_cache.get(key), int):
            out[f"cache_{key}"] = memory_cache[key]
    inputs = query.get("inputDatasetStatistics") or {}
    if isinstance((inputs.get("rows") or {}).get("scanned"), int):
        out["scanned_rows"] = inputs["rows"]["scanned"]
    if isinstance((inputs.get("extents") or {}).get("scanned"), int):
        out["scanned_extents"] = inputs["extents"]["scanned"]
    datasets = query.get("datasetStatistics") or []
    if datasets and isinstance(datasets[0], Mapping):
        if isinstance(datasets[0].get("tableRowCount"), int):
            out["result_rows"] = datasets[0]["tableRowCount"]
        if isinstance(datasets[0].get("tableSize"), int):
            out["result_bytes"] = datasets[0]["tableSize"]
    return out


_TIMESPAN_TEXT = re.compile(r"^(?P<sign>-)?(?:(?P<days>\d+)\.)?(?P<hours>\d{1,2}):(?P<minutes>\d{2}):(?P<seconds>\d{2})(?:\.(?P<fraction>\d{1,7}))?$")


def _timespan_value(text: str) -> timedelta | None:
    """Parse KQL's timespan text `[-][d.]hh:mm:ss[.fffffff]`; None when it is not that form."""
    match = _TIMESPAN_TEXT.match(text.strip())
    if not match:
        return None
    fraction = (match.group("fraction") or "").ljust(7, "0")
    value = timedelta(
        days=int(match.group("days") or 0),
        hours=int(match.group("hours")),
        minutes=int(match.group("minutes")),
        seconds=int(match.group("seconds")),
        microseconds=int(fraction) / 10,
    )
    return -value if match.group("sign") else value


def arrow_from_logs_table(names: list[str], kql_types: list[str], rows: Any) -> tuple[pa.Table, list[Column]]:
    """Build an Arrow table from a result table's column names, KQL types and rows.

    The rows are lists of JSON values as the service sends them, or a
    `LogsTable`'s rows. datetime becomes timestamp[us, UTC], timespan
    duration[us], int int32, long int64, real float64 (the service's "NaN" and
    "Infinity" strings included), bool bool, and guid, string and decimal
    string. dynamic becomes JSON text. A column whose values do not fit its
    declared type is kept as text under the same KQL type.
    """
    import pyarrow as pa

    row_values = rows if isinstance(rows, list) and all(isinstance(row, list) for row in rows) else [list(row) for row in rows]
    arrays = []
    columns = []
    for index, (name, kql_type) in enumerate(zip(names, kql_types)):
        values = [row[index] for row in row_values]
        arrays.append(_arrow_column(values, kql_type, name))
        columns.append(Column(name, kql_type))
    table = pa.Table.from_arrays(arrays, names=list(names)) if names else pa.table({})
    return table, columns


def _arrow_column(values: list[Any], kql_type: str, name: str) -> pa.Array:
    import pyarrow as pa

    try:
        if kql_type == "datetime":
            return _datetime_column(values)
        if kql_type == "timespan":
            return pa.array([_timespan_value(str(value)) if value is not None else None for value in values], type=pa.duration("us"))
        if kql_type in ("int", "long", "real"):
            return _number_column(values, kql_type)
        if kql_type == "bool":
            return pa.array([None if value is None else _as_bool(value) for value in values], type=pa.bool_())
        if kql_type == "dynamic":
            return pa.array([_as_json_text(value) for value in values], type=pa.string())
    except (TypeError, ValueError, OverflowError, pa.ArrowException) as error:
        log.warning("column %s is not valid %s (%s); kept as text", name, kql_type, error)
    return pa.array([None if value is None else str(value) for value in values], type=pa.string())


def _datetime_column(values: list[Any]) -> pa.Array:
    """Convert ISO 8601 texts (7 fraction digits, `Z`) in Arrow's C++ cast, or datetime objects one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if all(value is None or isinstance(value, str) for value in values):
        nanoseconds = pc.cast(pa.array(values, type=pa.string()), pa.timestamp("ns", tz="UTC"))
        return nanoseconds.cast(pa.timestamp("us", tz="UTC"), safe=False)
    return pa.array([_as_datetime(value) for value in values], type=pa.timestamp("us", tz="UTC"))


def _number_column(values: list[Any], kql_type: str) -> pa.Array:
    """Convert JSON numbers in Arrow, falling back to Python for texts such as "NaN" and "Infinity"."""
    import pyarrow as pa

    arrow_type = {"int": pa.int32(), "long": pa.int64(), "real": pa.float64()}[kql_type]
    try:
        return pa.array(values, type=arrow_type)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        convert = float if kql_type == "real" else int
        return pa.array([None if value is None else convert(value) for value in values], type=arrow_type)


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).replace("Z", "+00:00")
    # Python's fromisoformat takes at most 6 fraction digits; the service sends 7.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    return datetime.fromisoformat(text)


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "1"):
            return True
        if value.lower() in ("false", "0"):
            return False
        raise ValueError(f"invalid bool {value!r}")
    return bool(value)


def _as_json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


# ---------------------------------------------------------------------------
# Table list cache


def _read_schema_cache(path: Path) -> tuple[float, list[TableSchema]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        tables = [
            TableSchema(entry["name"], tuple(Column(str(column), str(kql_type)) for column, kql_type in entry["columns"]))
            for entry in data["tables"]
        ]
        return float(data["fetched_at"]), tables
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_schema_cache(path: Path, tables: list[TableSchema]) -> None:
    data = {
        "fetched_at": time.time(),
        "tables": [{"name": table.name, "columns": [[column.name, column.kql_type] for column in table.columns]} for table in tables],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        log.warning("table list cache %s not written: %s", path, error)


__all__ = [
    "AzureBackend",
    "RetryBackoff",
    "RetryWait",
    "StaticTokenCredential",
    "arrow_from_logs_table",
    "flatten_statistics",
    "make_credential",
    "partial_error_reasons",
]
