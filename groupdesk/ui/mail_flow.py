"""The window's mail actions: Sync mail (F5), Mail accounts…, Discovered lists…, and the sync worker.

A sync reads the accounts and their folder state on the GUI thread, then a worker on a ``QThread``
gets each password from the keyring and fetches the new headers (``mail.imap.fetch_new``),
classifying them on the side as they arrive (``mail_store.ClassifyAhead``); it never touches the
database. Each account's batch comes back by signal and the GUI thread stores it
with ``store.mail_store.apply_sync`` (messages and folder state in one transaction). Progress and a
Cancel button sit in the status bar; a failure is one clear sentence per account. Optionally the
sync runs every N minutes while the window is open (``mail/auto_sync_minutes`` in the settings).

Nothing here ever holds the password longer than the worker's fetch, and it never crosses a
signal. ``BackgroundCall`` runs any other slow call (keyring, connection test) off the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupdesk.ui.status_progress import StatusProgress

if TYPE_CHECKING:
    from groupdesk.mail.imap import MailAccountConfig, SyncBatch
    from groupdesk.store.mail_store import DiscoveredList, SyncSummary
    from groupdesk.ui.main_window import MainWindow

SETTINGS_AUTO_SYNC = "mail/auto_sync_minutes"
MAX_AUTO_SYNC_MINUTES = 24 * 60

# ---------------------------------------------------------------------------------------------- threads


class _Job(QObject):
    """A worker object on its own ``QThread``; kept in ``_RUNNING`` until the thread has ended.

    The worker hands itself back to the GUI thread when its ``run`` ends (``_return_home``), so that
    it is deleted where it was made and no ``QThread`` is ever destroyed while it runs.
    """

    def __init__(self, worker: QObject, run: Callable[[], None]) -> None:
        super().__init__()
        self.thread = QThread()
        self.worker = worker
        worker.moveToThread(self.thread)
        self.thread.started.connect(run)
        self.thread.finished.connect(self._finished)
        _RUNNING.add(self)
        self.thread.start()

    @Slot()
    def _finished(self) -> None:
        self.thread.wait()
        _RUNNING.discard(self)


#: Background jobs still running (Qt aborts when a running QThread is destroyed).
_RUNNING: set[_Job] = set()


def _return_home(worker: QObject) -> None:
    """Called last on the worker thread: give the worker back to the GUI thread and end the thread."""
    app = QCoreApplication.instance()
    if app is not None:
        worker.moveToThread(app.thread())
    QThread.currentThread().quit()


def wait_for_threads(timeout_ms: int = 30_000) -> bool:
    """Wait for every background thread started here to end; False if one is still running."""
    ok = True
    for job in list(_RUNNING):
        ok = job.thread.wait(timeout_ms) and ok
    return ok


class _CallWorker(QObject):
    finished = Signal(object, object)

    def __init__(self, func: Callable[[], Any]) -> None:
        super().__init__()
        self._func = func

    @Slot()
    def run(self) -> None:
        try:
            result, error = self._func(), None
        except Exception as exc:  # handed to the GUI thread
            result, error = None, exc
        self._func = None  # drop what the call held (a password, say) as soon as it is done
        self.finished.emit(result, error)
        _return_home(self)


class BackgroundCall(QObject):
    """Runs ``func()`` on its own thread; ``done(result, error)`` arrives on the GUI thread.

    Used for everything that may block: keyring calls (D-Bus may hang), connection tests.
    """

    done = Signal(object, object)

    def __init__(self, func: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.finished = False
        self._worker = _CallWorker(func)
        self._worker.finished.connect(self._on_finished)
        self._job = _Job(self._worker, self._worker.run)
        self.thread = self._job.thread

    @Slot(object, object)
    def _on_finished(self, result: object, error: object) -> None:
        self.finished = True
        self.done.emit(result, error)

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until the call has ended (tests, shutting down)."""
        return self.finished or self.thread.wait(timeout_ms)


# ---------------------------------------------------------------------------------------------- sync worker


@dataclass(frozen=True)
class SyncJob:
    """One account to sync: where to connect and where its last sync stopped (no password)."""

    name: str
    config: MailAccountConfig
    state: dict[str, tuple[int, int]]


