"""A local copy of the Log Analytics query API that runs queries on a DuckDB workspace.

`POST .../workspaces/{workspace_id}/query` is served over https on 127.0.0.1 with
a throwaway self-signed certificate, so tests and demos drive the real
`azure-monitor-query` client against it. The client calls
`{endpoint}/v1/workspaces/{id}/query` (azure-monitor-query 2.0.0 strips a
trailing `/v1` from the endpoint and adds it back), so any path ending in
`/workspaces/{id}/query` is accepted, and `.../workspaces/{id}/metadata` returns
the tables and their columns. The KQL runs through `duckdb_kql` against
the DuckDB file attached read-only, so the TUI and a running emulator can read
one workspace at once. The request's `timespan` filters every table's
`TimeGenerated` (a bare duration ends now), and `Prefer: include-statistics=true`
adds a `statistics` object. Additional workspaces in the body are recorded but
not queried: every query runs on the one DuckDB file.

Security: the server binds to 127.0.0.1 only and checks the peer address of
every connection again before reading it, so nothing off this machine reaches
it. It accepts any non-empty bearer token, because it has no identity
provider; a request without one gets the service's 401 body. It is a test and
demo tool, never a proxy to real data.

Each error case of the service can be chosen: `scenario` on the handle applies
to every request, and a workspace id of the form `scenario-<name>` picks a case
per request (`scenario-throttled`), which a `[[workspaces]]` entry can use.
The names are in `SCENARIOS`. A query that really fails in DuckDB gets the
service's 400 bodies, with line and position where `duckdb_kql` reports them.
"""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
import socket
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from workbench.backends.base import kql_type_of_arrow
from workbench.backends.certs import write_self_signed_certificate
from workbench.backends.scenarios import SCENARIOS

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"

SERVICE_ROW_LIMIT = 500_000
"""Rows per response before the service cuts the result and sends a PartialError."""

_QUERY_PATH = re.compile(r"^(?:/[^?#]*)?/workspaces/(?P<workspace>[^/?#]+)/(?P<operation>query|metadata)/?(?:\?.*)?$")
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass
class ReceivedRequest:
    """The parts of one request that tests check: everything the client sent except the token."""

    path: str
    workspace_id: str
    query: str
    timespan: str | None
    additional_workspaces: list[str] | None
    prefer: str
    has_token: bool


@dataclass
class EmulatorHandle:
    """A running emulator: its endpoint, its certificate and the knobs tests turn."""

    url: str
    """The endpoint to put in a workspace's `endpoint`, such as https://127.0.0.1:43117/v1."""
    ca_path: Path
    """The self-signed certificate file; pass it as `ca_bundle` / `connection_verify`."""
    db_path: Path
    scenario: str = "ok"
    """The case every request gets unless its workspace id is `scenario-<name>`."""
    retry_after_seconds: int = 1
    """The `Retry-After` value of the `throttled` case."""
    throttle_count: int | None = 1
    """Requests per throttled case that get 429 before the case returns results; None to throttle every request."""
    slow_seconds: float = 30.0
    """Seconds the `slow` case waits before it sends the results."""
    serve_metadata: bool = True
    """False makes the metadata API return 404, as a workspace without it would, so clients fall back to KQL."""
    max_rows: int = SERVICE_ROW_LIMIT
    """Rows per response before a PartialError is sent with the first rows."""
    canned: tuple[int, dict[str, Any], dict[str, str]] | None = None
    """(status, JSON body, headers) sent to every request in place of any scenario; None for the normal responses."""
    received: list[ReceivedRequest] = field(default_factory=list)
    """Every query request, oldest first."""
    metadata_requests: int = 0
    """Requests to the metadata API, which `received` does not list."""
    request_arrived: threading.Event = field(default_factory=threading.Event)
    """Set when any query request arrives; tests clear it and wait on it."""

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _folder: Path | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _throttled: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self) -> None:
        """Stop serving, release held requests and delete the certificate folder."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
        log.info("emulator stopped: %s", self.url)

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def respond_with(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Send `body` with `status` to every request from now on, such as a recorded service response."""
        self.canned = (status, body, dict(headers or {}))

    def take_throttle(self, scenario: str) -> bool:
        """Count one request of a throttled case and return whether it gets HTTP 429."""
        with self._lock:
            answered = self._throttled.get(scenario, 0)
            if self.throttle_count is not None and answered >= self.throttle_count:
                return False
            self._throttled[scenario] = answered + 1
            return True


