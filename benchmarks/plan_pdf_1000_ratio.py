"""``plan_pdf_1000_ratio``: the clean-up plan PDF for 1,000 groups vs a bare ``QTextDocument.print_``.

Measured side: everything ``groupdesk plan --pdf`` does in process for a real 1,000-group data folder
— read the groups, recommendations and decisions from SQLite (``plan_items``), build the plan,
write its HTML, lay it out, cut the pages so that no group is split, and paint every page with its
header and "Page N of M" footer into an A4 PDF (``export_pdf``).

Baseline: the same HTML given to a bare ``QTextDocument`` and printed with ``print_`` to an A4
high-resolution PDF printer in the same process (no headers, no page numbers, groups cut anywhere).
Each side runs 5 times, interleaved; the ratio is of the medians. Goal (issue 6): at most 2.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks._common import TODAY, build_database, note, qt_app

COUNT = 1000
REPEAT = 5


def run() -> float:
    """Median plan-PDF time divided by median bare ``QTextDocument.print_`` time."""
    qt_app()
    from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
    from PySide6.QtPrintSupport import QPrinter

    from groupdesk.app import open_store
    from groupdesk.domain.plan import build_plan, plan_to_html
    from groupdesk.store.db import close_db
    from groupdesk.store.plan_data import plan_items
    from groupdesk.ui.plan_print import export_pdf

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        build_database(folder / "data", COUNT)
        open_store(folder / "data")
        try:
            html = plan_to_html(build_plan(plan_items(TODAY), TODAY, "Benchmark plan", "All groups"))

            def ours() -> int:
                plan = build_plan(plan_items(TODAY), TODAY, "Benchmark plan", "All groups")
                return export_pdf(plan, folder / "plan.pdf", "A4")

            def bare() -> None:
                doc = QTextDocument()
                doc.setHtml(html)
                printer = QPrinter(QPrinter.PrinterMode.HighResolution)
                printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
                printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
                printer.setPageOrientation(QPageLayout.Orientation.Portrait)
                printer.setOutputFileName(str(folder / "bare.pdf"))
                doc.print_(printer)

            ours_times, bare_times = [], []
            pages = 0
            for _ in range(REPEAT):
                start = time.perf_counter()
                bare()
                bare_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                pages = ours()
                ours_times.append(time.perf_counter() - start)
            groups = html.count('class="group"')
        finally:
            close_db()
    ours_t, bare_t = statistics.median(ours_times), statistics.median(bare_times)
    note(
        f"plan PDF of {COUNT} groups ({groups} in the plan, {pages} pages): {ours_t:.2f} s; "
        f"bare QTextDocument.print_ of the same HTML: {bare_t:.2f} s (medians of {REPEAT})"
    )
    return ours_t / bare_t
