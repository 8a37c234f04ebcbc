"""Import history and batch undo/redo on a real store: only what the user has not changed since."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

import pytest

from groupdesk.domain.records import ContributionRecord, DecisionRecord, GroupRecord, InviteRecord
from groupdesk.store import batches, repository
from groupdesk.store.batches import BatchError, Source
from groupdesk.store.merge import NEW, UNCHANGED, UPDATED, apply_import, plan_import
from groupdesk.store.models import db

TABLES = ("import_batch", "group", "contribution", "decision", "invite", "import_change")


def dump() -> dict[str, list[tuple]]:
    """Every row of every table the imports touch, by id (the whole state an undo/redo must keep)."""
    return {t: db.execute_sql(f'SELECT * FROM "{t}" ORDER BY id').fetchall() for t in TABLES}


def ok_integrity() -> None:
    assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute_sql("PRAGMA foreign_key_check").fetchall() == []


def ids_by_name() -> dict[str, int]:
    return {r[1]: r[0] for r in db.execute_sql('SELECT id, name FROM "group"').fetchall()}


def value(gid: int, field: str):
    return repository.group_values(gid)[field]


def do_import(records: list[GroupRecord], file: str = "export.json") -> int:
    batch = apply_import(plan_import(records), file, "facebook", "abc")
    assert batch is not None
    return batch


def export_with_children() -> list[GroupRecord]:
    return [
        GroupRecord(
            name="Board Games Oost",
            network="facebook",
            external_id="bgo",
            status="member",
            joined_on=date(2021, 3, 1),
            contributions=[ContributionRecord(date(2024, 1, 2), "post", "posts on Facebook")],
            decisions=[DecisionRecord(datetime(2024, 2, 1, 10, 0), "keep", ["value_flows"], {}, "")],
            invites=[InviteRecord(datetime(2021, 2, 20, 9, 0), "Ann", "import", "<x@fb>", "", True)],
        ),
        GroupRecord(name="Kayak Club", network="facebook", status="member"),
    ]


# ------------------------------------------------------------------------------------------- undo


def test_undo_removes_new_groups_and_restores_changed_fields(store) -> None:
    typed = repository.create_group({"name": "Python NL", "network": "meetup", "notes": "mine"})
    db.execute_sql('UPDATE "group" SET user_fields = ? WHERE id = ?', ('["notes"]', typed))
    before = dump()
    batch = do_import(
        [
            *export_with_children(),
            GroupRecord(name="Python NL", network="meetup", status="left", left_on=date(2024, 6, 1)),
        ]
    )
    assert value(typed, "status") == "left"
    assert [i.id for i in batches.list_batches()] == [batch]

    undo = batches.undo_batch(batch)

    assert undo.done
    after = dump()
    assert after["group"] == before["group"]  # new groups gone, Python NL's fields back exactly
    for table in ("contribution", "decision", "invite"):
        assert after[table] == []
    assert value(typed, "status") == "member" and value(typed, "left_on") is None
    assert len(undo.deleted_group_ids) == 2 and undo.changed_group_ids == [typed]
    assert undo.summary() == "2 groups removed, 2 fields restored."
    info = batches.batch_info(batch)
    assert info.undone and info.groups_left == 0 and info.new_count == 2 and info.updated_count == 1
    ok_integrity()


def test_what_the_user_changed_since_is_kept(store) -> None:
    existing = repository.create_group({"name": "Chess Circle", "network": "facebook"}, typed_by_user=False)
    batch = do_import(
        [
            GroupRecord(name="Edited Later", network="facebook", status="member"),
            GroupRecord(name="Logged Later", network="facebook", status="member"),
            GroupRecord(name="Untouched", network="facebook", status="member"),
            GroupRecord(name="Chess Circle", network="facebook", status="left", joined_on=date(2020, 1, 1)),
        ]
    )
    ids = ids_by_name()
    repository.update_group(ids["Edited Later"], {"notes": "I typed this"})
    repository.add_contribution(ids["Logged Later"], date(2024, 5, 5), "post", "by hand")
    repository.update_group(existing, {"status": "muted"})  # typed since: the undo must leave it

    undo = batches.undo_batch(batch)

    left = ids_by_name()
    assert "Untouched" not in left
    assert {"Edited Later", "Logged Later", "Chess Circle"} <= set(left)
    assert sorted(undo.kept_groups) == sorted([ids["Edited Later"], ids["Logged Later"]])
    assert value(existing, "status") == "muted"  # typed since: kept
    assert value(existing, "joined_on") is None  # filled by the import, untouched since: restored
    assert undo.kept_fields == 1
    assert "kept 2 groups and 1 field changed since the import" in undo.summary()
    assert batches.batch_info(batch).groups_left == 2
    ok_integrity()


def test_a_field_a_later_import_changed_is_kept(store) -> None:
    gid = repository.create_group({"name": "Jazz Lovers", "network": "facebook"}, typed_by_user=False)
    first = do_import([GroupRecord(name="Jazz Lovers", network="facebook", status="left")])
    second = do_import([GroupRecord(name="Jazz Lovers", network="facebook", status="member")], "newer.json")
    assert value(gid, "status") == "member"

    undo = batches.undo_batch(first)

    assert value(gid, "status") == "member" and undo.kept_fields == 1 and not undo.restored
    batches.undo_batch(second)
    assert value(gid, "status") == "left"  # what the first import wrote (it stays in effect)


def test_redo_brings_the_batch_back_exactly(store) -> None:
    repository.create_group({"name": "Kayak Club", "network": "facebook"}, typed_by_user=False)
    batch = do_import(export_with_children())
    done = dump()

    undo = batches.undo_batch(batch)
    assert dump() != done
    batches.redo_batch(undo)

    assert dump() == done
    ok_integrity()
    with pytest.raises(BatchError, match="in effect already"):
        batches.redo_batch(undo)
    assert dump() == done


def test_undo_twice_is_harmless_and_unknown_batches_are_refused(store) -> None:
    batch = do_import(export_with_children())
    first = batches.undo_batch(batch)
    state = dump()
    second = batches.undo_batch(batch)
    assert first.done and not second.done
    assert second.summary() == "That import was already undone."
    batches.redo_batch(second)  # redoing a no-op undo does nothing
    assert dump() == state
    with pytest.raises(BatchError, match="no import number 99"):
        batches.undo_batch(99)


def test_redo_refuses_when_a_new_group_took_an_id_and_writes_nothing(store) -> None:
    batch = do_import(export_with_children())
    undo = batches.undo_batch(batch)
    # SQLite hands the highest free id to the next group: the one the import's last group had.
    repository.create_group({"name": "Typed meanwhile"})
    state = dump()
    with pytest.raises(BatchError, match="cannot be brought back"):
        batches.redo_batch(undo)
    assert dump() == state


def test_redo_leaves_a_field_typed_after_the_undo(store) -> None:
    gid = repository.create_group({"name": "Choir", "network": "offline"}, typed_by_user=False)
    batch = do_import([GroupRecord(name="Choir", network="offline", status="left")])
    undo = batches.undo_batch(batch)
    repository.update_group(gid, {"status": "trial"})
    batches.redo_batch(undo)
    assert value(gid, "status") == "trial"
    assert not batches.batch_info(batch).undone


def test_reimport_after_undo_creates_the_groups_again(store) -> None:
    records = export_with_children()
    batch = do_import(records)
    batches.undo_batch(batch)
    plan = plan_import(export_with_children())
    assert [i.action for i in plan.items] == [NEW, NEW]
    apply_import(plan, "again.json", "facebook")
    again = plan_import(export_with_children())
    assert [i.action for i in again.items] == [UNCHANGED, UNCHANGED]


def test_history_lists_newest_first_with_counts(store) -> None:
    first = do_import([GroupRecord(name="A", network="reddit")], "a.csv")
    second = do_import([GroupRecord(name="B", network="reddit"), GroupRecord(name="C")], "b.csv")
    history = batches.list_batches()
    assert [(b.id, b.file, b.new_count, b.groups_left, b.undone) for b in history] == [
        (second, "b.csv", 2, 2, False),
        (first, "a.csv", 1, 1, False),
    ]
    assert history[0].kind == "facebook" and isinstance(history[0].at, datetime)


def test_big_batch_undo_and_redo(store) -> None:
    records = [GroupRecord(name=f"Group {i}", network="discord", external_id=str(i)) for i in range(25_000)]
    batch = do_import(records)
    done = dump()
    undo = batches.undo_batch(batch)
    assert len(undo.deleted_group_ids) == 25_000
    assert db.execute_sql('SELECT COUNT(*) FROM "group"').fetchone() == (0,)
    batches.redo_batch(undo)
    assert dump() == done
    ok_integrity()


# ------------------------------------------------------------------------------------------- sources


def test_plan_sources_counts_earlier_sources_and_writes_nothing(store) -> None:
    one = [GroupRecord(name="Shared", network="reddit", status="member")]
    two = [
        GroupRecord(name="Shared", network="reddit", status="member"),
        GroupRecord(name="Only Two", network="reddit"),
    ]
    state = dump()
    plans = batches.plan_sources([one, two])
    assert dump() == state
    assert [i.action for i in plans[0].items] == [NEW]
    assert [i.action for i in plans[1].items] == [UNCHANGED, NEW]
    assert all(i.group_id is None for p in plans for i in p.items if i.action == NEW)

    ids = batches.apply_sources([Source(one, "one.csv", "reddit"), Source(two, "two.csv", "reddit")], plans)
    assert len(ids) == 2
    assert sorted(ids_by_name()) == ["Only Two", "Shared"]
    assert [b.new_count for b in batches.list_batches()] == [1, 1]


def test_apply_sources_is_one_transaction(store, monkeypatch: pytest.MonkeyPatch) -> None:
    repository.create_group({"name": "Holder"})
    state = dump()
    original = batches.apply_import
    calls: list[str] = []

    def second_fails(plan, file, kind, sha256=None, *, skipped=0):
        calls.append(file)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk full")
        return original(plan, file, kind, sha256, skipped=skipped)

    monkeypatch.setattr(batches, "apply_import", second_fails)
    with pytest.raises(sqlite3.OperationalError, match="disk full"):
        batches.apply_sources(
            [
                Source([GroupRecord(name="Good")], "good.csv", "csv"),
                Source([GroupRecord(name="Second")], "second.csv", "csv"),
            ]
        )
    assert calls == ["good.csv", "second.csv"]
    assert dump() == state


def test_updated_plan_through_apply_sources_is_undoable(store) -> None:
    gid = repository.create_group({"name": "Quiz Night", "network": "offline"}, typed_by_user=False)
    source = Source([GroupRecord(name="Quiz Night", network="offline", hours_per_month=4.0)], "q.csv", "csv")
    plans = batches.plan_sources([source.records])
    assert [i.action for i in plans[0].items] == [UPDATED]
    (batch,) = batches.apply_sources([source], plans)
    assert value(gid, "hours_per_month") == 4.0
    batches.undo_batches([batch])
    assert value(gid, "hours_per_month") is None
