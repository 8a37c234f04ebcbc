"""Single instance with two real processes: ``groupdesk --data-dir D gui`` runs (offscreen); a second
``groupdesk --data-dir D gui FILE`` hands FILE over to it and exits 0 without opening a window.

Skipped until ``run_gui`` uses ``groupdesk.ui.single_instance`` (``claim`` before the window, ``attach``
after it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from groupdesk.ui.single_instance import instance_key

REPO = Path(__file__).resolve().parents[2]
SPREADSHEET = REPO / "tests" / "data" / "exports" / "generic" / "my_groups.csv"
APPLICATION = REPO / "groupdesk" / "ui" / "application.py"

pytestmark = pytest.mark.skipif(
    "single_instance" not in APPLICATION.read_text(encoding="utf-8"),
    reason="run_gui does not use groupdesk.ui.single_instance yet",
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("GROUPDESK_DATA_DIR", None)
    return env


def _log(data_dir: Path) -> str:
    path = data_dir / "groupdesk.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _wait_for(predicate, what: str, first: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert first.poll() is None, f"the first GroupDesk exited ({first.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_a_second_launch_hands_its_file_to_the_running_window(data_dir: Path, tmp_path: Path) -> None:
    from PySide6.QtNetwork import QLocalServer

    stderr = (tmp_path / "first.stderr").open("w")
    first = subprocess.Popen(
        [sys.executable, "-m", "groupdesk", "--data-dir", str(data_dir), "gui"],
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    try:
        _wait_for(lambda: "Single instance: listening" in _log(data_dir), "it listens", first)

        # The file is named relative to the second launch's folder: the first one gets its full path.
        start = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "groupdesk", "--data-dir", str(data_dir), "gui", SPREADSHEET.name],
            env=_env(),
            cwd=SPREADSHEET.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
        elapsed = time.monotonic() - start
        assert second.returncode == 0, second.stderr
        assert elapsed < 30
        _wait_for(
            lambda: f"Another launch handed over 1 file(s): {SPREADSHEET}" in _log(data_dir),
            "the file to arrive",
            first,
        )
        assert first.poll() is None  # the first one is still running, the second one is gone

        # A launch without files is handed over too (it only raises the window).
        third = subprocess.run(
            [sys.executable, "-m", "groupdesk", "--data-dir", str(data_dir)],
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert third.returncode == 0, third.stderr
        _wait_for(lambda: "Another launch handed over 0 file(s)" in _log(data_dir), "the third launch", first)
        assert _log(data_dir).count("Single instance: listening") == 1
    finally:
        first.terminate()
        first.wait(30)
        stderr.close()
        QLocalServer.removeServer(instance_key(data_dir))  # the socket a terminated process leaves
