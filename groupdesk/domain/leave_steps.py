"""How to leave or mute a group on each platform: one data table, easy to update (Qt-free, DB-free).

``PLATFORMS`` holds, per platform, the steps to leave, the steps to mute, where to go when the
group has no link of its own, and how to make a link from the group's external id. Platforms change
their menus now and then: edit the sentences here, nothing else needs to change.

``steps_for`` picks the platform of a group (Google Groups is told apart from other mailing lists
by its addresses), and adds what only that group has: its List-Unsubscribe address, the fee to
cancel, the organiser to tell.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass(frozen=True)
class PlatformSteps:
    """The steps to leave and to mute a group on one platform."""

    #: The platform's name as printed ("Facebook", "Google Groups").
    label: str
    #: Steps to leave, in order; ``{name}`` is the group's name.
    leave: tuple[str, ...]
    #: Steps to mute (stay, but silence its mail and notifications).
    mute: tuple[str, ...]
    #: Where to start when the group has no link of its own (None: nowhere to point to).
    home: str | None = None
    #: A link made from the group's external id (``{id}``), when the id matches ``id_pattern``.
    link_template: str | None = None
    id_pattern: str = r".+"


#: Per-platform steps. Keys are the networks of ``groupdesk.domain.vocab.NETWORKS`` plus
#: ``google_groups`` (a mailing list at Google Groups).
PLATFORMS: dict[str, PlatformSteps] = {
    "facebook": PlatformSteps(
        "Facebook",
        leave=(
            "Open the group on Facebook.",
            "Under the cover photo, select Joined (or the ··· menu), then Leave group.",
            "Confirm with Leave group.",
        ),
        mute=(
            "Open the group on Facebook and select Joined (or the ··· menu).",
            "Choose Unfollow group, so its posts leave your feed.",
            "Under Manage notifications choose Off.",
        ),
        home="https://www.facebook.com/groups/joins/",
        link_template="https://www.facebook.com/groups/{id}/",
        id_pattern=r"[\w.]+",
    ),
    "linkedin": PlatformSteps(
        "LinkedIn",
        leave=(
            "Open the group on LinkedIn (My Network → Groups).",
            "Click the ··· (More) menu at the top of the group page.",
            "Choose Leave this group and confirm.",
        ),
        mute=(
            "Open the group on LinkedIn and click the ··· (More) menu.",
            "Choose Update your settings and turn off its notifications and digest e-mails.",
        ),
        home="https://www.linkedin.com/groups/",
        link_template="https://www.linkedin.com/groups/{id}/",
        id_pattern=r"\d+",
    ),
    "meetup": PlatformSteps(
        "Meetup",
        leave=(
            "Open the group's page on Meetup.",
            "Click You're a member, then Leave the group.",
            "Confirm; cancel any membership dues the group charges.",
        ),
        mute=(
            "On Meetup open Settings → Email updates (and Notifications).",
            "Turn off the e-mails and notifications from this group.",
        ),
        home="https://www.meetup.com/",
        link_template="https://www.meetup.com/{id}/",
        id_pattern=r"[\w-]+",
    ),
    "discord": PlatformSteps(
        "Discord",
        leave=(
            "In Discord, right-click the server's icon (long-press on a phone).",
            "Choose Leave Server and confirm.",
        ),
        mute=(
            "In Discord, right-click the server's icon (long-press on a phone).",
            "Choose Mute Server → Until I turn it back on.",
            "In Notification Settings choose Nothing (or Only @mentions).",
        ),
        home="https://discord.com/app",
        link_template="https://discord.com/channels/{id}",
        id_pattern=r"\d{15,22}",
    ),
    "slack": PlatformSteps(
        "Slack",
        leave=(
            "Sign in to the workspace in a browser and open Account settings.",
            "Choose Deactivate your account (or ask a workspace admin to remove you).",
            "Sign out of the workspace in the Slack app.",
        ),
        mute=(
            "In the workspace open Preferences → Notifications.",
            "Choose Nothing, and turn off e-mail notifications.",
            "Mute the busy channels (channel name → Mute channel).",
        ),
        home="https://slack.com/signin",
    ),
    "reddit": PlatformSteps(
        "Reddit",
        leave=(
            "Open the community on Reddit.",
            "Click Joined, which leaves the community.",
        ),
        mute=(
            "Open the community on Reddit and click the ··· menu.",
            "Choose Mute community; turn off its notifications.",
        ),
        home="https://www.reddit.com/",
        link_template="https://www.reddit.com/r/{id}/",
        id_pattern=r"(?:r/)?\w{2,21}",
    ),
    "telegram": PlatformSteps(
        "Telegram",
        leave=(
            "Open the group in Telegram and tap its name (or the ⋮ menu).",
            "Choose Leave group (Delete and leave) and confirm.",
        ),
        mute=(
            "Open the group in Telegram and tap its name (or the ⋮ menu).",
            "Choose Mute notifications → Forever (Disable).",
        ),
        link_template="https://t.me/{id}",
        id_pattern=r"[A-Za-z]\w{3,31}",
    ),
    "whatsapp": PlatformSteps(
        "WhatsApp",
        leave=(
            "Open the group in WhatsApp and tap its name.",
            "Scroll down, tap Exit group and confirm.",
        ),
        mute=(
            "Open the group in WhatsApp and tap its name.",
            "Tap Notifications (Mute) and choose Always.",
        ),
    ),
    "google_groups": PlatformSteps(
        "Google Groups",
        leave=(
            "Open the group at groups.google.com and choose My membership settings → Leave group.",
            "Or send an empty e-mail to the group's +unsubscribe address (below).",
        ),
        mute=(
            "Open the group at groups.google.com → My membership settings.",
            "Set Subscription to No email (or Digest).",
        ),
        home="https://groups.google.com/my-groups",
        link_template="https://groups.google.com/g/{id}",
        id_pattern=r"[\w.-]+",
    ),
    "mailing_list": PlatformSteps(
        "Mailing list",
        leave=(
            "Use the list's unsubscribe link or address (below, when known).",
            "Otherwise find the unsubscribe link at the foot of one of its messages.",
            "Watch for the confirmation e-mail and answer it.",
        ),
        mute=(
            "Switch to digest mode in the list's subscription settings,",
            "or make a mail filter that files its messages (by List-Id) in a folder.",
        ),
    ),
    "forum": PlatformSteps(
        "Forum",
        leave=(
            "Sign in to the forum and open your Preferences.",
            "Turn off its e-mails, then delete or deactivate your account if the forum offers it.",
        ),
        mute=(
            "Sign in to the forum and open Preferences → Emails.",
            "Choose Never (or a weekly summary), and mute the busy categories.",
        ),
    ),
    "association": PlatformSteps(
        "Association",
        leave=(
            "Tell the organiser or the secretary that you are leaving; a short, kind note is enough.",
            "Cancel the membership fee or standing order.",
            "Return anything you hold for the group (keys, materials, logins).",
        ),
        mute=(
            "Tell the organiser you will take part less for now.",
            "Ask to receive only the essential mailings (e.g. the yearly meeting).",
        ),
    ),
    "offline": PlatformSteps(
        "Offline group",
        leave=(
            "Tell the organiser that you are stepping back; a short, kind note is enough.",
            "Ask to be taken off its mailing, chat and phone lists.",
            "Cancel any fee or standing order.",
        ),
        mute=(
            "Tell the organiser you will come less for now.",
            "Ask to be taken off the chat or mailing list, or mute it there.",
        ),
    ),
    "other": PlatformSteps(
        "Other",
        leave=(
            "Open the group and look for Leave, Unsubscribe or Membership in its settings.",
            "Turn off its e-mails and notifications.",
        ),
        mute=("Open the group's settings and turn off its e-mails and notifications.",),
    ),
}


@dataclass(frozen=True)
class GroupSteps:
    """What to do for one group: the platform, its steps, and the link to start from."""

    platform: str
    label: str
    #: The platform's steps (the same for every group there).
    platform_steps: tuple[str, ...]
    #: This group's own steps (its unsubscribe address, the fee to cancel, its List-Id).
    own_steps: tuple[str, ...]
    #: The link to start from (the group's page, its unsubscribe link), if any.
    link: str | None
    #: The e-mail address to write to in order to leave (a list's unsubscribe address), if any.
    email: str | None = None
    #: The subject to use with ``email`` (from a ``mailto:`` link), if any.
    email_subject: str | None = None

    @property
    def steps(self) -> tuple[str, ...]:
        """All steps in order: the platform's, then the group's own."""
        return self.platform_steps + self.own_steps


_GOOGLE = re.compile(r"googlegroups\.com|groups\.google\.com", re.IGNORECASE)


def platform_of(network: str | None, url: str | None = None, external_id: str | None = None,
                list_unsubscribe: Sequence[str] = ()) -> str:  # fmt: skip
    """The ``PLATFORMS`` key for a group: its network, or ``google_groups`` for a Google mailing list."""
    network = network if network in PLATFORMS else "other"
    if network in ("mailing_list", "forum", "other"):
        texts = [url or "", external_id or "", *list_unsubscribe]
        if any(_GOOGLE.search(t) for t in texts):
            return "google_groups"
    return network


def _google_name(url: str | None, external_id: str | None, unsubscribe: Sequence[str]) -> str | None:
    """The Google group's short name from its List-Id, URL or unsubscribe address."""
    for text in (external_id or "", *unsubscribe, url or ""):
        m = re.search(r"([\w.-]+?)(?:\+unsubscribe)?[@.]googlegroups\.com", text, re.IGNORECASE)
        if m:
            return m.group(1)
        m = re.search(r"groups\.google\.com/(?:a/[\w.-]+/)?(?:g|group|forum/#!forum)/([\w.-]+)", text)
        if m:
            return m.group(1)
    return None


