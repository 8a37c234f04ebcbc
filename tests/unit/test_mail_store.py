"""The mail sync's store side on a real SQLite file: accounts, apply_sync, traffic, discovered lists."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from groupdesk.errors import UserError
from groupdesk.mail.imap import MailError, MailMessage, SyncBatch, parse_header_block
from groupdesk.store import mail_store as ms
from groupdesk.store import repository as repo
from groupdesk.store.plan_data import list_unsubscribe_targets

MAIL = Path(__file__).resolve().parent.parent / "data" / "mail"
TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 12, 0, 0)


@pytest.fixture
def db(store):
    """The test's store (``init_db`` creates the mail tables with the rest)."""
    return store


def eml(name: str, folder: str = "INBOX", uid: int = 1) -> MailMessage:
    raw = (MAIL / name).read_bytes().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    return MailMessage(folder, uid, parse_header_block(raw))


def corpus(folder: str = "INBOX") -> list[MailMessage]:
    return [eml(p.name, folder, i + 1) for i, p in enumerate(sorted(MAIL.glob("*.eml")))]


def list_mail(
    uid: int, list_id: str, day: date, name: str = "Test list", folder: str = "INBOX"
) -> MailMessage:
    return MailMessage(
        folder,
        uid,
        {
            "from": f"Poster {uid} <p{uid}@example.net>",
            "subject": f"Post {uid}",
            "date": datetime(day.year, day.month, day.day, 10, 0).strftime("%a, %d %b %Y %H:%M:%S +0000"),
            "message-id": f"<post-{uid}-{list_id}@example.net>",
            "list-id": f"{name} <{list_id}>",
            "list-unsubscribe": f"<mailto:leave-{uid}@{list_id}>",
        },
    )


def batch(messages: list[MailMessage], state: dict | None = None, **kw) -> SyncBatch:
    folders = {m.folder for m in messages} or {"INBOX"}
    return SyncBatch(
        messages=messages, state=state if state is not None else {f: (7, 100) for f in folders}, **kw
    )


def add_account(name: str = "Work", **values) -> ms.AccountInfo:
    return ms.save_account({"name": name, "host": "imap.example.org", "user": "alice", **values})


def group_by_name(name: str) -> dict:
    rows = [r for r in repo.load_rows() if r.name == name]
    assert len(rows) == 1, (name, [r.name for r in repo.load_rows()])
    return {"id": rows[0].id, **repo.group_values(rows[0].id)}


def count(db, table: str) -> int:
    return db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


# ---------------------------------------------------------------------------------------------- accounts


def test_accounts_are_stored_without_any_password_column(db):
    info = add_account(port=993, folders=["INBOX", "Lists"], cafile=None, look_back_days=30)
    assert info.name == "Work" and info.folders == ("INBOX", "Lists") and info.look_back_days == 30
    assert [a.name for a in ms.accounts()] == ["Work"]
    assert ms.get_account("Work").config().effective_port == 993
    for model in ms.MAIL_MODELS:
        columns = {r[1] for r in db.execute_sql(f'PRAGMA table_info("{model._meta.table_name}")')}
        assert columns, model
        assert not any("pass" in c.lower() or "secret" in c.lower() for c in columns), (model, columns)
    with pytest.raises(UserError, match="Unknown mail account field"):
        ms.save_account({"name": "X", "host": "h", "user": "u", "password": "nope"})


def test_account_checks(db):
    add_account()
    with pytest.raises(UserError, match="exists already"):
        add_account()
    with pytest.raises(MailError, match="only allowed to this computer"):
        add_account("Other", security="plain")
    assert add_account("Local", host="localhost", security="plain").security == "plain"
    with pytest.raises(MailError, match="needs a server name"):
        ms.save_account({"name": "No host", "user": "u"})
    with pytest.raises(UserError, match="no mail account named"):
        ms.get_account("Missing")


