"""The window's online activity check: Refresh activity (Ctrl+Shift+R), its settings, and the worker.

Refresh activity checks the selected groups, or every group not left or declined when nothing is
selected, on their own sites (``groupdesk.probes``). The groups and the saved answer cache are read on
the GUI thread; a ``BackgroundTask`` runs the probes one group after the other, each site at its own
pace, and never touches the database. When it ends (finished, cancelled or failed) the GUI thread
stores what was measured in one transaction (``store.probe_store.apply_results``) and refreshes those
rows, so the Activity column and the dead flag follow. Progress and Cancel sit in the status bar; a
failing site is one line in a summary of the groups that could not be checked, and the others go on.

Settings (in ``window.settings``):

- ``probes/enabled`` ("Check activity online", on by default): off means nothing is ever sent; the
  action is then disabled and its tooltip says why. Nothing is sent unless the user asks (the action)
  or turns on the periodic refresh.
- ``probes/auto_refresh_hours`` (0 = never, the default): refresh every group every N hours while the
  window is open. A periodic run reports in the status bar only.

Tests hand in a ``client_factory`` that points the fixed-host platforms (Reddit, Discord) at 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupdesk.ui.status_progress import StatusProgress
from groupdesk.ui.text import plain_tooltip
from groupdesk.ui.workers import BackgroundTask, wait_for_tasks

if TYPE_CHECKING:
    from groupdesk.probes import Figures, ProbeClient, ProbeError, ResponseCache
    from groupdesk.store.probe_store import ApplySummary, Selection
    from groupdesk.ui.main_window import MainWindow

SETTINGS_ENABLED = "probes/enabled"
SETTINGS_AUTO_HOURS = "probes/auto_refresh_hours"
MAX_AUTO_HOURS = 7 * 24

#: Makes the client for one run from the saved answer cache; called on the worker thread.
ClientFactory = Callable[["ResponseCache"], "ProbeClient"]


def default_client(cache: ResponseCache) -> ProbeClient:
    """A client for the real sites, reusing and filling ``cache``."""
    from groupdesk.probes import ProbeClient

    return ProbeClient(cache=cache)


def _setting_bool(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _fill(template: str, *values: str) -> str:
    """``template`` with ``%1``, ``%2``… replaced in one pass (a group name's own "%1" stays as it is)."""
    import re

    def value(m: re.Match[str]) -> str:
        n = int(m[1])
        return values[n - 1] if 0 < n <= len(values) else m[0]

    return re.sub(r"%(\d)", value, template)


def _icon(*names: str) -> QIcon:
    for name in names:
        if QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return QIcon()


class ProbeRun:
    """One run's outcome, as ``ProbeFlow.finished`` hands it on. The worker fills ``results`` (and calls
    :meth:`chose`); the GUI thread reads them only after the worker has ended.

    Attributes:
        manual: the user started it (not the periodic refresh).
        outcome: ``finished``, ``cancelled`` or ``failed`` (the worker raised ``error``).
        results: ``(group_id, Figures or ProbeError)`` of the groups done.
        names: group id → name, for every group asked about.
        skipped: ``(id, name)`` of selected groups with no address a probe knows.
        skipped_count: how many groups were left out for that reason.
        total: how many groups were to be asked about.
        summary: what the store kept (``None`` when storing failed: then ``error`` says why).
        error: the exception that stopped the run or its storing, if any.
    """

    def __init__(self, manual: bool, names: dict[int, str], selection: Selection | None = None) -> None:
        self.manual = manual
        self.outcome = ""
        self.results: list[tuple[int, Figures | ProbeError]] = []
        self.names = names
        self.skipped: list[tuple[int, str]] = []
        self.skipped_count = 0
        self.total = 0
        self.summary: ApplySummary | None = None
        self.error: BaseException | None = None
        if selection is not None:
            self.chose(selection)

    def chose(self, selection: Selection) -> None:
        """Note which groups are asked about (the worker calls this before the first request)."""
        self.skipped = list(selection.skipped)
        self.skipped_count = selection.skipped_count
        self.total = len(selection.candidates)

    def failures(self) -> list[tuple[int, ProbeError]]:
        """The groups whose check failed, in the order asked."""
        from groupdesk.probes import ProbeError

        return [(gid, r) for gid, r in self.results if isinstance(r, ProbeError)]

    @property
    def measured(self) -> int:
        """How many groups were measured."""
        return len(self.results) - len(self.failures())


class ProbeSettingsDialog(QDialog):
    """The "Check activity online" switch and the periodic refresh."""

    def __init__(self, enabled: bool, hours: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Activity check settings"))
        self.setObjectName("probe_settings_dialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "GroupDesk can ask a group's own site (Discourse forums, Reddit, Discord invites, Lemmy, "
                "Mastodon) for its public figures: members, active users, posts per week. The site sees "
                "a request from this computer for that group's public page, with no login. Nothing is "
                "sent unless you choose Refresh activity or turn on the automatic refresh."
            ),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(intro)
        form = QFormLayout()
        self.enabled_box = QCheckBox(self.tr("Check activity online"), self)
        self.enabled_box.setChecked(enabled)
        form.addRow(self.enabled_box)
        row = QHBoxLayout()
        self.auto_box = QCheckBox(self.tr("Refresh every group automatically every"), self)
        self.hours_spin = QSpinBox(self)
        self.hours_spin.setRange(1, MAX_AUTO_HOURS)
        self.hours_spin.setSuffix(self.tr(" hours"))
        self.hours_spin.setValue(hours or 24)
        self.auto_box.setChecked(hours > 0)
        row.addWidget(self.auto_box)
        row.addWidget(self.hours_spin)
        row.addStretch(1)
        form.addRow(row)
        note = QLabel(self.tr("(only while GroupDesk is open)"), self)
        note.setEnabled(False)
        form.addRow(note)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.enabled_box.toggled.connect(self._update)
        self.auto_box.toggled.connect(self._update)
        self._update()

    def _update(self, *_args: object) -> None:
        on = self.enabled_box.isChecked()
        self.auto_box.setEnabled(on)
        self.hours_spin.setEnabled(on and self.auto_box.isChecked())

    def enabled(self) -> bool:
        """Whether checking online is allowed."""
        return self.enabled_box.isChecked()

    def hours(self) -> int:
        """Hours between automatic refreshes (0: never)."""
        return self.hours_spin.value() if self.enabled() and self.auto_box.isChecked() else 0


class ProbeFailuresDialog(QDialog):
    """The groups a check could not measure, each with the site's reason; the rest were stored."""

    def __init__(self, run: ProbeRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Refresh activity"))
        self.setObjectName("probe_failures_dialog")
        layout = QVBoxLayout(self)
        failures = run.failures()
        done = len(run.results)
        self.heading = QLabel(self)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        parts = [
            _fill(
                self.tr("%1 of %2 group(s) measured; %3 could not be checked."),
                str(run.measured),
                str(done + len(run.skipped)),
                str(len(failures) + len(run.skipped)),
            )
        ]
        parts.append(self.tr("What GroupDesk knew about those groups is unchanged."))
        if run.outcome == "cancelled" and done < run.total:
            parts.append(self.tr("Stopped: %1 group(s) were not asked.").replace("%1", str(run.total - done)))
        self.heading.setText(" ".join(parts))
        layout.addWidget(self.heading)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Group"), self.tr("Problem"), self.tr("Details")])
        self.tree.setRootIsDecorated(False)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        rows = [(run.names.get(gid, f"#{gid}"), err.title, err.message) for gid, err in failures]
        for _gid, name in run.skipped:
            rows.append((name, self.tr("Cannot check"), self.tr("No address GroupDesk knows how to check.")))
        for texts in rows:
            item = QTreeWidgetItem(list(texts))
            for col, text in enumerate(texts):
                item.setToolTip(col, plain_tooltip(text))
            self.tree.addTopLevelItem(item)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.tree, 1)
        if run.skipped:
            from groupdesk.probes.dispatch import UNSUPPORTED_HINT

            hint = QLabel(UNSUPPORTED_HINT, self)
            hint.setTextFormat(Qt.TextFormat.PlainText)
            hint.setWordWrap(True)
            layout.addWidget(hint)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(760, 320)

    def rows(self) -> list[list[str]]:
        """The texts of each row (for tests)."""
        return [
            [self.tree.topLevelItem(i).text(c) for c in range(3)]
            for i in range(self.tree.topLevelItemCount())
        ]


class ProbeFlow(QObject):
    """Owns the activity check's actions on one main window and runs the checks.

    Args:
        window: the main window (public API only: ``selected_ids``, ``groups_changed``, ``statusBar``,
            ``run_dialog``, ``settings``, ``today``).
        client_factory: makes each run's client from the saved cache (default: the real sites).
    """

    #: Emitted on the GUI thread when a run has ended and its results are stored, with its ``ProbeRun``.
    finished = Signal(object)
    #: Emitted when a run starts.
    started = Signal()

    def __init__(self, window: MainWindow, client_factory: ClientFactory | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.client_factory: ClientFactory = client_factory or default_client
        self.task: BackgroundTask | None = None
        self.run: ProbeRun | None = None
        self.last_run: ProbeRun | None = None
        self._cache: Any = None
        self._closing = False

        self.action_refresh = QAction(self.tr("Refresh &activity"), window)
        self.action_refresh.setObjectName("action_refresh_activity")
        self.action_refresh.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.action_refresh.setIcon(_icon("view-refresh", "emblem-synchronizing"))
        self.action_refresh.triggered.connect(self._refresh_clicked)
        self.action_enabled = QAction(self.tr("Check activity &online"), window)
        self.action_enabled.setObjectName("action_probes_enabled")
        self.action_enabled.setCheckable(True)
        tip = self.tr(
            "Allow GroupDesk to ask groups' own sites for their public activity figures. "
            "Off: nothing is ever sent."
        )
        self.action_enabled.setToolTip(tip)
        self.action_enabled.setStatusTip(tip)
        self.action_enabled.toggled.connect(self.set_enabled)
        self.action_settings = QAction(self.tr("Activity &check settings…"), window)
        tip = self.tr("Turn the online activity check on or off and refresh it automatically")
        self.action_settings.setToolTip(tip)
        self.action_settings.setStatusTip(tip)
        self.action_settings.triggered.connect(self.open_settings)
        for action in self.actions():
            window.addAction(action)

        self.progress = StatusProgress(
            window,
            self.cancel,
            self.tr("Stop checking; what was measured so far is kept"),
            "probe_progress_label",
        )
        self.progress_label = self.progress.label
        self.progress_bar = self.progress.bar
        self.cancel_button = self.progress.cancel_button

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._timer_fired)
        self.action_enabled.blockSignals(True)
        self.action_enabled.setChecked(self.enabled())
        self.action_enabled.blockSignals(False)
        self.apply_settings()
        window.installEventFilter(self)
        app = QCoreApplication.instance()
        if app is not None:  # no thread may outlive the application
            app.aboutToQuit.connect(self.shutdown)

    def actions(self) -> list[QAction]:
        """Refresh activity, Check activity online, Activity check settings… (for the Tools menu)."""
        return [self.action_refresh, self.action_enabled, self.action_settings]

    # ------------------------------------------------------------ settings

    def enabled(self) -> bool:
        """Whether checking online is allowed ("Check activity online"; on unless turned off)."""
        return _setting_bool(self.window.settings.value(SETTINGS_ENABLED), True)

    def auto_refresh_hours(self) -> int:
        """Hours between automatic refreshes while the window is open (0: never)."""
        try:
            value = int(self.window.settings.value(SETTINGS_AUTO_HOURS, 0) or 0)
        except (TypeError, ValueError):
            value = 0
        return max(0, min(value, MAX_AUTO_HOURS))

    @Slot(bool)
    def set_enabled(self, on: bool) -> None:
        """Allow or forbid checking online (off also stops a running check and the periodic refresh)."""
        self.window.settings.setValue(SETTINGS_ENABLED, bool(on))
        if not on:
            self.cancel()
        self.apply_settings()

    def set_auto_refresh_hours(self, hours: int) -> None:
        """Refresh every ``hours`` hours while the window is open (0: never)."""
        self.window.settings.setValue(SETTINGS_AUTO_HOURS, max(0, min(int(hours), MAX_AUTO_HOURS)))
        self.apply_settings()

    def apply_settings(self) -> None:
        """Bring the actions and the periodic refresh in line with the settings."""
        on = self.enabled()
        if self.action_enabled.isChecked() != on:
            self.action_enabled.blockSignals(True)
            self.action_enabled.setChecked(on)
            self.action_enabled.blockSignals(False)
        hours = self.auto_refresh_hours() if on else 0
        if hours:
            self.timer.start(hours * 3_600_000)
        else:
            self.timer.stop()
        self._update_action()

    def _update_action(self) -> None:
        on = self.enabled()
        self.action_refresh.setEnabled(on and not self.running)
        if not on:
            tip = self.tr(
                "Checking activity online is turned off (Tools → Check activity online), so nothing is "
                "sent to any site."
            )
        else:
            tip = self.tr(
                "Ask the selected groups' own sites for their public activity: members, active users, "
                "posts per week (all groups when none is selected) (Ctrl+Shift+R)"
            )
        self.action_refresh.setToolTip(tip)
        self.action_refresh.setStatusTip(tip)

    def open_settings(self) -> bool:
        """The settings dialog; True when accepted (settings applied)."""
        dialog = ProbeSettingsDialog(self.enabled(), self.auto_refresh_hours(), self.window)
        try:
            accepted = self.window.run_dialog(dialog)
            if accepted:
                self.window.settings.setValue(SETTINGS_AUTO_HOURS, dialog.hours())
                self.set_enabled(dialog.enabled())
        finally:
            dialog.deleteLater()
        return bool(accepted)

    # ------------------------------------------------------------ running

    @property
    def running(self) -> bool:
        """Whether a check is under way."""
        return self.task is not None

    def _refresh_clicked(self) -> None:
        self.refresh(self.window.selected_ids() or None, manual=True)

    def _timer_fired(self) -> None:
        self.refresh(None, manual=False)

    def refresh(self, ids: Sequence[int] | None = None, *, manual: bool = True) -> bool:
        """Check ``ids`` (every group not left or declined when None); False when nothing was started.

        Nothing starts while checking is turned off, while a check runs, or when no group has an address
        a probe knows (a manual run then says so).
        """
        from groupdesk.probes import probe_many
        from groupdesk.store import probe_store

        if self.running or not self.enabled():
            return False
        groups = probe_store.group_addresses(list(ids) if ids else None)
        if not any(address for _gid, _name, address, _network in groups.rows):
            if manual:
                self._nothing_to_check(bool(ids))
            return False
        names = {gid: name for gid, name, _address, _network in groups.rows}
        run = ProbeRun(manual, names)
        cache = probe_store.load_cache()
        factory = self.client_factory

        def work(cancelled: Callable[[], bool], progress: Callable[[int, int, str], None]) -> None:
            selection = probe_store.choose(groups)  # recognising 100,000 addresses takes seconds
            run.chose(selection)
            if not selection.candidates or cancelled():
                return
            progress(0, len(selection.candidates), "")
            client = factory(cache)
            try:

                def report(done: int, total: int, gid: int, outcome: Figures | ProbeError) -> None:
                    run.results.append((gid, outcome))
                    progress(done, total, names.get(gid, ""))

                probe_many(client, [c.probe_input() for c in selection.candidates], report, cancelled)
            finally:
                client.close()

        self.run, self._cache = run, cache
        self._show_progress()
        self.task = task = BackgroundTask(work, self)
        task.progress.connect(self._on_progress)
        task.finished.connect(lambda _result: self._on_done("finished", None))
        task.failed.connect(lambda exc: self._on_done("failed", exc))
        task.cancelled.connect(lambda: self._on_done("cancelled", None))
        self._update_action()
        self.started.emit()
        return True

    def cancel(self) -> None:
        """Stop the running check after the request in flight; what was measured is kept."""
        if self.task is not None and not self.task.is_cancelled():
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText(self.tr("Stopping the activity check…"))

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the running check's thread has ended (its results arrive by the event loop)."""
        task = self.task
        return task is None or task.wait(timeout_ms)

    @Slot()
    def shutdown(self) -> None:
        """Stop the timer, cancel any check and wait for its thread (the window is closing)."""
        self.timer.stop()
        if self.task is not None:
            self.task.cancel()
        wait_for_tasks()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stop checking when the window closes."""
        if watched is self.window and event.type() == QEvent.Type.Close:
            self._closing = True
            self.timer.stop()
            if self.task is not None:
                self.task.cancel()
        return False

    def _today(self) -> date:
        today = getattr(self.window, "today", None)
        return today() if callable(today) else date.today()

    def _nothing_to_check(self, asked: bool) -> None:
        from groupdesk.probes.dispatch import UNSUPPORTED_HINT

        if asked:
            text = self.tr("None of the selected groups has an address GroupDesk can check.")
        else:
            text = self.tr("No group has an address GroupDesk can check.")
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Refresh activity"),
            text + "\n\n" + UNSUPPORTED_HINT,
            QMessageBox.StandardButton.Ok,
            self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setObjectName("probe_nothing_to_check")
        self.window.run_dialog(box)
        box.deleteLater()

    # ------------------------------------------------------------ progress

    def _show_progress(self) -> None:
        self.progress.show(self.tr("Checking activity online…"))  # busy until the groups are chosen

    def _hide_progress(self) -> None:
        self.progress.hide()

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, name: str) -> None:
        if self.task is not None and self.task.is_cancelled():
            return
        if total:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(done)
        if name:
            text = _fill(self.tr("Checking activity online: %1 of %2 — %3"), f"{done:,}", f"{total:,}", name)
        else:
            text = _fill(self.tr("Checking activity online: %1 group(s)…"), f"{total:,}")
        self.progress_label.setText(text)

    # ------------------------------------------------------------ results (GUI thread)

    def _on_done(self, outcome: str, error: object) -> None:
        from groupdesk.store import probe_store

        run, cache = self.run, self._cache
        self.task = self.run = self._cache = None
        self._hide_progress()
        self._update_action()
        if run is None:
            return
        run.outcome = outcome
        if isinstance(error, BaseException):
            run.error = error
        try:
            run.summary = probe_store.apply_results(run.results, cache=cache, today=self._today())
        except Exception as exc:  # the store failed: say so once, keep the window usable
            run.error = exc
        self.last_run = run
        if self._closing:  # stored; nothing more to show
            self.finished.emit(run)
            return
        if run.summary is not None and run.summary.changed:
            self.window.groups_changed(changed=run.summary.changed)
        self.window.statusBar().showMessage(self.summary_text(run), 15_000)
        try:
            if run.manual and run.outcome == "finished" and run.total == 0:
                self._nothing_to_check(bool(run.skipped))
            elif run.manual and (run.failures() or run.skipped):
                dialog = ProbeFailuresDialog(run, self.window)
                try:
                    self.window.run_dialog(dialog)
                finally:
                    dialog.deleteLater()
        finally:
            self.finished.emit(run)

    def summary_text(self, run: ProbeRun) -> str:
        """The status bar's one line about a finished check."""
        failed = len(run.failures())
        if run.summary is None:
            return _fill(self.tr("The activity check could not be stored: %1"), str(run.error))
        if run.outcome == "finished" and run.total == 0:
            return self.tr("Nothing was checked: no group has an address GroupDesk can check.")
        if run.outcome == "failed":
            head = _fill(self.tr("The activity check stopped: %1."), str(run.error))
        elif run.outcome == "cancelled":
            head = self.tr("Activity check stopped; what was measured is kept.")
        else:
            head = self.tr("Activity checked.")
        text = head + " " + _fill(self.tr("%1 measured, %2 failed"), str(run.measured), str(failed))
        if failed and not run.manual:
            first_id, first = run.failures()[0]
            text += _fill(self.tr(" (%1: %2)"), run.names.get(first_id, f"#{first_id}"), first.message)
        return text if text.endswith(".") else text + "."
