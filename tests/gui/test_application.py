"""Start-up pieces: the application's names and icon, the window settings file, the excepthook."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QSettings

from groupdesk import APP_NAME
from groupdesk.ui import application


def test_application_is_named_for_qsettings(qapp):
    app = application.make_application()
    assert app is qapp
    assert app.organizationName() == APP_NAME and app.applicationName() == APP_NAME


def test_window_settings_live_in_the_data_folder(tmp_path: Path):
    settings = application.window_settings(tmp_path)
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()) == tmp_path / application.SETTINGS_FILENAME


def test_excepthook_logs_uncaught_exceptions(caplog, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    application.install_excepthook(show_dialog=False)
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        kind, exc, tb = sys.exc_info()
    with caplog.at_level(logging.ERROR, logger="groupdesk"):
        sys.excepthook(kind, exc, tb)
    assert "Unexpected error" in caplog.text and "boom in a slot" in caplog.text
