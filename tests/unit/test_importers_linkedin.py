"""LinkedIn export: header after notes, BOM, groups CSV, Ad_Targeting 'Member Groups', no-groups result."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from groupdesk.importers import linkedin
from groupdesk.importers.base import FileSet
from groupdesk.importers.detect import read_path

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "linkedin"


def test_archive_without_groups_says_so():
    [res] = read_path(EXPORTS / "basic")
    assert (res.kind, res.records, res.problem) == ("linkedin", [], None)
    assert res.messages == [linkedin.NO_GROUPS]
    assert sorted(Path(f).name for f in res.files) == ["Connections.csv", "Invitations.csv", "Profile.csv"]


def test_connections_csv_with_notes_and_bom_is_recognised_alone():
    # Connections.csv starts with a BOM, "Notes:", a quoted sentence and a blank line before its header.
    [res] = read_path(EXPORTS / "basic" / "Connections.csv")
    assert res.kind == "linkedin"
    assert "holds no group list" in res.messages[0]


def test_groups_csv_and_member_groups_column():
    [res] = read_path(EXPORTS / "with_groups")  # one folder deep: Complete_LinkedInDataExport_…/
    g = {r.name: r for r in res.records}
    assert set(g) == {
        "Python Developers Denmark",  # in both files: merged by name
        "Women in Tech Aarhus",
        "Board Game Designers Guild",
        "LinkedIn group 1234567",  # a bare number in Member Groups is a group id
    }
    py = g["Python Developers Denmark"]
    assert (py.external_id, py.url, py.joined_on) == (
        "8765432",
        "https://www.linkedin.com/groups/8765432/",
        date(2021, 1, 12),
    )
    assert g["LinkedIn group 1234567"].external_id == "1234567"
    assert all(r.status == "member" and r.network == "linkedin" for r in g.values())


def test_member_groups_splitting():
    fs = FileSet.from_bytes(
        {
            "Ad_Targeting.csv": b"Member Age,Member Groups\n"
            b'25 to 34,"Alpha Group | Beta, Gamma and Delta\nhttps://www.linkedin.com/groups/42424242/"\n'
        }
    )
    [res] = linkedin.read(fs)
    assert [(r.name, r.external_id) for r in res.records] == [
        ("Alpha Group", None),
        ("Beta, Gamma and Delta", None),  # commas stay inside a name
        ("LinkedIn group 42424242", "42424242"),
    ]


def test_spreadsheet_with_mixed_networks_is_not_linkedin():
    fs = FileSet.from_bytes(
        {
            "my_groups.csv": b"Group Name,Group Url\nA,https://www.linkedin.com/groups/1234/\n"
            b"B,https://www.facebook.com/groups/b\n"
        }
    )
    assert linkedin.read(fs) == []


def test_invitations_are_not_groups():
    fs = FileSet.from_bytes({"Invitations.csv": (EXPORTS / "basic" / "Invitations.csv").read_bytes()})
    [res] = linkedin.read(fs)
    assert res.records == []
