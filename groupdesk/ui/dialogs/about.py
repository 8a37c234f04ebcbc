"""Help → About GroupDesk: version, licence (with its full text), the data folder, and the versions of
Qt, PySide6 and Python (copyable for a bug report).

``AboutDialog(parent, data_dir, open_url=..., show_how_decides=...)``. Opening the data folder goes
through ``open_url`` (``QDesktopServices.openUrl`` by default) so that tests need no file manager.
"""

from __future__ import annotations

import platform
import sys
from collections.abc import Callable
from pathlib import Path

import PySide6
from PySide6.QtCore import QSize, QSysInfo, Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QFont, QFontDatabase, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groupdesk import APP_NAME, __version__

#: The licence, as an SPDX expression.
LICENCE_SPDX = "GPL-3.0-or-later"
#: Where the licence text is when it did not come with this installation.
LICENCE_URL = "https://www.gnu.org/licenses/gpl-3.0.html"
_ICON_PX = 64


def _is_gpl3(text: str) -> bool:
    head = text.lstrip()[:200]
    return head.startswith("GNU GENERAL PUBLIC LICENSE") and "Version 3" in head


def licence_text() -> str | None:
    """The full GNU GPL v3 text shipped with this GroupDesk, or None when it cannot be found.

    Looked for in a bundle's folder, in the source checkout, then among the installed package's
    files (a wheel carries it in its ``.dist-info``). Only a GPL v3 text is accepted: a neighbouring
    ``LICENSE`` of another project is not ours.
    """
    candidates: list[Path] = []
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        candidates.append(Path(meipass) / "LICENSE")
    candidates.append(Path(__file__).resolve().parents[3] / "LICENSE")
    for path in candidates:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if _is_gpl3(text):
            return text
    try:
        from importlib.metadata import PackageNotFoundError, distribution

        files = distribution("groupdesk").files or []
    except (PackageNotFoundError, OSError):
        return None
    for file in files:
        if file.name.upper() in ("LICENSE", "LICENSE.TXT", "COPYING"):
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if _is_gpl3(text):
                return text
    return None


def version_lines() -> list[str]:
    """GroupDesk's version and what it runs on, one fact a line (not translated: for bug reports)."""
    return [
        f"{APP_NAME} {__version__}",
        f"Qt {qVersion()}, PySide6 {PySide6.__version__}, Python {platform.python_version()}",
        f"{QSysInfo.prettyProductName()} ({QSysInfo.currentCpuArchitecture()})",
    ]


def _app_icon() -> QIcon:
    try:
        from groupdesk.resources import ResourceNotFoundError, icon_pngs
    except ImportError:  # pragma: no cover - resources always ship with the package
        return QIcon()
    icon = QIcon()
    try:
        for size, path in icon_pngs().items():
            icon.addFile(str(path), QSize(size, size))
    except (ResourceNotFoundError, OSError):
        return QIcon()
    return icon


