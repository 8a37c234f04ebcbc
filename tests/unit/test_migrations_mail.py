"""Migration step 4 (the mail sync's tables) on a hand-made schema-3 file: rows kept, the same schema
as a new file, harmless when run twice or over a half-migrated file, and no password column anywhere."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from groupdesk.store import migrations
from groupdesk.store.db import DB_FILENAME, close_db, init_db
from groupdesk.store.migrations import SCHEMA_VERSION
from tests.unit.old_files import query, write_sql_file

MAIL_TABLES = ("mail_account", "mail_folder_state", "mail_list", "list_traffic", "seen_message", "mail_rule")

#: Schema 3 as GroupDesk wrote it before the mail sync (frozen here; never generated from the models).
V3_SQL = """
CREATE TABLE "import_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "file" TEXT NOT NULL,
  "kind" VARCHAR(255) NOT NULL, "sha256" VARCHAR(255), "new_count" INTEGER NOT NULL,
  "updated_count" INTEGER NOT NULL, "unchanged_count" INTEGER NOT NULL, "skipped_count" INTEGER NOT NULL,
  "undone" INTEGER NOT NULL);
CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "network" VARCHAR(255) NOT NULL, "url" TEXT, "external_id" TEXT, "status" VARCHAR(255) NOT NULL,
  "how_joined" VARCHAR(255) NOT NULL, "invited_by" TEXT, "invite_personal" INTEGER, "invited_on" DATE,
  "joined_on" DATE, "left_on" DATE, "cost_amount" REAL, "cost_period" VARCHAR(255) NOT NULL,
  "currency" VARCHAR(255), "hours_per_month" REAL, "emails_per_week" REAL, "last_group_activity" DATE,
  "posts_per_week" REAL, "value_to_me" INTEGER, "value_from_me" INTEGER, "spam_level" INTEGER,
  "review_on" DATE, "commitment_per_month" INTEGER, "tags" TEXT, "notes" TEXT, "source" TEXT,
  "user_fields" TEXT NOT NULL, "import_batch_id" INTEGER, "created_at" DATETIME NOT NULL,
  "updated_at" DATETIME NOT NULL,
  FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "group_name_key" ON "group" ("name_key");
CREATE INDEX "group_network" ON "group" ("network");
CREATE INDEX "group_status" ON "group" ("status");
CREATE INDEX "group_import_batch_id" ON "group" ("import_batch_id");
CREATE INDEX "group_network_external_id" ON "group" ("network", "external_id");
CREATE TABLE "contribution" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL,
  "date" DATE NOT NULL, "kind" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, "import_batch_id" INTEGER,
  FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE,
  FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "contribution_group_id" ON "contribution" ("group_id");
CREATE INDEX "contribution_date" ON "contribution" ("date");
CREATE INDEX "contribution_import_batch_id" ON "contribution" ("import_batch_id");
CREATE TABLE "decision" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL,
  "at" DATETIME NOT NULL, "action" VARCHAR(255) NOT NULL, "reasons" TEXT NOT NULL, "answers" TEXT NOT NULL,
  "note" TEXT NOT NULL,
  "import_batch_id" INTEGER, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE,
  FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "decision_group_id" ON "decision" ("group_id");
CREATE INDEX "decision_import_batch_id" ON "decision" ("import_batch_id");
CREATE TABLE "import_change" ("id" INTEGER NOT NULL PRIMARY KEY, "batch_id" INTEGER NOT NULL,
  "group_id" INTEGER NOT NULL, "field_name" VARCHAR(255) NOT NULL, "old_value", "new_value",
  FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE,
  FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE);
CREATE INDEX "import_change_batch_id" ON "import_change" ("batch_id");
CREATE INDEX "import_change_group_id" ON "import_change" ("group_id");
CREATE TABLE "invite" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL,
  "received_at" DATETIME NOT NULL, "inviter" TEXT NOT NULL, "channel" VARCHAR(255) NOT NULL,
  "message_id" TEXT, "subject" TEXT NOT NULL, "personal" INTEGER, "import_batch_id" INTEGER,
  FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE,
  FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "invite_group_id" ON "invite" ("group_id");
CREATE UNIQUE INDEX "invite_message_id" ON "invite" ("message_id");
CREATE INDEX "invite_import_batch_id" ON "invite" ("import_batch_id");
CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);

INSERT INTO "group" (id, name, name_key, network, external_id, status, how_joined, cost_period, user_fields,
  created_at, updated_at) VALUES
  (1, 'Board Games Oost', 'board games oost', 'mailing_list', 'boardgames.lists.example.org', 'member',
   'self', 'none', '["emails_per_week"]', '2025-01-02 10:00:00', '2025-01-02 10:00:00'),
  (2, 'Pixel Art Club', 'pixel art club', 'discord', NULL, 'invited', 'invited', 'none', '[]',
   '2025-02-03 11:00:00', '2025-02-03 11:00:00');
INSERT INTO invite (id, group_id, received_at, inviter, channel, message_id, subject, personal) VALUES
  (1, 2, '2025-02-03 11:00:00', 'Ana', 'email', '<discord.inv.99@discord.com>', 'Join Pixel Art Club', 1);
