"""Discourse: a forum's users, active users and posts per week, from ``/about.json`` (``about.stats``),
or ``/site/statistics.json`` when the about page carries no statistics and the site shares them.

Any host runs Discourse, so :func:`recognise` accepts every web address; the dispatcher only tries it for
groups whose network is "forum" (see :mod:`groupdesk.probes.dispatch`). The forum's base is the address up
to the first Discourse route (``/t/``, ``/c/``, ``/latest``, …), which keeps sub-folder installs
(``https://example.org/forum/t/…`` → ``https://example.org/forum``). The figures are for the whole forum,
even when the group's address is one category.

Statistic keys changed over the years; all of these are read:
``users_count``/``user_count``, ``posts_7_days``/``posts_30_days``/``posts_last_day``,
``topics_*`` (when posts are missing), ``active_users_7_days``/``_30_days``/``_last_day`` and
``participating_users_*`` (newer versions).
"""

from __future__ import annotations

from groupdesk.probes.base import WRONG_PLATFORM_KINDS, Figures, ProbeError, Target, as_int, as_text
from groupdesk.probes.http import Fetched, ProbeClient
from groupdesk.probes.urls import days_before, split_url

PLATFORM = "discourse"
#: First path segments of Discourse pages; what comes before them is the forum's base.
_ROUTES = frozenset({
    "t", "c", "u", "g", "tag", "tags", "latest", "top", "new", "unread", "categories", "about", "faq",
    "guidelines", "tos", "privacy", "search", "session", "login", "signup", "badges", "groups", "users",
    "posts", "my", "hot", "review", "admin", "about.json", "site", "chat", "pub", "invites", "t.json",
})  # fmt: skip
#: (suffix, window, days): the statistic periods, smallest first.
_PERIODS = (("last_day", "day", 1), ("7_days", "week", 7), ("30_days", "month", 30))


def recognise(url: str) -> Target | None:
    """A forum target for any web address (the caller decides whether to try it), else ``None``."""
    split = split_url(url)
    if split is None:
        return None
    prefix: list[str] = []
    for seg in split.segs:
        if seg.lower() in _ROUTES or seg.endswith(".json"):
            break
        prefix.append(seg)
    if len(prefix) > 2:  # not a sub-folder install: too deep
        prefix = []
    base = split.origin + "".join(f"/{p}" for p in prefix)
    return Target(PLATFORM, "forum", split.host, base, split.url)


def _first(stats: dict[str, object], *keys: str) -> int | None:
    for key in keys:
        value = as_int(stats.get(key))
        if value is not None:
            return value
    return None


def figures_from_stats(stats: dict[str, object], figures: Figures) -> None:
    """Fill ``figures`` from a Discourse statistics dict (old and new key names)."""
    figures.members = _first(stats, "users_count", "user_count")
    for prefix in ("active_users", "participating_users"):
        for suffix, window, _days in (_PERIODS[1], _PERIODS[2], _PERIODS[0]):
            value = as_int(stats.get(f"{prefix}_{suffix}"))
            if value is not None:
                figures.active_users, figures.active_window = value, window
                break
        if figures.active_users is not None:
            break
    for kind in ("posts", "topics"):
        per_week = None
        week, month, day = (as_int(stats.get(f"{kind}_{s}")) for s in ("7_days", "30_days", "last_day"))
        if week is not None:
            per_week = float(week)
        elif month is not None:
            per_week = round(month * 7 / 30, 1)
        elif day is not None:
            per_week = float(day * 7)
        if per_week is not None:
            figures.posts_per_week = per_week
            if kind == "topics":
                figures.notes.append(
                    "Posts per week counts new topics only (the forum gives no post counts)."
                )
            for suffix, _window, days in _PERIODS:
                if as_int(stats.get(f"{kind}_{suffix}")):
                    figures.last_activity = days_before(figures.measured_at, days)
                    break
            break


def probe(client: ProbeClient, target: Target) -> Figures:
    """Forum-wide figures for ``target``.

    Raises:
        ProbeError: not_found / bad_response when the host is not a Discourse forum, forbidden when the
            forum shares no statistics (or needs a login), and the transport errors of
            :meth:`ProbeClient.get_json`.
    """
    site = target.site
    base, about, got = _about(client, target)
    stats = about.get("stats")
    source, measured = got.url, got.measured_at
    if not isinstance(stats, dict) or not stats:
        stats_url = f"{base}/site/statistics.json"
        try:
            shared = client.get_json(stats_url, site=site, platform=PLATFORM)
        except ProbeError as exc:
            if exc.kind in ("not_found", "forbidden"):
                raise ProbeError(
                    "forbidden", f"{site} does not share its statistics.", url=stats_url, status=exc.status
                ) from exc
            raise
        if not isinstance(shared.data, dict):
            raise ProbeError("bad_response", f"{site} sent statistics GroupDesk cannot read.", url=shared.url)
        stats, source, measured = shared.data, shared.url, shared.measured_at
    figures = Figures(
        platform=PLATFORM,
        source_url=source,
        measured_at=measured,
        title=as_text(about.get("title")),
    )
    figures_from_stats(stats, figures)
    if figures.is_empty():
        raise ProbeError("forbidden", f"{site} does not share its statistics.", url=source)
    if target.url.rstrip("/") != base:
        figures.notes.append("Figures for the whole forum.")
    return figures


def _about(client: ProbeClient, target: Target) -> tuple[str, dict[str, object], Fetched]:
    """The forum base that answered, its ``about`` object and the answer.

    A guessed sub-folder (``https://example.org/forum``) that is not a forum falls back to the host's root.
    """
    site = target.site
    origin = split_url(target.base)
    bases = [target.base]
    if origin is not None and origin.origin != target.base:
        bases.append(origin.origin)
    for i, base in enumerate(bases):
        try:
            got = client.get_json(f"{base}/about.json", site=site, platform=PLATFORM)
            about = got.data.get("about") if isinstance(got.data, dict) else None
            if not isinstance(about, dict):
                raise ProbeError(
                    "bad_response", f"{site} did not answer like a Discourse forum.", url=got.url
                )
        except ProbeError as exc:
            if i + 1 < len(bases) and exc.kind in WRONG_PLATFORM_KINDS:
                continue
            raise
        return base, about, got
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises
