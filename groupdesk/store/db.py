"""The one database entry point: open the SQLite file, set pragmas, create or migrate the schema."""

from __future__ import annotations

import logging
from pathlib import Path

from peewee import SqliteDatabase

from groupdesk.store import migrations
from groupdesk.store.models import ALL_MODELS, db

log = logging.getLogger(__name__)

DB_FILENAME = "groupdesk.db"
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": 1,  # NORMAL: safe with WAL
    "cache_size": -16000,
}


def init_db(path: Path | str, *, migrate: bool = True) -> SqliteDatabase:
    """Open (creating if needed) the database at ``path`` and bind every model to it.

    A new file gets the current schema. An older schema is copied aside, then migrated step by
    step. A schema newer than this program knows raises ``migrations.SchemaTooNewError`` and the
    file is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    close_db()
    database = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    version = migrations.read_version(path)
    if version > migrations.SCHEMA_VERSION:
        raise migrations.SchemaTooNewError(path, version)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if migrate:
        migrations.migrate(database, path, ALL_MODELS)
    return database


def close_db() -> None:
    """Close the current database connection, if any."""
    if db.obj is not None and not db.is_closed():
        db.close()
