"""The printed clean-up plan: which groups to leave, mute, engage with, decide on, or replace (Qt-free).

``build_plan`` turns plain ``PlanItem``s (built by ``groupdesk.store.plan_data`` or by hand) into a
``Plan`` with six sections, in this order: Leave, Mute, Engage, Decide on invitations, Start your
own, Totals. ``plan_to_html``, ``plan_to_csv`` and ``plan_to_text`` write it out; ``groupdesk.ui.
plan_print`` renders the HTML to paper and PDF.

Where a group goes — each group appears at most once:

- left or declined groups are done: not in the plan;
- status *leaving* (you decided to leave) → Leave;
- otherwise your latest decision counts (it is yours), unless its review date has come, or it does not
  fit where the group stands (a *join* decision about a group you are already in); then GroupDesk's
  recommendation counts;
- invitations and groups you consider → Decide on invitations (Start your own when that is the
  advice);
- memberships: leave → Leave, mute → Mute (unless already muted), engage → Engage,
  start_own → Start your own; keep and undecided are not part of a clean-up.

Totals, if the plan is carried out: leaving a group saves its money, hours and e-mails; muting saves
its e-mails. Groups before = the groups you belong to now; after = before − the ones you leave + the
invitations GroupDesk advises to join (or try).
"""

from __future__ import annotations

import csv
import html
import io
import textwrap
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from groupdesk.domain.leave_steps import PLATFORMS, GroupSteps, format_money, steps_for
from groupdesk.domain.leave_steps import format_number as _number
from groupdesk.domain.rules import ACTION_SENTENCES, CLOSED_STATUSES, review_date
from groupdesk.domain.vocab import MEMBER_STATUSES, NETWORKS, PENDING_STATUSES, STATUSES

#: Section keys and headings, in the printed order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("leave", "Leave"),
    ("mute", "Mute"),
    ("engage", "Engage"),
    ("invitations", "Decide on invitations"),
    ("start_own", "Start your own"),
    ("totals", "Totals"),
)
SECTION_HEADINGS: dict[str, str] = dict(SECTIONS)

SECTION_INTROS: dict[str, str] = {
    "leave": "These groups do not earn their place. A quiet exit is fine: nobody needs a reason.",
    "mute": "Worth staying in, but not worth the noise: silence their mail and notifications.",
    "engage": "Worth taking part in. Keep the commitment, and look again on the review date.",
    "invitations": "Being invited is not a reason to join. Join only where value flows both ways "
    "and you have the time and interest to take part.",
    "start_own": "What you want is not served by these groups. Start and lead a group that serves it.",
    "totals": "What carrying out this plan saves you.",
}

#: The advice printed for an invitation.
ADVICE_LABELS: dict[str, str] = {
    "join": "Join",
    "trial": "Join on trial",
    "decline": "Decline",
    "undecided": "Undecided: answer the join questions first",
    "start_own": "Start your own",
}
_ADVICE_ORDER = {"join": 0, "trial": 1, "undecided": 2, "decline": 3}
#: Contributions a month suggested for an Engage decision that has no commitment yet.
SUGGESTED_COMMITMENT = 2
_MEMBER_DECISIONS = frozenset({"keep", "engage", "mute", "leave", "start_own"})
_PENDING_DECISIONS = frozenset({"join", "trial", "decline", "start_own"})
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_PLATFORM_ORDER = {key: i for i, key in enumerate(PLATFORMS)}


@dataclass
class PlanItem:
    """One group as the plan needs it (built by ``groupdesk.store.plan_data``, or by hand in tests)."""

    name: str
    network: str = "other"
    status: str | None = "member"
    #: GroupDesk's recommendation (an action of ``groupdesk.domain.rules.ALLOWED_ACTIONS``).
    recommendation: str = "undecided"
    #: The recommendation's reasons, as the sentences the user sees.
    reasons: Sequence[str] = ()
    #: The latest decision in the journal (its action), if any.
    decision: str | None = None
    decided_on: date | None = None
    #: The latest decision's reasons, as sentences.
    decision_reasons: Sequence[str] = ()
    id: int | None = None
    url: str | None = None
    external_id: str | None = None
    #: Money the group costs per year (0 when free or unknown).
    cost_per_year: float = 0.0
    currency: str | None = None
    hours_per_month: float | None = None
    emails_per_week: float | None = None
    commitment_per_month: int | None = None
    review_on: date | None = None
    invited_by: str | None = None
    tags: str | None = None
    notes: str | None = None
    #: The List-Unsubscribe targets of the group's mail (``mailto:``/``https:``), when known.
    list_unsubscribe: Sequence[str] = ()


