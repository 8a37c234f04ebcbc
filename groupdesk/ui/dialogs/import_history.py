"""The import history: every applied import with what it did, and Undo for a whole batch.

One row per batch, newest first: when, what was imported (the dropped file or folder), its format, how
many groups were new, updated, unchanged and skipped, how many of its new groups are still here, and
whether it was undone. "Undo import" takes the selected batch back (except what the user changed since,
see ``store.batches``) through the ``undo`` callback the import flow gives, which also puts it on the
window's undo stack; the result is said below the table in one sentence. The dialog writes nothing
itself. File names are untrusted: plain text only.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupdesk.store import batches
from groupdesk.store.batches import BatchInfo
from groupdesk.ui.dialogs.import_preview import format_name
from groupdesk.ui.text import plain_tooltip

#: Undoes one batch and returns the sentence saying what happened (raises ``batches.BatchError``).
UndoFn = Callable[[int], str]


class ImportHistoryDialog(QDialog):
    """Lists the import batches; "Undo import" undoes the selected one through ``undo``."""

    COLUMNS = ("when", "file", "format", "new", "updated", "unchanged", "skipped", "left", "state")

    def __init__(self, undo: UndoFn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import history"))
        self.setModal(True)
        self._undo = undo
        self.batches: list[BatchInfo] = []

        self.intro = QLabel(
            self.tr(
                "Each import you applied, newest first. Undo takes an import back as a whole: the groups "
                "it added and the facts it changed, except what you have edited since."
            ),
            self,
        )
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.intro.setWordWrap(True)

        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("import_history_table")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("When"),
                self.tr("What"),
                self.tr("Format"),
                self.tr("New"),
                self.tr("Updated"),
                self.tr("Unchanged"),
                self.tr("Skipped"),
                self.tr("Still here"),
                self.tr("State"),
            ]
        )
        self.table.horizontalHeaderItem(7).setToolTip(
            self.tr("How many of the groups it added are still here")
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3, 4, 5, 6, 7, 8):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.empty_label = QLabel(
            self.tr(
                "No imports yet. Drop an export (a file, folder or .zip) on the window, or use File → Import…"
            ),
            self,
        )
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.result_label = QLabel(self)
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.undo_button: QPushButton = self.buttons.addButton(
            self.tr("&Undo import"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.undo_button.setToolTip(
            self.tr("Take the selected import back (what you edited since stays); Ctrl+Z brings it back")
        )
        self.undo_button.clicked.connect(self.undo_selected)
        self.buttons.rejected.connect(self.reject)
        self.buttons.accepted.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label, 1)
        layout.addWidget(self.result_label)
        layout.addWidget(self.buttons)
        self.resize(920, 440)
        self.refresh()

    def refresh(self, select: int | None = None) -> None:
        """Read the history again; select batch ``select`` (or keep the selection)."""
        if select is None:
            select = self.selected_batch()
        self.batches = batches.list_batches()
        self.table.setRowCount(len(self.batches))
        for row, info in enumerate(self.batches):
            state = self.tr("Undone") if info.undone else self.tr("In effect")
            cells = (
                info.at.strftime("%Y-%m-%d %H:%M"),
                info.file,
                format_name(info.kind),
                f"{info.new_count:,}",
                f"{info.updated_count:,}",
                f"{info.unchanged_count:,}",
                f"{info.skipped_count:,}",
                f"{info.groups_left:,}",
                state,
            )
            dim = self.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if info.undone:
                    item.setForeground(dim)
                if 3 <= col <= 7:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if col == 1:
                    item.setToolTip(plain_tooltip(text))
                self.table.setItem(row, col, item)
        empty = not self.batches
        self.table.setVisible(not empty)
        self.empty_label.setVisible(empty)
        rows = [i for i, info in enumerate(self.batches) if info.id == select]
        if rows:
            self.table.selectRow(rows[0])
        elif self.batches:
            self.table.selectRow(0)
        self._update_buttons()

    def selected_batch(self) -> int | None:
        """The id of the selected batch, if any."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or not 0 <= rows[0].row() < len(self.batches):
            return None
        return self.batches[rows[0].row()].id

    def select_batch(self, batch_id: int) -> None:
        """Select the row of one batch."""
        for row, info in enumerate(self.batches):
            if info.id == batch_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        batch = self.selected_batch()
        info = next((b for b in self.batches if b.id == batch), None)
        self.undo_button.setEnabled(info is not None and not info.undone)

    def undo_selected(self) -> bool:
        """Undo the selected batch; say what happened below the table. False when nothing was undone."""
        batch = self.selected_batch()
        if batch is None:
            return False
        try:
            text = self._undo(batch)
        except batches.BatchError as exc:
            self.result_label.setText(str(exc))
            self.refresh(batch)
            return False
        self.result_label.setText(text)
        self.refresh(batch)
        return True
