"""Long work off the GUI thread: a function run on a ``QThread`` with progress, Cancel and a result by signal.

``BackgroundTask(func)`` starts ``func(cancelled, progress)`` on its own thread at once. ``func`` polls
``cancelled()`` (True once ``cancel()`` was called) and reports with ``progress(done, total, message)``
(``total`` 0 when unknown); what it returns comes back on the GUI thread as ``finished(result)``, an
exception as ``failed(exc)``, and a cancelled run as ``cancelled()`` (whatever it returned or raised
then). Exactly one of the three is emitted, once. Progress reaches the GUI thread at most
``PROGRESS_INTERVAL`` apart, plus the last report.

Workers never write the database: ``func`` reads files and computes; the GUI thread applies what it
returns. Nothing here imports the store.

A task keeps itself (and its thread) alive until its thread has ended, so a task whose owner went away
never destroys a running ``QThread``; ``wait_for_tasks`` joins them all (tests, closing the window).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

#: Seconds between two progress signals (the last report always gets through).
PROGRESS_INTERVAL = 0.05

CancelledFn = Callable[[], bool]
ProgressFn = Callable[[int, int, str], None]
TaskFn = Callable[[CancelledFn, ProgressFn], Any]

#: Tasks whose thread has not ended yet.
_RUNNING: set[BackgroundTask] = set()


class _Worker(QObject):
    """Runs the function on the worker thread and reports back by signal."""

    progress = Signal(int, int, str)
    done = Signal(str, object)  # outcome ("finished", "failed", "cancelled"), result or exception

    def __init__(self, func: TaskFn, cancel: threading.Event) -> None:
        super().__init__()
        self._func: TaskFn | None = func
        self._cancel = cancel
        self._last = 0.0
        self._pending: tuple[int, int, str] | None = None

    def _progress(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._pending = None
            self.progress.emit(int(done), int(total), str(message))
        else:
            self._pending = (int(done), int(total), str(message))

    @Slot()
    def run(self) -> None:
        """Call the function (on the worker thread), then hand the outcome to the GUI thread."""
        func, self._func = self._func, None
        try:
            assert func is not None
            result = func(self._cancel.is_set, self._progress)
        except Exception as exc:  # handed to the GUI thread, which decides what the user sees
            if not self._cancel.is_set():
                log.debug("Background task failed", exc_info=True)
            outcome, payload = "failed", exc
        else:
            outcome, payload = "finished", result
        if self._pending is not None and outcome == "finished":
            self.progress.emit(*self._pending)
        if self._cancel.is_set():
            outcome, payload = "cancelled", None
        self.done.emit(outcome, payload)
        # Give this object back to the GUI thread (where it was made) and end the thread.
        app = QCoreApplication.instance()
        if app is not None:
            self.moveToThread(app.thread())
        QThread.currentThread().quit()


class BackgroundTask(QObject):
    """Runs ``func(cancelled, progress)`` on a new thread; outcomes arrive on the GUI thread by signal.

    Args:
        func: the work; must not touch the database or any widget.
        parent: an owner for the signals' receivers (the task outlives it if its thread still runs).
    """

    progress = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()

    def __init__(self, func: TaskFn, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._cancel = threading.Event()
        self.outcome: str | None = None
        self._worker = _Worker(func, self._cancel)
        self._worker.progress.connect(self._on_progress)
        self._worker.done.connect(self._on_done)
        self.thread = QThread()
        self.thread.setObjectName("groupdesk-worker")
        self._worker.moveToThread(self.thread)
        self.thread.started.connect(self._worker.run)
        self.thread.finished.connect(self._thread_ended)
        _RUNNING.add(self)
        self.thread.start()

    @property
    def running(self) -> bool:
        """True until the outcome has been delivered."""
        return self.outcome is None

    def cancel(self) -> None:
        """Ask the function to stop; ``cancelled`` follows once it has."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """Whether ``cancel`` was called."""
        return self._cancel.is_set()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the thread has ended (the outcome signal still needs the event loop)."""
        return self.thread.wait(timeout_ms)

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, message: str) -> None:
        if self.outcome is None and not self._cancel.is_set():
            self.progress.emit(done, total, message)

    @Slot(str, object)
    def _on_done(self, outcome: str, payload: object) -> None:
        if self.outcome is not None:
            return
        self.outcome = outcome
        if outcome == "finished":
            self.finished.emit(payload)
        elif outcome == "failed":
            self.failed.emit(payload)
        else:
            self.cancelled.emit()

    @Slot()
    def _thread_ended(self) -> None:
        self.thread.wait()
        _RUNNING.discard(self)


def wait_for_tasks(timeout_ms: int = 30_000) -> bool:
    """Wait for the threads of every running task to end; False if one is still running."""
    ok = True
    for task in list(_RUNNING):
        ok = task.thread.wait(timeout_ms) and ok
    return ok


def running_tasks() -> int:
    """How many tasks still have a thread."""
    return len(_RUNNING)
