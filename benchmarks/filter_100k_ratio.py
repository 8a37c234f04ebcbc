"""``filter_100k_ratio``: one keystroke of text filtering over 100,000 groups vs a plain substring scan.

The model (``GroupTableModel``, with a table view attached as in the window) goes from no filter
to the text ``p`` (the first key typed; the model cannot narrow a previous result). The baseline
is a Python list comprehension keeping the case-folded names that contain ``p``. Each side runs 15
times, interleaved; the ratio is of the medians. Goal (issue 2): at most 3.
"""

from __future__ import annotations

import statistics
import time

from benchmarks._common import make_rows, note, qt_app, table_view

COUNT = 100_000
REPEAT = 15
KEY = "p"


def run() -> float:
    """Median model filter time divided by median substring scan time."""
    qt_app()

    from groupdesk.ui import table_model

    rows = make_rows(COUNT)
    names = [r.name.casefold() for r in rows]
    model = table_model.GroupTableModel(rows)
    view = table_view(model)
    model_times, base_times = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        found = [n for n in names if KEY in n]
        base_times.append(time.perf_counter() - start)

        model.set_filter(text="")
        start = time.perf_counter()
        model.set_filter(text=KEY)
        model_times.append(time.perf_counter() - start)
        shown = model.rowCount()
    assert len(found) <= shown < COUNT, "the filter did not filter"
    model_t, base_t = statistics.median(model_times), statistics.median(base_times)
    note(
        f"filter 100k by {KEY!r} ({shown} shown): model {model_t * 1000:.1f} ms, "
        f"scan {base_t * 1000:.1f} ms (medians of {REPEAT})"
    )
    view.setModel(None)
    return model_t / base_t
