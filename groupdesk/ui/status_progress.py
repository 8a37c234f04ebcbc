"""Progress of long work in the window's status bar: a label, a bar and a Cancel button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton


class StatusProgress:
    """The status-bar widgets of one kind of long work (import, mail sync, activity check).

    The widgets are added to the status bar when first shown and taken out again when hidden, so
    the bar's normal messages come back once the work is done.
    """

    def __init__(
        self, window: QMainWindow, cancel: Callable[[], object], cancel_tip: str, name: str = ""
    ) -> None:
        self.window = window
        self.label = QLabel(window)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # file and group names are untrusted
        if name:
            self.label.setObjectName(name)
        self.bar = QProgressBar(window)
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton(QCoreApplication.translate("StatusProgress", "Cancel"), window)
        self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.clicked.connect(lambda _checked=False: cancel())
        self.widgets = (self.label, self.bar, self.cancel_button)
        for widget in self.widgets:
            widget.hide()
        self.shown = False

    def show(self, text: str) -> None:
        """Show ``text`` with a busy bar and an enabled Cancel button."""
        status = self.window.statusBar()
        if not self.shown:
            status.clearMessage()
            status.addWidget(self.label, 1)
            status.addWidget(self.bar)
            status.addWidget(self.cancel_button)
            self.shown = True
        for widget in self.widgets:
            widget.show()
        self.cancel_button.setEnabled(True)
        self.bar.setRange(0, 0)
        self.label.setText(text)

    def stopping(self, text: str) -> None:
        """Cancel was pressed: say so until the work has stopped."""
        self.cancel_button.setEnabled(False)
        self.label.setText(text)

    def hide(self) -> None:
        """Take the widgets out of the status bar."""
        if self.shown:
            status = self.window.statusBar()
            for widget in self.widgets:
                status.removeWidget(widget)
                widget.hide()
            self.shown = False
