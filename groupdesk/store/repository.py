"""Queries and writes used by the window and the command line (the only place that touches rows).

Reads for the table go through raw SQL on Peewee's connection (one query for groups, one for
contribution statistics) because building 100,000 model instances is far too slow. Writes go
through the models. Every write function returns what its undo needs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from groupdesk.domain.records import (
    BOOL_FIELDS,
    DATE_FIELDS,
    FLOAT_FIELDS,
    GROUP_FIELDS,
    INT_FIELDS,
    normalise_name,
)
from groupdesk.domain.scores import GroupFacts, cost_per_year, evaluate
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import MEMBER_STATUSES, PENDING_STATUSES
from groupdesk.store.models import Contribution, Decision, Group, Invite, db


class GroupRow:
    """One row of the main table: identity, display facts and computed scores.

    The scores (value, activity, group_activity, participation, flags) may be computed lazily:
    ``load_rows(lazy=True)`` leaves them pending and the first read of any of them computes all
    five. The window starts with lazy rows so that it paints before 100,000 groups are scored.
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
    'spam_level, review_on, hours_per_month, tags, name_key FROM "group"'
)


def _contribution_stats(
    since: date, where: str = "", params: Sequence[Any] = ()
) -> dict[int, tuple[int, str]]:
    sql = (
        "SELECT group_id, SUM(CASE WHEN date >= ? THEN 1 ELSE 0 END), MAX(date) FROM contribution "
        f"{where} GROUP BY group_id"
    )
    rows = db.execute_sql(sql, (since.isoformat(), *params)).fetchall()
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
        rows = db.execute_sql(f"{_ROW_SQL} WHERE id IN ({marks})", id_list).fetchall()
        stats = _contribution_stats(since, f"WHERE group_id IN ({marks})", id_list)
    elif first is not None:
        rows = db.execute_sql(f"{_ROW_SQL} ORDER BY name_key, id LIMIT ?", (first,)).fetchall()
        if not rows:
            return []
        id_list = [r[0] for r in rows]
        marks = ",".join("?" * len(id_list))
        stats = _contribution_stats(since, f"WHERE group_id IN ({marks})", id_list)
    else:
        rows = db.execute_sql(_ROW_SQL).fetchall()
        stats = _contribution_stats(since)
    out: list[GroupRow] = []
    append = out.append
    no_stats = (0, None)
    for (gid, name, network, status, how, personal, joined, amount, period, currency, epw, last,
         ppw, vto, vfrom, spam, review, hours, tags, name_key) in rows:  # fmt: skip
        recent, last_contrib = stats.get(gid, no_stats)
        last_d = _d(last)
        last_c = _d(last_contrib)
        facts = GroupFacts(
            status, how, None if personal is None else bool(personal), _d(joined), amount, period, epw,
            last_d, ppw, vto, vfrom, spam, _d(review), recent, last_c,
        )  # fmt: skip
        row = GroupRow.__new__(GroupRow)
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
    yearly cost of a membership (see ``scores.cost_per_year``).
    """
    members = ",".join(f"'{s}'" for s in sorted(MEMBER_STATUSES))
    pending = ",".join(f"'{s}'" for s in sorted(PENDING_STATUSES))
    groups, n_members, n_pending, emails, hours = db.execute_sql(
        f"SELECT COUNT(*), SUM(status IN ({members})), SUM(status IN ({pending})), "
        f"TOTAL(CASE WHEN status IN ({members}) THEN emails_per_week END), "
        f'TOTAL(CASE WHEN status IN ({members}) THEN hours_per_month END) FROM "group"'
    ).fetchone()
    money = {
        currency or "": total
        for currency, total in db.execute_sql(
            "SELECT currency, TOTAL(CASE cost_period WHEN 'month' THEN cost_amount * 12 "
            "WHEN 'year' THEN cost_amount ELSE 0 END) AS t FROM \"group\" "
            f"WHERE status IN ({members}) AND cost_amount > 0 GROUP BY currency HAVING t > 0"
        ).fetchall()
    }
    return Summary(groups, n_members or 0, n_pending or 0, money, emails, hours)


# ---------------------------------------------------------------- single groups


def _to_db(field: str, value: Any) -> Any:
    """Convert a Python value of a Group field to what the model stores."""
    if value == "" and field not in ("name",):
        return None
    return value


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check and convert user-supplied Group values; raise ValueError with a clear message."""
    from groupdesk.domain.vocab import COST_PERIODS, HOW_JOINED, NETWORKS, STATUSES

    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in GROUP_FIELDS:
            raise ValueError(f"Unknown field: {key}")
        if isinstance(value, str):
            value = value.strip()
            if value == "":
                value = None
        if value is None:
            out[key] = None
            continue
        if key in DATE_FIELDS and not isinstance(value, date):
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                raise ValueError(f"{key}: {value!r} is not a date (use YYYY-MM-DD)") from None
        elif key in FLOAT_FIELDS:
            try:
                value = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key}: {value!r} is not a number") from None
            if value < 0 or value != value or value in (float("inf"),):
                raise ValueError(f"{key}: must be zero or more")
        elif key in INT_FIELDS:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise ValueError(f"{key}: {value!r} is not a whole number") from None
            top = 3 if key == "spam_level" else 5 if key.startswith("value_") else 10_000
            if not 0 <= value <= top:
                raise ValueError(f"{key}: must be between 0 and {top}")
        elif key in BOOL_FIELDS and not isinstance(value, bool):
            text = str(value).casefold()
            if text in ("1", "true", "yes", "y"):
                value = True
            elif text in ("0", "false", "no", "n"):
                value = False
            else:
                raise ValueError(f"{key}: {value!r} is not yes or no")
        elif key == "network" and value not in NETWORKS:
            raise ValueError(f"network: {value!r} is not one of {', '.join(NETWORKS)}")
        elif key == "status" and value not in STATUSES:
            raise ValueError(f"status: {value!r} is not one of {', '.join(STATUSES)}")
        elif key == "how_joined" and value not in HOW_JOINED:
            raise ValueError(f"how_joined: {value!r} is not one of {', '.join(HOW_JOINED)}")
        elif key == "cost_period" and value not in COST_PERIODS:
            raise ValueError(f"cost_period: {value!r} is not one of {', '.join(COST_PERIODS)}")
        out[key] = value
    if "name" in out and not out["name"]:
        raise ValueError("name: a group needs a name")
    return out


