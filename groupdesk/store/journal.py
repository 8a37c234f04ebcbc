"""The decision journal: facts for the rules, decisions written with what their undo needs, the review queue.

Every decision is one transaction: a Decision row plus the group's status, review date, commitment
and (for the join wizard) the facts the user answered. ``record_decision`` returns a
``DecisionUndo`` that takes it back exactly (``undo_decision``) and does it again with the same
Decision id and time (``redo_decision``) — the ``QUndoCommand`` classes of
``groupdesk.ui.undo_commands_decisions`` are thin wrappers around these three functions.

Decisions are the user's own words: every field they change is marked as typed by the user, so an
import never overwrites it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from groupdesk.domain.rules import CLOSED_STATUSES, review_date, unserved_topics
from groupdesk.domain.scores import GroupFacts
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import ACTIONS, PENDING_STATUSES
from groupdesk.store.models import Decision, Group, db
from groupdesk.store.repository import clean_values, load_rows

#: Statuses the clean-up review walks through (a group being left is already decided).
TRIAGE_STATUSES = frozenset({"trial", "member", "muted"})
#: What the join wizard's (and the review's) actions do to the group's status.
JOIN_STATUS: dict[str, str] = {
    "join": "member",
    "trial": "trial",
    "decline": "declined",
    "start_own": "declined",
}

#: Fields a decision may change besides status, review date and commitment.
_EXTRA_FIELDS = frozenset(
    {
        "invited_by",
        "invite_personal",
        "how_joined",
        "joined_on",
        "left_on",
        "cost_amount",
        "cost_period",
        "currency",
        "hours_per_month",
        "emails_per_week",
        "value_to_me",
        "value_from_me",
        "spam_level",
    }
)


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ---------------------------------------------------------------- facts


def store_unserved_topics(thresholds: Thresholds = DEFAULT_THRESHOLDS) -> frozenset[str]:
    """Topics that several declined, left or leaving groups of the store share (``rules.unserved_topics``)."""
    wanted = [*CLOSED_STATUSES, "leaving"]
    rows = db.execute_sql(
        f'SELECT status, tags FROM "group" WHERE status IN ({",".join("?" * len(wanted))}) '
        "AND tags IS NOT NULL",
        wanted,
    ).fetchall()
    return unserved_topics(rows, thresholds)


def facts_for(
    group_id: int, today: date | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> GroupFacts:
    """Everything the scores and rules know about one group, read from the store.

    Args:
        group_id: the group.
        today: the day to count the participation window back from (default: today).
        thresholds: thresholds in force (the participation window, the start-own topic count).

    Returns:
        The group's ``GroupFacts`` with every field filled, including ``unserved_topics``.
    """
    from groupdesk.store.repository import load_rows

    rows = load_rows(today or date.today(), thresholds, ids=[group_id])
    if not rows:
        raise Group.DoesNotExist(f"no group {group_id}")
    facts = rows[0].facts
    facts.unserved_topics = store_unserved_topics(thresholds)
    return facts


# ---------------------------------------------------------------- decisions and their undo


@dataclass
class DecisionUndo:
    """What a decision wrote, enough to take it back and do it again exactly.

    ``decision`` is the Decision row as written (None for a change without a journal entry, such as
    ``mark_left``); ``before``/``after`` hold the group's changed columns (including
    ``user_fields`` and ``updated_at``) before and after.
    """

    group_id: int
    action: str | None
    decision: dict[str, Any] | None
    before: dict[str, Any] = field(default_factory=dict)
    after: dict[str, Any] = field(default_factory=dict)

    @property
    def decision_id(self) -> int | None:
        """The id of the Decision row, if the change wrote one."""
        return None if self.decision is None else self.decision["id"]


def _change_group(group_id: int, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write ``values`` (already clean) to a group as typed by the user; return (before, after)."""
    g = Group.get_by_id(group_id)
    before: dict[str, Any] = {}
    typed = set(json.loads(g.user_fields or "[]"))
    for key, value in values.items():
        if getattr(g, key) != value:
            before[key] = getattr(g, key)
            setattr(g, key, value)
            typed.add(key)
    if not before:
        return {}, {}
    before["user_fields"] = g.user_fields
    before["updated_at"] = g.updated_at
    g.user_fields = json.dumps(sorted(typed))
    g.updated_at = _now()
    after = {key: getattr(g, key) for key in before}
    g.save(only=[getattr(Group, key) for key in before])
    return before, after


