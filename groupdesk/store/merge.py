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
``apply_import`` returns None. Groups, contributions, decisions and invitations created by an import
carry its batch id, and each field it changed on an existing group is recorded with its previous
value (``ImportChange``), so that ``store.batches`` can undo the batch.

Bulk writes use ``executemany`` on the raw connection inside ``db.atomic()``, existing identities
are loaded in one query and compared as raw rows, and the cyclic garbage collector is paused while
100,000 records are matched (``native.paused_gc``), so 100,000-row imports stay fast.
"""

from __future__ import annotations

import json
import operator
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat
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
from groupdesk.importers.native import CheckedRecords, checked_values, parse_datetime, paused_gc
from groupdesk.store.models import ImportBatch, db

NEW, UPDATED, UNCHANGED, SKIPPED = "new", "updated", "unchanged", "skipped"
_ACTION = operator.attrgetter("action")
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


@dataclass(slots=True)
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
    #: The normalised name (``records.normalise_name``), worked out once while planning.
    name_key: str = ""

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
    #: When every record is new and came from a native reader's ``CheckedRecords`` with columns:
    #: those columns, so that ``apply_import`` inserts from them instead of collecting each field.
    columns: dict[str, list[Any]] | None = field(default=None, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        """How many records are new, updated, unchanged and skipped."""
        out = dict.fromkeys(ACTIONS_ORDER, 0)
        out.update(Counter(map(_ACTION, self.items)))
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
_DATE_POSITIONS = tuple(sorted(_DATE_SET))
_BOOL_POSITIONS = tuple(sorted(_BOOL_SET))
_DEFAULT_POSITIONS = tuple((GROUP_FIELDS.index(n), v) for n, v in NEW_DEFAULTS.items())
_VALUES = operator.attrgetter(*GROUP_FIELDS)
_GETTERS = tuple(operator.attrgetter(n) for n in GROUP_FIELDS)
#: Columns before the Group fields in the rows ``plan_import`` reads: id, user_fields, name_key.
_LEAD = 3


def name_key(name: str) -> str:
    """``records.normalise_name(name)``, quicker for the common plain-ASCII name."""
    if name.isascii():
        return " ".join(name.split()).lower()
    return normalise_name(name)


def _db_values(rec: GroupRecord) -> list[Any]:
    """The record's Group fields as the columns store them (ISO dates, 0/1), ``None`` for unknown."""
    values = list(_VALUES(rec))
    for pos in _DATE_POSITIONS:
        if values[pos] is not None:
            values[pos] = values[pos].isoformat()
    for pos in _BOOL_POSITIONS:
        if values[pos] is not None:
            values[pos] = int(values[pos])
    return values


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


def _load_existing() -> list[tuple[Any, ...]]:
    """Every group as (id, user_fields, name_key, *Group fields), in id order."""
    cols = ", ".join(f'"{n}"' for n in GROUP_FIELDS)
    return db.execute_sql(f'SELECT id, user_fields, name_key, {cols} FROM "group" ORDER BY id').fetchall()


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


def _stored_rows(columns: dict[str, list[Any]]) -> list[tuple[Any, ...]]:
    """Records given a field at a time (``CheckedRecords.columns``) as tuples of column values."""
    out = []
    for pos, name in enumerate(GROUP_FIELDS):
        col = columns[name]
        if pos in _DATE_SET:
            col = list(map(_IsoDates().__getitem__, col))
        elif pos in _BOOL_SET:
            col = [None if v is None else int(v) for v in col]
        out.append(col)
    return list(zip(*out, strict=True))


def _same_as_stored(rec: GroupRecord, ex: _Existing) -> bool:
    """Quick check on the raw row: every known value of ``rec`` already stored as it is."""
    new_values = _db_values(rec)
    if tuple(new_values) == ex.row:
        return True
    return all(new is None or old == new for new, old in zip(new_values, ex.row, strict=True))


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
    """Compare ``records`` with the store and say what importing them would do; writes nothing.

    Records in a ``native.CheckedRecords`` list (what the native readers return) are trusted to
    hold checked Group values; any other record is checked here and skipped with the reason when
    a value is wrong.
    """
    with paused_gc():
        return _plan(records)


