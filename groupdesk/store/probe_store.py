"""The online activity checks' side of the store: which groups can be checked, what a check found, and
the answers kept for conditional requests.

The probes themselves (``groupdesk.probes``) know nothing of the database; a worker runs them and the
GUI thread (or the CLI's one thread) stores what came back with :func:`apply_results`, in one
transaction:

- A measurement (:class:`~groupdesk.probes.Figures`) replaces the group's ``activity_*`` fields and
  clears its last failure. ``posts_per_week`` is set only when the site measured it and the user did
  not type it; ``last_group_activity`` only moves forward (a probe's date is a lower bound) and never
  past today. Nothing the site did not report is blanked. A Discord or Reddit group without an
  ``external_id`` gets the network's id (server id, subreddit), unless another group has it already.
- A failure (:class:`~groupdesk.probes.ProbeError`) writes only the ``probe_error_*`` fields: the
  figures measured before stay, with their date. "Cancelled" and "cannot check" are not stored.

The conditional-request cache (``probe_cache`` table) is loaded before a run (:func:`load_cache`) and
saved, pruned, in the same transaction as the results.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from groupdesk.probes import ERROR_KINDS, Figures, ProbeError, ResponseCache, targets_for
from groupdesk.probes.http import CacheEntry
from groupdesk.store.db import finish_open
from groupdesk.store.models import Group, ProbeCache, db

#: Statuses that "every group" leaves out: the user is done with them (a selection still includes them).
CLOSED_STATUSES = frozenset({"left", "declined"})
#: Cached answers not confirmed for this long are dropped when the cache is saved.
CACHE_KEEP_DAYS = 30
#: At most this many cached answers are kept (the most recently confirmed).
CACHE_MAX_ENTRIES = 2000
#: Error kinds that say nothing about the group, so they are not stored on it.
UNSTORED_ERRORS = frozenset({"cancelled", "unsupported"})
#: The platforms whose id becomes the group's ``external_id``, for groups of the same network.
EXTERNAL_ID_NETWORKS = frozenset({"discord", "reddit"})

_CHUNK = 500


def _utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without a time zone (how the database keeps times), to the second."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def _utc_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=timezone.utc)


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# --------------------------------------------------------------------------------- what can be checked


def probe_address(url: str | None, network: str | None, external_id: str | None = None) -> str | None:
    """The address a probe is asked about: the group's URL, or ``r/NAME`` for a Reddit group known only
    by its subreddit (``external_id``)."""
    if url and url.strip():
        return url.strip()
    if network == "reddit" and external_id and external_id.strip():
        return f"r/{external_id.strip()}"
    return None


def can_probe(url: str | None, network: str | None, external_id: str | None = None) -> bool:
    """Whether a probe recognises the group's address (nothing is sent to find out)."""
    return bool(targets_for(probe_address(url, network, external_id), network))


@dataclass(frozen=True)
class Candidate:
    """A group whose address a probe recognises."""

    id: int
    name: str
    address: str
    network: str

    def probe_input(self) -> tuple[int, str, str]:
        """The ``(group_id, url, network)`` triple ``probes.probe_many`` takes."""
        return (self.id, self.address, self.network)


@dataclass(frozen=True)
class Selection:
    """The groups a check would ask about, and those it cannot.

    Attributes:
        candidates: groups with an address a probe recognises, in the order asked (all: by name).
        skipped: ``(id, name)`` of the groups asked for that have no such address (empty for "all").
        skipped_count: how many groups were left out for having no such address.
        unknown: ids asked for that are not in the store.
    """

    candidates: list[Candidate]
    skipped: list[tuple[int, str]] = field(default_factory=list)
    skipped_count: int = 0
    unknown: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class GroupAddresses:
    """Groups read for a check, before any probe looked at their addresses (see :func:`choose`).

    Attributes:
        rows: ``(id, name, address or None, network)`` in the order to check them.
        unknown: ids asked for that are not in the store.
        listed: the ids were given (not "every group").
    """

    rows: list[tuple[int, str, str | None, str]]
    unknown: list[int] = field(default_factory=list)
    listed: bool = False


