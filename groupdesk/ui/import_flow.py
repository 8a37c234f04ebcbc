"""Importing in the window: drop or choose exports, read them off the GUI thread, preview, apply, undo.

``ImportFlow(window)`` is all the main window needs: it makes the window and its table accept drops
(files, folders, .zip archives, and web addresses dragged from a browser), offers ``actions()`` for the
File menu ("Import…" Ctrl+I, "Import folder…", "Import history…"), and runs the flow:

1. a ``workers.BackgroundTask`` reads what was dropped with ``importers.read_sources`` — progress and
   Cancel in the status bar, the window stays responsive, nothing is written;
2. the preview dialog (``dialogs.import_preview``) shows per export what would happen; sources that
   could not be read are named there with the problem (when nothing could be read: one message box);
3. "Import" applies every export in one transaction on the GUI thread (``store.batches.apply_sources``)
   and pushes one ``ImportCommand`` on the window's undo stack, so Ctrl+Z takes the import back;
4. the history (``dialogs.import_history``) undoes any batch, which is undoable in turn.

Rows can also be dragged out of the table: ``mime_data_for_rows`` gives the table model's ``mimeData``
the groups as a GroupDesk CSV (``text/csv``, ``text/plain`` and a file for file managers).

The window is used only through ``groups_changed``, ``reload``, ``undo_stack``, ``statusBar()``,
``run_dialog`` and ``table``.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QMimeData, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence, QUndoCommand
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
    QWidget,
)

from groupdesk.errors import UserError
from groupdesk.importers import DEFAULT_LIMITS, Limits, is_url
from groupdesk.ui.status_progress import StatusProgress
from groupdesk.ui.workers import BackgroundTask

if TYPE_CHECKING:
    from groupdesk.importers import ImportResult
    from groupdesk.store.batches import BatchUndo

log = logging.getLogger(__name__)

#: Marks rows dragged out of GroupDesk's own table, so that dropping them back imports nothing.
ROWS_MIME = "application/x-groupdesk-rows"
#: Above this many changed groups the window reads every row again instead of just those.
RELOAD_ABOVE = 2000

#: Reads dropped items: (items, cancelled, progress) → one ImportResult per export found.
Reader = Callable[[Sequence[str], Callable[[], bool], Callable[[int, int, str], None]], "list[ImportResult]"]


# ---------------------------------------------------------------------------------------------- drops


def items_from_mime(mime: QMimeData) -> list[str]:
    """The paths and web addresses in dragged data (local files and folders, http(s) links, or text
    lines that are web addresses); empty for GroupDesk's own rows and for anything else."""
    if mime.hasFormat(ROWS_MIME):
        return []
    items: list[str] = []
    for url in mime.urls():
        if url.isLocalFile():
            path = url.toLocalFile()
            if path:
                items.append(path)
        elif url.scheme() in ("http", "https"):
            items.append(url.toString())
    if not items and mime.hasText():
        items = [line.strip() for line in mime.text().splitlines() if line.strip() and is_url(line.strip())]
    return list(dict.fromkeys(items))


def _read(
    items: Sequence[str],
    cancelled: Callable[[], bool],
    progress: Callable[[int, int, str], None],
    limits: Limits = DEFAULT_LIMITS,
) -> list[ImportResult]:
    """The default reader (runs on the worker thread): never raises for a bad source."""
    from groupdesk.importers import read_sources

    return read_sources(list(items), cancel=cancelled, progress=progress, limits=limits)


# ---------------------------------------------------------------------------------------------- drags out

_DRAG_DIR: Path | None = None


def _drag_dir() -> Path:
    """A private temporary folder for dragged CSV files, removed when the program ends."""
    global _DRAG_DIR
    if _DRAG_DIR is None or not _DRAG_DIR.is_dir():
        _DRAG_DIR = Path(tempfile.mkdtemp(prefix="groupdesk-drag-"))
        atexit.register(shutil.rmtree, _DRAG_DIR, True)
    return _DRAG_DIR


