"""Polite HTTP for the probes: one ``requests.Session``, a descriptive User-Agent, timeouts, retries that
honour ``Retry-After``, conditional requests (ETag / Last-Modified) and a per-host rate limit.

Everything that waits goes through an injectable ``sleep`` and ``clock`` (and ``now`` for wall time), so
tests never wait for real, and every wait is cut into short slices that check the ``cancel`` callable.
No wait is ever longer than ``max_wait``: a site that asks for more gets a
``ProbeError("rate_limited", "… try again in N s")`` instead, and the host stays blocked for that long in
this client, so the other groups on that host fail fast without sending anything.

Every failure becomes one :class:`~groupdesk.probes.base.ProbeError` whose message names the site.

A :class:`ProbeClient` belongs to one thread (the worker that runs the probes). Its
:class:`ResponseCache` is plain data the caller may save after the run and hand to the next client.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

import requests
from urllib3.exceptions import ReadTimeoutError

from groupdesk import APP_ID, __version__
from groupdesk.probes.base import ProbeError

#: Where site operators can read what GroupDesk is. A placeholder until the project has a public home.
CONTACT_URL = "https://groupdesk.example/contact"
#: Sent with every request. Reddit asks for ``<platform>:<app id>:<version> (…)``; the others accept it.
USER_AGENT = f"desktop:{APP_ID}:v{__version__} (GroupDesk group activity check; +{CONTACT_URL})"

#: Hosts a test may point a fixed-host platform (Reddit, Discord) at; nothing else is accepted.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: Statuses that are retried (after ``Retry-After`` or a back-off).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: ``per_second`` requests on average, at most ``burst`` back to back."""

    per_second: float
    burst: int = 1


#: One request per second per host unless a platform is known to allow otherwise.
DEFAULT_LIMIT = RateLimit(1.0, 1)
#: Reddit: about 10 requests a minute without login. Mastodon: 300 requests per 5 minutes.
PLATFORM_LIMITS: dict[str, RateLimit] = {
    "reddit": RateLimit(10 / 60, 2),
    "mastodon": RateLimit(1.0, 5),
}


