"""Help → About GroupDesk: version, licence with its full text, the data folder (shown literally,
selectable, opened through the injected opener), Qt/PySide6/Python versions, and the link to the rules."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtWidgets import QApplication

from groupdesk import __version__
from groupdesk.ui.dialogs import about
from groupdesk.ui.dialogs.about import AboutDialog

OFFSCREEN_RAISE = "This plugin does not support raise.*"  # the offscreen platform has no window stack


@pytest.fixture
def make_about(qtbot, tmp_path: Path):
    def _make(data_dir: Path | None = None, **kwargs) -> AboutDialog:
        dialog = AboutDialog(None, data_dir or tmp_path / "data", **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return _make


def test_it_names_the_version_licence_and_what_it_runs_on(make_about) -> None:
    dialog = make_about()
    assert dialog.windowTitle() == "About GroupDesk"
    assert dialog.title_label.text() == "GroupDesk"
    assert dialog.version_label.text() == f"Version {__version__}"
    assert "GPL-3.0-or-later" in dialog.licence_label.text()
    versions = dialog.versions_label.text()
    assert f"Qt {qVersion()}" in versions and f"PySide6 {PySide6.__version__}" in versions
    assert f"Python {platform.python_version()}" in versions
    assert not dialog.icon_label.pixmap().isNull()
    assert dialog.close_button.isDefault()


def test_the_data_folder_is_plain_selectable_text(make_about, tmp_path: Path) -> None:
    folder = tmp_path / "<b>not bold</b> & co"
    dialog = make_about(folder)
    label = dialog.data_dir_label
    assert label.text() == str(folder)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard


def test_open_data_folder_opens_it_in_the_file_manager(make_about, tmp_path: Path) -> None:
    opened: list[QUrl] = []
    dialog = make_about(open_url=lambda url: opened.append(url) or True)
    dialog.open_folder_button.click()
    assert len(opened) == 1
    assert opened[0].isLocalFile() and Path(opened[0].toLocalFile()) == tmp_path / "data"
    assert dialog.open_failed_label.isHidden()


def test_a_folder_that_cannot_be_opened_is_said_so(make_about) -> None:
    dialog = make_about(open_url=lambda url: False)
    dialog.open_folder_button.click()
    assert dialog.open_failed_label.isVisible()
    assert "copy the path" in dialog.open_failed_label.text()


@pytest.mark.qt_log_ignore(OFFSCREEN_RAISE)
def test_the_licence_text_can_be_read(make_about) -> None:
    dialog = make_about()
    dialog.licence_button.click()
    licence = dialog.licence_dialog
    assert licence is not None and licence.isVisible() and licence.found
    text = licence.view.toPlainText()
    assert text.lstrip().startswith("GNU GENERAL PUBLIC LICENSE") and "Version 3, 29 June 2007" in text
    assert licence.view.isReadOnly()
    dialog.licence_button.click()  # the same window again, not a second one
    assert dialog.licence_dialog is licence


@pytest.mark.qt_log_ignore(OFFSCREEN_RAISE)
def test_without_the_licence_file_it_says_where_to_read_it(make_about, monkeypatch) -> None:
    monkeypatch.setattr(about, "licence_text", lambda: None)
    dialog = make_about()
    licence = dialog.show_licence()
    assert not licence.found
    assert about.LICENCE_URL in licence.view.toPlainText()


def test_the_licence_file_of_a_bundle_comes_first_but_only_a_gpl_one(tmp_path: Path, monkeypatch) -> None:
    checkout = about.licence_text()
    assert checkout is not None  # this checkout's LICENSE
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    (bundle / "LICENSE").write_text("MIT License\n\nPermission is hereby granted…\n", encoding="utf-8")
    assert about.licence_text() == checkout
    gpl = "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, in the bundle\n"
    (bundle / "LICENSE").write_text(gpl, encoding="utf-8")
    assert about.licence_text() == gpl


def test_how_groupdesk_decides_is_one_click_away(make_about) -> None:
    calls = []
    dialog = make_about(show_how_decides=lambda: calls.append(1))
    assert dialog.how_decides_button is not None
    dialog.how_decides_button.click()
    assert calls == [1]
    assert make_about().how_decides_button is None  # nobody to show it: no button


def test_version_details_are_copied_for_a_bug_report(make_about, tmp_path: Path) -> None:
    dialog = make_about()
    dialog.copy_button.click()
    copied = QApplication.clipboard().text()
    assert copied == dialog.details_text()
    assert copied.startswith(f"GroupDesk {__version__}\n")
    assert f"Qt {qVersion()}" in copied and f"Data folder: {tmp_path / 'data'}" in copied
