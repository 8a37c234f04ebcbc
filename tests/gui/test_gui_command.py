"""``groupdesk gui --screenshot FILE`` as a real process: it paints the window, saves a PNG, exits."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from groupdesk.store.migrations import SCHEMA_VERSION

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_screenshot_of_the_window_with_groups(run_cli, data_dir: Path, tmp_path: Path):
    from groupdesk.app import open_store
    from groupdesk.store import repository
    from groupdesk.store.db import close_db

    open_store(data_dir)
    for i in range(25):
        repository.create_group({"name": f"Group {i}", "value_to_me": i % 6, "value_from_me": 3})
    close_db()
    shot = tmp_path / "shots" / "window.png"
    result = run_cli("gui", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes()[:8] == PNG_MAGIC
    image = QImage(str(shot))
    assert image.width() >= 800 and image.height() >= 500
    # A screenshot run leaves the remembered layout alone.
    assert not (data_dir / "window.ini").exists()


@pytest.mark.slow
def test_screenshot_of_the_empty_state(run_cli, tmp_path: Path):
    shot = tmp_path / "empty.png"
    result = run_cli("gui", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert QImage(str(shot)).width() > 0


@pytest.mark.slow
def test_a_database_from_the_future_is_refused(run_cli, data_dir: Path, tmp_path: Path):
    db = data_dir / "groupdesk.db"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    shot = tmp_path / "never.png"
    result = run_cli("gui", "--screenshot", str(shot))
    assert result.returncode == 2
    assert "groupdesk:" in result.stderr and "newer" in result.stderr.lower()
    assert not shot.exists()
