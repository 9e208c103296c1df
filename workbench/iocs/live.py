"""The live ThreatFox feed: `get_iocs` over httpx with an on-disk cache of the last good response.

Every ThreatFox call is a POST to the v1 API with an `Auth-Key` header, and
`get_iocs` accepts `days` from 1 to 7. Errors come back as HTTP 200 with a
`query_status` other than `ok`; the client treats those as failures, never as
an empty feed.

The Auth-Key is read from the environment variable that `FeedConfig.auth_key_env`
names, at the moment of the request. It is never stored in the cache, a
session or a log line, and error messages name the variable, not the key.

The cache keeps the raw response of the last successful call per feed under
`workbench.paths.cache_dir()/threatfox/`. `fetch()` returns it without a
request unless `refresh=True` is passed. When a refresh fails (offline, key
rejected, error status), the cached copy is returned with its age and the
reason, and FeedError is raised only when there is no cached copy.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from workbench.config import FeedConfig
from workbench.iocs.model import FeedError, FeedLoad
from workbench.iocs.threatfox import parse_api_response
from workbench.paths import cache_dir

log = logging.getLogger(__name__)

THREATFOX_SOURCE = "threatfox"
MIN_DAYS = 1
MAX_DAYS = 7
DEFAULT_TIMEOUT_SECONDS = 30.0
CACHE_FORMAT = "hunt-workbench.threatfox-cache"


@dataclass
class LiveFeedResult:
    """The indicators of a live feed and where they came from."""

    load: FeedLoad
    fetched_at: datetime
    """Aware UTC time the response was received from ThreatFox (for a cached copy, when it was cached)."""
    from_cache: bool
    """True when `load` was read from the cache instead of a request made by this call."""
    refresh_error: str = ""
    """The reason a requested refresh failed, so the cached copy was returned; empty when no refresh failed."""

    @property
    def age(self) -> timedelta:
        """Return how long ago the data was fetched from ThreatFox."""
        return datetime.now(timezone.utc) - self.fetched_at


class ThreatFoxClient:
    """Fetches `get_iocs` for one `[[feeds]]` entry of kind `threatfox` and caches the response."""

    def __init__(self, feed: FeedConfig, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if not MIN_DAYS <= feed.days <= MAX_DAYS:
            raise FeedError(f"feed {feed.name!r}: days must be {MIN_DAYS} to {MAX_DAYS} (the ThreatFox API limit), not {feed.days}")
        self.feed = feed
        self.timeout = timeout

    @property
    def cache_path(self) -> Path:
        safe_name = re.sub(r"[^A-Za-z0-9_.-]", "_", self.feed.name) or "threatfox"
        return cache_dir() / "threatfox" / f"{safe_name}-days{self.feed.days}.json"

    def fetch(self, refresh: bool = False) -> LiveFeedResult:
        """Return the cached feed, or request a fresh one when `refresh` is true or no cache exists.

        Raises FeedError when the request fails and there is no cached copy.
        """
        cached = self._read_cache()
        if cached is not None and not refresh:
            return cached

        try:
            response_text = self._request()
            load = parse_api_response(_decode_json(response_text), THREATFOX_SOURCE)
        except FeedError as error:
            log.warning("ThreatFox feed %s: refresh failed: %s", self.feed.name, error)
            if cached is None:
                raise FeedError(f"ThreatFox feed {self.feed.name!r}: {error}. No cached copy exists yet") from None
            cached.refresh_error = str(error)
            return cached

        fetched_at = datetime.now(timezone.utc)
        self._write_cache(response_text, fetched_at)
        log.info("ThreatFox feed %s: fetched %d indicators, %d rejected", self.feed.name, len(load.indicators), len(load.rejected))
        return LiveFeedResult(load=load, fetched_at=fetched_at, from_cache=False)

    def _request(self) -> str:
        """POST `get_iocs` and return the response body; raise FeedError for any transport or HTTP failure."""
        auth_key = os.environ.get(self.feed.auth_key_env, "").strip()
        if not auth_key:
            raise FeedError(
                f"the ThreatFox Auth-Key is missing: set the environment variable {self.feed.auth_key_env} "
                "(named by auth_key_env in the feed's config)"
            )
        body = {"query": "get_iocs", "days": self.feed.days}
        log.info("ThreatFox feed %s: requesting get_iocs days=%d from %s", self.feed.name, self.feed.days, self.feed.url)
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client:
                response = client.post(self.feed.url, json=body, headers={"Auth-Key": auth_key, "Accept": "application/json"})
        except httpx.TimeoutException:
            raise FeedError(f"the request to {self.feed.url} timed out after {self.timeout:g} s; retry later") from None
        except httpx.HTTPError as error:
            raise FeedError(f"cannot reach {self.feed.url}: {type(error).__name__}: {error}; check the network and the feed url") from None

        if response.status_code in (401, 403):
            raise FeedError(
                f"ThreatFox rejected the Auth-Key (HTTP {response.status_code}); "
                f"check the key in the environment variable {self.feed.auth_key_env}"
            )
        if response.status_code != 200:
            raise FeedError(f"ThreatFox responded with HTTP {response.status_code}; retry later or check the feed url")
        return response.text

    def _read_cache(self) -> LiveFeedResult | None:
        path = self.cache_path
        try:
            cache = json.loads(path.read_text(encoding="utf-8"))
            if cache.get("format") != CACHE_FORMAT or cache.get("url") != self.feed.url:
                return None
            fetched_at = datetime.fromisoformat(cache["fetched_at"])
            load = parse_api_response(_decode_json(cache["response"]), THREATFOX_SOURCE)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, FeedError) as error:
            log.warning("ThreatFox cache %s is unusable and is ignored: %s", path, error)
            return None
        return LiveFeedResult(load=load, fetched_at=fetched_at, from_cache=True)

    def _write_cache(self, response_text: str, fetched_at: datetime) -> None:
        """Write the cache atomically (temporary file, then rename), so a crash never leaves half a file."""
        path = self.cache_path
        cache = {
            "format": CACHE_FORMAT,
            "url": self.feed.url,
            "days": self.feed.days,
            "fetched_at": fetched_at.isoformat(),
            "response": response_text,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as handle:
                json.dump(cache, handle)
                temporary = Path(handle.name)
            os.replace(temporary, path)
        except OSError as error:
            log.warning("ThreatFox cache %s could not be written: %s", path, error)


def _decode_json(response_text: str) -> dict:
    try:
        data = json.loads(response_text)
    except json.JSONDecodeError as error:
        raise FeedError(f"ThreatFox responded with invalid JSON ({error.msg} at line {error.lineno}); retry later") from None
    if not isinstance(data, dict):
        raise FeedError("ThreatFox responded with JSON that is not an object; check the feed url")
    return data
