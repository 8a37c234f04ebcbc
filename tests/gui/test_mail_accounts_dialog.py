"""Settings → Mail accounts: keyring status, saving accounts and passwords, connection tests, rules."""

from __future__ import annotations

import threading
from pathlib import Path

import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QMessageBox

from groupdesk.mail.secrets import SecretStore
from groupdesk.store import mail_store
from groupdesk.ui.dialogs.mail_accounts import MailAccountsDialog
from groupdesk.ui.mail_flow import wait_for_threads
from tests.integration.mail_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    Dovecot,
    dovecot_fixture,
    keyring_service_fixture,
)


@pytest.fixture
def open_dialog(qtbot, store, settings, driver):
    made: list[MailAccountsDialog] = []

    def _open(secrets=None, wait: bool = True) -> MailAccountsDialog:
        dialog = MailAccountsDialog(
            None, settings, secrets=secrets or SecretStore(timeout=10), run_dialog=driver
        )
        qtbot.addWidget(dialog)
        dialog.show()
        made.append(dialog)
        if wait:
            qtbot.waitUntil(lambda: dialog.keyring_ok is not None, timeout=20_000)
        return dialog

    yield _open
    for dialog in made:
        dialog.wait_for_background()
    assert wait_for_threads(20_000)


def fill(dialog: MailAccountsDialog, server: Dovecot | None = None, **values) -> None:
    defaults = {
        "name": "Home",
        "host": server.host if server else "imap.example.org",
        "port": server.imaps_port if server else 0,
        "user": "alice",
        "password": PASSWORD,
        "cafile": str(server.cafile) if server else "",
        "folders": "INBOX",
        "security": "ssl",
    }
    defaults.update(values)
    dialog.name_edit.setText(defaults["name"])
    dialog.host_edit.setText(defaults["host"])
    dialog.port_spin.setValue(defaults["port"])
    dialog.user_edit.setText(defaults["user"])
    dialog.password_edit.setText(defaults["password"])
    dialog.cafile_edit.setText(defaults["cafile"])
    dialog.folders_edit.setText(defaults["folders"])
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData(defaults["security"]))
    dialog._mark_dirty()


def wait_result(qtbot, dialog: MailAccountsDialog) -> tuple[str, str]:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
    return dialog.result_title.text(), dialog.result_label.text()


def test_account_saved_with_its_password_only_in_the_keyring(open_dialog, keyring_service, qtbot, data_dir):
    dialog = open_dialog()
    assert dialog.keyring_ok and "Secret Service" in dialog.keyring_label.text()
    assert not dialog.keyring_retry.isVisible() and dialog.password_edit.isEnabled()
    fill(dialog, folders="INBOX, Lists")
    assert dialog.save_account()
    assert wait_result(qtbot, dialog) == (
        "Saved",
        "The account is saved; its password is in the system keyring.",
    )
    (info,) = mail_store.accounts()
    assert (info.name, info.host, info.folders) == ("Home", "imap.example.org", ("INBOX", "Lists"))
    assert SecretStore().get_password("Home") == PASSWORD
    assert dialog.password_edit.text() == "" and dialog.name_edit.isReadOnly()
    assert "keyring" in dialog.password_edit.placeholderText()
    for path in data_dir.iterdir():
        assert PASSWORD.encode() not in path.read_bytes(), path


def test_no_keyring_is_said_plainly_and_no_password_is_taken(open_dialog, qtbot):
    dialog = open_dialog(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))
    assert dialog.keyring_ok is False
    assert "No system keyring is available" in dialog.keyring_label.text()
    assert "never stores passwords in plain text" in dialog.keyring_label.text()
    assert dialog.keyring_retry.isVisible() and not dialog.password_edit.isEnabled()
    fill(dialog, password="")
    assert dialog.save_account()  # the account itself can be kept; its password cannot
    assert [a.name for a in mail_store.accounts()] == ["Home"]


class SlowKeyring:
    """A keyring that does not answer until released (like a D-Bus service stuck on a prompt).

    Not a ``KeyringBackend`` subclass on purpose: keyring would find it and offer it to every later test.
    """

    release = threading.Event()

    def get_password(self, service, username):
        assert self.release.wait(30)
        return None

    def set_password(self, service, username, password):
        raise NotImplementedError

    def delete_password(self, service, username):
        raise NotImplementedError


def test_a_keyring_that_does_not_answer_never_freezes_the_dialog(open_dialog, qtbot):
    SlowKeyring.release.clear()
    dialog = open_dialog(secrets=SecretStore(backend=SlowKeyring(), timeout=20), wait=False)
    # the dialog is up and usable while the keyring is silent
    assert dialog.keyring_ok is None and dialog.keyring_label.text() == "Checking the system keyring…"
    qtbot.keyClicks(dialog.name_edit, "Typing works")
    assert dialog.name_edit.text() == "Typing works"
    SlowKeyring.release.set()
    qtbot.waitUntil(lambda: dialog.keyring_ok is not None, timeout=20_000)
    assert dialog.keyring_ok


