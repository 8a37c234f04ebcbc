"""Tell invitations and list traffic apart from other mail, from headers alone.

Data-driven: :data:`DEFAULT_RULES` is a list of plain dicts (the same shape the user edits in the
settings table and that :func:`rules_from_dicts` validates). A rule says which sender address
and/or subject it matches (regular expressions, case-insensitive), the network, and whether the
mail is an ``invitation`` or ``list`` traffic. Invitation rules without a subject pattern use the
common invitation phrases (:data:`INVITATION_PHRASES`), so a user adding a new platform usually
only types its sender domain.

Also here: RFC 2047 decoding (stdlib ``email``), RFC 2919 ``List-Id`` and RFC 2369 / 8058
``List-Unsubscribe`` parsing, ISO week keys and a per-list weekly traffic counter.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.errors import MessageError
from email.header import decode_header, make_header
from email.utils import getaddresses, parsedate_to_datetime

from groupdesk.domain.vocab import NETWORKS
from groupdesk.errors import UserError

KINDS = ("invitation", "list", "other")
RULE_KINDS = ("invitation", "list")

#: Subject phrases of an invitation. Named groups: ``inviter`` (a person or a platform), ``group``.
INVITATION_PHRASES: tuple[str, ...] = (
    r"^(?P<inviter>.+?) (?:has |have )?invited you to join (?:the )?(?:group |server |workspace )?"
    r"(?P<group>.+?)(?: (?:group|workspace|server|community|mailing list))?"
    r"(?: on (?:slack|discord|linkedin|facebook|meetup|google groups))?[.!]?$",
    r"^(?P<inviter>.+?) (?:has |have )?invited you to (?:work with them|collaborate) (?:in|on) \S+[.!]?$",
    r"^(?P<inviter>.+?) wants you to join (?:the )?(?:group )?(?P<group>.+?)"
    r"(?: (?:group|workspace|server|community))?(?: on \w+)?[.!]?$",
    r"^(?:you(?:'re| are|'ve been| have been) invited to join|invitation to join|join) (?:the )?"
    r"(?:group )?(?P<group>.+?)(?: (?:group|workspace|server|community|mailing list))?"
    r"(?: on (?:slack|discord|linkedin|facebook|meetup|google groups))?[.!]?$",
    r"^(?P<inviter>.+?) (?:has |have )?invited you\b",
)

#: Built-in rules, checked after the user's own. Keys: name, kind, network, platform, sender, subject,
#: group_pattern (extracts the group name from the subject without affecting the match),
#: group_from ("subject" or "display_name"), list_domain (builds a list id "<group>.<domain>"),
#: personal (true/false forces it; absent = decided by who is named as inviter).
DEFAULT_RULES: list[dict[str, object]] = [
    {
        "name": "Mailman 3 invitation",
        "kind": "invitation",
        "network": "mailing_list",
        "platform": "Mailman",
        "sender": r"-confirm(?:\+[^@]*)?@",
        "subject": r"^you have been invited to join the (?P<group>.+?) mailing list\.?$",
        "personal": False,
    },
    {
        "name": "Mailman 2 confirmation",
        "kind": "invitation",
        "network": "mailing_list",
        "platform": "Mailman",
        "sender": r"^(?P<group>[^@]+)-request@(?P<domain>[^@]+)$",
        "subject": r"^confirm [0-9a-f]{8,}\s*$",
        "personal": False,
    },
    {
        "name": "Groups.io invitation",
        "kind": "invitation",
        "network": "mailing_list",
        "platform": "Groups.io",
        "sender": r"@groups\.io$",
        "subject": r"^invitation to join the (?P<group>[^\s@]+)(?:@groups\.io)? group\.?$",
        "list_domain": "groups.io",
        "personal": False,
    },
    {
        "name": "LinkedIn invitation",
        "kind": "invitation",
        "network": "linkedin",
        "platform": "LinkedIn",
        "sender": r"@linkedin\.com$",
    },
    {
        "name": "Facebook invitation",
        "kind": "invitation",
        "network": "facebook",
        "platform": "Facebook",
        "sender": r"@facebookmail\.com$",
    },
    {
        "name": "Meetup invitation",
        "kind": "invitation",
        "network": "meetup",
        "platform": "Meetup",
        "sender": r"@meetup\.com$",
        "group_from": "display_name",
    },
    {
        "name": "Slack invitation",
        "kind": "invitation",
        "network": "slack",
        "platform": "Slack",
        "sender": r"@slack\.com$",
    },
    {
        "name": "Discord invitation",
        "kind": "invitation",
        "network": "discord",
        "platform": "Discord",
        "sender": r"@discord\.com$",
    },
    {
        "name": "Google Groups invitation",
        "kind": "invitation",
        "network": "mailing_list",
        "platform": "Google Groups",
        "sender": r"@googlegroups\.com$",
        "list_domain": "googlegroups.com",
    },
    {
        "name": "Discourse invitation",
        "kind": "invitation",
        "network": "forum",
        "platform": "Discourse",
        "subject": r"^(?P<inviter>\S+) invited you to join (?P<group>[a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?$",
    },
    {
        "name": "LinkedIn group digest",
        "kind": "list",
        "network": "linkedin",
        "platform": "LinkedIn",
        "sender": r"^groups-noreply@linkedin\.com$",
        "group_pattern": r"\b(?:conversations?|posts?|discussions?|activity) in (?P<group>.+?)\.?$",
    },
    {
        "name": "Facebook group updates",
        "kind": "list",
        "network": "facebook",
        "platform": "Facebook",
        "sender": r"^groupupdates@facebookmail\.com$",
        "group_pattern": r"\b(?:posts?|activity|updates?) in (?P<group>.+?)\.?$",
    },
    {
        "name": "Meetup group mail",
        "kind": "list",
        "network": "meetup",
        "platform": "Meetup",
        "sender": r"^(?:info|[^@]+-announce)@meetup\.com$",
        "group_from": "display_name",
    },
]

_REPLY_PREFIX = re.compile(
    r"^\s*(?:re|aw|sv|vs|antw|fwd?|wg|tr|automatic reply|auto(?:matic)?[- ]?reply|auto|out of office)\s*:",
    re.IGNORECASE,
)
_GENERIC_INVITERS = frozenset(
    {
        "someone",
        "a friend",
        "your friend",
        "a member",
        "a colleague",
        "we",
        "you",
        "they",
        "the team",
        "the organizers",
        "the organisers",
        "the owner",
        "the list owner",
        "an admin",
        "the admin",
    }
    | {v.lower() for v in NETWORKS.values()}
    | {"groups.io", "google groups", "mailman", "discourse", "meetup group"}
)


@dataclass(frozen=True)
class Rule:
    """One classification rule (see :data:`DEFAULT_RULES` for the dict form)."""

    name: str
    kind: str
    network: str
    platform: str = ""
    sender: re.Pattern[str] | None = None
    subject: re.Pattern[str] | None = None
    group_pattern: re.Pattern[str] | None = None
    group_from: str = "subject"
    list_domain: str = ""
    personal: bool | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, object], index: int = 0) -> Rule:
        """Build a rule from its dict form; raise :class:`UserError` naming the rule on bad input."""
        name = str(data.get("name") or f"rule {index + 1}")
        kind = str(data.get("kind") or "invitation").strip().lower()
        if kind not in RULE_KINDS:
            raise UserError(f"Mail rule {name!r}: kind must be 'invitation' or 'list', not {kind!r}.")
        network = str(data.get("network") or "other").strip().lower()
        if network not in NETWORKS:
            raise UserError(
                f"Mail rule {name!r}: unknown network {network!r} (one of {', '.join(NETWORKS)})."
            )
        patterns: dict[str, re.Pattern[str] | None] = {}
        for key in ("sender", "subject", "group_pattern"):
            raw = data.get(key)
            if raw in (None, ""):
                patterns[key] = None
                continue
            try:
                patterns[key] = re.compile(str(raw), re.IGNORECASE)
            except re.error as exc:
                raise UserError(f"Mail rule {name!r}: the {key} pattern is not valid ({exc}).") from None
        if patterns["sender"] is None and patterns["subject"] is None:
            raise UserError(f"Mail rule {name!r}: give a sender pattern, a subject pattern or both.")
        group_from = str(data.get("group_from") or "subject")
        if group_from not in ("subject", "display_name"):
            raise UserError(f"Mail rule {name!r}: group_from must be 'subject' or 'display_name'.")
        personal = data.get("personal")
        return cls(
            name=name,
            kind=kind,
            network=network,
            platform=str(data.get("platform") or NETWORKS[network]),
            sender=patterns["sender"],
            subject=patterns["subject"],
            group_pattern=patterns["group_pattern"],
            group_from=group_from,
            list_domain=str(data.get("list_domain") or "").lower(),
            personal=None if personal is None else bool(personal),
        )


def rules_from_dicts(items: Iterable[Mapping[str, object]]) -> list[Rule]:
    """Validate and compile user-edited rules (raises :class:`UserError` naming the bad rule)."""
    return [Rule.from_dict(item, i) for i, item in enumerate(items)]


DEFAULT_RULE_OBJECTS: tuple[Rule, ...] = tuple(rules_from_dicts(DEFAULT_RULES))
_PHRASES = tuple(re.compile(p, re.IGNORECASE) for p in INVITATION_PHRASES)


@dataclass(frozen=True)
class ListId:
    """A parsed RFC 2919 List-Id: ``id`` lower-cased (``label.namespace``), ``phrase`` decoded."""

    id: str
    phrase: str = ""


@dataclass(frozen=True)
class Unsubscribe:
    """RFC 2369 List-Unsubscribe targets in header order, and whether RFC 8058 one-click applies."""

    urls: tuple[str, ...] = ()
    one_click: bool = False

    @property
    def preferred(self) -> str | None:
        """The leftmost target (RFC 2369: the sender's preferred one)."""
        return self.urls[0] if self.urls else None

    @property
    def https(self) -> str | None:
        """The first https target (the one a one-click POST goes to)."""
        return next((u for u in self.urls if u.lower().startswith("https://")), None)

    @property
    def mailto(self) -> str | None:
        """The first mailto target."""
        return next((u for u in self.urls if u.lower().startswith("mailto:")), None)


@dataclass(frozen=True)
class Classification:
    """What one message is: an ``invitation``, ``list`` traffic, or ``other``; with what was found."""

    kind: str
    network: str | None = None
    platform: str = ""
    group_name: str | None = None
    inviter: str | None = None
    personal: bool | None = None
    list_id: str | None = None
    list_name: str | None = None
    unsubscribe: Unsubscribe = field(default_factory=Unsubscribe)
    rule: str | None = None
    subject: str = ""
    sender_name: str = ""
    sender_address: str = ""
    date: datetime | None = None
    message_id: str | None = None
    bulk: bool = False


# ---------------------------------------------------------------------------------------------
# Header helpers

#: Header values repeat (a list's List-Id and List-Unsubscribe, a poster's From, a thread's
#: Subject), so the pure parsers below remember recent answers (results are immutable).
_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_CACHE_SIZE)
def decode_words(value: str | None) -> str:
    """Decode RFC 2047 encoded words (``=?UTF-8?B?…?=``) and collapse whitespace.

    Unknown charsets and broken encodings degrade to the raw text rather than raising.
    """
    if not value:
        return ""
    text = str(value)
    if "=?" in text:
        with contextlib.suppress(LookupError, UnicodeError, ValueError, AssertionError, MessageError):
            text = str(make_header(decode_header(text)))
    return " ".join(text.split())


