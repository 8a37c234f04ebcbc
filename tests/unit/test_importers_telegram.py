"""Telegram Desktop result.json: full and single-chat exports, group types only, left chats, my messages."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from groupdesk.importers import telegram
from groupdesk.importers.base import FileSet
from groupdesk.importers.detect import read_path

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "telegram"


def test_full_export():
    [res] = read_path(EXPORTS / "full")
    assert res.kind == "telegram"
    g = {r.name: r for r in res.records}
    assert {n: (r.status, r.external_id) for n, r in g.items()} == {
        "Aarhus Runners": ("member", "1234567890"),
        "Nordic Python News": ("member", "1987654321"),
        "Neighbourhood Garden": ("member", "4443332"),
        "Crypto Signals VIP": ("left", "1555000111"),
    }
    runners = g["Aarhus Runners"]
    assert (runners.how_joined, runners.joined_on) == ("self", date(2023, 5, 1))  # join_group_by_link by me
    assert runners.last_group_activity == date(2024, 4, 21)
    assert [(c.date, c.note) for c in runners.contributions] == [
        (date(2023, 5, 1), "messages on Telegram"),
        (date(2024, 4, 21), "messages on Telegram"),
    ]
    garden = g["Neighbourhood Garden"]  # Dorte added me: unasked
    assert (garden.how_joined, garden.invited_by, garden.joined_on) == (
        "added_by_someone",
        "Dorte",
        date(2022, 8, 1),
    )
    assert garden.contributions == []
    assert [(s.name, s.reason) for s in res.skipped] == [
        ("Bo Jensen", "personal chat, not a group"),
        ("WeatherBot", "bot chat, not a group"),
        ("Saved Messages", "saved messages, not a group"),
    ]


def test_single_chat_export_has_no_contributions():
    [res] = read_path(EXPORTS / "single_chat")
    assert [(r.name, r.status, r.last_group_activity) for r in res.records] == [
        ("Board Games Oost", "member", date(2024, 4, 3))
    ]
    assert res.records[0].contributions == []
    assert any("does not say who you are" in m for m in res.messages)


def test_single_personal_chat_is_skipped():
    doc = {"name": "Bo", "type": "personal_chat", "id": 5, "messages": []}
    [res] = telegram.read(FileSet.from_bytes({"": json.dumps(doc).encode()}))
    assert res.records == []
    assert [(s.name, s.reason) for s in res.skipped] == [("Bo", "personal chat, not a group")]


def test_odd_values_tolerated():
    doc = {
        "personal_information": {"user_id": "x"},
        "chats": {
            "list": [{"type": "private_group", "id": None, "name": None, "messages": [1, {"date": 5}]}]
        },
        "left_chats": {"list": "nope"},
    }
    [res] = telegram.read(FileSet.from_bytes({"result.json": json.dumps(doc).encode()}))
    assert [(r.name, r.external_id) for r in res.records] == [("Telegram chat None", None)]


def test_not_telegram():
    assert telegram.read(FileSet.from_bytes({"result.json": b'{"chats": 3}', "x.json": b"[]"})) == []


def test_a_later_export_with_more_messages_the_same_day_gives_the_same_rows():
    def export(n):
        msgs = [
            {"id": i, "type": "message", "date": "2024-04-21T08:00:00", "from_id": "user1", "text": "x"}
            for i in range(n)
        ]
        doc = {
            "personal_information": {"user_id": 1},
            "chats": {"list": [{"name": "G", "type": "private_group", "id": 9, "messages": msgs}]},
        }
        [res] = telegram.read(FileSet.from_bytes({"result.json": json.dumps(doc).encode()}))
        return res.records[0].contributions

    assert export(2) == export(5)  # the store de-duplicates by (date, kind, note): no double counting
    assert len(export(5)) == 1
