"""``import_100k_ratio``: ``groupdesk import`` of a 100,000-row native CSV into an empty store vs the floor.

GroupDesk: the ``import`` command's own function (``cli_commands._cmd_import``), in process, on a
fresh empty store: read and check the file, plan the merge, write the groups and the import batch
in one transaction. The floor: the stdlib ``csv.reader`` over the same file plus one raw
``sqlite3`` ``executemany`` of its rows into the same ``group`` table of another fresh empty store
(the name doubles as the name key; the other required columns are constants in the statement), in
one transaction, same process, same pragmas. Each side runs ``REPEAT`` times, interleaved; the
ratio is of the medians. Goal (issue 4): at most 2.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks._common import group_values, note

COUNT = 100_000
REPEAT = 5
STAMP = "2025-06-01 12:00:00"


def write_native_csv(path: Path, count: int = COUNT, seed: int = 20250601) -> None:
    """A native CSV export of ``count`` realistic groups (as ``groupdesk export`` writes it)."""
    from groupdesk.domain.records import GroupRecord
    from groupdesk.importers import native

    rng = random.Random(seed)
    records = [GroupRecord(**group_values(rng, i)) for i in range(count)]
    path.write_bytes(native.write_csv(records))


def empty_store(root: Path) -> Path:
    """A fresh data folder with an initialised, empty store (closed again); returns the folder."""
    from groupdesk.app import open_store
    from groupdesk.store.db import close_db

    data = Path(tempfile.mkdtemp(prefix="store-", dir=root))
    open_store(data)
    close_db()
    return data


def groupdesk_import(csv_file: Path, data_dir: Path) -> None:
    """What ``groupdesk --data-dir DATA import FILE`` runs, in this process (its report discarded)."""
    from groupdesk.cli_commands import _cmd_import
    from groupdesk.store.db import close_db

    args = argparse.Namespace(paths=[str(csv_file)], dry_run=False)
    with contextlib.redirect_stdout(io.StringIO()):
        code = _cmd_import(args, data_dir)
    close_db()
    if code != 0:
        raise RuntimeError(f"import exited {code}")


def floor_import(csv_file: Path, data_dir: Path) -> None:
    """The least any import can do: csv.reader over the file, one executemany, one commit."""
    from groupdesk.app import db_path
    from groupdesk.store.db import PRAGMAS

    conn = sqlite3.connect(db_path(data_dir), isolation_level=None)
    try:
        for key, value in PRAGMAS.items():
            conn.execute(f"PRAGMA {key} = {value}")
        with open(csv_file, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader)
            cols = ", ".join(f'"{c}"' for c in header)
            marks = ", ".join(f"?{i + 1}" for i in range(len(header)))
            sql = (
                f'INSERT INTO "group" ({cols}, name_key, user_fields, created_at, updated_at) '
                f"VALUES ({marks}, ?{header.index('name') + 1}, '[]', '{STAMP}', '{STAMP}')"
            )
            conn.execute("BEGIN")
            conn.executemany(sql, reader)
            conn.execute("COMMIT")
    finally:
        conn.close()


def group_count(data_dir: Path) -> int:
    """Rows in the store's group table."""
    from groupdesk.app import db_path

    conn = sqlite3.connect(db_path(data_dir))
    try:
        return conn.execute('SELECT COUNT(*) FROM "group"').fetchone()[0]
    finally:
        conn.close()


def timed(func: Callable[[], object]) -> float:
    """Wall time of one call."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def batch_count(data_dir: Path) -> int:
    """Rows in the store's import history."""
    from groupdesk.app import db_path

    conn = sqlite3.connect(db_path(data_dir))
    try:
        return conn.execute("SELECT COUNT(*) FROM import_batch").fetchone()[0]
    finally:
        conn.close()


def compare(label: str, prepare: Callable[[Path], Path], csv_file: Path, root: Path) -> float:
    """Median time of importing into ``prepare(root)`` over median floor time (fresh empty stores).

    After each import the store must hold ``COUNT`` groups and exactly one import batch.
    """
    ours, floor = [], []
    for _ in range(REPEAT):
        target = prepare(root)
        ours.append(timed(lambda t=target: groupdesk_import(csv_file, t)))
        if group_count(target) != COUNT or batch_count(target) != 1:
            raise RuntimeError(
                f"{label}: the store holds {group_count(target)} groups and {batch_count(target)} "
                f"import batches, not {COUNT} and 1"
            )
        base = empty_store(root)
        floor.append(timed(lambda b=base: floor_import(csv_file, b)))
        if group_count(base) != COUNT:
            raise RuntimeError(f"floor: the store holds {group_count(base)} groups, not {COUNT}")
    ours_t, floor_t = statistics.median(ours), statistics.median(floor)
    note(
        f"{label}, {COUNT:,} rows: groupdesk import {ours_t:.3f} s, csv.reader + executemany "
        f"{floor_t:.3f} s (medians of {REPEAT})"
    )
    return ours_t / floor_t


def run() -> float:
    """Median import time into an empty store divided by the median floor time."""
    with tempfile.TemporaryDirectory(prefix="groupdesk-bench-") as tmp:
        root = Path(tmp)
        csv_file = root / "groups.csv"
        write_native_csv(csv_file)
        floor_import(csv_file, empty_store(root))  # warm-up: disk cache, imports
        return compare("import into an empty store", empty_store, csv_file, root)