def record_decision(
    group_id: int,
    action: str,
    reasons: Iterable[str],
    answers: Mapping[str, Any] | None,
    note: str = "",
    *,
    status: str | None,
    review_on: date | None,
    commitment_per_month: int | None = None,
    values: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> DecisionUndo:
    """Journal a decision and apply it to the group, in one transaction.

    Args:
        group_id: the group decided about.
        action: one of ``vocab.ACTIONS`` (join, decline, trial, keep, engage, mute, leave, start_own).
        reasons: the rule ids shown to the user.
        answers: the dialog's answers (JSON-ready).
        note: the user's words (required by the dialogs when they override the recommendation).
        status: the group's new status, or None to leave it as it is.
        review_on: the next review date; None clears it (a decision is the review that was due).
        commitment_per_month: contributions a month committed to, or None to leave it as it is.
        values: other Group fields the decision sets (the join wizard's answers: costs, ratings…).
        at: when (default: now).

    Returns:
        What ``undo_decision`` and ``redo_decision`` need.

    Raises:
        ValueError: an unknown action, or a value the Group fields refuse.
    """
    if action not in ACTIONS:
        raise ValueError(f"action: {action!r} is not one of {', '.join(ACTIONS)}")
    changes: dict[str, Any] = {}
    for key, value in (values or {}).items():
        if key not in _EXTRA_FIELDS:
            raise ValueError(f"A decision cannot set {key}")
        changes[key] = value
    changes = clean_values(changes)
    for key in ("cost_period", "how_joined"):
        if key in changes and changes[key] is None:
            changes[key] = "none" if key == "cost_period" else "unknown"
    if status is not None:
        changes["status"] = clean_values({"status": status})["status"]
    changes["review_on"] = review_on
    if commitment_per_month is not None:
        changes["commitment_per_month"] = clean_values({"commitment_per_month": commitment_per_month})[
            "commitment_per_month"
        ]
    row = {
        "group": group_id,
        "at": at or _now(),
        "action": action,
        "reasons": json.dumps(list(reasons)),
        "answers": json.dumps(dict(answers or {}), sort_keys=True, default=str),
        "note": (note or "").strip(),
    }
    with db.atomic():
        Group.get_by_id(group_id)  # a missing group raises before anything is written
        before, after = _change_group(group_id, changes)
        decision_id = Decision.insert(row).execute()
    row["id"] = decision_id
    return DecisionUndo(group_id, action, row, before, after)


def undo_decision(undo: DecisionUndo) -> None:
    """Take a decision back: delete its Decision row and restore the group's changed columns."""
    with db.atomic():
        if undo.decision is not None:
            Decision.delete_by_id(undo.decision["id"])
        if undo.before:
            Group.update(undo.before).where(Group.id == undo.group_id).execute()


def redo_decision(undo: DecisionUndo) -> None:
    """Do an undone decision again: the same Decision row (id and time) and the same group changes."""
    with db.atomic():
        if undo.after:
            Group.update(undo.after).where(Group.id == undo.group_id).execute()
        if undo.decision is not None:
            Decision.insert(undo.decision).execute()


def mark_left(group_id: int, today: date | None = None) -> DecisionUndo:
    """The user confirms they left the group on its platform: status left, left on ``today``.

    The decision to leave was journalled when it was taken (status leaving); this only records
    that it is done, so it writes no Decision row. Undo with ``undo_decision``.
    """
    today = today or date.today()
    with db.atomic():
        before, after = _change_group(group_id, {"status": "left", "left_on": today, "review_on": None})
    return DecisionUndo(group_id, None, None, before, after)


# ---------------------------------------------------------------- the join wizard's result


@dataclass
class JoinResult:
    """What the join wizard decided; ``apply_join_result`` writes it.

    ``values`` holds only the Group fields whose answers differ from what the store had
    (inviter, personal invitation, ratings, spam, money, hours, mail, joined on…).
    """

    action: str
    reasons: list[str]
    answers: dict[str, Any]
    note: str
    status: str
    review_on: date | None
    commitment_per_month: int | None = None
    values: dict[str, Any] = field(default_factory=dict)


def apply_join_result(group_id: int, result: JoinResult) -> DecisionUndo:
    """Journal the join wizard's decision and apply it (one transaction); returns its undo."""
    return record_decision(
        group_id,
        result.action,
        result.reasons,
        result.answers,
        result.note,
        status=result.status,
        review_on=result.review_on,
        commitment_per_month=result.commitment_per_month,
        values=result.values,
    )


def join_review_date(action: str, today: date) -> date | None:
    """The review date a join-wizard action sets: join and trial get one; a declined group none."""
    return review_date(action, today) if JOIN_STATUS.get(action) in ("member", "trial") else None


# ---------------------------------------------------------------- the clean-up review


def triage_queue(today: date | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[int]:
    """The memberships to review, worst first.

    Memberships are groups on trial, member or muted (a group being left is already decided; left,
    declined and pending ones are not memberships). The order:

    1. review due first (the user asked to look at these by now);
    2. then more flags first (review_due itself not counted again);
    3. then lower Value first; unrated groups come after rated ones with the same flags — a rated
       group with low Value is a clearer case, and an unrated one needs the user's rating first;
    4. then by name, then id (a stable order).
    """
    today = today or date.today()
    rows = [r for r in load_rows(today, thresholds) if r.status in TRIAGE_STATUSES]

    def key(r: Any) -> tuple[Any, ...]:
        flags = set(r.flags)
        due = "review_due" in flags
        return (
            not due,
            -len(flags - {"review_due"}),
            r.value is None,
            r.value if r.value is not None else 0.0,
            (r.name or "").casefold(),
            r.id,
        )

    rows.sort(key=key)
    return [r.id for r in rows]


def pending_queue() -> list[int]:
    """Invitations and groups being considered (for the join wizard), oldest invitation first."""
    q = (
        Group.select(Group.id)
        .where(Group.status.in_(sorted(PENDING_STATUSES)))
        .order_by(Group.invited_on.asc(nulls="LAST"), Group.id)
    )
    return [g.id for g in q]


#: The clean-up review's actions.
REVIEW_ACTIONS = ("keep", "engage", "mute", "leave", "start_own")


def review_status(action: str, status: str | None) -> str | None:
    """The status a review action gives a membership (None: unchanged).

    Keep and Engage confirm a trial (trial → member); Engage also unmutes (taking part needs the
    group's messages); Mute mutes; Leave marks the group to leave (``leaving``: the plan lists it
    until the user confirms it is done with ``mark_left``); Start own leaves the status alone.
    """
    if action == "keep":
        return "member" if status == "trial" else None
    if action == "engage":
        return "member" if status in ("trial", "muted") else None
    if action == "mute":
        return "muted"
    if action == "leave":
        return "leaving"
    if action == "start_own":
        return None
    raise ValueError(f"action: {action!r} is not one of {', '.join(REVIEW_ACTIONS)}")


def record_review(
    group_id: int,
    action: str,
    reasons: Iterable[str],
    answers: Mapping[str, Any] | None = None,
    note: str = "",
    *,
    today: date | None = None,
    commitment_per_month: int | None = None,
) -> DecisionUndo:
    """Journal one clean-up review action (``REVIEW_ACTIONS``) with its status and review date.

    The next review is ``rules.review_date(action, today)`` (none after Leave). Engage needs a
    commitment of at least one contribution a month.
    """
    today = today or date.today()
    if action == "engage" and not commitment_per_month:
        raise ValueError("engage: commit to at least one contribution a month")
    status = Group.get_by_id(group_id).status
    return record_decision(
        group_id,
        action,
        reasons,
        answers,
        note,
        status=review_status(action, status),
        review_on=review_date(action, today),
        commitment_per_month=commitment_per_month if action == "engage" else None,
    )
