"""GroupDesk's native CSV and JSON: round trips, tolerance of spreadsheet habits, clear errors, detection."""

from __future__ import annotations

import json
import random
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groupdesk.domain.records import (
    GROUP_FIELDS,
    ContributionRecord,
    DecisionRecord,
    GroupRecord,
    InviteRecord,
)
from groupdesk.domain.vocab import COST_PERIODS, HOW_JOINED, NETWORKS, STATUSES
from groupdesk.errors import UserError
from groupdesk.importers import native

HEADER = ",".join(GROUP_FIELDS)


def full_record() -> GroupRecord:
    return GroupRecord(
        name='<b>Growth</b> & "Hackers", Élite 🚀',
        network="linkedin",
        status="member",
        url="https://www.linkedin.com/groups/8842211/",
        external_id="8842211",
        how_joined="added_by_someone",
        invited_by="Bob <bob@example.com>",
        invite_personal=False,
        invited_on=date(2023, 1, 2),
        joined_on=date(2023, 1, 3),
        left_on=None,
        cost_amount=29.5,
        cost_period="month",
        currency="EUR",
        hours_per_month=0.0,
        emails_per_week=12.0,
        last_group_activity=date(2024, 6, 1),
        posts_per_week=0.1,
        value_to_me=1,
        value_from_me=0,
        spam_level=3,
        review_on=date(2024, 4, 1),
        commitment_per_month=2,
        tags="marketing, growth",
        notes='Line one\nline two, with a comma and "quotes"\r\nand CRLF  ',
        contributions=[
            ContributionRecord(date(2024, 2, 20), "organised", "Lightning talk"),
            ContributionRecord(date(2024, 2, 13), "event", ""),
        ],
        decisions=[
            DecisionRecord(
                datetime(2024, 3, 1, 10, 0), "mute", ["spam", "mail_clutter"], {"b": 1, "a": [2]}, "x"
            )
        ],
        invites=[
            InviteRecord(
                datetime(2023, 1, 2, 8, 30, 5, 120), "Bob", "email", "<m1@example.com>", "Join", False
            )
        ],
    )


def minimal_record(name: str = "Local Board Game Club") -> GroupRecord:
    return GroupRecord(name=name)


# ---------------------------------------------------------------- round trips


def test_json_round_trip_is_lossless_and_byte_stable() -> None:
    recs = [
        full_record(),
        minimal_record(),
        GroupRecord(name="r/selfhosted", network="reddit", external_id="s"),
    ]
    data = native.write_json(recs)
    result = native.read(data, "groups.json")
    assert result.kind == native.KIND_JSON
    assert result.warnings == []
    by_name = {r.name: r for r in result.records}
    original = full_record()
    back = by_name[original.name]
    assert back.group_values() == original.group_values()
    assert sorted(back.contributions, key=lambda c: c.date) == sorted(
        original.contributions, key=lambda c: c.date
    )
    assert back.decisions == original.decisions
    assert back.invites == original.invites
    assert native.write_json(result.records) == data
    assert data.endswith(b"\n") and b"\r\n" not in data.replace(b"\\r\\n", b"")
    json.loads(data)  # valid JSON


def test_csv_round_trip_keeps_every_group_field() -> None:
    recs = [full_record(), minimal_record()]
    data = native.write_csv(recs)
    assert data.startswith(HEADER.encode() + b"\n")
    result = native.read(data, "groups.csv")
    assert result.kind == native.KIND_CSV
    back = {r.name: r for r in result.records}
    assert back[full_record().name].group_values() == full_record().group_values()
    assert back["Local Board Game Club"].group_values() == minimal_record().group_values()
    assert native.write_csv(result.records) == data


def test_writers_do_not_depend_on_input_order() -> None:
    recs = [GroupRecord(name=f"Group {i}", network=random.choice(list(NETWORKS))) for i in range(30)]
    recs += [GroupRecord(name="Twin", notes="b"), GroupRecord(name="Twin", notes="a")]
    shuffled = recs[:]
    random.Random(4).shuffle(shuffled)
    assert native.write_json(shuffled) == native.write_json(recs)
    assert native.write_csv(shuffled) == native.write_csv(recs)


