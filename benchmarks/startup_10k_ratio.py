"""``startup_10k_ratio``: GroupDesk's window with 10,000 groups vs a bare PySide6 window, whole processes.

GroupDesk: ``python -m groupdesk --data-dir D gui --screenshot F`` on a data folder holding 10,000
groups (built once with ``init_db`` and raw inserts), which opens the window, waits until the table
is painted, saves a PNG and exits. Bare: a script that imports PySide6, shows a QMainWindow with a
QTableView and saves a ``grab()`` PNG. Both offscreen, from process start to exit, one warm-up run
each (which also caches bytecode, as installing does), then 15 runs each interleaved; the ratio is
of the medians. Goal (issue 2): at most 1.5.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._common import REPO, build_database, note

COUNT = 10_000
REPEAT = 15

BARE_SCRIPT = """\
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(1280, 760)  # the size GroupDesk opens at
window.show()


def shoot():
    window.grab().save(sys.argv[1], "PNG")
    app.quit()


QTimer.singleShot(0, shoot)
sys.exit(app.exec())
"""


def _timed(cmd: list[str], env: dict[str, str], shot: Path) -> float:
    shot.unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or not shot.exists() or shot.stat().st_size == 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode} without a screenshot:\n{proc.stderr[-2000:]}"
        )
    return elapsed


def run() -> float:
    """Median GroupDesk start-up time divided by median bare-window start-up time."""
    with tempfile.TemporaryDirectory(prefix="groupdesk-bench-") as tmp:
        root = Path(tmp)
        data = root / "data"
        build_database(data, COUNT)
        bare = root / "bare.py"
        bare.write_text(BARE_SCRIPT, encoding="utf-8")
        config = root / "config"
        config.mkdir()
        env = dict(os.environ)
        env["QT_QPA_PLATFORM"] = "offscreen"
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        env["XDG_CONFIG_HOME"] = str(config)  # remembered window state stays in the temp folder
        env.pop("GROUPDESK_DATA_DIR", None)
        # Both programs run with their bytecode cached, as an installed GroupDesk has it (pip
        # byte-compiles on install): the warm-up runs write the caches. A PYTHONDONTWRITEBYTECODE
        # left in the environment would make every timed run compile GroupDesk's sources again.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        app_shot, bare_shot = root / "app.png", root / "bare.png"
        app_cmd = [
            sys.executable,
            "-m",
            "groupdesk",
            "--data-dir",
            str(data),
            "gui",
            "--screenshot",
            str(app_shot),
        ]
        bare_cmd = [sys.executable, str(bare), str(bare_shot)]

        _timed(app_cmd, env, app_shot)  # warm-up: disk cache, .pyc files, first-run settings
        _timed(bare_cmd, env, bare_shot)
        app_times, bare_times = [], []
        for _ in range(REPEAT):
            app_times.append(_timed(app_cmd, env, app_shot))
            bare_times.append(_timed(bare_cmd, env, bare_shot))
    app_t, bare_t = statistics.median(app_times), statistics.median(bare_times)
    note(
        f"start-up, {COUNT} groups: GroupDesk {app_t:.3f} s, bare window {bare_t:.3f} s (medians of {REPEAT})"
    )
    return app_t / bare_t
