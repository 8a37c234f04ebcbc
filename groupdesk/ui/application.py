"""Start the window: QApplication, error dialog for uncaught exceptions, the store, the main window.

``run_gui(data_dir, screenshot=FILE)`` is also how tests and the start-up benchmark take a picture
of the window: it waits until the table has been painted once, saves a PNG and exits.
Start-up is kept lean: only what the first paint needs is imported before the window shows.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from groupdesk import APP_ID, APP_NAME, __version__
from groupdesk.ui.events import FirstPaint

if TYPE_CHECKING:
    from groupdesk.ui.single_instance import SingleInstance

log = logging.getLogger("groupdesk")

#: Exit codes, as the command line uses them.
EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2
#: Window state (geometry, docks, columns) lives beside the data it shows.
SETTINGS_FILENAME = "window.ini"
#: How long ``--screenshot`` waits for the first paint before giving up.
SCREENSHOT_TIMEOUT_MS = 20_000


def window_settings(data_dir: Path) -> QSettings:
    """The QSettings file for the window's layout, kept in the data folder.

    Keeping it beside the database means ``--data-dir`` (and every test) gets its own layout and
    never touches another one.
    """
    return QSettings(str(data_dir / SETTINGS_FILENAME), QSettings.Format.IniFormat)


def _app_icon() -> QIcon | None:
    try:
        from groupdesk.resources import ICON_SIZES, ResourceNotFoundError, icon_png
    except ImportError:  # pragma: no cover - resources arrive with packaging
        return None
    icon = QIcon()
    try:
        for size in ICON_SIZES:
            icon.addFile(str(icon_png(size)), QSize(size, size))  # sized: no need to read the file now
    except (ResourceNotFoundError, OSError):
        return None
    return icon


def make_application(argv: list[str] | None = None) -> QApplication:
    """The process's QApplication, named for QSettings and with GroupDesk's icon."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setOrganizationDomain("groupdesk.github.io")
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    icon = _app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    return app  # type: ignore[return-value]


def install_excepthook(*, show_dialog: bool = True) -> None:
    """Log uncaught exceptions (e.g. in a slot) and show them in a dialog instead of dying silently."""
    busy = False

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        nonlocal busy
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("Unexpected error", exc_info=(kind, exc, tb))
        if not show_dialog or busy or QApplication.instance() is None:
            return
        busy = True
        try:
            from PySide6.QtWidgets import QMessageBox  # only when something went wrong

            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "")
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.setText(f"Something went wrong: {exc}\n\nThe details are in the log file.")
            box.setDetailedText("".join(traceback.format_exception(kind, exc, tb)))
            box.exec()
        finally:
            busy = False

    sys.excepthook = hook


def _fail(message: str, *, interactive: bool) -> int:
    print(f"groupdesk: {message}", file=sys.stderr)
    if interactive:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, "")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(message)
        box.exec()
    return EXIT_BAD_INPUT


def finish_store_after_paint(window: QWidget, on_error: Callable[[str], None]) -> FirstPaint:
    """Set Peewee up on a store opened with ``db.open_for_reading`` once ``window`` is painted.

    The first screen of rows comes through a plain sqlite3 connection, so the window shows without
    importing Peewee; on the event-loop turn after the first paint, Peewee is set up (before the
    window reads the rest of its rows). Anything that needs Peewee earlier sets it up itself (the
    repository's functions, and any import of the models: see ``db.open_for_reading``). A window
    closed by then (a ``--screenshot`` run) needs no more of the store. ``on_error`` gets the
    message when the store cannot be set up.
    """

    def finish() -> None:
        if not window.isVisible():
            return
        from groupdesk.store.db import finish_open

        try:
            finish_open()
        except Exception as exc:
            log.exception("Cannot open the data file")
            on_error(str(exc))

    return FirstPaint(window, finish)


def painted_image(window: QWidget) -> QImage | QPixmap:
    """The top-level ``window`` as it was last painted on screen.

    That is its backing store where it is an image (raster painting: every desktop platform),
    so a screenshot taken after the first paint does not draw the whole window a second time;
    otherwise, or when the store does not match the window's size, a fresh ``grab()``.
    """
    store = window.backingStore()
    image = store.paintDevice() if store is not None else None
    if isinstance(image, QImage) and not image.isNull():
        ratio = window.devicePixelRatioF()
        if image.size() == QSize(round(window.width() * ratio), round(window.height() * ratio)):
            return image
    return window.grab()