def group_addresses(ids: Sequence[int] | None = None) -> GroupAddresses:
    """Read ``ids`` (in that order), or every group not left or declined (by name), with the address a
    probe would be asked about. A database read only; :func:`choose` does the rest off the GUI thread."""
    finish_open()
    columns = (Group.id, Group.name, Group.url, Group.network, Group.external_id)
    raw: list[tuple[Any, ...]] = []
    unknown: list[int] = []
    if ids is None:
        query = (
            Group.select(*columns)
            .where(Group.status.not_in(sorted(CLOSED_STATUSES)))
            .order_by(Group.name_key, Group.id)
        )
        raw = list(query.tuples())
    else:
        wanted = list(dict.fromkeys(int(i) for i in ids))
        found: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(wanted):
            for row in Group.select(*columns).where(Group.id.in_(list(chunk))).tuples():
                found[row[0]] = row
        raw = [found[i] for i in wanted if i in found]
        unknown = [i for i in wanted if i not in found]
    rows = [(gid, name, probe_address(url, network, ext), network) for gid, name, url, network, ext in raw]
    return GroupAddresses(rows, unknown, ids is not None)


def choose(groups: GroupAddresses) -> Selection:
    """Split ``groups`` into those a probe recognises and those it does not. Pure (no database, no
    network): about 30 µs a group with an address, so the window runs it on its worker."""
    candidates: list[Candidate] = []
    skipped: list[tuple[int, str]] = []
    for gid, name, address, network in groups.rows:
        if address is not None and targets_for(address, network):
            candidates.append(Candidate(gid, name, address, network))
        else:
            skipped.append((gid, name))
    if not groups.listed:
        return Selection(candidates, [], len(skipped), [])
    return Selection(candidates, skipped, len(skipped), list(groups.unknown))


def select_groups(ids: Sequence[int] | None = None) -> Selection:
    """The groups to check: ``ids`` (in that order), or every group not left or declined (by name).

    Reads only; sends nothing. (:func:`group_addresses` then :func:`choose`.)
    """
    return choose(group_addresses(ids))


# --------------------------------------------------------------------------------- storing results


@dataclass
class ApplySummary:
    """What :func:`apply_results` stored.

    Attributes:
        measured: groups whose figures were stored.
        failed: groups whose failure was stored.
        posts_updated: groups whose ``posts_per_week`` changed.
        activity_updated: groups whose ``last_group_activity`` moved forward.
        kept_typed: groups whose typed ``posts_per_week`` was kept although the site measured another.
        missing: ids in the results that are no longer in the store (deleted during the check).
    """

    measured: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    posts_updated: list[int] = field(default_factory=list)
    activity_updated: list[int] = field(default_factory=list)
    kept_typed: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)

    @property
    def changed(self) -> list[int]:
        """Every group whose row changed (for the window's refresh), in order, once."""
        return list(dict.fromkeys([*self.measured, *self.failed]))


def _typed(user_fields: str | None) -> set[str]:
    try:
        value = json.loads(user_fields or "[]")
    except ValueError:
        return set()
    return {str(v) for v in value} if isinstance(value, list) else set()