def mime_data_for_rows(rows: Iterable[Any]) -> QMimeData:
    """Groups dragged out of the table: a GroupDesk CSV (every field, re-importable), in the given order.

    ``rows`` are table rows (anything with an ``id``) or group ids. The data carries ``text/csv``
    (the CSV bytes, for spreadsheets), ``text/plain`` (the same text) and a ``groups.csv`` file URL
    for file managers, plus a private marker so that dropping them back on GroupDesk imports nothing.
    """
    from groupdesk.importers import native
    from groupdesk.store.batches import ready
    from groupdesk.store.merge import load_records

    ready()
    ids = [int(getattr(r, "id", r)) for r in rows]
    records = list(load_records(ids).values())
    data = native.write_csv(records, keep_order=True)
    mime = QMimeData()
    mime.setData("text/csv", QByteArray(data))
    mime.setText(data.decode("utf-8"))
    mime.setData(ROWS_MIME, QByteArray(",".join(map(str, ids)).encode("ascii")))
    try:
        folder = Path(tempfile.mkdtemp(prefix="rows-", dir=_drag_dir()))
        name = "GroupDesk group.csv" if len(records) == 1 else "GroupDesk groups.csv"
        path = folder / name
        path.write_bytes(data)
        mime.setUrls([QUrl.fromLocalFile(str(path))])
    except OSError:
        log.warning("Could not write the dragged groups to a temporary file", exc_info=True)
    return mime


# ---------------------------------------------------------------------------------------------- undo


def _short(path: str) -> str:
    """The last part of a path or web address, for short messages."""
    return path.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1] or path


def _refresh(window: Any, changed: Sequence[int] = (), removed: Sequence[int] = ()) -> None:
    if len(changed) + len(removed) > RELOAD_ABOVE:
        window.reload()
    else:
        window.groups_changed(changed=changed, removed=removed)


class ImportCommand(QUndoCommand):
    """An applied import (one or more batches): undo takes it back, redo brings it back.

    The import is applied before the command is pushed; the first ``redo`` only refreshes the window.
    """

    def __init__(self, window: Any, batch_ids: Sequence[int], text: str) -> None:
        super().__init__(text)
        self.window = window
        self.batch_ids = list(batch_ids)
        self.undos: list[BatchUndo] = []
        self._first = True

    def redo(self) -> None:
        """Show the import (the first time) or do it again."""
        from groupdesk.store import batches

        if self._first:
            self._first = False
            _refresh(self.window, changed=batches.batch_group_ids(self.batch_ids))
            return
        try:
            batches.redo_batches(self.undos)
        except batches.BatchError as exc:
            self._failed(str(exc))
            return
        changed = sorted({g for u in self.undos for g in (*u.deleted_group_ids, *u.changed_group_ids)})
        _refresh(self.window, changed=changed)

    def undo(self) -> None:
        """Take the import back, except what the user changed since."""
        from groupdesk.store import batches

        try:
            self.undos = batches.undo_batches(self.batch_ids)
        except batches.BatchError as exc:
            self._failed(str(exc))
            return
        removed = sorted({g for u in self.undos for g in u.deleted_group_ids})
        changed = sorted({g for u in self.undos for g in u.changed_group_ids})
        _refresh(self.window, changed=changed, removed=removed)
        kept = [u for u in self.undos if u.kept_groups or u.kept_fields]
        if kept:
            self.window.statusBar().showMessage(kept[0].summary(), 10000)

    def _failed(self, message: str) -> None:
        self.setObsolete(True)
        self.window.statusBar().showMessage(message, 10000)


