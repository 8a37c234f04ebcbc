"""GroupDesk's rules and the recommendation every group gets (Qt-free, DB-free).

Each rule is one predicate function registered with ``@rule(id, sentence)``: the id is stable (it is
stored in Decision rows) and the sentence is what the user sees. ``recommend`` runs the decision
table below over one group's facts, its computed scores (``groupdesk.domain.scores``) and, for the
join wizard, the user's answers (``JoinAnswers``), and returns an action with its reasons.

Words used below: *give* and *get* are the 0–5 ratings (value_from_me, value_to_me); *Value* is the
0–100 score after spam, money and mail reductions; *base value* is 20·√(give·get) before them;
*wants it* means you named something specific you want, or the base value is at least ``low_value``;
*unserved topic* means the group's tags (or your words for what you want) match a topic that
``start_own_after_groups`` or more declined or left groups share (``unserved_topics``). Numbers are
the defaults of ``groupdesk.domain.thresholds.Thresholds``.

Decision table — the first row that matches decides; the reasons list the rules that spoke.

Left or declined groups:
  D1. already left or declined -> decline (settled: nothing to do)

Invitations and groups you consider (invited, considering):
  J1. give is 0, no time, no interest, or a commitment of 0 contributions a month -> decline
  J2. get is 0, dead, spam, costly, heavy hours it does not earn, mail clutter, or Value under 40
      -> start_own when you want it and the group is dead (not spam) or its topic is unserved;
      otherwise decline
  J3. give or get unrated, or time, interest and commitment unknown -> undecided (names what is missing)
  J4. value both ways, you take part, Value 40-59, mass invitation or health unknown -> trial
  J5. value both ways, you take part, Value 60+, personal invitation, known alive -> join
  The five bad reasons never count for joining: they are listed so you see they were not counted.

Memberships (trial, member, muted, leaving):
  M1. you already decided to leave -> leave
  M2. no time or no interest (from your answers) -> leave
  M3. dead and spam -> leave
  M4. dead -> start_own when you want it (you value what it was for), else leave
  M5. on trial or committed, review due, and you did not take part as committed -> leave
  M6. give or get unrated -> leave if spam, or if someone put you in it and you never take part;
      otherwise undecided (names what is missing)
  M7. give or get is 0 -> leave (for an unasked group: a quiet exit is fine)
  M8. spam -> mute when Value is 40+, else leave
  M9. costly or heavy hours it does not earn -> leave when Value is under 40; engage when you do
      not take part (taking part may earn it); else leave
  M10. empty belonging (lurking) -> engage when Value is 40+, else leave
  M11. mail clutter -> mute when Value is 20+, else leave
  M12. Value under 20 -> leave
  M13. Value 20-39 -> mute
  M14. otherwise -> keep
  In M8, M9 and M11 a leave becomes start_own when you want it and its topic is unserved.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from groupdesk.domain.scores import Evaluation, GroupFacts, evaluate, two_way_value
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import MEMBER_STATUSES, PENDING_STATUSES

#: Every action a recommendation can carry.
ALLOWED_ACTIONS = ("join", "decline", "trial", "keep", "engage", "mute", "leave", "start_own", "undecided")
#: Actions for invitations and groups being considered (and left/declined groups).
PENDING_ACTIONS = frozenset({"join", "decline", "trial", "start_own", "undecided"})
#: Actions for groups I belong to.
MEMBER_ACTIONS = frozenset({"keep", "engage", "mute", "leave", "start_own", "undecided"})
#: Statuses of groups I no longer consider.
CLOSED_STATUSES = frozenset({"left", "declined"})

ACTION_SENTENCES: dict[str, str] = {
    "join": "Join: value flows both ways and you have the time and interest to take part.",
    "decline": "Decline: it would not be worth it, for you or for the group.",
    "trial": "Join on trial: try it, take part, and review it in 30 days.",
    "keep": "Keep: it earns its place.",
    "engage": "Engage: it is worth taking part in; commit to contributing and review it in 60 days.",
    "mute": "Mute: stay, but silence its mail and notifications.",
    "leave": "Leave: it does not earn its place. A quiet exit is fine.",
    "start_own": "Start your own: what you want is not served here; start and lead a group that serves it.",
    "undecided": "Undecided: GroupDesk needs a few more answers first.",
}

#: Days until the next review after a decision (None: no review).
REVIEW_DAYS: dict[str, int] = {
    "join": 90,
    "trial": 30,
    "engage": 60,
    "keep": 180,
    "mute": 180,
    "start_own": 90,
}

#: The five bad reasons to join, in the order the wizard shows them.
BAD_REASONS: tuple[str, ...] = (
    "only_invited",
    "only_industry",
    "only_peers",
    "added_by_someone",
    "only_to_belong",
)
#: Checkbox labels of the five bad reasons (the wizard's "why are you considering it" page).
BAD_REASON_LABELS: dict[str, str] = {
    "only_invited": "I was invited",
    "only_industry": "It is my industry",
    "only_peers": "My peers are in it",
    "added_by_someone": "Someone put me in it",
    "only_to_belong": "I want to belong",
}


@dataclass(frozen=True)
class Reason:
    """One rule that spoke: its stable id and the sentence the user sees."""

    rule_id: str
    sentence: str


@dataclass
class Recommendation:
    """What to do with a group, and why."""

    action: str
    reasons: list[Reason]

    @property
    def rule_ids(self) -> list[str]:
        """The ids of the reasons, in order (what a Decision row stores)."""
        return [r.rule_id for r in self.reasons]


@dataclass
class JoinAnswers:
    """The join wizard's answers; None (or empty) means "not answered"."""

    inviter: str = ""
    invite_personal: bool | None = None
    #: Ids of the bad reasons ticked (subset of ``BAD_REASONS``).
    bad_reasons: set[str] = field(default_factory=set)
    #: "Something specific I want from it", in the user's words.
    specific_want: str = ""
    #: What I will give (0–5).
    give: int | None = None
    #: What I will get (0–5).
    get: int | None = None
    alive: bool | None = None
    spam: bool | None = None
    cost_amount: float | None = None
    cost_period: str | None = None
    hours_per_month: float | None = None
    emails_per_week: float | None = None
    #: Contributions a month I commit to.
    commitment_per_month: int | None = None
    has_time: bool | None = None
    interested: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (for ``Decision.answers``); bad reasons as a sorted list."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["bad_reasons"] = sorted(self.bad_reasons)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JoinAnswers:
        """Rebuild answers from ``to_dict`` output; unknown keys are ignored."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["bad_reasons"] = set(known.get("bad_reasons") or ())
        return cls(**known)


# ---------------------------------------------------------------- the situation the rules look at


@dataclass(frozen=True)
class Situation:
    """Everything the rules look at for one group: facts, scores and answers, merged and clamped."""

    #: "pending" (invited, considering, unknown), "member" (trial, member, muted, leaving) or "closed".
    kind: str
    status: str | None
    how_joined: str | None
    give: int | None
    get: int | None
    base_value: float | None
    value: float | None
    yearly_cost: float
    hours_per_month: float | None
    flags: frozenset[str]
    #: Whether anything is known about the group's life (dates, posts per week, or an answer).
    health_known: bool
    has_time: bool | None
    interested: bool | None
    commitment: int | None
    recent_contributions: int
    bad_reasons: frozenset[str]
    specific_want: str
    #: The group's topics (and words of what I want) that several declined/left groups share.
    unserved: frozenset[str]


def _kind(status: str | None) -> str:
    if status in MEMBER_STATUSES:
        return "member"
    if status in CLOSED_STATUSES:
        return "closed"
    return "pending"


def _clamp_rating(value: int | None) -> int | None:
    return None if value is None else min(max(int(value), 0), 5)


def apply_answers(facts: GroupFacts, answers: JoinAnswers, t: Thresholds = DEFAULT_THRESHOLDS) -> GroupFacts:
    """The facts with the wizard's answers laid over them (answers win where given)."""
    changes: dict[str, Any] = {}
    pairs = (
        ("invite_personal", answers.invite_personal),
        ("value_from_me", answers.give),
        ("value_to_me", answers.get),
        ("cost_amount", answers.cost_amount),
        ("cost_period", answers.cost_period),
        ("hours_per_month", answers.hours_per_month),
        ("emails_per_week", answers.emails_per_week),
        ("commitment_per_month", answers.commitment_per_month),
    )
    for name, value in pairs:
        if value is not None:
            changes[name] = value
    spam_level = facts.spam_level or 0
    if answers.spam is True and spam_level < t.spam_flag_level:
        changes["spam_level"] = t.spam_flag_level
    elif answers.spam is False and spam_level >= t.spam_flag_level:
        changes["spam_level"] = 0
    return replace(facts, **changes)


