"""Pin every score and flag definition of groupdesk.domain.scores, edges included."""

from __future__ import annotations

import math
from dataclasses import fields, replace
from datetime import date, timedelta

import pytest

from groupdesk.domain.scores import (
    ACTIVITY_TOOLTIP,
    FLAG_LABELS,
    FLAG_ORDER,
    FLAG_SENTENCES,
    GROUP_ACTIVITY_TOOLTIP,
    PARTICIPATION_TOOLTIP,
    VALUE_TOOLTIP,
    Evaluation,
    GroupFacts,
    activity_score,
    compute_flags,
    cost_per_year,
    days_since,
    evaluate,
    explain,
    flag_sentence,
    group_activity_score,
    latest,
    participation_score,
    two_way_value,
    value_score,
)
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds

TODAY = date(2024, 6, 1)
T = DEFAULT_THRESHOLDS


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def flags(**kw: object) -> tuple[str, ...]:
    """Flags of a group built from keyword facts, through ``evaluate``."""
    return evaluate(GroupFacts(**kw), TODAY).flags  # type: ignore[arg-type]


# ---------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("amount", "period", "status", "expected"),
    [
        (None, "month", "member", 0.0),
        (0, "month", "member", 0.0),
        (-5, "month", "member", 0.0),
        (10, None, "member", 0.0),
        (10, "none", "member", 0.0),
        (10, "weekly", "member", 0.0),
        (10, "month", "member", 120.0),
        (10, "month", "invited", 120.0),
        (50, "year", "member", 50.0),
        (50, "year", "left", 50.0),
        # A one-off fee counts while it is still to be paid: for invitations and considered groups...
        (30, "once", "invited", 30.0),
        (30, "once", "considering", 30.0),
        (30, "once", None, 30.0),
        # ...but not for members, who already paid it (sunk cost), nor for left/declined groups.
        (30, "once", "member", 0.0),
        (30, "once", "trial", 0.0),
        (30, "once", "muted", 0.0),
        (30, "once", "left", 0.0),
        (30, "once", "declined", 0.0),
    ],
)
def test_cost_per_year(amount: float | None, period: str | None, status: str | None, expected: float) -> None:
    assert cost_per_year(amount, period, status) == expected


# ---------------------------------------------------------------- value


def test_two_way_value_is_the_geometric_mean_on_0_to_100() -> None:
    assert two_way_value(None, 3) is None
    assert two_way_value(3, None) is None
    assert two_way_value(0, 5) == 0.0
    assert two_way_value(5, 0) == 0.0
    assert two_way_value(5, 5) == 100.0
    assert two_way_value(3, 3) == pytest.approx(60.0)
    assert two_way_value(1, 4) == pytest.approx(40.0)
    assert two_way_value(9, -2) == 0.0  # clamped to 5 and 0


@pytest.mark.parametrize(("give", "get"), [(None, None), (None, 4), (4, None)])
def test_value_is_none_while_unrated(give: int | None, get: int | None) -> None:
    assert value_score(give, get) is None
    # Reductions do not invent a value for an unrated group.
    assert value_score(give, get, spam_level=3, yearly_cost=5000, emails_per_week=100) is None


@pytest.mark.parametrize(("give", "get"), [(0, 5), (5, 0), (0, 0)])
def test_zero_give_or_zero_get_is_value_zero(give: int, get: int) -> None:
    assert value_score(give, get) == 0.0
    assert value_score(give, get, spam_level=0, yearly_cost=0, emails_per_week=0) == 0.0


def test_value_base_without_reductions() -> None:
    assert value_score(5, 5) == 100.0
    assert value_score(3, 3) == 60.0
    assert value_score(2, 3) == round(20 * math.sqrt(6), 1) == 49.0
    assert value_score(1, 1) == 20.0
    # Ratings outside 0–5 are clamped.
    assert value_score(7, 7) == 100.0
    assert value_score(-1, 5) == 0.0


