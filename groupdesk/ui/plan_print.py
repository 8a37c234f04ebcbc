"""The clean-up plan on paper: PDF export, print preview and printing (Qt).

The plan's HTML (``groupdesk.domain.plan.plan_to_html``) is laid out once in a ``QTextDocument`` as
one long page as wide as the printable area. ``QTextDocument.print_`` draws no headers or footers
and cuts wherever a page ends, so pages are cut here instead: only above a group's table, or above
a heading that follows a group (a heading stays with what follows it), never inside a group. Each
page is then painted with a ``QPainter``: the header (title, date, filters), the slice of the
document, and the footer ("Page N of M").
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPen,
    QTextDocument,
    QTextOption,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QDialog, QWidget

from groupdesk.domain.plan import Plan, format_date, plan_to_csv, plan_to_html
from groupdesk.fileutil import replace_atomically

#: Page sizes the plan is made for.
PAGE_SIZES: dict[str, QPageSize.PageSizeId] = {
    "A4": QPageSize.PageSizeId.A4,
    "Letter": QPageSize.PageSizeId.Letter,
}
#: Page margins in millimetres (left, top, right, bottom); the header and footer sit inside them.
MARGINS_MM = QMarginsF(17, 12, 17, 12)
FONT_FAMILY = "DejaVu Sans"
_HEADER_MM = 13.0
_FOOTER_MM = 9.0
_RULE = QColor("#9fb0b7")
_INK = QColor("#16394a")
_GREY = QColor("#555555")


def _tr(text: str) -> str:
    return QCoreApplication.translate("PlanPrint", text)


def page_layout(page_size: str = "A4") -> QPageLayout:
    """A portrait page layout of ``page_size`` (``A4`` or ``Letter``) with the plan's margins."""
    if page_size not in PAGE_SIZES:
        raise ValueError(f"page size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
    return QPageLayout(
        QPageSize(PAGE_SIZES[page_size]), QPageLayout.Orientation.Portrait, MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )  # fmt: skip


def make_printer(
    page_size: str = "A4", pdf_path: str | os.PathLike[str] | None = None, title: str | None = None
) -> QPrinter:
    """A high-resolution printer with the plan's page layout; a PDF writer when ``pdf_path`` is given.

    ``title`` names the print job (and is the PDF's title).
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(page_size))
    printer.setDocName(title or _tr("Clean-up plan"))
    printer.setCreator("GroupDesk")
    if pdf_path is not None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
    return printer


def build_document(html: str, device: QPrinter, width: float) -> QTextDocument:
    """The plan's HTML laid out for ``device`` as one long page ``width`` device pixels wide."""
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDefaultFont(QFont(FONT_FAMILY, 9))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    doc.setDefaultTextOption(option)
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    doc.setTextWidth(width)
    return doc


def _elements(doc: QTextDocument) -> list[tuple[str, float, float]]:
    """The document's top-level parts in order: (kind, top, bottom); kind is table, heading or text."""
    layout = doc.documentLayout()
    out: list[tuple[str, float, float]] = []
    for it in doc.rootFrame():
        frame = it.currentFrame()
        if frame is not None:
            r = layout.frameBoundingRect(frame)
            out.append(("table", r.top(), r.bottom()))
            continue
        block = it.currentBlock()
        if not block.isValid() or (not block.text() and block.textList() is None):
            continue  # the empty blocks Qt keeps between tables
        r = layout.blockBoundingRect(block)
        kind = "heading" if block.blockFormat().headingLevel() else "text"
        out.append((kind, r.top(), r.bottom()))
    return out


def paginate(doc: QTextDocument, page_height: float) -> list[tuple[float, float]]:
    """Where each page starts and ends in the laid-out document (device pixels).

    A page may end only above a group's table that follows a table, or above a heading that follows
    a table: a group is never cut, and a heading (with the steps and intro under it) stays with the
    first group that follows it. When no such place is on a page, the page ends above any part, else
    between two lines of a paragraph, else (never for a plan: its groups fit on a page) at its end.
    """
    total = doc.documentLayout().documentSize().height()
    parts = _elements(doc)
    breaks: list[float] = []
    anywhere: list[float] = []
    previous = None
    for kind, top, _bottom in parts:
        if kind in ("table", "heading") and previous == "table":
            breaks.append(top)
        anywhere.append(top)
        previous = kind
    lines: list[float] | None = None
    pages: list[tuple[float, float]] = []
    start = 0.0
    while total - start > 0.5:
        limit = start + page_height
        if total <= limit:
            pages.append((start, total))
            break
        end = _last_at_most(breaks, start, limit) or _last_at_most(anywhere, start, limit)
        if end is None:  # one part taller than a page: cut between lines
            lines = _line_breaks(doc) if lines is None else lines
            end = _last_at_most(lines, start, limit) or limit
        pages.append((start, end))
        start = end
    return pages or [(0.0, total)]


def _line_breaks(doc: QTextDocument) -> list[float]:
    """Heights between the lines of the top-level paragraphs (where a too-tall part may be cut).

    Only top-level blocks: Qt reports positions of blocks inside table cells without the cell's
    offset. The plan clips notes and names so that a group's table always fits on a page.
    """
    layout = doc.documentLayout()
    out: list[float] = []
    for it in doc.rootFrame():
        block = it.currentBlock()
        if it.currentFrame() is not None or not block.isValid():
            continue
        origin = layout.blockBoundingRect(block).top()
        text_layout = block.layout()
        out.extend(origin + text_layout.lineAt(i).y() for i in range(text_layout.lineCount()))
    return sorted(out)


def _last_at_most(points: list[float], start: float, limit: float) -> float | None:
    """The largest point in (start, limit], or None."""
    i = bisect.bisect_right(points, limit)
    if i and points[i - 1] > start + 1:
        return points[i - 1]
    return None


@dataclass
class _Bands:
    width: float
    height: float
    header: float
    footer: float

    @property
    def body(self) -> float:
        return self.height - self.header - self.footer


def _bands(printer: QPrinter) -> _Bands:
    dpi = printer.resolution()
    rect = printer.pageLayout().paintRectPixels(dpi)
    mm = dpi / 25.4
    return _Bands(rect.width(), rect.height(), _HEADER_MM * mm, _FOOTER_MM * mm)


def _font(size: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _draw_header(painter: QPainter, plan: Plan, bands: _Bands, dpi: int) -> None:
    mm = dpi / 25.4
    title_font, small = _font(10, bold=True), _font(7.5)
    fm_title, fm_small = QFontMetricsF(title_font, painter.device()), QFontMetricsF(small, painter.device())
    when = format_date(plan.today)
    painter.setFont(small)
    painter.setPen(_GREY)
    date_w = fm_small.horizontalAdvance(when)
    painter.drawText(QRectF(bands.width - date_w, 0, date_w, fm_title.height()),
                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, when)  # fmt: skip
    title = fm_title.elidedText(plan.title, Qt.TextElideMode.ElideRight, bands.width - date_w - 6 * mm)
    painter.setFont(title_font)
    painter.setPen(_INK)
    painter.drawText(QRectF(0, 0, bands.width - date_w, fm_title.height()), Qt.AlignmentFlag.AlignLeft, title)
    filters = fm_small.elidedText(
        _tr("Groups: {0}").format(plan.filters_description), Qt.TextElideMode.ElideRight, bands.width
    )
    painter.setFont(small)
    painter.setPen(_GREY)
    painter.drawText(QRectF(0, fm_title.height() + 0.6 * mm, bands.width, fm_small.height()),
                     Qt.AlignmentFlag.AlignLeft, filters)  # fmt: skip
    y = fm_title.height() + fm_small.height() + 2.0 * mm
    painter.setPen(QPen(_RULE, 0.25 * mm))
    painter.drawLine(0, round(y), round(bands.width), round(y))


def _draw_footer(painter: QPainter, page: int, pages: int, bands: _Bands, dpi: int) -> None:
    mm = dpi / 25.4
    small = _font(7.5)
    fm = QFontMetricsF(small, painter.device())
    top = bands.height - bands.footer
    y = top + 3.0 * mm
    painter.setPen(QPen(_RULE, 0.25 * mm))
    painter.drawLine(0, round(y), round(bands.width), round(y))
    painter.setFont(small)
    painter.setPen(_GREY)
    text = _tr("Page {0} of {1}").format(page, pages)
    painter.drawText(QRectF(0, y + 1.2 * mm, bands.width, fm.height()), Qt.AlignmentFlag.AlignHCenter, text)


def render(plan: Plan, printer: QPrinter, html: str | None = None) -> int:
    """Paint the plan on ``printer`` (a PDF writer, a real printer, or a print preview's printer).

    Uses the printer's own page layout, and prints only the pages of its page range when the
    print dialog set one. Returns the number of pages of the plan.

    Raises:
        OSError: when the printer cannot be started (e.g. the PDF file cannot be written).
    """
    bands = _bands(printer)
    dpi = printer.resolution()
    doc = build_document(html if html is not None else plan_to_html(plan), printer, bands.width)
    pages = paginate(doc, bands.body)
    wanted = range(1, len(pages) + 1)
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        wanted = range(printer.fromPage(), min(printer.toPage() or len(pages), len(pages)) + 1)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError(_tr("Cannot print to {0}").format(printer.outputFileName() or printer.printerName()))
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        first = True
        for number, (top, bottom) in enumerate(pages, 1):
            if number not in wanted:
                continue
            if not first:
                printer.newPage()
            first = False
            _draw_header(painter, plan, bands, dpi)
            _draw_footer(painter, number, len(pages), bands, dpi)
            painter.save()
            painter.translate(0, bands.header - top)
            # One device pixel less at each end: Qt draws every part that touches the clip, and
            # the parts just outside this page's slice must not be in its PDF text either.
            doc.drawContents(painter, QRectF(0, top + 1, bands.width, bottom - top - 2))
            painter.restore()
    finally:
        painter.end()
    return len(pages)


def export_pdf(plan: Plan, path: str | os.PathLike[str], page_size: str = "A4") -> int:
    """Write the plan as a PDF (``A4`` or ``Letter``); return the number of pages.

    Needs a ``QGuiApplication``. The file appears complete or not at all.

    Raises:
        ValueError: for an unknown page size.
        OSError: when the file cannot be written.
    """
    page_layout(page_size)  # check the size before touching the file system
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        count = render(plan, make_printer(page_size, tmp, plan.title))
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError(_tr("Could not write {0}").format(str(path)))

    replace_atomically(Path(path), write)
    return count


def export_html(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan as a self-contained HTML page (UTF-8)."""
    data = plan_to_html(plan).encode("utf-8")
    replace_atomically(Path(path), lambda tmp: tmp.write_bytes(data))


def export_csv(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan as CSV (UTF-8 with a BOM, so spreadsheets read the accents right)."""
    data = plan_to_csv(plan).encode("utf-8-sig")
    replace_atomically(Path(path), lambda tmp: tmp.write_bytes(data))


def make_preview_dialog(
    plan: Plan, parent: QWidget | None = None, page_size: str = "A4"
) -> QPrintPreviewDialog:
    """A print preview of the plan (not yet shown); printing from it prints the plan."""
    printer = make_printer(page_size, title=plan.title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(_tr("Print preview: {0}").format(plan.title))
    html = plan_to_html(plan)
    dialog.paintRequested.connect(lambda p: render(plan, p, html))
    dialog._printer = printer  # keep the printer alive as long as the dialog
    return dialog


def print_preview(plan: Plan, parent: QWidget | None = None, page_size: str = "A4") -> int:
    """Show the print preview (File → Print preview); returns the dialog's result."""
    dialog = make_preview_dialog(plan, parent, page_size)
    try:
        return dialog.exec()
    finally:
        dialog.deleteLater()


def print_plan(plan: Plan, parent: QWidget | None = None, page_size: str = "A4") -> bool:
    """Ask for a printer (File → Print) and print the plan; False when cancelled."""
    printer = make_printer(page_size, title=plan.title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_tr("Print the clean-up plan"))
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
    finally:
        dialog.deleteLater()
    render(plan, printer)
    return True
