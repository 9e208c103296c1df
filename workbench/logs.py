"""Logging to a rotating file in the platformdirs log folder, never to the terminal.

The TUI owns the terminal, so a log line on stderr would tear the screen.
Nothing here logs tokens, keys or row data at INFO; callers keep to that.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from workbench.paths import log_dir

LOG_FILE_NAME = "workbench.log"
_handler: logging.Handler | None = None


def log_file_path() -> Path:
    return log_dir() / LOG_FILE_NAME


def setup_logging(level: str = "INFO") -> Path:
    """Send the `workbench` logger to the rotating log file and return its path.

    When the log folder cannot be created the workbench still runs, without a log.
    """
    global _handler

    path = log_file_path()
    logger = logging.getLogger("workbench")
    logger.setLevel(getattr(logging, level.upper(), logging.INFO))
    logger.propagate = False
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
        _handler = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        logger.addHandler(logging.NullHandler())
        return path
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(_handler)
    return path
