"""Schema versions and migrations on real SQLite files: old, half-migrated, interrupted and future files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from groupdesk.store import migrations
from groupdesk.store.db import DB_FILENAME, close_db, init_db
from groupdesk.store.migrations import SCHEMA_VERSION, SchemaTooNewError

DATA = Path(__file__).resolve().parent.parent / "data"
V1_SQL = DATA / "old_schema_v1.sql"

#: What schema 2 added (migration step 2).
STEP2_GROUP_COLUMNS = {"user_fields", "commitment_per_month", "import_batch_id"}
V1_TABLES = ("import_batch", "group", "contribution", "decision", "invite")


@pytest.fixture(autouse=True)
def _close_after_test():
    yield
    close_db()


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / DB_FILENAME


def make_v1(path: Path) -> None:
    """Write the hand-made schema-1 database with its rows."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(V1_SQL.read_text(encoding="utf-8"))
    finally:
        conn.close()


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def user_version(path: Path) -> int:
    conn = connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


def columns(path: Path, table: str) -> list[str]:
    conn = connect(path)
    try:
        return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def indexes(path: Path) -> set[str]:
    conn = connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    finally:
        conn.close()


def dump(path: Path, table_columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """Every row of the given tables, restricted to the given columns, ordered by id."""
    conn = connect(path)
    try:
        out = {}
        for table, cols in table_columns.items():
            names = ", ".join(f'"{c}"' for c in cols)
            out[table] = conn.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
        return out
    finally:
        conn.close()


def v1_columns(path: Path) -> dict[str, list[str]]:
    return {t: columns(path, t) for t in V1_TABLES}


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{DB_FILENAME}.v*.bak"))


def fresh_schema(tmp_path: Path) -> tuple[dict[str, set[str]], set[str], set[str]]:
    """Columns per table, table names and index names of a brand-new database."""
    path = tmp_path / "fresh" / DB_FILENAME
    init_db(path)
    close_db()
    names = tables(path)
    return {t: set(columns(path, t)) for t in names}, names, indexes(path)


# ------------------------------------------------------------------------------------------- new files


def test_new_file_is_stamped_with_current_version_and_not_backed_up(db_file: Path) -> None:
    init_db(db_file)
    close_db()
    assert user_version(db_file) == SCHEMA_VERSION
    assert {"group", "contribution", "decision", "invite", "import_batch", "setting"} <= tables(db_file)
    assert backups(db_file.parent) == []


def test_the_fixture_really_is_schema_1(db_file: Path) -> None:
    make_v1(db_file)
    assert user_version(db_file) == 1
    assert not STEP2_GROUP_COLUMNS & set(columns(db_file, "group"))
    assert "import_batch_id" not in columns(db_file, "contribution")
    assert "setting" not in tables(db_file)
    counts = {t: len(rows) for t, rows in dump(db_file, v1_columns(db_file)).items()}
    assert counts == {"import_batch": 1, "group": 4, "contribution": 3, "decision": 2, "invite": 2}


# ------------------------------------------------------------------------------------------- schema 1


def test_schema_1_migrates_and_keeps_every_row(db_file: Path, tmp_path: Path) -> None:
    make_v1(db_file)
    cols = v1_columns(db_file)
    before = dump(db_file, cols)

    init_db(db_file)
    close_db()

    assert user_version(db_file) == SCHEMA_VERSION
    assert dump(db_file, cols) == before
    fresh_cols, fresh_tables, fresh_indexes = fresh_schema(tmp_path)
    assert tables(db_file) == fresh_tables
    for table in fresh_tables:
        assert set(columns(db_file, table)) == fresh_cols[table], table
    assert fresh_indexes <= indexes(db_file)
    conn = connect(db_file)
    try:
        assert conn.execute('SELECT DISTINCT user_fields FROM "group"').fetchall() == [("[]",)]
        assert conn.execute('SELECT COUNT(*) FROM "group" WHERE import_batch_id IS NOT NULL').fetchone() == (
            0,
        )
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_migrated_rows_work_with_the_repository(db_file: Path) -> None:
    from groupdesk.store import repository

    make_v1(db_file)
    init_db(db_file)
    rows = {r.id: r for r in repository.load_rows()}
    assert sorted(rows) == [1, 2, 3, 4]
    assert rows[2].name == "Growth Hackers Élite 🚀"
    assert rows[1].last_contribution.isoformat() == "2024-02-20"
    old = repository.update_group(1, {"commitment_per_month": 2, "notes": "changed"})
    assert old == {"commitment_per_month": None, "notes": "Talks every second Tuesday."}
    assert repository.group_values(1)["commitment_per_month"] == 2
    assert len(repository.contributions(1)) == 2
    assert repository.decisions(1)[0]["answers"] == {"give": 4, "get": 3}


def test_migration_leaves_a_valid_schema_1_backup_with_the_same_rows(db_file: Path) -> None:
    make_v1(db_file)
    cols = v1_columns(db_file)
    before = dump(db_file, cols)

    init_db(db_file)
    close_db()

    copies = backups(db_file.parent)
    assert len(copies) == 1
    bak = copies[0]
    assert bak.name.startswith(f"{DB_FILENAME}.v1-")
    conn = connect(bak)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert user_version(bak) == 1
    assert not STEP2_GROUP_COLUMNS & set(columns(bak, "group"))
    assert "setting" not in tables(bak)
    assert dump(bak, cols) == before


def test_opening_a_migrated_file_again_changes_nothing(db_file: Path) -> None:
    make_v1(db_file)
    init_db(db_file)
    close_db()
    first_backups = backups(db_file.parent)
    cols = {t: columns(db_file, t) for t in tables(db_file)}
    rows = dump(db_file, cols)

    init_db(db_file)
    close_db()

    assert backups(db_file.parent) == first_backups
    assert user_version(db_file) == SCHEMA_VERSION
    assert {t: columns(db_file, t) for t in tables(db_file)} == cols
    assert dump(db_file, cols) == rows


def test_step_2_twice_is_harmless(db_file: Path) -> None:
    make_v1(db_file)
    database = init_db(db_file, migrate=False)
    migrations.STEPS[2](database)
    after_once = {t: columns(db_file, t) for t in (*V1_TABLES, "setting")}
    migrations.STEPS[2](database)
    assert {t: columns(db_file, t) for t in (*V1_TABLES, "setting")} == after_once
    assert set(after_once["group"]) >= STEP2_GROUP_COLUMNS
    assert "import_batch_id" in after_once["contribution"]
    # The version is still 1: the runner, not the step, stamps it; running the runner now is fine too.
    assert int(database.execute_sql("PRAGMA user_version").fetchone()[0]) == 1
    assert migrations.migrate(database, db_file, []) == 1
    close_db()
    assert user_version(db_file) == SCHEMA_VERSION


def test_half_migrated_file_is_finished(db_file: Path) -> None:
    """A file where step 2 got part of the way (columns added, version still 1) must still migrate."""
    make_v1(db_file)
    conn = connect(db_file)
    conn.execute("""ALTER TABLE "group" ADD COLUMN "user_fields" TEXT NOT NULL DEFAULT '[]'""")
    conn.execute('ALTER TABLE "group" ADD COLUMN "commitment_per_month" INTEGER')
    conn.execute('CREATE TABLE "setting" ("key" VARCHAR(255) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)')
    conn.execute("""INSERT INTO "setting" VALUES ('dead_after_days', '120')""")
    conn.commit()
    conn.close()
    assert user_version(db_file) == 1
    cols = v1_columns(db_file)
    before = dump(db_file, cols)

    init_db(db_file)
    close_db()

    assert user_version(db_file) == SCHEMA_VERSION
    assert set(columns(db_file, "group")) >= STEP2_GROUP_COLUMNS
    assert "import_batch_id" in columns(db_file, "contribution")
    assert dump(db_file, cols) == before
    assert dump(db_file, {"setting": ["key", "value"]})["setting"] == [("dead_after_days", "120")]


def test_new_file_interrupted_before_stamping_is_finished(db_file: Path) -> None:
    """Current tables but user_version 0 (a crash between creating tables and stamping)."""
    init_db(db_file)
    close_db()
    conn = connect(db_file)
    conn.execute("""INSERT INTO "setting" VALUES ('k', 'v')""")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()

    init_db(db_file)
    close_db()

    assert user_version(db_file) == SCHEMA_VERSION
    assert dump(db_file, {"setting": ["key", "value"]})["setting"] == [("k", "v")]


def test_a_failing_step_rolls_back_and_keeps_the_old_file_usable(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_v1(db_file)
    cols = v1_columns(db_file)
    before = dump(db_file, cols)

    def broken_step(database) -> None:
        migrations.add_column(database, "group", "user_fields", "TEXT NOT NULL DEFAULT '[]'")
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(migrations.STEPS, 2, broken_step)
    with pytest.raises(RuntimeError, match="disk on fire"):
        init_db(db_file)
    close_db()

    assert user_version(db_file) == 1
    assert "user_fields" not in columns(db_file, "group")
    assert dump(db_file, cols) == before
    assert len(backups(db_file.parent)) == 1

    monkeypatch.undo()
    init_db(db_file)
    close_db()
    assert user_version(db_file) == SCHEMA_VERSION
    assert dump(db_file, cols) == before


# ------------------------------------------------------------------------------------------- the future


def make_future(path: Path, version: int = 99) -> None:
    make_v1(path)
    conn = connect(path)
    conn.execute('CREATE TABLE "from_the_future" (x)')
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def test_future_file_is_refused_and_left_byte_for_byte(db_file: Path) -> None:
    make_future(db_file)
    content = db_file.read_bytes()
    files = sorted(p.name for p in db_file.parent.iterdir())

    with pytest.raises(SchemaTooNewError) as info:
        init_db(db_file)

    assert info.value.version == 99
    assert "newer GroupDesk" in str(info.value)
    assert "99" in str(info.value)
    assert db_file.read_bytes() == content
    assert sorted(p.name for p in db_file.parent.iterdir()) == files


def test_migrate_itself_refuses_the_future(db_file: Path) -> None:
    """The runner checks too, for callers that open the database themselves."""
    make_future(db_file, SCHEMA_VERSION + 1)
    from peewee import SqliteDatabase

    raw = SqliteDatabase(str(db_file))
    raw.connect()
    try:
        with pytest.raises(SchemaTooNewError):
            migrations.migrate(raw, db_file, [])
    finally:
        raw.close()
    assert user_version(db_file) == SCHEMA_VERSION + 1
    assert backups(db_file.parent) == []


def test_read_version_of_missing_and_empty_files(tmp_path: Path) -> None:
    assert migrations.read_version(tmp_path / "nope.db") == 0
    empty = tmp_path / "empty.db"
    empty.touch()
    assert migrations.read_version(empty) == 0
    init_db(empty)
    close_db()
    assert migrations.read_version(empty) == SCHEMA_VERSION