@dataclass
class PlanEntry:
    """One group in one section of the plan."""

    item: PlanItem
    section: str
    #: The action the entry carries out (``leave``, ``mute``, ``engage``, ``join``, ...).
    action: str
    #: Why, in GroupDesk's words.
    reasons: tuple[str, ...]
    #: True when the action is the user's own journalled decision (not GroupDesk's advice).
    decided: bool = False
    #: How to leave or mute it (Leave and Mute only).
    how: GroupSteps | None = None
    #: Contributions a month (Engage only).
    commitment: int | None = None
    #: True when ``commitment`` is a suggestion (nothing was committed yet).
    commitment_suggested: bool = False
    #: When to look at the group again (Engage, trial).
    review_on: date | None = None


@dataclass
class PlanSection:
    """A section of the plan with its entries in printed order."""

    key: str
    heading: str
    intro: str
    entries: list[PlanEntry] = field(default_factory=list)


@dataclass
class Totals:
    """What carrying out the plan saves, and the number of groups before and after."""

    #: Currency code ("" when not given) → money saved per year.
    money_saved_per_year: dict[str, float]
    hours_saved_per_month: float
    emails_saved_per_week: float
    groups_before: int
    groups_after: int
    #: Currency code → money a year the invitations advised to join would add.
    money_added_per_year: dict[str, float] = field(default_factory=dict)
    hours_added_per_month: float = 0.0


@dataclass
class Plan:
    """The whole clean-up plan: header facts, the five group sections and the totals."""

    title: str
    today: date
    filters_description: str
    #: Leave, Mute, Engage, Decide on invitations, Start your own (always all five, in order).
    sections: list[PlanSection]
    totals: Totals

    def section(self, key: str) -> PlanSection:
        """The section with ``key``."""
        return next(s for s in self.sections if s.key == key)

    def entries(self) -> Iterable[PlanEntry]:
        """Every entry, in printed order."""
        for s in self.sections:
            yield from s.entries

    @property
    def group_count(self) -> int:
        """How many groups the plan lists."""
        return sum(len(s.entries) for s in self.sections)


# ---------------------------------------------------------------- building


def _governing_action(item: PlanItem, today: date) -> tuple[str, bool]:
    """The action that counts for a group and whether it is the user's own decision."""
    if item.status == "leaving":
        return "leave", item.decision == "leave"
    review_due = item.review_on is not None and item.review_on <= today
    allowed = _PENDING_DECISIONS if item.status in PENDING_STATUSES else _MEMBER_DECISIONS
    if item.decision in allowed and not review_due:
        return item.decision, True
    return item.recommendation, False


def place(item: PlanItem, today: date) -> tuple[str, str, bool] | None:
    """Where a group goes: (section key, action, is the user's decision), or None when not in the plan."""
    if item.status in CLOSED_STATUSES:
        return None
    action, decided = _governing_action(item, today)
    if item.status in MEMBER_STATUSES:
        if action == "mute" and item.status == "muted":
            return None
        if action in ("leave", "mute", "engage", "start_own"):
            return action, action, decided
        return None
    if action == "start_own":
        return "start_own", action, decided
    return "invitations", action, decided


def _reasons(item: PlanItem, action: str, decided: bool) -> tuple[str, ...]:
    given = list(item.decision_reasons if decided else item.reasons)
    if not given:
        given = [ACTION_SENTENCES.get(action, ACTION_SENTENCES["undecided"])]
    return tuple(dict.fromkeys(s for s in given if s))


def _entry(item: PlanItem, section: str, action: str, decided: bool, today: date) -> PlanEntry:
    entry = PlanEntry(item, section, action, _reasons(item, action, decided), decided)
    if section in ("leave", "mute"):
        entry.how = steps_for(
            section,
            item.network,
            url=item.url,
            external_id=item.external_id,
            list_unsubscribe=item.list_unsubscribe,
            cost_per_year=item.cost_per_year,
            currency=item.currency,
        )
    elif section == "engage":
        committed = item.commitment_per_month
        entry.commitment = committed if committed else SUGGESTED_COMMITMENT
        entry.commitment_suggested = not committed
        upcoming = item.review_on if item.review_on and item.review_on > today else None
        entry.review_on = upcoming or review_date("engage", today)
    elif action == "trial":
        entry.review_on = review_date("trial", today)
    return entry