def start_emulator(db_path: str | Path, port: int = 0, scenario: str | None = None) -> EmulatorHandle:
    """Serve the query API for the DuckDB file `db_path` on https://127.0.0.1:`port` in a thread.

    Port 0 picks a free port. Raises ValueError for an unknown scenario or a
    missing file, and OSError when the port is taken.
    """
    db_path = Path(db_path).expanduser().resolve()
    if not db_path.is_file():
        raise ValueError(f"DuckDB workspace file {db_path} not found; create it with `workbench demo` or pass another path")
    chosen = scenario or "ok"
    if chosen not in SCENARIOS:
        raise ValueError(f"unknown emulator scenario {chosen!r}; known: {', '.join(SCENARIOS)}")

    folder = Path(tempfile.mkdtemp(prefix="workbench-emulator-"))
    cert_path, key_path = write_self_signed_certificate(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)

    try:
        server = _EmulatorServer((LOOPBACK, port), _Handler)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # The handshake runs in the request thread (see finish_request), so a client
    # that connects and stays silent blocks only its own thread, for at most 30 s.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    bound_port = server.server_address[1]
    handle = EmulatorHandle(url=f"https://{LOOPBACK}:{bound_port}/v1", ca_path=cert_path, db_path=db_path, scenario=chosen)
    handle._folder = folder
    handle._server = server
    server.handle = handle

    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"emulator-{bound_port}", daemon=True
    )
    handle._thread = thread
    thread.start()
    log.info("emulator started: %s over %s, scenario %s", handle.url, db_path, chosen)
    return handle


MAX_REQUEST_BYTES = 10_000_000
"""The largest request body the emulator reads; a 50,000-domain hunt is about 1.4 MB."""


