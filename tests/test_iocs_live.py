"""The live ThreatFox client against a real HTTP server on 127.0.0.1 that serves the sample responses."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workbench.cli import main
from workbench.config import FeedConfig
from workbench.iocs import FeedError
from workbench.iocs.live import ThreatFoxClient
from workbench.paths import cache_dir

AUTH_KEY = "test-auth-key-5f2c9e0d"
KEY_VARIABLE = "WORKBENCH_TEST_THREATFOX_KEY"


class FakeThreatFox:
    """A ThreatFox v1 API stand-in: checks the Auth-Key and serves the response chosen by `mode`."""

    def __init__(self, feeds_dir) -> None:
        self.feeds_dir = feeds_dir
        self.mode = "ok"
        self.requests: list[tuple[dict, dict]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append((dict(self.headers), body))
                status, payload = server.respond(self.headers.get("Auth-Key"), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/api/v1/"
        self.closed = False
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def respond(self, auth_key: str | None, body: dict) -> tuple[int, bytes]:
        if auth_key != AUTH_KEY:
            return 401, b'{"query_status": "unknown_auth_key"}'
        if self.mode == "server_error":
            return 502, b"<html>Bad gateway</html>"
        if self.mode == "not_json":
            return 200, b"<html>maintenance</html>"
        names = {
            "ok": "threatfox_api_get_iocs_ok.json",
            "illegal": "threatfox_api_illegal_search_term.json",
            "no_result": "threatfox_api_search_ioc_no_result.json",
        }
        return 200, (self.feeds_dir / names[self.mode]).read_bytes()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def threatfox(shared_dir):
    server = FakeThreatFox(shared_dir / "feeds")
    yield server
    server.close()


@pytest.fixture
def feed(threatfox, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, AUTH_KEY)
    return FeedConfig(name="tf", kind="threatfox", auth_key_env=KEY_VARIABLE, days=3, url=threatfox.url)


def test_fetch_sends_key_and_days(threatfox, feed):
    result = ThreatFoxClient(feed).fetch()

    headers, body = threatfox.requests[0]
    assert headers["Auth-Key"] == AUTH_KEY
    assert body == {"query": "get_iocs", "days": 3}
    assert result.from_cache is False
    assert result.refresh_error == ""
    assert len(result.load.indicators) == 6
    assert result.load.indicators[0].value == "test3012.duckdns.org"
    assert result.load.indicators[0].source == "threatfox"


def test_second_fetch_uses_cache(threatfox, feed):
    ThreatFoxClient(feed).fetch()

    result = ThreatFoxClient(feed).fetch()

    assert len(threatfox.requests) == 1
    assert result.from_cache is True
    assert len(result.load.indicators) == 6


def test_cache_has_no_key(threatfox, feed):
    client = ThreatFoxClient(feed)
    client.fetch()

    assert client.cache_path.is_file()
    assert client.cache_path.is_relative_to(cache_dir())
    assert AUTH_KEY not in client.cache_path.read_text()


def test_key_never_logged(threatfox, feed, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    ThreatFoxClient(feed).fetch()
    monkeypatch.setenv(KEY_VARIABLE, AUTH_KEY + "-wrong")

    with pytest.raises(FeedError):
        ThreatFoxClient(FeedConfig(name="other", auth_key_env=KEY_VARIABLE, url=threatfox.url)).fetch()

    assert "get_iocs" in caplog.text
    assert AUTH_KEY not in caplog.text


@pytest.mark.parametrize(("mode", "fragment"), [("illegal", "illegal_search_term"), ("no_result", "no_result"), ("not_json", "invalid JSON"), ("server_error", "HTTP 502")])
def test_refresh_failure_returns_cache(threatfox, feed, mode, fragment):
    ThreatFoxClient(feed).fetch()
    threatfox.mode = mode

    result = ThreatFoxClient(feed).fetch(refresh=True)

    assert len(threatfox.requests) == 2
    assert result.from_cache is True
    assert fragment in result.refresh_error
    assert len(result.load.indicators) == 6
    assert result.age.total_seconds() >= 0


def test_offline_returns_cache(threatfox, feed):
    ThreatFoxClient(feed).fetch()
    threatfox.close()

    result = ThreatFoxClient(feed).fetch(refresh=True)

    assert result.from_cache is True
    assert "cannot reach" in result.refresh_error
    assert len(result.load.indicators) == 6


def test_error_status_without_cache(threatfox, feed):
    threatfox.mode = "illegal"

    with pytest.raises(FeedError) as error:
        ThreatFoxClient(feed).fetch()

    assert "illegal_search_term" in str(error.value)
    assert "No cached copy" in str(error.value)
    assert not ThreatFoxClient(feed).cache_path.exists()


def test_rejected_key(threatfox, feed, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, "wrong-key")

    with pytest.raises(FeedError) as error:
        ThreatFoxClient(feed).fetch()

    assert "HTTP 401" in str(error.value)
    assert KEY_VARIABLE in str(error.value)
    assert "wrong-key" not in str(error.value)


def test_missing_key(threatfox, feed, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE)

    with pytest.raises(FeedError) as error:
        ThreatFoxClient(feed).fetch()

    assert KEY_VARIABLE in str(error.value)
    assert threatfox.requests == []


def test_days_out_of_range(feed):
    feed.days = 8

    with pytest.raises(FeedError, match="1 to 7"):
        ThreatFoxClient(feed)


def test_cli_threatfox_feed(threatfox, feed, tmp_path, capsys):
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[[feeds]]\nname = "tf"\nkind = "threatfox"\nauth_key_env = "{KEY_VARIABLE}"\ndays = 2\nurl = "{threatfox.url}"\n'
    )

    first = main(["--config", str(config_file), "iocs", "--threatfox", "tf", "--format", "jsonl"])
    threatfox.mode = "illegal"
    second = main(["--config", str(config_file), "iocs", "--threatfox", "tf", "--refresh", "--format", "jsonl"])

    output = capsys.readouterr()
    assert first == 0
    assert second == 1
    assert threatfox.requests[0][1] == {"query": "get_iocs", "days": 2}
    assert len(output.out.splitlines()) == 12
    assert "cached copy" in output.err
    assert "illegal_search_term" in output.err
    assert AUTH_KEY not in output.err


def test_cli_unknown_threatfox_feed(tmp_path, capsys):
    code = main(["iocs", "--threatfox", "absent"])

    assert code == 2
    assert "absent" in capsys.readouterr().err