def _saving_key(e: PlanEntry) -> tuple:
    it = e.item
    platform = e.how.platform if e.how else "other"
    return (
        _PLATFORM_ORDER.get(platform, len(_PLATFORM_ORDER)),
        -(it.cost_per_year or 0.0),
        -(it.hours_per_month or 0.0),
        -(it.emails_per_week or 0.0),
        it.name.casefold(),
    )


_SORT_KEYS = {
    "leave": _saving_key,
    "mute": _saving_key,
    "engage": lambda e: (e.review_on or date.max, e.item.name.casefold()),
    "invitations": lambda e: (_ADVICE_ORDER.get(e.action, 9), e.item.name.casefold()),
    "start_own": lambda e: e.item.name.casefold(),
}


def _currency(code: str | None) -> str:
    return (code or "").strip().upper()


def build_plan(
    items: Iterable[PlanItem],
    today: date,
    title: str = "My group clean-up plan",
    filters_description: str = "All groups",
) -> Plan:
    """Build the clean-up plan from the groups' facts, recommendations and decisions.

    Args:
        items: the groups to plan for (usually those shown in the window with its filters).
        today: the plan's date (decides review dates, and whether a decision's review is due).
        title: the title the person chose, printed at the top of every page.
        filters_description: the filters the groups were chosen with, printed in the header.

    Returns:
        The plan: five sections of entries in printed order, and the totals.
    """
    sections = {key: PlanSection(key, heading, SECTION_INTROS[key]) for key, heading in SECTIONS[:-1]}
    saved: dict[str, float] = {}
    added: dict[str, float] = {}
    hours_saved = emails_saved = hours_added = 0.0
    before = leaving = joining = 0
    for item in items:
        member = item.status in MEMBER_STATUSES
        before += member
        where = place(item, today)
        if where is None:
            continue
        section, action, decided = where
        entry = _entry(item, section, action, decided, today)
        sections[section].entries.append(entry)
        if section == "leave":
            leaving += member
            if item.cost_per_year:
                cur = _currency(item.currency)
                saved[cur] = saved.get(cur, 0.0) + item.cost_per_year
            hours_saved += item.hours_per_month or 0.0
        if section in ("leave", "mute"):
            emails_saved += item.emails_per_week or 0.0
        if section == "invitations" and action in ("join", "trial"):
            joining += 1
            if item.cost_per_year:
                cur = _currency(item.currency)
                added[cur] = added.get(cur, 0.0) + item.cost_per_year
            hours_added += item.hours_per_month or 0.0
    for s in sections.values():
        s.entries.sort(key=_SORT_KEYS[s.key])
    totals = Totals(
        money_saved_per_year=dict(sorted(saved.items())),
        hours_saved_per_month=round(hours_saved, 2),
        emails_saved_per_week=round(emails_saved, 2),
        groups_before=before,
        groups_after=before - leaving + joining,
        money_added_per_year=dict(sorted(added.items())),
        hours_added_per_month=round(hours_added, 2),
    )
    return Plan(title, today, filters_description, list(sections.values()), totals)


# ---------------------------------------------------------------- words and numbers


def format_date(day: date) -> str:
    """``3 June 2025`` (the same in every locale)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def money_total(amounts: dict[str, float]) -> str:
    """Money per currency joined by `` + ``; ``0`` when nothing."""
    if not amounts:
        return "0"
    return " + ".join(format_money(v, k) for k, v in amounts.items())


def fact_lines(item: PlanItem) -> tuple[str, str, str]:
    """Cost a year, hours a month, e-mails a week, as printed (``–`` when not known)."""
    cost = f"{format_money(item.cost_per_year, item.currency)} a year" if item.cost_per_year else "No cost"
    hours = "– h a month" if item.hours_per_month is None else f"{_number(item.hours_per_month)} h a month"
    mails = item.emails_per_week
    mail = "– e-mails a week" if mails is None else f"{_number(mails)} e-mail{'s' * (mails != 1)} a week"
    return cost, hours, mail


def network_label(network: str | None) -> str:
    """The network's display name."""
    return NETWORKS.get(network or "other", network or "Other")


def status_label(status: str | None) -> str:
    """The status's display word (lower case)."""
    return STATUSES.get(status or "", status or "").lower()