def _index(rows: list[tuple[Any, ...]], keys: Iterable[Any]) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows by key, each key's rows in the given (id) order."""
    out: dict[Any, list[tuple[Any, ...]]] = {}
    for key, row in zip(keys, rows, strict=True):
        same = out.get(key)
        if same is None:
            out[key] = [row]
        else:
            same.append(row)
    return out


_EXT = _LEAD + _EXTERNAL_ID
_NETWORK_AND_KEY = operator.itemgetter(_LEAD + _NETWORK, 2)


def _plan(records: Sequence[GroupRecord]) -> ImportPlan:
    rows = _load_existing()
    by_name = _index(rows, map(_NETWORK_AND_KEY, rows))
    with_id = [row for row in rows if row[_EXT]]
    by_id = _index(with_id, [(row[_LEAD + _NETWORK], row[_EXT].strip()) for row in with_id])

    trusted = isinstance(records, CheckedRecords)
    originals = list(records)
    cleans: list[GroupRecord | None] = []
    reasons: dict[int, str] = {}
    for pos, rec in enumerate(originals):
        if trusted and not (rec.contributions or rec.decisions or rec.invites):
            cleans.append(rec)
        else:
            clean, reason = _checked(rec)
            cleans.append(clean)
            if clean is None:
                reasons[pos] = reason
    keys = [name_key(c.name) if c is not None else "" for c in cleans]
    with_children = any(c is not None and (c.contributions or c.decisions or c.invites) for c in cleans)

    used: set[int] = set()
    match: dict[int, tuple[Any, ...]] = {}

    def take(candidates: Iterable[tuple[Any, ...]], pos: int) -> bool:
        for row in candidates:
            if row[0] not in used:
                used.add(row[0])
                match[pos] = row
                return True
        return False

    # Pass 1: records with an external id, by id. Pass 2: the rest by name, preferring groups
    # that have no external id (an id-less record is most likely the hand-typed twin).
    if by_id:
        for pos, clean in enumerate(cleans):
            if clean is not None and clean.external_id:
                take(by_id.get((clean.network, clean.external_id.strip()), ()), pos)
    if by_name:
        for pos, clean in enumerate(cleans):
            if clean is None or pos in match:
                continue
            same_name = by_name.get((clean.network, keys[pos]))
            if not same_name:
                continue
            if len(same_name) == 1 and not same_name[0][_EXT]:
                take(same_name, pos)  # the common case: one group of that name, no external id
                continue
            without_id = [row for row in same_name if not row[_EXT]]
            if clean.external_id:
                take(without_id, pos)
            elif not take(without_id, pos):
                take(same_name, pos)

    index: _ChildIndex | None = None
    if with_children:
        need = {
            k
            for c in cleans
            if c is not None
            for k in ("contributions", "decisions", "invites")
            if getattr(c, k)
        }
        index = _ChildIndex({row[0] for row in match.values()}, need)

    columns = getattr(records, "columns", None) if trusted else None
    if columns is not None and any(len(columns[f]) != len(cleans) for f in GROUP_FIELDS):
        columns = None
    # The records as stored rows, to compare with the matched groups in one go.
    stored_form = _stored_rows(columns) if columns is not None and match else None
    items: list[PlanItem] = []
    add = items.append
    for pos, clean in enumerate(cleans):
        if clean is None:
            add(PlanItem(originals[pos], SKIPPED, reason=reasons[pos]))
            continue
        row = match.get(pos)
        gid = None if row is None else row[0]
        if index is not None and (clean.contributions or clean.decisions or clean.invites):
            contributions, decisions, invites = _new_children(clean, gid, index)
        else:  # the record's own lists: empty, and a plan never changes them
            contributions, decisions, invites = clean.contributions, clean.decisions, clean.invites
        if row is None:
            add(PlanItem(clean, NEW, None, {}, contributions, decisions, invites, name_key=keys[pos]))
            continue
        stored = row[_LEAD:]
        if stored_form is not None and stored_form[pos] == stored:
            changes = {}
        else:
            changes = _field_changes(clean, _Existing(gid, row[1], stored))
        action = UPDATED if changes or contributions or decisions or invites else UNCHANGED
        add(PlanItem(clean, action, gid, changes, contributions, decisions, invites, name_key=keys[pos]))
    plan = ImportPlan(items)
    if columns is not None and not match and len(items) == len(cleans) and not reasons:
        plan.columns = columns
    return plan


