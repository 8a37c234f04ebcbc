"""Spreadsheets with a guessed column mapping, plain text lists, and group URLs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from groupdesk.importers import generic
from groupdesk.importers.base import ImportProblem, parse_date
from groupdesk.importers.detect import read_path, read_sources
from groupdesk.importers.urls import parse_group_url

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "generic"


def test_guess_mapping_english_header():
    header = ["Group", "Platform", "Link", "Status", "Member since", "Yearly fee", "Notes"]
    assert generic.guess_mapping(header) == {
        "name": "Group",
        "network": "Platform",
        "url": "Link",
        "status": "Status",
        "joined_on": "Member since",
        "cost_amount": "Yearly fee",
        "notes": "Notes",
    }


def test_guess_mapping_danish_and_fallback_to_first_column():
    assert generic.guess_mapping(["Navn", "Netværk", "Kontingent"]) == {
        "name": "Navn",
        "network": "Netværk",
        "cost_amount": "Kontingent",
    }
    assert generic.guess_mapping(["Foo", "Bar"]) == {"name": "Foo"}


def test_spreadsheet_sample():
    [res] = read_path(EXPORTS / "my_groups.csv")
    assert res.kind == "csv"
    assert res.mapping["name"] == "Group"
    g = {r.name: r for r in res.records}
    bgo = g["Board Games Oost"]
    assert (bgo.network, bgo.external_id, bgo.status, bgo.joined_on) == (
        "facebook",
        "boardgamesoost",
        "member",
        date(2024, 3, 9),
    )
    # 15/09/2021 shows the column is day first, so 01/02/2015 is 1 February.
    assert g["Aarhus Python Meetup"].joined_on == date(2021, 9, 15)
    chess = g["Danish Chess Union"]
    assert (chess.network, chess.joined_on) == ("association", date(2015, 2, 1))
    assert (chess.cost_amount, chess.currency, chess.cost_period) == (45.0, "EUR", "year")
    assert (g["r/rust"].network, g["r/rust"].status) == ("reddit", "left")
    assert g["Women in Tech Aarhus"].status == "invited"
    assert g["Quiet Book Club"].network == "other"
    assert g["Knitting Guild"].joined_on is None
    assert any("2019-13-45" in m for m in res.messages)
    assert [(s.name, s.reason) for s in res.skipped] == [("row 8", "no group name")]


def test_remap_changes_the_records():
    [res] = read_path(EXPORTS / "my_groups.csv")
    mapping = dict(res.mapping)
    mapping["tags"] = mapping.pop("notes")
    res = generic.remap(res, mapping)
    assert {r.name: r.tags for r in res.records}["Board Games Oost"] == "Friday games"
    with pytest.raises(ImportProblem, match="needs a name or a url column"):
        generic.remap(res, {"status": "Status"})


def test_tsv_utf8_bom_danish():
    [res] = read_path(EXPORTS / "grupper.tsv")
    g = {r.name: r for r in res.records}
    foto = g["Aarhus Fotoklub"]
    assert (foto.network, foto.status, foto.cost_amount, foto.currency, foto.cost_period) == (
        "association",
        "member",
        300.0,
        "DKK",
        "year",
    )
    assert g["Brætspil i Byen"].status == "left"


def test_utf16_spreadsheet(tmp_path):
    f = tmp_path / "export.txt"
    f.write_bytes("Name\tNetwork\r\nChess Club\toffline\r\n".encode("utf-16"))
    [res] = read_path(f)
    assert [(r.name, r.network) for r in res.records] == [("Chess Club", "offline")]


def test_text_list():
    [res] = read_path(EXPORTS / "groups.txt")
    assert res.kind == "text"
    got = [(r.name, r.network, r.external_id) for r in res.records]
    assert got == [
        ("Board Games Oost", "facebook", "boardgamesoost"),
        ("LinkedIn group 8765432", "linkedin", "8765432"),
        ("aarhus python", "meetup", "aarhus-python"),
        ("Discord invite pythondk", "discord", None),
        ("r/Python", "reddit", "python"),
        ("nordic_python", "telegram", None),
        ("comp-lang-python", "mailing_list", "comp-lang-python.googlegroups.com"),
        ("Quiet Book Club", "other", None),
        ("Sunday Chess Club", "other", None),
    ]


def test_urls_dropped_from_browser_become_one_result():
    [res] = read_sources(["https://www.facebook.com/groups/123456789/", "https://t.me/+AbCdEf"])
    assert res.kind == "url"
    assert [(r.network, r.external_id, r.name) for r in res.records] == [
        ("facebook", "123456789", "Facebook group 123456789"),
        ("telegram", None, "Telegram invite link"),
    ]


@pytest.mark.parametrize(
    ("url", "network", "external_id", "canonical"),
    [
        ("https://www.facebook.com/groups/BoardGamesOost/?ref=share", "facebook", "boardgamesoost",
         "https://www.facebook.com/groups/BoardGamesOost"),
        ("m.facebook.com/groups/987654321/permalink/1/", "facebook", "987654321",
         "https://www.facebook.com/groups/987654321"),
        ("https://www.linkedin.com/groups/8765432/", "linkedin", "8765432", "https://www.linkedin.com/groups/8765432/"),
        ("https://www.linkedin.com/groups?gid=1234567", "linkedin", "1234567",
         "https://www.linkedin.com/groups/1234567/"),
        ("https://www.meetup.com/de-DE/koeln-python/", "meetup", "koeln-python", "https://www.meetup.com/koeln-python/"),
        ("https://discord.com/invite/abcXYZ", "discord", None, "https://discord.gg/abcXYZ"),
        ("https://old.reddit.com/r/Python/comments/x/", "reddit", "python", "https://www.reddit.com/r/Python/"),
        ("https://t.me/s/nordic_python", "telegram", None, "https://t.me/nordic_python"),
        ("https://groups.google.com/a/example.org/g/staff", "mailing_list", "staff.example.org",
         "https://groups.google.com/a/example.org/g/staff"),
        ("https://forum.example.org/c/general", "other", None, "https://forum.example.org/c/general"),
    ],
)  # fmt: skip
def test_parse_group_url(url, network, external_id, canonical):
    rec = parse_group_url(url)
    assert (rec.network, rec.external_id, rec.url) == (network, external_id, canonical)


def test_meetup_site_pages_are_not_groups():
    assert parse_group_url("https://www.meetup.com/find/").network == "other"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-08", date(2026, 2, 8)),
        ("2024-03-02 18:20:11 UTC", date(2024, 3, 2)),
        ("08 Feb 2026", date(2026, 2, 8)),
        ("Feb 8, 2026", date(2026, 2, 8)),
        ("Nov 08, 2005 4:19:54 am", date(2005, 11, 8)),
        ("1/29/26, 2:37 PM", date(2026, 1, 29)),
        ("8.2.2026", date(2026, 2, 8)),
        ("8. feb. 2026", date(2026, 2, 8)),
        ("2026/02/08", date(2026, 2, 8)),
        ("1700000000", date(2023, 11, 14)),
        ("2019-13-45", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("€12.50/month", (12.5, "EUR", "month")),
        ("300 kr/år", (300.0, "DKK", "year")),
        ("USD 1,200 per year", (1200.0, "USD", "year")),
        ("12,50", (12.5, None, None)),
        ("free", (0.0, None, "none")),
        ("ask Bo", (None, None, None)),
    ],
)
def test_read_cost(text, expected):
    assert generic.read_cost(text) == expected


@pytest.mark.parametrize("text", ["M.", "https://m./x", "http://", "https://exa mple.com/", "plain words"])
def test_not_web_addresses(text):
    assert parse_group_url(text) is None
