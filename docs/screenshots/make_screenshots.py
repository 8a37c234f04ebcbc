"""Take the README's screenshots from the real app on the demo data (no screen needed).

    python docs/screenshots/make_screenshots.py

Loads ``groupdesk demo`` into a temporary data folder, then saves into this folder:

* ``main-window.png``: the main window with one group selected (also copied to
  ``resources/screenshots/main-window.png``, the AppStream screenshot);
* ``join-wizard.png``: the join decision for a group someone invited you to, at its recommendation;
* ``clean-up-review.png``: the clean-up review, one membership at a time;
* ``plan.png``: the first page of ``groupdesk plan --pdf`` (``pdftoppm -r 70``, from poppler-utils).

The PNGs are reduced to 256 colours with ImageMagick when it is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))

MAIN_GROUP = "Founders Mastermind Circle"
JOIN_GROUP = "Amsterdam Startup Drinks"
WINDOW_SIZE = (1280, 800)  # 16:10, as software centres like it


def _groupdesk(data: Path, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-m", "groupdesk", "--data-dir", str(data), *args], check=True, env=env)


def _wait(ms: int) -> None:
    from PySide6.QtTest import QTest

    QTest.qWait(ms)


def _save(widget, name: str) -> Path:
    path = HERE / name
    if not widget.grab().save(str(path), "PNG"):
        raise SystemExit(f"cannot write {path}")
    return path


def _shrink(path: Path) -> None:
    """256 colours without dithering (ImageMagick): a third of the size, text as sharp."""
    convert = shutil.which("magick") or shutil.which("convert")
    if convert:
        small = path.with_suffix(".small.png")
        subprocess.run([convert, str(path), "+dither", "-colors", "256", f"PNG8:{small}"], check=True)
        if small.stat().st_size < path.stat().st_size:
            small.replace(path)
        else:
            small.unlink()
    print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB")


def _window_shots(data: Path) -> list[Path]:
    from groupdesk.app import open_store
    from groupdesk.ui.application import make_application, window_settings
    from groupdesk.ui.main_window import MainWindow

    app = make_application()
    open_store(data)
    window = MainWindow(window_settings(data))
    window.remember_state = False
    window.resize(*WINDOW_SIZE)
    window.show()
    _wait(600)  # the rest of the rows, the flows attached after the first paint
    ids = {window.model.row_at(i).name: window.model.row_at(i).id for i in range(window.model.rowCount())}
    window.select_ids([ids[MAIN_GROUP]])
    _wait(200)
    shots = [_save(window, "main-window.png")]

    def shoot(name: str, drive: Callable[[object], None]) -> Callable[[object], bool]:
        def run(dialog) -> bool:
            dialog.show()
            _wait(200)
            drive(dialog)
            _wait(200)
            shots.append(_save(dialog, name))
            dialog.reject()
            return False

        return run

    def join(wizard) -> None:
        wizard.next()  # who invited you: as the demo has it
        wizard.reasons_page.checks["only_peers"].setChecked(True)
        wizard.next()
        wizard.value_page.give.setCurrentIndex(wizard.value_page.give.findData(3))
        wizard.value_page.get.setCurrentIndex(wizard.value_page.get.findData(3))
        wizard.next()  # alive, spam: as GroupDesk knows
        wizard.next()  # cost: as the demo has it
        wizard.next()
        wizard.take_part_page.time.set_value(True)
        wizard.take_part_page.interest.set_value(True)
        wizard.take_part_page.commitment.setValue(2)
        wizard.next()

    window.run_dialog = shoot("join-wizard.png", lambda w: (w.resize(680, 340), join(w)))
    window.decisions.join_wizard(ids[JOIN_GROUP])
    window.run_dialog = shoot("clean-up-review.png", lambda d: d.resize(720, 400))
    window.decisions.review()
    window.close()
    app.processEvents()
    return shots


def main() -> int:
    """Make every screenshot; print each file and its size."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        _groupdesk(data, "demo")
        pdf = Path(tmp) / "plan.pdf"
        _groupdesk(data, "plan", "--pdf", str(pdf))
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "70",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(HERE / "plan"),
            ],
            check=True,
        )
        shots = [*_window_shots(data), HERE / "plan.png"]
    for shot in shots:
        _shrink(shot)
    target = REPO / "resources" / "screenshots" / "main-window.png"
    shutil.copyfile(HERE / "main-window.png", target)
    print(f"{target.relative_to(REPO)}: copied")
    return 0


if __name__ == "__main__":
    sys.exit(main())