def situation(
    facts: GroupFacts,
    evaluation: Evaluation,
    today: date,
    t: Thresholds = DEFAULT_THRESHOLDS,
    answers: JoinAnswers | None = None,
) -> Situation:
    """Merge facts, scores and answers into what the rules look at.

    With answers the scores are recomputed from the merged facts, and "is it alive" / "is it spam"
    override the dead and spam flags.
    """
    if answers is not None:
        facts = apply_answers(facts, answers, t)
        evaluation = evaluate(facts, today, t)
    flags = set(evaluation.flags)
    health_known = (
        facts.last_group_activity is not None
        or facts.posts_per_week is not None
        or facts.last_contribution is not None
    )
    has_time = interested = None
    bad: frozenset[str] = frozenset()
    want = ""
    if answers is not None:
        if answers.alive is False:
            flags.add("dead")
        elif answers.alive is True:
            flags.discard("dead")
        if answers.spam is False:
            flags.discard("spam")
        health_known = health_known or answers.alive is not None
        has_time, interested = answers.has_time, answers.interested
        bad = frozenset(answers.bad_reasons) & frozenset(BAD_REASONS)
        want = (answers.specific_want or "").strip()
    commitment = facts.commitment_per_month
    if commitment is not None:
        commitment = max(0, int(commitment))
    topics = set(split_tags(facts.tags))
    want_text = want.casefold()
    for topic in facts.unserved_topics:
        if want_text and re.search(rf"(?<!\w){re.escape(topic)}(?!\w)", want_text):
            topics.add(topic)
    give, get = _clamp_rating(facts.value_from_me), _clamp_rating(facts.value_to_me)
    return Situation(
        kind=_kind(facts.status),
        status=facts.status,
        how_joined=facts.how_joined,
        give=give,
        get=get,
        base_value=two_way_value(give, get),
        value=evaluation.value,
        yearly_cost=evaluation.cost_per_year,
        hours_per_month=facts.hours_per_month,
        flags=frozenset(flags),
        health_known=health_known,
        has_time=has_time,
        interested=interested,
        commitment=commitment,
        recent_contributions=max(0, facts.recent_contributions or 0),
        bad_reasons=bad,
        specific_want=want,
        unserved=frozenset(topics) & frozenset(facts.unserved_topics),
    )


