"""Whole mail syncs (fetch, classify, store) against a real Dovecot: faults lose or double nothing."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from datetime import date

from groupdesk.mail.imap import fetch_new
from groupdesk.store import mail_store, repository
from groupdesk.store.plan_data import list_unsubscribe_targets
from tests.integration.mail_fixtures import (  # noqa: F401  (fixtures)
    OTHER_USER_PASSWORD,
    PASSWORD,
    Dovecot,
    corpus_files,
    dovecot_fixture,
    synthetic_message,
)


def add_account(server: Dovecot, name: str = "Work", user: str = "alice", **overrides) -> None:
    config = server.account(name=name, user=user, **overrides)
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


def sync(name: str = "Work", password: str = PASSWORD, **fetch_options) -> mail_store.SyncSummary:
    """One sync the way ``groupdesk mail sync`` and the window do it: fetch, then store."""
    info = mail_store.get_account(name)
    config = replace(info.config(), connect_timeout=5.0, read_timeout=fetch_options.pop("read_timeout", 10.0))
    ahead = mail_store.ClassifyAhead(mail_store.classifier())  # classifies while fetching
    try:
        batch = fetch_new(config, password, info.folder_state, on_messages=ahead, **fetch_options)
    finally:
        classified = ahead.finish()
    return mail_store.apply_sync(name, batch, ahead.classifier, date.today(), classified=classified)


def counts(db) -> dict[str, int]:
    out = {}
    for table in ("group", "invite", "seen_message", "mail_list"):
        out[table] = db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    out["traffic"] = db.execute_sql("SELECT TOTAL(count) FROM list_traffic").fetchone()[0]
    return out


def restart(server: Dovecot) -> None:
    """Start a killed Dovecot again (pointing the stored accounts at it if its ports moved)."""
    old = (server.imap_port, server.imaps_port)
    server.start()
    if (server.imap_port, server.imaps_port) != old:
        mail_store.MailAccount.update(port=server.imaps_port).execute()


def test_full_sync_of_the_corpus(store, dovecot):
    dovecot.load_corpus()
    add_account(dovecot)
    summary = sync()
    assert summary.complete and summary.fetched == len(corpus_files())
    assert len(summary.invitations) == len(corpus_files("invite_"))
    assert summary.list_messages == len(corpus_files("list_"))
    invited = [r for r in repository.load_rows() if r.status == "invited"]
    assert len(invited) == len(corpus_files("invite_"))
    assert all(len(repository.invites(r.id)) == 1 for r in invited)
    assert {d.list_id for d in summary.discovered} == {
        "meetup:copenhagen tech meetup",
        "project-announce.lists.example.com",
    }
    assert len(list_unsubscribe_targets()) == 5
    before = counts(store)
    again = sync()
    assert again.fetched == 0 and counts(store) == before


def test_killed_server_mid_sync_resumes_with_exact_counts(store, dovecot):
    dovecot.load_corpus()
    dovecot.append("Big", [synthetic_message(i, list_id="big.lists.example.org") for i in range(1000)])
    add_account(dovecot, folders=["INBOX", "Big"])

    def kill_in_big(folder: str, done: int, _total: int) -> None:
        if folder == "Big" and done >= 200:
            dovecot.kill()

    first = sync(progress=kill_in_big, chunk_size=200)
    assert first.error is not None and first.error.kind == "connection"
    assert "was lost" in first.error.message
    assert len(first.invitations) == 10  # INBOX was complete and is stored
    assert mail_store.list_traffic("big.lists.example.org") == {}
    assert set(mail_store.folder_state("Work")) == {"INBOX"}
    assert mail_store.get_account("Work").last_error == first.error.message

    restart(dovecot)
    second = sync()
    assert second.complete and second.fetched == 1000 and second.invitations == []
    assert sum(mail_store.list_traffic("big.lists.example.org").values()) == 1000
    after = counts(store)
    assert after["invite"] == 10 and after["traffic"] == 1000 + len(corpus_files("list_"))
    third = sync()
    assert third.fetched == 0 and counts(store) == after


def test_a_server_that_stops_answering_times_out_and_the_next_sync_catches_up(store, dovecot):
    dovecot.append("INBOX", [synthetic_message(i, list_id="slow.lists.example.org") for i in range(600)])
    add_account(dovecot)
    frozen: list[int] = []

    def freeze(_folder: str, done: int, _total: int) -> None:
        if done >= 200 and not frozen and dovecot.proc is not None:
            os.killpg(dovecot.proc.pid, signal.SIGSTOP)  # alive but silent
            frozen.append(dovecot.proc.pid)

    started = time.monotonic()
    try:
        stalled = sync(progress=freeze, chunk_size=200, read_timeout=1.0)
    finally:
        for pid in frozen:
            os.killpg(pid, signal.SIGCONT)
    assert time.monotonic() - started < 15
    assert stalled.error is not None and stalled.error.kind in ("timeout", "connection")
    assert "did not answer" in stalled.error.message or "was lost" in stalled.error.message
    assert mail_store.folder_state("Work") == {} and mail_store.list_traffic("slow.lists.example.org") == {}
    caught_up = sync()
    assert caught_up.complete and sum(mail_store.list_traffic("slow.lists.example.org").values()) == 600


def test_uidvalidity_change_reads_the_folder_again_without_doubling(store, dovecot):
    old = [synthetic_message(i, list_id="reset.lists.example.org") for i in range(5)]
    dovecot.append("Groups", old)
    add_account(dovecot, folders=["Groups"])
    first = sync()
    validity = mail_store.folder_state("Work")["Groups"][0]
    assert first.list_messages == 5

    dovecot.delete_folder("Groups")
    time.sleep(1.1)  # Dovecot derives UIDVALIDITY from the clock in seconds
    dovecot.append("Groups", [*old, synthetic_message(99, list_id="reset.lists.example.org")])
    second = sync()
    assert second.complete and second.fetched == 6
    assert second.list_messages == 1 and second.duplicates == 5
    assert mail_store.folder_state("Work")["Groups"] != (validity, 5)
    assert sum(mail_store.list_traffic("reset.lists.example.org").values()) == 6


def test_the_same_mail_in_another_folder_or_account_counts_once(store, dovecot):
    shared = [synthetic_message(i, list_id="shared.lists.example.org") for i in range(3)]
    dovecot.append("INBOX", shared)
    dovecot.append("Archive", shared[:2])
    dovecot.append("INBOX", shared, user="bob")
    add_account(dovecot)
    assert sync().list_messages == 3
    mail_store.save_account(
        {**_values("Work"), "folders": ["INBOX", "Archive"]}, original="Work"
    )  # a folder added later
    assert sync().list_messages == 0
    add_account(dovecot, name="Bob", user="bob")
    bob = sync("Bob", OTHER_USER_PASSWORD)
    assert bob.fetched == 3 and bob.list_messages == 0 and bob.duplicates == 3
    assert sum(mail_store.list_traffic("shared.lists.example.org").values()) == 3


def _values(name: str) -> dict:
    info = mail_store.get_account(name)
    return {k: getattr(info, k) for k in mail_store.ACCOUNT_FIELDS}


def test_wrong_password_and_missing_folder_keep_state_clean(store, dovecot):
    dovecot.append("INBOX", [synthetic_message(1, list_id="a.lists.example.org")])
    add_account(dovecot, folders=["INBOX", "Missing"])
    denied = sync(password="wrong")
    assert denied.error is not None and denied.error.kind == "login" and mail_store.folder_state("Work") == {}
    partial = sync()
    assert partial.error is None and set(partial.folder_errors) == {"Missing"}
    assert partial.folder_errors["Missing"].kind == "folder"
    assert mail_store.folder_state("Work").keys() == {"INBOX"} and partial.list_messages == 1
    assert "'Missing' does not exist" in mail_store.get_account("Work").last_error
