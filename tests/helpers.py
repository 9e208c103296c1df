"""Helpers for driving the TUI in tests: waiting on the app's own state, not on time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    """Pause the pilot until `condition()` is true; fail the test after `timeout` seconds.

    The timeout only stops a hung test: no assertion depends on how long the
    wait took.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
