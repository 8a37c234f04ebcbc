"""Property tests: random, mutated and type-confused input never raises anything but ImportProblem."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groupdesk.importers import detect, discord, facebook, generic, linkedin, reddit, telegram
from groupdesk.importers.base import FileSet, ImportProblem, ImportResult, parse_date
from groupdesk.importers.urls import find_urls, parse_group_url

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"
SAMPLES = sorted(p for p in EXPORTS.rglob("*") if p.is_file())
SAMPLE_BYTES = [(p.relative_to(EXPORTS).as_posix(), p.read_bytes()) for p in SAMPLES]
MODULES = [facebook, linkedin, discord, reddit, telegram, generic]

#: Paths each reader looks at, so random content reaches the parsing code and not just the name filter.
PATHS = [
    "",
    "groups/your_group_membership_activity.json",
    "groups/your_group_membership_activity.html",
    "servers/index.json",
    "Servers/1234567890/guild.json",
    "messages/index.json",
    "Messages/c1234567890/channel.json",
    "Messages/c1234567890/messages.json",
    "messages/1234567890/messages.csv",
    "result.json",
    "subscribed_subreddits.csv",
    "comments.csv",
    "Connections.csv",
    "Ad_Targeting.csv",
    "groups.tsv",
]

#: Raise for a long bug hunt: GROUPDESK_FUZZ_SCALE=50 pytest tests/unit/test_importers_fuzz.py
SCALE = int(os.environ.get("GROUPDESK_FUZZ_SCALE", "1"))
SETTINGS = settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(autouse=True)
def _no_guard(monkeypatch):
    """Let bugs in a reader surface instead of being turned into a note."""
    monkeypatch.setattr(detect, "GUARD", False)


def run_all(files: dict[str, bytes]) -> None:
    """Every reader and the dispatcher on one file set: results or ImportProblem, nothing else."""
    for module in MODULES:
        fs = FileSet.from_bytes(files)
        try:
            results = module.read(fs)
        except ImportProblem:
            continue
        assert all(isinstance(r, ImportResult) for r in results)
        for r in results:
            for rec in r.records:
                assert isinstance(rec.name, str) and rec.name.strip()
    try:
        detect.read_fileset(FileSet.from_bytes(files))
    except ImportProblem as exc:
        assert str(exc)


def mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (position, kind, bytes) edits: 0 overwrite, 1 insert, 2 delete a slice."""
    buf = bytearray(data)
    for pos, kind, chunk in ops:
        if not buf:
            buf += chunk
            continue
        i = pos % len(buf)
        if kind == 0:
            buf[i : i + len(chunk)] = chunk
        elif kind == 1:
            buf[i:i] = chunk
        else:
            del buf[i : i + 1 + len(chunk) * 7]
    return bytes(buf)


TOKENS = st.sampled_from(
    [b"{", b"}", b"[", b"]", b'"', b",", b"\n", b"\r\n", b"\x00", b"\xff", b"\xef\xbb\xbf", b"null", b"1e999",
     b'"data"', b'"name"', b"-1", b"99999999999999999999", b"\\u00c3", b"<h2>", b"</div>", b'","', b"\t"]
)  # fmt: skip
EDITS = st.lists(
    st.tuples(
        st.integers(0, 1 << 20), st.integers(0, 2), st.one_of(TOKENS, st.binary(min_size=1, max_size=8))
    ),
    min_size=1,
    max_size=8,
)


@SETTINGS
@given(path=st.sampled_from(PATHS), data=st.binary(max_size=2000))
def test_random_bytes(path, data):
    run_all({path: data})


@SETTINGS
@given(path=st.sampled_from(PATHS), text=st.text(max_size=500))
def test_random_text(path, text):
    run_all({path: text.encode("utf-8", "surrogatepass")})


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLE_BYTES), ops=EDITS)
def test_mutated_samples(sample, ops):
    name, data = sample
    data = mutate(data, ops)
    run_all({name: data})
    run_all({"": data})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["groups_joined_v2", "groups_joined", "groups_admined_v2", "group_posts_v2", "group_comments_v2",
     "group_badges_v2", "chats", "left_chats", "personal_information", "messages", "type", "id", "name",
     "data", "title", "timestamp", "guild", "list", "date", "from_id", "action", "members", "Timestamp"]
)  # fmt: skip


@settings(max_examples=200 * SCALE, deadline=None)
@given(doc=st.dictionaries(KEYS, JSON, max_size=6), path=st.sampled_from(PATHS))
def test_type_confused_json(doc, path):
    """Known keys holding values of any type: the readers must check shapes, not trust them."""
    data = json.dumps(doc).encode()
    run_all({path: data})
    chat = {"type": "private_group", "id": 1, "name": "x", **doc}
    run_all({"result.json": json.dumps({"chats": {"list": [chat]}, "personal_information": doc}).encode()})
    entry = {"title": "Ann became a member of X.", **doc}
    run_all({"groups/a.json": json.dumps({"groups_joined_v2": [entry], "group_posts_v2": [entry]}).encode()})
    run_all({"Messages/c1234567890/channel.json": data, "Messages/index.json": data})


@settings(max_examples=40 * SCALE, deadline=None)
@given(
    picks=st.lists(st.sampled_from(SAMPLE_BYTES), min_size=1, max_size=6, unique_by=lambda s: s[0]), ops=EDITS
)
def test_dispatcher_on_zips_of_mutated_samples(picks, ops):
    with tempfile.TemporaryDirectory() as tmp:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for i, (name, data) in enumerate(picks):
                zf.writestr(name, mutate(data, ops) if i == 0 else data)
        raw = buf.getvalue()
        for blob in (raw, mutate(raw, ops)):
            p = Path(tmp) / "drop.zip"
            p.write_bytes(blob)
            results = detect.read_sources([p])
            assert results and all(isinstance(r, ImportResult) for r in results)
            assert all(r.problem is None or str(r.problem).startswith(str(p)) for r in results)


@SETTINGS
@given(text=st.text(max_size=200))
def test_urls_and_dates_never_raise(text):
    for url in [*find_urls(text), text]:
        rec = parse_group_url(url)
        assert rec is None or rec.name
    parse_date(text)
    parse_date(text, day_first=True)
    generic.read_cost(text)
    generic.guess_mapping(text.split(","))


@SETTINGS
@given(
    header=st.lists(st.text(max_size=12), min_size=1, max_size=6),
    rows=st.lists(st.lists(st.text(max_size=15), max_size=7), max_size=8),
)
def test_apply_mapping_any_table(header, rows):
    mapping = generic.guess_mapping(header)
    if "name" in mapping or "url" in mapping:
        records, _skipped, _notes = generic.apply_mapping(header, rows, mapping)
        assert all(r.name for r in records)