# ---------------------------------------------------------------- the rules

Predicate = Callable[[Situation, Thresholds], bool]
_TEMPLATES: dict[str, str] = {}
RULE_FUNCTIONS: dict[str, Predicate] = {}


def rule(rule_id: str, sentence: str) -> Callable[[Predicate], Predicate]:
    """Register a rule: its stable id, the sentence the user sees, and its predicate."""

    def register(fn: Predicate) -> Predicate:
        if rule_id in _TEMPLATES:
            raise ValueError(f"duplicate rule id {rule_id}")
        _TEMPLATES[rule_id] = sentence
        RULE_FUNCTIONS[rule_id] = fn
        return fn

    return register


def rule_sentence(rule_id: str, t: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """The sentence of a rule with the thresholds in force filled in."""
    return _TEMPLATES[rule_id].format(**t.__dict__)


@lru_cache(maxsize=1024)
def _cached_reason(rule_id: str, t: Thresholds) -> Reason:
    return Reason(rule_id, rule_sentence(rule_id, t))


def reason(rule_id: str, t: Thresholds = DEFAULT_THRESHOLDS) -> Reason:
    """The Reason for a rule id (shared: reasons are immutable)."""
    if t is DEFAULT_THRESHOLDS:
        found = _DEFAULT_REASONS.get(rule_id)
        if found is None:
            found = _DEFAULT_REASONS[rule_id] = Reason(rule_id, rule_sentence(rule_id, t))
        return found
    return _cached_reason(rule_id, t)


_DEFAULT_REASONS: dict[str, Reason] = {}


def check(rule_id: str, s: Situation, t: Thresholds = DEFAULT_THRESHOLDS) -> Reason | None:
    """Run one rule: its Reason when it applies, else None."""
    return reason(rule_id, t) if RULE_FUNCTIONS[rule_id](s, t) else None


# The five bad reasons -------------------------------------------------------------


@rule("only_invited", "Being invited is not a reason to join: an invitation says nothing about its value.")
def only_invited(s: Situation, t: Thresholds) -> bool:
    """Considering it only because I was invited."""
    return "only_invited" in s.bad_reasons


@rule(
    "only_industry",
    "It being your industry is not a reason to join: what counts is what you give and what you get.",
)
def only_industry(s: Situation, t: Thresholds) -> bool:
    """Considering it only because it is my industry."""
    return "only_industry" in s.bad_reasons


@rule("only_peers", "Your peers being in it is not a reason to join: their reasons are not yours.")
def only_peers(s: Situation, t: Thresholds) -> bool:
    """Considering it only because my peers are in it."""
    return "only_peers" in s.bad_reasons


@rule(
    "added_by_someone",
    "Someone put you in it without asking: leaving is fine, and nobody is offended by a quiet exit.",
)
def added_by_someone(s: Situation, t: Thresholds) -> bool:
    """Someone added me (how_joined), or I ticked it in the wizard."""
    return "added_by_someone" in s.bad_reasons or s.how_joined == "added_by_someone"


@rule("only_to_belong", "Wanting to belong is not a reason to join: belonging comes from taking part.")
def only_to_belong(s: Situation, t: Thresholds) -> bool:
    """Considering it only to belong."""
    return "only_to_belong" in s.bad_reasons


# Two-way value ----------------------------------------------------------------------


@rule(
    "two_way_value",
    "Value must flow both ways: you give to the group and it gives to you. Both, or don't join; "
    "here one of them is nothing.",
)
def two_way_value_fails(s: Situation, t: Thresholds) -> bool:
    """What I give or what I get is rated 0."""
    return s.give == 0 or s.get == 0


@rule("value_flows", "Value flows both ways: you give to the group and it gives to you.")
def value_flows(s: Situation, t: Thresholds) -> bool:
    """Both give and get are rated above 0."""
    return bool(s.give) and bool(s.get)


@rule(
    "modest_value",
    "Value flows both ways, but modestly (Value under {join_value_min}): try it before you commit.",
)
def modest_value(s: Situation, t: Thresholds) -> bool:
    """Value between ``low_value`` and ``join_value_min``."""
    return s.value is not None and t.low_value <= s.value < t.join_value_min


@rule("low_value", "Too little value flows between you and the group (Value under {low_value}).")
def low_value(s: Situation, t: Thresholds) -> bool:
    """Value (after spam, money and mail) under ``low_value``, with both ratings above 0."""
    return value_flows(s, t) and s.value is not None and s.value < t.low_value


@rule(
    "some_value",
    "Some value flows (Value {mute_value_min}–{low_value}), not enough to deserve your attention: "
    "keep it quiet.",
)
def some_value(s: Situation, t: Thresholds) -> bool:
    """Value between ``mute_value_min`` and ``low_value``."""
    return s.value is not None and t.mute_value_min <= s.value < t.low_value


@rule("unrated", "Rate what you give and what you get (0–5 each).")
def unrated(s: Situation, t: Thresholds) -> bool:
    """Give or get is not rated yet."""
    return s.give is None or s.get is None


# Time and interest ------------------------------------------------------------------


@rule("no_time", "You have no time to take part: don't join.")
def no_time(s: Situation, t: Thresholds) -> bool:
    """I said I have no time for it."""
    return s.has_time is False


@rule("no_interest", "You have no interest in taking part: don't join.")
def no_interest(s: Situation, t: Thresholds) -> bool:
    """I said I am not interested in taking part."""
    return s.interested is False


@rule(
    "empty_belonging",
    "Empty belonging: a membership you do not take part in is worth nothing to you or to the group.",
)
def empty_belonging(s: Situation, t: Thresholds) -> bool:
    """A member without taking part (the lurking flag), or a commitment of 0 contributions a month."""
    return s.commitment == 0 or (s.kind == "member" and "lurking" in s.flags)


@rule("takes_part", "You have the time and interest to take part.")
def takes_part(s: Situation, t: Thresholds) -> bool:
    """Time and interest both yes, or a commitment of 1+ a month with neither answered no."""
    if s.has_time is False or s.interested is False or s.commitment == 0:
        return False
    return (s.has_time is True and s.interested is True) or (s.commitment or 0) >= 1


@rule(
    "participation_unknown",
    "Say whether you have the time and interest to take part, and how often you will "
    "(contributions a month).",
)
def participation_unknown(s: Situation, t: Thresholds) -> bool:
    """Neither a no nor enough yes to know that I will take part."""
    return not (no_time(s, t) or no_interest(s, t) or s.commitment == 0 or takes_part(s, t))


@rule("participating", "You take part in it (contributions in the last {participation_window_days} days).")
def participating(s: Situation, t: Thresholds) -> bool:
    """I contributed in the participation window."""
    return s.recent_contributions > 0


@rule(
    "new_member",
    "You joined recently: take part within {lurking_after_days} days, or it becomes empty belonging.",
)
def new_member(s: Situation, t: Thresholds) -> bool:
    """A member without contributions yet who is not lurking (joined recently)."""
    return s.kind == "member" and s.recent_contributions == 0 and "lurking" not in s.flags


@rule(
    "commitment_lapsed",
    "You committed to take part (on trial, or engaged) and did not by the review date: let it go.",
)
def commitment_lapsed(s: Situation, t: Thresholds) -> bool:
    """On trial or committed, the review is due, and contributions fell short of one month's commitment."""
    committed = s.status == "trial" or (s.commitment or 0) >= 1
    return (
        s.kind == "member"
        and committed
        and "review_due" in s.flags
        and s.recent_contributions < max(1, s.commitment or 0)
    )


# Health ----------------------------------------------------------------------------


@rule("dead", "It is dead: no activity for {dead_after_days} days or more.")
def dead(s: Situation, t: Thresholds) -> bool:
    """The dead flag (or I said it is not alive)."""
    return "dead" in s.flags


@rule("spam", "It carries mostly spam or sales pitches.")
def spam(s: Situation, t: Thresholds) -> bool:
    """The spam flag (or I said it is spam)."""
    return "spam" in s.flags


@rule(
    "mail_clutter",
    "It clutters your mail: more than {clutter_emails_per_week:g} e-mails a week for the little it gives.",
)
def mail_clutter(s: Situation, t: Thresholds) -> bool:
    """The clutter flag."""
    return "clutter" in s.flags


@rule("health_unknown", "You don't know yet whether it is alive: try it before you commit.")
def health_unknown(s: Situation, t: Thresholds) -> bool:
    """Nothing is known about the group's life."""
    return not s.health_known


# Money and hours -------------------------------------------------------------------


@rule(
    "costly",
    "It costs money and does not earn it: a group that costs money must earn it (Value {costly_value_min}+).",
)
def costly(s: Situation, t: Thresholds) -> bool:
    """The costly flag with Value known (unrated costs are not judged yet)."""
    return "costly" in s.flags and s.value is not None


@rule(
    "costs_hours",
    "It takes {heavy_hours_per_month:g}+ hours a month and does not earn them: hours are a cost too "
    "(Value {costly_value_min}+).",
)
def costs_hours(s: Situation, t: Thresholds) -> bool:
    """Heavy hours a month with a known Value under ``costly_value_min``."""
    return (
        s.hours_per_month is not None
        and s.hours_per_month >= t.heavy_hours_per_month
        and s.value is not None
        and s.value < t.costly_value_min
    )


# Invitations -----------------------------------------------------------------------


@rule("mass_invite", "The invitation was not personal: a mass invitation is a warning sign.")
def mass_invite(s: Situation, t: Thresholds) -> bool:
    """The invitation is known not to be personal."""
    return "mass_invite" in s.flags


# Start your own --------------------------------------------------------------------


def wants_it(s: Situation, t: Thresholds) -> bool:
    """I named something specific I want, or I value what the group is for (base value ≥ low_value)."""
    return bool(s.specific_want) or (s.base_value is not None and s.base_value >= t.low_value)


@rule(
    "start_own_unserved",
    "Other groups on this topic did not serve you either: what you want is not served by the groups "
    "you are offered. Start and lead your own.",
)
def start_own_unserved(s: Situation, t: Thresholds) -> bool:
    """I want it and its topic is one several declined or left groups share."""
    return wants_it(s, t) and bool(s.unserved)


@rule(
    "start_own_dead",
    "You value what this group was for, but it is dead: start and lead your own (or revive this one).",
)
def start_own_dead(s: Situation, t: Thresholds) -> bool:
    """Dead (not spam) and I want what it was for."""
    return dead(s, t) and not spam(s, t) and wants_it(s, t)


# Where you stand -------------------------------------------------------------------


@rule("settled", "You already left or declined it: nothing to do.")
def settled(s: Situation, t: Thresholds) -> bool:
    """The group is left or declined."""
    return s.kind == "closed"


@rule("decided_to_leave", "You decided to leave it: leave on the platform, then mark it left.")
def decided_to_leave(s: Situation, t: Thresholds) -> bool:
    """Status is leaving."""
    return s.status == "leaving"


#: Rule id -> sentence with the default thresholds (for "How GroupDesk decides" and the README).
RULES: dict[str, str] = {rule_id: rule_sentence(rule_id) for rule_id in _TEMPLATES}

#: The rules grouped as the issue and the README present them.
RULE_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Five bad reasons to join", BAD_REASONS),
    ("Two-way value", ("two_way_value", "value_flows", "modest_value", "low_value", "some_value", "unrated")),
    (
        "Time and interest",
        (
            "no_time",
            "no_interest",
            "takes_part",
            "participation_unknown",
            "empty_belonging",
            "participating",
            "new_member",
            "commitment_lapsed",
        ),
    ),
    ("Health", ("dead", "spam", "mail_clutter", "health_unknown")),
    ("Money and hours", ("costly", "costs_hours")),
    ("Invitations", ("mass_invite",)),
    ("Start your own", ("start_own_unserved", "start_own_dead")),
    ("Where you stand", ("settled", "decided_to_leave")),
)


