"""The store on a real SQLite file: pragmas, version stamp, foreign keys and the repository's writes."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
from peewee import IntegrityError

from groupdesk.domain.records import GROUP_FIELDS
from groupdesk.store import repository as repo
from groupdesk.store.db import DB_FILENAME, PRAGMAS
from groupdesk.store.migrations import SCHEMA_VERSION
from groupdesk.store.models import Contribution, Decision, Group, Invite

# ------------------------------------------------------------------------------------------- the file


def pragma(database, name: str):
    return database.execute_sql(f"PRAGMA {name}").fetchone()[0]


def test_pragmas_are_set(store) -> None:
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "busy_timeout") == PRAGMAS["busy_timeout"] >= 1000


def test_file_is_wal_and_stamped_for_other_connections(store, data_dir: Path) -> None:
    path = data_dir / DB_FILENAME
    assert Path(store.database) == path
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # WAL persists in the file
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_foreign_keys_are_enforced_and_cascade(store) -> None:
    gid = repo.create_group({"name": "A"})
    repo.add_contribution(gid, date(2024, 1, 1))
    Decision.create(group=gid, action="keep")
    Invite.create(group=gid, inviter="x")
    with pytest.raises(IntegrityError):
        Contribution.create(group=gid + 1000, date=date(2024, 1, 1))
    store.execute_sql('DELETE FROM "group" WHERE id = ?', (gid,))
    for model in (Contribution, Decision, Invite):
        assert model.select().count() == 0, model


def test_a_reader_is_not_blocked_by_an_open_write(store, data_dir: Path) -> None:
    """WAL: another connection reads the last committed row while the app's write is still open."""
    gid = repo.create_group({"name": "Shared"})
    other = sqlite3.connect(data_dir / DB_FILENAME, timeout=5)
    try:
        with store.atomic():
            repo.update_group(gid, {"notes": "being written"})
            # A reader is not blocked by the open write transaction (WAL) and sees the old row.
            assert other.execute('SELECT notes FROM "group" WHERE id = ?', (gid,)).fetchone() == (None,)
        assert other.execute('SELECT notes FROM "group" WHERE id = ?', (gid,)).fetchone() == (
            "being written",
        )
    finally:
        other.close()


# ------------------------------------------------------------------------------------------- create


def test_create_group_stores_clean_values_and_tracks_typed_fields(store) -> None:
    gid = repo.create_group(
        {
            "name": "  Python  Users   Berlin ",
            "network": "meetup",
            "joined_on": "2021-05-04",
            "cost_amount": "12.5",
            "cost_period": "month",
            "value_to_me": "4",
            "invite_personal": "yes",
            "url": "",
        }
    )
    values = repo.group_values(gid)
    assert set(values) == set(GROUP_FIELDS)
    assert values["name"] == "Python  Users   Berlin"
    assert values["network"] == "meetup"
    assert values["joined_on"] == date(2021, 5, 4)
    assert values["cost_amount"] == 12.5
    assert values["value_to_me"] == 4
    assert values["invite_personal"] is True
    assert values["url"] is None
    # Defaults for what was not given.
    assert values["status"] == "member"
    assert values["how_joined"] == "unknown"
    g = Group.get_by_id(gid)
    assert g.name_key == "python users berlin"
    assert g.source == "manual"
    assert json.loads(g.user_fields) == sorted(
        ["name", "network", "joined_on", "cost_amount", "cost_period", "value_to_me", "invite_personal"]
    )
    assert isinstance(g.created_at, datetime)
    assert repo.group_count() == 1


def test_create_group_from_an_import_marks_nothing_as_typed(store) -> None:
    gid = repo.create_group({"name": "Imported", "status": "invited"}, typed_by_user=False, source="csv")
    g = Group.get_by_id(gid)
    assert json.loads(g.user_fields) == []
    assert g.source == "csv"
    assert g.status == "invited"


@pytest.mark.parametrize("values", [{}, {"name": ""}, {"name": "   "}, {"network": "reddit"}])
def test_create_group_needs_a_name(store, values) -> None:
    with pytest.raises(ValueError, match="name"):
        repo.create_group(values)
    assert repo.group_count() == 0


# ------------------------------------------------------------------------------------------- update


def test_update_returns_previous_values_and_undo_restores_them(store) -> None:
    gid = repo.create_group({"name": "G", "notes": "first", "spam_level": 1}, typed_by_user=False)
    before = repo.group_values(gid)
    old = repo.update_group(gid, {"notes": "second", "spam_level": "1", "emails_per_week": "3"})
    assert old == {"notes": "first", "emails_per_week": None}  # spam_level did not change
    assert repo.group_values(gid)["notes"] == "second"
    assert json.loads(Group.get_by_id(gid).user_fields) == ["emails_per_week", "notes"]

    assert repo.update_group(gid, old) == {"notes": "second", "emails_per_week": 3.0}
    assert repo.group_values(gid) == before


