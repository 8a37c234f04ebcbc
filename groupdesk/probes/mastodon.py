"""Mastodon: an account's last post and followers (``/api/v1/accounts/lookup``), or a whole instance's
weekly posts and logins (``/api/v1/instance/activity``). No login.

Recognised as an account (any host): ``https://HOST/@NAME`` (any path after it, e.g. a post),
``https://HOST/@NAME@OTHER.HOST``, ``https://HOST/users/NAME``, and the text form ``@NAME@HOST``. Group
accounts (Mastodon, Friendica, Guppe) are accounts too.

An instance has no address shape of its own (any host root), so :func:`recognise` never returns one;
:func:`instance_target` makes one when the dispatcher decides to try it (see
:mod:`groupdesk.probes.dispatch`).

Instance activity rows are weeks, newest first, with string counts: ``{"week": "1700438400",
"statuses": "120", "logins": "40", "registrations": "2"}``. The newest row is the week in progress, so
posts per week and active users come from the newest *complete* week.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from groupdesk.probes.base import Figures, ProbeError, Target, as_int, as_text
from groupdesk.probes.http import ProbeClient
from groupdesk.probes.urls import split_url

PLATFORM = "mastodon"
_USER = re.compile(r"[A-Za-z0-9_.\-]{1,64}(?:@[a-z0-9.\-]+\.[a-z]{2,})?", re.IGNORECASE)
#: Sites with ``/@NAME`` profile addresses that are not Mastodon: never asked.
_NOT_MASTODON = frozenset({"medium.com", "youtube.com", "www.youtube.com", "m.youtube.com", "tiktok.com",
                           "www.tiktok.com", "threads.net", "www.threads.net", "threads.com",
                           "www.threads.com", "substack.com"})  # fmt: skip
_TEXT = re.compile(r"@([A-Za-z0-9_.\-]{1,64})@([a-z0-9.\-]+\.[a-z]{2,})", re.IGNORECASE)


def recognise(url: str) -> Target | None:
    """An account target for a Mastodon account address, else ``None`` (never an instance)."""
    text = (url or "").strip()
    bare = _TEXT.fullmatch(text)
    if bare:
        host = bare[2].lower()
        return Target(PLATFORM, "account", bare[1], f"https://{host}", f"https://{host}/@{bare[1]}")
    split = split_url(text)
    if split is None or not split.segs or split.host in _NOT_MASTODON:
        return None
    segs = split.segs
    name = None
    if segs[0].startswith("@") and len(segs[0]) > 1:
        name = segs[0][1:]
    elif len(segs) == 2 and segs[0] == "users":
        name = segs[1]
    if name is None or not _USER.fullmatch(name):
        return None
    return Target(PLATFORM, "account", name, split.origin, f"{split.origin}/@{name}")


def instance_target(url: str) -> Target | None:
    """An instance target for the host of ``url`` (any web address), else ``None``."""
    split = split_url(url)
    if split is None:
        return None
    return Target(PLATFORM, "instance", split.host, split.origin, split.origin + "/")


def probe(client: ProbeClient, target: Target) -> Figures:
    """Figures for an account or an instance target.

    Raises:
        ProbeError: not_found (no such account, or the host publishes no instance activity), bad_response
            (not a Mastodon answer), and the transport errors of :meth:`ProbeClient.get_json`.
    """
    if target.kind == "instance":
        return _instance(client, target)
    return _account(client, target)


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _account(client: ProbeClient, target: Target) -> Figures:
    site = target.site
    url = f"{target.base}/api/v1/accounts/lookup"
    try:
        got = client.get_json(url, site=site, platform=PLATFORM, params={"acct": target.name})
    except ProbeError as exc:
        if exc.kind == "not_found":
            raise ProbeError(
                "not_found", f"{site} has no account @{target.name}.", url=exc.url, status=exc.status
            ) from exc
        raise
    data = got.data
    if not isinstance(data, dict) or ("statuses_count" not in data and "last_status_at" not in data):
        raise ProbeError("bad_response", f"{site} did not answer like a Mastodon server.", url=got.url)
    figures = Figures(
        platform=PLATFORM,
        source_url=got.url,
        measured_at=got.measured_at,
        members=as_int(data.get("followers_count")),
        last_activity=_parse_date(data.get("last_status_at")),
        title=as_text(data.get("display_name")),
        external_id=as_text(data.get("url")),
    )
    statuses = as_int(data.get("statuses_count"))
    if statuses is not None:
        figures.notes.append(
            f"{statuses} posts in total; Mastodon does not publish an account's posts per week."
        )
    if figures.members is not None:
        figures.notes.append("Members are the account's followers.")
    if data.get("last_status_at") is None and statuses == 0:
        figures.notes.append("The account has never posted.")
    return figures


def _instance(client: ProbeClient, target: Target) -> Figures:
    site = target.site
    url = f"{target.base}/api/v1/instance/activity"
    try:
        got = client.get_json(url, site=site, platform=PLATFORM)
    except ProbeError as exc:
        if exc.kind == "not_found":
            raise ProbeError(
                "not_found",
                f"{site} publishes no Mastodon instance activity.",
                url=exc.url,
                status=exc.status,
            ) from exc
        raise
    rows: list[tuple[datetime, int | None, int | None]] = []
    for row in got.data if isinstance(got.data, list) else []:
        if not isinstance(row, dict):
            continue
        week = as_int(row.get("week"))
        if week is None or week > 10**11:
            continue
        start = datetime.fromtimestamp(week, timezone.utc)
        rows.append((start, as_int(row.get("statuses")), as_int(row.get("logins"))))
    if not rows:
        raise ProbeError("bad_response", f"{site} did not answer like a Mastodon server.", url=got.url)
    rows.sort(key=lambda r: r[0], reverse=True)
    measured = got.measured_at
    complete = [r for r in rows if r[0] + timedelta(days=7) <= measured]
    start, statuses, logins = complete[0] if complete else rows[0]
    figures = Figures(
        platform=PLATFORM,
        source_url=got.url,
        measured_at=measured,
        posts_per_week=float(statuses) if statuses is not None else None,
        active_users=logins,
        active_window="week" if logins is not None else None,
        title=target.name,
    )
    latest_posting = next((r[0] for r in rows if r[1]), None)
    if latest_posting is not None:
        figures.last_activity = latest_posting.date()
    which = "the week" if complete else "the week so far"
    figures.notes.append(
        f"Figures for the whole instance, {which} starting {start.date().isoformat()}; "
        "active users are logins."
    )
    return figures