# ---------------------------------------------------------------- applying

_STAMP = re.compile(r"[0-9: .-]+")
#: Inserting at least this many new groups, and more than the store holds, rebuilds the group
#: table's indexes once afterwards instead of updating them row by row (about twice as fast).
BULK_ROWS = 20_000


class _IsoDates(dict):
    """date → ISO text, worked out once per distinct date (a column repeats the same days)."""

    def __missing__(self, day: date | None) -> str | None:
        text = self[day] = None if day is None else day.isoformat()
        return text


def _plain_indexes(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the table's own non-unique indexes."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    return [(name, sql) for name, sql in rows if not sql.upper().startswith("CREATE UNIQUE")]


def _insert_new(
    conn: sqlite3.Connection,
    items: list[PlanItem],
    kind: str,
    batch_id: int,
    stamp: str,
    source_columns: dict[str, list[Any]] | None = None,
) -> None:
    """Insert the new groups with one ``executemany``, built a column at a time.

    A field that no new group knows is left out of the statement (its column's default, NULL, is
    what it would get), and the values every row shares are written into the statement once.
    ``source_columns`` (``ImportPlan.columns``) are the records' values already laid out by field.
    """
    records = [item.record for item in items]
    n = len(records)
    if source_columns is not None and any(len(source_columns[f]) != n for f in GROUP_FIELDS):
        source_columns = None
    names: list[str] = []
    columns: list[Iterable[Any]] = []
    for pos, name in enumerate(GROUP_FIELDS):
        col = source_columns[name] if source_columns is not None else list(map(_GETTERS[pos], records))
        unknown = col.count(None)
        default = NEW_DEFAULTS.get(name)
        if unknown == n and default is None:
            continue
        if unknown and default is not None:
            col = [default if v is None else v for v in col]
        if pos in _DATE_SET:
            col = list(map(_IsoDates().__getitem__, col))
        elif pos in _BOOL_SET:
            col = [None if v is None else int(v) for v in col]
        names.append(name)
        columns.append(col)
    names += ["name_key", "source"]
    columns += [[item.name_key or name_key(item.record.name) for item in items], repeat(kind, n)]
    if not _STAMP.fullmatch(stamp):
        raise ValueError(f"not a time stamp: {stamp!r}")
    cols = ", ".join(f'"{c}"' for c in (*names, "user_fields", "import_batch_id", "created_at", "updated_at"))
    marks = ", ".join("?" * len(names))
    sql = f"INSERT INTO \"group\" ({cols}) VALUES ({marks}, '[]', {int(batch_id)}, '{stamp}', '{stamp}')"
    indexes: list[tuple[str, str]] = []
    if n >= BULK_ROWS and n > conn.execute('SELECT COUNT(*) FROM "group"').fetchone()[0]:
        # Inside the import's transaction: a rollback (or a crash) brings the indexes back as well.
        indexes = _plain_indexes(conn, "group")
        for index_name, _ in indexes:
            conn.execute(f'DROP INDEX "{index_name}"')
    conn.executemany(sql, zip(*columns, strict=True))
    for _, create in indexes:
        conn.execute(create)


def apply_import(
    plan: ImportPlan, file: str, kind: str, sha256: str | None = None, *, skipped: int = 0
) -> int | None:
    """Carry out ``plan`` in one transaction; return the new ImportBatch id (None if nothing changes).

    ``skipped`` counts entries the reader left out before planning (chats that are not groups, say);
    the batch's skipped count includes them, as the preview showed.

    Besides the rows themselves, the batch records what undoing it needs: new groups,
    contributions, decisions and invitations carry its id, and every field it changed on an
    existing group is kept with its previous value (``ImportChange``).
    """
    if not plan.changes_anything:
        return None
    with paused_gc(), db.atomic():
        return _apply(plan, file, kind, sha256, skipped)


def _apply(plan: ImportPlan, file: str, kind: str, sha256: str | None, skipped: int = 0) -> int:
    counts = plan.counts()
    now = _now()
    stamp = _to_db(now)
    conn = db.connection()
    batch = ImportBatch.create(
        at=now,
        file=file,
        kind=kind,
        sha256=sha256,
        new_count=counts[NEW],
        updated_count=counts[UPDATED],
        unchanged_count=counts[UNCHANGED],
        skipped_count=counts[SKIPPED] + skipped,
    )
    new_items = [i for i in plan.items if i.action == NEW]
    if new_items:
        last = conn.execute('SELECT MAX(id) FROM "group"').fetchone()[0] or 0
        _insert_new(conn, new_items, kind, batch.id, stamp, plan.columns)
        # Without other writers, SQLite numbers the new rows after the largest id, in order.
        ids = [r[0] for r in conn.execute('SELECT id FROM "group" WHERE id > ? ORDER BY id', (last,))]
        if len(ids) != len(new_items):
            raise RuntimeError("import: new group ids do not line up with the records")
        for item, gid in zip(new_items, ids, strict=True):
            item.group_id = gid

    by_fields: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
    changes: list[tuple[Any, ...]] = []
    contributions: list[tuple[Any, ...]] = []
    decisions: list[tuple[Any, ...]] = []
    invites: list[tuple[Any, ...]] = []
    for item in plan.items:
        if item.action == UPDATED and item.changes:
            names = tuple(sorted(item.changes))
            row = tuple(_to_db(item.changes[n][1]) for n in names)
            by_fields[names].append((*row, stamp, item.group_id))
            for n in names:
                old, new = item.changes[n]
                changes.append((batch.id, item.group_id, n, _to_db(old), _to_db(new)))
        if not (item.contributions or item.decisions or item.invites):
            continue
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
                    batch.id,
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
                    batch.id,
                )
            )
    for names, rows in by_fields.items():
        sets = ", ".join(f'"{n}" = ?' for n in names)
        conn.executemany(f'UPDATE "group" SET {sets}, "updated_at" = ? WHERE id = ?', rows)
    if changes:
        conn.executemany(
            "INSERT INTO import_change (batch_id, group_id, field_name, old_value, new_value) "
            "VALUES (?, ?, ?, ?, ?)",
            changes,
        )
    if contributions:
        conn.executemany(
            "INSERT INTO contribution (group_id, date, kind, note, import_batch_id) VALUES (?, ?, ?, ?, ?)",
            contributions,
        )
    if decisions:
        conn.executemany(
            "INSERT INTO decision (group_id, at, action, reasons, answers, note, import_batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            decisions,
        )
    if invites:
        conn.executemany(
            "INSERT INTO invite (group_id, received_at, inviter, channel, message_id, subject, personal, "
            "import_batch_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            invites,
        )
    return batch.id


