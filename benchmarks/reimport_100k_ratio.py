"""``reimport_100k_ratio``: importing the same 100,000-row native CSV again (nothing changes) vs the floor.

GroupDesk: the ``import`` command's own function, in process, on a store that already holds that
very file (imported beforehand, untimed): read and check the file, compare every group with the
store, find nothing to write. The floor is the one of ``import_100k_ratio``: ``csv.reader`` over
the same file plus one raw ``executemany`` of its rows into a fresh empty store. Interleaved
runs; the ratio is of the medians. Goal (issue 4): at most 2.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.import_100k_ratio import (
    compare,
    empty_store,
    floor_import,
    groupdesk_import,
    write_native_csv,
)


def run() -> float:
    """Median re-import time divided by the median floor time."""
    with tempfile.TemporaryDirectory(prefix="groupdesk-bench-") as tmp:
        root = Path(tmp)
        csv_file = root / "groups.csv"
        write_native_csv(csv_file)
        floor_import(csv_file, empty_store(root))  # warm-up: disk cache, imports

        def imported_once(where: Path) -> Path:
            store = empty_store(where)
            groupdesk_import(csv_file, store)
            return store

        return compare("re-import, nothing changes", imported_once, csv_file, root)