def test_moving_an_account_to_another_server_starts_its_folders_over(db):
    add_account()
    ms.apply_sync("Work", batch([], {"INBOX": (5, 40)}), today=TODAY, now=NOW)
    assert ms.folder_state("Work") == {"INBOX": (5, 40)}
    ms.save_account({"name": "Work", "host": "imap.example.org", "user": "alice", "folders": "INBOX, Lists"},
                    original="Work")  # fmt: skip
    assert ms.folder_state("Work") == {"INBOX": (5, 40)}  # same mailbox: state kept
    renamed = ms.save_account({"name": "Job", "host": "mail.example.com", "user": "alice"}, original="Work")
    assert renamed.name == "Job" and ms.folder_state("Job") == {}
    assert ms.delete_account("Job") is True and ms.accounts() == []
    assert count(db, "mail_folder_state") == 0
    assert ms.delete_account("Job") is False


# ---------------------------------------------------------------------------------------------- syncing


def test_invitations_become_invited_groups_with_invite_rows(db):
    add_account()
    summary = ms.apply_sync("Work", batch(corpus()), today=TODAY, now=NOW)
    assert summary.error is None and summary.complete
    assert len(summary.invitations) == 10
    assert {i.network for i in summary.invitations} == {
        "mailing_list", "linkedin", "facebook", "meetup", "slack", "discord", "forum",
    }  # fmt: skip
    linkedin = group_by_name("Python Developers Danmark")
    assert linkedin["status"] == "invited" and linkedin["how_joined"] == "invited"
    assert linkedin["invited_by"] == "Søren Ørsted" and linkedin["invite_personal"] is True
    assert linkedin["invited_on"] == date(2026, 11, 5)
    (invite,) = repo.invites(linkedin["id"])
    assert invite["channel"] == "email" and invite["inviter"] == "Søren Ørsted" and invite["personal"]
    assert invite["message_id"] == "<1377411254.21@ltx1-app.linkedin.com>"
    assert invite["subject"] == "Søren Ørsted invited you to join Python Developers Danmark"
    discord = group_by_name("Pixel Art Club")
    assert discord["network"] == "discord" and discord["invite_personal"] is False
    # the Mailman invitation named the list by address; its own mail gave it a real name
    board = group_by_name("Board Games Oost")
    assert board["external_id"] == "boardgames.lists.example.org" and board["status"] == "invited"
    assert summary.created_group_ids == {i.group_id for i in summary.invitations}
    assert "Board Games Oost" in {i.group_name for i in summary.invitations}


def test_the_same_messages_again_change_nothing(db):
    """A folder read again (UIDVALIDITY changed) or copied to another folder counts nothing twice."""
    add_account()
    first = ms.apply_sync("Work", batch(corpus()), today=TODAY, now=NOW)
    tables = ("group", "invite", "list_traffic", "mail_list", "seen_message")
    before = {t: count(db, t) for t in tables}
    traffic = db.execute_sql("SELECT list_id, week, count FROM list_traffic ORDER BY 1, 2").fetchall()
    again = ms.apply_sync("Work", batch(corpus("INBOX") + corpus("Archive")), today=TODAY, now=NOW)
    assert again.invitations == [] and again.list_messages == 0
    assert again.duplicates == len(corpus()) + len(first.invitations) + first.list_messages
    assert {t: count(db, t) for t in tables} == before
    assert db.execute_sql("SELECT list_id, week, count FROM list_traffic ORDER BY 1, 2").fetchall() == traffic


def test_invitation_attaches_to_the_existing_group_and_keeps_what_the_user_typed(db):
    add_account()
    by_id = repo.create_group(
        {"name": "Climbers", "network": "mailing_list", "external_id": "climbing-cph.googlegroups.com",
         "status": "member", "emails_per_week": 9}
    )  # fmt: skip
    by_name = repo.create_group({"name": "pixel art club", "network": "discord", "invited_by": "Me"})
    summary = ms.apply_sync("Work", batch(corpus()), today=TODAY, now=NOW)
    found = {i.group_id: i for i in summary.invitations}
    assert found[by_id].new_group is False and found[by_name].new_group is False
    climbers = repo.group_values(by_id)
    assert climbers["status"] == "member"  # an invitation never demotes a membership
    assert climbers["invited_by"] == "Jonas Lind"  # was empty: filled in
    assert climbers["emails_per_week"] == 9  # typed by the user: kept
    assert repo.group_values(by_name)["invited_by"] == "Me"
    assert len(repo.invites(by_name)) == 1
    assert {by_id, by_name} <= summary.changed_group_ids
    assert count(db, "group") == 2 + 8  # the other eight invitations made groups