class UndoImportCommand(QUndoCommand):
    """An import undone from the history: undo brings it back, redo takes it back again.

    The batch is undone before the command is pushed (``undo`` holds what that undo did).
    """

    def __init__(self, window: Any, undo: BatchUndo, text: str) -> None:
        super().__init__(text)
        self.window = window
        self.batch_undo = undo
        self._first = True

    def redo(self) -> None:
        """Show the undone import (the first time) or undo the batch again."""
        from groupdesk.store import batches

        if not self._first:
            try:
                self.batch_undo = batches.undo_batch(self.batch_undo.batch_id)
            except batches.BatchError as exc:
                self.setObsolete(True)
                self.window.statusBar().showMessage(str(exc), 10000)
                return
        self._first = False
        _refresh(
            self.window,
            changed=self.batch_undo.changed_group_ids,
            removed=self.batch_undo.deleted_group_ids,
        )

    def undo(self) -> None:
        """Bring the import back."""
        from groupdesk.store import batches

        try:
            batches.redo_batch(self.batch_undo)
        except batches.BatchError as exc:
            self.setObsolete(True)
            self.window.statusBar().showMessage(str(exc), 10000)
            return
        ids = sorted({*self.batch_undo.deleted_group_ids, *self.batch_undo.changed_group_ids})
        _refresh(self.window, changed=ids)


# ---------------------------------------------------------------------------------------------- the flow


