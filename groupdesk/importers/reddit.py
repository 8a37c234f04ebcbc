"""Reddit data export: subscribed and moderated subreddits, my posts and comments as contributions.

Recognised by CSV header: a ``subreddit`` column. A one-column list is subscriptions unless its file name
says "moderated" (→ member, tagged moderator) or "approved_submitter" (not a membership: ignored). Tables
with ``subreddit`` and ``date`` are my posts (a ``title`` column) or comments (``parent``/``link`` columns),
counted per subreddit and day, de-duplicated by their ``id`` (newer exports repeat posts in
``post_headers.csv``). Subreddits I only posted in are skipped when the export lists my subscriptions.
The files may sit one folder deep; a BOM is tolerated. External id: the lower-case subreddit name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from groupdesk.importers.base import (
    FileSet,
    ImportProblem,
    ImportResult,
    RecordBook,
    Skipped,
    VirtualFile,
    add_tag,
    aggregate_contributions,
    date_from_iso,
    parse_date,
    read_csv,
    rows_as_dicts,
)

KIND = "reddit"
_SUB = re.compile(r"\w{2,32}")


def wants(path: str) -> bool:
    """CSV files up to two folders deep."""
    return path.endswith(".csv") and path.count("/") <= 2


def subreddit_name(value: str) -> str | None:
    """``"r/Python"``, ``"/r/Python/"`` or ``"Python"`` → ``"Python"``; None when not a subreddit name."""
    v = value.strip().strip("/")
    v = re.sub(r"(?i)^r/", "", v)
    return v if _SUB.fullmatch(v) else None


def _table(fs: FileSet, vf: VirtualFile) -> tuple[list[str], list[dict[str, str]]] | None:
    text = fs.csv_text(vf)
    if text is None or not text.strip():
        return None
    try:
        rows = read_csv(text, vf.label, delimiter=",")
    except ImportProblem as exc:
        fs.unreadable[vf.path] = exc
        return None
    if not rows:
        return None
    header, dicts = rows_as_dicts(rows, 0)
    return (header, dicts) if "subreddit" in header else None


def read(fs: FileSet) -> list[ImportResult]:
    """The Reddit export in the source as one ImportResult (empty list when there is none)."""
    used: list[VirtualFile] = []
    subscribed: list[str] = []
    moderated: list[str] = []
    has_list = False
    activity: dict[str, dict[str, tuple[str, date]]] = {"post": {}, "comment": {}}
    for vf in fs:
        if not fs.single and not wants(vf.local):
            continue
        table = _table(fs, vf)
        if table is None:
            continue
        header, dicts = table
        fname = vf.name
        if "date" in header:
            kind = (
                "comment" if ("parent" in header or "comment" in fname) and "title" not in header else "post"
            )
            used.append(vf)
            for i, d in enumerate(dicts):
                sub = subreddit_name(d.get("subreddit", ""))
                day = date_from_iso(d.get("date")) or parse_date(d.get("date", ""))
                if not sub or not day:
                    continue
                key = d.get("id", "").strip() or f"{vf.path}#{i}"
                activity[kind][key] = (sub, day)
            continue
        if "approved" in fname:
            used.append(vf)
            continue
        used.append(vf)
        has_list = True
        target = moderated if "moderat" in fname else subscribed
        target.extend(s for s in (subreddit_name(d.get("subreddit", "")) for d in dicts) if s)
    if not used:
        return []
    book = RecordBook("reddit")
    for sub in subscribed + moderated:
        rec = book.get(f"r/{sub}", sub.lower())
        rec.status = "member"
        rec.url = f"https://www.reddit.com/r/{sub}/"
    for sub in moderated:
        add_tag(book.get(f"r/{sub}", sub.lower()), "moderator")
    events: dict[str, list[tuple[date, str]]] = defaultdict(list)
    display: dict[str, str] = {}
    for kind, items in activity.items():
        for sub, day in items.values():
            events[sub.lower()].append((day, kind))
            display.setdefault(sub.lower(), sub)
    skipped: list[Skipped] = []
    for low, evs in sorted(events.items()):
        rec = book.find(f"r/{display[low]}", low)
        if rec is None:
            if has_list:
                skipped.append(
                    Skipped(f"r/{display[low]}", "not subscribed (only your posts or comments there)")
                )
                continue
            rec = book.get(f"r/{display[low]}", low)
            rec.url = f"https://www.reddit.com/r/{display[low]}/"
        rec.contributions = sorted(
            aggregate_contributions([e for e in evs if e[1] == "post"], "posts on Reddit")
            + aggregate_contributions([e for e in evs if e[1] == "comment"], "comments on Reddit"),
            key=lambda c: (c.date, c.kind),
        )
    records = book.records()
    posts, comments = len(activity["post"]), len(activity["comment"])
    messages = [f"{len(records)} subreddit(s); {posts} post(s) and {comments} comment(s) read."]
    return [fs.result(KIND, used, records=records, skipped=skipped, messages=messages)]
