"""The window's mail sync against a real Dovecot and a real GNOME Keyring: progress, cancel, faults."""

from __future__ import annotations

import threading
from datetime import date

import keyring.backends.fail
import pytest
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QMessageBox

from groupdesk.mail.secrets import SecretStore
from groupdesk.store import mail_store
from groupdesk.ui.dialogs.join_wizard import JoinWizard
from groupdesk.ui.mail_flow import DiscoveredListsDialog, MailFlow, wait_for_threads
from tests.integration.mail_fixtures import (  # noqa: F401  (fixtures)
    OTHER_USER_PASSWORD,
    PASSWORD,
    Dovecot,
    corpus_files,
    dovecot_fixture,
    keyring_service_fixture,
    synthetic_message,
)

TODAY = date.today()


@pytest.fixture
def flow_window(make_window, store):
    """A window with the mail flow attached (threads joined after the test)."""
    made = []

    def _make(secrets=None):
        window = make_window(today=TODAY)
        flow = MailFlow(window, secrets=secrets)
        made.append(flow)
        return window, flow

    yield _make
    for flow in made:
        flow.shutdown()
    assert wait_for_threads(10_000)


def add_account(server: Dovecot, name: str = "Test mail", **overrides) -> None:
    config = server.account(name=name, **overrides)
    mail_store.save_account(
        {
            "name": config.name,
            "host": config.host,
            "port": config.port,
            "security": config.security,
            "user": config.user,
            "folders": list(config.folders),
            "cafile": config.cafile,
        }
    )


def run_sync(qtbot, flow: MailFlow, timeout: int = 60_000) -> list:
    with qtbot.waitSignal(flow.finished, timeout=timeout) as blocker:
        assert flow.sync(manual=True)
    return blocker.args[0]


def names(window) -> set[str]:
    return {r.name for r in window.model.rows()}


def test_actions(flow_window):
    window, flow = flow_window()
    assert flow.action_sync.shortcut().toString() == "F5"
    assert flow.action_sync.text().replace("&", "") == "Sync mail"
    assert flow.action_accounts.text().replace("&", "") == "Mail accounts…"
    assert flow.action_discovered.text().replace("&", "") == "Discovered lists…"
    assert not flow.timer.isActive()
    window.settings.setValue("mail/auto_sync_minutes", 15)
    flow.apply_auto_sync_setting()
    assert flow.timer.isActive() and flow.timer.interval() == 15 * 60_000
    window.settings.setValue("mail/auto_sync_minutes", 0)
    flow.apply_auto_sync_setting()
    assert not flow.timer.isActive()


def test_sync_shows_invitations_and_offers_discovered_lists(
    flow_window, dovecot, keyring_service, qtbot, driver
):
    dovecot.load_corpus()
    add_account(dovecot)
    SecretStore().set_password("Test mail", PASSWORD)
    window, flow = flow_window()
    seen = {}

    def discovered(dialog):
        assert isinstance(dialog, DiscoveredListsDialog)
        seen["lists"] = [item.list_id for item in dialog.items]
        seen["status"] = window.statusBar().currentMessage()
        assert not dialog.add_button.isEnabled()  # nothing is added unless ticked
        dialog.set_checked(["project-announce.lists.example.com"])
        dialog.add_button.click()

    driver.then(discovered)
    (summary,) = run_sync(qtbot, flow)
    assert summary.error is None and len(summary.invitations) == len(corpus_files("invite_"))
    assert seen["lists"] == ["meetup:copenhagen tech meetup", "project-announce.lists.example.com"]
    assert {"Pixel Art Club", "Python Developers Danmark", "Board Games Oost", "project-announce"} <= names(
        window
    )
    assert "Copenhagen Tech Meetup" not in names(window)  # offered, not ticked: not added
    assert seen["status"].startswith("Mail synced. 10 new invitation(s), 8 list message(s) in 8 list(s)")
    assert window.statusBar().currentMessage() == "Added 1 group(s) from your mail."
    assert not flow.progress_bar.isVisible() and not flow.cancel_button.isVisible()

    # the invitations view lists them, and the detail panel shows the invitation mail
    window.show_invitations()
    shown = {window.model.row_at(r).name for r in range(window.model.rowCount())}
    assert "Pixel Art Club" in shown and "project-announce" not in shown
    gid = next(r.id for r in window.model.rows() if r.name == "Python Developers Danmark")
    window.select_ids([gid])
    tree = window.detail.invites
    assert tree.topLevelItemCount() == 1
    texts = [tree.topLevelItem(0).text(c) for c in range(tree.columnCount())]
    assert "Søren Ørsted" in texts
    assert window.action_decide.isEnabled()  # Decide opens the join wizard for it

    def wizard(dialog):
        assert isinstance(dialog, JoinWizard)
        dialog.reject()

    driver.then(wizard)
    window.action_decide.trigger()

    # adding the discovered list was one undoable step
    assert window.undo_stack.canUndo()
    window.undo_stack.undo()
    assert "project-announce" not in names(window)
    assert [d.list_id for d in mail_store.discovered_lists()] == seen["lists"]

    # a second sync finds nothing new and asks nothing
    (again,) = run_sync(qtbot, flow)
    assert again.fetched == 0 and again.invitations == [] and again.new_discovered == []