# ---------------------------------------------------------------- topics


_TAG_SPLIT = re.compile(r"[,;]")


def split_tags(text: str | None) -> list[str]:
    """The topics of a tags field: split on commas and semicolons, trimmed, case-folded, unique."""
    out: list[str] = []
    for part in _TAG_SPLIT.split(text or ""):
        tag = " ".join(part.split()).lstrip("#").casefold()
        if tag and tag not in out:
            out.append(tag)
    return out


def unserved_topics(
    groups: Iterable[tuple[str | None, str | None]], t: Thresholds = DEFAULT_THRESHOLDS
) -> frozenset[str]:
    """Topics that ``start_own_after_groups`` or more declined, left or leaving groups share.

    Args:
        groups: ``(status, tags)`` of every group.
        t: thresholds.

    Returns:
        The case-folded topics; put them in ``GroupFacts.unserved_topics``.
    """
    counts: Counter[str] = Counter()
    for status, tags in groups:
        if status in CLOSED_STATUSES or status == "leaving":
            counts.update(split_tags(tags))
    return frozenset(topic for topic, n in counts.items() if n >= t.start_own_after_groups)


# ---------------------------------------------------------------- the decision table


def _reasons(s: Situation, t: Thresholds, ids: Iterable[str]) -> list[Reason]:
    """Reasons for the ids whose rules apply, in order, without duplicates."""
    return [reason(rule_id, t) for rule_id in dict.fromkeys(ids) if RULE_FUNCTIONS[rule_id](s, t)]


