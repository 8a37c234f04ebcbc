"""Facebook export: every folder layout, old and v2 keys, join/leave events, mojibake, Danish, HTML."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from groupdesk.importers import facebook
from groupdesk.importers.base import FileSet, fix_mojibake
from groupdesk.importers.detect import read_path

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "facebook"


def by_name(result):
    return {r.name: r for r in result.records}


def only(results, kind="facebook"):
    assert [r.kind for r in results] == [kind], [(r.kind, r.problem) for r in results]
    return results[0]


def test_v2_membership_events_latest_wins_with_admins_and_contributions():
    res = only(read_path(EXPORTS / "v2_en"))
    groups = by_name(res)
    assert set(groups) == {
        "Café Owners Aarhus",
        "Board Games Oost",
        "Rust Copenhagen",
        "Søndre Strand Runners",
        "Aarhus Book Swap",
    }
    cafe = groups["Café Owners Aarhus"]  # joined 2022, left 2024: the leave is the latest event
    assert (cafe.status, cafe.joined_on, cafe.left_on) == ("left", date(2022, 4, 15), date(2024, 7, 3))
    board = groups["Board Games Oost"]  # joined, left (entry without data), re-joined
    assert (board.status, board.joined_on, board.left_on) == ("member", date(2024, 3, 9), None)
    rust = groups["Rust Copenhagen"]  # only an entry without `data`: name from the title
    assert (rust.status, rust.joined_on) == ("member", date(2023, 11, 14))
    assert groups["Søndre Strand Runners"].joined_on == date(2020, 9, 13)
    assert all(r.network == "facebook" and r.external_id is None for r in res.records)


def test_v2_admins_tagged_and_badges_read():
    groups = by_name(only(read_path(EXPORTS / "v2_en")))
    assert groups["Board Games Oost"].tags == "admin"
    swap = groups["Aarhus Book Swap"]  # admined (and Administrator badge), no membership event
    assert (swap.status, swap.tags) == ("member", "admin")
    assert groups["Rust Copenhagen"].tags is None  # "Rising Star" is not an admin badge


def test_v2_posts_and_comments_become_dated_contributions():
    res = only(read_path(EXPORTS / "v2_en"))
    groups = by_name(res)
    contrib = {name: [(c.date, c.kind, c.note) for c in g.contributions] for name, g in groups.items()}
    assert contrib["Board Games Oost"] == [(date(2024, 3, 15), "post", "posts on Facebook")]
    assert contrib["Rust Copenhagen"] == [
        (date(2023, 11, 26), "post", "posts on Facebook"),
        (date(2023, 12, 8), "comment", "comments on Facebook"),
    ]
    # The comment's group is only named in the (mojibake) title: matched against known groups.
    assert contrib["Café Owners Aarhus"] == [(date(2022, 6, 12), "comment", "comments on Facebook")]
    assert any("could not be matched" in m for m in res.messages)  # "shared a link." names no group


def test_v2_unreadable_title_is_skipped_with_reason():
    res = only(read_path(EXPORTS / "v2_en"))
    assert [(s.name, s.reason) for s in res.skipped] == [
        ("Group membership update", "could not tell the group's name")
    ]


def test_v2_reads_only_group_files():
    res = only(read_path(EXPORTS / "v2_en"))
    assert not any("profile_information" in f for f in res.files)
    assert len(res.files) == 5
    assert res.fingerprint and len(res.fingerprint) == 64


def test_danish_titles_and_entries_without_data():
    groups = by_name(only(read_path(EXPORTS / "danish")))
    assert set(groups) == {"Aarhus Fotoklub", "Strikkecafé Vesterbro", "Brætspil i Byen"}
    assert (groups["Aarhus Fotoklub"].status, groups["Aarhus Fotoklub"].joined_on) == (
        "member",
        date(2024, 1, 11),
    )
    board = groups["Brætspil i Byen"]  # "Du er ikke længere medlem af …" (no data) after joining
    assert (board.status, board.joined_on, board.left_on) == ("left", date(2023, 1, 29), date(2023, 5, 25))


def test_old_layout_groups_joined_titles_are_names_or_sentences():
    groups = by_name(only(read_path(EXPORTS / "old")))
    assert groups["Knitting Circle Oost"].joined_on == date(2017, 7, 14)
    assert groups["Linux Users Aarhus"].joined_on == date(2015, 12, 13)
    assert all(g.status == "member" for g in groups.values())


def test_html_variant_membership_file():
    groups = by_name(only(read_path(EXPORTS / "html")))
    assert (groups["A Group"].status, groups["A Group"].joined_on) == ("member", date(2005, 11, 8))
    chess = groups["Sunday Chess Club"]
    assert (chess.status, chess.joined_on, chess.left_on) == ("left", date(2019, 3, 14), date(2021, 2, 2))
    assert groups["Café & Crêpes"].joined_on == date(2020, 7, 1)  # entities decoded, plain text


def test_single_membership_file_dropped_alone():
    f = EXPORTS / "danish/personal_information/profile_information/your_facebook_activity/groups"
    res = only(read_path(f / "your_group_membership_activity.json"))
    assert len(res.records) == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Caf\u00c3\u00a9", "Café"),
        ("S\u00c3\u00b8ndre \u00e2\u0080\u0094 Strand", "Søndre — Strand"),
        ("Café", "Café"),  # already right: kept
        ("\u00c3", "\u00c3"),  # a lone lead byte is not mojibake: kept
        ("日本", "日本"),
    ],
)
def test_fix_mojibake(text, expected):
    assert fix_mojibake(text) == expected


@pytest.mark.parametrize(
    ("title", "event", "name"),
    [
        ("Ann became a member of Board Games Oost.", "join", "Board Games Oost"),
        ("Ann stopped being a member of Board Games Oost.", "leave", "Board Games Oost"),
        ("Du blev medlem af Aarhus Fotoklub.", "join", "Aarhus Fotoklub"),
        ("Du forlod Aarhus Fotoklub.", "leave", "Aarhus Fotoklub"),
        ("Du bist der Gruppe Brettspiele Köln beigetreten.", "join", "Brettspiele Köln"),
        ("Je werd lid van Bordspellen Utrecht.", "join", "Bordspellen Utrecht"),
        ("Vous avez rejoint Jeux de société Lyon.", "join", "Jeux de société Lyon"),
        ("Ann became a member of Acme Inc..", "join", "Acme Inc."),
    ],
)
def test_classify_title_languages(title, event, name):
    assert facebook.classify_title(title) == (event, name)


def test_unknown_language_learns_template_from_entries_with_data():
    doc = {
        "groups_joined_v2": [
            {"timestamp": 1700000000, "title": "Ann è entrata in Giochi Roma."},
            {
                "timestamp": 1600000000,
                "title": "Ann è entrata in Scacchi Milano.",
                "data": [{"name": "Scacchi Milano"}],
            },
        ]
    }
    fs = FileSet.from_bytes({"groups/your_group_membership_activity.json": json.dumps(doc).encode()})
    [res] = facebook.read(fs)
    assert {r.name for r in res.records} == {"Giochi Roma", "Scacchi Milano"}
    assert res.skipped == []


def test_non_facebook_json_is_not_claimed():
    fs = FileSet.from_bytes({"groups/other.json": b'{"groups": [1, 2]}', "groups/bad.json": b"{nope"})
    assert facebook.read(fs) == []
    assert "groups/bad.json" in fs.unreadable


def test_wrong_shapes_are_tolerated():
    doc = {
        "groups_joined_v2": [
            None,
            3,
            {"title": 5, "data": "x"},
            {"timestamp": "soon", "data": [{"name": ["x"]}]},
        ],
        "groups_admined_v2": {"x": [{"name": None}]},
        "group_badges_v2": ["Administrator"],
        "group_posts_v2": [{"timestamp": 1e30, "title": "Ann posted in X."}],
    }
    fs = FileSet.from_bytes({"groups/a.json": json.dumps(doc).encode()})
    [res] = facebook.read(fs)
    assert res.records == []


def test_bare_list_of_membership_entries():
    entries = [
        {
            "timestamp": 1700000000,
            "title": "Ann became a member of Rust Copenhagen.",
            "data": [{"name": "Rust Copenhagen"}],
        },
        {"timestamp": 1710000000, "title": "Ann stopped being a member of Rust Copenhagen."},
    ]
    fs = FileSet.from_bytes({"groups/your_group_membership_activity.json": json.dumps(entries).encode()})
    [res] = facebook.read(fs)
    assert [(r.name, r.status, r.left_on) for r in res.records] == [
        ("Rust Copenhagen", "left", date(2024, 3, 9))
    ]


def test_messenger_group_chats_are_not_read():
    assert facebook.wants("your_facebook_activity/groups/your_group_membership_activity.json")
    assert facebook.wants("groups/your_groups.html")
    assert not facebook.wants(
        "your_activity_across_facebook/messages/inbox/boardgamesgroup_abc123/message_1.json"
    )
    assert not facebook.wants("your_facebook_activity/posts/your_posts_1.json")
