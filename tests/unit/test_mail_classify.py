"""The mail classifier against the sample messages in tests/data/mail and hand-made edge cases."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groupdesk.errors import UserError
from groupdesk.mail.classify import (
    Classifier,
    TrafficCounter,
    classify,
    decode_words,
    emails_per_week,
    looks_like_person,
    parse_address,
    parse_list_id,
    parse_unsubscribe,
    rules_from_dicts,
    week_key,
    week_start,
)
from groupdesk.mail.imap import parse_header_block

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"


def headers_of(name: str) -> dict[str, str]:
    raw = (MAIL / name).read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return parse_header_block(raw.replace(b"\n", b"\r\n") + b"\r\n\r\n")


# (file, kind, network, group, inviter, personal, list id)
INVITATIONS = [
    ("invite_mailman3.eml", "mailing_list", "boardgames@lists.example.org", None, False,
     "boardgames.lists.example.org"),
    ("invite_mailman2.eml", "mailing_list", "devel", None, False, "devel.lists.example.net"),
    ("invite_groupsio.eml", "mailing_list", "hikers-nord", None, False, "hikers-nord.groups.io"),
    ("invite_linkedin.eml", "linkedin", "Python Developers Danmark", "Søren Ørsted", True, None),
    ("invite_facebook.eml", "facebook", "Copenhagen Cyclists 🚲", "Peter Müller", True, None),
    ("invite_meetup.eml", "meetup", "Copenhagen Python Meetup", None, False, None),
    ("invite_slack.eml", "slack", "Open Source Nordic", "Anna Berg", True, None),
    ("invite_discord.eml", "discord", "Pixel Art Club", None, False, None),
    ("invite_googlegroups.eml", "mailing_list", "climbing-cph", "Jonas Lind", True,
     "climbing-cph.googlegroups.com"),
    ("invite_discourse.eml", "forum", "users.rust-lang.org", "kim_dev", True, None),
]  # fmt: skip


@pytest.mark.parametrize(("name", "network", "group", "inviter", "personal", "list_id"), INVITATIONS)
def test_invitations_of_every_kind(name, network, group, inviter, personal, list_id):
    result = classify(headers_of(name))
    assert result.kind == "invitation"
    assert result.network == network
    assert result.group_name == group
    assert result.inviter == inviter
    assert result.personal is personal
    assert result.list_id == list_id
    assert result.message_id and result.message_id.startswith("<")
    assert result.date is not None and result.date.tzinfo is not None


LISTS = [
    ("list_googlegroups.eml", "mailing_list", "Google Groups", "climbing-cph.googlegroups.com",
     "climbing-cph"),
    ("list_groupsio.eml", "mailing_list", "Groups.io", "hikers-nord.groups.io", "hikers-nord"),
    ("list_mailman3.eml", "mailing_list", "", "boardgames.lists.example.org", "Board Games Oost"),
    ("list_discourse.eml", "forum", "Discourse", "help.users.rust-lang.org", "Rust Users Forum"),
    ("list_nobrackets.eml", "mailing_list", "", "project-announce.lists.example.com", "project-announce"),
    ("list_meetup_announce.eml", "meetup", "Meetup", "meetup:copenhagen tech meetup",
     "Copenhagen Tech Meetup"),
    ("list_linkedin_digest.eml", "linkedin", "LinkedIn", "linkedin:python developers danmark",
     "Python Developers Danmark"),
    ("list_facebook_groupupdates.eml", "facebook", "Facebook", "facebook:copenhagen cyclists",
     "Copenhagen Cyclists"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "network", "platform", "list_id", "group"), LISTS)
def test_list_traffic(name, network, platform, list_id, group):
    result = classify(headers_of(name))
    assert result.kind == "list"
    assert result.network == network
    assert result.platform == platform
    assert result.list_id == list_id
    assert result.group_name == group
    assert result.bulk


@pytest.mark.parametrize(
    "name",
    [
        "noise_personal.eml",
        "noise_newsletter.eml",  # "invited to join our VIP club" from an unknown shop
        "noise_autoreply.eml",  # an out-of-office reply quoting an invitation
        "noise_linkedin_connect.eml",  # a connection request is not a group invitation
        "noise_utf8_raw.eml",
    ],
)
def test_noise_is_other(name):
    assert classify(headers_of(name)).kind == "other"


def test_every_sample_file_is_covered():
    covered = {row[0] for row in INVITATIONS} | {row[0] for row in LISTS}
    noise = {p.name for p in MAIL.glob("noise_*.eml")}
    assert {p.name for p in MAIL.glob("*.eml")} == covered | noise


def test_rfc2047_subjects_and_names_are_decoded():
    linkedin = classify(headers_of("invite_linkedin.eml"))
    assert linkedin.subject == "Søren Ørsted invited you to join Python Developers Danmark"
    assert linkedin.sender_name == "Søren Ørsted via LinkedIn"
    personal = classify(headers_of("noise_personal.eml"))
    assert personal.subject == "Café on Friday?"
    assert personal.sender_name == "Zoë Dupont"
    raw_utf8 = classify(headers_of("noise_utf8_raw.eml"))
    assert raw_utf8.subject == "Grüße aus München"
    assert raw_utf8.sender_name == "Jörg Weiß"
    groupsio = classify(headers_of("list_groupsio.eml"))
    assert groupsio.subject == "[hikers-nord] Tur til Møns Klint – lørdag"


def test_decode_words_survives_broken_encodings():
    assert decode_words("=?x-unknown?Q?abc?= plain") == "=?x-unknown?Q?abc?= plain"
    assert decode_words("=?UTF-8?B?not base64!?=")
    assert decode_words(None) == ""
    assert decode_words("  many   spaces\t here ") == "many spaces here"


@pytest.mark.parametrize(
    ("value", "ident", "phrase"),
    [
        ("<boardgames.lists.example.org>", "boardgames.lists.example.org", ""),
        ('"Board Games" <boardgames.lists.example.org>', "boardgames.lists.example.org", "Board Games"),
        ("Board Games <BoardGames.Lists.Example.ORG>", "boardgames.lists.example.org", "Board Games"),
        ("Project-Announce.Lists.Example.Com", "project-announce.lists.example.com", ""),
        ("Announcements announce.example.com", "announce.example.com", "Announcements"),
        ("=?UTF-8?Q?R=C3=A5d?= <raad.example.dk>", "raad.example.dk", "Råd"),
        ('"Rust Users Forum | help" <help.users.rust-lang.org>', "help.users.rust-lang.org",
         "Rust Users Forum | help"),
        ("<list@example.org>", "list.example.org", ""),
    ],
)  # fmt: skip
def test_parse_list_id(value, ident, phrase):
    parsed = parse_list_id(value)
    assert parsed is not None
    assert parsed.id == ident
    assert parsed.phrase == phrase


@pytest.mark.parametrize("value", [None, "", "no list here", "<>"])
def test_parse_list_id_rejects_garbage(value):
    assert parse_list_id(value) is None


def test_list_unsubscribe_leftmost_and_one_click():
    value = "<https://example.org/unsub?x=1>, <mailto:leave@example.org>"
    both = parse_unsubscribe(value, "List-Unsubscribe=One-Click")
    assert both.preferred == "https://example.org/unsub?x=1"
    assert both.mailto == "mailto:leave@example.org"
    assert both.one_click
    mail_first = parse_unsubscribe("<mailto:leave@example.org>,\r\n <https://example.org/u>", None)
    assert mail_first.preferred == "mailto:leave@example.org"
    assert mail_first.https == "https://example.org/u"
    assert not mail_first.one_click
    # one-click needs an https target
    assert not parse_unsubscribe("<mailto:leave@example.org>", "List-Unsubscribe=One-Click").one_click
    # a wrong Post value is not one-click
    assert not parse_unsubscribe("<https://e.org/u>", "List-Unsubscribe=Yes").one_click
    # brackets missing; other schemes ignored
    loose = parse_unsubscribe("https://e.org/u, ftp://nope", None)
    assert loose.urls == ("https://e.org/u",)


def test_one_click_from_a_sample():
    result = classify(headers_of("list_groupsio.eml"))
    assert result.unsubscribe.one_click
    assert result.unsubscribe.https == "https://groups.io/g/hikers-nord/leave/123,456"


def test_google_groups_mailing_list_header_without_list_id():
    headers = {
        "From": "x@example.com",
        "Subject": "hello",
        "Mailing-list": "list knitting@googlegroups.com; contact knitting+owners@googlegroups.com",
    }
    result = classify(headers)
    assert result.kind == "list"
    assert result.list_id == "knitting.googlegroups.com"
    assert result.platform == "Google Groups"


def test_header_names_are_case_insensitive():
    result = classify({"FROM": "a@b.example", "subject": "x", "LIST-id": "<a.b.example>"})
    assert result.kind == "list"
    assert result.list_id == "a.b.example"


def test_replies_and_forwards_are_not_invitations():
    for subject in (
        "Re: Anna invited you to join Cats",
        "Fwd: Anna invited you to join Cats",
        "AW: Anna invited you to join Cats",
    ):
        result = classify({"From": "Slack <feedback@slack.com>", "Subject": subject})
        assert result.kind == "other", subject


def test_platform_blast_is_not_personal():
    result = classify({"From": "Slack <feedback@slack.com>", "Subject": "Someone invited you to join Cats"})
    assert result.kind == "invitation"
    assert result.personal is False
    assert result.inviter is None


def test_looks_like_person():
    assert looks_like_person("Anna Berg")
    assert looks_like_person("kim_dev")
    assert not looks_like_person("LinkedIn")
    assert not looks_like_person("The Meetup Team")
    assert not looks_like_person("")
    assert not looks_like_person("Groups.io Notification")


def test_parse_address():
    assert parse_address('"Berg, Anna" <Anna@Example.org>') == ("Berg, Anna", "anna@example.org")
    assert parse_address(None) == ("", "")


def test_user_rules_come_first_and_extend():
    rules = rules_from_dicts(
        [
            {
                "name": "Local choir",
                "kind": "invitation",
                "network": "association",
                "sender": r"@choir\.example$",
                "subject": r"^welcome to (?P<group>.+)$",
                "personal": True,
            },
            {
                "name": "Club news",
                "kind": "list",
                "network": "association",
                "sender": r"^news@club\.example$",
            },
        ]
    )
    classifier = Classifier(rules)
    invite = classifier.classify({"From": "Choir <board@choir.example>", "Subject": "Welcome to Voices"})
    assert (invite.kind, invite.network, invite.group_name, invite.personal, invite.rule) == (
        "invitation",
        "association",
        "Voices",
        True,
        "Local choir",
    )
    news = classifier.classify({"From": "news@club.example", "Subject": "March letter"})
    assert news.kind == "list"
    assert news.list_id == "association:news@club.example"
    # defaults still apply
    assert classifier.classify(headers_of("invite_slack.eml")).network == "slack"
    # a user rule without a subject pattern uses the common invitation phrases
    phrase_only = Classifier([{"name": "Forum", "network": "forum", "sender": r"@forum\.example$"}])
    found = phrase_only.classify({"From": "noreply@forum.example", "Subject": "Bo wants you to join Makers"})
    assert (found.kind, found.group_name, found.inviter, found.personal) == (
        "invitation",
        "Makers",
        "Bo",
        True,
    )


def test_defaults_can_be_turned_off():
    assert Classifier(use_defaults=False).classify(headers_of("invite_slack.eml")).kind == "other"


@pytest.mark.parametrize(
    ("rule", "needle"),
    [
        ({"name": "bad kind", "kind": "spam", "sender": "x"}, "kind"),
        ({"name": "bad net", "network": "myspace", "sender": "x"}, "network"),
        ({"name": "bad regex", "sender": "("}, "sender pattern"),
        ({"name": "empty"}, "sender pattern, a subject pattern"),
        ({"name": "bad from", "sender": "x", "group_from": "body"}, "group_from"),
    ],
)
def test_bad_rules_are_refused_with_their_name(rule, needle):
    with pytest.raises(UserError) as info:
        rules_from_dicts([rule])
    assert rule["name"] in str(info.value)
    assert needle in str(info.value)


def test_week_key_iso_weeks():
    assert week_key(date(2026, 11, 26)) == "2026-W48"
    assert week_key(date(2027, 1, 1)) == "2026-W53"  # ISO year differs from the calendar year
    assert week_key(date(2024, 12, 30)) == "2025-W01"
    # aware datetimes count in UTC
    late = datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)
    assert week_key(late) == "2026-W48"
    assert week_start("2026-W48") == date(2026, 11, 23)


def test_emails_per_week_estimate():
    today = date(2026, 11, 26)  # Thursday of 2026-W48
    weekly = {"2026-W45": 3, "2026-W46": 6, "2026-W47": 3, "2026-W48": 10}
    # three complete weeks since first seen; the unfinished week is left out
    assert emails_per_week(weekly, today) == pytest.approx(4.0)
    # a quiet week counts as zero
    assert emails_per_week({"2026-W45": 6}, today) == pytest.approx(2.0)
    # only the current week so far
    assert emails_per_week({"2026-W48": 5}, today) == 5.0
    # older than the window does not count
    assert emails_per_week({"2025-W01": 100}, today, window_weeks=12) == 0.0
    assert emails_per_week({}, today) is None


def test_traffic_counter_counts_each_message_once():
    counter = TrafficCounter()
    when = datetime(2026, 11, 24, 9, tzinfo=timezone.utc)
    assert counter.add("a.example", when, "<1@x>", name="A list")
    assert not counter.add("a.example", when, "<1@x>")
    assert counter.add("a.example", when, "<2@x>")
    assert counter.add("b.example", date(2026, 11, 16), "<3@x>")
    assert counter.rows() == [("a.example", "2026-W48", 2), ("b.example", "2026-W47", 1)]
    assert counter.names == {"a.example": "A list"}
    assert counter.emails_per_week("b.example", date(2026, 11, 26)) == 1.0
    listed = classify(headers_of("list_mailman3.eml"))
    assert counter.add_classified(listed)
    assert not counter.add_classified(listed)
    assert not counter.add_classified(classify(headers_of("invite_slack.eml")))


_FIELDS = st.sampled_from(
    ["From", "Subject", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "Date", "Message-ID",
     "Precedence", "Auto-Submitted", "Mailing-List", "Sender", "X-Discourse-Post-Id"]
)  # fmt: skip
_VALUES = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"=\?[A-Za-z0-9-]{0,12}\?[QqBbX]\?[^?]{0,20}\?=", fullmatch=True),
    st.from_regex(r'"?[^"<>]{0,15}"? ?<[^<>]{0,20}>', fullmatch=True),
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_FIELDS, _VALUES, max_size=8))
def test_classify_never_raises(headers):
    result = classify(headers)
    assert result.kind in ("invitation", "list", "other")
    if result.kind == "invitation":
        assert result.network


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_header_parser_never_raises(raw):
    headers = parse_header_block(raw)
    assert all(key == key.lower() and ":" not in key for key in headers)