def _pending(s: Situation, t: Thresholds) -> Recommendation:
    bad = _reasons(s, t, BAD_REASONS)
    # Failures on my side (I would give nothing, have no time or interest) and on the group's side.
    on_me = _reasons(s, t, ("no_time", "no_interest", "empty_belonging"))
    on_group = _reasons(s, t, ("dead", "spam", "costly", "costs_hours", "mail_clutter", "low_value"))
    if s.give == 0:
        on_me.insert(0, reason("two_way_value", t))
    elif s.get == 0:
        on_group.insert(0, reason("two_way_value", t))
    warnings = _reasons(s, t, ("mass_invite",))
    if on_me:  # J1
        return Recommendation("decline", on_me + on_group + warnings + bad)
    if on_group:  # J2
        own = _reasons(s, t, ("start_own_dead", "start_own_unserved"))
        if own:
            return Recommendation("start_own", [*on_group, own[0], *bad])
        return Recommendation("decline", on_group + warnings + bad)
    missing = _reasons(s, t, ("unrated", "participation_unknown"))
    if missing:  # J3
        return Recommendation("undecided", missing + warnings + bad)
    good = _reasons(s, t, ("value_flows", "takes_part"))
    cautions = _reasons(s, t, ("modest_value", "mass_invite", "health_unknown"))
    if cautions:  # J4
        return Recommendation("trial", good + cautions + bad)
    return Recommendation("join", good + bad)  # J5


