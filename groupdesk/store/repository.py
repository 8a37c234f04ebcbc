"""Queries and writes used by the window and the command line (the only place that touches rows).

The table's reads (``GroupRow``, ``load_rows``, ``summary``) live in ``store.rows``, which does
not import Peewee, and are re-exported here. Writes go through the Peewee models, imported when
first needed (``_models``) so that importing this module stays cheap for the window's start-up.
Every write function returns what its undo needs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import ModuleType
from typing import Any

from groupdesk.store.db import finish_open
from groupdesk.store.rows import (
    LAZY_SCORES,
    GroupRow,
    Summary,
    group_count,
    load_rows,
    score_rows,
    summary,
)

__all__ = [
    "LAZY_SCORES",
    "GroupRow",
    "GroupSnapshot",
    "Summary",
    "add_contribution",
    "clean_values",
    "contributions",
    "create_group",
    "decisions",
    "delete_contribution",
    "delete_groups",
    "group_count",
    "group_values",
    "invites",
    "load_rows",
    "restore_contribution",
    "restore_groups",
    "restore_statuses",
    "score_rows",
    "set_status",
    "summary",
    "update_group",
]

#: Names once imported into this module from ``store.models``; still served (see ``__getattr__``).
_MODEL_NAMES = frozenset({"db", "Group", "Contribution", "Decision", "Invite"})


def _models() -> ModuleType:
    """``store.models``, with Peewee set up first if the window deferred that (``db.finish_open``)."""
    finish_open()
    from groupdesk.store import models

    return models


def __getattr__(name: str) -> Any:
    if name in _MODEL_NAMES:
        return getattr(_models(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------- single groups


def _to_db(field: str, value: Any) -> Any:
    """Convert a Python value of a Group field to what the model stores."""
    if value == "" and field not in ("name",):
        return None
    return value


def clean_values(values: dict[str, Any]) -> dict[str, Any]:
    """Check and convert user-supplied Group values; raise ValueError with a clear message."""
    from groupdesk.domain.records import BOOL_FIELDS, DATE_FIELDS, FLOAT_FIELDS, GROUP_FIELDS, INT_FIELDS
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
    from groupdesk.domain.records import GROUP_FIELDS

    g = _models().Group.get_by_id(group_id)
    return {f: getattr(g, f) for f in GROUP_FIELDS}


def create_group(values: dict[str, Any], *, typed_by_user: bool = True, source: str = "manual") -> int:
    """Create a group from (cleaned) values and return its id."""
    import json

    from groupdesk.domain.records import normalise_name

    values = clean_values(values)
    if not values.get("name"):
        raise ValueError("name: a group needs a name")
    data = {k: v for k, v in values.items() if v is not None}
    for k, v in _DEFAULTS.items():
        data.setdefault(k, v)
    typed = sorted(k for k in data if k in values) if typed_by_user else []
    g = _models().Group.create(
        name_key=normalise_name(data["name"]), source=source, user_fields=json.dumps(typed), **data
    )
    return g.id


def update_group(group_id: int, values: dict[str, Any], *, typed_by_user: bool = True) -> dict[str, Any]:
    """Change fields of a group; return the previous values of the changed fields (for undo)."""
    import json

    from groupdesk.domain.records import normalise_name

    values = clean_values(values)
    g = _models().Group.get_by_id(group_id)
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
    m = _models()
    previous: dict[int, str] = {}
    with m.db.atomic():
        for gid in group_ids:
            g = m.Group.get_by_id(gid)
            if g.status != status:
                previous[gid] = g.status
                update_group(gid, {"status": status})
    return previous


def restore_statuses(previous: dict[int, str]) -> None:
    """Undo ``set_status``."""
    with _models().db.atomic():
        for gid, status in previous.items():
            update_group(gid, {"status": status})


@dataclass
class GroupSnapshot:
    """Everything of one group, enough to bring it back exactly after a delete."""

    group: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]


def _children(m: ModuleType) -> tuple[type, ...]:
    """The models whose rows hang off a group (deleted and restored with it)."""
    return (m.Contribution, m.Decision, m.Invite)


def delete_groups(group_ids: Iterable[int]) -> list[GroupSnapshot]:
    """Delete groups (and their rows) in one transaction; return snapshots for ``restore_groups``."""
    m = _models()
    group, kinds = m.Group, _children(m)
    snaps: list[GroupSnapshot] = []
    with m.db.atomic():
        for gid in group_ids:
            row = group.select().where(group.id == gid).dicts().get()
            children = {k._meta.table_name: list(k.select().where(k.group == gid).dicts()) for k in kinds}
            snaps.append(GroupSnapshot(row, children))
            group.delete().where(group.id == gid).execute()
    return snaps


def restore_groups(snapshots: Sequence[GroupSnapshot]) -> None:
    """Bring deleted groups back with their ids and rows."""
    m = _models()
    by_table = {k._meta.table_name: k for k in _children(m)}
    with m.db.atomic():
        for snap in snapshots:
            m.Group.insert(snap.group).execute()
            for table, rows in snap.children.items():
                if rows:
                    by_table[table].insert_many(rows).execute()


# ---------------------------------------------------------------- contributions, journal


def add_contribution(group_id: int, day: date, kind: str = "post", note: str = "") -> int:
    """Log one contribution of mine to a group; return its id."""
    from groupdesk.domain.vocab import CONTRIBUTION_KINDS

    if kind not in CONTRIBUTION_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(CONTRIBUTION_KINDS)}")
    return _models().Contribution.create(group=group_id, date=day, kind=kind, note=note or "").id


def delete_contribution(contribution_id: int) -> dict[str, Any]:
    """Delete one contribution; return its row for ``restore_contribution``."""
    contribution = _models().Contribution
    row = contribution.select().where(contribution.id == contribution_id).dicts().get()
    contribution.delete_by_id(contribution_id)
    return row


def restore_contribution(row: dict[str, Any]) -> None:
    """Undo ``delete_contribution``."""
    _models().Contribution.insert(row).execute()


def contributions(group_id: int) -> list[dict[str, Any]]:
    """A group's contributions, newest first."""
    contribution = _models().Contribution
    q = contribution.select().where(contribution.group == group_id)
    return list(q.order_by(contribution.date.desc(), contribution.id.desc()).dicts())


def decisions(group_id: int) -> list[dict[str, Any]]:
    """A group's decision journal, newest first (reasons and answers decoded)."""
    import json

    decision = _models().Decision
    q = decision.select().where(decision.group == group_id).order_by(decision.at.desc(), decision.id.desc())
    out = []
    for d in q.dicts():
        d["reasons"] = json.loads(d["reasons"] or "[]")
        d["answers"] = json.loads(d["answers"] or "{}")
        out.append(d)
    return out


def invites(group_id: int) -> list[dict[str, Any]]:
    """A group's invitations, newest first."""
    invite = _models().Invite
    q = invite.select().where(invite.group == group_id).order_by(invite.received_at.desc())
    return list(q.dicts())
