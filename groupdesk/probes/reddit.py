"""Reddit: a subreddit's subscribers and users online, from ``/r/NAME/about.json`` (no login).

Recognised: ``reddit.com/r/NAME`` on www., old., new., np. and m. hosts (any path after the name), and the
bare forms ``r/NAME`` and ``/r/NAME``. Front pages that are not communities (r/all, r/popular, …) are not.
The host is fixed (``https://www.reddit.com``); only tests point it elsewhere (``test_base_urls``).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from groupdesk.probes.base import Figures, ProbeError, Target, as_int, as_text
from groupdesk.probes.http import ProbeClient
from groupdesk.probes.urls import split_url

PLATFORM = "reddit"
BASE_URL = "https://www.reddit.com"
_HOSTS = frozenset({"reddit.com", "www.reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com",
                    "m.reddit.com"})  # fmt: skip
_NAME = re.compile(r"[A-Za-z0-9_]{2,21}")
_NOT_COMMUNITIES = frozenset({"all", "popular", "random", "randnsfw", "friends", "mod", "home", "myrandom"})
_BARE = re.compile(r"/?r/([^/?#\s]+)/?")


def recognise(url: str) -> Target | None:
    """A subreddit target for a Reddit community address, else ``None``."""
    text = (url or "").strip()
    bare = _BARE.fullmatch(text)
    if bare:
        name = bare[1]
    else:
        split = split_url(text)
        if split is None or split.host not in _HOSTS or len(split.segs) < 2 or split.segs[0].lower() != "r":
            return None
        name = split.segs[1]
    if not _NAME.fullmatch(name) or name.lower() in _NOT_COMMUNITIES:
        return None
    return Target(PLATFORM, "subreddit", name, "", f"https://www.reddit.com/r/{name}/")


def probe(client: ProbeClient, target: Target) -> Figures:
    """Subscribers and users online now for ``target``'s subreddit.

    Raises:
        ProbeError: not_found (no such or banned subreddit), forbidden (private or quarantined), and the
            transport errors of :meth:`ProbeClient.get_json`.
    """
    name = target.name
    url = f"{client.base_url(PLATFORM, BASE_URL)}/r/{name}/about.json"
    try:
        got = client.get_json(url, site="Reddit", platform=PLATFORM)
    except ProbeError as exc:
        reason = exc.payload.get("reason") if isinstance(exc.payload, dict) else None
        if exc.kind == "forbidden" and reason in ("private", "quarantined", "gold_only"):
            raise ProbeError(
                "forbidden",
                f"r/{name} is {reason.replace('_', ' ')} on Reddit: its figures are not public.",
                url=url,
                status=exc.status,
            ) from exc
        if exc.kind == "not_found":
            why = " (banned)" if reason == "banned" else ""
            raise ProbeError(
                "not_found", f"Reddit has no subreddit r/{name}{why}.", url=url, status=exc.status
            ) from exc
        raise
    data = got.data
    about = data.get("data") if isinstance(data, dict) and data.get("kind") == "t5" else None
    if not isinstance(about, dict):
        # Reddit answers an unknown name with a search listing rather than a 404 at times.
        raise ProbeError("not_found", f"Reddit has no subreddit r/{name}.", url=url)
    figures = Figures(
        platform=PLATFORM,
        source_url=url,
        measured_at=got.measured_at,
        members=as_int(about.get("subscribers")),
        active_users=as_int(about.get("active_user_count")),
        title=as_text(about.get("display_name_prefixed")),
        external_id=str(about.get("display_name") or name).lower(),
    )
    if figures.active_users is not None:
        figures.active_window = "now"
    created = about.get("created_utc")
    if isinstance(created, (int, float)) and not isinstance(created, bool) and 0 < created < 1e11:
        when = datetime.fromtimestamp(created, timezone.utc).date()
        figures.notes.append(f"Created on {when.isoformat()}.")
    if about.get("subreddit_type") in ("private", "restricted"):
        figures.notes.append(f"The subreddit is {about['subreddit_type']}.")
    figures.notes.append("Reddit does not publish posts per week; only subscribers and users online now.")
    return figures