#: Printed notes are cut to this many characters (the CSV keeps them whole): a plan is a to-do list,
#: and a group's block must fit on one page.
NOTE_CHARS = 400
#: Printed names are cut to this many characters.
NAME_CHARS = 200


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with "…" when cut."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def entry_details(entry: PlanEntry) -> list[tuple[str, str]]:
    """(label, text) lines printed under a group's reasons, in order (labels may be empty).

    Long notes, inviters and topics are cut (``clip``) so that a group always fits on a page.
    """
    it = entry.item
    out: list[tuple[str, str]] = []
    if entry.decided:
        when = f" on {format_date(it.decided_on)}" if it.decided_on else ""
        out.append(("", f"You decided this{when}."))
    if entry.section == "invitations":
        out.append(("Advice", ADVICE_LABELS.get(entry.action, entry.action)))
        if it.invited_by:
            out.append(("Invited by", clip(it.invited_by, 120)))
    if entry.section == "engage" and entry.commitment is not None:
        suffix = " (suggested: write your own)" if entry.commitment_suggested else ""
        n = entry.commitment
        out.append(("Commitment", f"{n} contribution{'s' * (n != 1)} a month{suffix}"))
    if entry.review_on:
        out.append(("Review on", format_date(entry.review_on)))
    if entry.section == "start_own" and it.tags:
        out.append(("Topic", clip(it.tags, 120)))
    if entry.how:
        for step in entry.how.own_steps:
            out.append(("", step))
        if entry.how.link:
            out.append(("Link", entry.how.link))
    elif it.url:
        out.append(("Link", it.url))
    if it.notes:
        out.append(("Note", clip(it.notes, NOTE_CHARS)))
    return out


def summary_line(plan: Plan) -> str:
    """``3 to leave · 2 to mute · ...`` for the top of the plan."""
    words = {"leave": "to leave", "mute": "to mute", "engage": "to engage with",
             "invitations": "to decide on", "start_own": "to start your own"}  # fmt: skip
    parts = [f"{len(s.entries)} {words[s.key]}" for s in plan.sections]
    return " · ".join(parts)


def savings_line(plan: Plan) -> str:
    """One sentence of what the plan saves, for the top of the plan."""
    t = plan.totals
    return (
        f"Carried out, it saves {money_total(t.money_saved_per_year)} a year, "
        f"{_number(t.hours_saved_per_month)} h a month and {_number(t.emails_saved_per_week)} e-mails "
        f"a week; your {_number(t.groups_before)} groups become {_number(t.groups_after)}."
    )


def totals_lines(plan: Plan) -> list[tuple[str, str]]:
    """The Totals section as (label, value) rows."""
    t = plan.totals
    rows = [
        ("Money saved per year", money_total(t.money_saved_per_year)),
        ("Hours saved per month", _number(t.hours_saved_per_month)),
        ("E-mails saved per week", _number(t.emails_saved_per_week)),
        ("Groups before", _number(t.groups_before)),
        ("Groups after", _number(t.groups_after)),
    ]
    if t.money_added_per_year or t.hours_added_per_month:
        added = []
        if t.money_added_per_year:
            added.append(f"{money_total(t.money_added_per_year)} a year")
        if t.hours_added_per_month:
            added.append(f"{_number(t.hours_added_per_month)} h a month")
        rows.append(("Joining the advised invitations adds", ", ".join(added)))
    return rows


# ---------------------------------------------------------------- HTML

#: Print-friendly styles; the subset Qt's rich text understands, and plain CSS for browsers.
STYLESHEET = """
body { font-family: 'DejaVu Sans', 'Helvetica', 'Arial', sans-serif; font-size: 9.5pt; color: #1a1a1a; }
h1 { font-size: 17pt; font-weight: bold; color: #16394a; margin-top: 0; margin-bottom: 2px; }
h2 { font-size: 13.5pt; font-weight: bold; color: #16394a; margin-top: 16px; margin-bottom: 2px; }
h3 { font-size: 10.5pt; font-weight: bold; color: #2f5563; margin-top: 10px; margin-bottom: 2px; }
p { margin-top: 0; margin-bottom: 4px; }
p.meta { color: #4a4a4a; margin-bottom: 2px; }
p.intro { color: #4a4a4a; font-style: italic; margin-bottom: 6px; }
p.empty { color: #6a6a6a; }
ol.steps { margin-top: 0; margin-bottom: 6px; color: #2a2a2a; }
table.group { margin-top: 5px; margin-bottom: 0; border-color: #b9c4c9; page-break-inside: avoid; }
td.tick { font-size: 14pt; color: #16394a; }
td.facts { color: #3a3a3a; font-size: 8.5pt; }
span.name { font-weight: bold; font-size: 10.5pt; }
span.net { color: #5a6a70; font-size: 8.5pt; }
span.label { color: #5a6a70; }
td.why { color: #2a2a2a; }
td.detail { color: #2a2a2a; font-size: 9pt; }
table.totals { margin-top: 6px; border-color: #b9c4c9; }
td.tlabel { color: #2a2a2a; }
td.tvalue { font-weight: bold; }
"""


