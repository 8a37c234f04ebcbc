"""The window paints its first screen of groups before reading the rest, and scores lazily."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage

from groupdesk.store import db as store_db
from groupdesk.store import repository
from groupdesk.store.db import DB_FILENAME, close_db, open_pending
from groupdesk.store.migrations import SCHEMA_VERSION, SchemaTooNewError
from groupdesk.ui import main_window as mw
from groupdesk.ui.application import finish_store_after_paint, open_window_store
from groupdesk.ui.table_model import COL_NAME, COL_VALUE, SORT_ROLE

REPO = Path(__file__).resolve().parents[2]


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
    assert window._partial and window.model.total_count() == window._first_page_rows() <= 50
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


# ------------------------------------------------------------------ the store opens without Peewee


def _reopen_for_the_window(data_dir):
    """Close the test's store and open it the way ``run_gui`` does; True when Peewee waits."""
    close_db()
    return open_window_store(data_dir)


def test_a_current_store_shows_first_and_sets_peewee_up_after_the_first_paint(
    store, data_dir, settings, qtbot, monkeypatch
):
    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 50)
    _many(120)
    assert _reopen_for_the_window(data_dir)
    window = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(window)
    window.remember_state = False
    # Built from the plain reader: the first screen, and totals over every group.
    assert open_pending() and window.model.total_count() == window._first_page_rows() <= 50
    assert "120 memberships" in window.totals_label.text()
    errors: list[str] = []
    finish_store_after_paint(window, errors.append)
    window.show()
    qtbot.waitUntil(lambda: not open_pending())
    qtbot.waitUntil(lambda: window.model.total_count() == 120)
    assert errors == []
    # Edits work at once.
    gid = repository.create_group({"name": "Group 0000a", "status": "member"})
    window.groups_changed(changed=[gid])
    assert window.model.total_count() == 121