class GatedSecrets:
    """The real keyring, but reading one account's password waits until the test opens the gate."""

    def __init__(self, gated: str) -> None:
        self.real = SecretStore()
        self.gated = gated
        self.gate = threading.Event()
        self.waiting = threading.Event()

    def get_password(self, name: str) -> str | None:
        if name == self.gated:
            self.waiting.set()
            assert self.gate.wait(30)
        return self.real.get_password(name)


class ProgressLog(QObject):
    """Records the status bar's progress text each time the worker reports progress."""

    def __init__(self, flow: MailFlow) -> None:
        super().__init__()
        self.flow = flow
        self.texts: list[str] = []
        self.values: list[tuple[int, int]] = []
        flow.started.connect(self.attach)

    @Slot()
    def attach(self) -> None:
        self.flow._worker.progress.connect(self.record)

    @Slot(str, str, int, int)
    def record(self, _account: str, _folder: str, _done: int, _total: int) -> None:
        self.texts.append(self.flow.progress_label.text())
        self.values.append((self.flow.progress_bar.value(), self.flow.progress_bar.maximum()))


def test_progress_and_cancel_then_resume_without_loss(flow_window, dovecot, keyring_service, qtbot, driver):
    dovecot.append("INBOX", [synthetic_message(i, list_id="big.lists.example.org") for i in range(1500)])
    other = [synthetic_message(5000 + i, list_id="other.lists.example.org") for i in range(10)]
    dovecot.append("INBOX", other, user="bob")
    add_account(dovecot, name="A")
    add_account(dovecot, name="B", user="bob")
    SecretStore().set_password("A", PASSWORD)
    SecretStore().set_password("B", OTHER_USER_PASSWORD)
    secrets = GatedSecrets("B")
    window, flow = flow_window(secrets=secrets)
    log = ProgressLog(flow)
    with qtbot.waitSignal(flow.finished, timeout=60_000) as blocker:
        assert flow.sync(manual=True)
        assert flow.progress_bar.isVisible() and flow.cancel_button.isVisible()
        assert not flow.action_sync.isEnabled() and not flow.sync()  # one sync at a time
        qtbot.waitUntil(secrets.waiting.is_set, timeout=30_000)  # A is done, B is starting
        flow.cancel_button.click()
        assert flow.progress_label.text() == "Stopping the mail sync…"
        secrets.gate.set()
    a, b = blocker.args[0]
    assert a.account == "A" and a.complete and a.list_messages == 1500
    assert b.account == "B" and b.cancelled and b.fetched == 0
    assert "A · INBOX: 1,500 of 1,500 messages" in log.texts[-1]
    assert (1500, 1500) in log.values
    assert "stopped" in window.statusBar().currentMessage()
    assert mail_store.folder_state("B") == {} and "INBOX" in mail_store.folder_state("A")
    driver.then(lambda dialog: dialog.later_button.click())  # the lists B gets: decide later
    (ra, rb) = run_sync(qtbot, flow)
    assert ra.fetched == 0 and rb.complete and rb.list_messages == 10
    assert sum(mail_store.list_traffic("big.lists.example.org").values()) == 1500
    assert sum(mail_store.list_traffic("other.lists.example.org").values()) == 10


def test_wrong_password_is_one_clear_message(flow_window, dovecot, keyring_service, qtbot, driver):
    dovecot.append("INBOX", [synthetic_message(1)])
    add_account(dovecot)
    SecretStore().set_password("Test mail", "not-the-password")
    window, flow = flow_window()
    messages = []

    def failure(box):
        assert isinstance(box, QMessageBox)
        messages.append(box.text())
        box.accept()

    driver.then(failure)
    (summary,) = run_sync(qtbot, flow)
    assert summary.error is not None and summary.error.kind == "login"
    (text,) = messages
    assert text.startswith("Test mail — Login failed\n") and "alice" in text
    assert "not-the-password" not in text
    assert "Mail sync failed" in window.statusBar().currentMessage()
    assert mail_store.get_account("Test mail").last_error == summary.error.message


def test_untrusted_certificate_and_missing_folder(flow_window, dovecot, keyring_service, qtbot, driver):
    dovecot.append("INBOX", [synthetic_message(1)])
    add_account(dovecot, name="No CA", cafile=None)
    add_account(dovecot, name="Folders", folders=["INBOX", "Gone"])
    for name in ("No CA", "Folders"):
        SecretStore().set_password(name, PASSWORD)
    _window, flow = flow_window()
    messages = []
    driver.then(lambda box: (messages.append(box.text()), box.accept()))
    summaries = run_sync(qtbot, flow)
    assert [s.account for s in summaries] == ["Folders", "No CA"]
    (text,) = messages
    assert "Folders (Gone) — Folder missing" in text and "'Gone' does not exist" in text
    assert "No CA — Untrusted certificate" in text and "CA certificate file" in text
    assert mail_store.folder_state("Folders").keys() == {"INBOX"}  # the folder that exists synced


