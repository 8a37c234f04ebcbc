"""The table's read path: groups as scored rows, and the status bar's totals (no Peewee here).

Reads go through ``store.db.execute``: Peewee's connection once it is set up, or, while the window
starts on a file whose schema is current, a plain ``sqlite3`` connection (see
``db.open_for_reading``), so that the first screen shows without importing Peewee at all. Rows
are read with raw SQL because building 100,000 model instances is far too slow.
``repository`` re-exports everything here; callers use it from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from groupdesk.domain.scores import GroupFacts, cost_per_year, evaluate
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import MEMBER_STATUSES, PENDING_STATUSES
from groupdesk.store.db import execute


class GroupRow:
    """One row of the main table: identity, display facts and computed scores.

    The scores (value, activity, group_activity, participation, flags) may be computed lazily:
    ``load_rows(lazy=True)`` leaves them pending and the first read of any of them computes all
    five. The window starts with lazy rows so that it paints before 100,000 groups are scored.
    ``facts`` is what the scores come from (``unserved_topics`` left empty: it needs every group).
    """

    __slots__ = (
        "_activity",
        "_flags",
        "_group_activity",
        "_participation",
        "_pending",
        "_value",
        "cost_per_year",
        "currency",
        "emails_per_week",
        "facts",
        "hours_per_month",
        "id",
        "last_activity",
        "last_contribution",
        "name",
        "network",
        "search_text",
        "sort_name",
        "status",
        "tags",
    )

    def __init__(self, **kw: Any) -> None:
        self._pending = None
        for k in self.__slots__:
            if not k.startswith("_"):
                setattr(self, k, kw.get(k))
        for k in LAZY_SCORES:
            setattr(self, "_" + k, kw.get(k))

    def score(self) -> None:
        """Compute the pending scores now (a no-op once computed)."""
        pending = self._pending
        if pending is None:
            return
        facts, today, thresholds = pending
        ev = evaluate(facts, today, thresholds)
        self._value = ev.value
        self._activity = ev.activity
        self._group_activity = ev.group_activity
        self._participation = ev.participation
        self._flags = ev.flags
        self._pending = None

    @property
    def scored(self) -> bool:
        """Whether the scores have been computed."""
        return self._pending is None

    @property
    def value(self) -> float | None:
        """Value 0–100 (None while unrated)."""
        if self._pending is not None:
            self.score()
        return self._value

    @value.setter
    def value(self, v: float | None) -> None:
        self._value = v

    @property
    def activity(self) -> float | None:
        """Activity 0–100 (None while unknown)."""
        if self._pending is not None:
            self.score()
        return self._activity

    @activity.setter
    def activity(self, v: float | None) -> None:
        self._activity = v

    @property
    def group_activity(self) -> float | None:
        """Group activity 0–100 (None while unknown)."""
        if self._pending is not None:
            self.score()
        return self._group_activity

    @group_activity.setter
    def group_activity(self, v: float | None) -> None:
        self._group_activity = v

    @property
    def participation(self) -> float | None:
        """My participation 0–100 (None unless I belong)."""
        if self._pending is not None:
            self.score()
        return self._participation

    @participation.setter
    def participation(self, v: float | None) -> None:
        self._participation = v

    @property
    def flags(self) -> tuple[str, ...]:
        """The flags that apply, in ``FLAG_ORDER``."""
        if self._pending is not None:
            self.score()
        return self._flags

    @flags.setter
    def flags(self, v: tuple[str, ...]) -> None:
        self._flags = v

    def __repr__(self) -> str:
        return f"GroupRow(id={self.id}, name={self.name!r}, status={self.status}, value={self.value})"


#: The GroupRow attributes that ``load_rows(lazy=True)`` computes on first use.
LAZY_SCORES = ("value", "activity", "group_activity", "participation", "flags")


def score_rows(rows: Iterable[GroupRow]) -> None:
    """Compute the pending scores of ``rows`` (rows already scored are skipped)."""
    for row in rows:
        if row._pending is not None:
            row.score()


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


_ROW_SQL = (
    "SELECT id, name, network, status, how_joined, invite_personal, joined_on, cost_amount, cost_period, "
    "currency, emails_per_week, last_group_activity, posts_per_week, value_to_me, value_from_me, "
    'spam_level, review_on, hours_per_month, tags, name_key, commitment_per_month FROM "group"'
)


def _contribution_stats(
    since: date, where: str = "", params: Sequence[Any] = ()
) -> dict[int, tuple[int, str]]:
    sql = (
        "SELECT group_id, SUM(CASE WHEN date >= ? THEN 1 ELSE 0 END), MAX(date) FROM contribution "
        f"{where} GROUP BY group_id"
    )
    rows = execute(sql, (since.isoformat(), *params)).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def load_rows(
    today: date | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ids: Iterable[int] | None = None,
    *,
    lazy: bool = False,
    first: int | None = None,
) -> list[GroupRow]:
    """Every group (or the given ``ids``) as table rows with scores for ``today``.

    With ``lazy`` the scores are computed on first use (see ``GroupRow``); money per year, the
    display facts and the search text are always filled in. With ``first`` only the first that
    many groups by name are read (the window's first screen while the rest loads).
    """
    today = today or date.today()
    since = today - timedelta(days=thresholds.participation_window_days)
    if ids is not None:
        id_list = list(ids)
        if not id_list:
            return []
        marks = ",".join("?" * len(id_list))
        rows = execute(f"{_ROW_SQL} WHERE id IN ({marks})", id_list).fetchall()
        stats = _contribution_stats(since, f"WHERE group_id IN ({marks})", id_list)
    elif first is not None:
        rows = execute(f"{_ROW_SQL} ORDER BY name_key, id LIMIT ?", (first,)).fetchall()
        if not rows:
            return []
        id_list = [r[0] for r in rows]
        marks = ",".join("?" * len(id_list))
        stats = _contribution_stats(since, f"WHERE group_id IN ({marks})", id_list)
    else:
        rows = execute(_ROW_SQL).fetchall()
        stats = _contribution_stats(since)
    out: list[GroupRow] = []
    append = out.append
    no_stats = (0, None)
    for (gid, name, network, status, how, personal, joined, amount, period, currency, epw, last,
         ppw, vto, vfrom, spam, review, hours, tags, name_key, commitment) in rows:  # fmt: skip
        recent, last_contrib = stats.get(gid, no_stats)
        last_d = _d(last)
        last_c = _d(last_contrib)
        facts = GroupFacts(
            status, how, None if personal is None else bool(personal), _d(joined), amount, period, epw,
            last_d, ppw, vto, vfrom, spam, _d(review), recent, last_c, hours, commitment, tags,
        )  # fmt: skip
        row = GroupRow.__new__(GroupRow)
        row.facts = facts
        row.id = gid
        row.name = name
        row.network = network
        row.status = status
        if lazy:
            row._pending = (facts, today, thresholds)
            row.cost_per_year = cost_per_year(amount, period, status)
        else:
            ev = evaluate(facts, today, thresholds)
            row._pending = None
            row._value = ev.value
            row._activity = ev.activity
            row._group_activity = ev.group_activity
            row._participation = ev.participation
            row._flags = ev.flags
            row.cost_per_year = ev.cost_per_year
        row.currency = currency
        row.emails_per_week = epw
        row.hours_per_month = hours
        row.last_activity = last_d
        row.last_contribution = last_c
        row.tags = tags
        row.search_text = f"{name}\n{tags or ''}".casefold()
        row.sort_name = name_key
        append(row)
    return out


@dataclass
class Summary:
    """What all groups add up to: counts, and money, mail and hours of the groups I belong to."""

    groups: int
    members: int
    pending: int
    money_per_year: dict[str, float]
    emails_per_week: float
    hours_per_month: float


def summary() -> Summary:
    """Totals over every group, computed in SQL (no rows are loaded).

    Money per year counts monthly fees twelve times and yearly fees once; a one-off fee is never a
    yearly cost of a membership (see ``scores.cost_per_year``). Three cheap queries: counts by
    status from the status index alone, then mail and hours, then money of the groups I belong to
    (``+status`` keeps SQLite scanning rather than visiting most rows through the index).
    """
    members = ",".join(f"'{s}'" for s in sorted(MEMBER_STATUSES))
    groups = n_members = n_pending = 0
    for status, count in execute('SELECT status, COUNT(*) FROM "group" GROUP BY status').fetchall():
        groups += count
        if status in MEMBER_STATUSES:
            n_members += count
        elif status in PENDING_STATUSES:
            n_pending += count
    emails, hours = execute(
        f'SELECT TOTAL(emails_per_week), TOTAL(hours_per_month) FROM "group" WHERE +status IN ({members})'
    ).fetchone()
    money: dict[str, float] = {}
    for currency, total in execute(
        "SELECT currency, TOTAL(CASE cost_period WHEN 'month' THEN cost_amount * 12 "
        "WHEN 'year' THEN cost_amount ELSE 0 END) AS t FROM \"group\" "
        f"WHERE cost_amount > 0 AND +status IN ({members}) GROUP BY currency HAVING t > 0"
    ).fetchall():
        money[currency or ""] = money.get(currency or "", 0.0) + total
    return Summary(groups, n_members, n_pending, money, emails, hours)


def group_count() -> int:
    """How many groups the store holds."""
    return int(execute('SELECT COUNT(*) FROM "group"').fetchone()[0])