def test_update_without_changes_writes_nothing(store) -> None:
    gid = repo.create_group({"name": "G", "notes": "n"})
    stamp = datetime(2000, 1, 1)
    Group.update(updated_at=stamp).where(Group.id == gid).execute()
    assert repo.update_group(gid, {"notes": "n", "name": "G"}) == {}
    assert Group.get_by_id(gid).updated_at == stamp
    repo.update_group(gid, {"notes": "m"})
    assert Group.get_by_id(gid).updated_at > stamp


def test_update_by_an_import_does_not_mark_fields_as_typed(store) -> None:
    gid = repo.create_group({"name": "G"})
    repo.update_group(gid, {"posts_per_week": 2}, typed_by_user=False)
    assert json.loads(Group.get_by_id(gid).user_fields) == ["name"]
    assert repo.group_values(gid)["posts_per_week"] == 2.0


def test_update_renames_and_refreshes_the_name_key(store) -> None:
    gid = repo.create_group({"name": "Old Name"})
    assert repo.update_group(gid, {"name": "NEW   name"}) == {"name": "Old Name"}
    assert Group.get_by_id(gid).name_key == "new name"


def test_clearing_a_field_with_a_default_restores_the_default(store) -> None:
    gid = repo.create_group({"name": "G", "network": "slack", "cost_period": "year"})
    old = repo.update_group(gid, {"network": "", "cost_period": None, "notes": ""})
    assert old == {"network": "slack", "cost_period": "year"}
    values = repo.group_values(gid)
    assert values["network"] == "other"
    assert values["cost_period"] == "none"


def test_update_with_a_bad_value_changes_nothing(store) -> None:
    gid = repo.create_group({"name": "G", "notes": "keep"})
    before = repo.group_values(gid)
    with pytest.raises(ValueError, match="value_from_me"):
        repo.update_group(gid, {"notes": "lost", "value_from_me": 9})
    with pytest.raises(ValueError, match="name"):
        repo.update_group(gid, {"name": " "})
    assert repo.group_values(gid) == before


# ------------------------------------------------------------------------------------------- clean_values


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"colour": "red"}, "Unknown field: colour"),
        ({"joined_on": "04/05/2021"}, "joined_on: '04/05/2021' is not a date"),
        ({"review_on": "2024-13-01"}, "review_on: .* is not a date"),
        ({"cost_amount": "ten"}, "cost_amount: 'ten' is not a number"),
        ({"cost_amount": -1}, "cost_amount: must be zero or more"),
        ({"hours_per_month": "nan"}, "hours_per_month: must be zero or more"),
        ({"emails_per_week": "inf"}, "emails_per_week: must be zero or more"),
        ({"posts_per_week": "-inf"}, "posts_per_week: must be zero or more"),
        ({"value_to_me": "2.5"}, "value_to_me: '2.5' is not a whole number"),
        ({"value_to_me": 6}, "value_to_me: must be between 0 and 5"),
        ({"value_from_me": -1}, "value_from_me: must be between 0 and 5"),
        ({"spam_level": 4}, "spam_level: must be between 0 and 3"),
        ({"commitment_per_month": 10_001}, "commitment_per_month: must be between 0 and 10000"),
        ({"invite_personal": "maybe"}, "invite_personal: 'maybe' is not yes or no"),
        ({"network": "myspace"}, "network: 'myspace' is not one of linkedin"),
        ({"status": "lurker"}, "status: 'lurker' is not one of"),
        ({"how_joined": "magic"}, "how_joined: 'magic' is not one of"),
        ({"cost_period": "week"}, "cost_period: 'week' is not one of"),
        ({"name": ""}, "name: a group needs a name"),
    ],
)
def test_clean_values_rejects_with_a_clear_message(values, message) -> None:
    with pytest.raises(ValueError, match=message):
        repo.clean_values(values)


def test_clean_values_converts_and_trims() -> None:
    out = repo.clean_values(
        {
            "name": " A ",
            "tags": "  ",
            "invited_on": date(2024, 1, 2),
            "left_on": "2024-02-03",
            "cost_amount": 0,
            "spam_level": " 3 ",
            "value_from_me": 0,
            "invite_personal": "No",
            "status": "trial",
            "url": None,
        }
    )
    assert out == {
        "name": "A",
        "tags": None,
        "invited_on": date(2024, 1, 2),
        "left_on": date(2024, 2, 3),
        "cost_amount": 0.0,
        "spam_level": 3,
        "value_from_me": 0,
        "invite_personal": False,
        "status": "trial",
        "url": None,
    }


# ------------------------------------------------------------------------------------------- delete/restore


def _child_rows(gid: int) -> dict[str, list[dict]]:
    return {
        m._meta.table_name: list(m.select().where(m.group == gid).order_by(m.id).dicts())
        for m in (Contribution, Decision, Invite)
    }