def test_empty_export_reads_back_empty() -> None:
    assert native.read(native.write_json([]), "e.json").records == []
    assert native.read(native.write_csv([]), "e.csv").records == []


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).map(str.strip)
_opt_text = st.none() | _text.filter(bool)
_notes = st.none() | st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).filter(str.strip)
_dates = st.none() | st.dates(date(1990, 1, 1), date(2100, 1, 1))
_floats = st.none() | st.floats(0, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def records(draw) -> GroupRecord:
    return GroupRecord(
        name=draw(_text.filter(bool)),
        network=draw(st.sampled_from(list(NETWORKS))),
        status=draw(st.none() | st.sampled_from(list(STATUSES))),
        url=draw(_opt_text),
        external_id=draw(_opt_text),
        how_joined=draw(st.none() | st.sampled_from(list(HOW_JOINED))),
        invited_by=draw(_opt_text),
        invite_personal=draw(st.none() | st.booleans()),
        invited_on=draw(_dates),
        joined_on=draw(_dates),
        left_on=draw(_dates),
        cost_amount=draw(_floats),
        cost_period=draw(st.none() | st.sampled_from(list(COST_PERIODS))),
        currency=draw(st.none() | st.sampled_from(["EUR", "USD", "GBP"])),
        hours_per_month=draw(_floats),
        emails_per_week=draw(_floats),
        last_group_activity=draw(_dates),
        posts_per_week=draw(_floats),
        value_to_me=draw(st.none() | st.integers(0, 5)),
        value_from_me=draw(st.none() | st.integers(0, 5)),
        spam_level=draw(st.none() | st.integers(0, 3)),
        review_on=draw(_dates),
        commitment_per_month=draw(st.none() | st.integers(0, 100)),
        tags=draw(_opt_text),
        notes=draw(_notes),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(records(), max_size=6))
def test_any_records_round_trip_through_both_formats(recs: list[GroupRecord]) -> None:
    for write in (native.write_json, native.write_csv):
        data = write(recs)
        back = native.read(data, "x").records
        assert sorted(r.group_values().__repr__() for r in back) == sorted(
            r.group_values().__repr__() for r in recs
        )
        assert write(back) == data


# ---------------------------------------------------------------- CSV tolerance


def test_csv_with_bom_crlf_reordered_and_missing_columns() -> None:
    text = (
        "Notes,NAME,network,cost_amount,joined_on,colour\r\n"
        '"multi\r\nline",PyData Amsterdam,meetup,12.5,2024-01-31,blue\r\n'
        ",r/selfhosted,Reddit,,,\r\n"
        "\r\n"
    )
    result = native.read(b"\xef\xbb\xbf" + text.encode(), "export.csv")
    assert [r.name for r in result.records] == ["PyData Amsterdam", "r/selfhosted"]
    first, second = result.records
    assert first.notes == "multi\r\nline"
    assert first.cost_amount == 12.5 and first.joined_on == date(2024, 1, 31)
    assert first.status is None and first.value_to_me is None
    assert second.network == "reddit"
    assert result.warnings == ["export.csv: ignored unknown column(s): colour"]


def test_csv_only_name_column_and_semicolons_and_display_words() -> None:
    assert [r.name for r in native.read(b"name\nA\nB\n", "n.csv").records] == ["A", "B"]
    data = b"name;network;status;how_joined\nList;Mailing list;Member;Added by someone\n"
    (rec,) = native.read(data, "s.csv").records
    assert (rec.network, rec.status, rec.how_joined) == ("mailing_list", "member", "added_by_someone")


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("Chess club,offline,,abc", "cost_amount", "'abc' is not a number"),
        ("Chess club,moon,,", "network", "'moon' is not one of"),
        ("Chess club,offline,31/01/2024,", "joined_on", "is not a date"),
        (",offline,,", "name", "a group needs a name"),
    ],
)
def test_csv_bad_value_names_file_line_and_column(row: str, column: str, words: str) -> None:
    data = f"name,network,joined_on,cost_amount\nFine,other,,\n{row}\n".encode()
    with pytest.raises(UserError) as err:
        native.read(data, "my groups.csv")
    message = str(err.value)
    assert message.startswith(f"my groups.csv, line 3, column {column}: ")
    assert words in message
    assert "\n" not in message


def test_csv_line_numbers_count_physical_lines() -> None:
    data = b'name,notes,spam_level\nA,"two\nlines",1\nB,,7\n'
    with pytest.raises(UserError, match=r"line 4, column spam_level: '7' must be between 0 and 3"):
        native.read(data, "g.csv")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("invite_personal", "yes", True),
        ("invite_personal", "FALSE", False),
        ("value_to_me", "4", 4),
        ("value_to_me", "4.0", 4),
        ("currency", "eur", "EUR"),
        ("cost_amount", " 7 ", 7.0),
        ("last_group_activity", "2024-03-05T10:00:00", date(2024, 3, 5)),
        ("notes", "   ", None),
    ],
)
def test_parse_value_accepts(field: str, value: str, expected: object) -> None:
    assert native.parse_value(field, value) == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("invite_personal", "maybe"),
        ("value_to_me", "6"),
        ("value_to_me", "2.5"),
        ("cost_amount", "-1"),
        ("cost_amount", "nan"),
        ("cost_amount", "1,5"),
        ("currency", "euro"),
        ("status", "lurker"),
        ("spam_level", True),
    ],
)
def test_parse_value_refuses(field: str, value: object) -> None:
    with pytest.raises(ValueError):
        native.parse_value(field, value)


