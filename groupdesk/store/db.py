"""The one database entry point: open the SQLite file, set pragmas, create or migrate the schema.

``init_db`` sets up Peewee (every model is bound to the ``models.db`` proxy). The window can start
faster: ``open_for_reading`` opens a file whose schema is already current with a plain ``sqlite3``
connection that serves the table's reads (``execute``) while Peewee is not even imported, and
``finish_open`` sets Peewee up afterwards (the window calls it right after its first paint).
Whatever needs Peewee before that sets it up first: the repository's functions call
``finish_open``, and importing ``store.models`` does it (``_ModelsImportHook``). Peewee is imported
only inside functions here, so that the read path (``store.rows``) never pulls it in.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peewee import SqliteDatabase

log = logging.getLogger(__name__)

DB_FILENAME = "groupdesk.db"
PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": 1,  # NORMAL: safe with WAL
    "cache_size": -16000,
}

#: Memory-mapped reads for the plain reader: the status bar's totals scan the whole group table.
READER_MMAP_BYTES = 256 * 1024 * 1024

#: The plain connection that serves reads until Peewee is set up (``open_for_reading``).
_reader: sqlite3.Connection | None = None
#: The file that ``finish_open`` sets Peewee up on.
_pending: Path | None = None


def init_db(path: Path | str, *, migrate: bool = True) -> SqliteDatabase:
    """Open (creating if needed) the database at ``path`` and bind every model to it.

    A new file gets the current schema. An older schema is copied aside, then migrated step by
    step. A schema newer than this program knows raises ``migrations.SchemaTooNewError`` and the
    file is left untouched.
    """
    # First, before importing the models: that import must not set Peewee up again (see
    # ``_ModelsImportHook``), and the plain reader, if any, is done.
    close_db()
    from peewee import SqliteDatabase

    from groupdesk.store import migrations
    from groupdesk.store.mail_store import MAIL_MODELS
    from groupdesk.store.models import ALL_MODELS, db

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    close_db()  # a database the imports above may have opened
    database = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    version = migrations.read_version(path)
    if version > migrations.SCHEMA_VERSION:
        raise migrations.SchemaTooNewError(path, version)
    db.initialize(database)
    database.connect(reuse_if_open=True)
    if migrate:
        migrations.migrate(database, path, (*ALL_MODELS, *MAIL_MODELS))
    return database


def connect_reader(path: Path | str) -> sqlite3.Connection | None:
    """A plain read-only ``sqlite3`` connection to the file at ``path`` if its schema is current.

    None, with nothing left open, when the file is missing, empty, unreadable, or of another schema
    version (older: it needs migrating; newer: it must be refused): ``init_db`` handles those.
    """
    from groupdesk.store.migrations import SCHEMA_VERSION

    path = Path(path).resolve()
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        conn = sqlite3.connect(
            path.as_uri() + "?mode=rw",
            uri=True,
            timeout=PRAGMAS["busy_timeout"] / 1000,
            check_same_thread=False,  # whichever thread sets Peewee up may close it
        )
    except (OSError, sqlite3.Error):
        return None
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            conn.close()
            return None
        conn.execute("PRAGMA query_only = 1")  # this connection never writes
        conn.execute(f"PRAGMA mmap_size = {READER_MMAP_BYTES}")  # scans without copying pages
    except sqlite3.Error:
        conn.close()
        return None
    return conn


def open_for_reading(path: Path | str) -> bool:
    """Open the file at ``path`` for reads only, without Peewee, if its schema is current.

    Returns False, with nothing opened, when ``connect_reader`` gives no connection: then
    ``init_db`` is the way in. After True, ``execute`` serves reads and ``finish_open`` sets
    Peewee up on the file.
    """
    global _reader, _pending
    close_db()
    conn = connect_reader(path)
    if conn is None:
        return False
    _reader, _pending = conn, Path(path).resolve()
    sys.meta_path.insert(0, _ModelsImportHook)
    return True


class _ModelsImportHook:
    """While Peewee's set-up waits (``open_for_reading``), importing ``store.models`` finishes it.

    Code that uses the models without the repository (the decision journal, the plan, imports)
    imports them first; this finder wraps that import so the models are bound before it returns.
    It sits on ``sys.meta_path`` only while the set-up waits.
    """

    NAME = "groupdesk.store.models"

    @classmethod
    def find_spec(cls, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> Any:
        """The models' usual spec, with a loader that finishes the set-up after running them."""
        if name != cls.NAME or _pending is None:
            return None
        spec = None
        for finder in sys.meta_path:  # whoever would find it (the file system, or a bundle)
            find = getattr(finder, "find_spec", None)
            if finder is not cls and find is not None:
                spec = find(name, path, target)
                if spec is not None:
                    break
        loader = spec.loader if spec is not None else None
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run_module = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run_module(module)
            finish_open()

        loader.exec_module = exec_module  # type: ignore[method-assign]  # this spec's own loader
        return spec


def finish_open() -> None:
    """Set Peewee up on the file that ``open_for_reading`` opened (nothing to do otherwise)."""
    if _pending is not None:
        init_db(_pending)


def open_pending() -> bool:
    """Whether ``finish_open`` still has to set Peewee up."""
    return _pending is not None


def execute(sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run one read query and return its cursor (Peewee's connection, or the plain reader)."""
    if _reader is not None:
        return _reader.execute(sql, params)
    from groupdesk.store.models import db

    return db.execute_sql(sql, params)


def close_db() -> None:
    """Close the current database connection, if any (the plain reader too)."""
    global _reader, _pending
    if _reader is not None:
        _reader.close()
    _reader = _pending = None
    if _ModelsImportHook in sys.meta_path:
        sys.meta_path.remove(_ModelsImportHook)
    models = sys.modules.get("groupdesk.store.models")  # not imported: Peewee was never set up
    if models is not None and models.db.obj is not None and not models.db.is_closed():
        models.db.close()
