"""The table's read path (``store.rows``) and the quick open without Peewee (``db.open_for_reading``)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from groupdesk.store import db as store_db
from groupdesk.store import repository, rows
from groupdesk.store.db import DB_FILENAME, close_db, finish_open, open_for_reading, open_pending
from groupdesk.store.migrations import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
TODAY = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _close_after_test():
    yield
    close_db()


def _groups() -> None:
    """Groups that exercise every total: currencies, fee periods, member and pending statuses."""
    make = repository.create_group
    a = make({"name": "Alpha", "status": "member", "cost_amount": 10, "cost_period": "month",
              "currency": "EUR", "emails_per_week": 3, "hours_per_month": 2, "value_to_me": 4,
              "value_from_me": 3, "tags": "work"})  # fmt: skip
    make({"name": "beta", "status": "trial", "cost_amount": 50, "cost_period": "year", "currency": "USD",
          "emails_per_week": 1.5})  # fmt: skip
    make({"name": "Gamma", "status": "muted", "cost_amount": 30, "cost_period": "once", "currency": "EUR"})
    make({"name": "Delta", "status": "leaving", "cost_amount": 5, "cost_period": "month"})
    make({"name": "Epsilon", "status": "invited", "cost_amount": 99, "cost_period": "month",
          "currency": "EUR", "emails_per_week": 40})  # fmt: skip
    make({"name": "Zeta", "status": "considering"})
    make({"name": "Eta", "status": "left", "hours_per_month": 9})
    make({"name": "Theta", "status": "declined", "cost_amount": 0, "cost_period": "month"})
    repository.add_contribution(a, date(2025, 5, 20))
    repository.add_contribution(a, date(2024, 1, 2), "comment")


def _totals(all_rows: list[rows.GroupRow]) -> rows.Summary:
    """The summary computed the slow way, from every row."""
    from groupdesk.domain.vocab import MEMBER_STATUSES, PENDING_STATUSES

    money: dict[str, float] = {}
    members = [r for r in all_rows if r.status in MEMBER_STATUSES]
    for r in members:
        if r.cost_per_year:
            money[r.currency or ""] = money.get(r.currency or "", 0.0) + r.cost_per_year
    return rows.Summary(
        groups=len(all_rows),
        members=len(members),
        pending=sum(r.status in PENDING_STATUSES for r in all_rows),
        money_per_year=money,
        emails_per_week=sum(r.emails_per_week or 0 for r in members),
        hours_per_month=sum(r.hours_per_month or 0 for r in members),
    )


def _key(row: rows.GroupRow) -> tuple:
    return (row.id, row.name, row.status, row.value, row.activity, row.group_activity, row.participation,
            row.cost_per_year, row.flags, row.last_contribution, row.search_text, row.sort_name)  # fmt: skip


def test_summary_adds_up_what_the_rows_say(store) -> None:
    _groups()
    got = rows.summary()
    want = _totals(rows.load_rows(TODAY))
    assert got == want
    # Spelled out: monthly fees count twelve times, yearly once, one-off fees never; no currency is "".
    assert got.money_per_year == {"EUR": 120.0, "USD": 50.0, "": 60.0}
    assert (got.groups, got.members, got.pending) == (8, 4, 2)


def test_summary_of_an_empty_store(store) -> None:
    assert rows.summary() == rows.Summary(0, 0, 0, {}, 0.0, 0.0)


def test_first_rows_come_by_name_and_match_the_full_read(store) -> None:
    _groups()
    every = {r.id: _key(r) for r in rows.load_rows(TODAY)}
    first = rows.load_rows(TODAY, first=3, lazy=True)
    assert [r.name for r in first] == ["Alpha", "beta", "Delta"]
    assert [_key(r) for r in first] == [every[r.id] for r in first]


def test_a_current_file_opens_for_reading_without_peewee_and_reads_the_same(store, data_dir: Path) -> None:
    _groups()
    want_rows = [_key(r) for r in rows.load_rows(TODAY)]
    want_summary = rows.summary()
    close_db()

    assert open_for_reading(data_dir / DB_FILENAME)
    assert open_pending()
    assert [_key(r) for r in rows.load_rows(TODAY)] == want_rows
    assert rows.summary() == want_summary
    assert rows.group_count() == len(want_rows)
    # The plain connection only reads.
    with pytest.raises(sqlite3.OperationalError):
        store_db.execute('DELETE FROM "group"')

    finish_open()
    assert not open_pending()
    assert [_key(r) for r in rows.load_rows(TODAY)] == want_rows
    repository.create_group({"name": "After"})
    assert rows.group_count() == len(want_rows) + 1


def test_a_write_before_the_set_up_sets_it_up_first(store, data_dir: Path) -> None:
    _groups()
    close_db()
    assert open_for_reading(data_dir / DB_FILENAME)
    gid = repository.create_group({"name": "Early bird"})
    assert not open_pending()
    assert repository.group_values(gid)["name"] == "Early bird"
    assert rows.group_count() == 9


def _write_version(path: Path, version: int, *, tables: bool = True) -> None:
    conn = sqlite3.connect(path)
    try:
        if tables:
            conn.execute('CREATE TABLE "group" (id INTEGER PRIMARY KEY, name TEXT)')
        conn.execute(f"PRAGMA user_version = {version}")
        conn.commit()
    finally:
        conn.close()


@pytest.mark.parametrize("version", [1, SCHEMA_VERSION - 1, SCHEMA_VERSION + 1, SCHEMA_VERSION + 5])
def test_other_schema_versions_are_left_to_init_db(tmp_path: Path, version: int) -> None:
    path = tmp_path / DB_FILENAME
    _write_version(path, version)
    before = path.read_bytes()
    assert not open_for_reading(path)
    assert not open_pending()
    assert path.read_bytes() == before  # nothing written


def test_missing_empty_and_foreign_files_are_left_to_init_db(tmp_path: Path) -> None:
    missing = tmp_path / "nothing" / DB_FILENAME
    assert not open_for_reading(missing)
    assert not missing.exists() and not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert not open_for_reading(empty)
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"this is not an SQLite file at all, just some text " * 40)
    assert not open_for_reading(foreign)
    assert not open_pending()


def test_a_path_with_uri_characters_opens(tmp_path: Path) -> None:
    from groupdesk.store.db import init_db

    folder = tmp_path / "odd #1 ?x=y %20"
    init_db(folder / DB_FILENAME)
    repository.create_group({"name": "Odd"})
    close_db()
    assert open_for_reading(folder / DB_FILENAME)
    assert [r.name for r in rows.load_rows(TODAY)] == ["Odd"]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


def test_reading_needs_no_peewee_and_importing_the_models_sets_it_up(store, data_dir: Path) -> None:
    """In a fresh process (this one has Peewee loaded already): reads run without importing Peewee;
    whatever imports the models before the set-up gets them bound to the file."""
    _groups()
    close_db()
    code = f"""
import sys
from groupdesk.store import db, rows
assert db.open_for_reading({str(data_dir / DB_FILENAME)!r})
assert len(rows.load_rows()) == 8 and rows.summary().groups == 8
assert "peewee" not in sys.modules, "the read path imported Peewee"
from groupdesk.store.models import Group  # e.g. the decision journal, imported after start-up
assert not db.open_pending()
assert Group.select().count() == 8
db.close_db()
print("ok")
"""
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
