"""Settings → Mail accounts: the accounts to scan, their passwords, the mail rules and the sync timer.

Every keyring call (status, store, read, delete) and the connection test run off the GUI thread
(``ui.mail_flow.BackgroundCall``): a keyring that waits for an unlock prompt, or a server that does
not answer, never freezes the window. The password goes only to the system keyring; when there is
none, or it is locked, the dialog says so and offers no other place to keep it.

Accounts are saved with **Save account** (or on Close, when the form was changed); the rules and
the sync interval are applied on Close. Closing waits for a password that is still being stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.vocab import NETWORKS
from groupdesk.errors import UserError
from groupdesk.ui.mail_flow import MAX_AUTO_SYNC_MINUTES, SETTINGS_AUTO_SYNC, BackgroundCall

RULE_COLUMNS = ("sender", "subject", "network", "kind")
#: Connection tests give up sooner than a sync: someone is waiting for the answer.
TEST_TIMEOUT = 15.0


def _exec(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def _plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


class MailAccountsDialog(QDialog):
    """Mail accounts, mail rules and the automatic sync interval.

    Args:
        parent: the window.
        settings: where the sync interval is kept (the window's settings; never a password).
        secrets: the keyring wrapper (``SecretStore``).
        run_dialog: runs nested message boxes (the window's ``run_dialog``; tests drive it).
    """

    #: Emitted when a background call (keyring, connection test) has ended.
    background_done = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        settings: QSettings,
        *,
        secrets: Any | None = None,
        run_dialog: Callable[[QDialog], bool] | None = None,
    ) -> None:
        super().__init__(parent)
        if secrets is None:
            from groupdesk.mail.secrets import SecretStore

            secrets = SecretStore()
        self.settings = settings
        self.secrets = secrets
        self.run_dialog = run_dialog or _exec
        self.keyring_ok: bool | None = None
        self.current: str | None = None  # the account shown in the form (None: a new one)
        self._dirty = False
        self._loading = False
        self._calls: list[BackgroundCall] = []
        self._close_after_save = False
        self.setWindowTitle(self.tr("Mail accounts"))
        self.setObjectName("mail_accounts_dialog")

        layout = QVBoxLayout(self)
        self.keyring_frame = QFrame(self)
        self.keyring_frame.setFrameShape(QFrame.Shape.StyledPanel)
        banner = QHBoxLayout(self.keyring_frame)
        self.keyring_label = _plain_label(self.tr("Checking the system keyring…"), self.keyring_frame)
        self.keyring_retry = QPushButton(self.tr("Check again"), self.keyring_frame)
        self.keyring_retry.clicked.connect(self.check_keyring)
        self.keyring_retry.hide()
        banner.addWidget(self.keyring_label, 1)
        banner.addWidget(self.keyring_retry)
        layout.addWidget(self.keyring_frame)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._build_accounts_tab(), self.tr("Accounts"))
        self.tabs.addTab(self._build_rules_tab(), self.tr("Rules"))
        self.tabs.addTab(self._build_sync_tab(), self.tr("Sync"))
        layout.addWidget(self.tabs, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.close_dialog)
        layout.addWidget(self.buttons)

        self.reload_accounts()
        self.load_rules()
        self.resize(820, 560)
        self.check_keyring()

    # ------------------------------------------------------------ building

    def _build_accounts_tab(self) -> QWidget:
        page = QWidget(self)
        row = QHBoxLayout(page)
        left = QVBoxLayout()
        self.account_list = QListWidget(page)
        self.account_list.setObjectName("account_list")
        self.account_list.currentItemChanged.connect(self._account_selected)
        left.addWidget(self.account_list, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(self.tr("&Add"), page)
        self.add_button.clicked.connect(self.new_account)
        self.remove_button = QPushButton(self.tr("&Remove"), page)
        self.remove_button.clicked.connect(self.remove_account)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        left.addLayout(buttons)
        row.addLayout(left, 1)

        right = QVBoxLayout()
        form = QFormLayout()
        self.name_edit = QLineEdit(page)
        self.name_edit.setPlaceholderText(self.tr("e.g. Personal"))
        self.host_edit = QLineEdit(page)
        self.host_edit.setPlaceholderText(self.tr("e.g. imap.example.org"))
        self.port_spin = QSpinBox(page)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText(self.tr("Default"))
        self.port_spin.setToolTip(self.tr("Default: 993 for SSL/TLS, 143 for STARTTLS"))
        self.security_combo = QComboBox(page)
        self.security_combo.addItem(self.tr("SSL/TLS (recommended)"), "ssl")
        self.security_combo.addItem(self.tr("STARTTLS"), "starttls")
        self.security_combo.addItem(self.tr("No encryption (only to this computer)"), "plain")
        self.security_combo.setToolTip(
            self.tr(
                "Without encryption the password would travel in clear text: allowed only to this computer."
            )
        )
        self.user_edit = QLineEdit(page)
        self.password_edit = QLineEdit(page)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setObjectName("password_edit")
        self.folders_edit = QLineEdit("INBOX", page)
        self.folders_edit.setToolTip(self.tr("Folders to scan, separated by commas"))
        ca_widget = QWidget(page)
        ca_row = QHBoxLayout(ca_widget)
        ca_row.setContentsMargins(0, 0, 0, 0)
        self.cafile_edit = QLineEdit(page)
        self.cafile_edit.setPlaceholderText(self.tr("Only for a server with its own certificate"))
        self.cafile_button = QPushButton(self.tr("Browse…"), page)
        self.cafile_button.clicked.connect(self._browse_cafile)
        ca_row.addWidget(self.cafile_edit, 1)
        ca_row.addWidget(self.cafile_button)
        self.look_back_spin = QSpinBox(page)
        self.look_back_spin.setRange(1, 3650)
        self.look_back_spin.setValue(365)
        self.look_back_spin.setSuffix(self.tr(" days"))
        self.look_back_spin.setToolTip(self.tr("How far back the first sync reads"))
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Server:"), self.host_edit)
        form.addRow(self.tr("&Port:"), self.port_spin)
        form.addRow(self.tr("S&ecurity:"), self.security_combo)
        form.addRow(self.tr("&User name:"), self.user_edit)
        form.addRow(self.tr("Pass&word:"), self.password_edit)
        form.addRow(self.tr("&Folders:"), self.folders_edit)
        ca_label = QLabel(self.tr("CA &file:"), page)
        ca_label.setBuddy(self.cafile_edit)
        form.addRow(ca_label, ca_widget)
        form.addRow(self.tr("&Look back:"), self.look_back_spin)
        right.addLayout(form)
        actions = QHBoxLayout()
        self.test_button = QPushButton(self.tr("&Test connection"), page)
        self.test_button.clicked.connect(self.test_connection)
        self.save_button = QPushButton(self.tr("Sa&ve account"), page)
        self.save_button.clicked.connect(self.save_account)
        actions.addStretch(1)
        actions.addWidget(self.test_button)
        actions.addWidget(self.save_button)
        right.addLayout(actions)
        self.result_title = _plain_label("", page)
        font = self.result_title.font()
        font.setBold(True)
        self.result_title.setFont(font)
        self.result_label = _plain_label("", page)
        self.result_label.setObjectName("result_label")
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        right.addWidget(self.result_title)
        right.addWidget(self.result_label)
        right.addStretch(1)
        row.addLayout(right, 2)

        for edit in (self.name_edit, self.host_edit, self.user_edit, self.folders_edit, self.cafile_edit):
            edit.textEdited.connect(self._mark_dirty)
        self.password_edit.textEdited.connect(self._mark_dirty)
        self.port_spin.valueChanged.connect(self._mark_dirty)
        self.look_back_spin.valueChanged.connect(self._mark_dirty)
        self.security_combo.currentIndexChanged.connect(self._mark_dirty)
        return page

    def _build_rules_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(
            _plain_label(
                self.tr(
                    "Your own rules are checked before the built-in ones. A rule matches when the "
                    "sender's address matches the sender pattern and the subject matches the subject "
                    "pattern (regular expressions, upper or lower case alike; leave one empty to match "
                    "anything). An invitation rule without a subject pattern looks for the usual "
                    "invitation words (\u201cinvited you to join\u201d, \u201cinvitation to join\u201d)."
                ),
                page,
            )
        )
        self.rules_table = QTableWidget(0, len(RULE_COLUMNS), page)
        self.rules_table.setObjectName("rules_table")
        self.rules_table.setHorizontalHeaderLabels(
            [self.tr("Sender pattern"), self.tr("Subject pattern"), self.tr("Network"), self.tr("Kind")]
        )
        self.rules_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rules_table.verticalHeader().hide()
        header = self.rules_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.rules_table, 1)
        buttons = QHBoxLayout()
        self.add_rule_button = QPushButton(self.tr("Add &rule"), page)
        self.add_rule_button.clicked.connect(lambda: self.add_rule())
        self.remove_rule_button = QPushButton(self.tr("Remove rule"), page)
        self.remove_rule_button.clicked.connect(self.remove_rule)
        buttons.addWidget(self.add_rule_button)
        buttons.addWidget(self.remove_rule_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.rules_error = _plain_label("", page)
        self.rules_error.setObjectName("rules_error")
        layout.addWidget(self.rules_error)
        return page

    def _build_sync_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.auto_sync_spin = QSpinBox(page)
        self.auto_sync_spin.setRange(0, MAX_AUTO_SYNC_MINUTES)
        self.auto_sync_spin.setSpecialValueText(self.tr("Never"))
        self.auto_sync_spin.setSuffix(self.tr(" minutes"))
        try:
            minutes = int(self.settings.value(SETTINGS_AUTO_SYNC, 0) or 0)
        except (TypeError, ValueError):
            minutes = 0
        self.auto_sync_spin.setValue(max(0, min(minutes, MAX_AUTO_SYNC_MINUTES)))
        form.addRow(self.tr("Sync automatically every:"), self.auto_sync_spin)
        form.addRow(
            _plain_label(
                self.tr(
                    "While GroupDesk is open it fetches new invitations and list traffic this often. "
                    "Sync mail (F5) works at any time."
                ),
                page,
            )
        )
        return page

    # ------------------------------------------------------------ background calls

    def _run(self, func: Callable[[], Any], done: Callable[[Any, Any], None]) -> BackgroundCall:
        call = BackgroundCall(func, self)
        self._calls.append(call)

        def finished(result: Any, error: Any) -> None:
            if call in self._calls:
                self._calls.remove(call)
            done(result, error)
            self._update_buttons()
            self.background_done.emit()

        call.done.connect(finished)
        self._update_buttons()
        return call

    @property
    def busy(self) -> bool:
        """Whether a keyring call or a connection test is still running."""
        return bool(self._calls)

    def wait_for_background(self, timeout_ms: int = 60_000) -> bool:
        """Block until every background call has ended (their results are shown by the event loop)."""
        return all(call.wait(timeout_ms) for call in list(self._calls))

    # ------------------------------------------------------------ keyring

    def check_keyring(self) -> None:
        """Ask the keyring whether it can keep passwords (off the GUI thread)."""
        self.keyring_retry.setEnabled(False)
        self._run(self.secrets.status, self._keyring_checked)

    def _keyring_checked(self, status: Any, error: Any) -> None:
        ok = status is not None and status.ok
        self.keyring_ok = ok
        message = status.message if status is not None else str(error)
        self.keyring_label.setText(message)
        self.keyring_retry.setVisible(not ok)
        self.keyring_retry.setEnabled(True)
        self.keyring_frame.setStyleSheet("" if ok else "QFrame { background: palette(alternate-base); }")
        self.password_edit.setEnabled(ok)
        if ok:
            self.password_edit.setPlaceholderText(
                self.tr("Stored in the system keyring; type to change") if self.current else ""
            )
        else:
            self.password_edit.clear()
            self.password_edit.setPlaceholderText(self.tr("Cannot be stored: no usable system keyring"))

    # ------------------------------------------------------------ accounts

    def reload_accounts(self, select: str | None = None) -> None:
        """Fill the account list from the store and show ``select`` (or the first account)."""
        from groupdesk.store import mail_store

        self._loading = True
        self.account_list.clear()
        for info in mail_store.accounts():
            item = QListWidgetItem(info.name)
            item.setData(Qt.ItemDataRole.UserRole, info.name)
            if info.last_error:
                item.setToolTip(info.last_error)
            self.account_list.addItem(item)
        self._loading = False
        names = [self.account_list.item(i).text() for i in range(self.account_list.count())]
        target = select if select in names else (names[0] if names else None)
        if target is None:
            self.new_account()
        else:
            self.account_list.setCurrentRow(names.index(target))
            self._show_account(target)

    def _account_selected(self, current: QListWidgetItem | None, _previous: object) -> None:
        if self._loading or current is None:
            return
        name = current.data(Qt.ItemDataRole.UserRole)
        if name != self.current:
            self._show_account(name)

    def _show_account(self, name: str) -> None:
        from groupdesk.store import mail_store

        info = mail_store.get_account(name)
        self._loading = True
        self.current = info.name
        self.name_edit.setText(info.name)
        self.name_edit.setReadOnly(True)
        self.name_edit.setToolTip(self.tr("The password is filed under this name; remove and add to rename."))
        self.host_edit.setText(info.host)
        self.port_spin.setValue(info.port or 0)
        self.security_combo.setCurrentIndex(max(0, self.security_combo.findData(info.security)))
        self.user_edit.setText(info.user)
        self.password_edit.clear()
        self.folders_edit.setText(", ".join(info.folders))
        self.cafile_edit.setText(info.cafile or "")
        self.look_back_spin.setValue(info.look_back_days)
        if self.keyring_ok:
            self.password_edit.setPlaceholderText(self.tr("Stored in the system keyring; type to change"))
        self._loading = False
        self._dirty = False
        self._set_result("", info.last_error or "")
        if info.last_error:
            self.result_title.setText(self.tr("Last sync failed"))
        self._update_buttons()

    def new_account(self) -> None:
        """Clear the form for a new account."""
        self._loading = True
        self.current = None
        self.account_list.clearSelection()
        self.account_list.setCurrentItem(None)
        self.name_edit.setReadOnly(False)
        self.name_edit.setToolTip("")
        for edit in (self.name_edit, self.host_edit, self.user_edit, self.password_edit, self.cafile_edit):
            edit.clear()
        self.folders_edit.setText("INBOX")
        self.port_spin.setValue(0)
        self.security_combo.setCurrentIndex(0)
        self.look_back_spin.setValue(365)
        if self.keyring_ok:
            self.password_edit.setPlaceholderText("")
        self._loading = False
        self._dirty = False
        self._set_result("", "")
        self._update_buttons()
        self.name_edit.setFocus()

    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading:
            self._dirty = True
            self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self.busy
        self.remove_button.setEnabled(self.current is not None and not busy)
        self.save_button.setEnabled(not busy)
        self.test_button.setEnabled(not busy)

    def _browse_cafile(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("CA certificate"),
            self.cafile_edit.text(),
            self.tr("Certificates (*.pem *.crt);;All files (*)"),
        )
        if path:
            self.cafile_edit.setText(path)
            self._mark_dirty()

    def form_values(self) -> dict[str, Any]:
        """The account as typed (without the password)."""
        return {
            "name": self.name_edit.text().strip(),
            "host": self.host_edit.text().strip(),
            "port": self.port_spin.value() or None,
            "security": self.security_combo.currentData(),
            "user": self.user_edit.text().strip(),
            "folders": [f.strip() for f in self.folders_edit.text().split(",") if f.strip()],
            "cafile": self.cafile_edit.text().strip() or None,
            "look_back_days": self.look_back_spin.value(),
        }

    def _set_result(self, title: str, message: str) -> None:
        self.result_title.setText(title)
        self.result_label.setText(message)

    def save_account(self) -> bool:
        """Save the form: the account in the store, a typed password in the keyring (in the background).

        Returns False (with the reason shown) when the account could not be saved.
        """
        from groupdesk.store import mail_store

        values = self.form_values()
        password = self.password_edit.text()
        if password and not self.keyring_ok:
            self._set_result(self.tr("Password not stored"), self.keyring_label.text())
            return False
        try:
            info = mail_store.save_account(values, original=self.current)
        except UserError as exc:
            self._set_result(self.tr("Cannot save the account"), str(exc))
            return False
        self._dirty = False
        self.password_edit.clear()
        self.reload_accounts(select=info.name)
        if password:
            name = info.name
            self._set_result(self.tr("Saved"), self.tr("Storing the password in the system keyring…"))
            self._run(lambda: self.secrets.set_password(name, password), self._password_stored)
        else:
            self._set_result(self.tr("Saved"), self.tr("The account is saved."))
            self._finish_close_if_asked()
        return True

    def _password_stored(self, _result: Any, error: Any) -> None:
        if error is None:
            self._set_result(
                self.tr("Saved"), self.tr("The account is saved; its password is in the system keyring.")
            )
            self._finish_close_if_asked()
        else:
            self._close_after_save = False
            message = getattr(error, "message", None) or str(error)
            self._set_result(self.tr("Password not stored"), message)

    def remove_account(self) -> bool:
        """Remove the shown account (after asking) and its password from the keyring."""
        from groupdesk.store import mail_store

        name = self.current
        if name is None:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove mail account"),
            self.tr(
                "Remove the mail account “%1” and its stored password? "
                "The groups and invitations it found stay."
            ).replace("%1", name),
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        remove = box.addButton(self.tr("Remove"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.run_dialog(box)
        confirmed = box.clickedButton() is remove
        box.deleteLater()
        if not confirmed:
            return False
        mail_store.delete_account(name)
        self.reload_accounts()
        self._set_result(self.tr("Removed"), self.tr("Removing the password from the system keyring…"))
        self._run(lambda: self.secrets.delete_password(name), self._password_deleted)
        return True

    def _password_deleted(self, _result: Any, error: Any) -> None:
        if error is None:
            self._set_result(self.tr("Removed"), self.tr("The account and its password are removed."))
        else:
            message = getattr(error, "message", None) or str(error)
            self._set_result(
                self.tr("Password not removed"),
                self.tr(
                    "The account is removed, but its password could not be removed from the keyring: %1"
                ).replace("%1", message),
            )

    # ------------------------------------------------------------ connection test

    def test_connection(self) -> None:
        """Test the form's settings (typed password, else the stored one) off the GUI thread."""
        from dataclasses import replace

        from groupdesk.mail.imap import MailError, test_connection
        from groupdesk.store import mail_store

        try:
            clean = mail_store.clean_account(
                {**self.form_values(), "name": self.form_values()["name"] or "test"}
            )
        except UserError as exc:
            self._set_result(getattr(exc, "title", self.tr("Account settings")), str(exc))
            return
        from groupdesk.mail.imap import MailAccountConfig

        config = replace(MailAccountConfig(**clean), connect_timeout=TEST_TIMEOUT, read_timeout=TEST_TIMEOUT)
        typed = self.password_edit.text()
        stored_name = self.current
        secrets = self.secrets

        def run() -> Any:
            password = typed
            if not password and stored_name is not None:
                password = secrets.get_password(stored_name) or ""
            if not password:
                raise MailError("login", "Type the password to test the connection.")
            return test_connection(config, password)

        self._set_result(self.tr("Testing…"), self.tr("Connecting to %1…").replace("%1", config.host))
        self._run(run, self._tested)

    def _tested(self, report: Any, error: Any) -> None:
        if error is not None:
            title = getattr(error, "title", None) or self.tr("Keyring")
            self._set_result(title, getattr(error, "message", None) or str(error))
            return
        if report.ok:
            self._set_result(self.tr("Connection works"), "\n".join([*report.steps, report.message]))
        else:
            done = "\n".join(report.steps)
            self._set_result(report.error.title, report.error.message + (f"\n\n{done}" if done else ""))

    # ------------------------------------------------------------ rules

    def load_rules(self) -> None:
        """Fill the rules table from the store."""
        from groupdesk.store import mail_store

        self.rules_table.setRowCount(0)
        for rule in mail_store.mail_rules():
            self.add_rule(rule)

    def add_rule(self, rule: dict[str, str] | None = None) -> int:
        """Append a row (empty, or ``rule``); return its index."""
        rule = rule or {}
        row = self.rules_table.rowCount()
        self.rules_table.insertRow(row)
        self.rules_table.setItem(row, 0, QTableWidgetItem(rule.get("sender", "")))
        self.rules_table.setItem(row, 1, QTableWidgetItem(rule.get("subject", "")))
        network = QComboBox(self.rules_table)
        for key, label in NETWORKS.items():
            network.addItem(label, key)
        network.setCurrentIndex(max(0, network.findData(rule.get("network") or "other")))
        self.rules_table.setCellWidget(row, 2, network)
        kind = QComboBox(self.rules_table)
        kind.addItem(self.tr("Invitation"), "invitation")
        kind.addItem(self.tr("List mail"), "list")
        kind.setCurrentIndex(max(0, kind.findData(rule.get("kind") or "invitation")))
        self.rules_table.setCellWidget(row, 3, kind)
        # the name is kept (not shown) so that a saved rule keeps it
        self.rules_table.item(row, 0).setData(Qt.ItemDataRole.UserRole, rule.get("name", ""))
        return row

    def remove_rule(self) -> None:
        """Remove the selected rule rows."""
        for row in sorted({i.row() for i in self.rules_table.selectedIndexes()}, reverse=True):
            self.rules_table.removeRow(row)

    def rules(self) -> list[dict[str, str]]:
        """The rules as typed."""
        out = []
        for row in range(self.rules_table.rowCount()):
            sender = self.rules_table.item(row, 0)
            subject = self.rules_table.item(row, 1)
            out.append(
                {
                    "name": (sender.data(Qt.ItemDataRole.UserRole) if sender else "") or "",
                    "sender": sender.text() if sender else "",
                    "subject": subject.text() if subject else "",
                    "network": self.rules_table.cellWidget(row, 2).currentData(),
                    "kind": self.rules_table.cellWidget(row, 3).currentData(),
                }
            )
        return out

    def save_rules(self) -> bool:
        """Check and store the rules; False (with the reason shown) when one is not valid."""
        from groupdesk.store import mail_store

        try:
            mail_store.save_mail_rules(self.rules())
        except UserError as exc:
            self.rules_error.setText(str(exc))
            self.tabs.setCurrentIndex(1)
            return False
        self.rules_error.clear()
        return True

    # ------------------------------------------------------------ closing

    def close_dialog(self) -> None:
        """Close: apply the rules and the sync interval, save a changed account, then close."""
        if not self.save_rules():
            return
        self.settings.setValue(SETTINGS_AUTO_SYNC, self.auto_sync_spin.value())
        if self._dirty and any(self.form_values()[k] for k in ("name", "host", "user")):
            self._close_after_save = True
            if not self.save_account():
                self._close_after_save = False
                self.tabs.setCurrentIndex(0)
            return  # save_account closes the dialog: now, or once the password is stored
        self.accept()

    def _finish_close_if_asked(self) -> None:
        if self._close_after_save:
            self._close_after_save = False
            self.accept()

    def reject(self) -> None:
        """Escape and the window's close button close the dialog the same way Close does."""
        self.close_dialog()
