"""Plain records exchanged between importers, the store and exporters (no Qt, no Peewee).

A ``GroupRecord`` carries the Group fields of DESIGN.md plus the rows that hang off a group
(contributions, decisions, invites). ``None`` always means "unknown".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime

#: The Group fields in the order of the native CSV header.
GROUP_FIELDS: tuple[str, ...] = (
    "name",
    "network",
    "status",
    "url",
    "external_id",
    "how_joined",
    "invited_by",
    "invite_personal",
    "invited_on",
    "joined_on",
    "left_on",
    "cost_amount",
    "cost_period",
    "currency",
    "hours_per_month",
    "emails_per_week",
    "last_group_activity",
    "posts_per_week",
    "value_to_me",
    "value_from_me",
    "spam_level",
    "review_on",
    "commitment_per_month",
    "tags",
    "notes",
)

DATE_FIELDS = frozenset({"invited_on", "joined_on", "left_on", "last_group_activity", "review_on"})
FLOAT_FIELDS = frozenset({"cost_amount", "hours_per_month", "emails_per_week", "posts_per_week"})
INT_FIELDS = frozenset({"value_to_me", "value_from_me", "spam_level", "commitment_per_month"})
BOOL_FIELDS = frozenset({"invite_personal"})
#: Facts that an import may refresh even when already set (unless the user typed them).
IMPORT_OWNED_FIELDS = frozenset({"joined_on", "left_on", "last_group_activity", "posts_per_week", "status"})


@dataclass
class ContributionRecord:
    """One entry of my participation log."""

    date: date
    kind: str = "post"
    note: str = ""


@dataclass
class DecisionRecord:
    """One journalled decision about a group."""

    at: datetime
    action: str
    reasons: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    note: str = ""


@dataclass
class InviteRecord:
    """One invitation to a group."""

    received_at: datetime
    inviter: str = ""
    channel: str = "manual"
    message_id: str | None = None
    subject: str = ""
    personal: bool | None = None


@dataclass
class GroupRecord:
    """A group as read from a file or built by hand; only ``name`` is required."""

    name: str
    network: str = "other"
    status: str | None = None
    url: str | None = None
    external_id: str | None = None
    how_joined: str | None = None
    invited_by: str | None = None
    invite_personal: bool | None = None
    invited_on: date | None = None
    joined_on: date | None = None
    left_on: date | None = None
    cost_amount: float | None = None
    cost_period: str | None = None
    currency: str | None = None
    hours_per_month: float | None = None
    emails_per_week: float | None = None
    last_group_activity: date | None = None
    posts_per_week: float | None = None
    value_to_me: int | None = None
    value_from_me: int | None = None
    spam_level: int | None = None
    review_on: date | None = None
    commitment_per_month: int | None = None
    tags: str | None = None
    notes: str | None = None
    contributions: list[ContributionRecord] = field(default_factory=list)
    decisions: list[DecisionRecord] = field(default_factory=list)
    invites: list[InviteRecord] = field(default_factory=list)

    def group_values(self) -> dict[str, object]:
        """The Group fields only, as a dict in ``GROUP_FIELDS`` order."""
        return {name: getattr(self, name) for name in GROUP_FIELDS}


assert tuple(f.name for f in fields(GroupRecord))[: len(GROUP_FIELDS)] == GROUP_FIELDS

_SPACE = re.compile(r"\s+")


def normalise_name(name: str) -> str:
    """The de-duplication form of a group name: NFKC, case-folded, single spaces, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip().casefold()


def identity(network: str, external_id: str | None, name: str) -> tuple[str, str, str]:
    """The identity of a group for merging: by external id when known, else by normalised name."""
    if external_id:
        return (network, "id", external_id.strip())
    return (network, "name", normalise_name(name))