def test_a_store_that_cannot_be_set_up_after_the_paint_is_reported(
    store, data_dir, settings, qtbot, monkeypatch
):
    _many(3)
    assert _reopen_for_the_window(data_dir)
    window = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(window)
    window.remember_state = False

    def broken(*_args, **_kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(store_db, "init_db", broken)
    errors: list[str] = []
    finish_store_after_paint(window, errors.append)
    window.show()
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["disk on fire"]


def test_an_old_store_is_migrated_before_the_window_opens(data_dir):
    path = data_dir / DB_FILENAME
    sql = REPO / "tests" / "data" / "old_schema_v1.sql"
    conn = sqlite3.connect(path)
    conn.executescript(sql.read_text(encoding="utf-8"))
    conn.close()
    try:
        assert not _reopen_for_the_window(data_dir)  # Peewee migrated it at once
        assert repository.group_count() > 0
    finally:
        close_db()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()
    assert list(data_dir.glob(f"{DB_FILENAME}.v1-*.bak"))


def test_a_store_from_the_future_is_refused_before_the_window_opens(data_dir):
    path = data_dir / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        _reopen_for_the_window(data_dir)
    assert not open_pending()


def test_a_screenshot_imports_neither_peewee_nor_the_later_flows(store, data_dir, tmp_path):
    """The whole start-up path, in a fresh process: the picture is taken before Peewee is needed."""
    _many(30)
    close_db()
    before = (data_dir / DB_FILENAME).read_bytes()
    shot = tmp_path / "shot.png"
    code = (
        "import sys\n"
        "from groupdesk import cli\n"
        f"code = cli.run(['--data-dir', {str(data_dir)!r}, 'gui', '--screenshot', {str(shot)!r}])\n"
        "print(code, 'peewee' in sys.modules, 'groupdesk.ui.import_flow' in sys.modules)\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    # Nor what the window sets up after its first paint: a closed window needs none of it.
    assert result.stdout.split() == ["0", "False", "False"]
    assert QImage(str(shot)).width() >= 800
    assert (data_dir / DB_FILENAME).read_bytes() == before


def test_the_first_screen_is_as_many_rows_as_the_tallest_screen_shows(store, settings, qtbot, monkeypatch):
    window = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(window)
    window.remember_state = False
    tallest = max(s.availableGeometry().height() for s in QGuiApplication.screens())
    row = window.table.verticalHeader().defaultSectionSize()
    rows = window._first_page_rows()
    assert rows * row >= max(tallest, mw.DEFAULT_SIZE[1])  # a whole screen (or window) of rows
    assert rows <= mw.FIRST_PAGE_ROWS
    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 5)
    assert window._first_page_rows() == 5


# ------------------------------------------------------------------ the window's arguments without argparse

WINDOW_ARGVS = [
    [],
    ["gui"],
    ["--data-dir", "/x"],
    ["--data-dir=/x", "gui"],
    ["-v", "gui", "--screenshot", "a.png"],
    ["--verbose", "--data-dir", "d", "-v", "gui", "--screenshot=a.png"],
    ["--data-dir", "a", "--data-dir", "b"],
    ["gui", "--screenshot", "a", "--screenshot", "b"],
    ["--data-dir=/a=b"],
]


@pytest.mark.parametrize("argv", WINDOW_ARGVS)
def test_window_arguments_read_as_argparse_reads_them(argv):
    from groupdesk import cli

    quick = cli.window_args(argv)
    full = cli.build_parser().parse_args(argv)
    assert quick is not None
    assert (quick.command, quick.data_dir, quick.verbose) == (full.command, full.data_dir, full.verbose)
    assert quick.screenshot == getattr(full, "screenshot", None)
    assert quick.files == (getattr(full, "files", None) or [])


@pytest.mark.parametrize(
    "argv",
    [
        ["gui", "f.json"], ["-h"], ["gui", "--help"], ["--version"], ["--data", "x"], ["gui", "-v"],
        ["--screenshot", "a"], ["gui", "gui"], ["--data-dir"], ["--data-dir", ""], ["--data-dir", "-x"],
        ["list"], ["gui", "--screenshot"], ["--", "gui"], ["-vv"], ["gui", "--screenshot=-a"],
        ["gui", "--data-dir", "d"],
    ],
)  # fmt: skip
def test_anything_else_is_left_to_argparse(argv):
    from groupdesk import cli

    assert cli.window_args(argv) is None


def test_a_window_start_builds_no_argparse_parser(data_dir, tmp_path):
    shot = tmp_path / "s.png"
    code = (
        "from groupdesk import cli\n"
        "cli.build_parser = None  # a window start must not need it\n"
        f"print(cli.run(['--data-dir', {str(data_dir)!r}, 'gui', '--screenshot', {str(shot)!r}]))\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0"] and shot.exists()


def test_the_screenshot_is_the_window_as_painted(store, settings, qtbot, monkeypatch):
    """``--screenshot`` saves the first painted frame: the same pixels a fresh render gives, also
    with more groups than the first screen (the rest are read after the picture)."""
    from groupdesk.ui.application import painted_image
    from groupdesk.ui.events import FirstPaint

    monkeypatch.setattr(mw, "FIRST_PAGE_ROWS", 20)
    _many(60)
    window = mw.MainWindow(settings, run_dialog=lambda d: False)
    qtbot.addWidget(window)
    window.remember_state = False
    shots: list[tuple] = []

    def capture() -> None:  # as run_gui's: made last, so it runs first after the paint
        image = painted_image(window).copy()
        shots.append((image, window.grab().toImage().convertToFormat(image.format())))

    FirstPaint(window, capture)
    window.show()
    qtbot.waitUntil(lambda: bool(shots))
    image, rendered = shots[0]
    assert image.size() == rendered.size() and image.width() >= 800
    assert image == rendered


def test_an_interactive_start_sets_peewee_up_and_reads_the_rest(store, data_dir):
    """The whole interactive start, in a fresh process (where nothing has imported the models
    yet): shown from the plain reader, then Peewee, every row, import and mail, and edits work."""
    _many(80)
    close_db()
    code = f"""
from pathlib import Path
from PySide6.QtCore import QTimer
from groupdesk.store import db, repository
from groupdesk.ui import application
app = application.make_application()
seen = []

def check():
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "main_window")
    from groupdesk.store import models
    gid = repository.create_group({{"name": "Added after start"}})
    window.groups_changed(changed=[gid])
    seen.extend([db.open_pending(), models.db.obj is not None, window.model.total_count(),
                 window._import_flow is not None])
    window.remember_state = False
    window.close()
    app.quit()

QTimer.singleShot(1000, check)
code = application.run_gui(Path({str(data_dir)!r}))
print(code, *seen)
"""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False", "True", "81", "True"], result.stderr
    assert "Traceback" not in result.stderr
