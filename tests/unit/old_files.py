"""Helpers for the migration tests: hand-made old database files and plain-sqlite3 reads of them."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def write_sql_file(path: Path, sql: str) -> Path:
    """Create the SQLite file ``path`` by running ``sql`` (a hand-written old schema and its rows)."""
    conn = sqlite3.connect(path)
    try:
        conn.executescript(sql)
    finally:
        conn.close()
    return path


def query(path: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` read with a plain connection (not the app's), closed afterwards."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()
