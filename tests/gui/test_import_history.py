"""The import history dialog over a real store: the batches with their counts, Undo of one batch (only
what the user has not edited since), on the window's undo stack so that Ctrl+Z brings it back."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from groupdesk.domain.records import GroupRecord
from groupdesk.store import batches, repository
from groupdesk.store.batches import Source
from groupdesk.store.models import db
from groupdesk.ui.dialogs.import_history import ImportHistoryDialog
from groupdesk.ui.import_flow import ImportFlow
from tests.gui.conftest import add_group


def flow_for(window) -> ImportFlow:
    return getattr(window, "import_flow", None) or ImportFlow(window)


def names() -> list[str]:
    return sorted(r[0] for r in db.execute_sql('SELECT name FROM "group"').fetchall())


def shown(window) -> list[str]:
    return sorted(window.model.row_at(i).name for i in range(window.model.rowCount()))


def cells(dialog: ImportHistoryDialog, row: int) -> list[str]:
    return [dialog.table.item(row, c).text() for c in range(dialog.table.columnCount())]


@pytest.fixture
def two_imports(store):
    """A hand-typed group, then two imports: the older one changes that group and adds two."""
    typed = add_group("Chess Circle", network="facebook")
    db.execute_sql('UPDATE "group" SET user_fields = ? WHERE id = ?', ('["name","network"]', typed))
    first = batches.apply_sources(
        [
            Source(
                [
                    GroupRecord(name="Chess Circle", network="facebook", joined_on=date(2020, 1, 1)),
                    GroupRecord(name="Kayak <b>Club</b>", network="facebook"),
                    GroupRecord(name="Jazz Lovers", network="facebook"),
                ],
                "/home/ann/facebook-ann.zip",
                "facebook",
            )
        ]
    )
    second = batches.apply_sources(
        [Source([GroupRecord(name="r/python", network="reddit")], "subs.csv", "csv")]
    )
    return typed, first[0], second[0]


def test_history_lists_batches_and_undo_takes_one_back_then_ctrl_z_brings_it_back(
    qtbot, make_window, driver, two_imports
) -> None:
    typed, first, _second = two_imports
    window = make_window()
    flow = flow_for(window)
    jazz = next(r.id for r in window.model.rows() if r.name == "Jazz Lovers")
    repository.update_group(jazz, {"notes": "I go every week"})  # edited since: the undo keeps it
    seen = {}

    def use_history(dialog: ImportHistoryDialog) -> None:
        assert isinstance(dialog, ImportHistoryDialog)
        assert dialog.table.rowCount() == 2
        assert cells(dialog, 0)[1:] == ["subs.csv", "Spreadsheet", "1", "0", "0", "0", "1", "In effect"]
        assert cells(dialog, 1)[1:] == [
            "/home/ann/facebook-ann.zip",
            "Facebook export",
            "2",
            "1",
            "0",
            "0",
            "2",
            "In effect",
        ]
        dialog.select_batch(first)
        assert dialog.undo_button.isEnabled()
        qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
        seen["result"] = dialog.result_label.text()
        assert cells(dialog, 1)[-2:] == ["1", "Undone"]
        assert dialog.selected_batch() == first and not dialog.undo_button.isEnabled()
        dialog.reject()

    driver.then(use_history)
    flow.action_history.trigger()

    assert seen["result"] == "1 group removed, 1 field restored; kept 1 group changed since the import."
    assert names() == ["Chess Circle", "Jazz Lovers", "r/python"]
    assert shown(window) == names()
    assert repository.group_values(typed)["joined_on"] is None
    assert window.undo_stack.undoText() == "Undo import of facebook-ann.zip"

    window.undo_stack.undo()  # Ctrl+Z: the import is back
    assert names() == ["Chess Circle", "Jazz Lovers", "Kayak <b>Club</b>", "r/python"]
    assert shown(window) == names()
    assert repository.group_values(typed)["joined_on"] == date(2020, 1, 1)
    assert not batches.batch_info(first).undone
    window.undo_stack.redo()
    assert "Kayak <b>Club</b>" not in shown(window) and batches.batch_info(first).undone


def test_an_empty_history_says_so(qtbot, make_window, driver, store) -> None:
    window = make_window()
    flow = flow_for(window)

    def check(dialog: ImportHistoryDialog) -> None:
        assert dialog.empty_label.isVisibleTo(dialog) and not dialog.table.isVisibleTo(dialog)
        assert dialog.empty_label.textFormat() == Qt.TextFormat.PlainText
        assert not dialog.undo_button.isEnabled()
        assert not dialog.undo_selected()
        dialog.reject()

    driver.then(check)
    flow.open_history()


def test_an_undone_batch_cannot_be_undone_again(qtbot, make_window, driver, two_imports) -> None:
    _typed, first, second = two_imports
    batches.undo_batch(first)
    window = make_window()
    flow = flow_for(window)

    def check(dialog: ImportHistoryDialog) -> None:
        dialog.select_batch(first)
        assert cells(dialog, 1)[-1] == "Undone"
        assert not dialog.undo_button.isEnabled()
        dialog.select_batch(second)
        assert dialog.undo_button.isEnabled()
        dialog.reject()

    driver.then(check)
    flow.open_history()
    assert window.undo_stack.count() == 0


def test_file_names_are_plain_text(qtbot, make_window, driver, store) -> None:
    batches.apply_sources([Source([GroupRecord(name="A")], "<b>bold</b>.csv", "csv")])
    window = make_window()

    def check(dialog: ImportHistoryDialog) -> None:
        item = dialog.table.item(0, 1)
        assert item.text() == "<b>bold</b>.csv"
        assert "&lt;b&gt;" in item.toolTip()
        dialog.reject()

    driver.then(check)
    flow_for(window).open_history()
