"""A dropped SSH connection or a kill loses nothing: the TUI saves on SIGHUP and SIGTERM, in a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbench.sessions.store import load_session


class Terminal:
    """Runs `workbench` on a pseudo-terminal and keeps reading what it draws."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workbench", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if ready:
                    chunk = os.read(self.master, 65536)
                    if not chunk:
                        return
                    self.output.extend(chunk)
            except OSError:
                return

    def wait_for(self, text: bytes, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{text!r} never appeared; the app exited with {self.process.poll()}")
            time.sleep(0.1)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self.master)


@pytest.fixture
def terminal_env(demo_db: Path, isolated_dirs: Path) -> tuple[dict[str, str], Path]:
    config = isolated_dirs / "config" / "config.toml"
    config.write_text(f'[[workspaces]]\nname = "default"\npath = "{demo_db}"\n\n[session]\nautosave_seconds = 3600.0\n', encoding="utf-8")
    env = dict(os.environ)
    env["TERM"] = "xterm-256color"
    env.pop("NO_COLOR", None)
    return env, isolated_dirs / "data" / "sessions"


@pytest.mark.parametrize("signal_number", [signal.SIGHUP, signal.SIGTERM])
def test_signal_saves_session(terminal_env: tuple[dict[str, str], Path], signal_number: int) -> None:
    env, sessions = terminal_env
    terminal = Terminal([], env)
    try:
        terminal.wait_for(b"IOC feeds")
        terminal.wait_for(b"test3012")
        terminal.send(b"\x07")  # ctrl+g
        terminal.wait_for(b"malicious_domains")
        terminal.process.send_signal(signal_number)
        code = terminal.process.wait(timeout=30)
    finally:
        terminal.close()
    assert code == 128 + signal_number
    files = sorted(sessions.glob("*.toml"))
    assert len(files) == 1
    session = load_session(files[0])
    assert any("malicious_domains" in query.text for query in session.queries)
    assert {indicator.value for indicator in session.indicators} >= {"test3012.duckdns.org"}
