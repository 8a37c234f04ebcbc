"""Migration step 3 on a hand-made schema-2 file: import batches on decisions and invitations, and the
table of fields an import changed; every row kept, run twice harmlessly, and the old batch undoable."""

from __future__ import annotations

from pathlib import Path

import pytest

from groupdesk.store import migrations
from groupdesk.store.db import DB_FILENAME, close_db, init_db
from groupdesk.store.migrations import SCHEMA_VERSION
from tests.unit.old_files import query, write_sql_file

V2_SQL = Path(__file__).resolve().parent.parent / "data" / "old_schema_v2.sql"
V2_TABLES = ("import_batch", "group", "contribution", "decision", "invite", "setting")


@pytest.fixture(autouse=True)
def _close_after_test():
    yield
    close_db()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return write_sql_file(tmp_path / DB_FILENAME, V2_SQL.read_text(encoding="utf-8"))


def columns(path: Path, table: str) -> list[str]:
    return [r[1] for r in query(path, f'PRAGMA table_info("{table}")')]


def schema(path: Path) -> tuple[dict[str, set[str]], set[str]]:
    """Columns per table and index names."""
    names = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    index_names = {r[0] for r in query(path, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    return {t: set(columns(path, t)) for t in names}, index_names


def rows(path: Path, table_columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the given tables, restricted to the given columns, in rowid order."""
    out = {}
    for table, cols in table_columns.items():
        names = ", ".join(f'"{c}"' for c in cols)
        out[table] = query(path, f'SELECT {names} FROM "{table}" ORDER BY rowid')
    return out


def test_the_fixture_really_is_schema_2(db_file: Path) -> None:
    assert query(db_file, "PRAGMA user_version") == [(2,)]
    assert "import_batch_id" not in columns(db_file, "decision")
    assert "import_batch_id" not in columns(db_file, "invite")
    assert "import_change" not in schema(db_file)[0]


def test_schema_2_migrates_to_the_fresh_schema_and_keeps_every_row(db_file: Path, tmp_path: Path) -> None:
    v2_columns = {t: columns(db_file, t) for t in V2_TABLES}
    before = rows(db_file, v2_columns)
    assert sum(len(r) for r in before.values()) == 10

    init_db(db_file)
    close_db()

    assert query(db_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(db_file, v2_columns) == before
    fresh = tmp_path / "fresh" / DB_FILENAME
    init_db(fresh)
    close_db()
    assert schema(db_file) == schema(fresh)
    assert query(db_file, "SELECT COUNT(*) FROM decision WHERE import_batch_id IS NOT NULL") == [(0,)]
    assert query(db_file, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_file, "PRAGMA foreign_key_check") == []
    backups = sorted(tmp_path.glob(f"{DB_FILENAME}.v2-*.bak"))
    assert len(backups) == 1 and query(backups[0], "PRAGMA user_version") == [(2,)]


def test_step_3_twice_and_a_half_migrated_file_are_harmless(db_file: Path) -> None:
    database = init_db(db_file, migrate=False)
    migrations.STEPS[3](database)
    once = schema(db_file)
    migrations.STEPS[3](database)
    assert schema(db_file) == once
    assert int(database.execute_sql("PRAGMA user_version").fetchone()[0]) == 2
    assert migrations.migrate(database, db_file, []) == 2  # the runner finishes the half-migrated file
    close_db()
    assert query(db_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    tables, indexes = schema(db_file)  # later steps only add tables, columns and indexes
    assert all(tables[t] >= cols for t, cols in once[0].items()) and once[1] <= indexes


def test_the_old_batch_can_be_undone_after_migrating(db_file: Path) -> None:
    from groupdesk.store import batches, repository

    init_db(db_file)
    undo = batches.undo_batch(1)

    # Group 3 came only from the import: gone with its contribution. Group 2 holds a decision with no
    # batch (before schema 3 decisions had none): it counts as the user's, so the group stays.
    remaining = {r.id for r in repository.load_rows()}
    assert remaining == {1, 2}
    assert undo.deleted_group_ids == [3] and undo.kept_groups == [2]
    assert batches.batch_info(1).undone
    batches.redo_batch(undo)
    assert {r.id for r in repository.load_rows()} == {1, 2, 3}
    assert [c["note"] for c in repository.contributions(3)] == ["posts on Facebook"]