class ImportFlow(QObject):
    """Drops, the import actions, reading with progress, the preview, applying and the history.

    Args:
        window: the main window (see the module docstring for what is used).
        reader: reads the dropped items on the worker thread (tests pass a slow or failing one).
        limits: the caps on what a dropped source may hold.
    """

    #: Emitted when reading has begun (the task is ``task``).
    reading = Signal()
    #: Emitted when an import ended: the ids of the batches written (empty: nothing was imported).
    done = Signal(list)

    def __init__(self, window: Any, *, reader: Reader | None = None, limits: Limits = DEFAULT_LIMITS) -> None:
        super().__init__(window)
        self.window = window
        self._reader = reader or (
            lambda items, cancelled, progress: _read(items, cancelled, progress, limits)
        )
        self.task: BackgroundTask | None = None
        self._items: list[str] = []

        self.action_import = QAction(self.tr("&Import…"), window)
        self.action_import.setShortcut(QKeySequence("Ctrl+I"))
        self.action_import.setToolTip(
            self.tr(
                "Import exports from Facebook, LinkedIn, Discord, Reddit, Telegram, spreadsheets… (Ctrl+I)"
            )
        )
        self.action_import.setStatusTip(self.action_import.toolTip())
        self.action_import.triggered.connect(lambda _checked=False: self.choose_files())
        self.action_import_folder = QAction(self.tr("Import &folder…"), window)
        self.action_import_folder.setToolTip(self.tr("Import an unpacked export folder"))
        self.action_import_folder.setStatusTip(self.action_import_folder.toolTip())
        self.action_import_folder.triggered.connect(lambda _checked=False: self.choose_folder())
        self.action_history = QAction(self.tr("Import &history…"), window)
        self.action_history.setToolTip(self.tr("See past imports and undo one"))
        self.action_history.setStatusTip(self.action_history.toolTip())
        self.action_history.triggered.connect(lambda _checked=False: self.open_history())
        for action in self.actions():
            window.addAction(action)

        self.progress = StatusProgress(
            window, self.cancel, self.tr("Stop reading; nothing is imported"), "import_progress_label"
        )
        self.progress_label = self.progress.label
        self.progress_bar = self.progress.bar
        self.cancel_button = self.progress.cancel_button

        self._targets: list[QWidget] = [window, window.table.viewport()]
        for target in self._targets:
            target.setAcceptDrops(True)
            target.installEventFilter(self)

    def actions(self) -> list[QAction]:
        """The File menu's import actions: Import…, Import folder…, Import history…."""
        return [self.action_import, self.action_import_folder, self.action_history]

    @property
    def running(self) -> bool:
        """Whether dropped items are being read."""
        return self.task is not None

    # ------------------------------------------------------------ drops

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Accept drags of files, folders and web addresses; import them on drop; stop reading on close."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and isinstance(
            event, QDragEnterEvent | QDropEvent
        ):
            if items_from_mime(event.mimeData()):
                event.setDropAction(Qt.DropAction.CopyAction)
                event.accept()
                return True
            return False
        if kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            items = items_from_mime(event.mimeData())
            if not items:
                return False
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            # Not inside the drop: the drag source is waiting for it to end.
            QTimer.singleShot(0, lambda: self.import_items(items))
            return True
        if kind == QEvent.Type.Close and watched is self.window:
            self.shutdown()
        return False

    # ------------------------------------------------------------ choosing

    def choose_files(self) -> bool:
        """Ask for export files (or .zip archives) and import them; False when none was chosen."""
        dialog = QFileDialog(self.window, self.tr("Import exports"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
        dialog.setNameFilters(
            [
                self.tr("Exports (*.zip *.json *.csv *.tsv *.txt *.html)"),
                self.tr("All files (*)"),
            ]
        )
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        return self._run_chooser(dialog)

    def choose_folder(self) -> bool:
        """Ask for an unpacked export folder and import it; False when none was chosen."""
        dialog = QFileDialog(self.window, self.tr("Import an export folder"))
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        return self._run_chooser(dialog)

    def _run_chooser(self, dialog: QFileDialog) -> bool:
        try:
            if not self.window.run_dialog(dialog):
                return False
            files = dialog.selectedFiles()
        finally:
            dialog.deleteLater()
        return bool(files) and self.import_items(files)

    # ------------------------------------------------------------ reading

    def import_items(self, items: Sequence[str]) -> bool:
        """Start importing paths and web addresses: read them off the GUI thread, then preview.

        Returns False (and says so in the status bar) when an import is already running.
        """
        items = [str(i) for i in items if str(i).strip()]
        if not items:
            return False
        if self.running:
            self.window.statusBar().showMessage(
                self.tr("An import is running already; wait for it or cancel it first."), 8000
            )
            return False
        self._items = items
        reader = self._reader
        task = BackgroundTask(lambda cancelled, progress: reader(items, cancelled, progress))
        task.progress.connect(self._on_progress)
        task.finished.connect(self._on_read)
        task.failed.connect(self._on_failed)
        task.cancelled.connect(self._on_cancelled)
        self.task = task
        self._show_progress(self._reading_text(items))
        self.reading.emit()
        return True

    def cancel(self) -> None:
        """Stop reading (nothing is imported)."""
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Stopping the import…"))

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Cancel any reading and wait for its thread (the window is closing)."""
        task = self.task
        if task is not None:
            task.cancel()
            task.wait(timeout_ms)

    def _reading_text(self, items: Sequence[str]) -> str:
        name = _short(items[0])
        if len(items) > 1:
            return self.tr("Reading %1 and %2 more…").replace("%1", name).replace("%2", str(len(items) - 1))
        return self.tr("Reading %1…").replace("%1", name)

    def _show_progress(self, text: str) -> None:
        self.progress.show(text)

    def _hide_progress(self) -> None:
        self.progress.hide()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        if message:
            self.progress_label.setText(message if len(message) <= 90 else "…" + message[-89:])

    def _finish_task(self) -> None:
        self.task = None
        self._hide_progress()

    def _on_cancelled(self) -> None:
        self._finish_task()
        self.window.statusBar().showMessage(self.tr("Import cancelled: nothing was imported."), 8000)
        self.done.emit([])

    def _on_failed(self, exc: object) -> None:
        self._finish_task()
        if isinstance(exc, UserError):
            message = str(exc)
        else:
            log.error(
                "Reading %s failed", self._items, exc_info=exc if isinstance(exc, BaseException) else None
            )
            message = self.tr(
                "GroupDesk could not read %1 (an internal error; the log has the details)."
            ).replace("%1", ", ".join(self._items))
        self._error(self.tr("Cannot import"), message)
        self.done.emit([])

    def _on_read(self, results: object) -> None:
        self._finish_task()
        self.done.emit(self.preview(list(results)))  # type: ignore[arg-type]

    # ------------------------------------------------------------ preview and apply

    def _error(self, title: str, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self.window
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        try:
            self.window.run_dialog(box)
        finally:
            box.deleteLater()

    def _explain(self, exc: BaseException) -> str:
        """An error in words: the message of a user's or the database's error; else see the log."""
        if isinstance(exc, UserError | sqlite3.Error):
            return str(exc)
        log.error("Import failed", exc_info=exc)
        return self.tr("an internal error (the log has the details)")

    def preview(self, results: Sequence[ImportResult]) -> list[int]:
        """Show what importing ``results`` would do; apply it if the user says Import. Returns the batches."""
        from groupdesk.ui.dialogs.import_preview import ImportPreviewDialog

        if not any(r.ok for r in results):
            problems = [ImportPreviewDialog.problem_text(r) for r in results]
            text = "\n".join(problems) if problems else self.tr("Nothing to import was found.")
            self._error(self.tr("Cannot import"), text)
            return []
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            dialog = ImportPreviewDialog(results, self.window)
        except Exception as exc:  # never a crash dialog: one clear message, nothing written
            QApplication.restoreOverrideCursor()
            self._error(self.tr("Cannot import"), self._explain(exc))
            return []
        QApplication.restoreOverrideCursor()
        try:
            if not self.window.run_dialog(dialog):
                self.window.statusBar().showMessage(self.tr("Import cancelled: nothing was imported."), 5000)
                return []
            dropped = list(dict.fromkeys(r.source for r in dialog.results))
            return self.apply(dialog.sources(), dialog.plans, dropped=dropped)
        finally:
            dialog.deleteLater()

    def apply(
        self, sources: Sequence[Any], plans: Sequence[Any] | None = None, *, dropped: Sequence[str] = ()
    ) -> list[int]:
        """Apply ``batches.Source`` objects in one transaction and push the undo command.

        ``dropped`` names what the user dropped or chose, for the undo menu (default: the sources).
        """
        from groupdesk.store import batches

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            ids = batches.apply_sources(sources, plans)
        except Exception as exc:  # the transaction rolled back: nothing was written
            QApplication.restoreOverrideCursor()
            self._error(
                self.tr("Cannot import"),
                self.tr("Nothing was imported: %1").replace("%1", self._explain(exc)),
            )
            return []
        QApplication.restoreOverrideCursor()
        if not ids:
            self.window.statusBar().showMessage(
                self.tr("Nothing new: everything is in GroupDesk already."), 8000
            )
            return []
        infos = {b.id: b for b in batches.list_batches() if b.id in ids}
        new = sum(infos[i].new_count for i in ids if i in infos)
        updated = sum(infos[i].updated_count for i in ids if i in infos)
        names = [_short(d) for d in (dropped or [s.file for s in sources])]
        first = names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"
        text = self.tr("Import %1").replace("%1", first)
        self.window.undo_stack.push(ImportCommand(self.window, ids, text))
        self.window.statusBar().showMessage(
            self.tr("Imported: %1 new, %2 updated. Ctrl+Z takes the import back.")
            .replace("%1", f"{new:,}")
            .replace("%2", f"{updated:,}"),
            10000,
        )
        return ids

    # ------------------------------------------------------------ history

    def open_history(self) -> None:
        """Show the import history (Undo there goes on the window's undo stack too)."""
        from groupdesk.ui.dialogs.import_history import ImportHistoryDialog

        dialog = ImportHistoryDialog(self.undo_batch, self.window)
        try:
            self.window.run_dialog(dialog)
        finally:
            dialog.deleteLater()

    def undo_batch(self, batch_id: int) -> str:
        """Undo one import batch (undoable with Ctrl+Z); return what happened in one sentence."""
        from groupdesk.store import batches

        info = batches.batch_info(batch_id)
        undo = batches.undo_batch(batch_id)
        if undo.done:
            name = _short(info.file)
            self.window.undo_stack.push(
                UndoImportCommand(self.window, undo, self.tr("Undo import of %1").replace("%1", name))
            )
        return undo.summary()
