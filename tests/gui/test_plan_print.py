"""The printed plan: PDFs read back with poppler's ``pdftotext``, page sizes, preview, HTML/CSV files.

Groups are made in a real SQLite store (``repository.create_group``) and read back with
``plan_items``, as the window and ``groupdesk plan`` do.
"""

from __future__ import annotations

import csv
import re
import subprocess
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from groupdesk.domain.plan import SECTIONS, build_plan, plan_to_html
from groupdesk.store import repository
from groupdesk.store.plan_data import plan_items

TODAY = date(2025, 6, 1)
HTMLISH = '<b>Growth</b> & "Hackers"'


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_size(pdf: Path) -> str:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return re.search(r"^Page size:\s+(.+)$", info, re.M).group(1)


def page_text(pdf: Path, number: int | None = None) -> str:
    """The text of one page (or all), ligatures undone (pdftotext prints "ﬁ" for "fi")."""
    pages = ["-f", str(number), "-l", str(number)] if number else []
    out = subprocess.run(["pdftotext", *pages, str(pdf), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFKC", out.stdout)


def small_inventory() -> None:
    """A few groups that land in every section, with money, hours and mail to save."""
    repository.create_group(
        {"name": "Growth Hackers Unite", "network": "linkedin", "status": "member", "value_to_me": 1,
         "value_from_me": 0, "spam_level": 3, "emails_per_week": 14, "hours_per_month": 2,
         "cost_amount": 10, "cost_period": "month", "currency": "EUR",
         "url": "https://www.linkedin.com/groups/8842211/"}
    )  # fmt: skip
    repository.create_group(
        {"name": "Parents of Group 5B", "network": "whatsapp", "status": "member", "value_to_me": 2,
         "value_from_me": 1, "emails_per_week": 9, "last_group_activity": TODAY - timedelta(days=1),
         "joined_on": TODAY - timedelta(days=10)}
    )  # fmt: skip
    lurk = repository.create_group(
        {"name": "Product Management Network", "network": "linkedin", "status": "member", "value_to_me": 4,
         "value_from_me": 3, "joined_on": date(2023, 1, 1), "last_group_activity": TODAY - timedelta(days=3)}
    )  # fmt: skip
    repository.add_contribution(lurk, TODAY - timedelta(days=200))
    repository.create_group(
        {"name": HTMLISH, "network": "linkedin", "status": "invited", "invite_personal": False,
         "spam_level": 2, "invited_by": "growth-bot@example.com", "notes": "Sent <b>as is</b>."}
    )  # fmt: skip
    repository.create_group({"name": "Old Choir", "network": "offline", "status": "leaving"})


@pytest.fixture
def small_plan(store, qapp):
    small_inventory()
    return build_plan(plan_items(TODAY), TODAY, "Ann's clean-up", "Network: all; search: none")


def test_pdf_has_headings_groups_totals_and_header(small_plan, tmp_path):
    from groupdesk.ui.plan_print import export_pdf

    pdf = tmp_path / "plan.pdf"
    pages = export_pdf(small_plan, pdf)
    assert pages == page_count(pdf) >= 1
    text = page_text(pdf)
    positions = [text.index(heading) for _, heading in SECTIONS]
    assert positions == sorted(positions), "sections out of order"
    for name in ("Growth Hackers Unite", "Parents of Group 5B", "Product Management Network", "Old Choir"):
        assert text.count(name) == 1, name
    assert HTMLISH in text  # the HTML-looking name prints literally
    assert "Sent <b>as is</b>." in text
    assert "Money saved per year" in text and "€120" in text
    assert "E-mails saved per week" in text and "23" in text  # 14 (leave) + 9 (mute)
    assert re.search(r"Groups before\s+4", text) and re.search(r"Groups after\s+2", text)
    assert [e.item.name for e in small_plan.section("mute").entries] == ["Parents of Group 5B"]
    assert "Tell the organiser that you are stepping back" in text  # offline group: tell the organiser
    first = page_text(pdf, 1)
    assert "Ann's clean-up" in first and "1 June 2025" in first
    assert "Groups: Network: all; search: none" in first
    assert f"Page 1 of {pages}" in first
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+Ann's clean-up$", info, re.M)


def test_page_sizes(small_plan, tmp_path):
    from groupdesk.ui.plan_print import export_pdf

    export_pdf(small_plan, tmp_path / "a4.pdf", "A4")
    export_pdf(small_plan, tmp_path / "letter.pdf", "Letter")
    assert page_size(tmp_path / "a4.pdf").endswith("(A4)")
    assert page_size(tmp_path / "letter.pdf") == "612 x 792 pts (letter)"
    with pytest.raises(ValueError):
        export_pdf(small_plan, tmp_path / "a3.pdf", "A3")
    assert not (tmp_path / "a3.pdf").exists()


def test_unwritable_pdf_raises_and_leaves_nothing(small_plan, tmp_path):
    from groupdesk.ui.plan_print import export_pdf

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(OSError):
        export_pdf(small_plan, out / "missing" / "plan.pdf")
    assert list(out.iterdir()) == []


def big_inventory(count: int) -> None:
    """``count`` groups with reasons, notes and steps of varied length: blocks of varied height."""
    networks = ("facebook", "linkedin", "meetup", "discord", "slack", "reddit", "telegram", "mailing_list")
    with repository.db.atomic():
        for i in range(count):
            status = ("member", "member", "member", "muted", "invited", "leaving")[i % 6]
            values = {
                "name": f"Group {i:03d} Club",
                "network": networks[i % len(networks)],
                "status": status,
                "value_to_me": i % 4,
                "value_from_me": (i // 3) % 5,
                "spam_level": (i // 7) % 4,
                "emails_per_week": (i * 3) % 25,
                "hours_per_month": (i % 9) or None,
                "joined_on": date(2023, 1, 1),
                "last_group_activity": TODAY - timedelta(days=(i * 11) % 200),
                "notes": f"marker-{i:03d} " + "long note " * (i % 23),
            }
            if i % 5 == 0:
                values.update(cost_amount=5 + i % 30, cost_period="month", currency="EUR")
            gid = repository.create_group(values)
            if i % 4 == 0:
                repository.add_contribution(gid, TODAY - timedelta(days=i % 80))


def cut_groups(pdf: Path, pages: int) -> list[str]:
    """Groups whose end (the marker in their note) is on a page without their name."""
    cut = []
    for number in range(1, pages + 1):
        text = page_text(pdf, number)
        for marker in re.findall(r"marker-(\d{3})", text):
            if f"Group {marker} Club" not in text:
                cut.append(f"Group {marker} Club (page {number})")
    return cut


@pytest.mark.slow
def test_300_groups_page_numbers_and_no_group_cut(store, qapp, tmp_path):
    from PySide6.QtGui import QTextDocument
    from PySide6.QtPrintSupport import QPrinter

    from groupdesk.ui.plan_print import export_pdf

    big_inventory(300)
    plan = build_plan(plan_items(TODAY), TODAY, "Big plan", "All groups")
    assert plan.group_count > 200
    pdf = tmp_path / "big.pdf"
    pages = export_pdf(plan, pdf)
    assert pages == page_count(pdf) > 10
    names_seen: dict[str, int] = {}
    for number in range(1, pages + 1):
        text = page_text(pdf, number)
        assert f"Page {number} of {pages}" in text
        assert "Big plan" in text
        for name in re.findall(r"Group \d{3} Club", text):
            assert name not in names_seen, f"{name} on pages {names_seen[name]} and {number}"
            names_seen[name] = number
    assert len(names_seen) == plan.group_count  # each group once, none lost between pages
    assert cut_groups(pdf, pages) == []

    # The check above can fail: printing the same HTML plainly does cut groups across pages.
    naive = tmp_path / "naive.pdf"
    doc = QTextDocument()
    doc.setHtml(plan_to_html(plan))
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(naive))
    doc.print_(printer)
    assert cut_groups(naive, page_count(naive))


def test_preview_dialog_paints_the_plan(small_plan, qtbot):
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    from groupdesk.ui.plan_print import make_preview_dialog

    dialog = make_preview_dialog(small_plan)
    qtbot.addWidget(dialog)
    preview = dialog.findChild(QPrintPreviewWidget)
    with qtbot.waitSignal(dialog.paintRequested, timeout=10_000):
        dialog.show()
    qtbot.waitUntil(lambda: preview.pageCount() >= 1, timeout=10_000)
    assert "Ann's clean-up" in dialog.windowTitle()
    dialog.close()


def test_print_dialog_cancelled_prints_nothing(small_plan, qtbot, monkeypatch):
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QDialog

    from groupdesk.ui import plan_print

    rendered = []
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected)
    monkeypatch.setattr(plan_print, "render", lambda *a, **k: rendered.append(a))
    assert plan_print.print_plan(small_plan) is False
    assert rendered == []


def test_export_html_and_csv(small_plan, tmp_path):
    from groupdesk.ui.plan_print import export_csv, export_html

    export_html(small_plan, tmp_path / "plan.html")
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Growth&lt;/b&gt; &amp; &quot;Hackers&quot;" in html and "<b>Growth" not in html
    export_csv(small_plan, tmp_path / "plan.csv")
    with (tmp_path / "plan.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert HTMLISH in [r["name"] for r in rows]
    assert len(rows) == small_plan.group_count


@pytest.mark.slow
def test_cli_writes_pdf_html_and_csv(store, run_cli, tmp_path):
    from groupdesk.store.db import close_db

    small_inventory()
    close_db()
    pdf, page, table = tmp_path / "p.pdf", tmp_path / "p.html", tmp_path / "p.csv"
    result = run_cli("plan", "--pdf", str(pdf), "--html", str(page), "--csv", str(table),
                     "--title", "CLI plan", "--page-size", "Letter")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"to {pdf}" in result.stdout and f"to {table}" in result.stdout
    assert page_size(pdf).startswith("612 x 792")
    text = page_text(pdf)
    assert "CLI plan" in text and HTMLISH in text and "Page 1 of" in text
    assert "<title>CLI plan</title>" in page.read_text(encoding="utf-8")
    assert table.read_text(encoding="utf-8-sig").startswith("section,done,name,")
    missing = run_cli("plan", "--pdf", str(tmp_path / "nope" / "p.pdf"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_a_huge_note_is_clipped_so_its_group_fits_on_a_page(store, qapp, tmp_path):
    from groupdesk.ui.plan_print import export_pdf

    words = [f"w{i:04d}" for i in range(2500)]
    repository.create_group({"name": "Huge Notes", "status": "leaving", "notes": " ".join(words)})
    plan = build_plan(plan_items(TODAY), TODAY, "Huge", "All groups")
    pdf = tmp_path / "huge.pdf"
    pages = export_pdf(plan, pdf)
    texts = [page_text(pdf, n) for n in range(1, pages + 1)]
    holding = [n for n, text in enumerate(texts, 1) if "w0000" in text]
    assert len(holding) == 1 and "Huge Notes" in texts[holding[0] - 1]
    found = re.findall(r"w\d{4}", " ".join(texts))
    assert found == words[: len(found)] and 50 < len(found) < 100  # the first 400 characters, once


def test_text_taller_than_a_page_is_cut_between_lines(qapp):
    from groupdesk.ui.plan_print import build_document, make_printer, paginate

    printer = make_printer("A4")
    words = [f"w{i:04d}" for i in range(4000)]
    doc = build_document(f"<h1>Title</h1><p>{' '.join(words)}</p>", printer, 8000)
    height = 9000.0
    pages = paginate(doc, height)
    assert len(pages) > 2
    assert all(0 < bottom - top <= height for top, bottom in pages)
    block = doc.lastBlock()
    origin = doc.documentLayout().blockBoundingRect(block).top()
    lines = [origin + block.layout().lineAt(i).y() for i in range(block.layout().lineCount())]
    for _top, bottom in pages[:-1]:
        assert any(abs(bottom - y) < 0.01 for y in lines), "a page ends inside a line"


def test_a_page_range_prints_only_those_pages(store, qapp, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from groupdesk.ui.plan_print import make_printer, render

    big_inventory(60)
    plan = build_plan(plan_items(TODAY), TODAY, "Range", "All groups")
    pdf = tmp_path / "range.pdf"
    printer = make_printer("A4", pdf)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    total = render(plan, printer)
    assert total > 3
    assert page_count(pdf) == 2
    assert f"Page 2 of {total}" in page_text(pdf, 1) and f"Page 3 of {total}" in page_text(pdf, 2)