def test_delete_and_restore_bring_back_the_group_and_its_rows(store) -> None:
    keep = repo.create_group({"name": "Unrelated"})
    repo.add_contribution(keep, date(2024, 1, 1))
    gids = [
        repo.create_group({"name": f"G{i}", "notes": "<b>x</b>", "joined_on": "2020-01-01"}) for i in range(2)
    ]
    for gid in gids:
        repo.add_contribution(gid, date(2024, 2, 1), "comment", "hello")
        repo.add_contribution(gid, date(2024, 3, 1), "event")
        Decision.create(group=gid, action="keep", reasons=json.dumps(["two_way_value"]), answers='{"a": 1}')
        Invite.create(group=gid, inviter="Ann", channel="email", message_id=f"<m{gid}@x>", personal=True)
    before = {gid: (Group.select().where(Group.id == gid).dicts().get(), _child_rows(gid)) for gid in gids}

    snaps = repo.delete_groups(gids)

    assert len(snaps) == 2
    assert repo.group_count() == 1
    assert [r.id for r in repo.load_rows()] == [keep]
    for gid in gids:
        assert _child_rows(gid) == {"contribution": [], "decision": [], "invite": []}
    assert len(repo.contributions(keep)) == 1

    repo.restore_groups(snaps)

    assert repo.group_count() == 3
    for gid in gids:
        assert (Group.select().where(Group.id == gid).dicts().get(), _child_rows(gid)) == before[gid]
    assert repo.decisions(gids[0])[0]["reasons"] == ["two_way_value"]
    # The restored invite keeps its unique message id: deleting again and restoring again still works.
    repo.restore_groups(repo.delete_groups(gids[:1]))
    assert repo.invites(gids[0])[0]["message_id"] == f"<m{gids[0]}@x>"


def test_delete_of_a_missing_group_deletes_nothing(store) -> None:
    gid = repo.create_group({"name": "A"})
    with pytest.raises(Group.DoesNotExist):
        repo.delete_groups([gid, gid + 1])
    assert repo.group_count() == 1  # one transaction: the first delete was rolled back


# ------------------------------------------------------------------------------------------- status


def test_set_status_and_restore(store) -> None:
    a = repo.create_group({"name": "A", "status": "member"}, typed_by_user=False)
    b = repo.create_group({"name": "B", "status": "invited"}, typed_by_user=False)
    c = repo.create_group({"name": "C", "status": "muted"}, typed_by_user=False)

    previous = repo.set_status([a, b, c], "muted")

    assert previous == {a: "member", b: "invited"}  # c already muted: nothing to undo
    assert {r.id: r.status for r in repo.load_rows()} == {a: "muted", b: "muted", c: "muted"}
    assert json.loads(Group.get_by_id(a).user_fields) == ["status"]

    repo.restore_statuses(previous)
    assert {r.id: r.status for r in repo.load_rows()} == {a: "member", b: "invited", c: "muted"}


def test_set_status_rejects_an_unknown_status(store) -> None:
    a = repo.create_group({"name": "A"})
    with pytest.raises(ValueError, match="status"):
        repo.set_status([a], "gone")
    assert repo.group_values(a)["status"] == "member"


# ------------------------------------------------------------------------------------------- contributions


def test_contributions_newest_first_delete_and_restore(store) -> None:
    gid = repo.create_group({"name": "A"})
    first = repo.add_contribution(gid, date(2024, 1, 1), "post", "one")
    second = repo.add_contribution(gid, date(2024, 3, 1), "answer")
    assert [c["id"] for c in repo.contributions(gid)] == [second, first]
    with pytest.raises(ValueError, match="kind"):
        repo.add_contribution(gid, date(2024, 1, 1), "lurk")

    row = repo.delete_contribution(first)
    assert [c["id"] for c in repo.contributions(gid)] == [second]
    repo.restore_contribution(row)
    assert repo.contributions(gid)[1] == row


# ------------------------------------------------------------------------------------------- table rows


def test_load_rows_computes_scores_and_participation(store) -> None:
    today = date(2024, 6, 1)
    good = repo.create_group(
        {
            "name": "Good",
            "tags": "Python",
            "value_to_me": 4,
            "value_from_me": 4,
            "last_group_activity": "2024-05-30",
            "joined_on": "2020-01-01",
        }
    )
    repo.add_contribution(good, date(2024, 5, 1))
    repo.add_contribution(good, date(2023, 1, 1))
    unrated = repo.create_group({"name": "Unrated", "cost_amount": 10, "cost_period": "month"})

    rows = {r.id: r for r in repo.load_rows(today)}

    assert rows[good].value is not None and rows[good].value > 0
    assert rows[good].last_contribution == date(2024, 5, 1)
    assert rows[good].last_activity == date(2024, 5, 30)
    assert rows[good].search_text == "good\npython"
    assert rows[unrated].value is None
    assert rows[unrated].cost_per_year == 120.0
    assert rows[unrated].last_contribution is None

    assert [r.id for r in repo.load_rows(today, ids=[unrated])] == [unrated]
    assert repo.load_rows(today, ids=[]) == []
