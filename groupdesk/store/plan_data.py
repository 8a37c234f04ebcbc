"""What the clean-up plan needs from the store: each group's facts, recommendation and latest decision.

``plan_items`` reads the open database and returns plain ``groupdesk.domain.plan.PlanItem``s;
``groupdesk.domain.plan.build_plan`` (Qt-free, DB-free) does the rest. The recommendation is the
same one the window and ``groupdesk list`` show (``groupdesk.domain.rules.recommend``).

List-Unsubscribe targets are read when the mail sync keeps them: any table with a ``group_id``
(or ``list_id``, matched to a mailing list's external id) column and a column whose name contains
``unsubscribe`` is looked at; the value may hold several ``<url>`` targets (RFC 2369) or a JSON list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from groupdesk.domain.plan import PlanItem
from groupdesk.domain.rules import RULES, recommend, rule_sentence, unserved_topics
from groupdesk.domain.scores import GroupFacts, evaluate
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.store.models import db

_GROUP_SQL = (
    "SELECT id, name, network, status, url, external_id, how_joined, invited_by, invite_personal, "
    "joined_on, cost_amount, cost_period, currency, hours_per_month, emails_per_week, "
    "last_group_activity, posts_per_week, value_to_me, value_from_me, spam_level, review_on, "
    'commitment_per_month, tags, notes FROM "group"'
)


def _d(value: object) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _sentences(rule_ids: Iterable[str], t: Thresholds) -> list[str]:
    return [rule_sentence(r, t) for r in rule_ids if r in RULES]


def _split_targets(value: object) -> tuple[str, ...]:
    """``<mailto:a@b>, <https://x>`` or a JSON list → the targets in order."""
    if not value:
        return ()
    text = str(value).strip()
    if text.startswith("["):
        try:
            return tuple(str(v).strip() for v in json.loads(text) if str(v).strip())
        except (ValueError, TypeError):
            pass
    bracketed = re.findall(r"<([^>]+)>", text)
    parts = bracketed or [p for p in re.split(r"[\s,]+", text) if p]
    return tuple(p.strip() for p in parts if p.strip().lower().startswith(("mailto:", "http")))


def list_unsubscribe_targets() -> dict[int, tuple[str, ...]]:
    """Group id → List-Unsubscribe targets, from whichever table the mail sync keeps them in."""
    out: dict[int, tuple[str, ...]] = {}
    tables = [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()]
    list_ids: dict[str, int] | None = None
    for table in tables:
        if table.startswith("sqlite_"):
            continue
        cols = [r[1] for r in db.execute_sql(f'PRAGMA table_info("{table}")').fetchall()]
        targets = [c for c in cols if "unsubscribe" in c.lower()]
        if not targets:
            continue
        col = targets[0]
        if table == "group":
            key = "id"
        elif "group_id" in cols:
            key = "group_id"
        elif "list_id" in cols:
            key = "list_id"
        else:
            continue
        order = ' ORDER BY "id"' if "id" in cols else ""
        rows = db.execute_sql(
            f'SELECT "{key}", "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL AND "{col}" != \'\'{order}'
        ).fetchall()
        if key == "list_id" and list_ids is None:
            list_ids = {
                str(ext).strip().lower(): gid
                for gid, ext in db.execute_sql(
                    'SELECT id, external_id FROM "group" WHERE external_id IS NOT NULL'
                ).fetchall()
            }
        for ident, value in rows:
            gid = list_ids.get(str(ident).strip().lower()) if key == "list_id" and list_ids else ident
            found = _split_targets(value)
            if gid is not None and found:
                out[int(gid)] = found  # the latest row wins
    return out


def plan_items(
    today: date | None = None,
    ids: Iterable[int] | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[PlanItem]:
    """The groups of the open store (or only ``ids``, e.g. those the window shows) as plan items.

    Each carries GroupDesk's recommendation for ``today`` with its reasons, the latest journalled
    decision with its reasons, the money, hours and mail it costs, and its List-Unsubscribe targets
    when the mail sync found them.
    """
    today = today or date.today()
    wanted = None if ids is None else set(ids)
    since = (today - timedelta(days=thresholds.participation_window_days)).isoformat()
    rows = db.execute_sql(_GROUP_SQL + " ORDER BY id").fetchall()
    unserved = unserved_topics(((r[3], r[22]) for r in rows), thresholds)
    stats = {
        gid: (recent, last)
        for gid, recent, last in db.execute_sql(
            "SELECT group_id, SUM(CASE WHEN date >= ? THEN 1 ELSE 0 END), MAX(date) "
            "FROM contribution GROUP BY group_id",
            (since,),
        ).fetchall()
    }
    decisions: dict[int, tuple[str, datetime | None, list[str]]] = {}
    for gid, action, at, reasons in db.execute_sql(
        "SELECT group_id, action, at, reasons FROM decision ORDER BY at, id"
    ).fetchall():
        try:
            ids_ = [str(r) for r in json.loads(reasons or "[]")]
        except ValueError:
            ids_ = []
        decisions[gid] = (action, datetime.fromisoformat(str(at)) if at else None, ids_)
    unsubscribe = list_unsubscribe_targets()
    out: list[PlanItem] = []
    for row in rows:
        if wanted is not None and row[0] not in wanted:
            continue
        (gid, name, network, status, url, ext, how, invited_by, personal, joined, amount, period,
         currency, hours, epw, last, ppw, vto, vfrom, spam, review, commit, tags, notes) = row  # fmt: skip
        recent, last_c = stats.get(gid, (0, None))
        facts = GroupFacts(
            status=status,
            how_joined=how,
            invite_personal=None if personal is None else bool(personal),
            joined_on=_d(joined),
            cost_amount=amount,
            cost_period=period,
            emails_per_week=epw,
            last_group_activity=_d(last),
            posts_per_week=ppw,
            value_to_me=vto,
            value_from_me=vfrom,
            spam_level=spam,
            review_on=_d(review),
            recent_contributions=recent or 0,
            last_contribution=_d(last_c),
            hours_per_month=hours,
            commitment_per_month=commit,
            tags=tags,
            unserved_topics=unserved,
        )
        ev = evaluate(facts, today, thresholds)
        advice = recommend(facts, ev, today, thresholds)
        decided = decisions.get(gid)
        out.append(
            PlanItem(
                name=name,
                network=network,
                status=status,
                recommendation=advice.action,
                reasons=[r.sentence for r in advice.reasons],
                decision=decided[0] if decided else None,
                decided_on=decided[1].date() if decided and decided[1] else None,
                decision_reasons=_sentences(decided[2], thresholds) if decided else [],
                id=gid,
                url=url,
                external_id=ext,
                cost_per_year=ev.cost_per_year,
                currency=currency,
                hours_per_month=hours,
                emails_per_week=epw,
                commitment_per_month=commit,
                review_on=_d(review),
                invited_by=invited_by,
                tags=tags,
                notes=notes,
                list_unsubscribe=unsubscribe.get(gid, ()),
            )
        )
    return out
