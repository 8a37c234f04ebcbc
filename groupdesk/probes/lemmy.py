"""Lemmy: a community's subscribers and active users, from ``/api/v3/community?name=NAME`` on its instance.

Recognised (any host): ``https://HOST/c/NAME`` with exactly those two path segments (also
``/c/NAME@OTHER.HOST``, a community of another instance seen from HOST), and the text form ``!NAME@HOST``.
Discourse category links share the ``/c/NAME`` shape; see :mod:`groupdesk.probes.dispatch` for the order.

Counts sit in ``community_view.counts`` (Lemmy 0.x) or on ``community_view.community`` (Lemmy 1.0); both
are read. Lemmy publishes no posts per week; ``users_active_*`` say who posted, commented or voted in the
community per period, which also gives a conservative "active since" date.
"""

from __future__ import annotations

import re
from typing import Any

from groupdesk.probes.base import Figures, ProbeError, Target, as_int, as_text
from groupdesk.probes.http import ProbeClient
from groupdesk.probes.urls import days_before, split_url

PLATFORM = "lemmy"
_NAME = re.compile(r"[A-Za-z0-9_]{1,50}(?:@[a-z0-9.\-]+\.[a-z]{2,})?")
_BANG = re.compile(r"!([A-Za-z0-9_]{1,50})@([a-z0-9.\-]+\.[a-z]{2,})", re.IGNORECASE)
#: (count key, window, days for the "active since" bound), smallest window first.
_WINDOWS = (
    ("users_active_day", "day", 1),
    ("users_active_week", "week", 7),
    ("users_active_month", "month", 30),
    ("users_active_half_year", "half_year", 183),
)
_NOT_FOUND_ERRORS = frozenset({"couldnt_find_community", "not_found", "couldnt_find_object"})


def recognise(url: str) -> Target | None:
    """A community target for a Lemmy community address, else ``None``."""
    text = (url or "").strip()
    bang = _BANG.fullmatch(text)
    if bang:
        host = bang[2].lower()
        return Target(PLATFORM, "community", bang[1], f"https://{host}", f"https://{host}/c/{bang[1]}")
    split = split_url(text)
    if split is None or len(split.segs) != 2 or split.segs[0] != "c" or not _NAME.fullmatch(split.segs[1]):
        return None
    name = split.segs[1]
    return Target(PLATFORM, "community", name, split.origin, f"{split.origin}/c/{name}")


def probe(client: ProbeClient, target: Target) -> Figures:
    """Subscribers and active users of ``target``'s community.

    Raises:
        ProbeError: not_found when the instance has no such community (or is not Lemmy), bad_response when
            the answer is not a Lemmy community, and the transport errors of :meth:`ProbeClient.get_json`.
    """
    site = target.site
    url = f"{target.base}/api/v3/community"
    try:
        got = client.get_json(url, site=site, platform=PLATFORM, params={"name": target.name})
    except ProbeError as exc:
        error = exc.payload.get("error") if isinstance(exc.payload, dict) else None
        if exc.kind == "not_found" or (exc.status == 400 and error in _NOT_FOUND_ERRORS):
            raise ProbeError(
                "not_found", f"{site} has no community {target.name}.", url=exc.url, status=exc.status
            ) from exc
        raise
    data = got.data
    view = data.get("community_view") if isinstance(data, dict) else None
    community = view.get("community") if isinstance(view, dict) else None
    if not isinstance(view, dict) or not isinstance(community, dict):
        raise ProbeError("bad_response", f"{site} did not answer like a Lemmy instance.", url=got.url)
    raw_counts = view.get("counts")
    counts: dict[str, Any] = raw_counts if isinstance(raw_counts, dict) else {}

    def count(key: str) -> int | None:
        for source in (counts, community, view):
            value = as_int(source.get(key))
            if value is not None:
                return value
        return None

    figures = Figures(
        platform=PLATFORM,
        source_url=got.url,
        measured_at=got.measured_at,
        members=count("subscribers"),
        title=as_text(community.get("title")),
        external_id=as_text(community.get("actor_id")) or as_text(community.get("ap_id")),
    )
    for key, window, _days in (_WINDOWS[1], _WINDOWS[2], _WINDOWS[0], _WINDOWS[3]):
        value = count(key)
        if value is not None:
            figures.active_users, figures.active_window = value, window
            break
    for key, _window, days in _WINDOWS:
        value = count(key)
        if value:
            figures.last_activity = days_before(got.measured_at, days)
            break
    posts = count("posts")
    if posts is not None:
        figures.notes.append(f"{posts} posts in total; Lemmy does not publish posts per week.")
    return figures