_DEFAULTS = {"network": "other", "status": "member", "how_joined": "unknown", "cost_period": "none"}


def group_values(group_id: int) -> dict[str, Any]:
    """The Group fields of one group as a dict (``GROUP_FIELDS`` keys)."""
    g = Group.get_by_id(group_id)
    return {f: getattr(g, f) for f in GROUP_FIELDS}


def create_group(values: dict[str, Any], *, typed_by_user: bool = True, source: str = "manual") -> int:
    """Create a group from (cleaned) values and return its id."""
    values = clean_values(values)
    if not values.get("name"):
        raise ValueError("name: a group needs a name")
    data = {k: v for k, v in values.items() if v is not None}
    for k, v in _DEFAULTS.items():
        data.setdefault(k, v)
    typed = sorted(k for k in data if k in values) if typed_by_user else []
    g = Group.create(
        name_key=normalise_name(data["name"]), source=source, user_fields=json.dumps(typed), **data
    )
    return g.id


def update_group(group_id: int, values: dict[str, Any], *, typed_by_user: bool = True) -> dict[str, Any]:
    """Change fields of a group; return the previous values of the changed fields (for undo)."""
    values = clean_values(values)
    g = Group.get_by_id(group_id)
    old: dict[str, Any] = {}
    typed = set(json.loads(g.user_fields or "[]"))
    for key, value in values.items():
        if value is None and key in _DEFAULTS:
            value = _DEFAULTS[key]
        if getattr(g, key) != value:
            old[key] = getattr(g, key)
            setattr(g, key, value)
            if typed_by_user:
                typed.add(key)
    if old:
        if "name" in old:
            g.name_key = normalise_name(g.name)
        g.user_fields = json.dumps(sorted(typed))
        g.updated_at = datetime.now().replace(microsecond=0)
        g.save()
    return old


