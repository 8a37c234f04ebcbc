"""Value, Activity, Group activity, My participation (0–100, None while unknown) and the flags.

Pure functions over plain data. Every definition here is explained to the user in the table's
tooltips (see ``explain_value`` and friends) and pinned by ``tests/unit/test_scores.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import MEMBER_STATUSES, PENDING_STATUSES

FLAG_SENTENCES: dict[str, str] = {
    "dead": "Dead: no group activity for {dead_after_days} days or more.",
    "spam": "Spam: mostly spam or sales pitches.",
    "lurking": "Empty belonging: a member for {lurking_after_days}+ days without taking part "
    "in the last {lurking_after_days} days.",
    "clutter": "Mail clutter: more than {clutter_emails_per_week:g} e-mails a week for little value.",
    "costly": "Costly: it costs money and does not earn it (Value under {costly_value_min}).",
    "unasked": "Unasked: someone added you without asking.",
    "mass_invite": "Mass invitation: the invitation was not personal.",
    "review_due": "Review due: the date you set to review it has passed.",
}
FLAG_ORDER: tuple[str, ...] = tuple(FLAG_SENTENCES)
FLAG_LABELS: dict[str, str] = {
    "dead": "dead",
    "spam": "spam",
    "lurking": "lurking",
    "clutter": "clutter",
    "costly": "costly",
    "unasked": "unasked",
    "mass_invite": "mass invite",
    "review_due": "review due",
}


def flag_sentence(flag: str, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The sentence that explains ``flag`` to the user, with the thresholds filled in."""
    return FLAG_SENTENCES[flag].format(**thresholds.__dict__)


def cost_per_year(amount: float | None, period: str | None, status: str | None = None) -> float:
    """Money a group costs per year. A one-off fee counts only while it is still to be paid."""
    if not amount or amount <= 0 or not period or period == "none":
        return 0.0
    if period == "month":
        return amount * 12.0
    if period == "year":
        return float(amount)
    if period == "once":
        return float(amount) if status in PENDING_STATUSES or status is None else 0.0
    return 0.0


def two_way_value(value_from_me: int | None, value_to_me: int | None) -> float | None:
    """The two-way value before any reduction: 20 × √(give × get), 0–100; None while either is unrated.

    Ratings are clamped to 0–5. Zero when either is zero: value must flow both ways.
    """
    if value_from_me is None or value_to_me is None:
        return None
    give = min(max(value_from_me, 0), 5)
    get = min(max(value_to_me, 0), 5)
    return 20.0 * math.sqrt(give * get)


