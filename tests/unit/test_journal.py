"""The decision journal on a real SQLite file: facts, decisions with exact undo/redo, the review queue."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from groupdesk.domain.rules import JoinAnswers
from groupdesk.store import journal
from groupdesk.store import repository as repo
from groupdesk.store.models import Decision, Group

TODAY = date(2025, 3, 14)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def group_row(gid: int) -> dict:
    return Group.select().where(Group.id == gid).dicts().get()


def decision_rows(gid: int | None = None) -> list[dict]:
    q = Decision.select()
    if gid is not None:
        q = q.where(Decision.group == gid)
    return list(q.order_by(Decision.id).dicts())


# ------------------------------------------------------------------------------------------- facts


def test_facts_for_reads_every_field_and_counts_contributions_in_the_window(store) -> None:
    gid = repo.create_group(
        {
            "name": "Packaging",
            "status": "member",
            "how_joined": "invited",
            "invite_personal": True,
            "joined_on": ago(400),
            "cost_amount": 10,
            "cost_period": "month",
            "emails_per_week": 3,
            "last_group_activity": ago(2),
            "posts_per_week": 12,
            "value_to_me": 4,
            "value_from_me": 3,
            "spam_level": 1,
            "review_on": ago(-30),
            "hours_per_month": 5,
            "commitment_per_month": 2,
            "tags": "python, packaging",
        }
    )
    repo.add_contribution(gid, ago(200))  # outside the 90-day window
    repo.add_contribution(gid, ago(80))
    repo.add_contribution(gid, ago(5))
    f = journal.facts_for(gid, TODAY)
    assert (f.status, f.how_joined, f.invite_personal, f.joined_on) == ("member", "invited", True, ago(400))
    assert (f.cost_amount, f.cost_period, f.emails_per_week) == (10.0, "month", 3.0)
    assert (f.last_group_activity, f.posts_per_week, f.spam_level, f.review_on) == (ago(2), 12.0, 1, ago(-30))
    assert (f.value_to_me, f.value_from_me) == (4, 3)
    assert f.recent_contributions == 2
    assert f.last_contribution == ago(5)
    assert (f.hours_per_month, f.commitment_per_month, f.tags) == (5.0, 2, "python, packaging")
    assert f.unserved_topics == frozenset()


def test_facts_for_a_group_without_contributions(store) -> None:
    gid = repo.create_group({"name": "Quiet"})
    f = journal.facts_for(gid, TODAY)
    assert f.recent_contributions == 0
    assert f.last_contribution is None


def test_facts_for_fills_unserved_topics_from_declined_left_and_leaving_groups(store) -> None:
    repo.create_group({"name": "A", "status": "declined", "tags": "Rust; embedded"})
    repo.create_group({"name": "B", "status": "left", "tags": "rust"})
    repo.create_group({"name": "C", "status": "leaving", "tags": "embedded"})
    repo.create_group({"name": "D", "status": "member", "tags": "rust, embedded, go"})
    repo.create_group({"name": "E", "status": "member", "tags": "go"})
    gid = repo.create_group({"name": "F", "status": "invited", "tags": "go"})
    assert journal.facts_for(gid, TODAY).unserved_topics == frozenset({"rust", "embedded"})


# ------------------------------------------------------------------------------------------- decisions


def test_record_decision_writes_the_decision_and_the_group_in_one_go(store) -> None:
    gid = repo.create_group({"name": "G", "status": "member", "review_on": ago(3)})
    undo = journal.record_decision(
        gid,
        "engage",
        ["empty_belonging", "value_flows"],
        {"source": "test", "n": 1},
        "  will answer questions  ",
        status=None,
        review_on=ago(-60),
        commitment_per_month=3,
    )
    rows = decision_rows(gid)
    assert len(rows) == 1
    d = rows[0]
    assert d["id"] == undo.decision_id
    assert d["action"] == "engage"
    assert json.loads(d["reasons"]) == ["empty_belonging", "value_flows"]
    assert json.loads(d["answers"]) == {"source": "test", "n": 1}
    assert d["note"] == "will answer questions"
    g = group_row(gid)
    assert (g["status"], g["review_on"], g["commitment_per_month"]) == ("member", ago(-60), 3)
    # The decision is the user's: an import must not overwrite it.
    assert {"review_on", "commitment_per_month"} <= set(json.loads(g["user_fields"]))


def test_undo_and_redo_are_exact(store) -> None:
    gid = repo.create_group({"name": "G", "status": "invited", "review_on": ago(1), "spam_level": 2})
    before = group_row(gid)
    answers = JoinAnswers(give=4, get=4, has_time=True, interested=True).to_dict()
    undo = journal.record_decision(
        gid,
        "join",
        ["value_flows", "takes_part"],
        answers,
        "",
        status="member",
        review_on=ago(-90),
        commitment_per_month=4,
        values={"value_from_me": 4, "value_to_me": 4, "spam_level": 0, "joined_on": TODAY},
    )
    after = group_row(gid)
    decision = decision_rows(gid)
    assert after["status"] == "member" and after["joined_on"] == TODAY and after["spam_level"] == 0

    journal.undo_decision(undo)
    assert group_row(gid) == before
    assert decision_rows() == []

    journal.redo_decision(undo)
    assert group_row(gid) == after
    assert decision_rows(gid) == decision  # same id, same time

    journal.undo_decision(undo)
    assert group_row(gid) == before


def test_a_refused_value_writes_nothing(store) -> None:
    gid = repo.create_group({"name": "G"})
    before = group_row(gid)
    with pytest.raises(ValueError, match="value_to_me"):
        journal.record_decision(
            gid, "join", [], {}, status="member", review_on=None, values={"value_to_me": 9}
        )
    with pytest.raises(ValueError, match="action"):
        journal.record_decision(gid, "explode", [], {}, status=None, review_on=None)
    with pytest.raises(ValueError, match="cannot set"):
        journal.record_decision(gid, "keep", [], {}, status=None, review_on=None, values={"name": "X"})
    with pytest.raises(ValueError, match="status"):
        journal.record_decision(gid, "keep", [], {}, status="gone", review_on=None)
    assert group_row(gid) == before
    assert decision_rows() == []


def test_a_decision_about_a_missing_group_writes_nothing(store) -> None:
    with pytest.raises(Group.DoesNotExist):
        journal.record_decision(404, "keep", [], {}, status=None, review_on=None)
    assert decision_rows() == []


def test_decision_time_can_be_given(store) -> None:
    gid = repo.create_group({"name": "G"})
    at = datetime(2025, 3, 14, 9, 30)
    journal.record_decision(gid, "keep", [], {}, status=None, review_on=None, at=at)
    assert decision_rows(gid)[0]["at"] == at


def test_apply_join_result(store) -> None:
    gid = repo.create_group({"name": "G", "status": "invited"})
    result = journal.JoinResult(
        action="trial",
        reasons=["modest_value"],
        answers={"give": 3},
        note="let's see",
        status="trial",
        review_on=journal.join_review_date("trial", TODAY),
        commitment_per_month=2,
        values={"value_from_me": 3, "joined_on": TODAY},
    )
    undo = journal.apply_join_result(gid, result)
    g = group_row(gid)
    assert (g["status"], g["review_on"], g["commitment_per_month"]) == ("trial", TODAY + timedelta(30), 2)
    assert g["value_from_me"] == 3
    assert decision_rows(gid)[0]["note"] == "let's see"
    journal.undo_decision(undo)
    assert group_row(gid)["status"] == "invited"


def test_join_review_dates() -> None:
    assert journal.join_review_date("join", TODAY) == TODAY + timedelta(90)
    assert journal.join_review_date("trial", TODAY) == TODAY + timedelta(30)
    assert journal.join_review_date("decline", TODAY) is None
    # Starting your own means declining this one: no review of a group you are not in.
    assert journal.join_review_date("start_own", TODAY) is None


# ------------------------------------------------------------------------------------------- review actions


@pytest.mark.parametrize(
    ("status", "action", "new_status", "review_days"),
    [
        ("member", "keep", "member", 180),
        ("trial", "keep", "member", 180),
        ("muted", "keep", "muted", 180),
        ("muted", "engage", "member", 60),
        ("trial", "engage", "member", 60),
        ("member", "mute", "muted", 180),
        ("member", "leave", "leaving", None),
        ("muted", "start_own", "muted", 90),
    ],
)
def test_record_review_sets_status_and_review_date(store, status, action, new_status, review_days) -> None:
    gid = repo.create_group({"name": "G", "status": status, "review_on": ago(5)})
    commitment = 3 if action == "engage" else None
    journal.record_review(gid, action, ["x"], {"a": 1}, "n", today=TODAY, commitment_per_month=commitment)
    g = group_row(gid)
    assert g["status"] == new_status
    assert g["review_on"] == (None if review_days is None else TODAY + timedelta(review_days))
    assert g["commitment_per_month"] == commitment
    (d,) = decision_rows(gid)
    assert (d["action"], d["note"]) == (action, "n")


def test_engage_needs_a_commitment(store) -> None:
    gid = repo.create_group({"name": "G"})
    with pytest.raises(ValueError, match="commit"):
        journal.record_review(gid, "engage", [], today=TODAY)
    with pytest.raises(ValueError):
        journal.record_review(gid, "join", [], today=TODAY)
    assert decision_rows() == []


# ------------------------------------------------------------------------------------------- mark left


def test_mark_left_and_its_undo(store) -> None:
    gid = repo.create_group({"name": "G", "status": "leaving", "review_on": ago(-10)})
    before = group_row(gid)
    undo = journal.mark_left(gid, TODAY)
    g = group_row(gid)
    assert (g["status"], g["left_on"], g["review_on"]) == ("left", TODAY, None)
    assert undo.decision is None and decision_rows() == []
    journal.undo_decision(undo)
    assert group_row(gid) == before
    journal.redo_decision(undo)
    assert group_row(gid) == g


# ------------------------------------------------------------------------------------------- the queue


def test_triage_queue_is_memberships_worst_first(store) -> None:
    def make(name: str, status: str = "member", **kw) -> int:
        base = {"name": name, "status": status, "joined_on": ago(10), "last_group_activity": ago(1)}
        return repo.create_group({**base, **kw})

    good = make("Good", value_from_me=4, value_to_me=4)
    low = make("Low", value_from_me=1, value_to_me=1)
    mid = make("Mid", value_from_me=2, value_to_me=3)
    unrated = make("Unrated")
    dead = make("Dead", value_from_me=4, value_to_me=4, last_group_activity=ago(200))
    dead_spam = make("Dead spam", value_from_me=5, value_to_me=5, last_group_activity=ago(200), spam_level=3)
    dead_unrated = make("Dead unrated", last_group_activity=ago(200))
    due = make("Due", value_from_me=5, value_to_me=5, review_on=ago(1))
    due_dead = make("Due dead", value_from_me=5, value_to_me=5, review_on=TODAY, last_group_activity=ago(100))
    trial = make("Trial", "trial", value_from_me=3, value_to_me=1)
    muted = make("Muted", "muted", value_from_me=3, value_to_me=3)
    for status in ("leaving", "left", "declined", "invited", "considering"):
        make(status, status)

    queue = journal.triage_queue(TODAY)
    assert queue == [
        due_dead,  # review due, one more flag
        due,  # review due
        dead_spam,  # two flags
        dead,  # one flag, rated
        dead_unrated,  # one flag, unrated after rated
        low,  # no flags, lowest Value first (20)
        trial,  # 35
        mid,  # 49
        muted,  # 60
        good,  # 80
        unrated,  # no flags, unrated last
    ]


def test_triage_queue_ties_are_ordered_by_name(store) -> None:
    b = repo.create_group(
        {"name": "beta", "status": "member", "joined_on": ago(1), "last_group_activity": ago(1)}
    )
    a = repo.create_group(
        {"name": "Alpha", "status": "member", "joined_on": ago(1), "last_group_activity": ago(1)}
    )
    assert journal.triage_queue(TODAY) == [a, b]


def test_triage_queue_of_an_empty_store(store) -> None:
    assert journal.triage_queue(TODAY) == []


def test_pending_queue_lists_invitations_oldest_first(store) -> None:
    late = repo.create_group({"name": "Late", "status": "invited", "invited_on": ago(1)})
    early = repo.create_group({"name": "Early", "status": "considering", "invited_on": ago(9)})
    unknown = repo.create_group({"name": "Unknown", "status": "invited"})
    repo.create_group({"name": "Member", "status": "member"})
    assert journal.pending_queue() == [early, late, unknown]