class _EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    handle: EmulatorHandle

    def verify_request(self, request: Any, client_address: Any) -> bool:
        # The listening socket is bound to 127.0.0.1, so this is a second check:
        # it still holds if someone changes the bind address.
        if client_address[0] != LOOPBACK:
            log.warning("emulator rejected a connection from %s", client_address[0])
            return False
        return True

    def finish_request(self, request: Any, client_address: Any) -> None:
        request.settimeout(30)
        try:
            request.do_handshake()
        except (ssl.SSLError, OSError) as error:
            log.info("emulator TLS handshake with %s failed: %s", client_address[0], error)
            return
        super().finish_request(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _EmulatorServer
    server_version = "workbench-emulator"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        log.debug("emulator %s: " + format, self.client_address[0], *args)

    def handle_one_request(self) -> None:
        # A kept-alive connection must not outlive stop(): a stopped emulator stands for a service that is gone.
        if self.server.handle._stopping.is_set():
            self.close_connection = True
            return
        super().handle_one_request()
        if self.server.handle._stopping.is_set():
            self.close_connection = True

    def parse_request(self) -> bool:
        # A request read on an idle kept-alive connection after stop() gets no response, only a closed connection.
        if not super().parse_request():
            return False
        if self.server.handle._stopping.is_set():
            self.close_connection = True
            return False
        return True

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        match = _QUERY_PATH.match(self.path)
        if not match or match.group("operation") != "metadata":
            self._send_error(404, "PathNotFoundError", f"The requested path does not exist: {self.path}")
            return
        self._answer_metadata(match.group("workspace"))

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        handle = self.server.handle
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            # A body this size is no query; refusing it keeps a bad client from exhausting memory.
            self.close_connection = True
            self._send_error(413, "RequestTooLarge", f"The request body must be 0 to {MAX_REQUEST_BYTES} bytes")
            return
        raw_body = self.rfile.read(length) if length else b""

        match = _QUERY_PATH.match(self.path)
        if not match:
            self._send_error(404, "PathNotFoundError", f"The requested path does not exist: {self.path}")
            return
        workspace_id = match.group("workspace")
        if match.group("operation") == "metadata":
            self._answer_metadata(workspace_id)
            return

        authorization = self.headers.get("Authorization", "")
        has_token = authorization.lower().startswith("bearer ") and bool(authorization[7:].strip())
        try:
            body = json.loads(raw_body or b"{}")
        except ValueError:
            body = None
        request = ReceivedRequest(
            path=self.path,
            workspace_id=workspace_id,
            query=str(body.get("query", "")) if isinstance(body, dict) else "",
            timespan=body.get("timespan") if isinstance(body, dict) else None,
            additional_workspaces=body.get("workspaces") if isinstance(body, dict) else None,
            prefer=self.headers.get("Prefer", ""),
            has_token=has_token,
        )
        with handle._lock:
            handle.received.append(request)
        handle.request_arrived.set()

        canned = handle.canned
        if canned is not None:
            self._send_json(*canned)
            return
        if not has_token:
            self._send_json(401, _body_unauthorized("The 'Authorization' header is missing."))
            return
        scenario = _scenario_of(workspace_id, handle.scenario)
        if scenario is None:
            self._send_error(404, "WorkspaceNotFoundError", f"Workspace {workspace_id} not found; emulator scenarios: {', '.join(SCENARIOS)}")
            return
        if not isinstance(body, dict) or not isinstance(body.get("query"), str) or not body["query"].strip():
            self._send_error(400, "BadArgumentError", "The request body must be JSON with a non-empty 'query' string.")
            return
        self._answer(handle, scenario, request)

    def _answer_metadata(self, workspace_id: str) -> None:
        """Send the workspace's tables and columns, as the service's metadata API does.

        Only the error scenarios about access (401, 403) apply here, and the
        request is counted in `metadata_requests`, not listed in `received`.
        """
        handle = self.server.handle
        with handle._lock:
            handle.metadata_requests += 1
        authorization = self.headers.get("Authorization", "")
        if not (authorization.lower().startswith("bearer ") and authorization[7:].strip()):
            self._send_json(401, _body_unauthorized("The 'Authorization' header is missing."))
            return
        scenario = _scenario_of(workspace_id, handle.scenario)
        if scenario == "unauthorized":
            self._send_json(401, _body_unauthorized("The access token is invalid or expired."))
            return
        if scenario in ("forbidden", "wrong-audience"):
            self._send_json(*_CANNED[scenario])
            return
        if not handle.serve_metadata:
            self._send_error(404, "PathNotFoundError", "The metadata API is switched off in this emulator")
            return
        try:
            body = workspace_metadata(handle.db_path)
        except Exception as error:  # noqa: BLE001 - the one place a failure becomes the service's 500 body
            log.exception("emulator failed to read the workspace metadata")
            self._send_error(500, "InternalServerError", f"Emulator failure: {type(error).__name__}: {error}")
            return
        self._send_json(200, body)

    def _answer(self, handle: EmulatorHandle, scenario: str, request: ReceivedRequest) -> None:
        if scenario == "unauthorized":
            self._send_json(401, _body_unauthorized("The access token is invalid or expired."))
            return
        if scenario in ("forbidden", "wrong-audience", "syntax-error", "semantic-error", "gateway-timeout"):
            status, body = _CANNED[scenario]
            self._send_json(status, body)
            return
        if scenario in ("throttled", "throttled-no-retry-after") and handle.take_throttle(scenario):
            headers = {"Retry-After": str(handle.retry_after_seconds)} if scenario == "throttled" else {}
            self._send_json(429, {"error": {"code": "TooManyRequests", "message": "Too many requests; retry later."}}, headers)
            return
        if scenario == "slow" and handle._stopping.wait(handle.slow_seconds):
            return

        include_statistics = "include-statistics=true" in request.prefer.replace(" ", "").lower()
        try:
            status, body = run_query(handle.db_path, request.query, request.timespan, include_statistics, handle.max_rows)
        except Exception as error:  # noqa: BLE001 - the one place a failure becomes the service's 500 body
            log.exception("emulator failed on a query")
            status, body = 500, {"error": {"code": "InternalServerError", "message": f"Emulator failure: {type(error).__name__}: {error}"}}
        if scenario == "partial" and status == 200:
            # As the service does, send only the rows before the cut: here the first half.
            for table in body.get("tables", []):
                rows = table.get("rows", [])
                if len(rows) > 1:
                    table["rows"] = rows[: len(rows) // 2]
            body["error"] = _partial_error(f"Query result set was cut by the emulator's '{scenario}' scenario (E_QUERY_RESULT_SET_TOO_LARGE)")
        self._send_json(status, body)

    def _send_error(self, status: int, code: str, message: str) -> None:
        self._send_json(status, {"error": {"code": code, "message": message}})

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (ConnectionError, ssl.SSLError, socket.timeout) as error:
            # A cancelled client closes its socket while the query runs; that is normal here.
            log.info("emulator failed to send the response to %s: %s", self.client_address[0], error)


def _scenario_of(workspace_id: str, default: str) -> str | None:
    if workspace_id.startswith("scenario-"):
        name = workspace_id[len("scenario-"):]
        return name if name in SCENARIOS else None
    return default


# ---------------------------------------------------------------------------
# Running a query against the DuckDB file


def run_query(
    db_path: Path, query: str, timespan: str | None, include_statistics: bool, max_rows: int = SERVICE_ROW_LIMIT
) -> tuple[int, dict[str, Any]]:
    """Run `query` over `db_path` as the service would and return (HTTP status, JSON body)."""
    import duckdb
    import duckdb_kql

    try:
        window = parse_request_timespan(timespan)
    except ValueError as error:
        return 400, _bad_argument("InvalidTimespan", str(error))

    started = time.perf_counter()
    connection = duckdb_kql.connect()
    try:
        try:
            connection.execute(f"ATTACH '{_sql_text(str(db_path))}' AS source (READ_ONLY)")
        except duckdb.Error as error:
            return 503, {"error": {"code": "ServiceUnavailable", "message": f"The workspace file cannot be opened: {error}"}}
        scanned_rows = _create_windowed_views(connection, window)
        try:
            table = duckdb_kql.kql(connection, query).to_arrow_table()
        except duckdb_kql.KqlSyntaxError as error:
            return 400, _syntax_error(query, error)
        except duckdb_kql.KqlUnsupportedError as error:
            span = error.span
            return 400, _semantic_error("SEM0001", f"The emulator cannot run this query: {error}", span.line if span else None, span.column if span else None)
        except (duckdb_kql.KqlError, duckdb.Error) as error:
            first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
            return 400, _semantic_error("SEM0100", first_line)
    finally:
        connection.close()

    cut = table.num_rows > max_rows
    if cut:
        table = table.slice(0, max_rows)
    body: dict[str, Any] = {"tables": [_table_json(table)]}
    if cut:
        body["error"] = _partial_error(f"Query result set has exceeded the internal record count limit {max_rows} (E_QUERY_RESULT_SET_TOO_LARGE)")
    if include_statistics:
        elapsed = time.perf_counter() - started
        body["statistics"] = {
            "query": {
                "executionTime": round(elapsed, 6),
                "resourceUsage": {
                    "cpu": {"totalCpu": _timespan_text(timedelta(seconds=elapsed))},
                    "memory": {"peakPerNode": int(table.nbytes)},
                },
                "inputDatasetStatistics": {"rows": {"total": scanned_rows, "scanned": scanned_rows}},
                "datasetStatistics": [{"tableRowCount": table.num_rows, "tableSize": int(table.nbytes)}],
            }
        }
    return 200, body


def workspace_metadata(db_path: Path) -> dict[str, Any]:
    """Return the metadata API's body for the DuckDB file: `tables` with their `columns` names and KQL types."""
    import duckdb_kql

    connection = duckdb_kql.connect()
    try:
        connection.execute(f"ATTACH '{_sql_text(str(db_path))}' AS source (READ_ONLY)")
        names = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = 'source' AND table_schema = 'main' ORDER BY table_name"
            ).fetchall()
        ]
        tables = []
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            schema = connection.sql(f"SELECT * FROM source.main.{quoted} LIMIT 0").to_arrow_table().schema
            columns = [{"name": column.name, "type": kql_type_of_arrow(column.type)} for column in schema]
            table: dict[str, Any] = {"id": f"t_{name}", "name": name, "columns": columns}
            if any(column["name"] == "TimeGenerated" for column in columns):
                table["timespanColumn"] = "TimeGenerated"
            tables.append(table)
    finally:
        connection.close()
    return {"tables": tables}


