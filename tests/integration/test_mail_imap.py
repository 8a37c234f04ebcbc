"""Mail sync against a real, private Dovecot: TLS, STARTTLS, faults, incremental state, no leaks."""

from __future__ import annotations

import imaplib
import logging
import re
import socket
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from mail_fixtures import (  # noqa: F401  (dovecot_fixture provides the dovecot fixture)
    PASSWORD,
    Dovecot,
    corpus_files,
    dovecot_fixture,
    free_port,
    synthetic_message,
)

from groupdesk.mail.classify import classify
from groupdesk.mail.imap import MailAccountConfig, fetch_new, test_connection

PW = PASSWORD


def subjects(batch) -> list[str]:
    return [m.headers.get("subject", "") for m in batch.messages]


class SentCommands:
    """Counts tagged IMAP command lines actually written to the socket (independent of the wrapper)."""

    TAGGED = re.compile(rb"^[A-Z]+\d+ ([A-Z]+(?: [A-Z]+)?)")

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lines: list[str] = []
        original = imaplib.IMAP4.send

        def send(imap, data):
            match = self.TAGGED.match(bytes(data))
            if match:
                self.lines.append(match.group(1).decode())
            return original(imap, data)

        monkeypatch.setattr(imaplib.IMAP4, "send", send)

    def after_login(self) -> list[str]:
        return self.lines[self.lines.index("LOGIN") + 1 :]


# -- connection and TLS ---------------------------------------------------------------------------


def test_ssl_sync_fetches_and_classifies_the_corpus(dovecot: Dovecot):
    files = dovecot.load_corpus()
    batch = fetch_new(dovecot.account(), PW)
    assert batch.error is None and batch.complete
    assert len(batch.messages) == len(files)
    uidvalidity, last_uid = batch.state["INBOX"]
    assert uidvalidity > 0 and last_uid == len(files)
    kinds = Counter(classify(m.headers).kind for m in batch.messages)
    assert kinds == {
        "invitation": len(corpus_files("invite_")),
        "list": len(corpus_files("list_")),
        "other": len(corpus_files("noise_")),
    }
    # headers only: no body text came along
    assert all("body" not in m.headers for m in batch.messages)


def test_starttls_sync(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(1), synthetic_message(2)])
    batch = fetch_new(dovecot.account("starttls"), PW)
    assert batch.error is None
    assert sorted(subjects(batch)) == ["Message number 1", "Message number 2"]


def test_connection_report_success(dovecot: Dovecot):
    dovecot.append("Lists", [synthetic_message(1)])
    report = test_connection(dovecot.account(folders=["INBOX", "Lists"]), PW)
    assert report.ok, report.message
    assert report.folder_counts == {"INBOX": 0, "Lists": 1}
    assert "certificate verified" in report.steps[0]
    assert report.message.startswith("Connection works.")


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_refused_without_cafile(dovecot: Dovecot, security: str):
    dovecot.append("INBOX", [synthetic_message(1)])
    log_before = len(dovecot.log())
    report = test_connection(dovecot.account(security, cafile=None), PW)
    assert not report.ok
    assert report.error is not None and report.error.kind == "certificate"
    assert "self-signed" in report.error.message
    batch = fetch_new(dovecot.account(security, cafile=None), PW)
    assert batch.error is not None and batch.error.kind == "certificate"
    assert batch.messages == [] and batch.state == {}
    # Dovecot never saw a login attempt: the password did not leave this process
    new_log = dovecot.log()[log_before:]
    assert "no auth attempts" in new_log
    assert "user=<alice>" not in new_log
    # ...and with the CA file the same server is accepted
    assert test_connection(dovecot.account(security), PW).ok


def test_certificate_for_another_name_is_refused(dovecot: Dovecot):
    # the certificate names localhost and 127.0.0.1 only; this machine's own name also reaches it
    name = socket.gethostname()
    try:
        reaches_loopback = socket.gethostbyname(name) == "127.0.0.1"
    except OSError:
        reaches_loopback = False
    if not reaches_loopback or name == "localhost":
        pytest.skip("this machine's host name does not resolve to 127.0.0.1")
    report = test_connection(dovecot.account(host=name), PW)
    assert report.error is not None and report.error.kind == "certificate"
    assert name in report.error.message


def test_plain_to_localhost_only_when_chosen(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(1)])
    batch = fetch_new(dovecot.account("plain", cafile=None), PW)
    assert batch.error is None and len(batch.messages) == 1
    remote = MailAccountConfig(name="x", host="mail.example.org", user="a", security="plain")
    report = test_connection(remote, PW)
    assert report.error is not None and report.error.kind == "config"