def _e(text: object) -> str:
    """Untrusted text made safe for HTML: escaped, quotes included; control characters dropped."""
    s = "" if text is None else str(text)
    s = "".join(" " if unicodedata.category(ch)[0] == "C" and ch not in "\n" else ch for ch in s)
    return html.escape(s, quote=True)


def _link(url: str) -> str:
    """A link: clickable only for http(s) and mailto; other schemes print as plain text."""
    shown = _e(clip(url, 200))
    if url.lower().startswith(("https://", "http://", "mailto:")):
        return f'<a href="{_e(url)}">{shown}</a>'
    return shown


def _group_html(entry: PlanEntry) -> str:
    it = entry.item
    cost, hours, mail = fact_lines(it)
    net = network_label(it.network)
    status = status_label(it.status)
    details = []
    for label, text in entry_details(entry):
        value = _link(text) if label == "Link" else _e(text).replace("\n", "<br/>")
        head = f'<span class="label">{_e(label)}:</span> ' if label else ""
        details.append(f"{head}{value}")
    why = "<br/>".join(f"• {_e(r)}" for r in entry.reasons)
    n = 2 + (1 if details else 0)
    parts = [
        '<table class="group" width="100%" border="0" cellspacing="0" cellpadding="2">',
        f'<tr><td class="tick" width="26" rowspan="{n}" valign="top">☐</td>',
        f'<td class="head" valign="top"><span class="name">{_e(clip(it.name, NAME_CHARS))}</span>'
        f'&nbsp;&nbsp;<span class="net">{_e(net)} · {_e(status)}</span></td>',
        f'<td class="facts" width="140" rowspan="{n}" align="right" valign="top">'
        f"{_e(cost)}<br/>{_e(hours)}<br/>{_e(mail)}</td></tr>",
        f'<tr><td class="why" valign="top">{why}</td></tr>',
    ]
    if details:
        parts.append(f'<tr><td class="detail" valign="top">{"<br/>".join(details)}</td></tr>')
    parts.append("</table>")
    return "".join(parts)


def _steps_html(how: GroupSteps, count: int) -> str:
    groups = f"{count} group{'s' * (count != 1)}"
    items = "".join(f"<li>{_e(s)}</li>" for s in how.platform_steps)
    return f'<h3>{_e(how.label)} · {groups}</h3><ol class="steps">{items}</ol>'


def plan_to_html(plan: Plan) -> str:
    """The plan as one self-contained, print-friendly HTML page (every user text escaped).

    The same HTML is what ``groupdesk.ui.plan_print`` lays out for paper: each group is one table
    (tick box, name, reasons, how-to, facts), so the renderer can keep a group on one page.
    """
    out = [
        "<!DOCTYPE html>",
        '<html><head><meta charset="utf-8"/>',
        f"<title>{_e(plan.title)}</title>",
        f"<style>{STYLESHEET}</style></head><body>",
        f"<h1>{_e(plan.title)}</h1>",
        f'<p class="meta">{_e(format_date(plan.today))} · {_e(plan.filters_description)}</p>',
        f'<p class="meta">{_e(summary_line(plan))}</p>',
        f'<p class="meta">{_e(savings_line(plan))}</p>',
    ]
    for s in plan.sections:
        out.append(f"<h2>{_e(s.heading)} ({len(s.entries)})</h2>")
        out.append(f'<p class="intro">{_e(s.intro)}</p>')
        if not s.entries:
            out.append('<p class="empty">Nothing here.</p>')
            continue
        platform = None
        for i, entry in enumerate(s.entries):
            if entry.how and entry.how.platform != platform:
                platform = entry.how.platform
                count = sum(1 for e in s.entries[i:] if e.how and e.how.platform == platform)
                out.append(_steps_html(entry.how, count))
            out.append(_group_html(entry))
    out.append(f"<h2>{_e(SECTION_HEADINGS['totals'])}</h2>")
    out.append(f'<p class="intro">{_e(SECTION_INTROS["totals"])}</p>')
    out.append('<table class="totals" border="0" cellspacing="0" cellpadding="3">')
    for label, value in totals_lines(plan):
        out.append(f'<tr><td class="tlabel">{_e(label)}</td><td class="tvalue">{_e(value)}</td></tr>')
    out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


