"""``proxy_vs_model_sort_100k``: how many times slower a QSortFilterProxyModel sort is (for the record).

The same 100,000 shuffled groups, sorted by Value, descending: once through a
``QSortFilterProxyModel`` over ``GroupTableModel`` (sorting on the raw sort role, so numbers
compare as numbers; Qt calls ``data()`` from Python for every comparison: ~20 s), and 3 times by
the model's own ``sort()`` (median). No goal: it records why the model sorts itself.
"""

from __future__ import annotations

import random
import statistics
import time

from benchmarks._common import make_rows, note, qt_app

COUNT = 100_000


def run() -> float:
    """Proxy sort time divided by the model's median sort time."""
    qt_app()
    from PySide6.QtCore import QSortFilterProxyModel, Qt

    from groupdesk.ui import table_model

    rows = make_rows(COUNT)
    random.Random(7).shuffle(rows)
    order = Qt.SortOrder.DescendingOrder

    model_times = []
    for _ in range(3):
        model = table_model.GroupTableModel(list(rows))
        start = time.perf_counter()
        model.sort(table_model.COL_VALUE, order)
        model_times.append(time.perf_counter() - start)

    source = table_model.GroupTableModel(list(rows))
    proxy = QSortFilterProxyModel()
    proxy.setSortRole(getattr(table_model, "SORT_ROLE", Qt.ItemDataRole.DisplayRole))
    proxy.setSourceModel(source)
    proxy.rowCount()  # build the proxy's mapping before timing the sort
    start = time.perf_counter()
    proxy.sort(table_model.COL_VALUE, order)
    proxy_t = time.perf_counter() - start
    model_t = statistics.median(model_times)
    note(f"sort 100k by Value: proxy {proxy_t:.2f} s, model {model_t * 1000:.1f} ms (median of 3)")
    return proxy_t / model_t
