"""A ``groupdesk import`` of 100,000 rows killed with SIGKILL at 20 random moments never leaves a damaged
or half-written store, and importing again always gives exactly the expected rows.

Each round starts from an empty store, starts ``python -m groupdesk import groups.csv`` (a native CSV of
100,000 groups), kills it with SIGKILL at a random moment of its run, then checks the store with plain
``sqlite3``: ``PRAGMA integrity_check`` is ok, the foreign keys hold, and the import is all or nothing
(no group and no batch, or every group exactly as an uninterrupted import writes them, once, and one
batch). Then it runs the import again to the end and checks that the store holds exactly the expected
rows: no duplicates, one batch. Two rounds run side by side to keep the test within a minute (the moments are
measured on two uninterrupted imports run side by side too).

The moments are drawn (seeded; ``GROUPDESK_CRASH_SEED`` repeats a run) from 20 % to 105 % of an
uninterrupted run's time: the first fifth is the interpreter starting, before the store is opened; a
moment past the end lets some rounds finish, which must then look exactly like an uninterrupted run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from groupdesk.domain.records import GROUP_FIELDS, GroupRecord
from groupdesk.importers import native

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
COUNT = 100_000
ROUNDS = 20
LANES = 2
DB = "groupdesk.db"
#: The Group fields as columns, for comparing stores (ids, time stamps and batch ids differ by design).
COLUMNS = ", ".join(f'"{f}"' for f in (*GROUP_FIELDS, "name_key", "user_fields", "source"))


def write_export(path: Path) -> None:
    """A native CSV of COUNT varied groups (as ``groupdesk export`` writes them)."""
    rng = random.Random(4)
    networks = ("facebook", "linkedin", "discord", "reddit", "telegram", "meetup", "offline", "other")
    statuses = ("member", "member", "member", "muted", "left", "invited", "considering")
    day = date(2025, 6, 1)
    records = []
    for i in range(COUNT):
        network = networks[i % len(networks)]
        records.append(
            GroupRecord(
                name=f"{rng.choice(('Kayak', 'Python', 'Chess', 'Jazz', 'Café'))} Group {i}",
                network=network,
                external_id=str(900_000 + i) if network in ("discord", "telegram") else None,
                status=rng.choice(statuses),
                joined_on=day - timedelta(days=rng.randint(1, 3000)),
                last_group_activity=day - timedelta(days=rng.randint(0, 900)) if i % 3 else None,
                cost_amount=round(rng.uniform(5, 200), 2) if i % 7 == 0 else None,
                cost_period="year" if i % 7 == 0 else "none",
                currency="EUR" if i % 7 == 0 else None,
                emails_per_week=round(rng.uniform(0, 30), 1) if i % 2 else None,
                value_to_me=rng.randint(0, 5) if i % 4 else None,
                tags="work, local" if i % 5 == 0 else None,
                notes=f"line one\nline two, {i}" if i % 11 == 0 else None,
            )
        )
    path.write_bytes(native.write_csv(records))


def child_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")  # compile once, not in every round
    env.pop("GROUPDESK_DATA_DIR", None)
    return env


def start_import(
    data: Path, export: Path, env: dict[str, str], *, quiet: bool = False
) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "groupdesk", "--data-dir", str(data), "import", str(export)]
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(cmd, env=env, stdout=out, stderr=out)


def finish(proc: subprocess.Popen[bytes]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode("utf-8", "replace")[-2000:]
    return out.decode("utf-8")


def state(db: Path, reference: Path | None) -> tuple[int, int, int]:
    """(groups, batches, groups not exactly as in the reference store) after checking the file's health.

    Without a ``reference`` the last number is 0: only health, counts and duplicates are checked.
    """
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        groups, keys = conn.execute('SELECT COUNT(*), COUNT(DISTINCT name_key) FROM "group"').fetchone()
        assert keys == groups, "duplicate groups"
        batches = conn.execute("SELECT COUNT(*) FROM import_batch").fetchone()[0]
        differ = 0
        if groups and reference is not None:
            conn.execute("ATTACH DATABASE ? AS ref", (f"file:{reference}?mode=ro",))
            differ = conn.execute(
                f'SELECT COUNT(*) FROM (SELECT {COLUMNS} FROM main."group" '
                f'EXCEPT SELECT {COLUMNS} FROM ref."group")'
            ).fetchone()[0]
        return groups, batches, differ
    finally:
        conn.close()


class Durations:
    """Times of uninterrupted imports into an empty store, as the rounds run (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[float] = []

    def add(self, seconds: float) -> None:
        with self._lock:
            self._seen.append(seconds)

    def typical(self) -> float:
        with self._lock:
            return statistics.median(self._seen)


def timed_import(data: Path, export: Path, env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    out = finish(start_import(data, export, env))
    return time.perf_counter() - start, out


def one_round(
    n: int, share: float, durations: Durations, dirs: tuple[Path, Path, Path, Path], env: dict[str, str]
) -> str:
    """Kill an import at ``share`` of a typical run, check the store, import again, check again."""
    work, empty, export, reference = dirs
    data = work / f"round-{n}"
    data.mkdir()
    shutil.copy(empty, data / DB)
    moment = share * durations.typical()
    proc = start_import(data, export, env, quiet=True)
    try:
        proc.wait(timeout=moment)
        finished = True
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        finished = False

    wal = data / f"{DB}-wal"
    wal_bytes = wal.stat().st_size if wal.exists() else 0  # before sqlite3 recovers the file
    # Content is compared after importing again, which must then write nothing when this committed.
    groups, batches, differ = state(data / DB, None)
    what = f"round {n}, {'finished by' if finished else 'killed at'} {moment:.2f} s"
    if not finished and wal_bytes:
        what += f" ({wal_bytes / 2**20:.1f} MB in the write-ahead log)"
    assert (groups, batches, differ) in ((0, 0, 0), (COUNT, 1, 0)), (
        f"{what}: {groups} groups, {batches} batches"
    )
    if finished:
        assert proc.returncode == 0 and groups == COUNT, what

    seconds, out = timed_import(data, export, env)
    expected = "new 0, updated 0, unchanged 100000" if groups else "new 100000, updated 0, unchanged 0"
    assert expected in out, f"{what}: the import again said {out!r}"
    if not groups:
        durations.add(seconds)
    assert state(data / DB, reference) == (COUNT, 1, 0), f"{what}: importing again"
    shutil.rmtree(data)
    return f"{what}: {'committed' if groups else 'nothing written'}"


def test_import_killed_at_random_moments_is_all_or_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("GROUPDESK_CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    export = tmp_path / "groups.csv"
    write_export(export)
    env = child_env(tmp_path)

    empty_dir = tmp_path / "empty"
    proc = subprocess.run(
        [sys.executable, "-m", "groupdesk", "--data-dir", str(empty_dir), "list"],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    empty = empty_dir / DB

    # The reference: uninterrupted imports, two at once as the rounds run, each timed.
    ref_dirs = [tmp_path / "reference", tmp_path / "spare"]
    for d in ref_dirs:
        d.mkdir()
        shutil.copy(empty, d / DB)
    durations = Durations()
    with ThreadPoolExecutor(max_workers=LANES) as pool:
        for seconds, out in pool.map(lambda d: timed_import(d, export, env), ref_dirs):
            assert "new 100000, updated 0, unchanged 0, skipped 0" in out, out
            durations.add(seconds)
    reference = ref_dirs[0] / DB
    conn = sqlite3.connect(reference)
    try:
        assert conn.execute('SELECT COUNT(*), COUNT(DISTINCT name_key) FROM "group"').fetchone() == (
            COUNT,
            COUNT,
        )
        records = native.read(export.read_bytes(), str(export)).records
        for rec in (records[0], records[66], records[-1]):
            row = conn.execute(
                "SELECT network, external_id, status, joined_on, cost_amount, notes "
                'FROM "group" WHERE name = ?',
                (rec.name,),
            ).fetchall()
            assert row == [
                (
                    rec.network,
                    rec.external_id,
                    rec.status,
                    rec.joined_on.isoformat(),
                    rec.cost_amount,
                    rec.notes,
                )
            ]
    finally:
        conn.close()

    shares = [rng.uniform(0.2, 1.05) for _ in range(ROUNDS)]
    work = tmp_path / "rounds"
    work.mkdir()
    dirs = (work, empty, export, reference)
    with ThreadPoolExecutor(max_workers=LANES) as pool:
        futures = [
            pool.submit(one_round, n, share, durations, dirs, env) for n, share in enumerate(shares, start=1)
        ]
        outcomes = [f.result() for f in futures]
    report = "\n".join([f"seed {seed}; a typical import took {durations.typical():.2f} s", *outcomes])
    print(report)
    killed = [o for o in outcomes if "killed" in o]
    assert len(killed) >= ROUNDS // 2, report
