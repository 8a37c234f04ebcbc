"""Merge imported groups into the store by identity, and read the whole store back as records.

``plan_import`` compares records with the store and says, per record, what an import would do
(new / updated with the changed fields / unchanged / skipped with a reason); it writes nothing.
``apply_import`` carries out a plan in one transaction and records an ``ImportBatch``.

Identity: (network, external id) when the record has one, else (network, normalised name). A
record with an external id that matches no group by id still matches a group of the same name
that has no external id yet (typed by hand, say) and fills it in. When a file holds the same
identity several times (two groups of the same name typed by hand), the k-th occurrence matches
the k-th such group in the store (by id), so such files round-trip and re-import cleanly.

Rules: an import never overwrites a field the user typed (``Group.user_fields``); it fills blank
fields (``how_joined`` "unknown" and ``cost_period`` "none" count as blank) and refreshes the
import-owned facts (``records.IMPORT_OWNED_FIELDS``). Contributions are de-duplicated by
(date, kind, note), decisions by (at, action), invitations by message id or else by
(received_at, inviter); a message id already used by another group is not added twice.

An import in which nothing is new or updated writes nothing at all: no ``ImportBatch`` row, and
``apply_import`` returns None. Groups and contributions created by an import carry its batch id
(decisions and invitations have no batch column in the schema yet).

Bulk writes use ``executemany`` on the raw connection inside ``db.atomic()``, and existing
identities are loaded in one query, so 100,000-row imports stay fast.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from groupdesk.domain.records import (
    BOOL_FIELDS,
    DATE_FIELDS,
    GROUP_FIELDS,
    IMPORT_OWNED_FIELDS,
    ContributionRecord,
    DecisionRecord,
    GroupRecord,
    InviteRecord,
    normalise_name,
)
from groupdesk.domain.vocab import ACTIONS, CONTRIBUTION_KINDS, INVITE_CHANNELS
from groupdesk.importers.native import checked_values, parse_datetime
from groupdesk.store.models import ImportBatch, db

NEW, UPDATED, UNCHANGED, SKIPPED = "new", "updated", "unchanged", "skipped"
ACTIONS_ORDER = (NEW, UPDATED, UNCHANGED, SKIPPED)

#: Values the model stores when a field is not known; an import may replace them.
BLANK_VALUES: dict[str, object] = {"how_joined": "unknown", "cost_period": "none"}
#: Defaults of a new group for fields the record leaves unknown.
NEW_DEFAULTS: dict[str, object] = {
    "network": "other",
    "status": "member",
    "how_joined": "unknown",
    "cost_period": "none",
}


@dataclass
class PlanItem:
    """What importing one record would do."""

    record: GroupRecord
    action: str
    #: The matched group (None for new and skipped records).
    group_id: int | None = None
    #: Changed Group fields: name → (current value, imported value).
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    contributions: list[ContributionRecord] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    invites: list[InviteRecord] = field(default_factory=list)
    #: Why a record is skipped.
    reason: str = ""

    def summary(self) -> str:
        """One line for a preview: what changes, in words."""
        if self.action == SKIPPED:
            return f"skipped: {self.reason}"
        parts = list(self.changes)
        for what, rows in (
            ("contribution", self.contributions),
            ("decision", self.decisions),
            ("invitation", self.invites),
        ):
            if rows:
                parts.append(f"{len(rows)} {what}{'s' if len(rows) != 1 else ''}")
        return f"{self.action}: {', '.join(parts)}" if parts else self.action


@dataclass
class ImportPlan:
    """The outcome of ``plan_import``: one item per record, in the records' order."""

    items: list[PlanItem]

    def counts(self) -> dict[str, int]:
        """How many records are new, updated, unchanged and skipped."""
        out = dict.fromkeys(ACTIONS_ORDER, 0)
        for item in self.items:
            out[item.action] += 1
        return out

    @property
    def changes_anything(self) -> bool:
        """True when applying the plan would write something."""
        return any(item.action in (NEW, UPDATED) for item in self.items)