_SIMPLE_ADDRESS = re.compile(
    r'\s*(?:((?:"[^"\\]*"|[^"<>,;:()@\\])*?)\s*<([^<>@\s",;]+@[^<>@\s",;]+)>|([^<>@\s",;()]+@[^<>@\s",;()]+))\s*'
)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def parse_address(value: str | None) -> tuple[str, str]:
    """(decoded display name, lower-case address) of the first address in a From-like field."""
    if not value:
        return "", ""
    decoded = decode_words(value)
    simple = _SIMPLE_ADDRESS.fullmatch(decoded)
    if simple:  # the common forms, without the full RFC 5322 parser
        name = (simple.group(1) or "").strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1].replace('\\"', '"')
        return name.strip(), (simple.group(2) or simple.group(3)).lower()
    pairs = getaddresses([decoded])
    name, address = pairs[0] if pairs else ("", "")
    if not address and "@" not in decoded:
        return decoded.strip(), ""
    return name.strip(), address.strip().lower()


@functools.lru_cache(maxsize=_CACHE_SIZE)
def parse_list_id(value: str | None) -> ListId | None:
    """Parse an RFC 2919 List-Id; tolerant of missing brackets and any letter case.

    ``"Board Games" <boardgames.lists.example.org>`` → ListId("boardgames.lists.example.org",
    "Board Games"); ``Project.Lists.Example.Com`` → ListId("project.lists.example.com").
    """
    if not value:
        return None
    text = value.strip()
    match = re.search(r"<\s*([^<>\s]+)\s*>", text)
    if match:
        ident = match.group(1)
        phrase = text[: match.start()].strip()
    else:
        tokens = text.split()
        candidates = [t for t in tokens if "." in t and re.fullmatch(r"[\w.+-]+", t)]
        if not candidates:
            return None
        ident = candidates[-1]
        phrase = text[: text.rfind(ident)].strip()
    ident = ident.strip().strip(".").lower()
    if "@" in ident:  # a list address given instead of an id
        local, _, domain = ident.partition("@")
        ident = f"{local}.{domain}"
    phrase = decode_words(phrase)
    if len(phrase) >= 2 and phrase[0] == phrase[-1] == '"':
        phrase = phrase[1:-1].replace('\\"', '"')
    return ListId(ident, phrase.strip()) if ident else None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def parse_unsubscribe(value: str | None, post: str | None = None) -> Unsubscribe:
    """Parse RFC 2369 List-Unsubscribe (``<url>, <url>`` in preference order) and RFC 8058 one-click.

    One-click needs ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` *and* an https target.
    """
    if not value:
        return Unsubscribe()
    urls = [u.strip() for u in re.findall(r"<([^<>]+)>", value)]
    if not urls:
        urls = [part.strip() for part in value.split(",") if part.strip()]
    urls = ["".join(u.split()) for u in urls if re.match(r"(?i)(?:https?|mailto):", u.strip())]
    one_click = bool(
        post
        and re.fullmatch(r"\s*list-unsubscribe\s*=\s*one-click\s*", post, re.IGNORECASE)
        and any(u.lower().startswith("https://") for u in urls)
    )
    return Unsubscribe(tuple(urls), one_click)


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from an RFC 5322 Date field (naive means UTC); None when unparseable."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed


def _mailing_list_id(value: str | None) -> ListId | None:
    """Google's ``Mailing-list: list X@googlegroups.com; contact …`` as a list id."""
    if not value:
        return None
    match = re.search(r"\blist\s+([^\s;@]+)@([^\s;]+)", value, re.IGNORECASE)
    if not match:
        return None
    return ListId(f"{match.group(1)}.{match.group(2)}".lower().strip("."))


def _address_to_list_id(text: str) -> str | None:
    match = re.fullmatch(r"\s*([\w.+-]+)@([\w-]+(?:\.[\w-]+)+)\s*", text)
    if not match:
        return None
    return f"{match.group(1)}.{match.group(2)}".lower()


def _clean_group(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip().strip("\"'“”‘’«»").strip()
    text = re.sub(r"\s+", " ", text)
    return text or None


def looks_like_person(name: str | None) -> bool:
    """True when ``name`` names a person rather than a platform or a generic sender."""
    if not name:
        return False
    text = name.strip().strip("'\"").strip()
    if not text or len(text) > 60 or "http" in text.lower():
        return False
    if text.lower() in _GENERIC_INVITERS:
        return False
    if re.search(r"\b(?:team|notification|notifications|no-?reply|support|admin)\b", text, re.IGNORECASE):
        return False
    words = text.split()
    return 1 <= len(words) <= 6 and any(ch.isalpha() for ch in text)


def _lowered(headers: Mapping[str, str]) -> Mapping[str, str]:
    """The same fields keyed by lower-case name (as fetched headers already are)."""
    if all(key == key.lower() for key in headers):
        return headers
    out: dict[str, str] = {}
    for key, value in headers.items():
        out.setdefault(key.lower(), value)
    return out


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Field ``name`` (lower-case) from a header mapping made by :func:`_lowered`."""
    return headers.get(name)


# ---------------------------------------------------------------------------------------------
# Classification


class Classifier:
    """Classify header blocks with the user's rules first, then :data:`DEFAULT_RULES`."""

    def __init__(self, user_rules: Sequence[Rule | Mapping[str, object]] = (), use_defaults: bool = True):
        rules: list[Rule] = [
            r if isinstance(r, Rule) else Rule.from_dict(r, i) for i, r in enumerate(user_rules)
        ]
        if use_defaults:
            rules.extend(DEFAULT_RULE_OBJECTS)
        self.rules: tuple[Rule, ...] = tuple(rules)

    def classify(self, headers: Mapping[str, str]) -> Classification:
        """Classify one message from its header fields (name → raw value; names in any case)."""
        headers = _lowered(headers)
        subject = decode_words(_header(headers, "subject"))
        sender_name, sender_address = parse_address(_header(headers, "from"))
        if not sender_address:
            sender_name2, sender_address = parse_address(_header(headers, "sender"))
            sender_name = sender_name or sender_name2
        list_id = parse_list_id(_header(headers, "list-id")) or _mailing_list_id(
            _header(headers, "mailing-list")
        )
        unsubscribe = parse_unsubscribe(
            _header(headers, "list-unsubscribe"), _header(headers, "list-unsubscribe-post")
        )
        precedence = (_header(headers, "precedence") or "").strip().lower()
        auto = (_header(headers, "auto-submitted") or "").strip().lower()
        message_id = (_header(headers, "message-id") or "").strip() or None
        base = {
            "subject": subject,
            "sender_name": sender_name,
            "sender_address": sender_address,
            "date": parse_date(_header(headers, "date")),
            "message_id": message_id,
            "unsubscribe": unsubscribe,
            "bulk": precedence in ("bulk", "list", "junk") or bool(list_id),
        }
        is_reply = bool(_REPLY_PREFIX.match(subject)) or auto.startswith("auto-replied")

        if not is_reply:
            for rule in self.rules:
                if rule.kind != "invitation":
                    continue
                found = self._match_invitation(rule, subject, sender_name, sender_address, list_id)
                if found is not None:
                    return Classification(kind="invitation", **found, **base)

        if list_id is not None:
            return Classification(kind="list", **self._list_traffic(list_id, headers), **base)

        if not is_reply:
            for rule in self.rules:
                if rule.kind != "list":
                    continue
                found = self._match_list_rule(rule, subject, sender_name, sender_address)
                if found is not None:
                    return Classification(kind="list", **found, **base)
        return Classification(kind="other", **base)

    # -- invitations

    @staticmethod
    def _match_invitation(
        rule: Rule, subject: str, sender_name: str, sender_address: str, list_id: ListId | None
    ) -> dict[str, object] | None:
        captured: dict[str, str] = {}
        if rule.sender is not None:
            sender_match = rule.sender.search(sender_address)
            if sender_match is None:
                return None
            captured.update({k: v for k, v in sender_match.groupdict().items() if v})
        if rule.subject is not None:
            subject_match = rule.subject.search(subject)
            if subject_match is None:
                return None
            captured.update({k: v for k, v in subject_match.groupdict().items() if v})
        else:
            for phrase in _PHRASES:
                subject_match = phrase.search(subject)
                if subject_match is not None:
                    captured.update({k: v for k, v in subject_match.groupdict().items() if v})
                    break
            else:
                return None

        group = _clean_group(captured.get("group"))
        if rule.group_pattern is not None and not group:
            extra = rule.group_pattern.search(subject)
            if extra is not None:
                group = _clean_group(extra.groupdict().get("group"))
        if rule.group_from == "display_name" and sender_name:
            group = _clean_group(sender_name)

        inviter = _clean_group(captured.get("inviter"))
        if inviter and inviter.lower() in _GENERIC_INVITERS:
            inviter = None
        if not inviter:
            via = re.match(r"^['\"]?(.+?)['\"]?\s+via\s+\S.*$", sender_name)
            if via:
                inviter = _clean_group(via.group(1))
        personal = rule.personal if rule.personal is not None else looks_like_person(captured.get("inviter"))

        list_ident: str | None = list_id.id if list_id else None
        if not list_ident and group:
            if captured.get("domain") and "@" not in group:
                list_ident = f"{group}.{captured['domain']}".lower()
            elif "@" in group:
                list_ident = _address_to_list_id(group)
            elif rule.list_domain and re.fullmatch(r"[\w.+-]+", group):
                list_ident = f"{group}.{rule.list_domain}".lower()
        return {
            "network": rule.network,
            "platform": rule.platform,
            "group_name": group,
            "inviter": inviter,
            "personal": personal,
            "list_id": list_ident,
            "list_name": list_id.phrase or None if list_id else None,
            "rule": rule.name,
        }

    # -- list traffic

    @staticmethod
    def _list_traffic(list_id: ListId, headers: Mapping[str, str]) -> dict[str, object]:
        ident = list_id.id
        if ident.endswith(".googlegroups.com") or _header(headers, "x-google-group-id"):
            network, platform = "mailing_list", "Google Groups"
        elif ident.endswith(".groups.io"):
            network, platform = "mailing_list", "Groups.io"
        elif _header(headers, "x-discourse-post-id") or _header(headers, "x-discourse-topic-id"):
            network, platform = "forum", "Discourse"
        else:
            network, platform = "mailing_list", ""
        label = ident.split(".", 1)[0]
        name = list_id.phrase or label
        if platform == "Discourse" and " | " in name:
            name = name.split(" | ", 1)[0].strip()  # "Site | Category": the group is the site
        return {
            "network": network,
            "platform": platform,
            "group_name": name,
            "list_id": ident,
            "list_name": list_id.phrase or None,
            "rule": "List-Id",
        }

    @staticmethod
    def _match_list_rule(
        rule: Rule, subject: str, sender_name: str, sender_address: str
    ) -> dict[str, object] | None:
        captured: dict[str, str] = {}
        if rule.sender is not None:
            match = rule.sender.search(sender_address)
            if match is None:
                return None
            captured.update({k: v for k, v in match.groupdict().items() if v})
        if rule.subject is not None:
            match = rule.subject.search(subject)
            if match is None:
                return None
            captured.update({k: v for k, v in match.groupdict().items() if v})
        group = _clean_group(captured.get("group"))
        if rule.group_pattern is not None:
            extra = rule.group_pattern.search(subject)
            if extra is not None and extra.groupdict().get("group"):
                group = _clean_group(extra.group("group"))
        if rule.group_from == "display_name" and sender_name:
            group = _clean_group(sender_name)
        if group:
            key = f"{rule.network}:{' '.join(group.lower().split())}"
        else:
            key = f"{rule.network}:{sender_address}"
        return {
            "network": rule.network,
            "platform": rule.platform,
            "group_name": group,
            "list_id": key,
            "list_name": group,
            "rule": rule.name,
        }


_DEFAULT_CLASSIFIER: Classifier | None = None


def classify(headers: Mapping[str, str], rules: Classifier | None = None) -> Classification:
    """Classify one header block with ``rules`` (default: the built-in rules only)."""
    global _DEFAULT_CLASSIFIER
    if rules is None:
        if _DEFAULT_CLASSIFIER is None:
            _DEFAULT_CLASSIFIER = Classifier()
        rules = _DEFAULT_CLASSIFIER
    return rules.classify(headers)


# ---------------------------------------------------------------------------------------------
# Traffic


def week_key(when: date | datetime) -> str:
    """The ISO week of a date as ``YYYY-Www`` (e.g. ``2026-W48``); aware datetimes count in UTC."""
    if isinstance(when, datetime):
        if when.tzinfo is not None:
            when = when.astimezone(timezone.utc)
        when = when.date()
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(key: str) -> date:
    """The Monday of an ISO week key made by :func:`week_key`."""
    year, _, week = key.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def emails_per_week(
    weekly: Mapping[str, int], today: date | None = None, window_weeks: int = 12
) -> float | None:
    """Average e-mails per week over the last ``window_weeks`` complete weeks.

    Only weeks since the list was first seen count (a list found last week is not averaged over
    twelve). The current, unfinished week is left out unless it is the only one. None when there
    is no traffic at all.
    """
    if not weekly:
        return None
    today = today or datetime.now(timezone.utc).date()
    this_week = week_key(today)
    first_seen = min(week_start(k) for k in weekly)
    window_start = week_start(this_week) - timedelta(weeks=window_weeks)
    start = max(first_seen, window_start)
    complete = [k for k in weekly if start <= week_start(k) < week_start(this_week)]
    if not complete:
        if this_week in weekly:
            return float(weekly[this_week])
        return 0.0
    weeks = max(1, (week_start(this_week) - start).days // 7)
    return sum(weekly[k] for k in complete) / weeks


class TrafficCounter:
    """Counts list messages per list per ISO week, each Message-ID once."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}
        self.names: dict[str, str] = {}
        self._seen: set[str] = set()

    def add(
        self, list_id: str, when: date | datetime, message_key: str | None = None, name: str = ""
    ) -> bool:
        """Count one message; returns False when ``message_key`` was counted before."""
        if message_key:
            if message_key in self._seen:
                return False
            self._seen.add(message_key)
        weeks = self.counts.setdefault(list_id, {})
        key = week_key(when)
        weeks[key] = weeks.get(key, 0) + 1
        if name and list_id not in self.names:
            self.names[list_id] = name
        return True

    def add_classified(self, item: Classification, fallback_date: datetime | None = None) -> bool:
        """Count a classified list message (ignored unless it is list traffic with a date)."""
        when = item.date or fallback_date
        if item.kind != "list" or not item.list_id or when is None:
            return False
        return self.add(item.list_id, when, item.message_id, item.list_name or item.group_name or "")

    def emails_per_week(
        self, list_id: str, today: date | None = None, window_weeks: int = 12
    ) -> float | None:
        """The estimate of :func:`emails_per_week` for one list."""
        return emails_per_week(self.counts.get(list_id, {}), today, window_weeks)

    def rows(self) -> list[tuple[str, str, int]]:
        """(list id, week key, count) rows, sorted, ready to store."""
        return sorted((lid, week, n) for lid, weeks in self.counts.items() for week, n in weeks.items())