def _store_figures(g: Group, figures: Figures, today: date, summary: ApplySummary) -> bool:
    """Copy ``figures`` into ``g``; True when a field the table shows (a Group field) changed."""
    g.activity_members = figures.members
    g.activity_active_users = figures.active_users
    g.activity_active_window = figures.active_window if figures.active_users is not None else None
    g.activity_posts_per_week = figures.posts_per_week
    g.activity_source = figures.platform
    g.activity_source_url = figures.source_url
    g.activity_measured_at = _utc_naive(figures.measured_at)
    g.activity_title = figures.title
    g.activity_notes = json.dumps(list(figures.notes), ensure_ascii=False) if figures.notes else None
    g.probe_error_kind = g.probe_error_message = g.probe_error_at = None
    shown = False
    if figures.posts_per_week is not None and figures.posts_per_week != g.posts_per_week:
        if "posts_per_week" in _typed(g.user_fields):
            summary.kept_typed.append(g.id)
        else:
            g.posts_per_week = figures.posts_per_week
            summary.posts_updated.append(g.id)
            shown = True
    last = figures.last_activity
    if last is not None:
        last = min(last, today)
        if g.last_group_activity is None or last > g.last_group_activity:
            g.last_group_activity = last
            summary.activity_updated.append(g.id)
            shown = True
    if (
        figures.external_id
        and not g.external_id
        and figures.platform in EXTERNAL_ID_NETWORKS
        and g.network == figures.platform
    ):
        taken = (
            Group.select(Group.id)
            .where((Group.network == g.network) & (Group.external_id == figures.external_id))
            .exists()
        )
        if not taken:
            g.external_id = figures.external_id
            shown = True
    return shown


