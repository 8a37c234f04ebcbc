"""``sort_100k_ratio``: the table model sorting 100,000 groups by Value vs ``sorted()`` of the keys.

The model (``GroupTableModel``, with a table view attached as in the window) sorts by the Value
column, descending, from a shuffled order. The baseline is Python's ``sorted()`` over the same
100,000 Value keys as plain floats (unrated ones as -1), reversed: the least any sort can cost.
Each side runs 11 times, interleaved, from the same shuffled order; the ratio is of the medians.
Goal (issue 2): at most 3.
"""

from __future__ import annotations

import random
import statistics
import time

from benchmarks._common import make_rows, note, qt_app, table_view

COUNT = 100_000
REPEAT = 11


def run() -> float:
    """Median model sort time divided by median ``sorted()`` time."""
    qt_app()
    from PySide6.QtCore import Qt

    from groupdesk.ui import table_model

    rows = make_rows(COUNT)
    random.Random(7).shuffle(rows)
    keys = [-1.0 if r.value is None else r.value for r in rows]
    model_times, base_times = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        sorted(keys, reverse=True)
        base_times.append(time.perf_counter() - start)

        model = table_model.GroupTableModel(list(rows))
        view = table_view(model)
        start = time.perf_counter()
        model.sort(table_model.COL_VALUE, Qt.SortOrder.DescendingOrder)
        model_times.append(time.perf_counter() - start)
        first = model.row_at(0).value
        view.setModel(None)
        del view, model
    assert first == max(keys), "the model did not sort by Value, descending"
    model_t, base_t = statistics.median(model_times), statistics.median(base_times)
    note(
        f"sort 100k by Value: model {model_t * 1000:.1f} ms, "
        f"sorted() {base_t * 1000:.1f} ms (medians of {REPEAT})"
    )
    return model_t / base_t
