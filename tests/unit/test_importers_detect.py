"""The dispatcher: every format in one drop, GroupDesk's own files, unknown content, a failing reader."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from groupdesk.domain.records import GroupRecord
from groupdesk.importers import ImportProblem, detect, native, read_path, read_sources
from groupdesk.importers.base import FileSet

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"


def zip_tree(src: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(src).as_posix())
    return dest


def test_one_zip_holding_every_export(tmp_path):
    root = tmp_path / "everything"
    for part in (
        "facebook/v2_en",
        "discord/old_layout",
        "reddit/wrapped",
        "telegram/full",
        "linkedin/with_groups",
    ):
        shutil.copytree(EXPORTS / part, root / part.split("/")[0])
    z = zip_tree(root, tmp_path / "everything.zip")
    results = read_path(z)
    assert sorted(r.kind for r in results) == ["discord", "facebook", "linkedin", "reddit", "telegram"]
    counts = {r.kind: len(r.records) for r in results}
    assert counts == {"facebook": 5, "discord": 4, "reddit": 4, "telegram": 4, "linkedin": 4}
    assert all(r.source == str(z) and r.fingerprint for r in results)
    # Each result lists only its own files.
    assert all(all(f"/{r.kind}/" in f or f":{r.kind}/" in f for f in r.files) for r in results)


def test_two_discord_packages_in_one_folder_give_two_results(tmp_path):
    shutil.copytree(EXPORTS / "discord/old_layout", tmp_path / "a")
    shutil.copytree(EXPORTS / "discord/new_layout", tmp_path / "b")
    results = read_path(tmp_path)
    assert [(r.kind, len(r.records)) for r in results] == [("discord", 4), ("discord", 3)]


def test_native_json_and_csv_are_read_through_native(tmp_path):
    recs = [GroupRecord(name="Chess Club", network="offline", status="member")]
    (tmp_path / "backup.json").write_bytes(native.write_json(recs))
    (tmp_path / "backup.csv").write_bytes(native.write_csv(recs))
    [j] = read_path(tmp_path / "backup.json")
    [c] = read_path(tmp_path / "backup.csv")
    assert (j.kind, c.kind) == ("groupdesk-json", "groupdesk-csv")
    assert [r.name for r in j.records] == [r.name for r in c.records] == ["Chess Club"]


def test_broken_native_json_names_the_file(tmp_path):
    f = tmp_path / "backup.json"
    f.write_text('{"format": "groupdesk", "version": 1, "groups": [{"name": ""}]}')
    with pytest.raises(ImportProblem) as info:
        read_path(f)
    assert str(info.value).startswith(str(f))


def test_spreadsheet_native_cannot_read_falls_back_to_the_mapping(tmp_path):
    f = tmp_path / "list.csv"
    f.write_text("name,status,network,url\nChess Club,Active,Offline,\n")
    [res] = read_path(f)  # 'Active' is no GroupDesk status: the spreadsheet reader understands it
    assert res.kind == "csv"
    assert [(r.name, r.status, r.network) for r in res.records] == [("Chess Club", "member", "offline")]
    assert any("looked like a GroupDesk CSV" in m for m in res.messages)


def test_unknown_json_in_archive_is_not_an_error_when_something_else_is_found(tmp_path):
    shutil.copytree(EXPORTS / "reddit/wrapped", tmp_path / "r")
    (tmp_path / "r" / "settings.json").write_text('{"theme": "dark"}')
    [res] = read_path(tmp_path / "r")
    assert res.kind == "reddit"


def test_a_failing_reader_does_not_lose_the_others(monkeypatch, caplog):
    def boom(fs):
        raise KeyError("bug")

    monkeypatch.setattr(detect.FORMATS[0], "read", boom)  # facebook
    results = read_path(EXPORTS / "reddit/wrapped")
    assert [r.kind for r in results] == ["reddit"]
    assert any("internal error" in m for m in results[0].messages)
    assert "failed" in caplog.text


def test_read_fileset_on_bytes():
    fs = FileSet.from_bytes({"": b"https://www.reddit.com/r/rust/\nChess Club\n"}, label="pasted")
    [res] = detect.read_fileset(fs)
    assert (res.kind, res.source, len(res.records)) == ("text", "pasted", 2)


def test_sources_in_order_with_urls_last(tmp_path):
    results = read_sources(
        ["https://t.me/nordic_python", EXPORTS / "generic/grupper.tsv", str(EXPORTS / "telegram/full")]
    )
    assert [r.kind for r in results] == ["csv", "telegram", "url"]
