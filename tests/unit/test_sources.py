"""Safe reading of dropped files, folders and zips: bombs, lying headers, unsafe paths, damage, caps."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from groupdesk.importers import ImportCancelled, ImportProblem, Limits, read_path, read_sources
from groupdesk.importers.sources import is_url, open_source

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"
MEMBERSHIP = (
    EXPORTS / "facebook/danish/personal_information/profile_information/your_facebook_activity/groups"
    "/your_group_membership_activity.json"
).read_bytes()


def zip_folder(src: Path, dest: Path, prefix: str = "") -> Path:
    """Zip a sample folder (paths relative to it, under ``prefix``)."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(src.rglob("*")):
            if p.is_file():
                zf.write(p, prefix + p.relative_to(src).as_posix())
    return dest


def make_zip(dest: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dest


def patch_headers(path: Path, *, file_size: int | None = None, encrypted: bool = False) -> None:
    """Rewrite the first member's local and central headers: a lying size, or the encryption flag."""
    raw = bytearray(path.read_bytes())
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    if file_size is not None:
        struct.pack_into("<I", raw, local + 22, file_size)
        struct.pack_into("<I", raw, central + 24, file_size)
    if encrypted:
        raw[local + 6] |= 1
        raw[central + 8] |= 1
    path.write_bytes(bytes(raw))


def problem_of(path, **kw) -> ImportProblem:
    with pytest.raises(ImportProblem) as info:
        read_path(path, **kw)
    return info.value


# -------------------------------------------------------------------------------------------- happy paths


def test_zip_of_a_facebook_export_reads_like_the_folder(tmp_path):
    z = zip_folder(EXPORTS / "facebook/v2_en", tmp_path / "facebook-ann.zip")
    [from_zip] = read_path(z)
    [from_dir] = read_path(EXPORTS / "facebook/v2_en")
    assert from_zip.records == from_dir.records
    assert from_zip.source == str(z)
    assert all(f.startswith(f"{z}:") for f in from_zip.files)
    assert not list(tmp_path.glob("*/")), "nothing is extracted to disk"


def test_zip_with_backslash_paths_and_dot_slash(tmp_path):
    z = make_zip(
        tmp_path / "win.zip",
        {"./groups\\your_group_membership_activity.json": MEMBERSHIP, "readme.txt": b"hello"},
    )
    [res] = read_path(z)
    assert res.kind == "facebook" and len(res.records) == 3


def test_one_level_of_nested_zip_is_read(tmp_path):
    inner = zip_folder(EXPORTS / "reddit/wrapped", tmp_path / "reddit.zip")
    outer = make_zip(tmp_path / "all.zip", {"exports/reddit.zip": inner.read_bytes()})
    [res] = read_path(outer)
    assert res.kind == "reddit" and len(res.records) == 4
    assert any("all.zip:exports/reddit.zip:" in f for f in res.files)


def test_zip_inside_a_dropped_folder_is_opened(tmp_path):
    d = tmp_path / "downloads"
    d.mkdir()
    zip_folder(EXPORTS / "telegram/full", d / "telegram.zip")
    shutil.copytree(EXPORTS / "discord/new_layout", d / "discord")
    kinds = sorted(r.kind for r in read_path(d))
    assert kinds == ["discord", "telegram"]


def test_big_unrelated_member_is_left_out_with_a_warning(tmp_path):
    noise = os.urandom(5000)  # incompressible: an ordinary ratio, just big
    z = make_zip(
        tmp_path / "fb.zip", {"groups/membership.json": MEMBERSHIP, "groups/video_group.json": noise}
    )
    [res] = read_path(z, limits=Limits(member_bytes=4000))
    assert len(res.records) == 3
    assert any("Left out groups/video_group.json" in m for m in res.messages)


def test_big_file_in_folder_is_left_out_with_a_warning(tmp_path):
    shutil.copytree(EXPORTS / "reddit/wrapped", tmp_path / "r")
    (tmp_path / "r" / "huge.csv").write_bytes(b"subreddit\n" + b"x" * 5000)
    [res] = read_path(tmp_path / "r", limits=Limits(member_bytes=4000))
    assert any("Left out huge.csv" in m for m in res.messages)


# ---------------------------------------------------------------------------------------------- refusals


def test_zip_bomb_refused_by_declared_ratio(tmp_path):
    z = make_zip(tmp_path / "bomb.zip", {"groups/a.json": b"\0" * (3 * 1024 * 1024)})
    exc = problem_of(z)
    assert "bomb.zip:groups/a.json" in str(exc)
    assert "zip bomb" in str(exc)


def test_over_the_total_cap_the_largest_files_are_left_out(tmp_path):
    members = {f"groups/g{i}.json": os.urandom(3000) for i in range(5)}
    members["groups/your_group_membership_activity.json"] = MEMBERSHIP
    z = make_zip(tmp_path / "many.zip", members)
    [res] = read_path(z, limits=Limits(total_bytes=len(MEMBERSHIP) + 7000))
    assert len(res.records) == 3  # the small membership file is read first
    assert any(m.startswith("Left out 3 of the largest files") for m in res.messages)


def test_lying_header_refused_while_streaming(tmp_path):
    # 3 MB of zeros whose headers claim 1,000 bytes: the declared ratio looks harmless.
    z = make_zip(tmp_path / "liar.zip", {"groups/a.json": b"\0" * (3 * 1024 * 1024)})
    patch_headers(z, file_size=1000)
    exc = problem_of(z)
    assert "liar.zip:groups/a.json" in str(exc)
    assert any(w in str(exc) for w in ("damaged", "more data than its header", "bomb"))


def test_actual_bytes_over_the_total_cap_refused(tmp_path):
    for i in range(4):
        (tmp_path / f"g{i}.csv").write_bytes(os.urandom(3000))
    with open_source(tmp_path, limits=Limits(total_bytes=14_000)) as fs:
        assert len(fs.files) == 4  # 12,000 bytes fit
        (tmp_path / "g3.csv").write_bytes(os.urandom(6000))  # grows after it was listed
        for vf in fs.files[:3]:
            vf.read()
        with pytest.raises(ImportProblem, match="more than 14 KB"):
            fs.files[3].read()  # the sum of bytes really read is capped, not just the sizes listed


@pytest.mark.parametrize(
    "name", ["../evil.json", "/etc/groups.json", "a/../../x.csv", "..\\evil.json", "C:/x.json"]
)
def test_unsafe_paths_refuse_the_archive(tmp_path, name):
    z = make_zip(tmp_path / "evil.zip", {"groups/ok.json": MEMBERSHIP, name: b"{}"})
    exc = problem_of(z)
    assert "unsafe path" in str(exc) and str(z) in str(exc)


def test_too_many_members_refused(tmp_path):
    z = make_zip(tmp_path / "crowd.zip", {f"x{i}.txt": b"" for i in range(6)})
    assert "6 entries" in str(problem_of(z, limits=Limits(max_members=5)))


def test_nested_two_levels_refused(tmp_path):
    inner = make_zip(tmp_path / "inner.zip", {"groups/a.json": MEMBERSHIP})
    middle = make_zip(tmp_path / "middle.zip", {"inner.zip": inner.read_bytes()})
    outer = make_zip(tmp_path / "outer.zip", {"middle.zip": middle.read_bytes()})
    exc = problem_of(outer)
    assert "outer.zip:middle.zip:inner.zip" in str(exc) and "nested" in str(exc)


def test_truncated_zip_refused(tmp_path):
    z = zip_folder(EXPORTS / "facebook/v2_en", tmp_path / "cut.zip")
    z.write_bytes(z.read_bytes()[: z.stat().st_size // 2])
    exc = problem_of(z)
    assert str(exc).startswith(f"{z}:") and "damaged or truncated" in str(exc)


def test_corrupt_member_data_refused(tmp_path):
    z = make_zip(tmp_path / "rot.zip", {"groups/a.json": MEMBERSHIP * 20})
    raw = bytearray(z.read_bytes())
    start = raw.index(b"groups/a.json") + len("groups/a.json")
    for i in range(start + 50, start + 90):
        raw[i] ^= 0xFF
    z.write_bytes(bytes(raw))
    exc = problem_of(z)
    assert "rot.zip:groups/a.json" in str(exc) and "damaged" in str(exc)


def test_encrypted_member_refused(tmp_path):
    z = make_zip(tmp_path / "locked.zip", {"groups/a.json": MEMBERSHIP})
    patch_headers(z, encrypted=True)
    exc = problem_of(z)
    assert "locked.zip:groups/a.json" in str(exc) and "encrypted" in str(exc)


def test_dropped_file_over_the_cap_refused(tmp_path):
    f = tmp_path / "huge.json"
    f.write_bytes(b"[" + b"0," * 3000 + b"0]")
    exc = problem_of(f, limits=Limits(member_bytes=1000))
    assert str(exc).startswith(str(f)) and "GroupDesk reads files up to" in str(exc)


def test_folder_with_too_many_entries_refused(tmp_path):
    for i in range(8):
        (tmp_path / f"f{i}.txt").write_text("x")
    assert "more than 5 files" in str(problem_of(tmp_path, limits=Limits(max_folder_entries=5)))


def test_missing_path():
    assert str(problem_of(Path("/no/such/export.zip"))) == "/no/such/export.zip: no such file or folder"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipes_in_a_folder_are_never_read(tmp_path):
    shutil.copytree(EXPORTS / "reddit/wrapped", tmp_path / "r")
    os.mkfifo(tmp_path / "r" / "blocking.csv")
    [res] = read_path(tmp_path / "r")  # would hang if the pipe were opened
    assert res.kind == "reddit"


def test_symlink_loop_does_not_hang(tmp_path):
    shutil.copytree(EXPORTS / "reddit/wrapped", tmp_path / "r")
    (tmp_path / "r" / "loop").symlink_to(tmp_path / "r")
    [res] = read_path(tmp_path / "r")
    assert res.kind == "reddit"


# ------------------------------------------------------------------------------------- bad single files


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("groups.json", b'{"groups_joined_v2": [', "not valid JSON (Expecting value at line 1, column 23)"),
        ("groups.csv", b"Name,Network\n\xff\xfeBad,x\n", "not valid UTF-8 text"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "not valid UTF-8 text"),
        ("blob.bin", b"abc\x00def", "binary data, not a text file"),
        ("essay.txt", b"x" * 400, "not a recognised export"),
        ("data.json", b'{"hello": "world"}', "not a recognised export"),
        ("fake.zip", b"this is not a zip", "damaged or truncated zip"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "JSON"),
    ],
)
def test_bad_single_files_name_the_file_and_the_problem(tmp_path, name, data, message):
    f = tmp_path / name
    f.write_bytes(data)
    exc = problem_of(f)
    assert str(exc).startswith(f"{f}: ")
    assert message in str(exc)


def test_archive_with_nothing_recognised(tmp_path):
    z = make_zip(tmp_path / "photos.zip", {"photos/a.jpg": b"\xff\xd8", "notes.md": b"# hi"})
    assert str(problem_of(z)).startswith(f"{z}: not a recognised export")


def test_unreadable_file_inside_an_archive_is_reported_not_fatal(tmp_path):
    z = make_zip(
        tmp_path / "fb.zip",
        {"groups/your_group_membership_activity.json": MEMBERSHIP, "groups/broken_group.json": b"{oops"},
    )
    [res] = read_path(z)
    assert len(res.records) == 3
    assert any("broken_group.json: not valid JSON" in m for m in res.messages)


# ------------------------------------------------------------------------------- dispatcher plumbing


def test_read_sources_reports_problems_per_source_and_strict_raises(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    results = read_sources([bad, EXPORTS / "reddit/wrapped", "https://www.reddit.com/r/rust/"])
    assert [r.kind for r in results] == ["error", "reddit", "url"]
    assert results[0].problem is not None and not results[0].ok
    assert results[0].messages == [str(results[0].problem)]
    with pytest.raises(ImportProblem, match=r"bad\.json"):
        read_sources([bad, EXPORTS / "reddit/wrapped"], strict=True)


def test_progress_and_cancel(tmp_path):
    seen = []
    read_sources([EXPORTS / "discord/new_layout"], progress=lambda d, t, m: seen.append((d, t, m)))
    assert seen[-1][:2] == (1, 1) and seen[-1][2] == "Done"
    assert any("channel.json" in m for _d, _t, m in seen)
    assert all(0 <= d <= t for d, t, _m in seen)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ImportCancelled):
        read_sources([EXPORTS / "discord/new_layout"], cancel=cancel)


def test_is_url():
    assert is_url("https://t.me/x") and is_url("www.meetup.com/x") and is_url(" http://a.b ")
    assert is_url("reddit.com/r/rust") and is_url("t.me/nordic_python")
    assert not is_url("/home/ann/export.zip") and not is_url("C:\\x.zip") and not is_url("https://a b")


def test_in_memory_zip_object_is_not_required(tmp_path):
    # The source layer reads paths; a bytes buffer is the dispatcher's job (FileSet.from_bytes).
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("groups/a.json", MEMBERSHIP)
    p = tmp_path / "mem.zip"
    p.write_bytes(buf.getvalue())
    [res] = read_path(p)
    assert len(res.records) == 3


def test_nameless_member_is_ignored(tmp_path):
    # Found by the fuzz test: zipfile's ZipInfo.is_dir() fails on an empty name.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("groups/your_group_membership_activity.json", MEMBERSHIP)
        zf.writestr(zipfile.ZipInfo(""), b"x")
    p = tmp_path / "odd.zip"
    p.write_bytes(buf.getvalue())
    [res] = read_path(p)
    assert len(res.records) == 3


def test_json_with_an_absurd_integer_is_a_clear_problem(tmp_path):
    f = tmp_path / "result.json"
    f.write_text('{"chats": {"list": [{"id": ' + "9" * 5000 + "}]}}")
    exc = problem_of(f)
    assert str(exc).startswith(f"{f}: not valid JSON")


def test_csv_with_a_huge_field_is_a_clear_problem(tmp_path):
    f = tmp_path / "groups.csv"
    f.write_text('Club,Description\nChess,"' + "x" * 200_000 + '"\n')
    exc = problem_of(f)
    assert str(exc).startswith(f"{f}: not valid CSV")


def test_unrelated_csv_in_a_folder_is_not_a_group_list(tmp_path):
    (tmp_path / "budget.csv").write_text("Month,Amount\nJan,12\n")
    (tmp_path / "clubs.csv").write_text("Club,Fee\nChess,45\n")
    [res] = read_path(tmp_path)
    assert [r.name for r in res.records] == ["Chess"]
    assert res.files == [f"{tmp_path}/clubs.csv"]