def _member(s: Situation, t: Thresholds) -> Recommendation:
    bad = _reasons(s, t, BAD_REASONS)

    def leave(*ids: str) -> Recommendation:
        return Recommendation("leave", [reason(i, t) for i in ids] + bad)

    def leave_or_start_own(*ids: str) -> Recommendation:
        if start_own_unserved(s, t):
            return Recommendation("start_own", [reason(i, t) for i in (*ids, "start_own_unserved")])
        return leave(*ids)

    if decided_to_leave(s, t):  # M1
        return leave("decided_to_leave")
    answered_no = [i for i in ("no_time", "no_interest") if RULE_FUNCTIONS[i](s, t)]
    if answered_no:  # M2
        return leave(*answered_no)
    if dead(s, t):  # M3, M4
        if spam(s, t):
            return leave("dead", "spam")
        if start_own_dead(s, t):
            return Recommendation("start_own", [reason("dead", t), reason("start_own_dead", t)])
        return leave("dead")
    if commitment_lapsed(s, t):  # M5
        return leave("commitment_lapsed")
    lurking = empty_belonging(s, t)
    if unrated(s, t):  # M6
        if spam(s, t):
            return leave("spam")
        if added_by_someone(s, t) and lurking:
            return leave("empty_belonging")
        info = _reasons(s, t, ("empty_belonging",))
        return Recommendation("undecided", [reason("unrated", t), *info, *bad])
    if two_way_value_fails(s, t):  # M7
        return leave("two_way_value")
    value = s.value if s.value is not None else 0.0
    if spam(s, t):  # M8
        if value >= t.low_value:
            return Recommendation("mute", [reason("spam", t), reason("value_flows", t)])
        return leave_or_start_own("spam", "low_value")
    money = [i for i in ("costly", "costs_hours") if RULE_FUNCTIONS[i](s, t)]
    if money:  # M9
        if value < t.low_value:
            return leave_or_start_own(*money, "low_value")
        if lurking:
            return Recommendation("engage", [reason(i, t) for i in (*money, "empty_belonging")])
        return leave_or_start_own(*money)
    if lurking:  # M10
        if value >= t.low_value:
            return Recommendation("engage", [reason("empty_belonging", t), reason("value_flows", t)])
        return leave("empty_belonging", "low_value")
    if mail_clutter(s, t):  # M11
        if value >= t.mute_value_min:
            return Recommendation("mute", [reason("mail_clutter", t), reason("some_value", t)])
        return leave_or_start_own("mail_clutter", "low_value")
    if value < t.mute_value_min:  # M12
        return leave("low_value")
    if value < t.low_value:  # M13
        return Recommendation("mute", [reason("some_value", t)])
    return Recommendation("keep", _reasons(s, t, ("value_flows", "participating", "new_member")))  # M14


