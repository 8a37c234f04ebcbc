"""Merging imports into a real store by identity: new, updated, unchanged, skipped; what is protected."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime

import pytest

from groupdesk.demo import demo_records, load_demo
from groupdesk.domain.records import ContributionRecord, DecisionRecord, GroupRecord, InviteRecord
from groupdesk.domain.vocab import NETWORKS, STATUSES
from groupdesk.importers import native
from groupdesk.store import merge, repository
from groupdesk.store.merge import NEW, SKIPPED, UNCHANGED, UPDATED, apply_import, export_records, plan_import
from groupdesk.store.models import Contribution, Decision, Group, ImportBatch, Invite


def _import(records: list[GroupRecord], file: str = "groups.json") -> tuple[merge.ImportPlan, int | None]:
    plan = plan_import(records)
    return plan, apply_import(plan, file, native.KIND_JSON)


def _group(name: str, network: str = "other") -> Group:
    return Group.get(Group.name == name, Group.network == network)


def _row_counts() -> tuple[int, ...]:
    return tuple(m.select().count() for m in (Group, Contribution, Decision, Invite, ImportBatch))


def sample() -> list[GroupRecord]:
    return [
        GroupRecord(
            name="PyData Amsterdam",
            network="meetup",
            external_id="PyData-Amsterdam",
            status="member",
            last_group_activity=date(2024, 5, 1),
            posts_per_week=2.0,
            value_to_me=5,
            value_from_me=4,
            tags="python, data",
            contributions=[
                ContributionRecord(date(2024, 4, 2), "event", "Monthly meetup"),
                ContributionRecord(date(2024, 4, 2), "event", "Monthly meetup"),  # same row twice
            ],
            decisions=[DecisionRecord(datetime(2024, 1, 5, 20, 0), "keep", ["value_flows"], {"give": 4}, "")],
            invites=[
                InviteRecord(datetime(2023, 1, 1, 9, 0), "Lotte", "email", "<a@meetup.example>", "Join", True)
            ],
        ),
        GroupRecord(name="Local Board Game Club", network="offline", hours_per_month=12.0),
        GroupRecord(name="r/selfhosted", network="reddit", external_id="selfhosted", status="member"),
    ]


def test_first_import_creates_everything_in_one_batch(store) -> None:
    plan, batch_id = _import(sample())
    assert plan.counts() == {NEW: 3, UPDATED: 0, UNCHANGED: 0, SKIPPED: 0}
    batch = ImportBatch.get_by_id(batch_id)
    assert (batch.file, batch.kind, batch.new_count, batch.updated_count) == (
        "groups.json",
        "groupdesk-json",
        3,
        0,
    )
    py = _group("PyData Amsterdam", "meetup")
    assert py.import_batch_id == batch_id and py.name_key == "pydata amsterdam"
    assert py.value_to_me == 5 and py.last_group_activity == date(2024, 5, 1)
    assert json.loads(py.user_fields) == []
    board = _group("Local Board Game Club", "offline")
    assert (board.status, board.how_joined, board.cost_period) == ("member", "unknown", "none")
    assert Contribution.select().count() == 1  # de-duplicated inside the record
    assert Contribution.get().import_batch_id == batch_id
    assert repository.decisions(py.id)[0]["answers"] == {"give": 4}
    assert Invite.get().message_id == "<a@meetup.example>"
    assert [i.group_id for i in plan.items] == [py.id, board.id, _group("r/selfhosted", "reddit").id]


def test_reimport_changes_nothing_and_writes_no_batch(store) -> None:
    _import(sample())
    before = _row_counts()
    plan, batch_id = _import(sample())
    assert plan.counts() == {NEW: 0, UPDATED: 0, UNCHANGED: 3, SKIPPED: 0}
    assert not plan.changes_anything and batch_id is None
    assert _row_counts() == before


def test_user_typed_fields_are_never_overwritten_but_blanks_are_filled(store) -> None:
    gid = repository.create_group(
        {"name": "pydata  AMSTERDAM", "network": "meetup", "status": "considering", "tags": "mine"}
    )
    plan, _ = _import(sample()[:1])
    (item,) = plan.items
    assert (item.action, item.group_id) == (UPDATED, gid)  # matched by network + normalised name
    g = Group.get_by_id(gid)
    assert g.name == "pydata  AMSTERDAM"  # the user's spelling stays
    assert g.status == "considering"  # user typed it, though status is import-owned
    assert g.tags == "mine"
    assert g.external_id == "PyData-Amsterdam"  # blank → filled
    assert g.value_to_me == 5 and g.last_group_activity == date(2024, 5, 1)
    filled = {"external_id", "last_group_activity", "posts_per_week", "value_to_me", "value_from_me"}
    assert set(item.changes) == filled
    assert item.changes["value_to_me"] == (None, 5)


def test_import_owned_facts_are_refreshed_other_facts_kept(store) -> None:
    _import(sample())
    changed = sample()[0]
    changed.name = "PyData Amsterdam (renamed)"  # identity is the external id
    changed.last_group_activity = date(2024, 6, 30)
    changed.status = "muted"
    changed.value_to_me = 1  # already set, not import-owned: kept
    changed.tags = "other"
    changed.contributions.append(ContributionRecord(date(2024, 6, 1), "answer", "Helped"))
    plan, batch_id = _import([changed])
    (item,) = plan.items
    assert item.action == UPDATED
    assert item.changes == {
        "last_group_activity": (date(2024, 5, 1), date(2024, 6, 30)),
        "status": ("member", "muted"),
    }
    assert [c.note for c in item.contributions] == ["Helped"]
    g = Group.get_by_id(item.group_id)
    assert (g.name, g.status, g.value_to_me, g.tags) == ("PyData Amsterdam", "muted", 5, "python, data")
    assert g.last_group_activity == date(2024, 6, 30)
    assert Contribution.select().where(Contribution.group == g.id).count() == 2
    assert ImportBatch.get_by_id(batch_id).updated_count == 1
    # A field the user then edits is theirs from now on.
    repository.update_group(g.id, {"status": "member"})
    changed.status = "left"
    plan, _ = _import([changed])
    assert plan.items[0].action == UNCHANGED
    assert Group.get_by_id(g.id).status == "member"


def test_unknown_values_never_blank_existing_ones(store) -> None:
    _import(sample())
    plan, _ = _import([GroupRecord(name="r/selfhosted", network="reddit", external_id="selfhosted")])
    assert plan.items[0].action == UNCHANGED
    assert _group("r/selfhosted", "reddit").status == "member"


def test_same_identity_twice_in_a_file_round_trips(store) -> None:
    twins = [
        GroupRecord(name="Book club", notes="Tuesday one"),
        GroupRecord(name="book CLUB", notes="Friday one"),
    ]
    plan, _ = _import(twins)
    assert plan.counts()[NEW] == 2
    assert plan_import(twins).counts()[UNCHANGED] == 2
    assert plan_import(twins[:1]).counts()[UNCHANGED] == 1


def test_external_id_match_prefers_id_then_hand_typed_twin(store) -> None:
    typed = repository.create_group({"name": "Homelab Heroes", "network": "discord"})
    other = repository.create_group({"name": "Homelab Heroes", "network": "discord", "external_id": "999"})
    plan = plan_import([GroupRecord(name="Homelab Heroes", network="discord", external_id="123")])
    assert (plan.items[0].action, plan.items[0].group_id) == (UPDATED, typed)
    plan = plan_import([GroupRecord(name="Renamed server", network="discord", external_id="999")])
    assert (plan.items[0].action, plan.items[0].group_id) == (UNCHANGED, other)
    plan = plan_import([GroupRecord(name="Homelab Heroes", network="slack")])
    assert plan.items[0].action == NEW  # another network is another group


def test_child_rows_deduplicated_by_their_keys(store) -> None:
    _import(sample())
    again = sample()[0]
    again.contributions = [ContributionRecord(date(2024, 4, 2), "event", "Monthly meetup (2)")]  # new note
    again.decisions = [
        DecisionRecord(datetime(2024, 1, 5, 20, 0), "keep", [], {}, "other note"),  # same (at, action)
        DecisionRecord(datetime(2024, 1, 5, 20, 0), "mute", [], {}, ""),
    ]
    again.invites = [
        InviteRecord(
            datetime(2025, 1, 1), "Someone else", "email", "<a@meetup.example>", "", None
        ),  # same id
        InviteRecord(
            datetime(2023, 1, 1, 9, 0), "Lotte", "manual", None, "", None
        ),  # same (received, inviter)
        InviteRecord(datetime(2023, 2, 1), "Lotte", "manual", None, "", None),
    ]
    (item,) = plan_import([again]).items
    assert [c.note for c in item.contributions] == ["Monthly meetup (2)"]
    assert [d.action for d in item.decisions] == ["mute"]
    assert [i.received_at for i in item.invites] == [datetime(2023, 2, 1)]
    # A message id already used by another group is not added twice (it is unique in the store).
    stray = GroupRecord(
        name="Elsewhere", invites=[InviteRecord(datetime(2024, 1, 1), "", "email", "<a@meetup.example>")]
    )
    (item,) = plan_import([stray]).items
    assert item.action == NEW and item.invites == []


def test_invalid_records_are_skipped_with_a_reason(store) -> None:
    plan, _ = _import(
        [
            GroupRecord(name="  "),
            GroupRecord(name="Moon group", network="moon"),
            GroupRecord(name="Fine", value_to_me=9),
            GroupRecord(name="Bad kind", contributions=[ContributionRecord(date(2024, 1, 1), "lurk")]),
            GroupRecord(name="Good", network="forum", last_group_activity="2024-01-02"),  # type: ignore[arg-type]
        ]
    )
    assert [i.action for i in plan.items] == [SKIPPED, SKIPPED, SKIPPED, SKIPPED, NEW]
    assert plan.items[0].reason == "no name"
    assert plan.items[1].reason.startswith("network: 'moon' is not one of")
    assert plan.items[2].reason.startswith("value_to_me:")
    assert "lurk" in plan.items[3].reason
    assert _group("Good", "forum").last_group_activity == date(2024, 1, 2)
    assert ImportBatch.get().skipped_count == 4


def test_apply_is_one_transaction(store) -> None:
    plan = plan_import(sample())
    # Corrupt the plan so the last insert breaks the unique message id: nothing at all may remain.
    plan.items[2].invites = list(plan.items[0].invites)
    with pytest.raises(sqlite3.IntegrityError):
        apply_import(plan, "broken.json", native.KIND_JSON)
    assert (Group.select().count(), Contribution.select().count(), ImportBatch.select().count()) == (0, 0, 0)


def test_export_records_reads_back_what_was_imported(store) -> None:
    _import(sample())
    exported = {r.name: r for r in export_records()}
    original = sample()[0]
    back = exported["PyData Amsterdam"]
    assert back.value_to_me == 5 and back.external_id == "PyData-Amsterdam"
    assert back.contributions == original.contributions[:1]
    assert back.decisions == original.decisions
    assert back.invites == original.invites
    assert exported["Local Board Game Club"].cost_period == "none"


def test_native_export_import_export_is_byte_identical(store, tmp_path) -> None:
    load_demo(date(2025, 3, 1))
    first = native.write_json(export_records()), native.write_csv(export_records())
    from groupdesk.app import open_store

    open_store(tmp_path / "other")
    assert plan_import(native.read(first[0], "a.json").records).counts()[NEW] == len(demo_records())
    _import(native.read(first[0], "a.json").records)
    assert (native.write_json(export_records()), native.write_csv(export_records())) == first
    assert not plan_import(native.read(first[1], "a.csv").records).changes_anything


# ---------------------------------------------------------------- the demo inventory


def test_demo_covers_the_product(store) -> None:
    today = date(2025, 3, 1)
    recs = demo_records(today)
    assert 35 <= len(recs) <= 45
    assert {r.network for r in recs} == set(NETWORKS)
    assert {r.status for r in recs} == set(STATUSES)
    assert {r.cost_period for r in recs} >= {"month", "year", "once"}
    assert {r.currency for r in recs} >= {"EUR", "USD"}
    assert any(r.value_to_me is None for r in recs)
    assert any(r.value_from_me == 0 and r.value_to_me for r in recs)
    assert any(r.last_group_activity and (today - r.last_group_activity).days > 90 for r in recs)
    assert any(r.spam_level and r.spam_level >= 2 for r in recs)
    assert any(r.how_joined == "added_by_someone" for r in recs)
    assert any(r.review_on and r.review_on < today for r in recs)
    invites = [i for r in recs for i in r.invites]
    assert {i.personal for i in invites} == {True, False}
    assert sum(len(r.decisions) for r in recs) >= 3
    months = {(today - c.date).days // 30 for r in recs for c in r.contributions}
    assert len(months) >= 4
    assert '<b>Growth</b> & "Hackers"' in {r.name for r in recs}
    assert not plan_import(recs).counts()[SKIPPED]  # every demo record is valid


def test_load_demo_twice_adds_nothing_even_on_another_day(store) -> None:
    assert load_demo(date(2025, 3, 1)) == len(demo_records())
    counts = (Group.select().count(), Contribution.select().count(), Invite.select().count())
    repository.update_group(_group("PyData Amsterdam", "meetup").id, {"notes": "my own words"})
    assert load_demo(date(2025, 3, 1)) == 0
    assert load_demo(date(2025, 4, 15)) == 0
    assert (Group.select().count(), Contribution.select().count(), Invite.select().count()) == counts
    assert _group("PyData Amsterdam", "meetup").notes == "my own words"
    assert ImportBatch.select().count() == 1