class SyncWorker(QObject):
    """Fetches each account's new headers on a worker thread; never writes the database."""

    progress = Signal(str, str, int, int)  # account, folder, done, total
    fetched = Signal(str, object)  # account, (SyncBatch, {(folder, uid): Classification})
    failed = Signal(str, str, str)  # account, title, message
    done = Signal()

    def __init__(
        self, jobs: Sequence[SyncJob], secrets: Any, cancel: threading.Event, classifier: Any
    ) -> None:
        super().__init__()
        self.jobs = list(jobs)
        self.secrets = secrets
        self.cancel = cancel
        self.classifier = classifier  # pure: classifying on the worker's threads touches no database

    @Slot()
    def run(self) -> None:
        """Fetch every job in turn (called on the worker thread)."""
        from groupdesk.mail.imap import fetch_new
        from groupdesk.mail.secrets import SecretStoreUnavailable
        from groupdesk.store.mail_store import ClassifyAhead

        try:
            for job in self.jobs:
                if self.cancel.is_set():
                    break
                try:
                    password = self.secrets.get_password(job.name)
                except SecretStoreUnavailable as exc:
                    self.failed.emit(job.name, "Keyring", exc.message)
                    continue
                if not password:
                    self.failed.emit(
                        job.name,
                        "No password",
                        "No password is stored in the system keyring for this account. "
                        "Open Mail accounts and enter it.",
                    )
                    continue

                def report(folder: str, done: int, total: int, name: str = job.name) -> None:
                    self.progress.emit(name, folder, done, total)

                ahead = ClassifyAhead(self.classifier)
                try:
                    batch = fetch_new(job.config, password, job.state, self.cancel, report, on_messages=ahead)
                finally:
                    classified = ahead.finish()
                del password
                self.fetched.emit(job.name, (batch, classified))
        finally:
            self.done.emit()
            _return_home(self)


# ------------------------------------------------------------------------------------ discovered lists