def _sql_text(value: str) -> str:
    return value.replace("'", "''")


def parse_request_timespan(text: str | None, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """Parse the body's `timespan` as the client sends it into a UTC (start, end), or None for no window.

    Accepts `PT86400.0S`-style durations ending now, `START/END` and `START/DURATION`.
    Raises ValueError naming the text.
    """
    if not text:
        return None
    now = now or datetime.now(timezone.utc)
    if "/" not in text:
        return now - _parse_duration(text), now
    first, second = text.split("/", 1)
    start = _parse_time(first)
    end = start + _parse_duration(second) if second.upper().startswith("P") else _parse_time(second)
    if end < start:
        raise ValueError(f"invalid timespan {text!r}: the end is before the start")
    return start, end


def _parse_duration(text: str) -> timedelta:
    match = _DURATION.match(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"invalid timespan duration {text!r}: expected ISO 8601 such as PT86400.0S or P1D")
    parts = {name: float(value) for name, value in match.groupdict().items() if value}
    return timedelta(**parts)


def _parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"invalid timespan time {text!r}: expected ISO 8601 such as 2026-06-19T00:00:00Z") from None
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def _create_windowed_views(connection: Any, window: tuple[datetime, datetime] | None) -> int:
    """Create one view per table of the attached file, filtered to the window; return the rows in the window.

    The service's scanned-rows statistic is approximated by this count, which
    covers every table, not only the ones the query reads.
    """
    rows = connection.execute(
        "SELECT table_name, list(column_name) FROM information_schema.columns "
        "WHERE table_catalog = 'source' AND table_schema = 'main' GROUP BY table_name"
    ).fetchall()
    scanned = 0
    for table_name, column_names in rows:
        quoted = '"' + table_name.replace('"', '""') + '"'
        where = ""
        if window is not None and "TimeGenerated" in column_names:
            start, end = window
            where = f" WHERE TimeGenerated >= TIMESTAMPTZ '{start.isoformat()}' AND TimeGenerated <= TIMESTAMPTZ '{end.isoformat()}'"
        connection.execute(f"CREATE VIEW {quoted} AS SELECT * FROM source.main.{quoted}{where}")
        scanned += connection.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
    return scanned