def test_starttls_required_when_the_server_does_not_offer_it():
    """A server without STARTTLS never receives the password in clear text."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n")
            conn.settimeout(3)
            try:
                while data := conn.recv(4096):
                    received.append(data)
                    tag, _, command = data.partition(b" ")
                    if command.upper().startswith(b"CAPABILITY"):
                        conn.sendall(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n" + tag + b" OK done\r\n")
                    else:
                        conn.sendall(tag + b" BAD no\r\n")
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    config = MailAccountConfig(
        name="fake", host="127.0.0.1", port=port, user="alice", security="starttls", read_timeout=3
    )
    try:
        report = test_connection(config, PW)
    finally:
        thread.join(5)
        server.close()
    assert report.error is not None and report.error.kind == "tls"
    assert "does not offer STARTTLS" in report.error.message
    assert not any(b"LOGIN" in chunk.upper() for chunk in received)
    assert not any(PW.encode() in chunk for chunk in received)


# -- faults ------------------------------------------------------------------------------------------


def test_wrong_password(dovecot: Dovecot):
    wrong = "Wrong-" + PW
    report = test_connection(dovecot.account(), wrong)
    assert report.error is not None and report.error.kind == "login"
    assert "alice" in report.error.message
    assert wrong not in report.error.message and PW not in report.error.message
    batch = fetch_new(dovecot.account(), wrong, {"INBOX": (1, 5)})
    assert batch.error is not None and batch.error.kind == "login"
    assert batch.state == {}


def test_missing_folder(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(1)])
    report = test_connection(dovecot.account(folders=["INBOX", "Groups"]), PW)
    assert report.error is not None and report.error.kind == "folder"
    assert "'Groups'" in report.error.message and "INBOX" in report.error.message
    assert report.server_folders == ["INBOX"]
    # during a sync the other folders still go through
    batch = fetch_new(dovecot.account(folders=["Groups", "INBOX"]), PW)
    assert batch.error is None
    assert set(batch.folder_errors) == {"Groups"}
    assert batch.folder_errors["Groups"].kind == "folder"
    assert set(batch.state) == {"INBOX"} and len(batch.messages) == 1
    assert not batch.complete


def test_connection_refused():
    config = MailAccountConfig(name="x", host="127.0.0.1", port=free_port(), user="alice")
    report = test_connection(config, PW)
    assert report.error is not None and report.error.kind == "refused"
    assert fetch_new(config, PW).error.kind == "refused"


def test_server_that_never_answers_times_out():
    silent = socket.create_server(("127.0.0.1", 0))  # accepts connections, never says a word
    try:
        config = MailAccountConfig(
            name="x",
            host="127.0.0.1",
            port=silent.getsockname()[1],
            user="alice",
            connect_timeout=0.5,  # the greeting is awaited with the connect timeout
            read_timeout=0.5,
        )
        started = time.monotonic()
        report = test_connection(config, PW)
        assert time.monotonic() - started < 5
    finally:
        silent.close()
    assert report.error is not None and report.error.kind == "timeout"
    assert "did not answer" in report.error.message


def test_unknown_host_is_a_dns_error():
    config = MailAccountConfig(name="x", host="no-such-host.invalid", user="alice", connect_timeout=5)
    report = test_connection(config, PW)
    assert report.error is not None and report.error.kind == "dns"
    assert "no-such-host.invalid" in report.error.message


def test_killed_server_mid_fetch_leaves_state_and_resumes(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(i) for i in range(5)])
    dovecot.append("Big", [synthetic_message(100 + i) for i in range(1000)])
    config = dovecot.account(folders=["INBOX", "Big"])
    calls: list[tuple[str, int, int]] = []

    def progress(folder: str, done: int, total: int) -> None:
        calls.append((folder, done, total))
        if folder == "Big" and done >= 200:
            dovecot.kill()

    batch = fetch_new(config, PW, {}, progress=progress, chunk_size=200)
    assert batch.error is not None and batch.error.kind == "connection"
    assert "lost" in batch.error.message
    # INBOX was complete and is kept; Big was not: no state and none of its messages
    assert set(batch.state) == {"INBOX"}
    assert {m.folder for m in batch.messages} == {"INBOX"} and len(batch.messages) == 5
    assert ("Big", 200, 1000) in calls

    dovecot.start()
    resumed = fetch_new(config, PW, batch.state)
    assert resumed.error is None
    assert len(resumed.messages) == 1000 and {m.folder for m in resumed.messages} == {"Big"}
    every = [m.key for m in batch.messages + resumed.messages]
    assert len(every) == len(set(every)) == 1005  # nothing lost, nothing doubled
    assert resumed.state["INBOX"] == batch.state["INBOX"]


def test_cancel_keeps_only_finished_folders(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(i) for i in range(3)])
    dovecot.append("Big", [synthetic_message(100 + i) for i in range(300)])
    cancel = threading.Event()

    def progress(folder: str, done: int, total: int) -> None:
        if folder == "Big" and done >= 100:
            cancel.set()

    config = dovecot.account(folders=["INBOX", "Big"])
    batch = fetch_new(config, PW, {}, cancel=cancel, progress=progress, chunk_size=100)
    assert batch.cancelled and batch.error is None and not batch.complete
    assert set(batch.state) == {"INBOX"} and len(batch.messages) == 3
    rest = fetch_new(config, PW, batch.state)
    assert len(rest.messages) == 300


# -- incremental state -------------------------------------------------------------------------------


def test_incremental_sync_fetches_each_message_once(dovecot: Dovecot, monkeypatch):
    dovecot.append("INBOX", [synthetic_message(i) for i in range(20)])
    config = dovecot.account()
    first = fetch_new(config, PW)
    assert len(first.messages) == 20

    sent = SentCommands(monkeypatch)
    second = fetch_new(config, PW, first.state)
    assert second.messages == [] and second.error is None
    assert second.state == first.state
    assert len(sent.after_login()) <= 3, sent.after_login()  # EXAMINE + LOGOUT
    assert second.commands == len(sent.after_login())

    dovecot.append("INBOX", [synthetic_message(500)])
    third = fetch_new(config, PW, second.state)
    assert subjects(third) == ["Message number 500"]
    assert third.messages[0].uid == 21
    assert third.state["INBOX"] == (first.state["INBOX"][0], 21)
    assert fetch_new(config, PW, third.state).messages == []


def test_look_back_skips_old_mail_and_stays_cheap(dovecot: Dovecot, monkeypatch):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    dovecot.append(
        "INBOX",
        [synthetic_message(1), synthetic_message(2), synthetic_message(3)],
        dates=[now - timedelta(days=400), now - timedelta(days=30), now - timedelta(days=800)],
    )
    config = dovecot.account(look_back_days=365)
    first = fetch_new(config, PW)
    assert subjects(first) == ["Message number 2"]
    assert first.state["INBOX"][1] == 3  # the old ones are behind us, not fetched later
    sent = SentCommands(monkeypatch)
    again = fetch_new(config, PW, first.state)
    assert again.messages == []
    assert len(sent.after_login()) <= 3


def test_uidvalidity_change_starts_the_folder_over(dovecot: Dovecot):
    dovecot.append("Groups", [synthetic_message(1), synthetic_message(2)])
    config = dovecot.account(folders=["Groups"])
    first = fetch_new(config, PW)
    old_validity = first.state["Groups"][0]
    assert len(first.messages) == 2

    dovecot.delete_folder("Groups")
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock in seconds
    dovecot.append("Groups", [synthetic_message(3)])
    second = fetch_new(config, PW, first.state)
    assert second.error is None
    assert second.folders["Groups"].reset
    new_validity, last_uid = second.state["Groups"]
    assert new_validity != old_validity and last_uid == 1
    assert subjects(second) == ["Message number 3"]


def test_same_message_in_two_folders_counts_once(dovecot: Dovecot):
    dovecot.append("INBOX", [synthetic_message(1), synthetic_message(2)])
    dovecot.append("Archive", [synthetic_message(2), synthetic_message(3)])
    batch = fetch_new(dovecot.account(folders=["INBOX", "Archive"]), PW)
    assert sorted(m.message_id for m in batch.messages) == [
        "<synthetic-1@example.net>",
        "<synthetic-2@example.net>",
        "<synthetic-3@example.net>",
    ]


# -- the password never leaks ------------------------------------------------------------------------


def test_password_never_in_logs_messages_or_reports(dovecot: Dovecot, caplog, capsys):
    caplog.set_level(logging.DEBUG)  # imapclient logs every protocol line at DEBUG
    dovecot.load_corpus()
    texts: list[str] = []
    good = dovecot.account(folders=["INBOX", "Missing"])
    report = test_connection(good, PW)
    batch = fetch_new(good, PW)
    batch2 = fetch_new(good, PW, batch.state)
    bad_pw = fetch_new(good, PW + "x")
    untrusted = fetch_new(dovecot.account(cafile=None), PW)
    for outcome in (report, batch, batch2, bad_pw, untrusted):
        texts.append(repr(outcome))
    for b in (batch, batch2, bad_pw, untrusted):
        texts.extend(str(e) for e in [b.error, *b.folder_errors.values()] if e is not None)
    texts.extend([*report.steps, report.message])
    assert len(batch.messages) == len(corpus_files())
    assert "LOGIN" in caplog.text  # the protocol really was logged...
    captured = capsys.readouterr()
    haystack = "\n".join([caplog.text, captured.out, captured.err, *texts])
    assert PW not in haystack  # ...and the password is not in any of it
    assert PW.replace('"', '\\"') not in haystack  # nor its IMAP-quoted form
