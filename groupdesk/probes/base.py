"""The plain data every probe shares: what to ask (:class:`Target`), what came back (:class:`Figures`) and
how it failed (:class:`ProbeError`).

No Qt, no database, no network here. :class:`Figures` is what the store copies into a group; a failure is
always a :class:`ProbeError` (never an empty :class:`Figures`), so a failing site cannot blank out values
the store already knows.

``Figures.last_activity`` is a *lower bound*: activity is known to have happened on or after that date.
It is exact when the site gives a date (a Mastodon account's ``last_status_at``) and conservative when
the site only gives counts per period (a Discourse forum with posts in the last 7 days gets the date seven
days before the measurement). The store should therefore never move a group's last activity backwards.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from groupdesk.errors import UserError

#: Platform keys → display names.
PLATFORMS: dict[str, str] = {
    "discourse": "Discourse",
    "reddit": "Reddit",
    "discord": "Discord",
    "lemmy": "Lemmy",
    "mastodon": "Mastodon",
}

#: Windows an active-user count can refer to → words for the user.
ACTIVE_WINDOWS: dict[str, str] = {
    "now": "online now",
    "day": "in the last day",
    "week": "in the last 7 days",
    "month": "in the last 30 days",
    "half_year": "in the last 6 months",
}

#: Kinds of :class:`ProbeError` → a short heading.
ERROR_KINDS: dict[str, str] = {
    "offline": "No connection",
    "timeout": "No answer in time",
    "not_found": "Not found",
    "forbidden": "Not public",
    "rate_limited": "Rate limited",
    "server_error": "Site trouble",
    "bad_response": "Unreadable answer",
    "certificate": "Certificate problem",
    "http_error": "HTTP error",
    "unsupported": "Cannot check",
    "cancelled": "Cancelled",
}

#: Kinds that mean "this address is not that kind of site", so the next candidate platform may be tried.
WRONG_PLATFORM_KINDS = frozenset({"not_found", "bad_response"})


class ProbeError(UserError):
    """One probe failed. ``kind`` is a key of :data:`ERROR_KINDS`; ``message`` is a sentence naming the site.

    Attributes:
        kind: the failure class (offline, timeout, not_found, forbidden, rate_limited, server_error,
            bad_response, certificate, http_error, unsupported, cancelled).
        message: a sentence for the user.
        url: the address that was asked, when there was one.
        status: the HTTP status, when the site answered.
        retry_after: seconds to wait before asking again (rate_limited, server_error), when known.
        payload: the parsed JSON body of an error answer, when it had one (platform modules read it).
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        url: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
        payload: object = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.payload = payload

    @property
    def title(self) -> str:
        """A two- or three-word heading for the kind of failure."""
        return ERROR_KINDS.get(self.kind, "Probe error")

    def __repr__(self) -> str:
        return f"ProbeError({self.kind!r}, {self.message!r})"


@dataclass(frozen=True)
class Target:
    """One thing a platform module knows how to measure.

    Attributes:
        platform: a key of :data:`PLATFORMS`.
        kind: what is measured: ``forum`` (Discourse site), ``subreddit``, ``invite`` (Discord),
            ``community`` (Lemmy), ``account`` or ``instance`` (Mastodon).
        name: the subreddit, invite code, community or account name; the host for a forum or instance.
        base: ``scheme://host[:port][/subfolder]`` for any-host platforms; empty for fixed-host ones.
        url: the group address as given (normalised with a scheme).
    """

    platform: str
    kind: str
    name: str
    base: str
    url: str

    @property
    def site(self) -> str:
        """How messages name the site: "Reddit", or "forum.example.org (Discourse)"."""
        display = PLATFORMS.get(self.platform, self.platform)
        if not self.base:
            return display
        host = self.base.split("://", 1)[-1]
        return f"{host} ({display})"


@dataclass
class Figures:
    """Activity figures for one group, as measured once. Every figure is optional; at least one is set.

    Attributes:
        platform: a key of :data:`PLATFORMS`.
        source_url: the address the figures were read from (the API URL).
        measured_at: when the site last confirmed these figures (UTC, timezone-aware).
        members: members / subscribers / followers.
        active_users: users active in ``active_window``.
        active_window: a key of :data:`ACTIVE_WINDOWS` saying what ``active_users`` counts.
        posts_per_week: posts (or statuses) per week, recent.
        last_activity: activity is known on or after this date (see the module docstring).
        title: the site's own name for the group (Discord server, community title), when given.
        external_id: the network's stable id (Discord server id, subreddit name), when given.
        notes: short sentences for the detail panel (what the figures cover, caveats).
    """

    platform: str
    source_url: str
    measured_at: datetime
    members: int | None = None
    active_users: int | None = None
    active_window: str | None = None
    posts_per_week: float | None = None
    last_activity: date | None = None
    title: str | None = None
    external_id: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Where the figures came from, for the detail panel: "Reddit, https://…/about.json"."""
        return f"{PLATFORMS.get(self.platform, self.platform)}, {self.source_url}"

    def is_empty(self) -> bool:
        """True when no figure at all was found (such a result must be reported as an error)."""
        return all(
            v is None for v in (self.members, self.active_users, self.posts_per_week, self.last_activity)
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (dates as ISO strings)."""
        d = asdict(self)
        d["measured_at"] = self.measured_at.isoformat()
        d["last_activity"] = self.last_activity.isoformat() if self.last_activity else None
        d["source"] = self.source
        return d


def as_text(value: object) -> str | None:
    """A non-empty string from JSON; ``None`` for anything else."""
    return value if isinstance(value, str) and value.strip() else None


def as_int(value: object) -> int | None:
    """A non-negative int from a JSON number or numeric string; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 and value == value and value != float("inf") else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
