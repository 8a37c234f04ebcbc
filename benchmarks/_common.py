"""Helpers shared by the benchmarks: realistic synthetic groups, timing, an offscreen QApplication."""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2025, 6, 1)

_PLACES = ("Berlin", "Lisbon", "Austin", "Nairobi", "Osaka", "Leeds", "Online", "Global", "EU", "Remote")
_TOPICS = (
    "Python", "Rust", "Data Science", "Product", "Growth", "Climbing", "Chess", "Parents", "Founders",
    "Design", "Security", "Gardening", "Marketing", "DevOps", "Photography", "Running", "Jazz", "AI",
)  # fmt: skip
_KINDS = ("Meetup", "Users", "Club", "Circle", "Network", "Guild", "Forum", "Collective", "Society", "Chat")
_NETWORKS = (
    "linkedin", "facebook", "meetup", "discord", "slack", "reddit", "telegram", "whatsapp",
    "mailing_list", "forum", "association", "offline", "other",
)  # fmt: skip
_STATUSES = ("member",) * 6 + ("muted", "invited", "considering", "left", "declined", "trial", "leaving")
_HOW = ("invited", "added_by_someone", "self", "unknown")


def note(message: str) -> None:
    """A detail line on stderr (stdout carries only the ``name: value`` lines)."""
    print(f"  {message}", file=sys.stderr, flush=True)


def median_time(func: Callable[[], Any], repeat: int, setup: Callable[[], Any] | None = None) -> float:
    """Median wall time of ``func()`` over ``repeat`` runs; ``setup()`` runs untimed before each."""
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def qt_app():
    """The process's QApplication (offscreen unless a platform is already chosen)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([])


def table_view(model):
    """A QTableView on ``model`` set up like the main window's table (rows selected, no row header)."""
    from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

    view = QTableView()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setWordWrap(False)
    vheader = view.verticalHeader()
    vheader.hide()
    vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.setModel(model)
    return view


def group_values(rng: random.Random, i: int) -> dict[str, Any]:
    """One realistic group as Group column values (a mix of rated, unrated, costly, dead, invited)."""
    name = f"{rng.choice(_PLACES)} {rng.choice(_TOPICS)} {rng.choice(_KINDS)} {i}"
    joined = TODAY - timedelta(days=rng.randint(1, 3000))
    rated = rng.random() < 0.8
    cost = rng.random() < 0.15
    return {
        "name": name,
        "network": rng.choice(_NETWORKS),
        "status": rng.choice(_STATUSES),
        "how_joined": rng.choice(_HOW),
        "invite_personal": rng.choice((None, True, False)),
        "joined_on": joined,
        "cost_amount": round(rng.uniform(5, 300), 2) if cost else None,
        "cost_period": rng.choice(("month", "year", "once")) if cost else "none",
        "currency": "EUR" if cost else None,
        "hours_per_month": round(rng.uniform(0, 20), 1) if rng.random() < 0.5 else None,
        "emails_per_week": round(rng.uniform(0, 40), 1) if rng.random() < 0.6 else None,
        "last_group_activity": TODAY - timedelta(days=rng.randint(0, 900)) if rng.random() < 0.9 else None,
        "posts_per_week": round(rng.uniform(0, 50), 1) if rng.random() < 0.7 else None,
        "value_to_me": rng.randint(0, 5) if rated else None,
        "value_from_me": rng.randint(0, 5) if rated else None,
        "spam_level": rng.choice((0, 0, 0, 1, 2, 3)),
        "review_on": TODAY + timedelta(days=rng.randint(-60, 120)) if rng.random() < 0.2 else None,
        "tags": rng.choice((None, "work", "local, friends", "tech; learning", "paid")),
    }


def make_rows(count: int, seed: int = 20250601) -> list:
    """``count`` table rows (``repository.GroupRow``) scored exactly as the store scores them."""
    from groupdesk.domain.scores import GroupFacts, evaluate
    from groupdesk.store.repository import GroupRow

    rng = random.Random(seed)
    rows = []
    for i in range(count):
        v = group_values(rng, i)
        recent = rng.choice((0, 0, 0, 1, 2, 5))
        last_c = TODAY - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.5 else None
        facts = GroupFacts(
            status=v["status"],
            how_joined=v["how_joined"],
            invite_personal=v["invite_personal"],
            joined_on=v["joined_on"],
            cost_amount=v["cost_amount"],
            cost_period=v["cost_period"],
            emails_per_week=v["emails_per_week"],
            last_group_activity=v["last_group_activity"],
            posts_per_week=v["posts_per_week"],
            value_to_me=v["value_to_me"],
            value_from_me=v["value_from_me"],
            spam_level=v["spam_level"],
            review_on=v["review_on"],
            recent_contributions=recent,
            last_contribution=last_c,
        )
        ev = evaluate(facts, TODAY)
        rows.append(
            GroupRow(
                id=i + 1,
                name=v["name"],
                network=v["network"],
                status=v["status"],
                value=ev.value,
                activity=ev.activity,
                group_activity=ev.group_activity,
                participation=ev.participation,
                cost_per_year=ev.cost_per_year,
                currency=v["currency"],
                emails_per_week=v["emails_per_week"],
                hours_per_month=v["hours_per_month"],
                last_activity=v["last_group_activity"],
                last_contribution=last_c,
                flags=ev.flags,
                tags=v["tags"],
                search_text=f"{v['name']}\n{v['tags'] or ''}".casefold(),
            )
        )
    return rows


def _sql_value(value: Any) -> Any:
    """Dates as Peewee stores them (ISO text), everything else as is."""
    return value.isoformat() if isinstance(value, date) else value


def build_database(data_dir: Path, count: int, seed: int = 20250601) -> Path:
    """A real GroupDesk data folder with ``count`` groups (and some contributions); returns the DB path.

    The schema comes from ``init_db``; rows go in with one raw ``executemany`` (Peewee's
    ``insert_many`` is ~20x slower for this many rows, see DESIGN.md).
    """
    from groupdesk.app import db_path, open_store
    from groupdesk.domain.records import normalise_name
    from groupdesk.store.db import close_db

    rng = random.Random(seed)
    database = open_store(data_dir)
    now = datetime(2025, 6, 1, 12, 0, 0)
    groups = [group_values(rng, i) for i in range(count)]
    columns = [*groups[0], "name_key", "user_fields", "source", "created_at", "updated_at"]
    sql = 'INSERT INTO "group" ({}) VALUES ({})'.format(
        ", ".join(f'"{c}"' for c in columns), ", ".join("?" * len(columns))
    )
    stamp = now.isoformat(sep=" ")
    params = [
        (*map(_sql_value, g.values()), normalise_name(g["name"]), "[]", "benchmark", stamp, stamp)
        for g in groups
    ]
    contributions = [
        (gid, _sql_value(TODAY - timedelta(days=rng.randint(0, 400))), rng.choice(("post", "comment")), "")
        for gid in range(1, count + 1)
        for _ in range(rng.choice((0, 0, 1, 3)))
    ]
    conn = database.connection()
    with database.atomic():
        conn.executemany(sql, params)
        conn.executemany(
            "INSERT INTO contribution (group_id, date, kind, note) VALUES (?, ?, ?, ?)", contributions
        )
    close_db()
    return db_path(data_dir)