class DiscoveredListsDialog(QDialog):
    """Offers the lists found in the mail that have no group: add the ticked ones, or ignore them."""

    ADD, IGNORE = "add", "ignore"

    def __init__(self, items: Sequence[DiscoveredList], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items = list(items)
        self.action = ""
        self.setWindowTitle(self.tr("Discovered lists"))
        self.setObjectName("discovered_lists_dialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Your mail shows you are on these lists, but GroupDesk has no group for them. "
                "Tick the ones to add as groups (you can then decide to keep, mute or leave them), "
                "or tick lists you never want offered again and choose Ignore."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        self.table = QTableWidget(len(self.items), 4, self)
        self.table.setHorizontalHeaderLabels(
            [self.tr("List"), self.tr("Address"), self.tr("E-mails a week"), self.tr("Last mail")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        for row, item in enumerate(self.items):
            name = QTableWidgetItem(item.name)
            name.setFlags(name.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Unchecked)
            name.setToolTip("\n".join(item.unsubscribe))
            cells = [
                name,
                QTableWidgetItem(
                    item.list_id
                    if ":" not in item.list_id
                    else self.tr("%1 mail").replace("%1", item.platform or item.network)
                ),
                QTableWidgetItem("" if item.emails_per_week is None else f"{item.emails_per_week:g}"),
                QTableWidgetItem(item.last_seen.isoformat() if item.last_seen else ""),
            ]
            cells[2].setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table)
        self.buttons = QDialogButtonBox(self)
        self.add_button = self.buttons.addButton(
            self.tr("Add ticked as groups"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ignore_button = self.buttons.addButton(
            self.tr("Ignore ticked"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.later_button = self.buttons.addButton(self.tr("Later"), QDialogButtonBox.ButtonRole.RejectRole)
        self.add_button.clicked.connect(lambda: self._finish(self.ADD))
        self.ignore_button.clicked.connect(lambda: self._finish(self.IGNORE))
        self.later_button.clicked.connect(self.reject)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(self._update_buttons)
        self._update_buttons()
        self.resize(720, 360)

    def set_checked(self, list_ids: Sequence[str]) -> None:
        """Tick exactly these lists."""
        wanted = set(list_ids)
        for row, item in enumerate(self.items):
            state = Qt.CheckState.Checked if item.list_id in wanted else Qt.CheckState.Unchecked
            self.table.item(row, 0).setCheckState(state)

    def checked(self) -> list[str]:
        """The list ids ticked."""
        return [
            item.list_id
            for row, item in enumerate(self.items)
            if self.table.item(row, 0).checkState() == Qt.CheckState.Checked
        ]

    def _update_buttons(self, *_args: object) -> None:
        any_checked = bool(self.checked())
        self.add_button.setEnabled(any_checked)
        self.ignore_button.setEnabled(any_checked)

    def _finish(self, action: str) -> None:
        self.action = action
        self.accept()


# ---------------------------------------------------------------------------------------------- the flow


def _icon(*names: str) -> QIcon:
    for name in names:
        if QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return QIcon()


class MailFlow(QObject):
    """Owns the mail actions of one main window and runs the sync.

    Args:
        window: the main window (uses its public API only: ``groups_changed``, ``statusBar``,
            ``run_dialog``, ``settings``, ``undo_stack``).
        secrets: the keyring wrapper to use (default ``SecretStore()``, made on first use).
    """

    #: Emitted on the GUI thread when a sync has ended, with the ``SyncSummary`` of each account.
    finished = Signal(list)
    #: Emitted when a sync starts.
    started = Signal()

    def __init__(self, window: MainWindow, secrets: Any | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._secrets = secrets
        self._cancel = threading.Event()
        self._thread: QThread | None = None
        self._job: _Job | None = None
        self._worker: SyncWorker | None = None
        self._manual = False
        self._summaries: list[SyncSummary] = []
        self._failures: list[tuple[str, str, str]] = []
        self._classifier: Any = None
        self.last_summaries: list[SyncSummary] = []
        self.last_failures: list[tuple[str, str, str]] = []

        self.action_sync = QAction(self.tr("Sync &mail"), window)
        self.action_sync.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.action_sync.setIcon(_icon("mail-receive", "mail-send-receive", "view-refresh"))
        tip = self.tr("Fetch new invitations and list traffic from your mail accounts (F5)")
        self.action_sync.setToolTip(tip)
        self.action_sync.setStatusTip(tip)
        self.action_sync.triggered.connect(self._sync_clicked)
        self.action_accounts = QAction(self.tr("Mail &accounts…"), window)
        tip = self.tr("Mail accounts to scan, their passwords (in the system keyring) and your mail rules")
        self.action_accounts.setToolTip(tip)
        self.action_accounts.setStatusTip(tip)
        self.action_accounts.triggered.connect(self._accounts_clicked)
        self.action_discovered = QAction(self.tr("&Discovered lists…"), window)
        tip = self.tr("Mailing lists your mail shows you are on but that have no group yet")
        self.action_discovered.setToolTip(tip)
        self.action_discovered.setStatusTip(tip)
        self.action_discovered.triggered.connect(self._discovered_clicked)
        for action in (self.action_sync, self.action_accounts, self.action_discovered):
            window.addAction(action)

        self.progress = StatusProgress(
            window,
            self.cancel,
            self.tr("Stop the mail sync; what was fetched completely is kept"),
            "mail_progress_label",
        )
        self.progress_label = self.progress.label
        self.progress_bar = self.progress.bar
        self.cancel_button = self.progress.cancel_button

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._timer_fired)
        self.apply_auto_sync_setting()
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:  # no thread may outlive the application (Qt aborts on that)
            app.aboutToQuit.connect(self._about_to_quit)

    # ------------------------------------------------------------ settings

    def secrets(self) -> Any:
        """The keyring wrapper (``SecretStore`` unless one was given)."""
        if self._secrets is None:
            from groupdesk.mail.secrets import SecretStore

            self._secrets = SecretStore()
        return self._secrets

    def auto_sync_minutes(self) -> int:
        """Minutes between automatic syncs while the window is open (0: never)."""
        try:
            value = int(self.window.settings.value(SETTINGS_AUTO_SYNC, 0) or 0)
        except (TypeError, ValueError):
            value = 0
        return max(0, min(value, MAX_AUTO_SYNC_MINUTES))

    def apply_auto_sync_setting(self) -> None:
        """Start or stop the periodic sync after the setting changed."""
        minutes = self.auto_sync_minutes()
        if minutes:
            self.timer.start(minutes * 60_000)
        else:
            self.timer.stop()

    # ------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        """Whether a sync is under way."""
        return self._thread is not None

    def _sync_clicked(self) -> None:
        self.sync(manual=True)

    def _timer_fired(self) -> None:
        self.sync(manual=False)

    def sync(self, manual: bool = True) -> bool:
        """Start a sync of every account; False when one is running already or there is none.

        A manual sync with no account opens the Mail accounts dialog first.
        """
        from groupdesk.store import mail_store

        if self.running:
            return False
        accounts = mail_store.accounts()
        if not accounts and manual:
            self.open_accounts()
            accounts = mail_store.accounts()
        if not accounts:
            return False
        jobs = [SyncJob(a.name, a.config(), dict(a.folder_state)) for a in accounts]
        self._classifier = mail_store.classifier()
        self._manual = manual
        self._summaries, self._failures = [], []
        self._cancel = threading.Event()
        worker = SyncWorker(jobs, self.secrets(), self._cancel, self._classifier)
        worker.progress.connect(self._on_progress)
        worker.fetched.connect(self._on_fetched)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self._worker = worker
        self._show_progress(self.tr("Syncing mail…"))
        self.action_sync.setEnabled(False)
        self.started.emit()  # before the thread starts: listeners may connect to the worker
        self._job = _Job(worker, worker.run)
        self._thread = self._job.thread
        return True

    def cancel(self) -> None:
        """Stop the running sync after the current chunk; completed folders are kept."""
        if self.running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Stopping the mail sync…"))

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the running sync's thread has ended (results are applied by the event loop)."""
        thread = self._thread
        return thread is None or thread.wait(timeout_ms)

    def shutdown(self, timeout_ms: int = 60_000) -> None:
        """Cancel any sync and wait for every background thread (the window is closing)."""
        self.timer.stop()
        self._cancel.set()
        wait_for_threads(timeout_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop the sync when the window closes (the application waits for the thread as it quits)."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.timer.stop()
            self._cancel.set()
        return False

    @Slot()
    def _about_to_quit(self) -> None:
        self._cancel.set()
        wait_for_threads()

    # ------------------------------------------------------------ progress

    def _show_progress(self, text: str) -> None:
        self.progress.show(text)

    def _hide_progress(self) -> None:
        self.progress.hide()

    @Slot(str, str, int, int)
    def _on_progress(self, account: str, folder: str, done: int, total: int) -> None:
        if self._cancel.is_set():
            return
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        else:
            self.progress_bar.setRange(0, 0)
        self.progress_label.setText(
            self.tr("Syncing mail: %1 · %2: %3 of %4 messages")
            .replace("%1", account)
            .replace("%2", folder)
            .replace("%3", f"{done:,}")
            .replace("%4", f"{total:,}")
        )

    # ------------------------------------------------------------ results (GUI thread)

    @Slot(str, object)
    def _on_fetched(self, account: str, fetched: tuple[SyncBatch, dict]) -> None:
        from groupdesk.store import mail_store

        batch, classified = fetched
        try:
            summary = mail_store.apply_sync(
                account, batch, self._classifier, self._today(), classified=classified
            )
        except Exception as exc:  # a store failure must not leave the sync half-shown
            self._failures.append((account, self.tr("Could not store the mail"), str(exc)))
            return
        self._summaries.append(summary)
        for error in summary.errors:
            folder = getattr(error, "folder", None)
            where = f"{account} ({folder})" if folder and error.kind == "folder" else account
            self._failures.append((where, error.title, error.message))

    @Slot(str, str, str)
    def _on_failed(self, account: str, title: str, message: str) -> None:
        self._failures.append((account, title, message))

    @Slot()
    def _on_done(self) -> None:
        cancelled = self._cancel.is_set()
        self._thread = self._job = self._worker = None
        self._hide_progress()
        self.action_sync.setEnabled(True)
        summaries, failures = self._summaries, self._failures
        self.last_summaries, self.last_failures = summaries, failures
        changed: set[int] = set()
        for s in summaries:
            changed |= s.created_group_ids | s.changed_group_ids
        if changed:
            self.window.groups_changed(changed=sorted(changed))
        self.window.statusBar().showMessage(self.summary_text(summaries, failures, cancelled), 15_000)
        try:
            if failures and self._manual:
                self._show_failures(failures)
            new = [d for s in summaries for d in s.new_discovered]
            if new and self._manual and not cancelled:
                self.show_discovered(summaries[-1].discovered)
        finally:
            self.finished.emit(summaries)

    def _today(self) -> date:
        today = getattr(self.window, "today", None)
        return today() if callable(today) else date.today()

    def summary_text(
        self,
        summaries: Sequence[SyncSummary],
        failures: Sequence[tuple[str, str, str]],
        cancelled: bool = False,
    ) -> str:
        """The status bar's one line about a finished sync."""
        invitations = sum(len(s.invitations) for s in summaries)
        messages = sum(s.list_messages for s in summaries)
        lists = len({x.list_id for s in summaries for x in s.lists})
        new = len({d.list_id for s in summaries for d in s.new_discovered})
        if cancelled:
            head = self.tr("Mail sync stopped; what was fetched is kept.")
        elif failures and not any(s.error is None for s in summaries):
            head = self.tr("Mail sync failed.")
        else:
            head = self.tr("Mail synced.")
        parts = [
            self.tr("%1 new invitation(s)").replace("%1", str(invitations)),
            self.tr("%1 list message(s) in %2 list(s)")
            .replace("%1", f"{messages:,}")
            .replace("%2", str(lists)),
        ]
        if new:
            parts.append(self.tr("%1 new list(s) found").replace("%1", str(new)))
        if failures:
            parts.append(
                self.tr("%1 problem(s): %2").replace("%1", str(len(failures))).replace("%2", failures[0][2])
            )
        text = head + " " + ", ".join(parts)
        return text if text.endswith(".") else text + "."

    def _show_failures(self, failures: Sequence[tuple[str, str, str]]) -> None:
        lines = [f"{account} — {title}\n{message}" for account, title, message in failures]
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Mail sync"),
            "\n\n".join(lines),
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setObjectName("mail_sync_failures")
        self.window.run_dialog(box)
        box.deleteLater()

    # ------------------------------------------------------------ dialogs

    def _accounts_clicked(self) -> None:
        self.open_accounts()

    def open_accounts(self) -> bool:
        """Settings → Mail accounts; True when closed with Close (settings applied)."""
        from groupdesk.ui.dialogs.mail_accounts import MailAccountsDialog

        dialog = MailAccountsDialog(
            self.window, self.window.settings, secrets=self.secrets(), run_dialog=self.window.run_dialog
        )
        try:
            accepted = self.window.run_dialog(dialog)
        finally:
            dialog.deleteLater()  # a keyring call still running finishes on its own thread
        self.apply_auto_sync_setting()
        return accepted

    def _discovered_clicked(self) -> None:
        from groupdesk.store import mail_store

        items = mail_store.discovered_lists(self._today())
        if not items:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Discovered lists"),
                self.tr(
                    "No lists to offer. After a mail sync, lists you get mail from but have no group "
                    "for are shown here."
                ),
                QMessageBox.StandardButton.Ok,
                self.window,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            self.window.run_dialog(box)
            box.deleteLater()
            return
        self.show_discovered(items)

    def show_discovered(self, items: Sequence[DiscoveredList]) -> list[int]:
        """Offer ``items``; add the ticked ones as groups (undoable) or ignore them; return new ids."""
        from groupdesk.store import mail_store

        if not items:
            return []
        dialog = DiscoveredListsDialog(items, self.window)
        try:
            accepted = self.window.run_dialog(dialog)
            action, ticked = dialog.action, dialog.checked()
        finally:
            dialog.deleteLater()
        if not accepted or not ticked:
            return []
        if action == DiscoveredListsDialog.IGNORE:
            mail_store.ignore_discovered(ticked)
            self.window.statusBar().showMessage(
                self.tr("%1 list(s) will not be offered again.").replace("%1", str(len(ticked))), 8000
            )
            return []
        ids = mail_store.add_discovered(ticked, self._today())
        if ids:
            from groupdesk.ui.commands import AddGroupsCommand

            text = self.tr("Add %1 group(s) from mail").replace("%1", str(len(ids)))
            self.window.undo_stack.push(AddGroupsCommand(self.window, ids, text))
            self.window.statusBar().showMessage(
                self.tr("Added %1 group(s) from your mail.").replace("%1", str(len(ids))), 8000
            )
        return ids