def test_csv_not_utf8_and_too_many_cells() -> None:
    with pytest.raises(UserError, match=r"^latin\.csv, line 3: the file is not UTF-8"):
        native.read_csv(b"name,notes\nA,x\nCaf\xe9,y\n", "latin.csv")
    with pytest.raises(UserError, match=r"^wide\.csv, line 2: 3 cells but the header has 2 columns"):
        native.read_csv(b"name,notes\nA,x,extra\n", "wide.csv")


# ---------------------------------------------------------------- JSON errors


def _doc(groups: list, **top: object) -> bytes:
    return json.dumps({"format": "groupdesk", "version": 1, "groups": groups, **top}).encode()


def test_json_bad_values_name_the_group_and_field() -> None:
    with pytest.raises(UserError, match=r'^g\.json, group 2 \("B"\), field value_from_me: 9 must be between'):
        native.read(_doc([{"name": "A"}, {"name": "B", "value_from_me": 9}]), "g.json")
    with pytest.raises(UserError, match=r'^g\.json, group 1 \("A"\), contribution 2: kind: .*not one of'):
        native.read(
            _doc(
                [
                    {
                        "name": "A",
                        "contributions": [{"date": "2024-01-01"}, {"date": "2024-01-02", "kind": "lurk"}],
                    }
                ]
            ),
            "g.json",
        )
    with pytest.raises(UserError, match=r"decision 1: at: missing"):
        native.read(_doc([{"name": "A", "decisions": [{"action": "keep"}]}]), "g.json")
    with pytest.raises(UserError, match=r"group 1, field name: a group needs a name"):
        native.read(_doc([{"network": "reddit"}]), "g.json")


def test_json_syntax_version_and_unknown_keys() -> None:
    with pytest.raises(UserError, match=r"^broken\.json, line 2, column \d+: not valid JSON"):
        native.read_json(b'{"format": "groupdesk",\n "version": 1,, }', "broken.json")
    with pytest.raises(UserError, match="newer GroupDesk"):
        native.read(_doc([], version=2), "new.json")
    result = native.read(
        _doc([{"name": "A", "colour": "red", "tags": ["x", "y"], "external_id": 123}]), "u.json"
    )
    assert result.warnings == ["u.json: ignored unknown field(s): colour"]
    assert (result.records[0].tags, result.records[0].external_id) == ("x, y", "123")


def test_json_times_with_offsets_become_naive_local() -> None:
    data = _doc([{"name": "A", "invites": [{"received_at": "2024-01-01T12:00:00Z", "personal": "yes"}]}])
    (invite,) = native.read(data, "t.json").records[0].invites
    assert invite.received_at.tzinfo is None
    assert invite.personal is True and invite.channel == "manual"


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (native.write_json([minimal_record()]), "groupdesk-json"),
        (b'  {"version": 1, "groups": [], "format": "groupdesk"}', "groupdesk-json"),
        (native.write_csv([minimal_record()]), "groupdesk-csv"),
        (b"\xef\xbb\xbfName;Network;Status\r\nA;reddit;member\r\n", "groupdesk-csv"),
        (b"name\nA\n", "groupdesk-csv"),
        (b"subreddit\nselfhosted\n", None),
        (b"name,title,company\nAnn,CTO,ACME\n", None),
        (b'{"groups_joined_v2": []}', None),
        (b'{"format": "other"}', None),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None),
        (b"", None),
    ],
)
def test_detect_by_content(data: bytes, kind: str | None) -> None:
    assert native.detect(data) == kind


def test_read_refuses_what_is_not_native() -> None:
    with pytest.raises(UserError, match=r"^x\.csv: not a GroupDesk export"):
        native.read(b"subreddit\nselfhosted\n", "x.csv")


def test_long_notes_and_deep_nesting() -> None:
    rec = GroupRecord(name="Long", notes="x" * 300_000)
    assert native.read(native.write_csv([rec]), "long.csv").records[0].notes == rec.notes
    deep = b'{"format": "groupdesk", "version": 1, "groups": [{"name": "A", "answers": ' + b"[" * 100_000
    with pytest.raises(UserError, match=r"^deep\.json: "):
        native.read(deep, "deep.json")
    assert native.detect(b" {" + b"[" * 100_000) is None
