"""The window paints its first screen of groups before reading the rest, and scores lazily."""

from __future__ import annotations

from PySide6.QtCore import Qt

from groupdesk.store import repository
from groupdesk.ui import main_window as mw
from groupdesk.ui.table_model import COL_NAME, COL_VALUE, SORT_ROLE


def _many(count: int) -> None:
    for i in range(count):
        repository.create_group(
            {"name": f"Group {i:04d}", "value_to_me": i % 6, "value_from_me": 3, "status": "member",
             "cost_amount": 10, "cost_period": "month", "currency": "EUR", "emails_per_week": 1}
        )  # fmt: skip


def test_first_screen_then_every_row_after_the_first_paint(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 50)
    _many(120)
    window = make_window()
    # After the first paint the rest is read: every row, still sorted by name.
    qtbot.waitUntil(lambda: window.model.total_count() == 120)
    assert not window._partial
    names = [window.model.index(r, COL_NAME).data() for r in range(120)]
    assert names == sorted(names)
    assert "120 groups" in window.count_label.text()
    assert "14,400 EUR a year" in window.totals_label.text()


def test_partial_window_counts_from_the_store(store, settings, qtbot, monkeypatch):
    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 50)
    _many(120)
    window = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(window)
    window.remember_state = False
    # Not shown yet: only the first screen is loaded, but the summary already counts all 120.
    assert window._partial and window.model.total_count() == 50
    assert "120 groups" in window.count_label.text()
    assert "120 memberships" in window.totals_label.text()
    assert "14,400 EUR a year" in window.totals_label.text()


def test_scores_are_computed_on_demand_and_in_idle_time(make_window, qtbot):
    _many(30)
    window = make_window()
    rows = window.model.rows()
    # Sorting by Value needs every score; it gives the right order whatever was scored before.
    window.table.sortByColumn(COL_VALUE, Qt.SortOrder.DescendingOrder)
    values = [window.model.index(r, COL_VALUE).data(SORT_ROLE) for r in range(30)]
    assert values == sorted(values, reverse=True)
    qtbot.waitUntil(lambda: all(r.scored for r in rows))


def test_sort_by_another_column_loads_everything_before_showing(store, tmp_path, qtbot, monkeypatch):
    from PySide6.QtCore import QSettings

    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 50)
    _many(120)
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    first = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(first)
    first.table.sortByColumn(COL_VALUE, Qt.SortOrder.DescendingOrder)
    first.save_state()
    first.remember_state = False
    second = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(second)
    second.remember_state = False
    assert not second._partial and second.model.total_count() == 120