# ---------------------------------------------------------------- conversions


def _from_db(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in DATE_FIELDS:
        return date.fromisoformat(str(value)[:10])
    if name in BOOL_FIELDS:
        return bool(value)
    return value


def _to_db(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _dt(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _contribution_key(c: ContributionRecord) -> tuple[str, str, str]:
    return (c.date.isoformat(), c.kind, c.note or "")


def _decision_key(d: DecisionRecord) -> tuple[datetime, str]:
    return (d.at, d.action)


def _invite_key(i: InviteRecord) -> tuple[datetime, str]:
    return (i.received_at, i.inviter or "")


# ---------------------------------------------------------------- checking records


def _checked(rec: GroupRecord) -> tuple[GroupRecord | None, str]:
    """A normalised copy of ``rec`` (values parsed, children checked), or None and the reason."""
    try:
        values = checked_values(rec)
    except ValueError as exc:
        return None, str(exc)
    if not values["name"]:
        return None, "no name"
    if values["network"] is None:
        values["network"] = "other"
    out = GroupRecord(**values)
    try:
        for c in rec.contributions:
            if c.kind not in CONTRIBUTION_KINDS:
                raise ValueError(f"contribution kind {c.kind!r} is unknown")
            day = c.date.date() if isinstance(c.date, datetime) else c.date
            if not isinstance(day, date):
                raise ValueError(f"contribution date {c.date!r} is not a date")
            out.contributions.append(ContributionRecord(day, c.kind, c.note or ""))
        for d in rec.decisions:
            if d.action not in ACTIONS:
                raise ValueError(f"decision action {d.action!r} is unknown")
            out.decisions.append(
                DecisionRecord(parse_datetime(d.at), d.action, list(d.reasons), dict(d.answers), d.note or "")
            )
        for i in rec.invites:
            if i.channel not in INVITE_CHANNELS:
                raise ValueError(f"invitation channel {i.channel!r} is unknown")
            out.invites.append(
                InviteRecord(
                    parse_datetime(i.received_at),
                    i.inviter or "",
                    i.channel,
                    (i.message_id or "").strip() or None,
                    i.subject or "",
                    i.personal,
                )
            )
    except (ValueError, TypeError, AttributeError) as exc:
        return None, str(exc)
    return out, ""


# ---------------------------------------------------------------- planning


_NAME, _NETWORK, _EXTERNAL_ID = (GROUP_FIELDS.index(n) for n in ("name", "network", "external_id"))
_DATE_SET = frozenset(i for i, n in enumerate(GROUP_FIELDS) if n in DATE_FIELDS)
_BOOL_SET = frozenset(i for i, n in enumerate(GROUP_FIELDS) if n in BOOL_FIELDS)


class _Existing:
    """A group already in the store; its values are converted only when a record matches it."""

    __slots__ = ("_values", "id", "row", "user_fields_json")

    def __init__(self, gid: int, user_fields_json: str, row: tuple[Any, ...]) -> None:
        self.id = gid
        self.user_fields_json = user_fields_json
        self.row = row
        self._values: dict[str, Any] | None = None

    @property
    def values(self) -> dict[str, Any]:
        """The Group fields as Python values."""
        if self._values is None:
            self._values = {n: _from_db(n, v) for n, v in zip(GROUP_FIELDS, self.row, strict=True)}
        return self._values

    @property
    def user_fields(self) -> frozenset[str]:
        """The fields the user typed."""
        return frozenset(json.loads(self.user_fields_json or "[]"))


def _load_existing() -> list[_Existing]:
    cols = ", ".join(f'"{n}"' for n in GROUP_FIELDS)
    rows = db.execute_sql(f'SELECT id, user_fields, {cols} FROM "group" ORDER BY id').fetchall()
    return [_Existing(row[0], row[1], row[2:]) for row in rows]


class _ChildIndex:
    """Keys of the existing contributions, decisions and invitations of the matched groups."""

    def __init__(self, group_ids: set[int], need: set[str]) -> None:
        self.contributions: dict[int, set[tuple[str, str, str]]] = defaultdict(set)
        self.decisions: dict[int, set[tuple[datetime, str]]] = defaultdict(set)
        self.invites: dict[int, set[tuple[datetime, str]]] = defaultdict(set)
        self.message_ids: set[str] = set()
        if group_ids and "contributions" in need:
            for gid, day, kind, note in db.execute_sql(
                "SELECT group_id, date, kind, note FROM contribution"
            ).fetchall():
                if gid in group_ids:
                    self.contributions[gid].add((str(day)[:10], kind, note or ""))
        if group_ids and "decisions" in need:
            for gid, at, action in db.execute_sql("SELECT group_id, at, action FROM decision").fetchall():
                if gid in group_ids:
                    self.decisions[gid].add((_dt(at), action))
        if "invites" in need:
            for gid, at, inviter, mid in db.execute_sql(
                "SELECT group_id, received_at, inviter, message_id FROM invite"
            ).fetchall():
                if mid:
                    self.message_ids.add(mid)
                if gid in group_ids:
                    self.invites[gid].add((_dt(at), inviter or ""))


def _new_children(rec: GroupRecord, gid: int | None, index: _ChildIndex) -> tuple[list, list, list]:
    """The record's rows that the group does not have yet (de-duplicated within the record too)."""
    have_c = set(index.contributions.get(gid, ())) if gid is not None else set()
    contributions = []
    for c in rec.contributions:
        key = _contribution_key(c)
        if key not in have_c:
            have_c.add(key)
            contributions.append(c)
    have_d = set(index.decisions.get(gid, ())) if gid is not None else set()
    decisions = []
    for d in rec.decisions:
        key = _decision_key(d)
        if key not in have_d:
            have_d.add(key)
            decisions.append(d)
    have_i = set(index.invites.get(gid, ())) if gid is not None else set()
    invites = []
    for i in rec.invites:
        if i.message_id:
            if i.message_id in index.message_ids:
                continue
        elif _invite_key(i) in have_i:
            continue
        have_i.add(_invite_key(i))
        if i.message_id:
            index.message_ids.add(i.message_id)
        invites.append(i)
    return contributions, decisions, invites


def _same_as_stored(rec: GroupRecord, ex: _Existing) -> bool:
    """Quick check on the raw row: every known value of ``rec`` already stored as it is."""
    for pos, name in enumerate(GROUP_FIELDS):
        new = getattr(rec, name)
        if new is None:
            continue
        old = ex.row[pos]
        if pos in _DATE_SET:
            new = new.isoformat()
        elif pos in _BOOL_SET:
            new = int(new)
        if old != new:
            return False
    return True


def _field_changes(rec: GroupRecord, ex: _Existing) -> dict[str, tuple[Any, Any]]:
    if _same_as_stored(rec, ex):
        return {}
    changes: dict[str, tuple[Any, Any]] = {}
    values = ex.values
    typed = ex.user_fields
    for name in GROUP_FIELDS:
        new = getattr(rec, name)
        if new is None:
            continue
        old = values[name]
        if old == new or name in typed:
            continue
        if old is None or BLANK_VALUES.get(name) == old or name in IMPORT_OWNED_FIELDS:
            changes[name] = (old, new)
    return changes


def plan_import(records: Sequence[GroupRecord]) -> ImportPlan:
    """Compare ``records`` with the store and say what importing them would do; writes nothing."""
    existing = _load_existing()
    by_id: dict[tuple[str, str], list[_Existing]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[_Existing]] = defaultdict(list)
    for ex in existing:
        network, ext = ex.row[_NETWORK], ex.row[_EXTERNAL_ID]
        if ext:
            by_id[(network, ext.strip())].append(ex)
        by_name[(network, normalise_name(ex.row[_NAME]))].append(ex)

    checked: list[tuple[GroupRecord, GroupRecord | None, str]] = []
    for rec in records:
        clean, reason = _checked(rec)
        checked.append((rec, clean, reason))

    used: set[int] = set()
    match: dict[int, _Existing] = {}

    def take(candidates: Iterable[_Existing], pos: int) -> bool:
        for ex in candidates:
            if ex.id not in used:
                used.add(ex.id)
                match[pos] = ex
                return True
        return False

    # Pass 1: records with an external id, by id. Pass 2: the rest by name, preferring groups
    # that have no external id (an id-less record is most likely the hand-typed twin).
    for pos, (_, clean, _) in enumerate(checked):
        if clean is not None and clean.external_id:
            take(by_id.get((clean.network, clean.external_id.strip()), ()), pos)
    for pos, (_, clean, _) in enumerate(checked):
        if clean is None or pos in match:
            continue
        same_name = by_name.get((clean.network, normalise_name(clean.name)), ())
        without_id = [ex for ex in same_name if not ex.row[_EXTERNAL_ID]]
        if clean.external_id:
            take(without_id, pos)
        else:
            if not take(without_id, pos):
                take(same_name, pos)

    need = {
        k
        for _, c, _ in checked
        if c is not None
        for k in ("contributions", "decisions", "invites")
        if getattr(c, k)
    }
    index = _ChildIndex({ex.id for ex in match.values()}, need)

    items: list[PlanItem] = []
    for pos, (rec, clean, reason) in enumerate(checked):
        if clean is None:
            items.append(PlanItem(rec, SKIPPED, reason=reason))
            continue
        ex = match.get(pos)
        gid = ex.id if ex else None
        contributions, decisions, invites = _new_children(clean, gid, index)
        if ex is None:
            items.append(PlanItem(clean, NEW, None, {}, contributions, decisions, invites))
            continue
        changes = _field_changes(clean, ex)
        action = UPDATED if changes or contributions or decisions or invites else UNCHANGED
        items.append(PlanItem(clean, action, gid, changes, contributions, decisions, invites))
    return ImportPlan(items)


# ---------------------------------------------------------------- applying

_NEW_COLUMNS = (
    *GROUP_FIELDS,
    "name_key",
    "source",
    "user_fields",
    "import_batch_id",
    "created_at",
    "updated_at",
)


_DATE_POSITIONS = tuple(i for i, n in enumerate(GROUP_FIELDS) if n in DATE_FIELDS)
_BOOL_POSITIONS = tuple(i for i, n in enumerate(GROUP_FIELDS) if n in BOOL_FIELDS)
_DEFAULT_POSITIONS = tuple((GROUP_FIELDS.index(n), v) for n, v in NEW_DEFAULTS.items())


def apply_import(plan: ImportPlan, file: str, kind: str, sha256: str | None = None) -> int | None:
    """Carry out ``plan`` in one transaction; return the new ImportBatch id (None if nothing changes)."""
    if not plan.changes_anything:
        return None
    counts = plan.counts()
    now = _now()
    stamp = _to_db(now)
    conn = db.connection()
    with db.atomic():
        batch = ImportBatch.create(
            at=now,
            file=file,
            kind=kind,
            sha256=sha256,
            new_count=counts[NEW],
            updated_count=counts[UPDATED],
            unchanged_count=counts[UNCHANGED],
            skipped_count=counts[SKIPPED],
        )
        new_items = [i for i in plan.items if i.action == NEW]
        if new_items:
            marks = ", ".join("?" * len(_NEW_COLUMNS))
            cols = ", ".join(f'"{c}"' for c in _NEW_COLUMNS)
            rows = []
            for item in new_items:
                rec = item.record
                values = [getattr(rec, n) for n in GROUP_FIELDS]
                for pos in _DATE_POSITIONS:
                    if values[pos] is not None:
                        values[pos] = values[pos].isoformat()
                for pos in _BOOL_POSITIONS:
                    if values[pos] is not None:
                        values[pos] = int(values[pos])
                for pos, default in _DEFAULT_POSITIONS:
                    if values[pos] is None:
                        values[pos] = default
                rows.append((*values, normalise_name(rec.name), kind, "[]", batch.id, stamp, stamp))
            conn.executemany(f'INSERT INTO "group" ({cols}) VALUES ({marks})', rows)
            ids = [
                r[0]
                for r in conn.execute(
                    'SELECT id FROM "group" WHERE import_batch_id = ? ORDER BY id', (batch.id,)
                ).fetchall()
            ]
            if len(ids) != len(new_items):
                raise RuntimeError("import: new group ids do not line up with the records")
            for item, gid in zip(new_items, ids, strict=True):
                item.group_id = gid

        by_fields: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for item in plan.items:
            if item.action == UPDATED and item.changes:
                names = tuple(sorted(item.changes))
                row = tuple(_to_db(item.changes[n][1]) for n in names)
                by_fields[names].append((*row, stamp, item.group_id))
        for names, rows in by_fields.items():
            sets = ", ".join(f'"{n}" = ?' for n in names)
            conn.executemany(f'UPDATE "group" SET {sets}, "updated_at" = ? WHERE id = ?', rows)

        contributions, decisions, invites = [], [], []
        for item in plan.items:
            gid = item.group_id
            for c in item.contributions:
                contributions.append((gid, c.date.isoformat(), c.kind, c.note or "", batch.id))
            for d in item.decisions:
                decisions.append(
                    (
                        gid,
                        _to_db(d.at),
                        d.action,
                        json.dumps(list(d.reasons), ensure_ascii=False),
                        json.dumps(d.answers, ensure_ascii=False, sort_keys=True),
                        d.note or "",
                    )
                )
            for i in item.invites:
                invites.append(
                    (
                        gid,
                        _to_db(i.received_at),
                        i.inviter or "",
                        i.channel,
                        i.message_id,
                        i.subject or "",
                        None if i.personal is None else int(i.personal),
                    )
                )
        if contributions:
            conn.executemany(
                "INSERT INTO contribution (group_id, date, kind, note, import_batch_id) "
                "VALUES (?, ?, ?, ?, ?)",
                contributions,
            )
        if decisions:
            conn.executemany(
                "INSERT INTO decision (group_id, at, action, reasons, answers, note) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                decisions,
            )
        if invites:
            conn.executemany(
                "INSERT INTO invite (group_id, received_at, inviter, channel, message_id, subject, personal) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                invites,
            )
    return batch.id


# ---------------------------------------------------------------- reading everything back


def load_records() -> dict[int, GroupRecord]:
    """Every group in the store as a record with its contributions, decisions and invitations."""
    cols = ", ".join(f'"{n}"' for n in GROUP_FIELDS)
    out: dict[int, GroupRecord] = {}
    for row in db.execute_sql(f'SELECT id, {cols} FROM "group" ORDER BY id').fetchall():
        values = {n: _from_db(n, v) for n, v in zip(GROUP_FIELDS, row[1:], strict=True)}
        out[row[0]] = GroupRecord(**values)
    for gid, day, kind, note in db.execute_sql(
        "SELECT group_id, date, kind, note FROM contribution ORDER BY id"
    ).fetchall():
        out[gid].contributions.append(ContributionRecord(date.fromisoformat(str(day)[:10]), kind, note or ""))
    for gid, at, action, reasons, answers, note in db.execute_sql(
        "SELECT group_id, at, action, reasons, answers, note FROM decision ORDER BY id"
    ).fetchall():
        out[gid].decisions.append(
            DecisionRecord(
                _dt(at), action, json.loads(reasons or "[]"), json.loads(answers or "{}"), note or ""
            )
        )
    for gid, at, inviter, channel, mid, subject, personal in db.execute_sql(
        "SELECT group_id, received_at, inviter, channel, message_id, subject, personal "
        "FROM invite ORDER BY id"
    ).fetchall():
        out[gid].invites.append(
            InviteRecord(
                _dt(at),
                inviter or "",
                channel,
                mid,
                subject or "",
                None if personal is None else bool(personal),
            )
        )
    return out


def export_records() -> list[GroupRecord]:
    """The whole store as records (groups with their contributions, decisions, invitations)."""
    return list(load_records().values())