def apply_results(
    results: Iterable[tuple[int, Figures | ProbeError]],
    *,
    cache: ResponseCache | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> ApplySummary:
    """Store a check's results (and its answer cache) in one transaction. Call on the GUI thread.

    Args:
        results: ``(group_id, Figures or ProbeError)`` as ``probes.probe_many`` returns them.
        cache: the run's response cache, saved and pruned in the same transaction (see :func:`save_cache`).
        now: the time of a failure (default: now, UTC).
        today: the local date that caps a measured last activity (default: today).

    Returns:
        what was stored; ``summary.changed`` lists the groups to refresh.
    """
    finish_open()
    now = _utc_naive(now or datetime.now(timezone.utc))
    today = today or date.today()
    summary = ApplySummary()
    outcomes: dict[int, Figures | ProbeError] = {}
    for gid, outcome in results:
        if isinstance(outcome, ProbeError) and outcome.kind in UNSTORED_ERRORS:
            continue
        outcomes[int(gid)] = outcome  # a group asked twice: the last answer counts
    with db.atomic():
        ids = list(outcomes)
        groups: dict[int, Group] = {}
        for chunk in _chunks(ids):
            for g in Group.select().where(Group.id.in_(list(chunk))):
                groups[g.id] = g
        for gid in ids:
            g = groups.get(gid)
            if g is None:
                summary.missing.append(gid)
                continue
            outcome = outcomes[gid]
            if isinstance(outcome, Figures):
                if _store_figures(g, outcome, today, summary):
                    g.updated_at = datetime.now().replace(microsecond=0)
                summary.measured.append(gid)
            else:
                g.probe_error_kind = outcome.kind
                g.probe_error_message = outcome.message
                g.probe_error_at = now
                summary.failed.append(gid)
            g.save(only=g.dirty_fields)
        if cache is not None:
            save_cache(cache, now=now)
    return summary


# --------------------------------------------------------------------------------- reading for the panel


def short_url(url: str | None) -> str:
    """An address as people write it, without scheme and ``www.``: ``reddit.com/r/x/about.json``."""
    text = (url or "").strip()
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    if text.lower().startswith("www."):
        text = text[4:]
    return text


@dataclass(frozen=True)
class GroupActivity:
    """A group's last online activity check, for the detail panel and the command line.

    Attributes:
        members, active_users, active_window, posts_per_week, platform, source_url, measured_at, title,
        notes: the last successful measurement (``measured_at`` UTC, aware; ``None`` when never measured).
        error_kind, error_message, error_at: the last failure since then (``error_at`` UTC, aware).
    """

    members: int | None = None
    active_users: int | None = None
    active_window: str | None = None
    posts_per_week: float | None = None
    platform: str | None = None
    source_url: str | None = None
    measured_at: datetime | None = None
    title: str | None = None
    notes: tuple[str, ...] = ()
    error_kind: str | None = None
    error_message: str | None = None
    error_at: datetime | None = None

    @property
    def measured(self) -> bool:
        """Whether a measurement is stored."""
        return self.measured_at is not None

    @property
    def failed(self) -> bool:
        """Whether the last check failed."""
        return self.error_kind is not None

    @property
    def error_title(self) -> str:
        """A two- or three-word heading for the last failure ("Not found"), or ""."""
        if self.error_kind is None:
            return ""
        return ERROR_KINDS.get(self.error_kind, self.error_kind)

    @property
    def short_source(self) -> str:
        """Where the figures came from, without scheme and ``www.``: ``reddit.com/r/x/about.json``."""
        return short_url(self.source_url)


def _notes(text: str | None) -> tuple[str, ...]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def activity_of(group_id: int) -> GroupActivity | None:
    """The group's last activity check, or ``None`` when it was never checked (or is gone)."""
    finish_open()
    g = (
        Group.select(
            Group.activity_members,
            Group.activity_active_users,
            Group.activity_active_window,
            Group.activity_posts_per_week,
            Group.activity_source,
            Group.activity_source_url,
            Group.activity_measured_at,
            Group.activity_title,
            Group.activity_notes,
            Group.probe_error_kind,
            Group.probe_error_message,
            Group.probe_error_at,
        )
        .where(Group.id == group_id)
        .first()
    )
    if g is None or (g.activity_measured_at is None and g.probe_error_kind is None):
        return None
    return GroupActivity(
        members=g.activity_members,
        active_users=g.activity_active_users,
        active_window=g.activity_active_window,
        posts_per_week=g.activity_posts_per_week,
        platform=g.activity_source,
        source_url=g.activity_source_url,
        measured_at=_utc_aware(g.activity_measured_at),
        title=g.activity_title,
        notes=_notes(g.activity_notes),
        error_kind=g.probe_error_kind,
        error_message=g.probe_error_message,
        error_at=_utc_aware(g.probe_error_at),
    )


# --------------------------------------------------------------------------------- the answer cache


def load_cache(*, now: datetime | None = None, keep_days: int = CACHE_KEEP_DAYS) -> ResponseCache:
    """The saved answers confirmed within ``keep_days`` (read only; older ones go at the next save)."""
    finish_open()
    cutoff = _utc_naive(now or datetime.now(timezone.utc)) - timedelta(days=keep_days)
    entries: dict[str, CacheEntry] = {}
    query = ProbeCache.select().where(ProbeCache.fetched_at >= cutoff)
    for row in query:
        entries[row.url] = CacheEntry(row.etag, row.last_modified, row.body, _utc_aware(row.fetched_at))
    return ResponseCache(entries)


def save_cache(
    cache: ResponseCache,
    *,
    now: datetime | None = None,
    keep_days: int = CACHE_KEEP_DAYS,
    max_entries: int = CACHE_MAX_ENTRIES,
) -> int:
    """Save ``cache``'s entries and prune the table; return how many saved answers were dropped.

    Dropped: answers not confirmed within ``keep_days``, then the least recently confirmed beyond
    ``max_entries``.
    """
    finish_open()
    cutoff = _utc_naive(now or datetime.now(timezone.utc)) - timedelta(days=keep_days)
    rows = [
        {
            "url": url,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
            "body": entry.body,
            "fetched_at": _utc_naive(entry.fetched_at),
        }
        for url, entry in cache.entries.items()
        if _utc_naive(entry.fetched_at) >= cutoff
    ]
    with db.atomic():
        for start in range(0, len(rows), 100):
            ProbeCache.insert_many(rows[start : start + 100]).on_conflict_replace().execute()
        dropped = ProbeCache.delete().where(ProbeCache.fetched_at < cutoff).execute()
        keep = ProbeCache.select(ProbeCache.url).order_by(ProbeCache.fetched_at.desc()).limit(max_entries)
        dropped += ProbeCache.delete().where(ProbeCache.url.not_in(keep)).execute()
    return int(dropped)
