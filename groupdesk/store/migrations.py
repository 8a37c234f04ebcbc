"""Schema versions and the migration runner.

The version lives in ``PRAGMA user_version``. Before any step runs on an existing file it is
copied aside (``<name>.v<old>-<stamp>.bak``) with SQLite's online backup. Every step checks the
schema it changes (columns, tables) so running it twice, or over a half-migrated file, is harmless.
A file newer than ``SCHEMA_VERSION`` is refused before anything is written.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the window's quick start reads SCHEMA_VERSION without Peewee
    from peewee import Database

log = logging.getLogger(__name__)

SCHEMA_VERSION = 5


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer GroupDesk than this one."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            f"The data file {path} was written by a newer GroupDesk (schema {version}; this version "
            f"understands up to {SCHEMA_VERSION}). Please update GroupDesk; the file was not changed."
        )
        self.path = path
        self.version = version


def read_version(path: Path) -> int:
    """``PRAGMA user_version`` of the file at ``path`` (0 for a missing or empty file)."""
    if not path.exists() or path.stat().st_size == 0:
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def table_names(database: Database) -> set[str]:
    """Names of the tables in the database."""
    rows = database.execute_sql("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {r[0] for r in rows}


def column_names(database: Database, table: str) -> set[str]:
    """Names of the columns of ``table`` (empty when the table does not exist)."""
    return {r[1] for r in database.execute_sql(f'PRAGMA table_info("{table}")').fetchall()}


def add_column(database: Database, table: str, column: str, ddl: str) -> None:
    """Add ``column`` to ``table`` unless it is already there."""
    if column not in column_names(database, table):
        database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {ddl}')


def backup(database: Database, path: Path, version: int) -> Path:
    """Copy the open database aside with SQLite's backup API and return the copy's path."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.v{version}-{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.v{version}-{stamp}-{n}.bak")
    dest = sqlite3.connect(str(target))
    try:
        database.connection().backup(dest)
    finally:
        dest.close()
    log.info("Backed up %s to %s before migrating", path, target)
    return target


def _step_2(database: Database) -> None:
    """Schema 2: user-typed field tracking, import batches on rows, commitments, settings."""
    add_column(database, "group", "user_fields", "TEXT NOT NULL DEFAULT '[]'")
    add_column(database, "group", "commitment_per_month", "INTEGER")
    add_column(
        database,
        "group",
        "import_batch_id",
        "INTEGER REFERENCES import_batch (id) ON DELETE SET NULL",
    )
    add_column(
        database,
        "contribution",
        "import_batch_id",
        "INTEGER REFERENCES import_batch (id) ON DELETE SET NULL",
    )
    if "setting" not in table_names(database):
        database.execute_sql(
            'CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)'
        )


def _step_3(database: Database) -> None:
    """Schema 3: import batches on decisions and invitations, and the fields an import changed (undo)."""
    for table in ("decision", "invite"):
        add_column(
            database,
            table,
            "import_batch_id",
            "INTEGER REFERENCES import_batch (id) ON DELETE SET NULL",
        )
    if "import_change" not in table_names(database):
        database.execute_sql(
            'CREATE TABLE "import_change" ("id" INTEGER NOT NULL PRIMARY KEY, "batch_id" INTEGER NOT NULL, '
            '"group_id" INTEGER NOT NULL, "field_name" VARCHAR(255) NOT NULL, "old_value", "new_value", '
            'FOREIGN KEY ("batch_id") REFERENCES "import_batch" ("id") ON DELETE CASCADE, '
            'FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE CASCADE)'
        )
    for column in ("batch_id", "group_id"):
        database.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "import_change_{column}" ON "import_change" ("{column}")'
        )
    for table in ("decision", "invite"):
        database.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "{table}_import_batch_id" ON "{table}" ("import_batch_id")'
        )