# ---------------------------------------------------------------- CSV and text

#: Columns of ``plan_to_csv``.
CSV_COLUMNS: tuple[str, ...] = (
    "section",
    "done",
    "name",
    "network",
    "status",
    "action",
    "reasons",
    "cost_per_year",
    "currency",
    "hours_per_month",
    "emails_per_week",
    "commitment_per_month",
    "review_on",
    "link",
    "unsubscribe_email",
    "steps",
    "notes",
)


def _cell(text: object) -> str:
    """A text cell a spreadsheet will not run as a formula (leading = + - @ get a ' in front)."""
    s = "" if text is None else str(text)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def plan_to_csv(plan: Plan) -> str:
    """The plan as CSV: one row per group in printed order, with ``CSV_COLUMNS``."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for s in plan.sections:
        for e in s.entries:
            it = e.item
            how = e.how
            w.writerow(
                [
                    s.heading,
                    "",
                    _cell(it.name),
                    it.network,
                    it.status or "",
                    e.action,
                    _cell(" | ".join(e.reasons)),
                    _num(it.cost_per_year) if it.cost_per_year else "",
                    _currency(it.currency) if it.cost_per_year else "",
                    _num(it.hours_per_month),
                    _num(it.emails_per_week),
                    "" if e.commitment is None else str(e.commitment),
                    e.review_on.isoformat() if e.review_on else "",
                    _cell(how.link if how else it.url),
                    _cell(how.email if how else ""),
                    _cell(" | ".join(how.steps) if how else ""),
                    _cell(it.notes),
                ]
            )
    return buf.getvalue()


def _plain(text: object) -> str:
    """Untrusted text made safe for a terminal: control characters (escape codes, newlines) → space."""
    s = "" if text is None else str(text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in s)


def _wrap(text: str, first: str, rest: str, width: int = 100) -> list[str]:
    """``text`` wrapped at ``width`` with the first line's and the next lines' prefixes."""
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False
    ) or [first.rstrip()]


def plan_to_text(plan: Plan) -> str:
    """The plan as plain text (what ``groupdesk plan`` prints without an output file)."""
    out = [
        _plain(plan.title),
        "=" * min(78, max(8, len(plan.title))),
        f"{format_date(plan.today)} · {_plain(plan.filters_description)}",
        summary_line(plan),
        *_wrap(savings_line(plan), "", ""),
    ]
    for s in plan.sections:
        heading = f"{s.heading} ({len(s.entries)})"
        out += ["", heading, "-" * len(heading), *_wrap(s.intro, "", "")]
        if not s.entries:
            out.append("  Nothing here.")
        platform = None
        for i, e in enumerate(s.entries):
            it = e.item
            if e.how and e.how.platform != platform:
                platform = e.how.platform
                count = sum(1 for x in s.entries[i:] if x.how and x.how.platform == platform)
                out += ["", f"  {e.how.label} ({count}): how to {s.key}"]
                for n, step in enumerate(e.how.platform_steps, 1):
                    out += _wrap(step, f"    {n}. ", "       ")
            out.append("")
            out.append(f"  [ ] {_plain(it.name)}  ({network_label(it.network)} · {status_label(it.status)})")
            out.append("      " + " · ".join(fact_lines(it)))
            for r in e.reasons:
                out += _wrap(_plain(r), "      - ", "        ")
            for label, text in entry_details(e):
                out += _wrap(_plain(text), f"      {label + ': ' if label else ''}", "        ")
    out += ["", SECTION_HEADINGS["totals"], "-" * len(SECTION_HEADINGS["totals"]), SECTION_INTROS["totals"]]
    rows = totals_lines(plan)
    width = max(len(label) for label, _ in rows)
    out += [f"  {label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(out) + "\n"