def split_mailto(target: str) -> tuple[str, str | None]:
    """``mailto:leave@x.org?subject=unsubscribe`` → (``leave@x.org``, ``unsubscribe``)."""
    parts = urlsplit(target.strip())
    address = unquote(parts.path)
    subject = parse_qs(parts.query).get("subject", [None])[0]
    return address, subject


def _link_from_id(p: PlatformSteps, external_id: str | None) -> str | None:
    if not p.link_template or not external_id:
        return None
    ident = external_id.strip()
    if not re.fullmatch(p.id_pattern, ident):
        return None
    if ident.startswith("r/"):
        ident = ident[2:]
    return p.link_template.format(id=ident)


_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}


def format_number(value: float) -> str:
    """``1,200``, ``2.5``: no trailing zeros."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_money(amount: float, currency: str | None) -> str:
    """``€120``, ``$45.5``, ``120 CHF``; a bare number when the currency is not known."""
    code = (currency or "").strip().upper()
    text = format_number(round(amount, 2))
    if code in _SYMBOLS:
        return f"{_SYMBOLS[code]}{text}"
    return f"{text} {code}" if code else text


def steps_for(
    action: str,
    network: str | None,
    *,
    url: str | None = None,
    external_id: str | None = None,
    list_unsubscribe: Sequence[str] = (),
    cost_per_year: float = 0.0,
    currency: str | None = None,
) -> GroupSteps:
    """The steps and link to ``leave`` or ``mute`` one group.

    Args:
        action: ``leave`` or ``mute`` (anything else is treated as ``leave``).
        network: the group's network.
        url: the group's own link, if known (preferred over one made from its id).
        external_id: the network's id (Discord server id, subreddit, List-Id, group slug).
        list_unsubscribe: the List-Unsubscribe targets of the group's mail (``mailto:``/``https:``),
            in the header's order.
        cost_per_year: what the group costs a year (a reminder to cancel the payment when leaving).
        currency: the cost's currency.

    Returns:
        The platform, its steps followed by this group's own, and the link to start from.
    """
    key = platform_of(network, url, external_id, list_unsubscribe)
    p = PLATFORMS[key]
    leaving = action != "mute"
    steps: list[str] = []
    mailto = next((t for t in list_unsubscribe if t.lower().startswith("mailto:")), None)
    web = next((t for t in list_unsubscribe if t.lower().startswith(("https://", "http://"))), None)
    email = subject = None
    link = url or _link_from_id(p, external_id)
    if key == "google_groups":
        name = _google_name(url, external_id, list_unsubscribe)
        if name and not url:
            link = p.link_template.format(id=name) if p.link_template else None
        if leaving and not mailto and name:
            email = f"{name}+unsubscribe@googlegroups.com"
    if leaving and mailto:
        email, subject = split_mailto(mailto)
    if leaving and web:
        link = web
    if leaving and email:
        how = f"Send an e-mail to {email}"
        steps.append(f"{how} with the subject “{subject}”." if subject else f"{how} (it may stay empty).")
    if leaving and web:
        steps.append("Or open the unsubscribe link below.")
    if key in ("mailing_list", "google_groups") and not leaving and external_id:
        steps.append(f"Its List-Id for the mail filter: {external_id}")
    if leaving and cost_per_year > 0 and key not in ("association", "offline"):
        steps.append(f"Cancel the payment ({format_money(cost_per_year, currency)} a year).")
    if not link and not email:
        link = p.home
    return GroupSteps(key, p.label, p.leave if leaving else p.mute, tuple(steps), link, email, subject)