@pytest.mark.parametrize(
    ("spam", "expected"), [(None, 100.0), (0, 100.0), (1, 80.0), (2, 60.0), (3, 40.0), (9, 40.0)]
)
def test_spam_reduces_value_by_a_fifth_per_level(spam: int | None, expected: float) -> None:
    assert value_score(5, 5, spam_level=spam) == expected


@pytest.mark.parametrize(
    ("yearly", "expected"), [(0, 100.0), (100, 95.0), (500, 75.0), (1000, 50.0), (5000, 50.0)]
)
def test_money_reduces_value_up_to_half(yearly: float, expected: float) -> None:
    assert value_score(5, 5, yearly_cost=yearly) == expected


@pytest.mark.parametrize(
    ("emails", "expected"),
    [(None, 100.0), (0, 100.0), (7, 100.0), (8, 99.0), (17, 90.0), (37, 70.0), (500, 70.0)],
)
def test_mail_above_the_clutter_threshold_reduces_value_up_to_thirty_percent(
    emails: float | None, expected: float
) -> None:
    assert value_score(5, 5, emails_per_week=emails) == expected


def test_reductions_multiply() -> None:
    # 100 × 0.8 (spam 1) × 0.75 (500 a year) × 0.9 (17 e-mails a week)
    assert value_score(5, 5, spam_level=1, yearly_cost=500, emails_per_week=17) == 54.0


def test_value_reductions_follow_the_thresholds() -> None:
    t = Thresholds(spam_penalty=0.5, cost_full_penalty_per_year=100, cost_max_penalty=1.0)
    assert value_score(5, 5, spam_level=1, t=t) == 50.0
    assert value_score(5, 5, yearly_cost=100, t=t) == 0.0


# ---------------------------------------------------------------- dates and group activity


def test_days_since() -> None:
    assert days_since(None, TODAY) is None
    assert days_since(TODAY, TODAY) == 0
    assert days_since(ago(10), TODAY) == 10
    assert days_since(TODAY + timedelta(days=5), TODAY) == 0  # a future date counts as today


def test_latest() -> None:
    assert latest() is None
    assert latest(None, None) is None
    assert latest(ago(5), None) == ago(5)
    assert latest(ago(5), ago(2), None) == ago(2)


def test_group_activity_is_none_when_nothing_is_known() -> None:
    assert group_activity_score(None, None, TODAY) is None


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, 100.0),
        (7, 100.0),  # fresh_days: still full
        (8, round(100 * 82 / 83, 1)),
        (48, round(100 * 42 / 83, 1)),
        (89, round(100 * 1 / 83, 1)),
        (90, 0.0),  # dead_after_days
        (400, 0.0),
        (-30, 100.0),  # a future date counts as today
    ],
)
def test_group_activity_recency_falls_linearly_from_fresh_to_dead(days: int, expected: float) -> None:
    assert group_activity_score(ago(days), None, TODAY) == expected


@pytest.mark.parametrize(
    ("ppw", "expected"),
    [
        (0, 0.0),
        (-3, 0.0),
        (1, round(100 * math.log(2) / math.log(21), 1)),
        (4, round(100 * math.log(5) / math.log(21), 1)),
        (20, 100.0),
        (500, 100.0),
    ],
)
def test_group_activity_posts_per_week_is_logarithmic(ppw: float, expected: float) -> None:
    assert group_activity_score(None, ppw, TODAY) == expected


def test_group_activity_averages_recency_and_posts() -> None:
    assert group_activity_score(ago(0), 0, TODAY) == 50.0
    assert group_activity_score(ago(200), 20, TODAY) == 50.0


def test_group_activity_counts_my_own_last_contribution_as_activity() -> None:
    # The group's own date is old, but I posted in it yesterday: it is not silent.
    facts = GroupFacts(status="member", last_group_activity=ago(200), last_contribution=ago(1))
    assert evaluate(facts, TODAY).group_activity == 100.0
    facts = GroupFacts(status="member", last_group_activity=ago(1), last_contribution=ago(200))
    assert evaluate(facts, TODAY).group_activity == 100.0


