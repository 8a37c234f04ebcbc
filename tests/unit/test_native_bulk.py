"""The fast paths of big native imports give exactly what the careful paths give: the CSV reader that
converts a few hundred rows at a time, the trusted records in ``plan_import``, the column-wise insert
that rebuilds the group table's indexes, and the paused garbage collector."""

from __future__ import annotations

import gc
import random
from datetime import date, timedelta

import pytest

from groupdesk.domain.records import GROUP_FIELDS, GroupRecord
from groupdesk.errors import UserError
from groupdesk.importers import native
from groupdesk.store import merge
from groupdesk.store.models import db


def records(n: int, seed: int = 3, *, multiline: bool = True) -> list[GroupRecord]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            GroupRecord(
                name=f"  Group {i} " if i % 97 == 0 else f"Group {i}",
                network=rng.choice(("facebook", "reddit", "other")),
                status=rng.choice((None, "member", "left")),
                external_id=str(i) if i % 3 == 0 else None,
                invite_personal=rng.choice((None, True, False)),
                joined_on=date(2020, 1, 1) + timedelta(days=rng.randint(0, 900)),
                cost_amount=rng.choice((None, 12.5, 3.0)),
                value_to_me=rng.choice((None, 0, 5)),
                notes=(f"line one\nline two, {i}" if multiline else f"one line; {i}")
                if i % 50 == 0
                else None,
                tags="a, b" if i % 7 == 0 else None,
            )
        )
    return out


def careful(data: bytes) -> list[GroupRecord]:
    """The row-by-row reader's records for the same file."""
    text = data.decode("utf-8")
    sep, names = native._csv_header(text.splitlines()[0])
    columns = [(i, n) for i, n in enumerate(names) if n in GROUP_FIELDS]
    return native._records_row_by_row(text, "x.csv", sep, names, columns)


def test_the_chunked_reader_equals_the_careful_reader_across_chunks() -> None:
    data = native.write_csv(records(1_234))
    result = native.read_csv(data, "x.csv")
    assert isinstance(result.records, native.CheckedRecords)
    assert result.records.columns is not None
    assert result.records == careful(data)
    assert len(result.records) == 1_234
    for name in GROUP_FIELDS:
        assert result.records.columns[name] == [getattr(r, name) for r in result.records], name


@pytest.mark.parametrize(
    ("line", "cell", "words"),
    [
        (951, "joined_on", "is not a date"),
        (3, "value_to_me", "is not a whole number"),
        (1235, "status", "is not one of"),
    ],
)
def test_a_bad_value_anywhere_names_its_line_and_column(line: int, cell: str, words: str) -> None:
    text = native.write_csv(records(1_234, multiline=False)).decode("utf-8")
    lines = text.split("\n")
    header = lines[0].split(",")
    row = lines[line - 1].split(",")
    row[header.index(cell)] = "x99"
    lines[line - 1] = ",".join(row)
    with pytest.raises(UserError, match=rf"x.csv, line {line}, column {cell}: .*{words}"):
        native.read_csv("\n".join(lines).encode("utf-8"), "x.csv")


def test_blank_and_short_rows_late_in_the_file_read_as_the_careful_reader_reads_them() -> None:
    text = native.write_csv(records(900)).decode("utf-8").rstrip("\n")
    text += "\n\n,,,\nLate Group,reddit\n"
    data = text.encode("utf-8")
    result = native.read_csv(data, "x.csv")
    assert result.records == careful(data)
    assert result.records[-1].name == "Late Group" and len(result.records) == 901
    assert result.records.columns is None  # read by the careful reader: no columns to insert from


def test_paused_gc_restores_the_collector_as_it_was() -> None:
    assert gc.isenabled()
    with native.paused_gc():
        assert not gc.isenabled()
        with native.paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        with native.paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _dump() -> list[tuple]:
    cols = ", ".join(f'"{f}"' for f in (*GROUP_FIELDS, "name_key", "source", "user_fields"))
    return db.execute_sql(f'SELECT {cols} FROM "group" ORDER BY id').fetchall()


def _indexes() -> set[str]:
    rows = db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'group'")
    return {r[0] for r in rows.fetchall()}


def test_the_bulk_insert_writes_what_the_general_insert_writes(
    store, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = native.write_csv(records(2_500))
    fast = native.read_csv(data, "x.csv").records
    before = _indexes()
    monkeypatch.setattr(merge, "BULK_ROWS", 1_000)  # the index rebuild too
    with db.atomic() as txn:
        plan = merge.plan_import(fast)
        assert plan.columns is fast.columns
        merge.apply_import(plan, "x.csv", native.KIND_CSV)
        bulk = _dump()
        assert _indexes() == before
        txn.rollback()
    plan = merge.plan_import(list(fast))  # a plain list: checked here, inserted field by field
    assert plan.columns is None
    merge.apply_import(plan, "x.csv", native.KIND_CSV)
    assert _dump() == bulk
    assert db.execute_sql("PRAGMA integrity_check").fetchone() == ("ok",)
    again = merge.plan_import(native.read_csv(data, "x.csv").records)
    assert again.counts()["unchanged"] == 2_500 and not again.changes_anything