class LicenceDialog(QDialog):
    """The GNU GPL's full text (or where to read it when this installation lacks it)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("GroupDesk licence"))
        layout = QVBoxLayout(self)
        self.view = QPlainTextEdit(self)
        self.view.setReadOnly(True)
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        text = licence_text()
        self.found = text is not None
        if text is None:
            text = self.tr(
                "The licence text did not come with this installation of GroupDesk. It is the GNU "
                "General Public License, version 3 or later; read it at %1"
            ).replace("%1", LICENCE_URL)
        self.view.setPlainText(text)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        width = self.view.fontMetrics().horizontalAdvance("x" * 82)
        self.resize(width + 60, 560)


class AboutDialog(QDialog):
    """The About box.

    Args:
        parent: the main window.
        data_dir: the data folder this GroupDesk works on.
        open_url: opens a URL in the desktop's handler (a file manager for a folder); returns
            whether it could.
        show_how_decides: opens Help → How GroupDesk decides; without it there is no such button.
    """

    def __init__(
        self,
        parent: QWidget | None,
        data_dir: Path,
        *,
        open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl,
        show_how_decides: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self._open_url = open_url
        self.setWindowTitle(self.tr("About GroupDesk"))
        self.setObjectName("about_dialog")
        layout = QVBoxLayout(self)

        head = QHBoxLayout()
        self.icon_label = QLabel(self)
        icon = _app_icon()
        if icon.isNull():
            self.icon_label.hide()
        else:
            self.icon_label.setPixmap(icon.pixmap(_ICON_PX, _ICON_PX))
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.icon_label)
        title_box = QVBoxLayout()
        title_box.setSpacing(4)
        self.title_label = self._label(APP_NAME)
        font = QFont(self.title_label.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title_label.setFont(font)
        title_box.addWidget(self.title_label)
        self.version_label = self._label(self.tr("Version %1").replace("%1", __version__))
        title_box.addWidget(self.version_label)
        self.tagline_label = self._label(
            self.tr(
                "Take charge of the groups you belong to: keep what gives value both ways, "
                "take part where you stay, and leave the rest."
            )
        )
        self.tagline_label.setWordWrap(True)
        title_box.addWidget(self.tagline_label)
        head.addLayout(title_box, 1)
        layout.addLayout(head)
        layout.addSpacing(8)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.licence_label = self._label(
            self.tr(
                "GroupDesk is free software: you can share and change it under the GNU General Public "
                "License, version 3 or later (%1). It comes with no warranty."
            ).replace("%1", LICENCE_SPDX)
        )
        self.licence_label.setWordWrap(True)
        self.licence_button = QPushButton(self.tr("Show the licence"), self)
        self.licence_button.clicked.connect(self.show_licence)
        self.licence_dialog: LicenceDialog | None = None
        licence_box = QVBoxLayout()
        licence_box.addWidget(self.licence_label)
        licence_box.addWidget(self.licence_button, 0, Qt.AlignmentFlag.AlignLeft)
        form.addRow(self.tr("Licence:"), licence_box)

        self.data_dir_label = self._label(str(self.data_dir))
        self.data_dir_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.data_dir_label.setToolTip(self.tr("Your groups, the log file and backups live in this folder."))
        self.open_folder_button = QPushButton(self.tr("Open data folder"), self)
        self.open_folder_button.clicked.connect(self.open_data_folder)
        self.open_failed_label = self._label("")
        self.open_failed_label.setWordWrap(True)
        self.open_failed_label.hide()
        folder_box = QVBoxLayout()
        folder_box.addWidget(self.data_dir_label)
        folder_box.addWidget(self.open_folder_button, 0, Qt.AlignmentFlag.AlignLeft)
        folder_box.addWidget(self.open_failed_label)
        form.addRow(self.tr("Data folder:"), folder_box)

        lines = version_lines()
        self.versions_label = self._label("\n".join(lines[1:]))
        self.versions_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Runs on:"), self.versions_label)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.how_decides_button: QPushButton | None = None
        if show_how_decides is not None:
            self.how_decides_button = QPushButton(self.tr("How GroupDesk decides"), self)
            self.how_decides_button.setToolTip(self.tr("Every rule behind GroupDesk's recommendations"))
            self.how_decides_button.clicked.connect(lambda: show_how_decides())
            buttons.addWidget(self.how_decides_button)
        self.copy_button = QPushButton(self.tr("Copy version details"), self)
        self.copy_button.setToolTip(self.tr("For a bug report: versions, system and data folder"))
        self.copy_button.clicked.connect(self.copy_details)
        buttons.addWidget(self.copy_button)
        buttons.addStretch(1)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.clicked.connect(self.reject)
        buttons.addWidget(self.close_button)
        layout.addStretch(1)  # any room to spare goes above the buttons
        layout.addSpacing(6)
        layout.addLayout(buttons)
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.setMinimumWidth(560)

    def _label(self, text: str) -> QLabel:
        label = QLabel(self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(text)
        return label

    def open_data_folder(self) -> bool:
        """Open the data folder in the desktop's file manager; say so in the dialog when it cannot."""
        opened = bool(self._open_url(QUrl.fromLocalFile(str(self.data_dir))))
        if not opened:
            self.open_failed_label.setText(
                self.tr("It could not be opened here: copy the path above into your file manager.")
            )
        if self.open_failed_label.isVisible() == opened:
            self.open_failed_label.setVisible(not opened)
            self.adjustSize()  # make room for the message, or take it back
        return opened

    def show_licence(self) -> LicenceDialog:
        """Open the licence's full text in a window of its own (beside this one, not blocking it)."""
        if self.licence_dialog is None:
            self.licence_dialog = LicenceDialog(self)
        self.licence_dialog.show()
        self.licence_dialog.raise_()
        return self.licence_dialog

    def details_text(self) -> str:
        """What Copy version details puts on the clipboard."""
        return "\n".join([*version_lines(), f"Data folder: {self.data_dir}"]) + "\n"

    def copy_details(self) -> None:
        """Put the versions, the system and the data folder on the clipboard."""
        QGuiApplication.clipboard().setText(self.details_text())
        self.copy_button.setText(self.tr("Copied"))