INSERT INTO setting (key, value) VALUES ('theme', 'light');
PRAGMA user_version = 3;
"""


@pytest.fixture(autouse=True)
def _close_after_test():
    yield
    close_db()


@pytest.fixture
def v3_file(tmp_path: Path) -> Path:
    return write_sql_file(tmp_path / DB_FILENAME, V3_SQL)


def table_schema(path: Path, tables: tuple[str, ...] = MAIL_TABLES) -> dict[str, object]:
    """Columns (name, type, not null, default, primary key), foreign keys and indexes of each table."""
    out: dict[str, object] = {}
    for table in tables:
        columns = [tuple(r[1:]) for r in query(path, f'PRAGMA table_info("{table}")')]
        keys = [tuple(r[2:]) for r in query(path, f'PRAGMA foreign_key_list("{table}")')]
        indexes = sorted(
            (name, unique, tuple(c[2] for c in query(path, f'PRAGMA index_info("{name}")')))
            for _, name, unique, *_ in query(path, f'PRAGMA index_list("{table}")')
        )
        out[table] = (columns, keys, indexes)
    return out


def test_the_fixture_really_is_schema_3(v3_file: Path) -> None:
    assert query(v3_file, "PRAGMA user_version") == [(3,)]
    tables = {r[0] for r in query(v3_file, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not tables & set(MAIL_TABLES)
    assert SCHEMA_VERSION >= 4


def test_schema_3_migrates_to_the_schema_of_a_new_file_and_keeps_every_row(v3_file: Path, tmp_path: Path):
    before = {
        t: query(v3_file, f'SELECT * FROM "{t}" ORDER BY rowid') for t in ("group", "invite", "setting")
    }
    init_db(v3_file)
    close_db()
    assert query(v3_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    after = {t: query(v3_file, f'SELECT * FROM "{t}" ORDER BY rowid') for t in before}
    # later steps add columns at the end; the old ones keep every value
    assert {t: [r[: len(before[t][0])] for r in rows] for t, rows in after.items()} == before
    assert list(tmp_path.glob(f"{DB_FILENAME}.v3-*.bak")), "no backup was made before migrating"

    fresh = tmp_path / "fresh" / DB_FILENAME
    init_db(fresh)
    close_db()
    assert query(fresh, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert table_schema(v3_file) == table_schema(fresh)
    for table, (columns, _keys, _indexes) in table_schema(fresh).items():
        assert columns, table
        assert not any("pass" in c[0].lower() or "secret" in c[0].lower() for c in columns), table


def test_step_4_twice_or_over_a_half_migrated_file_is_harmless(v3_file: Path):
    conn = sqlite3.connect(v3_file)
    try:  # an earlier run stopped after the first table
        conn.execute(migrations._STEP_4_SQL[0])
        conn.execute("INSERT INTO mail_account (name, host, port, security, user, folders, look_back_days, "
                     "created_at) VALUES ('Home', 'imap.example.org', NULL, 'ssl', 'me', '[\"INBOX\"]', 365, "
                     "'2025-03-01 09:00:00')")  # fmt: skip
        conn.commit()
    finally:
        conn.close()
    database = init_db(v3_file)
    migrations._step_4(database)  # once more on the finished file
    close_db()
    assert query(v3_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(v3_file, "SELECT name, host FROM mail_account") == [("Home", "imap.example.org")]
    assert set(table_schema(v3_file)) == set(MAIL_TABLES)


def test_the_mail_sync_works_on_a_migrated_file(v3_file: Path):
    from groupdesk.mail.imap import MailMessage, SyncBatch
    from groupdesk.store import mail_store, repository

    init_db(v3_file)
    mail_store.save_account({"name": "Home", "host": "imap.example.org", "user": "me"})
    board = {
        "from": "Board <bg@lists.example.org>",
        "subject": "Game night",
        "date": "Mon, 02 Jun 2025 09:00:00 +0000",
        "message-id": "<gn-1@lists.example.org>",
        "list-id": "Board Games Oost <boardgames.lists.example.org>",
        "list-unsubscribe": "<mailto:boardgames-leave@lists.example.org>",
    }
    invitation = {
        "from": "Discord <noreply@discord.com>",
        "subject": "You've been invited to join Pixel Art Club",
        "date": "Mon, 03 Feb 2025 11:00:00 +0000",
        "message-id": "<discord.inv.99@discord.com>",
    }
    messages = [MailMessage("INBOX", 1, board), MailMessage("INBOX", 2, invitation)]
    summary = mail_store.apply_sync(
        "Home", SyncBatch(messages=messages, state={"INBOX": (9, 2)}), today=date(2025, 6, 4)
    )
    assert summary.invitations == [] and summary.duplicates == 1  # the old invite's Message-ID
    (seen,) = summary.lists
    assert seen.group_id == 1 and summary.discovered == []
    assert repository.group_values(1)["emails_per_week"] is None  # typed by the user: kept
    assert mail_store.folder_state("Home") == {"INBOX": (9, 2)}