class RateLimiter:
    """Per-host token buckets, plus hosts blocked until a time (after a 429 or an exhausted quota)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # host and limit → (tokens, at)
        self._blocked: dict[str, float] = {}  # host → clock time

    def _tokens(self, key: str, limit: RateLimit) -> float:
        now = self._clock()
        tokens, at = self._buckets.get(key, (float(limit.burst), now))
        return min(float(limit.burst), tokens + max(0.0, now - at) * limit.per_second)

    def wait_time(self, host: str, limit: RateLimit) -> float:
        """Seconds until a request to ``host`` may be sent (0 when it may go now)."""
        blocked = self._blocked.get(host, 0.0) - self._clock()
        tokens = self._tokens(f"{host} {limit}", limit)
        refill = 0.0 if tokens >= 1.0 else (1.0 - tokens) / limit.per_second
        return max(0.0, blocked, refill)

    def take(self, host: str, limit: RateLimit) -> None:
        """Spend one token for ``host`` (call when a request is sent)."""
        key = f"{host} {limit}"  # one bucket per host and limit
        self._buckets[key] = (self._tokens(key, limit) - 1.0, self._clock())

    def block(self, host: str, seconds: float) -> None:
        """Send nothing to ``host`` for ``seconds`` (never shortens an existing block)."""
        until = self._clock() + max(0.0, seconds)
        self._blocked[host] = max(self._blocked.get(host, 0.0), until)


class CacheEntry(NamedTuple):
    """One cached answer: validators, the body text, and when the site last confirmed it (UTC)."""

    etag: str | None
    last_modified: str | None
    body: str
    fetched_at: datetime


class ResponseCache:
    """url → :class:`CacheEntry`. Kept by the caller between runs (:meth:`to_json` / :meth:`from_json`)."""

    def __init__(self, entries: Mapping[str, CacheEntry] | None = None) -> None:
        self._lock = threading.Lock()
        self.entries: dict[str, CacheEntry] = dict(entries or {})

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, url: str) -> CacheEntry | None:
        """The entry for ``url``, if any."""
        with self._lock:
            return self.entries.get(url)

    def put(self, url: str, entry: CacheEntry) -> None:
        """Store or replace the entry for ``url``."""
        with self._lock:
            self.entries[url] = entry

    def prune(self, older_than: datetime) -> int:
        """Drop entries confirmed before ``older_than``; returns how many were dropped."""
        with self._lock:
            old = [u for u, e in self.entries.items() if e.fetched_at < older_than]
            for u in old:
                del self.entries[u]
            return len(old)

    def to_json(self) -> dict[str, list[Any]]:
        """A JSON-ready dict: url → [etag, last_modified, body, fetched_at ISO]."""
        with self._lock:
            return {
                u: [e.etag, e.last_modified, e.body, e.fetched_at.isoformat()]
                for u, e in self.entries.items()
            }

    @classmethod
    def from_json(cls, data: object) -> ResponseCache:
        """The cache saved by :meth:`to_json`; malformed entries are skipped, never fatal."""
        entries: dict[str, CacheEntry] = {}
        if isinstance(data, Mapping):
            for url, row in data.items():
                try:
                    etag, last_modified, body, fetched = row
                    at = datetime.fromisoformat(fetched)
                except (TypeError, ValueError):
                    continue
                if at.tzinfo is None:
                    at = at.replace(tzinfo=timezone.utc)
                if isinstance(url, str) and isinstance(body, str):
                    entries[url] = CacheEntry(
                        etag if isinstance(etag, str) else None,
                        last_modified if isinstance(last_modified, str) else None,
                        body,
                        at,
                    )
        return cls(entries)


@dataclass(frozen=True)
class Fetched:
    """A JSON answer and when the site last confirmed it."""

    url: str
    data: Any
    measured_at: datetime
    from_cache: bool = False


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (seconds or an HTTP date); ``None`` if unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - now).total_seconds())
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def _loopback_only(urls: Mapping[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for platform, base in (urls or {}).items():
        host = urlsplit(base).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"test base URL for {platform} must point at this machine, not {base!r}")
        out[platform] = base.rstrip("/")
    return out


class ProbeClient:
    """Sends the probes' requests. One ``requests.Session`` per client; use it from one thread.

    Args:
        cache: conditional-request cache to use and fill (a new empty one by default).
        timeout: (connect, read) seconds, on every request.
        max_attempts: tries per URL when the site answers 429 or 5xx.
        backoff: first back-off in seconds when no ``Retry-After`` is given (doubles each try).
        max_wait: the longest this client ever waits for one host; asked for more, it reports
            "try again in N s" instead.
        reuse_within: an answer confirmed less than this many seconds ago is reused without asking.
        limits: rate limits per platform key (defaults: :data:`PLATFORM_LIMITS`, else :data:`DEFAULT_LIMIT`).
        cancel: returns True when the user cancelled; checked before every request and during waits.
        sleep, clock, now: injectable ``time.sleep``, ``time.monotonic`` and UTC ``datetime.now``.
        session: a session to use (its headers get the User-Agent); a new one by default.
        test_base_urls: platform → base URL for fixed-host platforms (``reddit``, ``discord``). Tests only:
            anything but a loopback address is refused with ``ValueError``.
        max_body: answers larger than this many bytes are refused.
    """

    def __init__(
        self,
        *,
        cache: ResponseCache | None = None,
        timeout: tuple[float, float] = (5.0, 15.0),
        max_attempts: int = 3,
        backoff: float = 2.0,
        max_wait: float = 30.0,
        reuse_within: float = 300.0,
        limits: Mapping[str, RateLimit] | None = None,
        cancel: Callable[[], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        session: requests.Session | None = None,
        test_base_urls: Mapping[str, str] | None = None,
        max_body: int = 2_000_000,
    ) -> None:
        self.cache = cache if cache is not None else ResponseCache()
        self.timeout = timeout
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_wait = max_wait
        self.reuse_within = reuse_within
        self.limits = dict(PLATFORM_LIMITS if limits is None else limits)
        self.cancel = cancel
        self._sleep = sleep
        self._now = now
        self.limiter = RateLimiter(clock)
        self._base_urls = _loopback_only(test_base_urls)
        self.max_body = max_body
        self.session = session if session is not None else requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept"] = "application/json"
        self.session.max_redirects = 5
        self.requests_sent = 0

    # -- life cycle -------------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()

    def __enter__(self) -> ProbeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- helpers for platform modules ----------------------------------------------------------------
    def base_url(self, platform: str, default: str) -> str:
        """The base URL of a fixed-host platform: ``default`` unless a test overrode it."""
        return self._base_urls.get(platform, default)

    def now(self) -> datetime:
        """The current UTC time (injectable)."""
        return self._now()

    def check_cancel(self) -> None:
        """Raise ``ProbeError("cancelled")`` when the cancel callable says so."""
        if self.cancel is not None and self.cancel():
            raise ProbeError("cancelled", "Cancelled.")

    def _wait(self, seconds: float) -> None:
        remaining = seconds
        while remaining > 0:
            self.check_cancel()
            step = min(remaining, 0.25)
            self._sleep(step)
            remaining -= step
        self.check_cancel()

    def _acquire(self, host: str, limit: RateLimit, site: str, url: str) -> None:
        while True:
            self.check_cancel()
            wait = self.limiter.wait_time(host, limit)
            if wait <= 0:
                self.limiter.take(host, limit)
                return
            if wait > self.max_wait:
                raise ProbeError(
                    "rate_limited",
                    f"{site} asked GroupDesk to slow down: try again in {math.ceil(wait)} s.",
                    url=url,
                    retry_after=wait,
                )
            self._wait(wait)

    # -- the request --------------------------------------------------------------------------------------
    def get_json(
        self, url: str, *, site: str, platform: str, params: Mapping[str, str] | None = None
    ) -> Fetched:
        """GET ``url`` (with ``params``) and parse the JSON answer.

        Args:
            url: the address, without a query string when ``params`` is given.
            site: how messages name the site ("Reddit", "forum.example.org (Discourse)").
            platform: a platform key, which chooses the rate limit.
            params: query parameters.

        Returns:
            the parsed JSON and when the site last confirmed it (now, or the time of a reused answer).

        Raises:
            ProbeError: for every failure, with a message naming ``site``.
        """
        full = f"{url}?{urlencode(dict(params))}" if params else url
        parts = urlsplit(full)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ProbeError("unsupported", f"{full} is not a web address GroupDesk can check.", url=full)
        host = parts.netloc.lower()
        entry = self.cache.get(full)
        now = self._now()
        if entry is not None and 0 <= (now - entry.fetched_at).total_seconds() < self.reuse_within:
            return Fetched(
                full, self._parse(entry.body.encode("utf-8"), "", site, full), entry.fetched_at, True
            )
        limit = self.limits.get(platform, DEFAULT_LIMIT)
        for attempt in range(1, self.max_attempts + 1):
            self._acquire(host, limit, site, full)
            headers: dict[str, str] = {}
            if entry is not None and entry.etag:
                headers["If-None-Match"] = entry.etag
            if entry is not None and entry.last_modified:
                headers["If-Modified-Since"] = entry.last_modified
            status, resp_headers, body = self._send(full, headers, site)
            self._note_quota(host, resp_headers)
            if status in RETRY_STATUSES:
                self._retry_or_raise(status, resp_headers, attempt, host, site, full)
                continue
            if status == 304:
                if entry is None:
                    raise ProbeError(
                        "bad_response", f"{site} answered “not modified” to a first request.", url=full
                    )
                confirmed = self._now()
                self.cache.put(full, entry._replace(fetched_at=confirmed))
                return Fetched(full, self._parse(entry.body.encode("utf-8"), "", site, full), confirmed, True)
            ctype = resp_headers.get("Content-Type", "")
            if 200 <= status < 300:
                data = self._parse(body, ctype, site, full)
                etag, modified = resp_headers.get("ETag"), resp_headers.get("Last-Modified")
                confirmed = self._now()
                if etag or modified:
                    try:
                        text = body.decode("utf-8")
                    except UnicodeDecodeError:
                        pass
                    else:
                        self.cache.put(full, CacheEntry(etag, modified, text, confirmed))
                return Fetched(full, data, confirmed)
            raise self._status_error(status, body, ctype, site, full)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _send(self, url: str, headers: dict[str, str], site: str) -> tuple[int, Mapping[str, str], bytes]:
        connect, read = self.timeout
        self.requests_sent += 1
        try:
            with self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as resp:
                if resp.status_code in RETRY_STATUSES or resp.status_code == 304:
                    return resp.status_code, resp.headers, b""
                chunks: list[bytes] = []
                total = 0
                for chunk in resp.iter_content(65536):
                    total += len(chunk)
                    if total > self.max_body:
                        raise ProbeError(
                            "bad_response",
                            f"{site} sent an answer larger than {self.max_body // 1_000_000} MB; "
                            "GroupDesk did not read it.",
                            url=url,
                        )
                    chunks.append(chunk)
                return resp.status_code, resp.headers, b"".join(chunks)
        except requests.exceptions.SSLError as exc:
            raise ProbeError(
                "certificate",
                f"The secure connection to {site} failed: its certificate could not be verified.",
                url=url,
            ) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise ProbeError(
                "timeout", f"Could not connect to {site} within {connect:g} s.", url=url
            ) from exc
        except requests.exceptions.ReadTimeout as exc:
            raise ProbeError("timeout", f"{site} did not answer within {read:g} s.", url=url) from exc
        except requests.exceptions.TooManyRedirects as exc:
            raise ProbeError("bad_response", f"{site} redirected too many times.", url=url) from exc
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema) as exc:
            raise ProbeError(
                "unsupported", f"{url} is not a web address GroupDesk can check.", url=url
            ) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise ProbeError("bad_response", f"The answer from {site} was cut off.", url=url) from exc
        except requests.exceptions.ConnectionError as exc:
            if any(isinstance(a, ReadTimeoutError) for a in exc.args):  # timed out while reading the body
                raise ProbeError("timeout", f"{site} did not answer within {read:g} s.", url=url) from exc
            raise ProbeError(
                "offline", f"Could not reach {site}: no connection (offline, or the site is down).", url=url
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise ProbeError(
                "http_error", f"Asking {site} failed: {exc.__class__.__name__}.", url=url
            ) from exc

    def _retry_or_raise(
        self, status: int, headers: Mapping[str, str], attempt: int, host: str, site: str, url: str
    ) -> None:
        asked = parse_retry_after(headers.get("Retry-After"), self._now())
        wait = asked if asked is not None else self.backoff * 2 ** (attempt - 1)
        self.limiter.block(host, wait)  # the next request to this host waits (or fails fast)
        if wait <= self.max_wait and attempt < self.max_attempts:
            return
        if status == 429:
            raise ProbeError(
                "rate_limited",
                f"{site} is limiting requests: try again in {math.ceil(wait)} s.",
                url=url,
                status=status,
                retry_after=wait,
            )
        later = f"try again in {math.ceil(wait)} s" if asked is not None else "try again later"
        raise ProbeError(
            "server_error",
            f"{site} is having trouble (HTTP {status}); {later}.",
            url=url,
            status=status,
            retry_after=wait,
        )

    def _note_quota(self, host: str, headers: Mapping[str, str]) -> None:
        """Honour ``X-RateLimit-Remaining: 0`` with its ``X-RateLimit-Reset`` (seconds or a date)."""
        remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        try:
            if float(remaining) >= 1:
                return
        except ValueError:
            return
        try:
            seconds = float(reset)
        except ValueError:
            try:
                when = datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
            except ValueError:
                return
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = (when - self._now()).total_seconds()
        if math.isfinite(seconds) and seconds > 0:
            self.limiter.block(host, min(seconds, timedelta(days=1).total_seconds()))

    def _parse(self, body: bytes, ctype: str, site: str, url: str) -> Any:
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as exc:
            what = "a web page" if "html" in ctype.lower() or body.lstrip()[:1] == b"<" else "something"
            raise ProbeError(
                "bad_response", f"{site} sent {what} GroupDesk cannot read (not JSON).", url=url
            ) from exc

    def _status_error(self, status: int, body: bytes, ctype: str, site: str, url: str) -> ProbeError:
        try:
            payload = json.loads(body) if body else None
        except (ValueError, RecursionError):
            payload = None
        if status in (404, 410):
            kind, message = "not_found", f"{site} has nothing at {url} (HTTP {status})."
        elif status in (401, 403):
            kind, message = "forbidden", f"{site} does not show this publicly (HTTP {status})."
        else:
            kind, message = "http_error", f"{site} answered HTTP {status}."
        return ProbeError(kind, message, url=url, status=status, payload=payload)
