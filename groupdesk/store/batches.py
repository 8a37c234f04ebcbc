"""The import history, applying several sources as one import, and undoing an import batch.

Every applied import is an ``ImportBatch`` (``merge.apply_import`` writes one per source). The
history lists them with what each did (``list_batches``). ``undo_batch`` takes a batch back as a
whole, in one transaction, but only what the user has not changed since:

- a group the batch created is deleted, unless the user typed one of its fields since
  (``Group.user_fields``) or added something to it by hand (a contribution, decision or invitation
  that no import brought); such groups are kept and counted;
- a field the batch changed on an existing group gets its previous value back, unless the user has
  typed that field since or its value is no longer the one the batch wrote (a later import changed
  it); such fields are kept and counted;
- contributions, decisions and invitations the batch added to groups that stay are deleted.

``undo_batch`` returns a ``BatchUndo`` holding every row it deleted and every value it put back,
so that ``redo_batch`` can bring the batch back exactly (same ids), as an undo stack's redo needs.

``plan_sources`` and ``apply_sources`` are the window's import: several sources (the exports found
in what was dropped) planned in order as if each were applied before the next, and applied in one
transaction. Qt-free; the GUI thread (or the command line) calls these, never a worker thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from groupdesk.domain.records import GROUP_FIELDS, GroupRecord
from groupdesk.store.merge import ImportPlan, apply_import, name_key, plan_import
from groupdesk.store.models import db

#: Tables whose rows an import adds to a group, each with an ``import_batch_id`` column.
CHILD_TABLES = ("contribution", "decision", "invite")
#: Ids per ``IN (...)`` list (SQLite's oldest limit on bound parameters is 999).
_CHUNK = 900


class BatchError(Exception):
    """An import batch cannot be undone or redone; the message says why, in plain words."""


@dataclass(frozen=True)
class BatchInfo:
    """One applied import, as the history shows it."""

    id: int
    at: datetime
    file: str
    kind: str
    new_count: int
    updated_count: int
    unchanged_count: int
    skipped_count: int
    undone: bool
    #: How many of the groups it created are still in the store.
    groups_left: int


@dataclass
class Source:
    """One export to apply: its records and how the history names it."""

    records: Sequence[GroupRecord]
    file: str
    kind: str
    sha256: str | None = None
    #: Entries the reader left out (not groups), counted with the batch's skipped ones.
    skipped: int = 0


@dataclass
class _Rows:
    """Rows of one table: the column names and the values, enough to insert them again."""

    columns: tuple[str, ...] = ()
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class BatchUndo:
    """What ``undo_batch`` did to one batch, so that ``redo_batch`` can do the batch again exactly."""

    batch_id: int
    #: False when there was nothing to undo (the batch was already undone).
    done: bool = False
    #: Groups deleted, with all their rows: table name → rows (``group`` first).
    deleted: dict[str, _Rows] = field(default_factory=dict)
    #: The batch's contributions, decisions and invitations deleted from groups that stay.
    removed: dict[str, _Rows] = field(default_factory=dict)
    #: Fields put back: (group id, field, value the batch had written, value restored).
    restored: list[tuple[int, str, Any, Any]] = field(default_factory=list)
    #: Groups the batch created that stay because the user changed them since.
    kept_groups: list[int] = field(default_factory=list)
    #: Fields the batch changed that stay because the user typed them (or another import changed them).
    kept_fields: int = 0

    @property
    def deleted_group_ids(self) -> list[int]:
        """Ids of the groups the undo deleted."""
        rows = self.deleted.get("group")
        if rows is None:
            return []
        pos = rows.columns.index("id")
        return [r[pos] for r in rows.rows]

    @property
    def changed_group_ids(self) -> list[int]:
        """Ids of the groups that stay but whose fields or rows the undo changed."""
        ids = {gid for gid, *_ in self.restored}
        for rows in self.removed.values():
            pos = rows.columns.index("group_id")
            ids.update(r[pos] for r in rows.rows)
        return sorted(ids)

    def summary(self) -> str:
        """What the undo did, in one sentence."""
        if not self.done:
            return "That import was already undone."
        parts = []
        n = len(self.deleted_group_ids)
        if n:
            parts.append(_plural(n, "group") + " removed")
        if self.restored:
            parts.append(_plural(len(self.restored), "field") + " restored")
        extra = sum(len(r.rows) for r in self.removed.values())
        if extra:
            parts.append(_plural(extra, "imported row") + " removed")
        text = ", ".join(parts).capitalize() if parts else "Nothing left to take back"
        kept = []
        if self.kept_groups:
            kept.append(_plural(len(self.kept_groups), "group"))
        if self.kept_fields:
            kept.append(_plural(self.kept_fields, "field"))
        if kept:
            text += f"; kept {' and '.join(kept)} changed since the import"
        return text + "."


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------- history


def list_batches() -> list[BatchInfo]:
    """Every applied import, newest first."""
    ready()
    rows = db.execute_sql(
        "SELECT b.id, b.at, b.file, b.kind, b.new_count, b.updated_count, b.unchanged_count, "
        'b.skipped_count, b.undone, (SELECT COUNT(*) FROM "group" g WHERE g.import_batch_id = b.id) '
        "FROM import_batch b ORDER BY b.at DESC, b.id DESC"
    ).fetchall()
    return [
        BatchInfo(
            id=r[0],
            at=r[1] if isinstance(r[1], datetime) else datetime.fromisoformat(str(r[1])),
            file=r[2],
            kind=r[3],
            new_count=r[4],
            updated_count=r[5],
            unchanged_count=r[6],
            skipped_count=r[7],
            undone=bool(r[8]),
            groups_left=r[9],
        )
        for r in rows
    ]


def batch_info(batch_id: int) -> BatchInfo:
    """One batch of the history; ``BatchError`` when there is no such batch."""
    for info in list_batches():
        if info.id == batch_id:
            return info
    raise BatchError(f"There is no import number {batch_id}.")


def batch_group_ids(batch_ids: Iterable[int]) -> list[int]:
    """Ids of the groups (still in the store) that the batches created or changed."""
    ids: set[int] = set()
    conn = _conn()
    for batch in batch_ids:
        for sql in (
            'SELECT id FROM "group" WHERE import_batch_id = ?',
            "SELECT group_id FROM import_change WHERE batch_id = ?",
            *(f'SELECT group_id FROM "{t}" WHERE import_batch_id = ?' for t in CHILD_TABLES),
        ):
            ids.update(r[0] for r in conn.execute(sql, (batch,)).fetchall())
    return sorted(ids)


# ---------------------------------------------------------------- importing several sources


def plan_sources(records: Sequence[Sequence[GroupRecord]]) -> list[ImportPlan]:
    """What importing each record list would do, each planned as if the ones before were applied.

    A group new in the first list is "unchanged" (or "updated") in the second, as the import
    itself will find. With more than one list the earlier ones are applied inside a transaction
    that is rolled back: nothing is written.
    """
    ready()
    if len(records) <= 1:
        return [plan_import(r) for r in records]
    plans = []
    with db.atomic() as txn:
        for recs in records:
            plan = plan_import(recs)
            plans.append(plan)
            apply_import(plan, "(preview)", "preview")
        txn.rollback()
    for plan in plans:
        for item in plan.items:
            if item.action == "new":
                item.group_id = None  # ids from the rolled-back preview mean nothing
    return plans


def apply_sources(sources: Sequence[Source], plans: Sequence[ImportPlan] | None = None) -> list[int]:
    """Import every source in one transaction, in order; return the ids of the batches written.

    ``plans`` may be those of ``plan_sources`` for the same store state; with one source it is used
    as it is, with several each source is planned again just before it is applied (so that the
    earlier sources count). Sources that change nothing write no batch.
    """
    ready()
    ids: list[int] = []
    with db.atomic():
        for n, source in enumerate(sources):
            plan = plans[0] if plans is not None and len(sources) == 1 and n == 0 else None
            if plan is None:
                plan = plan_import(source.records)
            batch = apply_import(plan, source.file, source.kind, source.sha256, skipped=source.skipped)
            if batch is not None:
                ids.append(batch)
    return ids


# ---------------------------------------------------------------- undo and redo


def _conn() -> sqlite3.Connection:
    ready()
    return db.connection()


def ready() -> None:
    """Set Peewee up on the store if the window started on a plain reading connection."""
    from groupdesk.store import db as store_db

    finish_open = getattr(store_db, "finish_open", None)
    if finish_open is not None:
        finish_open()


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _select(table: str, where: str, params: Sequence[Any]) -> _Rows:
    cur = _conn().execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY id', tuple(params))
    return _Rows(tuple(d[0] for d in cur.description), cur.fetchall())


def _select_ids(table: str, column: str, ids: Sequence[int]) -> _Rows:
    out = _Rows()
    for chunk in _chunks(ids):
        marks = ", ".join("?" * len(chunk))
        part = _select(table, f'"{column}" IN ({marks})', chunk)
        out.columns = part.columns
        out.rows.extend(part.rows)
    return out


def _insert(table: str, rows: _Rows) -> None:
    if not rows.rows:
        return
    cols = ", ".join(f'"{c}"' for c in rows.columns)
    marks = ", ".join("?" * len(rows.columns))
    _conn().executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows.rows)


def _typed(user_fields: str | None) -> set[str]:
    try:
        value = json.loads(user_fields or "[]")
    except ValueError:
        return set()
    return {str(v) for v in value} if isinstance(value, list) else set()


def _undone(batch_id: int) -> bool:
    row = _conn().execute("SELECT undone FROM import_batch WHERE id = ?", (batch_id,)).fetchone()
    if row is None:
        raise BatchError(f"There is no import number {batch_id}.")
    return bool(row[0])


def undo_batch(batch_id: int) -> BatchUndo:
    """Take an import back, in one transaction, except what the user changed since (see the module).

    Returns what ``redo_batch`` needs; ``done`` is False when the batch was already undone.

    Raises:
        BatchError: there is no such batch.
    """
    undo = BatchUndo(batch_id)
    ready()
    with db.atomic():
        if _undone(batch_id):
            return undo
        conn = _conn()
        created = conn.execute(
            'SELECT id, user_fields FROM "group" WHERE import_batch_id = ? ORDER BY id', (batch_id,)
        ).fetchall()
        keep = {gid for gid, typed in created if _typed(typed)}
        for table in CHILD_TABLES:
            keep.update(
                r[0]
                for r in conn.execute(
                    f'SELECT DISTINCT c.group_id FROM "{table}" c JOIN "group" g ON g.id = c.group_id '
                    "WHERE g.import_batch_id = ? AND c.import_batch_id IS NULL",
                    (batch_id,),
                )
            )
        undo.kept_groups = sorted(keep)
        doomed = [gid for gid, _ in created if gid not in keep]
        if doomed:
            undo.deleted["group"] = _select_ids("group", "id", doomed)
            for table in (*CHILD_TABLES, "import_change"):
                undo.deleted[table] = _select_ids(table, "group_id", doomed)
            for chunk in _chunks(doomed):
                conn.execute(f'DELETE FROM "group" WHERE id IN ({", ".join("?" * len(chunk))})', tuple(chunk))
        for table in CHILD_TABLES:
            rows = _select(table, "import_batch_id = ?", (batch_id,))
            if rows.rows:
                undo.removed[table] = rows
                conn.execute(f'DELETE FROM "{table}" WHERE import_batch_id = ?', (batch_id,))
        _restore_fields(batch_id, undo)
        conn.execute("UPDATE import_batch SET undone = 1 WHERE id = ?", (batch_id,))
        undo.done = True
    return undo


def _restore_fields(batch_id: int, undo: BatchUndo) -> None:
    conn = _conn()
    cur = conn.execute("SELECT DISTINCT field_name FROM import_change WHERE batch_id = ?", (batch_id,))
    names = [r[0] for r in cur.fetchall()]
    for name in names:
        if name not in GROUP_FIELDS:
            continue  # not a field this version knows: leave it alone
        updates = []
        for gid, current, old, new, typed in conn.execute(
            f'SELECT g.id, g."{name}", c.old_value, c.new_value, g.user_fields FROM import_change c '
            'JOIN "group" g ON g.id = c.group_id WHERE c.batch_id = ? AND c.field_name = ? ORDER BY c.id',
            (batch_id, name),
        ).fetchall():
            if current != new or name in _typed(typed):
                undo.kept_fields += 1
                continue
            updates.append((old, gid))
            undo.restored.append((gid, name, new, old))
        _set_field(name, updates)


def _set_field(name: str, updates: list[tuple[Any, int]]) -> None:
    """Set one Group field on several groups: ``updates`` holds (value, group id) pairs."""
    if not updates:
        return
    conn = _conn()
    conn.executemany(f'UPDATE "group" SET "{name}" = ? WHERE id = ?', updates)
    if name == "name":
        conn.executemany(
            'UPDATE "group" SET name_key = ? WHERE id = ?', [(name_key(v), gid) for v, gid in updates]
        )


def redo_batch(undo: BatchUndo) -> None:
    """Do an undone batch again exactly: the same rows with the same ids, the same field values.

    Fields the user typed (or that changed otherwise) since the undo are left as they are.

    Raises:
        BatchError: the batch is in effect already, or its rows cannot come back (a group with one
            of their ids was added meanwhile); nothing is written then.
    """
    if not undo.done:
        return
    ready()
    try:
        with db.atomic():
            if not _undone(undo.batch_id):
                raise BatchError("That import is in effect already.")
            conn = _conn()
            ids = undo.deleted_group_ids
            for chunk in _chunks(ids):
                marks = ", ".join("?" * len(chunk))
                taken = conn.execute(f'SELECT 1 FROM "group" WHERE id IN ({marks}) LIMIT 1', tuple(chunk))
                if taken.fetchone():
                    raise BatchError(
                        "The import cannot be brought back: groups added since took the place of its groups."
                    )
            for table in ("group", *CHILD_TABLES, "import_change"):
                if table in undo.deleted:
                    _insert(table, undo.deleted[table])
            for table, rows in undo.removed.items():
                _insert(table, rows)
            by_field: dict[str, list[tuple[Any, int]]] = {}
            for gid, name, written, restored in undo.restored:
                row = conn.execute(
                    f'SELECT "{name}", user_fields FROM "group" WHERE id = ?', (gid,)
                ).fetchone()
                if row is None or row[0] != restored or name in _typed(row[1]):
                    continue
                by_field.setdefault(name, []).append((written, gid))
            for name, updates in by_field.items():
                _set_field(name, updates)
            conn.execute("UPDATE import_batch SET undone = 0 WHERE id = ?", (undo.batch_id,))
    except sqlite3.IntegrityError as exc:
        raise BatchError(f"The import cannot be brought back: {exc}.") from None


def undo_batches(batch_ids: Iterable[int]) -> list[BatchUndo]:
    """Undo several batches (newest first) in one transaction."""
    ready()
    with db.atomic():
        return [undo_batch(b) for b in sorted(batch_ids, reverse=True)]


def redo_batches(undos: Sequence[BatchUndo]) -> None:
    """Redo what ``undo_batches`` undid (oldest first) in one transaction."""
    ready()
    with db.atomic():
        for undo in reversed(undos):
            redo_batch(undo)
