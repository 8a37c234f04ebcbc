"""Fixtures for the window tests: a temporary QSettings file, a window over the real store, and a
dialog driver that stands in for ``exec()`` so that no test ever blocks on a modal dialog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

TODAY = date(2025, 6, 1)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    """Window settings in a temporary INI file (never the user's real settings)."""
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


class DialogDriver:
    """Runs the window's modal dialogs: each queued step gets the dialog, drives it, and the
    driver reports whether it ended accepted. Unexpected dialogs fail the test."""

    def __init__(self) -> None:
        self.steps: list[Callable[[QDialog], Any]] = []
        self.seen: list[QDialog] = []

    def then(self, step: Callable[[QDialog], Any]) -> DialogDriver:
        """Queue ``step`` for the next dialog."""
        self.steps.append(step)
        return self

    def __call__(self, dialog: QDialog) -> bool:
        self.seen.append(dialog)
        assert self.steps, f"unexpected dialog: {dialog.windowTitle()!r}"
        step = self.steps.pop(0)
        dialog.show()
        step(dialog)
        accepted = dialog.result() == QDialog.DialogCode.Accepted
        dialog.hide()
        return accepted


@pytest.fixture
def driver() -> DialogDriver:
    """The dialog driver of one test; every queued step must be used."""
    d = DialogDriver()
    yield d
    assert not d.steps, "queued dialog steps were not used"


@pytest.fixture
def make_window(qtbot, store, settings, driver):
    """Build a MainWindow over the test's store (scores computed for ``TODAY``)."""
    from groupdesk.ui.main_window import MainWindow

    def _make(**kwargs: Any) -> MainWindow:
        kwargs.setdefault("today", TODAY)
        kwargs.setdefault("run_dialog", driver)
        window = MainWindow(kwargs.pop("settings", settings), **kwargs)
        window.remember_state = False
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        return window

    return _make


def add_group(name: str, **values: Any) -> int:
    """Create a group in the store directly."""
    from groupdesk.store import repository

    return repository.create_group({"name": name, **values})