# ---------------------------------------------------------------- reading everything back


def load_records(ids: Iterable[int] | None = None) -> dict[int, GroupRecord]:
    """Groups in the store as records with their contributions, decisions and invitations.

    Every group, by id; or only the groups ``ids`` names, in that order (ids not in the store left out).
    """
    cols = ", ".join(f'"{n}"' for n in GROUP_FIELDS)
    out: dict[int, GroupRecord] = {}
    wanted = None if ids is None else list(dict.fromkeys(ids))
    if wanted is not None:
        wanted_set = set(wanted)
    for row in db.execute_sql(f'SELECT id, {cols} FROM "group" ORDER BY id').fetchall():
        if wanted is not None and row[0] not in wanted_set:
            continue
        values = {n: _from_db(n, v) for n, v in zip(GROUP_FIELDS, row[1:], strict=True)}
        out[row[0]] = GroupRecord(**values)
    if wanted is not None:
        out = {gid: out[gid] for gid in wanted if gid in out}
    for gid, day, kind, note in db.execute_sql(
        "SELECT group_id, date, kind, note FROM contribution ORDER BY id"
    ).fetchall():
        if gid in out:
            out[gid].contributions.append(
                ContributionRecord(date.fromisoformat(str(day)[:10]), kind, note or "")
            )
    for gid, at, action, reasons, answers, note in db.execute_sql(
        "SELECT group_id, at, action, reasons, answers, note FROM decision ORDER BY id"
    ).fetchall():
        if gid not in out:
            continue
        out[gid].decisions.append(
            DecisionRecord(
                _dt(at), action, json.loads(reasons or "[]"), json.loads(answers or "{}"), note or ""
            )
        )
    for gid, at, inviter, channel, mid, subject, personal in db.execute_sql(
        "SELECT group_id, received_at, inviter, channel, message_id, subject, personal "
        "FROM invite ORDER BY id"
    ).fetchall():
        if gid not in out:
            continue
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