def recommend(
    facts: GroupFacts,
    evaluation: Evaluation,
    today: date,
    t: Thresholds = DEFAULT_THRESHOLDS,
    answers: JoinAnswers | None = None,
) -> Recommendation:
    """The recommendation for any group, by the decision table of this module.

    Args:
        facts: the group's facts.
        evaluation: ``evaluate(facts, today, t)`` (recomputed here when ``answers`` are given).
        today: the day to judge on.
        t: thresholds.
        answers: the join wizard's answers, if any.

    Returns:
        An action from ``ALLOWED_ACTIONS`` — from ``PENDING_ACTIONS`` for invitations, groups being
        considered and left/declined groups, from ``MEMBER_ACTIONS`` for memberships — with at
        least one reason.
    """
    s = situation(facts, evaluation, today, t, answers)
    if s.kind == "closed":  # D1
        return Recommendation("decline", [reason("settled", t)])
    if s.kind == "member":
        return _member(s, t)
    return _pending(s, t)


def recommend_join(
    answers: JoinAnswers,
    facts: GroupFacts | None = None,
    today: date | None = None,
    t: Thresholds = DEFAULT_THRESHOLDS,
) -> Recommendation:
    """The join wizard's recommendation: the answers over what the app knows of the group.

    The group is judged as an invitation whatever its stored status (the wizard decides joining).
    """
    today = today or date.today()
    base = facts if facts is not None else GroupFacts(status="considering")
    if base.status not in PENDING_STATUSES:
        base = replace(base, status="considering")
    return recommend(base, evaluate(base, today, t), today, t, answers)


def decision_table_text() -> str:
    """The decision table of this module's docstring, for "How GroupDesk decides" in the UI."""
    doc = __doc__ or ""
    return doc[doc.index("Decision table") :].strip()


def review_date(action: str, today: date) -> date | None:
    """When to review a group after deciding ``action`` (None: no review)."""
    days = REVIEW_DAYS.get(action)
    return today + timedelta(days=days) if days is not None else None