def test_no_keyring_says_so(flow_window, dovecot, qtbot, driver):
    add_account(dovecot)
    _window, flow = flow_window(secrets=SecretStore(backend=keyring.backends.fail.Keyring()))
    messages = []
    driver.then(lambda box: (messages.append(box.text()), box.accept()))
    assert run_sync(qtbot, flow) == []
    (text,) = messages
    assert "Test mail — Keyring" in text and "No system keyring is available" in text


def test_periodic_sync_reports_in_the_status_bar_only(flow_window, dovecot, keyring_service, qtbot):
    dovecot.append("INBOX", [synthetic_message(1, list_id="quiet.lists.example.org")])
    add_account(dovecot, cafile=None)  # fails: no dialog may pop up from a timer
    SecretStore().set_password("Test mail", PASSWORD)
    window, flow = flow_window()
    with qtbot.waitSignal(flow.finished, timeout=60_000):
        flow._timer_fired()
    message = window.statusBar().currentMessage()
    assert message.startswith("Mail sync failed.") and "1 problem(s): The certificate" in message


def test_window_sync_end_to_end_keeps_the_password_out_of_every_file_and_output(
    flow_window, dovecot, keyring_service, qtbot, driver, data_dir, settings, tmp_path, capfd
):
    """Account added in the dialog, synced from the window: the password is only in the keyring."""
    import logging

    from groupdesk.ui.dialogs.mail_accounts import MailAccountsDialog

    dovecot.load_corpus()
    log_path = tmp_path / "debug.log"
    handler = logging.FileHandler(log_path, encoding="utf-8")
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # imapclient logs every protocol line at DEBUG
    try:
        window, flow = flow_window()
        window.settings.setValue("mail/auto_sync_minutes", 60)

        def accounts(dialog):
            assert isinstance(dialog, MailAccountsDialog)
            qtbot.waitUntil(lambda: dialog.keyring_ok is not None, timeout=20_000)
            dialog.name_edit.setText("Home")
            dialog.host_edit.setText(dovecot.host)
            dialog.port_spin.setValue(dovecot.imaps_port)
            dialog.user_edit.setText("alice")
            qtbot.keyClicks(dialog.password_edit, PASSWORD)
            dialog.cafile_edit.setText(str(dovecot.cafile))
            dialog.test_button.click()
            qtbot.waitUntil(lambda: not dialog.busy, timeout=30_000)
            assert dialog.result_title.text() == "Connection works"
            dialog.buttons.button(dialog.buttons.StandardButton.Close).click()  # saves the account
            qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=20_000)

        driver.then(accounts)
        driver.then(lambda dialog: dialog.later_button.click())  # the discovered lists: later
        summaries = run_sync(qtbot, flow)  # no account yet: Sync mail opens the dialog first
        assert [s.account for s in summaries] == ["Home"] and summaries[0].fetched == len(corpus_files())
        assert flow.timer.isActive()
        settings.sync()
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    captured = capfd.readouterr()
    log_text = log_path.read_text(encoding="utf-8")
    assert "LOGIN" in log_text  # the protocol really was logged, at DEBUG...
    secrets = [PASSWORD.encode(), PASSWORD.replace('"', '\\"').encode()]  # and its IMAP-quoted form
    files = [*data_dir.rglob("*"), tmp_path / "window.ini", log_path]
    assert any(p.name == "groupdesk.db" for p in files)
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            assert not any(s in data for s in secrets), path  # ...and the password is in none of it
    assert not any(s.decode() in captured.out + captured.err for s in secrets)
    assert SecretStore().get_password("Home") == PASSWORD


def test_closing_the_window_stops_the_sync(flow_window, dovecot, keyring_service, qtbot):
    dovecot.append("INBOX", [synthetic_message(1, list_id="x.lists.example.org")])
    add_account(dovecot, name="A")
    add_account(dovecot, name="B")
    SecretStore().set_password("A", PASSWORD)
    secrets = GatedSecrets("A")
    window, flow = flow_window(secrets=secrets)
    with qtbot.waitSignal(flow.finished, timeout=60_000) as blocker:
        assert flow.sync(manual=True)
        qtbot.waitUntil(secrets.waiting.is_set, timeout=30_000)
        window.close()
        assert flow._cancel.is_set() and not flow.timer.isActive()
        secrets.gate.set()
    (a,) = blocker.args[0]  # A stopped before its first folder; B was never started
    assert a.cancelled and a.fetched == 0 and mail_store.folder_state("A") == {}