def _after_first_paint(window: QWidget, callback: Callable[[], object]) -> FirstPaint:
    """Call ``callback`` on the turn after ``window``'s first paint, unless the window is closed
    by then (a ``--screenshot`` run has taken its picture and is quitting: it needs no more)."""
    return FirstPaint(window, lambda: callback() if window.isVisible() else None)


def open_window_store(data_dir: Path) -> bool:
    """Open the store in ``data_dir``; True when Peewee waits (``finish_store_after_paint``).

    A file whose schema is current opens for reading at once (no Peewee import); a new, older or
    newer file goes through ``open_store`` (create, migrate, or refuse) before anything shows.
    """
    from groupdesk.app import db_path, open_store
    from groupdesk.store.db import open_for_reading

    if open_for_reading(db_path(data_dir)):
        return True
    open_store(data_dir)
    return False


def run_gui(data_dir: Path, screenshot: Path | None = None, files: Sequence[str | Path] | None = None) -> int:
    """Open the window on the store in ``data_dir``; with ``screenshot``, save a PNG once painted and exit.

    Returns the process exit code: 0, or 2 when the store cannot be opened (the message is shown
    in a dialog, and on stderr), or when the screenshot cannot be written.
    """
    app = make_application()
    instance = None
    if screenshot is None:  # a --screenshot run takes a picture; it is not the user's window
        from groupdesk.ui.single_instance import claim

        instance = claim(data_dir, [str(f) for f in files or []])
        if instance is None:
            return EXIT_OK  # the GroupDesk running on this data folder took the files
    return _run_window(app, data_dir, screenshot, files, instance)


def _run_window(
    app: QApplication,
    data_dir: Path,
    screenshot: Path | None,
    files: Sequence[str | Path] | None,
    instance: SingleInstance | None = None,
) -> int:
    from groupdesk.app import resume_gc
    from groupdesk.store.migrations import SchemaTooNewError

    interactive = screenshot is None
    install_excepthook(show_dialog=interactive)
    try:
        deferred = open_window_store(data_dir)
    except SchemaTooNewError as exc:
        return _fail(str(exc), interactive=interactive)
    except Exception as exc:
        log.exception("Cannot open the data folder %s", data_dir)
        return _fail(f"Cannot open the GroupDesk data in {data_dir}: {exc}", interactive=interactive)

    from groupdesk.ui.main_window import MainWindow

    window = MainWindow(window_settings(data_dir), data_dir=data_dir)
    if instance is not None:
        instance.attach(window)  # later launches raise it and import their files
    # Import and mail sync are attached right after the first paint (their modules are big);
    # files given on the command line (a double-clicked export) go to the import preview then.
    _after_first_paint(window, window.attach_flows)
    if files:
        log.info("Files given on the command line: %s", ", ".join(map(str, files)))
        items = [str(f) for f in files]
        _after_first_paint(window, lambda: window.import_flow.import_items(items))
    result = {"code": EXIT_OK}
    if deferred:

        def store_failed(message: str) -> None:
            result["code"] = _fail(
                f"Cannot open the GroupDesk data in {data_dir}: {message}", interactive=interactive
            )
            window.remember_state = False
            window.close()
            app.quit()

        finish_store_after_paint(window, store_failed)
    if screenshot is not None:
        screenshot = Path(screenshot)

        def shoot() -> None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not painted_image(window).save(str(screenshot), "PNG"):
                print(f"groupdesk: cannot write the screenshot {screenshot}", file=sys.stderr)
                result["code"] = EXIT_BAD_INPUT
            window.remember_state = False  # a screenshot run leaves the saved layout alone
            window.close()
            app.quit()

        def too_slow() -> None:
            print("groupdesk: the window was not painted in time; no screenshot", file=sys.stderr)
            result["code"] = EXIT_FAULT
            app.quit()

        # The window's first paint includes the table's: children are painted in the same pass.
        FirstPaint(window, shoot)
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, too_slow)
    resume_gc()  # start-up is done (see ``app.pause_gc``)
    window.show()
    app.exec()
    if screenshot is None:
        window.deleteLater()
    from groupdesk.store.db import close_db

    close_db()
    return result["code"]