# ---------------------------------------------------------------- participation and activity


@pytest.mark.parametrize("status", ["invited", "considering", "left", "declined", None, "bogus"])
def test_participation_is_none_unless_i_belong(status: str | None) -> None:
    assert participation_score(status, 5) is None


@pytest.mark.parametrize(("count", "expected"), [(0, 0.0), (1, 8.3), (6, 50.0), (12, 100.0), (40, 100.0)])
@pytest.mark.parametrize("status", ["member", "trial", "muted", "leaving"])
def test_participation_counts_contributions_up_to_about_one_a_week(
    status: str, count: int, expected: float
) -> None:
    assert participation_score(status, count) == expected


def test_activity_is_the_mean_of_whatever_is_known() -> None:
    assert activity_score(None, None) is None
    assert activity_score(80.0, None) == 80.0
    assert activity_score(None, 30.0) == 30.0
    assert activity_score(80.0, 30.0) == 55.0
    assert activity_score(0.0, 0.0) == 0.0


# ---------------------------------------------------------------- flags: health


@pytest.mark.parametrize(("days", "is_dead"), [(0, False), (89, False), (90, True), (91, True), (-10, False)])
def test_dead_at_exactly_dead_after_days(days: int, is_dead: bool) -> None:
    assert ("dead" in flags(last_group_activity=ago(days))) is is_dead


def test_dead_without_dates() -> None:
    assert "dead" not in flags()  # nothing known: not judged
    assert "dead" not in flags(posts_per_week=0.5)
    assert "dead" in flags(posts_per_week=0)  # no date, and it says nobody posts
    # A known recent date wins over zero posts per week.
    assert "dead" not in flags(last_group_activity=ago(3), posts_per_week=0)


def test_my_recent_contribution_means_the_group_is_not_dead() -> None:
    assert "dead" not in flags(last_group_activity=ago(300), last_contribution=ago(10))
    assert "dead" not in flags(posts_per_week=0, last_contribution=ago(10))
    assert "dead" in flags(last_group_activity=ago(300), last_contribution=ago(95))


def test_dead_follows_the_threshold() -> None:
    t = Thresholds(dead_after_days=30)
    facts = GroupFacts(last_group_activity=ago(30))
    assert "dead" in evaluate(facts, TODAY, t).flags
    assert "dead" not in evaluate(facts, TODAY).flags


@pytest.mark.parametrize(("level", "is_spam"), [(None, False), (0, False), (1, False), (2, True), (3, True)])
def test_spam_from_level_two(level: int | None, is_spam: bool) -> None:
    assert ("spam" in flags(spam_level=level)) is is_spam


# ---------------------------------------------------------------- flags: lurking (empty belonging)


@pytest.mark.parametrize(
    ("joined", "contributed", "lurking"),
    [
        (59, None, False),  # member for less than 60 days
        (60, None, True),  # exactly 60 days, never contributed
        (400, 59, False),  # contributed 59 days ago
        (400, 60, True),  # last contribution exactly 60 days ago
        (400, 0, False),
        (None, None, True),  # joined date unknown, never contributed
        (None, 10, False),
        (-5, None, False),  # joined in the future (data entry): not yet a member for long
        (400, -3, False),  # a future contribution counts as today
    ],
)
def test_lurking_boundaries(joined: int | None, contributed: int | None, lurking: bool) -> None:
    facts = {
        "status": "member",
        "joined_on": None if joined is None else ago(joined),
        "last_contribution": None if contributed is None else ago(contributed),
    }
    assert ("lurking" in flags(**facts)) is lurking


@pytest.mark.parametrize("status", ["member", "trial", "muted", "leaving"])
def test_lurking_applies_to_every_membership(status: str) -> None:
    assert "lurking" in flags(status=status, joined_on=ago(100))


@pytest.mark.parametrize("status", ["invited", "considering", "left", "declined", None])
def test_lurking_never_applies_outside_memberships(status: str | None) -> None:
    assert "lurking" not in flags(status=status, joined_on=ago(100))