@pytest.mark.parametrize(
    ("change", "title", "words"),
    [
        ({}, "Connection works", "INBOX: 1 messages"),
        ({"password": "wrong"}, "Login failed", "rejected the login for user 'alice'"),
        ({"cafile": ""}, "Untrusted certificate", "self-signed"),
        ({"folders": "INBOX, Projects"}, "Folder missing", "'Projects' does not exist"),
        (
            {"security": "plain", "host": "mail.example.org"},
            "Account settings",
            "only allowed to this computer",
        ),
    ],
)
def test_test_connection_says_exactly_what_went_wrong(
    open_dialog, dovecot, keyring_service, qtbot, change, title, words
):
    from tests.integration.mail_fixtures import synthetic_message

    dovecot.append("INBOX", [synthetic_message(1)])
    dialog = open_dialog()
    fill(dialog, dovecot, **change)
    dialog.test_button.click()
    got_title, got_text = wait_result(qtbot, dialog)
    assert got_title == title and words in got_text
    assert PASSWORD not in got_text and "wrong" not in got_text.replace("went wrong", "")


def test_test_connection_uses_the_stored_password(open_dialog, dovecot, keyring_service, qtbot):
    dialog = open_dialog()
    fill(dialog, dovecot)
    assert dialog.save_account()
    wait_result(qtbot, dialog)
    assert dialog.password_edit.text() == ""
    dialog.test_button.click()
    assert dialog.result_title.text() == "Testing…" and not dialog.test_button.isEnabled()
    assert wait_result(qtbot, dialog)[0] == "Connection works"


def test_remove_account_asks_then_removes_it_and_its_password(open_dialog, keyring_service, qtbot, driver):
    dialog = open_dialog()
    fill(dialog)
    dialog.save_account()
    wait_result(qtbot, dialog)

    def confirm(box: QMessageBox) -> None:
        assert "Remove the mail account “Home”" in box.text()
        next(b for b in box.buttons() if b.text() == "Remove").click()

    driver.then(lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    assert not dialog.remove_account()
    assert [a.name for a in mail_store.accounts()] == ["Home"]
    driver.then(confirm)
    assert dialog.remove_account()
    assert wait_result(qtbot, dialog) == ("Removed", "The account and its password are removed.")
    assert mail_store.accounts() == [] and SecretStore().get_password("Home") is None
    assert dialog.account_list.count() == 0 and not dialog.name_edit.isReadOnly()


def test_rules_are_checked_and_kept_and_close_applies_settings(open_dialog, qtbot, settings):
    dialog = open_dialog(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))
    row = dialog.add_rule()
    dialog.rules_table.item(row, 0).setText("([")
    dialog.auto_sync_spin.setValue(30)
    dialog.buttons.button(dialog.buttons.StandardButton.Close).click()
    assert dialog.isVisible() and "not valid" in dialog.rules_error.text()
    assert dialog.tabs.currentIndex() == 1
    dialog.rules_table.item(row, 0).setText(r"@chess\.example$")
    dialog.rules_table.cellWidget(row, 2).setCurrentIndex(
        dialog.rules_table.cellWidget(row, 2).findData("association")
    )
    dialog.buttons.button(dialog.buttons.StandardButton.Close).click()
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert mail_store.mail_rules() == [
        {"name": "My rule 1", "kind": "invitation", "network": "association", "sender": r"@chess\.example$",
         "subject": ""}
    ]  # fmt: skip
    assert int(settings.value("mail/auto_sync_minutes")) == 30
    again = open_dialog(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))
    assert again.rules() == mail_store.mail_rules() and again.auto_sync_spin.value() == 30


def test_close_saves_a_changed_account_and_refuses_a_bad_one(open_dialog, keyring_service, qtbot):
    dialog = open_dialog()
    fill(dialog, host="")
    dialog.reject()  # Escape: same as Close
    assert dialog.isVisible() and dialog.result_title.text() == "Cannot save the account"
    assert "server name" in dialog.result_label.text()
    dialog.host_edit.setText("imap.example.org")
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)  # closes once the password is stored
    assert SecretStore().get_password("Home") == PASSWORD
    assert [a.name for a in mail_store.accounts()] == ["Home"]


def test_cafile_must_exist(open_dialog, qtbot, tmp_path: Path):
    dialog = open_dialog(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))
    fill(dialog, password="", cafile=str(tmp_path / "missing.pem"))
    assert not dialog.save_account()
    assert dialog.result_title.text() == "Cannot save the account"
    assert "Cannot read the CA file" in dialog.result_label.text()
