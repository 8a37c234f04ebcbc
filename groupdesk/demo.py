"""A realistic demo inventory: about forty groups across every network and status.

The groups show what GroupDesk is for: lively groups worth their time next to dead ones, spam
channels, costly memberships, mail clutter, groups someone put you in, mass invitations, trials
whose review date has passed, and the participation log that tells "member" from "taking part".
Dates are relative to ``today`` so the demo always looks current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from groupdesk.domain.records import ContributionRecord, DecisionRecord, GroupRecord, InviteRecord

DEMO_SOURCE = "demo"


@dataclass
class _G:
    """A compact description of one demo group; day counts are "days ago" (negative: in the future)."""

    name: str
    network: str
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    #: Days ago when the group itself was last active.
    last: int | None = None
    joined: int | None = None
    invited: int | None = None
    left: int | None = None
    review: int | None = None
    #: (days ago, kind, note) for my contributions.
    contributions: tuple[tuple[int, str, str], ...] = ()
    #: (days ago, action, reasons, note).
    decisions: tuple[tuple[int, str, tuple[str, ...], str], ...] = ()
    #: (days ago, inviter, channel, message id, subject, personal).
    invites: tuple[tuple[int, str, str, str | None, str, bool], ...] = ()


def _every(start: int, step: int, count: int, kind: str, note: str) -> tuple[tuple[int, str, str], ...]:
    """``count`` contributions of one kind, ``step`` days apart, the newest ``start`` days ago."""
    return tuple((start + i * step, kind, note) for i in range(count))


_GROUPS: tuple[_G, ...] = (
    # ---------------------------------------------------------------- LinkedIn
    _G(
        "Growth Hackers Unite",
        "linkedin",
        "member",
        dict(
            external_id="8842211",
            url="https://www.linkedin.com/groups/8842211/",
            how_joined="added_by_someone",
            invited_by="Mark Ellison",
            invite_personal=False,
            emails_per_week=14,
            posts_per_week=45,
            value_to_me=1,
            value_from_me=0,
            spam_level=3,
            hours_per_month=1,
            tags="marketing, growth",
            notes="Mostly 'DM me for the playbook' posts.",
        ),
        last=1,
        joined=540,
    ),
    _G(
        '<b>Growth</b> & "Hackers"',
        "linkedin",
        "invited",
        dict(
            external_id="9931050",
            how_joined="invited",
            invited_by="growth-bot@example.com",
            invite_personal=False,
            spam_level=2,
            emails_per_week=6,
            tags="marketing",
            notes="Name copied verbatim from the invitation <b>as sent</b>.",
        ),
        last=3,
        invited=4,
        invites=(
            (
                4,
                "growth-bot@example.com",
                "email",
                "<inv-9931050@linkedin.example>",
                'You\'re invited to join <b>Growth</b> & "Hackers"',
                False,
            ),
        ),
    ),
    _G(
        "Product Management Network",
        "linkedin",
        "member",
        dict(
            external_id="1203344",
            how_joined="self",
            emails_per_week=5,
            posts_per_week=12,
            value_to_me=2,
            value_from_me=2,
            hours_per_month=1,
            tags="product",
        ),
        last=9,
        joined=900,
        contributions=((140, "comment", "On roadmap templates"),),
    ),
    _G(
        "Women in Data Science NL",
        "linkedin",
        "member",
        dict(
            external_id="3381020",
            how_joined="invited",
            invited_by="Sanne Bakker",
            invite_personal=True,
            emails_per_week=2,
            posts_per_week=4,
            value_to_me=4,
            value_from_me=3,
            hours_per_month=3,
            commitment_per_month=2,
            tags="data, community",
        ),
        last=4,
        joined=300,
        invited=305,
        contributions=_every(6, 21, 5, "answer", "Answered a career question"),
    ),
    # ---------------------------------------------------------------- Facebook
    _G(
        "Amsterdam Expats Housing",
        "facebook",
        "muted",
        dict(
            url="https://www.facebook.com/groups/amsterdamexpatshousing",
            how_joined="self",
            emails_per_week=0,
            posts_per_week=80,
            value_to_me=2,
            value_from_me=0,
            spam_level=2,
            tags="housing",
            notes="Found my flat here in 2021; now mostly scams.",
        ),
        last=0,
        joined=1200,
    ),
    _G(
        "Vintage Synth Swap",
        "facebook",
        "member",
        dict(
            url="https://www.facebook.com/groups/vintagesynthswap",
            how_joined="self",
            posts_per_week=15,
            value_to_me=4,
            value_from_me=3,
            hours_per_month=2,
            tags="music, hobby",
        ),
        last=2,
        joined=700,
        contributions=(
            (12, "post", "Sold the Juno-60 service manual"),
            (48, "comment", ""),
            (77, "answer", "Explained the DCO calibration"),
        ),
    ),
    _G(
        "Class of 2009 Reunion",
        "facebook",
        "member",
        dict(
            how_joined="added_by_someone",
            invited_by="Tom Visser",
            posts_per_week=0,
            value_to_me=1,
            value_from_me=1,
            tags="personal",
        ),
        last=410,
        joined=1500,
    ),
    # ---------------------------------------------------------------- Meetup
    _G(
        "PyData Amsterdam",
        "meetup",
        "member",
        dict(
            external_id="PyData-Amsterdam",
            url="https://www.meetup.com/pydata-amsterdam/",
            how_joined="self",
            emails_per_week=1,
            posts_per_week=2,
            value_to_me=5,
            value_from_me=4,
            hours_per_month=6,
            commitment_per_month=1,
            tags="python, data",
            notes="Gave a talk on pandas performance; co-organising the spring edition.",
        ),
        last=3,
        joined=1100,
        review=-60,
        contributions=(
            (5, "event", "Monthly meetup"),
            (33, "event", "Monthly meetup"),
            (40, "organised", "Found a venue for the spring edition"),
            (61, "event", "Monthly meetup"),
            (64, "answer", "Helped a newcomer with conda"),
            (96, "event", "Monthly meetup"),
            (150, "organised", "Lightning talks night"),
        ),
        decisions=((200, "keep", ("value_flows", "participating"), "Best local data community."),),
    ),
    _G(
        "Amsterdam Startup Drinks",
        "meetup",
        "considering",
        dict(
            external_id="ams-startup-drinks",
            url="https://www.meetup.com/ams-startup-drinks/",
            how_joined="invited",
            invited_by="Lotte de Vries",
            invite_personal=True,
            emails_per_week=2,
            posts_per_week=1,
            tags="startups",
        ),
        last=12,
        invited=6,
        invites=(
            (
                6,
                "Lotte de Vries",
                "email",
                "<a1b2c3@meetup.example>",
                "Lotte de Vries invited you to Amsterdam Startup Drinks",
                True,
            ),
        ),
    ),
    _G(
        "Rust Nederland",
        "meetup",
        "trial",
        dict(
            external_id="rust-nederland",
            url="https://www.meetup.com/rust-nederland/",
            how_joined="self",
            emails_per_week=1,
            posts_per_week=1,
            value_to_me=3,
            value_from_me=2,
            hours_per_month=3,
            commitment_per_month=1,
            tags="rust",
        ),
        last=20,
        joined=35,
        review=5,
        contributions=((21, "event", "Intro to async Rust"),),
        decisions=((35, "trial", ("value_flows",), "Try two meetups, then decide."),),
    ),
    # ---------------------------------------------------------------- Discord
    _G(
        "Indie Game Devs",
        "discord",
        "member",
        dict(
            external_id="412345678901234567",
            url="https://discord.gg/indiegamedevs",
            how_joined="self",
            posts_per_week=400,
            value_to_me=4,
            value_from_me=4,
            hours_per_month=8,
            commitment_per_month=4,
            tags="gamedev",
        ),
        last=0,
        joined=420,
        contributions=_every(2, 9, 10, "answer", "Shader help in #graphics"),
    ),
    _G(
        "Homelab Heroes",
        "discord",
        "member",
        dict(
            external_id="598877665544332211",
            how_joined="invited",
            invited_by="Jeroen",
            invite_personal=True,
            posts_per_week=60,
            value_to_me=4,
            value_from_me=2,
            hours_per_month=2,
            tags="selfhosting",
        ),
        last=1,
        joined=200,
        invited=201,
        contributions=((25, "post", "My Proxmox rack"), (70, "comment", "")),
    ),
    _G(
        "Crypto Moon Signals",
        "discord",
        "invited",
        dict(
            external_id="777000111222333444",
            how_joined="invited",
            invited_by="MoonBot#0001",
            invite_personal=False,
            spam_level=3,
            posts_per_week=900,
            tags="crypto",
        ),
        last=0,
        invited=2,
        invites=((2, "MoonBot#0001", "manual", None, "🚀 Join 50k traders", False),),
    ),
    # ---------------------------------------------------------------- Slack
    _G(
        "Rands Leadership Slack",
        "slack",
        "member",
        dict(
            external_id="rands-leadership",
            how_joined="self",
            emails_per_week=0,
            posts_per_week=150,
            value_to_me=4,
            value_from_me=2,
            hours_per_month=3,
            tags="leadership",
        ),
        last=0,
        joined=800,
        contributions=((15, "answer", "On running 1:1s"), (58, "comment", ""), (110, "post", "Book list")),
    ),
    _G(
        "Local-First Software",
        "slack",
        "member",
        dict(
            external_id="localfirst",
            how_joined="self",
            emails_per_week=1,
            posts_per_week=25,
            value_to_me=2,
            value_from_me=1,
            hours_per_month=1,
            tags="software, crdt",
        ),
        last=2,
        joined=400,
        contributions=((190, "post", "Introduced myself"),),
    ),
    _G(
        "Kubernetes Community",
        "slack",
        "left",
        dict(
            external_id="kubernetes",
            how_joined="self",
            value_to_me=2,
            value_from_me=0,
            tags="devops",
        ),
        last=0,
        joined=1400,
        left=200,
        decisions=((200, "leave", ("empty_belonging",), "Never took part; the docs answer my questions."),),
    ),
    # ---------------------------------------------------------------- Reddit
    _G(
        "r/selfhosted",
        "reddit",
        "member",
        dict(
            external_id="selfhosted",
            url="https://www.reddit.com/r/selfhosted/",
            how_joined="self",
            posts_per_week=350,
            value_to_me=4,
            value_from_me=1,
            hours_per_month=4,
            tags="selfhosting",
        ),
        last=0,
        joined=1000,
        contributions=((8, "comment", "Recommended Caddy"), (44, "answer", "Backup strategy with restic")),
    ),
    _G(
        "r/boardgames",
        "reddit",
        "member",
        dict(
            external_id="boardgames",
            url="https://www.reddit.com/r/boardgames/",
            how_joined="self",
            posts_per_week=500,
            value_to_me=3,
            value_from_me=0,
            hours_per_month=2,
            tags="boardgames, hobby",
        ),
        last=0,
        joined=1300,
    ),
    _G(
        "r/Entrepreneur",
        "reddit",
        "muted",
        dict(
            external_id="Entrepreneur",
            url="https://www.reddit.com/r/Entrepreneur/",
            how_joined="self",
            posts_per_week=600,
            value_to_me=1,
            value_from_me=0,
            spam_level=2,
            tags="startups",
        ),
        last=0,
        joined=1600,
    ),
    # ---------------------------------------------------------------- Telegram
    _G(
        "Amsterdam Cycling Chat",
        "telegram",
        "member",
        dict(
            external_id="-1001234567890",
            how_joined="invited",
            invited_by="Pieter",
            invite_personal=True,
            posts_per_week=20,
            value_to_me=3,
            value_from_me=3,
            hours_per_month=2,
            tags="sport, local",
        ),
        last=1,
        joined=250,
        contributions=_every(3, 14, 6, "event", "Saturday ride"),
    ),
    _G(
        "Airdrop Alpha Calls",
        "telegram",
        "member",
        dict(
            external_id="-1009988776655",
            how_joined="added_by_someone",
            invited_by="unknown account",
            invite_personal=False,
            posts_per_week=700,
            value_to_me=0,
            value_from_me=0,
            spam_level=3,
            tags="crypto",
        ),
        last=0,
        joined=30,
    ),
    # ---------------------------------------------------------------- WhatsApp
    _G(
        "Neighbourhood Watch Oost",
        "whatsapp",
        "member",
        dict(
            how_joined="added_by_someone",
            invited_by="Mevrouw Jansen",
            posts_per_week=10,
            value_to_me=3,
            value_from_me=2,
            hours_per_month=1,
            tags="local",
        ),
        last=2,
        joined=600,
        contributions=((30, "post", "Lost cat found"),),
    ),
    _G(
        "Parents of Group 5B",
        "whatsapp",
        "member",
        dict(
            how_joined="added_by_someone",
            invited_by="Class teacher",
            posts_per_week=40,
            value_to_me=3,
            value_from_me=1,
            hours_per_month=2,
            tags="school, personal",
        ),
        last=0,
        joined=220,
        contributions=((10, "organised", "Drove to the school trip"), (85, "comment", "")),
    ),
    # ---------------------------------------------------------------- Mailing lists
    _G(
        "python-ideas",
        "mailing_list",
        "member",
        dict(
            external_id="python-ideas.python.org",
            url="https://mail.python.org/mailman3/lists/python-ideas.python.org/",
            how_joined="self",
            emails_per_week=45,
            posts_per_week=45,
            value_to_me=1,
            value_from_me=1,
            hours_per_month=3,
            tags="python",
            notes="Subscribed in 2015 to follow one PEP.",
        ),
        last=0,
        joined=3300,
    ),
    _G(
        "debian-security-announce",
        "mailing_list",
        "member",
        dict(
            external_id="debian-security-announce.lists.debian.org",
            how_joined="self",
            emails_per_week=3,
            posts_per_week=3,
            value_to_me=4,
            value_from_me=0,
            tags="security",
            notes="Announce-only: I can't give anything back here.",
        ),
        last=1,
        joined=2000,
    ),
    _G(
        "NLnet News",
        "mailing_list",
        "member",
        dict(
            external_id="news.nlnet.nl",
            how_joined="self",
            emails_per_week=0.25,
            tags="open source, funding",
        ),
        last=25,
        joined=500,
    ),
    _G(
        "Old Project Users",
        "mailing_list",
        "member",
        dict(
            external_id="users.oldproject.example.org",
            how_joined="self",
            emails_per_week=0,
            posts_per_week=0,
            value_to_me=1,
            value_from_me=2,
            tags="software",
        ),
        last=720,
        joined=3000,
        contributions=((800, "answer", "Build fix for ARM"),),
    ),
    # ---------------------------------------------------------------- Forums
    _G(
        "Home Assistant Community",
        "forum",
        "member",
        dict(
            url="https://community.home-assistant.io/",
            how_joined="self",
            emails_per_week=3,
            posts_per_week=300,
            value_to_me=4,
            value_from_me=4,
            hours_per_month=5,
            commitment_per_month=3,
            tags="home automation",
        ),
        last=0,
        joined=650,
        contributions=_every(4, 11, 8, "answer", "Zigbee pairing help"),
    ),
    _G(
        "Fountain Pen Network",
        "forum",
        "declined",
        dict(
            url="https://www.fountainpennetwork.com/",
            how_joined="invited",
            invited_by="Anna",
            invite_personal=True,
            tags="hobby",
        ),
        last=1,
        invited=90,
        decisions=((88, "decline", ("only_to_belong",), "Nice people, but I don't write by hand."),),
        invites=((90, "Anna", "manual", None, "Come join us at FPN!", True),),
    ),
    _G(
        "Woodworking Talk",
        "forum",
        "left",
        dict(how_joined="self", value_to_me=2, value_from_me=1, tags="hobby"),
        last=150,
        joined=1900,
        left=300,
    ),
    # ---------------------------------------------------------------- Associations
    _G(
        "Stichting Open Source NL",
        "association",
        "member",
        dict(
            how_joined="self",
            cost_amount=50,
            cost_period="year",
            currency="EUR",
            emails_per_week=1,
            value_to_me=4,
            value_from_me=3,
            hours_per_month=2,
            tags="open source",
        ),
        last=14,
        joined=1000,
        review=-120,
        contributions=((50, "event", "Annual members' meeting"),),
    ),
    _G(
        "ACM",
        "association",
        "member",
        dict(
            external_id="acm-member",
            url="https://www.acm.org/",
            how_joined="self",
            cost_amount=99,
            cost_period="year",
            currency="USD",
            emails_per_week=4,
            value_to_me=2,
            value_from_me=1,
            tags="computing, professional",
            notes="Kept for the digital library; haven't opened it this year.",
        ),
        last=5,
        joined=2500,
        review=20,
    ),
    _G(
        "IEEE Computer Society",
        "association",
        "declined",
        dict(
            url="https://www.computer.org/",
            how_joined="invited",
            invited_by="membership@ieee.example",
            invite_personal=False,
            cost_amount=60,
            cost_period="year",
            currency="USD",
            tags="professional",
        ),
        invited=400,
        decisions=((395, "decline", ("only_industry",), "Only because it's my industry."),),
        invites=(
            (
                400,
                "membership@ieee.example",
                "email",
                "<renew-2024@ieee.example>",
                "Join IEEE Computer Society today",
                False,
            ),
        ),
    ),
    _G(
        "Toastmasters Amsterdam Central",
        "association",
        "member",
        dict(
            how_joined="invited",
            invited_by="Femke",
            invite_personal=True,
            cost_amount=20,
            cost_period="once",
            currency="EUR",
            hours_per_month=8,
            emails_per_week=1,
            value_to_me=4,
            value_from_me=3,
            commitment_per_month=2,
            tags="speaking",
        ),
        last=7,
        joined=120,
        invited=125,
        contributions=_every(7, 14, 7, "event", "Club evening"),
    ),
    # ---------------------------------------------------------------- Offline
    _G(
        "Local Board Game Club",
        "offline",
        "member",
        dict(
            how_joined="self",
            hours_per_month=12,
            cost_amount=5,
            cost_period="month",
            currency="EUR",
            value_to_me=5,
            value_from_me=5,
            commitment_per_month=4,
            tags="boardgames, local",
            notes="Thursday evenings at De Speeltafel. I run the newcomers' table.",
        ),
        last=2,
        joined=900,
        contributions=(*_every(2, 7, 12, "event", "Game night"), (30, "organised", "Newcomers' table")),
    ),
    _G(
        "Sunday Climbing Crew",
        "offline",
        "member",
        dict(
            how_joined="invited",
            invited_by="Mila",
            invite_personal=True,
            hours_per_month=10,
            value_to_me=4,
            value_from_me=3,
            tags="sport",
        ),
        last=6,
        joined=380,
        contributions=_every(6, 14, 5, "event", "Bouldering"),
    ),
    _G(
        "Neighbourhood Choir",
        "offline",
        "trial",
        dict(
            how_joined="invited",
            invited_by="Henk",
            invite_personal=True,
            hours_per_month=8,
            cost_amount=15,
            cost_period="month",
            currency="EUR",
            value_to_me=3,
            value_from_me=2,
            commitment_per_month=4,
            tags="music, local",
        ),
        last=4,
        joined=25,
        review=-5,
        contributions=((4, "event", "Rehearsal"), (11, "event", "Rehearsal")),
        decisions=((25, "trial", ("value_flows",), "A month of rehearsals, then decide."),),
    ),
    _G(
        "Book Club De Pijp",
        "offline",
        "leaving",
        dict(
            how_joined="invited",
            invited_by="Eva",
            invite_personal=True,
            hours_per_month=4,
            value_to_me=2,
            value_from_me=1,
            tags="books, local",
        ),
        last=30,
        joined=700,
        contributions=((130, "event", "Discussed 'Stoner'"),),
        decisions=(
            (3, "leave", ("empty_belonging",), "Haven't finished a book in months; tell Eva kindly."),
        ),
    ),
    # ---------------------------------------------------------------- Other
    _G(
        "Founders Mastermind Circle",
        "other",
        "member",
        dict(
            url="https://circle.example.com/founders",
            how_joined="invited",
            invited_by="a sales rep",
            invite_personal=False,
            cost_amount=49,
            cost_period="month",
            currency="EUR",
            emails_per_week=9,
            posts_per_week=5,
            value_to_me=2,
            value_from_me=1,
            hours_per_month=2,
            tags="startups",
        ),
        last=10,
        joined=150,
        invited=160,
        contributions=((140, "post", "Introduced myself"),),
        invites=(
            (
                160,
                "a sales rep",
                "email",
                "<promo-7781@circle.example.com>",
                "Exclusive invite: join 500 founders",
                False,
            ),
        ),
    ),
    _G(
        "Fosstodon",
        "other",
        "member",
        dict(
            url="https://fosstodon.org/",
            how_joined="self",
            posts_per_week=30,
            tags="open source, fediverse",
        ),
        last=0,
        joined=100,
        contributions=((9, "post", "Release notes for my library"),),
    ),
    _G(
        "Y Combinator Startup School",
        "other",
        "left",
        dict(
            how_joined="self",
            value_to_me=3,
            value_from_me=1,
            tags="startups",
        ),
        last=40,
        joined=1000,
        left=600,
    ),
)


def demo_records(today: date | None = None) -> list[GroupRecord]:
    """The demo inventory as records, with dates relative to ``today`` (default: today)."""
    today = today or date.today()

    def ago(days: int | None) -> date | None:
        return None if days is None else today - timedelta(days=days)

    def at(days: int, hour: int = 19) -> datetime:
        return datetime.combine(today - timedelta(days=days), time(hour, 0))

    out: list[GroupRecord] = []
    for g in _GROUPS:
        rec = GroupRecord(
            name=g.name,
            network=g.network,
            status=g.status,
            last_group_activity=ago(g.last),
            joined_on=ago(g.joined),
            invited_on=ago(g.invited),
            left_on=ago(g.left),
            review_on=ago(g.review),
            **{k: (float(v) if k in _FLOATS else v) for k, v in g.values.items()},
        )
        rec.contributions = [ContributionRecord(ago(d), kind, note) for d, kind, note in g.contributions]
        rec.decisions = [
            DecisionRecord(at(d, 21), action, list(reasons), {"source": "demo"}, note)
            for d, action, reasons, note in g.decisions
        ]
        rec.invites = [
            InviteRecord(at(d, 9), inviter, channel, mid, subject, personal)
            for d, inviter, channel, mid, subject, personal in g.invites
        ]
        out.append(rec)
    return out


_FLOATS = frozenset({"cost_amount", "hours_per_month", "emails_per_week", "posts_per_week"})


def load_demo(today: date | None = None) -> int:
    """Add the demo groups that the open store does not have yet; return how many were added.

    Groups already there (from an earlier ``demo`` run, or typed by the user) are left exactly as
    they are, so running it twice, even on another day, adds nothing.
    """
    from groupdesk.store.merge import NEW, ImportPlan, apply_import, plan_import

    plan = plan_import(demo_records(today))
    fresh = ImportPlan([item for item in plan.items if item.action == NEW])
    apply_import(fresh, DEMO_SOURCE, DEMO_SOURCE)
    return len(fresh.items)