def test_list_traffic_gives_emails_per_week_and_activity(db):
    add_account()
    gid = repo.create_group(
        {"name": "Hikers", "network": "mailing_list", "external_id": "hikers.lists.example.org"},
    )
    repo.update_group(gid, {"emails_per_week": None}, typed_by_user=False)
    monday = date(2026, 8, 31)  # ISO week 36: twelve whole weeks before TODAY's week
    messages = [
        list_mail(i, "hikers.lists.example.org", monday + timedelta(weeks=w, days=d))
        for i, (w, d) in enumerate((w, d) for w in range(12) for d in range(3 if w % 2 else 1))
    ]
    summary = ms.apply_sync("Work", batch(messages), today=TODAY, now=NOW)
    assert summary.list_messages == len(messages) == 24
    (seen,) = summary.lists
    assert seen.group_id == gid and seen.messages == 24
    weekly = ms.list_traffic("hikers.lists.example.org")
    assert sum(weekly.values()) == 24 and weekly["2026-W37"] == 3 and weekly["2026-W36"] == 1
    values = repo.group_values(gid)
    assert values["emails_per_week"] == seen.emails_per_week == 2.0  # 24 in the 12 whole weeks
    assert values["last_group_activity"] == monday + timedelta(weeks=11, days=2)
    assert ms.group_lists(gid) == ["hikers.lists.example.org"]
    # the user types a rate: the next sync leaves it alone
    repo.update_group(gid, {"emails_per_week": 30})
    ms.apply_sync("Work", batch([list_mail(100, "hikers.lists.example.org", TODAY)]), today=TODAY, now=NOW)
    assert repo.group_values(gid)["emails_per_week"] == 30
    assert repo.group_values(gid)["last_group_activity"] == TODAY


def test_lists_without_a_group_are_discovered_not_added(db):
    add_account()
    groups_before = count(db, "group")
    messages = [list_mail(1, "chess.lists.example.org", TODAY, "Chess Club"),
                list_mail(2, "chess.lists.example.org", TODAY, "Chess Club"),
                list_mail(3, "jazz.lists.example.org", TODAY, "Jazz")]  # fmt: skip
    summary = ms.apply_sync("Work", batch(messages), today=TODAY, now=NOW)
    assert count(db, "group") == groups_before
    assert [(d.list_id, d.name, d.messages, d.new) for d in summary.discovered] == [
        ("chess.lists.example.org", "Chess Club", 2, True),
        ("jazz.lists.example.org", "Jazz", 1, True),
    ]
    assert summary.new_discovered == summary.discovered
    later = ms.apply_sync("Work", batch([list_mail(4, "jazz.lists.example.org", TODAY)]), today=TODAY)
    assert [d.new for d in later.discovered] == [False, False]  # still offered, no longer new
    assert ms.ignore_discovered(["jazz.lists.example.org"]) == 1
    assert [d.list_id for d in ms.discovered_lists(TODAY)] == ["chess.lists.example.org"]
    (gid,) = ms.add_discovered(["chess.lists.example.org"], today=TODAY)
    chess = repo.group_values(gid)
    assert chess["name"] == "Chess Club" and chess["status"] == "member"
    assert chess["network"] == "mailing_list" and chess["external_id"] == "chess.lists.example.org"
    assert chess["emails_per_week"] == 2.0 and chess["last_group_activity"] == TODAY
    assert ms.discovered_lists(TODAY) == []
    assert list_unsubscribe_targets()[gid] == ("mailto:leave-2@chess.lists.example.org",)


def test_a_deleted_group_lets_its_list_be_discovered_again_and_relinks_when_restored(db):
    add_account()
    ms.apply_sync("Work", batch([list_mail(1, "go.lists.example.org", TODAY, "Go")]), today=TODAY)
    (gid,) = ms.add_discovered(["go.lists.example.org"], today=TODAY)
    snapshots = repo.delete_groups([gid])
    assert [d.list_id for d in ms.discovered_lists(TODAY)] == ["go.lists.example.org"]
    repo.restore_groups(snapshots)  # undo of the delete
    assert ms.discovered_lists(TODAY) == []
    assert ms.group_lists(gid) == ["go.lists.example.org"]


