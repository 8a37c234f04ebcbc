"""The import flow in the window: real drops of real files (a zip holding two exports, a spreadsheet, links
from a browser), the preview, applying in one step, Ctrl+Z, progress and Cancel off the GUI thread, one
clear message for bad input with nothing written, and rows dragged out of the table as CSV."""

from __future__ import annotations

import sqlite3
import threading
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from groupdesk.importers import ImportCancelled, native
from groupdesk.store import batches, repository
from groupdesk.store.models import db
from groupdesk.ui.dialogs.import_preview import ImportPreviewDialog
from groupdesk.ui.import_flow import ROWS_MIME, ImportFlow, items_from_mime, mime_data_for_rows
from groupdesk.ui.workers import wait_for_tasks
from tests.gui.conftest import add_group

DATA = Path(__file__).resolve().parent.parent / "data" / "exports"
TIMEOUT = 20_000


@pytest.fixture(autouse=True)
def _join_threads():
    yield
    assert wait_for_tasks(10_000), "a reading thread did not end"


def flow_for(window, **kwargs) -> ImportFlow:
    existing = getattr(window, "import_flow", None)
    if existing is not None and not kwargs:
        return existing
    return ImportFlow(window, **kwargs)


def make_zip(path: Path) -> Path:
    """A zip holding a Facebook export (in a wrapping folder) and a Telegram export: two exports."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        root = DATA / "facebook" / "v2_en"
        for f in sorted(root.rglob("*")):
            if f.is_file():
                zf.write(f, "facebook-ann/" + f.relative_to(root).as_posix())
        zf.write(DATA / "telegram" / "full" / "DataExport_2024-05-01" / "result.json", "telegram/result.json")
    return path


def file_mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(widget: QWidget, mime: QMimeData) -> bool:
    """Drag ``mime`` onto the middle of ``widget`` and drop it there; True when the drag was accepted."""
    pos = widget.rect().center()
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction
    enter = QDragEnterEvent(pos, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    event = QDropEvent(QPointF(pos), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def group_names() -> list[str]:
    return sorted(r[0] for r in db.execute_sql('SELECT name FROM "group"').fetchall())


def shown_names(window) -> list[str]:
    return sorted(window.model.row_at(i).name for i in range(window.model.rowCount()))


def press_import(dialog: ImportPreviewDialog) -> None:
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()


# ------------------------------------------------------------------------------------------- drops


def test_dropping_a_zip_previews_both_exports_and_imports_them_in_one_undoable_step(
    qtbot, make_window, driver, tmp_path: Path
) -> None:
    add_group("Board Games Oost", network="facebook")  # already here: the export updates it
    window = make_window()
    flow = flow_for(window)
    archive = make_zip(tmp_path / "my-data.zip")
    seen = {}

    def check_preview(dialog: ImportPreviewDialog) -> None:
        assert isinstance(dialog, ImportPreviewDialog)
        assert [r.kind for r in dialog.results] == ["facebook", "telegram"]
        assert dialog.source_list.count() == 2
        assert dialog.format_label.text() == "Facebook export"
        assert dialog.counts(0) == {"new": 4, "updated": 1, "unchanged": 0, "skipped": 1}
        assert dialog.summary_label.text().startswith("2 exports found: 8 new, 1 updated")
        rows = [dialog.model.row_texts(i) for i in range(dialog.model.rowCount())]
        updated = [r for r in rows if r[0] == "Updated"]
        assert [r[:3] for r in updated] == [("Updated", "Board Games Oost", "Facebook")]
        assert "1 contribution" in updated[0][3]
        dialog.source_list.setCurrentRow(1)
        assert dialog.format_label.text() == "Telegram export"
        texts = [dialog.model.row_texts(i) for i in range(dialog.model.rowCount())]
        assert ("Skipped", "Bo Jensen", "", "personal chat, not a group") in texts
        dialog.filter_combo.setCurrentIndex(dialog.filter_combo.findData("skipped"))
        assert {dialog.model.row_texts(i)[0] for i in range(dialog.model.rowCount())} == {"Skipped"}
        seen["shown"] = True
        press_import(dialog)

    driver.then(check_preview)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        assert drop(window.table.viewport(), file_mime(archive))
    batch_ids = blocker.args[0]
    assert seen and len(batch_ids) == 2
    assert "Aarhus Runners" in shown_names(window) and "Café Owners Aarhus" in shown_names(window)
    assert len(shown_names(window)) == 9
    history = batches.list_batches()
    assert {b.kind for b in history} == {"facebook", "telegram"}
    assert all(b.file.startswith(str(archive)) for b in history)
    assert window.statusBar().currentMessage().startswith("Imported: 8 new, 1 updated.")
    assert window.undo_stack.undoText() == "Import my-data.zip"

    window.undo_stack.undo()
    assert shown_names(window) == ["Board Games Oost"]
    assert group_names() == ["Board Games Oost"]
    window.undo_stack.redo()
    assert len(shown_names(window)) == 9 and len(group_names()) == 9


def test_importing_the_same_export_again_changes_nothing(qtbot, make_window, driver, tmp_path: Path) -> None:
    window = make_window()
    flow = flow_for(window)
    archive = make_zip(tmp_path / "my-data.zip")
    driver.then(press_import)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        assert drop(window.table.viewport(), file_mime(archive))
    before = group_names()

    def nothing_new(dialog: ImportPreviewDialog) -> None:
        assert not dialog.import_button.isEnabled()
        assert "importing changes nothing" in dialog.summary_label.text()
        assert dialog.total_counts()["new"] == 0 and dialog.total_counts()["updated"] == 0
        dialog.reject()

    driver.then(nothing_new)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        assert drop(window, file_mime(archive))
    assert blocker.args[0] == []
    assert group_names() == before and len(batches.list_batches()) == 2


def test_a_spreadsheet_column_mapping_can_be_changed_in_the_preview(qtbot, make_window, driver) -> None:
    window = make_window()
    flow = flow_for(window)

    def remap(dialog: ImportPreviewDialog) -> None:
        assert dialog.format_label.text() == "Spreadsheet"
        assert dialog.mapping_box.isVisibleTo(dialog)
        combo = dialog.mapping_combos["Notes"]
        assert combo.currentData() == "notes"
        combo.setCurrentIndex(combo.findData("tags"))
        assert dialog.results[0].mapping["tags"] == "Notes"
        name = dialog.mapping_combos["Group"]
        name.setCurrentIndex(0)  # no name column and no link column: nothing can be imported
        link = dialog.mapping_combos["Link"]
        link.setCurrentIndex(0)
        assert not dialog.import_button.isEnabled()
        assert dialog.mapping_error_label.text().startswith("Choose a column for the name")
        name = dialog.mapping_combos["Group"]
        name.setCurrentIndex(name.findData("name"))
        assert dialog.import_button.isEnabled()
        press_import(dialog)

    driver.then(remap)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        assert drop(window.table.viewport(), file_mime(DATA / "generic" / "my_groups.csv"))
    gid = next(r.id for r in window.model.rows() if r.name == "Board Games Oost")
    values = repository.group_values(gid)
    assert values["tags"] == "Friday games" and values["notes"] is None


def test_links_dragged_from_a_browser_become_groups(qtbot, make_window, driver) -> None:
    window = make_window()
    flow = flow_for(window)
    mime = QMimeData()
    mime.setText("https://www.reddit.com/r/python\nnot a link\nhttps://t.me/nordicpython\n")
    assert items_from_mime(mime) == ["https://www.reddit.com/r/python", "https://t.me/nordicpython"]

    def check(dialog: ImportPreviewDialog) -> None:
        assert dialog.format_label.text() == "Web addresses"
        assert dialog.counts(0)["new"] == 2
        press_import(dialog)

    driver.then(check)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        assert drop(window.table.viewport(), mime)
    networks = sorted(r.network for r in window.model.rows())
    assert networks == ["reddit", "telegram"]


def test_things_that_are_not_files_or_links_are_not_accepted(make_window) -> None:
    window = make_window()
    flow_for(window)
    mime = QMimeData()
    mime.setText("just some words")
    assert not drop(window.table.viewport(), mime)
    assert not drop(window.table.viewport(), QMimeData())


# ------------------------------------------------------------------------------------------- bad input


def _truncated_zip(tmp: Path) -> Path:
    whole = make_zip(tmp / "whole.zip").read_bytes()
    path = tmp / "cut-short.zip"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def _broken_json(tmp: Path) -> Path:
    path = tmp / "your_groups.json"
    path.write_text('{"groups_admined_v2": [{"name": "A", ', encoding="utf-8")
    return path


def _binary(tmp: Path) -> Path:
    path = tmp / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8)
    return path


def _unsafe_zip(tmp: Path) -> Path:
    path = tmp / "sneaky.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/groups.csv", "name\nEvil\n")
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (_truncated_zip, "zip"),
        (_broken_json, "not valid JSON"),
        (_binary, "not valid UTF-8"),
        (_unsafe_zip, ".."),
    ],
)
def test_bad_input_gives_one_clear_message_naming_the_file_and_writes_nothing(
    qtbot, make_window, driver, tmp_path: Path, make, words: str
) -> None:
    add_group("Mine")
    window = make_window()
    flow = flow_for(window)
    path = make(tmp_path)
    messages = []

    def message(box: QMessageBox) -> None:
        assert isinstance(box, QMessageBox)
        assert box.textFormat() == Qt.TextFormat.PlainText
        messages.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()

    driver.then(message)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        assert drop(window.table.viewport(), file_mime(path))
    assert blocker.args[0] == []
    (text,) = messages
    assert path.name in text and words in text, text
    assert len(text.splitlines()) == 1
    assert group_names() == ["Mine"] and batches.list_batches() == []


def test_a_good_and_a_bad_file_together_import_the_good_one_and_name_the_bad_one(
    qtbot, make_window, driver, tmp_path: Path
) -> None:
    window = make_window()
    flow = flow_for(window)
    bad = _broken_json(tmp_path)

    def check(dialog: ImportPreviewDialog) -> None:
        assert dialog.problem_label.isVisibleTo(dialog)
        assert bad.name in dialog.problem_label.text() and "not valid JSON" in dialog.problem_label.text()
        assert len(dialog.results) == 1
        press_import(dialog)

    driver.then(check)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        assert drop(window.table.viewport(), file_mime(DATA / "generic" / "my_groups.csv", bad))
    assert len(group_names()) == 7


def test_a_crash_in_a_reader_is_a_message_not_a_crash_dialog(qtbot, make_window, driver) -> None:
    window = make_window()

    def broken(items, cancelled, progress):
        raise RuntimeError("bug")

    flow = flow_for(window, reader=broken)
    messages = []
    driver.then(lambda box: (messages.append(box.text()), box.accept()))
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        flow.import_items(["/somewhere/export.zip"])
    assert messages and "could not read /somewhere/export.zip" in messages[0]


# ------------------------------------------------------------------------------------------- progress


def test_reading_runs_off_the_gui_thread_with_progress_and_cancel(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    threads = []
    release = threading.Event()

    def slow(items, cancelled, progress):
        threads.append(threading.current_thread())
        progress(3, 10, "Reading big-export.zip:messages/index.json")
        while not cancelled():
            release.wait(0.01)
        raise ImportCancelled()

    flow = flow_for(window, reader=slow)
    assert flow.import_items([str(tmp_path / "big-export.zip")])
    qtbot.waitUntil(lambda: flow.progress_label.text() == "Reading big-export.zip:messages/index.json")
    assert flow.progress_bar.isVisible() and flow.progress_bar.value() == 3
    assert threads and threads[0] is not threading.main_thread()
    # The window still answers while the worker reads.
    qtbot.keyClicks(window.filter_edit, "abc")
    assert window.filter_edit.text() == "abc"
    assert not flow.import_items([str(tmp_path / "other.zip")])
    assert "running already" in window.statusBar().currentMessage()

    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        qtbot.mouseClick(flow.cancel_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0] == []
    assert not flow.running and not flow.cancel_button.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    assert batches.list_batches() == []


def test_closing_the_window_stops_the_reading(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window()
    stopped = threading.Event()

    def slow(items, cancelled, progress):
        while not cancelled():
            stopped.wait(0.01)
        stopped.set()
        raise ImportCancelled()

    flow = flow_for(window, reader=slow)
    flow.import_items([str(tmp_path / "x.zip")])
    window.close()
    assert stopped.is_set()


# ------------------------------------------------------------------------------------------- menu


def test_the_import_action_asks_for_files(qtbot, make_window, driver) -> None:
    window = make_window()
    flow = flow_for(window)
    texts = [a.text() for a in flow.actions()]
    assert texts == ["&Import…", "Import &folder…", "Import &history…"]
    assert flow.action_import.shortcut().toString() == "Ctrl+I"

    def choose(dialog: QFileDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(DATA / "generic" / "groups.txt"))
        dialog.accept()

    driver.then(choose).then(press_import)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        flow.action_import.trigger()
    assert len(blocker.args[0]) == 1 and len(group_names()) > 0


def test_the_folder_action_imports_an_unpacked_export(qtbot, make_window, driver) -> None:
    window = make_window()
    flow = flow_for(window)

    def choose(dialog: QFileDialog) -> None:
        dialog.selectFile(str(DATA / "discord" / "new_layout"))
        dialog.accept()

    def check(dialog: ImportPreviewDialog) -> None:
        assert dialog.format_label.text() == "Discord data package"
        press_import(dialog)

    driver.then(choose).then(check)
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT):
        flow.action_import_folder.trigger()
    assert {r.network for r in window.model.rows()} == {"discord"}


# ------------------------------------------------------------------------------------------- drag out


def test_rows_dragged_out_are_a_reimportable_csv_in_table_order(make_window, store) -> None:
    ids = [add_group(n, network="meetup", tags=f"t{n}") for n in ("Zeta", 'A <b>"quoted"</b>, name', "Mid")]
    make_window()
    mime = mime_data_for_rows([ids[2], ids[0], ids[1]])
    assert {"text/csv", "text/plain", ROWS_MIME} <= set(mime.formats())
    data = bytes(mime.data("text/csv"))
    assert mime.text() == data.decode("utf-8")
    records = native.read(data, "dragged.csv").records
    assert [r.name for r in records] == ["Mid", "Zeta", 'A <b>"quoted"</b>, name']
    assert records[0].tags == "tMid" and records[0].network == "meetup"
    (url,) = mime.urls()
    assert Path(url.toLocalFile()).read_bytes() == data
    assert items_from_mime(mime) == []  # dropping our own rows back imports nothing


def test_dropping_dragged_rows_back_on_the_window_is_refused(make_window, store) -> None:
    gid = add_group("Only")
    window = make_window()
    flow_for(window)
    assert not drop(window.table.viewport(), mime_data_for_rows([gid]))


def test_a_failed_write_is_one_message_and_nothing_is_written(
    qtbot, make_window, driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    flow = flow_for(window)
    original = batches.apply_import

    def locked(*args, **kwargs):
        original(*args, **kwargs)  # writes, then the disk gives up: the transaction rolls back
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(batches, "apply_import", locked)
    messages = []
    driver.then(press_import).then(lambda box: (messages.append(box.text()), box.accept()))
    with qtbot.waitSignal(flow.done, timeout=TIMEOUT) as blocker:
        assert drop(window.table.viewport(), file_mime(DATA / "generic" / "groups.txt"))
    assert blocker.args[0] == []
    assert messages == ["Nothing was imported: database or disk is full"]
    assert group_names() == [] and batches.list_batches() == [] and window.undo_stack.count() == 0
