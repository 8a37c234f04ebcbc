"""Migration step 5 (online activity checks) on a hand-made schema-4 file: every row kept, the same group
columns and cache table as a new file, harmless twice or half-done, and the checks work on the result."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from groupdesk.store import migrations
from groupdesk.store.db import DB_FILENAME, close_db, init_db
from groupdesk.store.migrations import SCHEMA_VERSION
from tests.unit.old_files import query, write_sql_file

NEW_COLUMNS = [name for name, _type in migrations.STEP_5_GROUP_COLUMNS]

#: Schema 4 exactly as GroupDesk wrote it before the activity checks (frozen here, never generated).
V4_SQL = """
CREATE TABLE "import_batch" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, "file" TEXT NOT
  NULL, "kind" VARCHAR(255) NOT NULL, "sha256" VARCHAR(255), "new_count" INTEGER NOT NULL,
  "updated_count" INTEGER NOT NULL, "unchanged_count" INTEGER NOT NULL, "skipped_count" INTEGER NOT
  NULL, "undone" INTEGER NOT NULL);
CREATE TABLE "group" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL, "name_key" TEXT NOT NULL,
  "network" VARCHAR(255) NOT NULL, "url" TEXT, "external_id" TEXT, "status" VARCHAR(255) NOT NULL,
  "how_joined" VARCHAR(255) NOT NULL, "invited_by" TEXT, "invite_personal" INTEGER, "invited_on" DATE,
  "joined_on" DATE, "left_on" DATE, "cost_amount" REAL, "cost_period" VARCHAR(255) NOT NULL, "currency"
  VARCHAR(255), "hours_per_month" REAL, "emails_per_week" REAL, "last_group_activity" DATE,
  "posts_per_week" REAL, "value_to_me" INTEGER, "value_from_me" INTEGER, "spam_level" INTEGER,
  "review_on" DATE, "commitment_per_month" INTEGER, "tags" TEXT, "notes" TEXT, "source" TEXT,
  "user_fields" TEXT NOT NULL, "import_batch_id" INTEGER, "created_at" DATETIME NOT NULL, "updated_at"
  DATETIME NOT NULL, FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET
  NULL);
CREATE INDEX "group_name_key" ON "group" ("name_key");
CREATE INDEX "group_network" ON "group" ("network");
CREATE INDEX "group_status" ON "group" ("status");
CREATE INDEX "group_import_batch_id" ON "group" ("import_batch_id");
CREATE INDEX "group_network_external_id" ON "group" ("network", "external_id");
CREATE TABLE "contribution" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "date" DATE
  NOT NULL, "kind" VARCHAR(255) NOT NULL, "note" TEXT NOT NULL, "import_batch_id" INTEGER, FOREIGN KEY
  ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE, FOREIGN KEY ("import_batch_id") REFERENCES
  "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "contribution_group_id" ON "contribution" ("group_id");
CREATE INDEX "contribution_date" ON "contribution" ("date");
CREATE INDEX "contribution_import_batch_id" ON "contribution" ("import_batch_id");
CREATE TABLE "decision" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "at" DATETIME
  NOT NULL, "action" VARCHAR(255) NOT NULL, "reasons" TEXT NOT NULL, "answers" TEXT NOT NULL, "note"
  TEXT NOT NULL, "import_batch_id" INTEGER, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE
  CASCADE, FOREIGN KEY ("import_batch_id") REFERENCES "import_batch" ("id") ON DELETE SET NULL);
CREATE INDEX "decision_group_id" ON "decision" ("group_id");
CREATE INDEX "decision_import_batch_id" ON "decision" ("import_batch_id");
CREATE TABLE "import_change" ("id" INTEGER NOT NULL PRIMARY KEY, "batch_id" INTEGER NOT NULL, "group_id"
  INTEGER NOT NULL, "field_name" VARCHAR(255) NOT NULL, "old_value", "new_value", FOREIGN KEY
  ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE, FOREIGN KEY ("group_id") REFERENCES
  "group" ("id") ON DELETE CASCADE);
CREATE INDEX "import_change_batch_id" ON "import_change" ("batch_id");
CREATE INDEX "import_change_group_id" ON "import_change" ("group_id");
CREATE TABLE "invite" ("id" INTEGER NOT NULL PRIMARY KEY, "group_id" INTEGER NOT NULL, "received_at"
  DATETIME NOT NULL, "inviter" TEXT NOT NULL, "channel" VARCHAR(255) NOT NULL, "message_id" TEXT,
  "subject" TEXT NOT NULL, "personal" INTEGER, "import_batch_id" INTEGER, FOREIGN KEY ("group_id")
  REFERENCES "group" ("id") ON DELETE CASCADE, FOREIGN KEY ("import_batch_id") REFERENCES "import_batch"
  ("id") ON DELETE SET NULL);