def test_unsubscribe_targets_reach_the_plan(db):
    add_account()
    summary = ms.apply_sync("Work", batch(corpus()), today=TODAY, now=NOW)
    targets = list_unsubscribe_targets()
    hikers = group_by_name("hikers-nord")
    assert targets[hikers["id"]] == (
        "https://groups.io/g/hikers-nord/leave/123,456",
        "mailto:hikers-nord+unsubscribe@groups.io",
    )
    discovered = {d.list_id: d for d in summary.discovered}
    assert discovered["project-announce.lists.example.com"].unsubscribe == ()
    stored = db.execute_sql(
        "SELECT list_unsubscribe FROM mail_list WHERE list_id = 'hikers-nord.groups.io'"
    ).fetchone()[0]
    assert json.loads(stored)[0].startswith("https://groups.io/")


def test_a_failed_sync_keeps_finished_folders_and_says_why(db):
    add_account(folders=["INBOX", "Big"])
    error = MailError("connection", "The connection to imap.example.org:993 was lost.")
    partial = SyncBatch(messages=corpus("INBOX"), state={"INBOX": (3, 23)}, error=error)
    summary = ms.apply_sync("Work", partial, today=TODAY, now=NOW)
    assert summary.error is error and not summary.complete and len(summary.invitations) == 10
    info = ms.get_account("Work")
    assert info.folder_state == {"INBOX": (3, 23)}
    assert info.last_error == error.message and info.last_sync_at == NOW
    ok = ms.apply_sync("Work", batch([], {"INBOX": (3, 23), "Big": (4, 10)}), today=TODAY, now=NOW)
    assert ok.complete and ms.get_account("Work").last_error is None
    assert ms.folder_state("Work") == {"INBOX": (3, 23), "Big": (4, 10)}


def test_messages_and_state_are_stored_together_or_not_at_all(db, monkeypatch):
    add_account()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ms, "_store_lists", broken)
    with pytest.raises(RuntimeError):
        ms.apply_sync("Work", batch(corpus(), {"INBOX": (1, 23)}), today=TODAY, now=NOW)
    assert ms.folder_state("Work") == {}
    for table in ("group", "invite", "seen_message", "mail_list"):
        assert count(db, table) == 0, table


def test_user_rules_are_checked_stored_and_used(db):
    with pytest.raises(UserError, match="not valid"):
        ms.save_mail_rules([{"sender": "(", "network": "forum"}])
    with pytest.raises(UserError, match="unknown network"):
        ms.save_mail_rules([{"sender": "@x.org", "network": "myspace"}])
    saved = ms.save_mail_rules(
        [
            {"sender": r"@chess\.example$", "subject": "", "network": "association"},
            {"sender": "", "subject": ""},
        ]
    )
    assert saved == [
        {"name": "My rule 1", "kind": "invitation", "network": "association", "sender": r"@chess\.example$",
         "subject": ""}
    ]  # fmt: skip
    assert ms.mail_rules() == saved
    add_account()
    message = MailMessage(
        "INBOX",
        1,
        {
            "from": "Chess Club <board@chess.example>",
            "subject": "Mia has invited you to join Knights of Oost",
            "date": "Mon, 23 Nov 2026 10:00:00 +0000",
            "message-id": "<chess-1@chess.example>",
        },
    )
    summary = ms.apply_sync("Work", batch([message]), ms.classifier(), today=TODAY, now=NOW)
    (found,) = summary.invitations
    assert (found.group_name, found.network, found.inviter, found.personal) == (
        "Knights of Oost", "association", "Mia", True,
    )  # fmt: skip


def test_classify_ahead_gives_the_same_answers_and_apply_sync_uses_them(db, monkeypatch):
    add_account()
    rules = ms.classifier()
    ahead = ms.ClassifyAhead(rules)
    messages = corpus()
    ahead(messages[:10])
    ahead(messages[10:])
    ahead([eml("invite_slack.eml", "Unfinished", 99)])  # a folder that did not complete
    classified = ahead.finish()
    assert len(classified) == len(messages) + 1
    for message in messages:
        assert classified[(message.folder, message.uid)] == rules.classify(message.headers)

    def no_more(_headers):
        raise AssertionError("classified twice")

    monkeypatch.setattr(rules, "classify", no_more)
    summary = ms.apply_sync("Work", batch(messages), rules, TODAY, now=NOW, classified=classified)
    assert len(summary.invitations) == 10 and summary.list_messages == 8
