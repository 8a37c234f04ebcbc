"""Splitting group addresses for the probes: scheme, origin, path segments (no network, no guessing)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import unquote, urlsplit

_HOST = re.compile(r"[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*")


@dataclass(frozen=True)
class SplitUrl:
    """A web address taken apart.

    Attributes:
        url: the address with a scheme (``https://`` added when it had none).
        scheme: ``http`` or ``https``.
        host: the lower-case host name, without ``www.`` removed (any-host platforms need it as is).
        origin: ``scheme://host[:port]`` (no user name or password).
        segs: the unquoted, non-empty path segments.
        query: the raw query string.
    """

    url: str
    scheme: str
    host: str
    origin: str
    segs: tuple[str, ...]
    query: str


def split_url(url: str) -> SplitUrl | None:
    """``url`` taken apart, or ``None`` when it is not an http(s) address with a plausible host."""
    url = (url or "").strip()
    if not url or any(c.isspace() for c in url):
        return None
    if not re.match(r"(?i)[a-z][a-z0-9+.\-]*://", url):
        if re.match(r"(?i)[a-z][a-z0-9+.\-]*:(?!\d)", url) or "@" in url.split("/", 1)[0]:
            return None  # another scheme (mailto:, news:) or an e-mail address, not a web address
        url = "https://" + url.lstrip("/")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return None
    if ":" in host:  # an IPv6 literal
        netloc = f"[{host}]"
    elif _HOST.fullmatch(host):
        netloc = host
    else:
        return None
    if port is not None:
        netloc += f":{port}"
    segs = tuple(unquote(s) for s in parts.path.split("/") if s)
    return SplitUrl(url, scheme, host, f"{scheme}://{netloc}", segs, parts.query)


def days_before(moment: datetime, days: int) -> date:
    """The date ``days`` days before ``moment`` (a conservative "active since" bound)."""
    return (moment - timedelta(days=days)).date()
