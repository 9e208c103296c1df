"""Snapshot form of result values: what a session stores and what a verdict's row hash is taken over.

One conversion of a value for fresh results and for rows read back from a
session, so a verdict stays attached to the same row after a save, a reopen
or a replay. Whole rows go through `sessions.capture.snapshot_rows`, which
also uses the column types.
"""

from __future__ import annotations

import base64
import math
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID


def snapshot_value(value: Any) -> Any:
    """Return `value` as None, bool, int, float, str, list or dict: the forms a session stores.

    Datetimes become ISO 8601 UTC text ending in `Z`; timespans become
    `[-]D.HH:MM:SS.ffffff` text as KQL prints them; non-finite floats become
    the text `NaN`, `Infinity` or `-Infinity`.
    """
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        text = value.astimezone(timezone.utc).isoformat(timespec="microseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat() + "T00:00:00.000000Z"
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return format_timespan(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(key): snapshot_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [snapshot_value(item) for item in value]
    return str(value)


def format_timespan(value: timedelta) -> str:
    sign = "-" if value < timedelta(0) else ""
    value = abs(value)
    days = value.days
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if value.microseconds:
        text += f".{value.microseconds:06d}"
    return f"{sign}{days}.{text}" if days else f"{sign}{text}"