CREATE INDEX "invite_group_id" ON "invite" ("group_id");
CREATE UNIQUE INDEX "invite_message_id" ON "invite" ("message_id");
CREATE INDEX "invite_import_batch_id" ON "invite" ("import_batch_id");
CREATE TABLE "list_traffic" ("id" INTEGER NOT NULL PRIMARY KEY, "list_id" TEXT NOT NULL, "week"
  VARCHAR(255) NOT NULL, "count" INTEGER NOT NULL);
CREATE UNIQUE INDEX "list_traffic_list_id_week" ON "list_traffic" ("list_id", "week");
CREATE TABLE "mail_account" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) NOT NULL, "host"
  TEXT NOT NULL, "port" INTEGER, "security" VARCHAR(255) NOT NULL, "user" TEXT NOT NULL, "folders" TEXT
  NOT NULL, "cafile" TEXT, "look_back_days" INTEGER NOT NULL, "last_sync_at" DATETIME, "last_error"
  TEXT, "created_at" DATETIME NOT NULL);
CREATE UNIQUE INDEX "mail_account_name" ON "mail_account" ("name");
CREATE TABLE "mail_folder_state" ("id" INTEGER NOT NULL PRIMARY KEY, "account_id" INTEGER NOT NULL,
  "folder" TEXT NOT NULL, "uidvalidity" INTEGER NOT NULL, "last_uid" INTEGER NOT NULL, FOREIGN KEY
  ("account_id") REFERENCES "mail_account" ("id") ON DELETE CASCADE);
CREATE INDEX "mail_folder_state_account_id" ON "mail_folder_state" ("account_id");
CREATE UNIQUE INDEX "mail_folder_state_account_id_folder" ON "mail_folder_state" ("account_id",
  "folder");
CREATE TABLE "mail_list" ("id" INTEGER NOT NULL PRIMARY KEY, "list_id" TEXT NOT NULL, "name" TEXT NOT
  NULL, "network" VARCHAR(255) NOT NULL, "platform" VARCHAR(255) NOT NULL, "group_id" INTEGER,
  "list_unsubscribe" TEXT, "one_click" INTEGER NOT NULL, "ignored" INTEGER NOT NULL, "first_seen"
  DATETIME NOT NULL, "last_seen" DATE, FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE SET
  NULL);
CREATE UNIQUE INDEX "mail_list_list_id" ON "mail_list" ("list_id");
CREATE INDEX "mail_list_group_id" ON "mail_list" ("group_id");
CREATE TABLE "mail_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "position" INTEGER NOT NULL, "name" TEXT
  NOT NULL, "kind" VARCHAR(255) NOT NULL, "network" VARCHAR(255) NOT NULL, "sender" TEXT NOT NULL,
  "subject" TEXT NOT NULL);
CREATE TABLE "seen_message" ("message_id" TEXT NOT NULL PRIMARY KEY, "kind" VARCHAR(255) NOT NULL,
  "list_id" TEXT, "seen_at" DATETIME NOT NULL);
CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL);

INSERT INTO import_batch (id, at, file, kind, sha256, new_count, updated_count, unchanged_count,
  skipped_count, undone) VALUES (1, '2025-01-02 10:00:00', 'groups.csv', 'native', NULL, 2, 0, 0, 0, 0);
INSERT INTO "group" (id, name, name_key, network, url, external_id, status, how_joined, cost_period,
  last_group_activity, posts_per_week, user_fields, import_batch_id, created_at, updated_at) VALUES
  (1, 'Board Games Oost Forum', 'board games oost forum', 'forum', 'https://forum.example.org/latest', NULL,
   'member', 'self', 'none', '2024-06-01', 1.5, '["posts_per_week"]', 1, '2025-01-02 10:00:00',
   '2025-01-02 10:00:00'),
  (2, 'Pixel Art Club', 'pixel art club', 'discord', 'https://discord.gg/pixelart', NULL, 'invited',
   'invited', 'none', NULL, NULL, '[]', 1, '2025-02-03 11:00:00', '2025-02-03 11:00:00');
INSERT INTO contribution (id, group_id, date, kind, note) VALUES (1, 1, '2025-02-01', 'post', 'Hello');
INSERT INTO mail_account (id, name, host, port, security, user, folders, look_back_days, created_at)
  VALUES (1, 'Home', 'imap.example.org', NULL, 'ssl', 'me', '["INBOX"]', 365, '2025-03-01 09:00:00');