#: Schema 4's tables and indexes, exactly as Peewee creates them for ``store.mail_store``'s models.
_STEP_4_SQL = (
    'CREATE TABLE IF NOT EXISTS "mail_account" ("id" INTEGER NOT NULL PRIMARY KEY, '
    '"name" VARCHAR(255) NOT NULL, "host" TEXT NOT NULL, "port" INTEGER, "security" VARCHAR(255) NOT NULL, '
    '"user" TEXT NOT NULL, '
    '"folders" TEXT NOT NULL, "cafile" TEXT, "look_back_days" INTEGER NOT NULL, "last_sync_at" DATETIME, '
    '"last_error" TEXT, "created_at" DATETIME NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "mail_account_name" ON "mail_account" ("name")',
    'CREATE TABLE IF NOT EXISTS "mail_folder_state" ("id" INTEGER NOT NULL PRIMARY KEY, '
    '"account_id" INTEGER NOT NULL, "folder" TEXT NOT NULL, "uidvalidity" INTEGER NOT NULL, '
    '"last_uid" INTEGER NOT NULL, '
    'FOREIGN KEY ("account_id") REFERENCES "mail_account" ("id") ON DELETE CASCADE)',
    'CREATE INDEX IF NOT EXISTS "mail_folder_state_account_id" ON "mail_folder_state" ("account_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "mail_folder_state_account_id_folder" '
    'ON "mail_folder_state" ("account_id", "folder")',
    'CREATE TABLE IF NOT EXISTS "mail_list" ("id" INTEGER NOT NULL PRIMARY KEY, "list_id" TEXT NOT NULL, '
    '"name" TEXT NOT NULL, "network" VARCHAR(255) NOT NULL, "platform" VARCHAR(255) NOT NULL, '
    '"group_id" INTEGER, "list_unsubscribe" TEXT, "one_click" INTEGER NOT NULL, "ignored" INTEGER NOT NULL, '
    '"first_seen" DATETIME NOT NULL, "last_seen" DATE, '
    'FOREIGN KEY ("group_id") REFERENCES "group" ("id") ON DELETE SET NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "mail_list_list_id" ON "mail_list" ("list_id")',
    'CREATE INDEX IF NOT EXISTS "mail_list_group_id" ON "mail_list" ("group_id")',
    'CREATE TABLE IF NOT EXISTS "list_traffic" ("id" INTEGER NOT NULL PRIMARY KEY, "list_id" TEXT NOT NULL, '
    '"week" VARCHAR(255) NOT NULL, "count" INTEGER NOT NULL)',
    'CREATE UNIQUE INDEX IF NOT EXISTS "list_traffic_list_id_week" ON "list_traffic" ("list_id", "week")',
    'CREATE TABLE IF NOT EXISTS "seen_message" ("message_id" TEXT NOT NULL PRIMARY KEY, '
    '"kind" VARCHAR(255) NOT NULL, "list_id" TEXT, "seen_at" DATETIME NOT NULL)',
    'CREATE TABLE IF NOT EXISTS "mail_rule" ("id" INTEGER NOT NULL PRIMARY KEY, "position" INTEGER NOT NULL, '
    '"name" TEXT NOT NULL, "kind" VARCHAR(255) NOT NULL, "network" VARCHAR(255) NOT NULL, '
    '"sender" TEXT NOT NULL, "subject" TEXT NOT NULL)',
)


def _step_4(database: Database) -> None:
    """Schema 4: mail sync — accounts (never a password), folder state, lists, traffic, seen ids, rules."""
    for statement in _STEP_4_SQL:
        database.execute_sql(statement)


#: Schema 5's group columns (name → type), exactly as Peewee creates them for ``models.Group``.
STEP_5_GROUP_COLUMNS = (
    ("activity_members", "INTEGER"),
    ("activity_active_users", "INTEGER"),
    ("activity_active_window", "VARCHAR(255)"),
    ("activity_posts_per_week", "REAL"),
    ("activity_source", "VARCHAR(255)"),
    ("activity_source_url", "TEXT"),
    ("activity_measured_at", "DATETIME"),
    ("activity_title", "TEXT"),
    ("activity_notes", "TEXT"),
    ("probe_error_kind", "VARCHAR(255)"),
    ("probe_error_message", "TEXT"),
    ("probe_error_at", "DATETIME"),
)


def _step_5(database: Database) -> None:
    """Schema 5: online activity checks — the last figures and failure per group, the answer cache."""
    for column, ddl in STEP_5_GROUP_COLUMNS:
        add_column(database, "group", column, ddl)
    database.execute_sql(
        'CREATE TABLE IF NOT EXISTS "probe_cache" ("url" TEXT NOT NULL PRIMARY KEY, "etag" TEXT, '
        '"last_modified" TEXT, "body" TEXT NOT NULL, "fetched_at" DATETIME NOT NULL)'
    )


#: Steps by the version they produce. Version 1 is the first released schema.
STEPS: dict[int, Callable[[Database], None]] = {2: _step_2, 3: _step_3, 4: _step_4, 5: _step_5}


def migrate(database: Database, path: Path, models: Iterable[type]) -> int:
    """Bring the database to ``SCHEMA_VERSION``; return the version it had before."""
    version = int(database.execute_sql("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(path, version)
    if version == SCHEMA_VERSION:
        return version
    if version == 0 and not table_names(database):
        with database.atomic():
            database.create_tables(list(models), safe=True)
        database.execute_sql(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return 0
    backup(database, path, version)
    for target in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
        log.info("Migrating %s to schema %d", path, target)
        with database.atomic():
            STEPS[target](database)
            database.execute_sql(f"PRAGMA user_version = {target}")
    # Tables and indexes that a step did not need to alter by hand.
    database.create_tables(list(models), safe=True)
    return version