# ---------------------------------------------------------------------------
# Arrow to the service's JSON


def _table_json(table: Any) -> dict[str, Any]:
    columns = []
    encoders = []
    for arrow_field in table.schema:
        kql_type = kql_type_of_arrow(arrow_field.type)
        columns.append({"name": arrow_field.name, "type": kql_type})
        encoders.append(_ENCODERS.get(kql_type, _encode_plain))
    values_by_column = [
        [encode(value) if value is not None else None for value in column.to_pylist()]
        for column, encode in zip(table.columns, encoders)
    ]
    rows = [list(row) for row in zip(*values_by_column)] if values_by_column else []
    return {"name": "PrimaryResult", "columns": columns, "rows": rows}


def _encode_datetime(value: Any) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond:06d}0Z"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}T00:00:00.0000000Z"
    return str(value)


def _encode_timespan(value: Any) -> str:
    if isinstance(value, timedelta):
        return _timespan_text(value)
    # DuckDB's INTERVAL arrives as pyarrow's MonthDayNano (months, days, nanoseconds).
    months, days, nanoseconds = value.months, value.days, value.nanoseconds
    return _timespan_text(timedelta(days=months * 30 + days, microseconds=nanoseconds / 1000))


def _timespan_text(value: timedelta) -> str:
    """Format a timedelta as KQL prints a timespan: `[-][d.]hh:mm:ss.fffffff`."""
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    days = f"{value.days}." if value.days else ""
    return f"{sign}{days}{hours:02d}:{minutes:02d}:{seconds:02d}.{value.microseconds:06d}0"