def test_lurking_follows_the_threshold() -> None:
    facts = GroupFacts(status="member", joined_on=ago(20), last_contribution=ago(20))
    assert "lurking" in evaluate(facts, TODAY, Thresholds(lurking_after_days=14)).flags
    assert "lurking" not in evaluate(facts, TODAY).flags


# ---------------------------------------------------------------- flags: clutter and costly


def test_clutter_needs_more_than_the_threshold_of_mail() -> None:
    assert "clutter" not in flags(emails_per_week=7)  # exactly 7 is not "more than 7"
    assert "clutter" in flags(emails_per_week=7.5)  # unrated value counts as low
    assert "clutter" not in flags(emails_per_week=None)


def test_clutter_interacts_with_value() -> None:
    # 2/2 = 40 before mail; 20 e-mails a week take 13 % → 34.8: low, so clutter.
    ev = evaluate(GroupFacts(value_from_me=2, value_to_me=2, emails_per_week=20), TODAY)
    assert ev.value == 34.8
    assert "clutter" in ev.flags
    # 5/5 = 100; even at the 30 % cap it is 70: heavy mail but worth it, no clutter.
    ev = evaluate(GroupFacts(value_from_me=5, value_to_me=5, emails_per_week=200), TODAY)
    assert ev.value == 70.0
    assert "clutter" not in ev.flags


def test_clutter_boundary_at_low_value() -> None:
    f = GroupFacts(emails_per_week=8)
    assert "clutter" in compute_flags(f, 39.9, 0.0, TODAY)
    assert "clutter" not in compute_flags(f, 40.0, 0.0, TODAY)


def test_costly_needs_money_and_too_little_value() -> None:
    assert "costly" not in flags()
    assert "costly" in flags(cost_amount=10, cost_period="month")  # unrated: not earned yet
    assert "costly" in flags(cost_amount=10, cost_period="month", value_from_me=3, value_to_me=3)
    assert "costly" not in flags(cost_amount=10, cost_period="month", value_from_me=4, value_to_me=4)


def test_costly_boundary_at_costly_value_min() -> None:
    f = GroupFacts()
    assert "costly" in compute_flags(f, 59.9, 12.0, TODAY)
    assert "costly" not in compute_flags(f, 60.0, 12.0, TODAY)
    assert "costly" not in compute_flags(f, None, 0.0, TODAY)


def test_costly_counts_its_own_penalty() -> None:
    # 3/3 is exactly 60 for free; any yearly cost pulls it under 60, so it must be rated higher to earn it.
    ev = evaluate(GroupFacts(value_from_me=3, value_to_me=3, cost_amount=10, cost_period="year"), TODAY)
    assert ev.value == 59.7
    assert "costly" in ev.flags


def test_a_one_off_fee_is_costly_for_an_invitation_but_not_for_a_member() -> None:
    invited = GroupFacts(status="invited", cost_amount=40, cost_period="once")
    assert evaluate(invited, TODAY).cost_per_year == 40.0
    assert "costly" in evaluate(invited, TODAY).flags
    member = replace(invited, status="member", last_contribution=TODAY)
    assert evaluate(member, TODAY).cost_per_year == 0.0
    assert "costly" not in evaluate(member, TODAY).flags


# ---------------------------------------------------------------- flags: invitations and review


def test_unasked_only_when_added_by_someone() -> None:
    assert "unasked" in flags(how_joined="added_by_someone")
    for how in ("invited", "self", "unknown", None):
        assert "unasked" not in flags(how_joined=how)


def test_mass_invite_only_when_known_not_personal() -> None:
    assert "mass_invite" in flags(invite_personal=False)
    assert "mass_invite" not in flags(invite_personal=True)
    assert "mass_invite" not in flags(invite_personal=None)


@pytest.mark.parametrize(("offset", "due"), [(-1, True), (0, True), (1, False)])
def test_review_due_from_the_review_date_on(offset: int, due: bool) -> None:
    assert ("review_due" in flags(review_on=TODAY + timedelta(days=offset))) is due
    assert "review_due" not in flags(review_on=None)