INSERT INTO setting (key, value) VALUES ('theme', 'light');
PRAGMA user_version = 4;
"""


@pytest.fixture(autouse=True)
def _close_after_test():
    yield
    close_db()


@pytest.fixture
def v4_file(tmp_path: Path) -> Path:
    return write_sql_file(tmp_path / DB_FILENAME, V4_SQL)


def group_columns(path: Path) -> dict[str, tuple]:
    """Group columns by name: (type, not null, default, primary key)."""
    return {r[1]: tuple(r[2:]) for r in query(path, 'PRAGMA table_info("group")')}


def cache_table(path: Path) -> list[tuple]:
    return [tuple(r[1:]) for r in query(path, 'PRAGMA table_info("probe_cache")')]


TABLES = ("import_batch", "group", "contribution", "mail_account", "setting")


def test_the_fixture_really_is_schema_4(v4_file: Path) -> None:
    assert query(v4_file, "PRAGMA user_version") == [(4,)]
    assert not set(NEW_COLUMNS) & set(group_columns(v4_file))
    assert query(v4_file, "SELECT name FROM sqlite_master WHERE name = 'probe_cache'") == []
    assert SCHEMA_VERSION >= 5


def test_schema_4_migrates_to_the_schema_of_a_new_file_and_keeps_every_row(v4_file: Path, tmp_path: Path):
    before = {t: query(v4_file, f'SELECT * FROM "{t}" ORDER BY rowid') for t in TABLES}
    init_db(v4_file)
    close_db()
    assert query(v4_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    after = {t: query(v4_file, f'SELECT * FROM "{t}" ORDER BY rowid') for t in TABLES}
    assert {t: [r[: len(before[t][0])] for r in rows] for t, rows in after.items()} == before
    assert query(v4_file, f'SELECT {", ".join(NEW_COLUMNS)} FROM "group"') == [(None,) * len(NEW_COLUMNS)] * 2
    assert list(tmp_path.glob(f"{DB_FILENAME}.v4-*.bak")), "no backup was made before migrating"

    fresh = tmp_path / "fresh" / DB_FILENAME
    init_db(fresh)
    close_db()
    assert group_columns(v4_file) == group_columns(fresh)
    assert cache_table(v4_file) == cache_table(fresh) != []
    assert query(v4_file, "PRAGMA integrity_check") == [("ok",)]
    assert query(v4_file, "PRAGMA foreign_key_check") == []


def test_step_5_twice_or_over_a_half_migrated_file_is_harmless(v4_file: Path):
    conn = sqlite3.connect(v4_file)
    try:  # an earlier run stopped after two columns
        conn.execute('ALTER TABLE "group" ADD COLUMN "activity_members" INTEGER')
        conn.execute('ALTER TABLE "group" ADD COLUMN "activity_active_users" INTEGER')
        conn.execute('UPDATE "group" SET activity_members = 77 WHERE id = 1')
        conn.commit()
    finally:
        conn.close()
    database = init_db(v4_file)
    migrations.STEPS[5](database)  # once more on the finished file
    close_db()
    assert query(v4_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert set(NEW_COLUMNS) <= set(group_columns(v4_file))
    assert query(v4_file, 'SELECT activity_members FROM "group" ORDER BY id') == [(77,), (None,)]


def test_the_activity_check_works_on_a_migrated_file(v4_file: Path):
    from groupdesk.probes import Figures, ProbeError, ResponseCache
    from groupdesk.probes.http import CacheEntry
    from groupdesk.store import probe_store, repository

    init_db(v4_file)
    now = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)
    selection = probe_store.select_groups()
    assert [c.id for c in selection.candidates] == [1, 2]
    measured = Figures(
        platform="discourse",
        source_url="https://forum.example.org/about.json",
        measured_at=now,
        members=2310,
        posts_per_week=63.0,
        last_activity=date(2025, 3, 13),
    )
    cache = ResponseCache({"https://forum.example.org/about.json": CacheEntry('"e"', None, "{}", now)})
    summary = probe_store.apply_results(
        [
            (1, measured),
            (2, ProbeError("not_found", "The Discord invite pixelart is invalid or has expired.")),
        ],
        cache=cache,
        now=now,
        today=date(2025, 3, 14),
    )
    assert summary.measured == [1] and summary.failed == [2] and summary.kept_typed == [1]
    values = repository.group_values(1)
    assert values["posts_per_week"] == 1.5  # typed before the migration: kept
    assert values["last_group_activity"] == date(2025, 3, 13)
    assert probe_store.activity_of(1).members == 2310
    assert probe_store.activity_of(2).error_kind == "not_found"
    assert list(probe_store.load_cache(now=now).entries) == ["https://forum.example.org/about.json"]
    assert "dead" not in repository.load_rows(date(2025, 3, 14), ids=[1])[0].flags