def _encode_real(value: Any) -> Any:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return float(value)


def _encode_dynamic(value: Any) -> str:
    if isinstance(value, list) and value and all(isinstance(item, tuple) and len(item) == 2 for item in value):
        value = dict(value)
    return json.dumps(value, default=str, separators=(",", ":"))


def _encode_plain(value: Any) -> Any:
    if isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (Decimal, bytes)):
        return str(value) if isinstance(value, Decimal) else value.hex()
    return str(value)


_ENCODERS = {
    "datetime": _encode_datetime,
    "timespan": _encode_timespan,
    "real": _encode_real,
    "dynamic": _encode_dynamic,
}


# ---------------------------------------------------------------------------
# The service's error bodies


def _body_unauthorized(message: str) -> dict[str, Any]:
    return {"error": {"code": "AuthenticationFailed", "message": f"Authentication failed. {message}"}}


def _bad_argument(code: str, message: str, innermost: dict[str, Any] | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"code": code, "message": message}
    if innermost is not None:
        inner["innererror"] = innermost
    return {"error": {"code": "BadArgumentError", "message": "The request had some invalid properties", "innererror": inner}}


def _syntax_error(query: str, error: Any) -> dict[str, Any]:
    diagnostics = getattr(error, "diagnostics", None) or []
    if not diagnostics:
        return _bad_argument("SyntaxError", "A recognition error occurred in the query.", {"code": "SYN0002", "message": str(error)})
    span = diagnostics[0].span
    lines = query.splitlines() or [""]
    line_text = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
    token = (line_text[span.column:].split() or [""])[0]
    return _bad_argument(
        "SyntaxError",
        "A recognition error occurred in the query.",
        {
            "code": "SYN0002",
            "message": f"Query could not be parsed at '{token}' on line [{span.line},{span.column}]",
            "line": span.line,
            "pos": span.column,
            "token": token,
        },
    )


def _semantic_error(code: str, message: str, line: int | None = None, column: int | None = None) -> dict[str, Any]:
    innermost: dict[str, Any] = {"code": code, "message": message}
    if line is not None:
        innermost["line"] = line
        innermost["pos"] = column or 0
    return _bad_argument("SemanticError", "A semantic error occurred.", innermost)


def _partial_error(reason: str) -> dict[str, Any]:
    return {
        "code": "PartialError",
        "message": "There were some errors when processing your query.",
        "details": [
            {
                "code": "EngineError",
                "message": "Something went wrong processing your query on the server.",
                "innererror": {"code": "-2133196797", "message": reason, "severity": 2, "severityName": "Error"},
            }
        ],
    }


_CANNED: dict[str, tuple[int, dict[str, Any]]] = {
    "forbidden": (
        403,
        {
            "error": {
                "code": "InsufficientAccessError",
                "message": "The provided credentials have insufficient access to perform the requested operation",
            }
        },
    ),
    "wrong-audience": (
        403,
        {
            "error": {
                "code": "InvalidAuthenticationTokenAudience",
                "message": "The access token has been obtained from wrong audience or resource 'https://management.azure.com'. "
                "It should exactly match (including forward slash) with one of the allowed audiences "
                "'https://api.loganalytics.io'.",
            }
        },
    ),
    "syntax-error": (
        400,
        _bad_argument(
            "SyntaxError",
            "A recognition error occurred in the query.",
            {"code": "SYN0002", "message": "Query could not be parsed at 'wher' on line [2,2]", "line": 2, "pos": 2, "token": "wher"},
        ),
    ),
    "semantic-error": (
        400,
        _bad_argument(
            "SemanticError",
            "A semantic error occurred.",
            {"code": "SEM0100", "message": "'where' operator: Failed to resolve table or column expression named 'DnsEventz'"},
        ),
    ),
    "gateway-timeout": (
        504,
        {"error": {"code": "GatewayTimeout", "message": "Gateway timeout", "innererror": {"code": "GatewayTimeout", "message": "The query ran past the time limit"}}},
    ),
}