# ---------------------------------------------------------------- the whole evaluation


def test_flags_come_in_flag_order() -> None:
    f = GroupFacts(
        status="member",
        how_joined="added_by_someone",
        invite_personal=False,
        joined_on=ago(400),
        cost_amount=5,
        cost_period="month",
        emails_per_week=30,
        last_group_activity=ago(200),
        spam_level=3,
        review_on=ago(1),
    )
    got = evaluate(f, TODAY).flags
    assert got == FLAG_ORDER
    assert list(got) == sorted(got, key=FLAG_ORDER.index)


def test_an_unknown_group_has_no_scores_and_only_the_flags_that_need_nothing() -> None:
    ev = evaluate(GroupFacts(status="invited"), TODAY)
    assert ev == Evaluation(None, None, None, None, 0.0, ())
    # A member with nothing known has not taken part: that is already empty belonging.
    ev = evaluate(GroupFacts(status="member"), TODAY)
    assert ev.participation == 0.0
    assert ev.activity == 0.0
    assert ev.flags == ("lurking",)


def test_evaluate_combines_everything() -> None:
    f = GroupFacts(
        status="member",
        joined_on=ago(300),
        cost_amount=10,
        cost_period="month",
        emails_per_week=3,
        last_group_activity=ago(2),
        posts_per_week=20,
        value_to_me=5,
        value_from_me=4,
        spam_level=0,
        recent_contributions=6,
        last_contribution=ago(5),
    )
    ev = evaluate(f, TODAY)
    assert ev.cost_per_year == 120.0
    assert ev.value == round(20 * math.sqrt(20) * (1 - 0.5 * 0.12), 1)
    assert ev.group_activity == 100.0
    assert ev.participation == 50.0
    assert ev.activity == 75.0
    assert ev.flags == ()


def test_group_facts_keeps_its_first_fifteen_fields_in_order_for_positional_construction() -> None:
    names = [f.name for f in fields(GroupFacts)]
    assert names[:15] == [
        "status",
        "how_joined",
        "invite_personal",
        "joined_on",
        "cost_amount",
        "cost_period",
        "emails_per_week",
        "last_group_activity",
        "posts_per_week",
        "value_to_me",
        "value_from_me",
        "spam_level",
        "review_on",
        "recent_contributions",
        "last_contribution",
    ]
    f = GroupFacts(
        "member", None, None, ago(1), None, None, None, None, None, 4, 3, None, None, 2, ago(1)
    )  # the way the store builds it
    assert (f.value_to_me, f.value_from_me, f.recent_contributions) == (4, 3, 2)
    assert f.hours_per_month is None
    assert f.commitment_per_month is None
    assert f.unserved_topics == frozenset()


# ---------------------------------------------------------------- the words the user sees


def test_every_flag_has_a_sentence_and_a_label() -> None:
    assert set(FLAG_SENTENCES) == set(FLAG_LABELS) == set(FLAG_ORDER)
    for flag in FLAG_ORDER:
        sentence = flag_sentence(flag)
        assert "{" not in sentence
        assert sentence.endswith(".")


def test_sentences_and_tooltips_carry_the_thresholds_in_force() -> None:
    t = Thresholds(dead_after_days=120, clutter_emails_per_week=12.5, participation_window_days=30)
    assert "120 days" in flag_sentence("dead", t)
    assert "12.5 e-mails" in flag_sentence("clutter", t)
    assert "7 e-mails" in flag_sentence("clutter")
    assert "60+" in flag_sentence("lurking")
    for template in (VALUE_TOOLTIP, ACTIVITY_TOOLTIP, GROUP_ACTIVITY_TOOLTIP, PARTICIPATION_TOOLTIP):
        text = explain(template, t)
        assert "{" not in text
    assert "30 days" in explain(ACTIVITY_TOOLTIP, t)
    assert "120 days" in explain(GROUP_ACTIVITY_TOOLTIP, t)