def value_score(
    value_from_me: int | None,
    value_to_me: int | None,
    spam_level: int | None = 0,
    yearly_cost: float = 0.0,
    emails_per_week: float | None = None,
    t: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """Value 0–100: the geometric mean of what I give and what I get (0–5 each), then reduced.

    Zero when either is zero (value must flow both ways); None while either is unrated.
    Reductions multiply: spam, money cost per year, e-mails per week above the clutter threshold.
    """
    base = two_way_value(value_from_me, value_to_me)
    if base is None:
        return None
    if base == 0.0:
        return 0.0
    spam = min(max(spam_level or 0, 0), 3)
    factor = max(0.0, 1.0 - t.spam_penalty * spam)
    if yearly_cost > 0:
        factor *= 1.0 - t.cost_max_penalty * min(1.0, yearly_cost / t.cost_full_penalty_per_year)
    if emails_per_week and emails_per_week > t.clutter_emails_per_week:
        extra = emails_per_week - t.clutter_emails_per_week
        factor *= 1.0 - min(t.clutter_max_penalty, extra * t.clutter_penalty_per_email)
    return round(base * factor, 1)


def days_since(day: date | None, today: date) -> int | None:
    """Whole days from ``day`` to ``today``; a future date counts as today (0); None if unknown."""
    if day is None:
        return None
    return max(0, (today - day).days)


def latest(*days: date | None) -> date | None:
    """The latest of the known dates, or None when none is known."""
    known = [d for d in days if d is not None]
    return max(known) if known else None


def group_activity_score(
    last_group_activity: date | None,
    posts_per_week: float | None,
    today: date,
    t: Thresholds = DEFAULT_THRESHOLDS,
) -> float | None:
    """The group's own life, 0–100: recency of its last activity and its posts per week.

    Recency is 100 up to ``fresh_days``, falling linearly to 0 at ``dead_after_days``.
    Posts per week scale logarithmically up to ``lively_posts_per_week`` (= 100).
    With both known the score is their mean; with one, that one; with neither, None.
    """
    parts: list[float] = []
    age = days_since(last_group_activity, today)
    if age is not None:
        if age <= t.fresh_days:
            parts.append(100.0)
        elif age >= t.dead_after_days:
            parts.append(0.0)
        else:
            parts.append(100.0 * (t.dead_after_days - age) / (t.dead_after_days - t.fresh_days))
    if posts_per_week is not None:
        ppw = max(0.0, posts_per_week)
        parts.append(min(100.0, 100.0 * math.log1p(ppw) / math.log1p(t.lively_posts_per_week)))
    if not parts:
        return None
    return round(sum(parts) / len(parts), 1)


def participation_score(
    status: str | None, contributions_in_window: int, t: Thresholds = DEFAULT_THRESHOLDS
) -> float | None:
    """My participation, 0–100: contributions in the last ``participation_window_days`` days.

    ``full_participation`` contributions (about one a week) or more is 100. None unless I belong
    to the group (invitations, declined and left groups have no participation to measure).
    """
    if status not in MEMBER_STATUSES:
        return None
    return round(min(100.0, 100.0 * contributions_in_window / t.full_participation), 1)


def activity_score(group_activity: float | None, participation: float | None) -> float | None:
    """Activity, 0–100: the mean of Group activity and My participation (whichever are known)."""
    if group_activity is None:
        return participation
    if participation is None:
        return group_activity
    return round((group_activity + participation) / 2.0, 1)


@dataclass(slots=True)
class GroupFacts:
    """What the scores need to know about one group (built by the store, or by hand in tests)."""

    status: str | None = "member"
    how_joined: str | None = None
    invite_personal: bool | None = None
    joined_on: date | None = None
    cost_amount: float | None = None
    cost_period: str | None = None
    emails_per_week: float | None = None
    last_group_activity: date | None = None
    posts_per_week: float | None = None
    value_to_me: int | None = None
    value_from_me: int | None = None
    spam_level: int | None = None
    review_on: date | None = None
    #: Contributions in the participation window (default 90 days).
    recent_contributions: int = 0
    #: Date of my last contribution, if any.
    last_contribution: date | None = None
    # Fields below were appended later; the store builds the first fifteen positionally.
    #: Hours a month the group takes.
    hours_per_month: float | None = None
    #: Contributions a month I committed to (set by a join, trial or engage decision).
    commitment_per_month: int | None = None
    #: The group's tags (comma or semicolon separated), its topics.
    tags: str | None = None
    #: Topics (case-folded tags) that several declined or left groups share; see
    #: ``groupdesk.domain.rules.unserved_topics``. Filled by the caller that sees all groups.
    unserved_topics: frozenset[str] = frozenset()


@dataclass(slots=True)
class Evaluation:
    """The computed columns of one group."""

    value: float | None
    activity: float | None
    group_activity: float | None
    participation: float | None
    cost_per_year: float
    flags: tuple[str, ...]


def compute_flags(
    f: GroupFacts,
    value: float | None,
    yearly_cost: float,
    today: date,
    t: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[str, ...]:
    """The flags that apply to a group, in ``FLAG_ORDER``.

    - dead: the last sign of life — the later of last group activity and my last contribution (a
      post of mine is activity in the group) — known and ``dead_after_days`` or more ago, or (both
      dates unknown) zero posts per week.
    - spam: spam_level ≥ ``spam_flag_level``.
    - lurking: I belong, joined ≥ ``lurking_after_days`` ago (or joined date unknown), and no
      contribution in the last ``lurking_after_days`` days.
    - clutter: more than ``clutter_emails_per_week`` e-mails a week and Value unrated or < ``low_value``.
    - costly: it costs money per year and Value is unrated or < ``costly_value_min``.
    - unasked: how_joined is added_by_someone.
    - mass_invite: the invitation is known not to be personal.
    - review_due: the review date is today or past.
    """
    out: list[str] = []
    age = days_since(latest(f.last_group_activity, f.last_contribution), today)
    if (age is not None and age >= t.dead_after_days) or (age is None and f.posts_per_week == 0):
        out.append("dead")
    if f.spam_level is not None and f.spam_level >= t.spam_flag_level:
        out.append("spam")
    if f.status in MEMBER_STATUSES:
        member_days = days_since(f.joined_on, today)
        since_contribution = days_since(f.last_contribution, today)
        if (member_days is None or member_days >= t.lurking_after_days) and (
            since_contribution is None or since_contribution >= t.lurking_after_days
        ):
            out.append("lurking")
    if (
        f.emails_per_week is not None
        and f.emails_per_week > t.clutter_emails_per_week
        and (value is None or value < t.low_value)
    ):
        out.append("clutter")
    if yearly_cost > 0 and (value is None or value < t.costly_value_min):
        out.append("costly")
    if f.how_joined == "added_by_someone":
        out.append("unasked")
    if f.invite_personal is False:
        out.append("mass_invite")
    if f.review_on is not None and f.review_on <= today:
        out.append("review_due")
    return tuple(out)


def evaluate(f: GroupFacts, today: date, t: Thresholds = DEFAULT_THRESHOLDS) -> Evaluation:
    """All computed columns for one group.

    Group activity's recency uses the later of the group's last activity and my last contribution.
    """
    yearly = cost_per_year(f.cost_amount, f.cost_period, f.status)
    value = value_score(f.value_from_me, f.value_to_me, f.spam_level, yearly, f.emails_per_week, t)
    seen = latest(f.last_group_activity, f.last_contribution)
    group = group_activity_score(seen, f.posts_per_week, today, t)
    mine = participation_score(f.status, f.recent_contributions, t)
    return Evaluation(
        value=value,
        activity=activity_score(group, mine),
        group_activity=group,
        participation=mine,
        cost_per_year=yearly,
        flags=compute_flags(f, value, yearly, today, t),
    )


VALUE_TOOLTIP = (
    "Value (0–100): the geometric mean of what you give and what you get (each rated 0–5), "
    "so it is 0 when either is 0 — value must flow both ways. It is then reduced for spam, "
    "for money the group costs per year and for e-mails above {clutter_emails_per_week:g} a week. "
    "Empty while either rating is missing."
)
ACTIVITY_TOOLTIP = (
    "Activity (0–100): the mean of Group activity (how recently and how much the group itself posts) "
    "and My participation (your contributions in the last {participation_window_days} days)."
)
GROUP_ACTIVITY_TOOLTIP = (
    "Group activity (0–100): 100 when the group (you included) was active in the last {fresh_days} "
    "days, falling to 0 at {dead_after_days} days, averaged with posts per week "
    "({lively_posts_per_week:g}+ a week = 100)."
)
PARTICIPATION_TOOLTIP = (
    "My participation (0–100): your contributions in the last {participation_window_days} days; "
    "{full_participation} or more (about one a week) = 100. Only for groups you belong to."
)


def explain(template: str, t: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """Fill a tooltip template with the thresholds in force."""
    return template.format(**t.__dict__)