def set_status(group_ids: Iterable[int], status: str) -> dict[int, str]:
    """Set the status of several groups in one transaction; return {id: previous status}."""
    clean_values({"status": status})
    previous: dict[int, str] = {}
    with db.atomic():
        for gid in group_ids:
            g = Group.get_by_id(gid)
            if g.status != status:
                previous[gid] = g.status
                update_group(gid, {"status": status})
    return previous


def restore_statuses(previous: dict[int, str]) -> None:
    """Undo ``set_status``."""
    with db.atomic():
        for gid, status in previous.items():
            update_group(gid, {"status": status})


@dataclass
class GroupSnapshot:
    """Everything of one group, enough to bring it back exactly after a delete."""

    group: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]


_CHILDREN = (Contribution, Decision, Invite)


def delete_groups(group_ids: Iterable[int]) -> list[GroupSnapshot]:
    """Delete groups (and their rows) in one transaction; return snapshots for ``restore_groups``."""
    snaps: list[GroupSnapshot] = []
    with db.atomic():
        for gid in group_ids:
            row = Group.select().where(Group.id == gid).dicts().get()
            children = {m._meta.table_name: list(m.select().where(m.group == gid).dicts()) for m in _CHILDREN}
            snaps.append(GroupSnapshot(row, children))
            Group.delete().where(Group.id == gid).execute()
    return snaps


def restore_groups(snapshots: Sequence[GroupSnapshot]) -> None:
    """Bring deleted groups back with their ids and rows."""
    by_table = {m._meta.table_name: m for m in _CHILDREN}
    with db.atomic():
        for snap in snapshots:
            Group.insert(snap.group).execute()
            for table, rows in snap.children.items():
                if rows:
                    by_table[table].insert_many(rows).execute()


# ---------------------------------------------------------------- contributions, journal


def add_contribution(group_id: int, day: date, kind: str = "post", note: str = "") -> int:
    """Log one contribution of mine to a group; return its id."""
    from groupdesk.domain.vocab import CONTRIBUTION_KINDS

    if kind not in CONTRIBUTION_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(CONTRIBUTION_KINDS)}")
    return Contribution.create(group=group_id, date=day, kind=kind, note=note or "").id


def delete_contribution(contribution_id: int) -> dict[str, Any]:
    """Delete one contribution; return its row for ``restore_contribution``."""
    row = Contribution.select().where(Contribution.id == contribution_id).dicts().get()
    Contribution.delete_by_id(contribution_id)
    return row


def restore_contribution(row: dict[str, Any]) -> None:
    """Undo ``delete_contribution``."""
    Contribution.insert(row).execute()


def contributions(group_id: int) -> list[dict[str, Any]]:
    """A group's contributions, newest first."""
    q = Contribution.select().where(Contribution.group == group_id)
    return list(q.order_by(Contribution.date.desc(), Contribution.id.desc()).dicts())


def decisions(group_id: int) -> list[dict[str, Any]]:
    """A group's decision journal, newest first (reasons and answers decoded)."""
    q = Decision.select().where(Decision.group == group_id).order_by(Decision.at.desc(), Decision.id.desc())
    out = []
    for d in q.dicts():
        d["reasons"] = json.loads(d["reasons"] or "[]")
        d["answers"] = json.loads(d["answers"] or "{}")
        out.append(d)
    return out


def invites(group_id: int) -> list[dict[str, Any]]:
    """A group's invitations, newest first."""
    q = Invite.select().where(Invite.group == group_id).order_by(Invite.received_at.desc())
    return list(q.dicts())


def group_count() -> int:
    """How many groups the store holds."""
    return int(db.execute_sql('SELECT COUNT(*) FROM "group"').fetchone()[0])
