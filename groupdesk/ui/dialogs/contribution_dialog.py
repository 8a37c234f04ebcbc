"""The dialog that logs one contribution of mine to a group: date, kind and a short note."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.vocab import CONTRIBUTION_KINDS


class ContributionDialog(QDialog):
    """Log a post, comment, answer, event or something organised; ``values()`` once accepted."""

    def __init__(
        self, parent: QWidget | None = None, group_name: str = "", *, today: date | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log contribution"))
        self.setModal(True)
        today = today or date.today()
        self.group_label = QLabel(group_name, self)
        self.group_label.setTextFormat(Qt.TextFormat.PlainText)
        self.group_label.setWordWrap(True)
        font = self.group_label.font()
        font.setBold(True)
        self.group_label.setFont(font)

        self.date_edit = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate(today.year, today.month, today.day))
        self.date_edit.setToolTip(self.tr("When you took part (not in the future)"))
        self.kind_combo = QComboBox(self)
        for kind, text in CONTRIBUTION_KINDS.items():
            self.kind_combo.addItem(text, kind)
        self.kind_combo.setToolTip(self.tr("What you did"))
        self.note_edit = QLineEdit(self)
        self.note_edit.setPlaceholderText(self.tr("optional, e.g. answered a question about packaging"))

        form = QFormLayout()
        form.addRow(self.tr("Group:"), self.group_label)
        form.addRow(self.tr("&Date:"), self.date_edit)
        form.addRow(self.tr("&Kind:"), self.kind_combo)
        form.addRow(self.tr("&Note:"), self.note_edit)
        for i in range(form.rowCount()):
            item = form.itemAt(i, QFormLayout.ItemRole.LabelRole)
            if item is not None and isinstance(item.widget(), QLabel):
                item.widget().setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())
        self.kind_combo.setFocus()

    @property
    def ok_button(self) -> QPushButton:
        """The OK button."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def values(self) -> tuple[date, str, str]:
        """(date, kind, note) as chosen."""
        q = self.date_edit.date()
        return (
            date(q.year(), q.month(), q.day()),
            self.kind_combo.currentData(),
            self.note_edit.text().strip(),
        )
