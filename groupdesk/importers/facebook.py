"""Facebook / Meta "Download your information": group memberships, groups admined, my posts and comments.

Detection is by JSON keys (``groups_joined``, ``groups_joined_v2``, ``groups_admined_v2``, ``group_posts_v2``,
``group_comments_v2``, ``group_badges_v2``) wherever the files sit — the ``groups/`` folder moved between
years — and, for the HTML variant, by membership sentences in the page. Membership entries are events: the
latest event per group decides member or left. An entry without ``data`` carries the group name only inside
its ``title``, a sentence in the user's interface language; the name is read with templates learned from
the entries that do have ``data`` and with known sentences in several languages. Every string is repaired
for Facebook's mojibake (each UTF-8 byte escaped on its own). Dates are UTC days of the Unix timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import Any

from groupdesk.domain.records import normalise_name
from groupdesk.importers.base import (
    FileSet,
    ImportResult,
    RecordBook,
    Skipped,
    VirtualFile,
    add_tag,
    aggregate_contributions,
    clean_name,
    date_from_unix,
    fix_mojibake,
    parse_date,
)

KIND = "facebook"

_MEMBERSHIP_KEYS = ("groups_joined_v2", "groups_joined")
_ADMIN_KEYS = ("groups_admined_v2", "groups_admined")
_POST_KEYS = ("group_posts_v2", "group_posts")
_COMMENT_KEYS = ("group_comments_v2", "group_comments")
_BADGE_KEYS = ("group_badges_v2", "group_badges")
_PENDING_KEYS = ("pending_posts_v2", "group_pending_posts_v2", "your_pending_posts_in_groups_v2")
ALL_KEYS = _MEMBERSHIP_KEYS + _ADMIN_KEYS + _POST_KEYS + _COMMENT_KEYS + _BADGE_KEYS + _PENDING_KEYS

_N = r"(?P<name>.+?)"
_END = r"\s*\.?\s*$"
#: (event, pattern) — leave sentences first; ``name`` is the group. Languages: en, da, nb, sv, de, nl, fr, es.
SENTENCES: list[tuple[str, re.Pattern[str]]] = [
    (ev, re.compile(p + _END, re.IGNORECASE))
    for ev, p in [
        ("leave", rf"stopped being a member of {_N}"),
        ("leave", rf"(?:is|are) no longer a member of {_N}"),
        ("leave", rf"(?:er|var) ikke længere medlem af {_N}"),
        ("leave", rf"(?:stoppede|holdt op) med at være medlem af {_N}"),
        ("leave", rf"(?:^|\s)forlod {_N}"),
        ("leave", rf"(?:^|\s)forlot {_N}"),
        ("leave", rf"(?:^|\s)lämnade {_N}"),
        ("leave", rf"(?:hast|hat) die Gruppe {_N} verlassen"),
        ("leave", rf"(?:is|bent|ben je) geen lid meer van {_N}"),
        ("leave", rf"(?:heeft|hebt) {_N} verlaten"),
        ("leave", rf"(?:avez|a) quitté {_N}"),
        ("leave", rf"(?:dejaste|abandonaste|saliste de|dejó|abandonó) {_N}"),
        ("leave", rf"(?:^|\s)left {_N}"),
        ("join", rf"became a member of {_N}"),
        ("join", rf"blev medlem af {_N}"),
        ("join", rf"blev medlem i {_N}"),
        ("join", rf"ble medlem av {_N}"),
        ("join", rf"gick med i {_N}"),
        ("join", rf"(?:bist|ist) der Gruppe {_N} beigetreten"),
        ("join", rf"(?:werd|werd je|bent|is) lid (?:geworden )?van {_N}"),
        ("join", rf"(?:êtes|est) devenue? membre (?:de|du groupe) {_N}"),
        ("join", rf"(?:avez|a) rejoint {_N}"),
        ("join", rf"(?:te uniste|se unió) a {_N}"),
        ("join", rf"(?:^|\s)joined {_N}"),
    ]
]

_POST_SENTENCES = [
    re.compile(p + _END, re.IGNORECASE)
    for p in [
        rf"(?:posted|wrote|shared \w+(?: \w+)?) in {_N}",
        rf"commented on .+? in {_N}",
        rf"(?:slog op|skrev|delte .+?) i {_N}",
        rf"(?:hat|hast) in {_N} (?:gepostet|geschrieben)",
        rf"(?:plaatste|schreef) in {_N}",
        rf"(?:a|avez) publié dans {_N}",
        rf"publicó en {_N}",
    ]
]

_ADMIN_BADGES = {"administrator", "admin", "administrateur", "administrador", "beheerder", "moderator"}


def wants(path: str) -> bool:
    """Facebook's group files: JSON or HTML in a ``groups`` folder or named after groups (not Messenger)."""
    if not path.endswith((".json", ".html", ".htm")):
        return False
    parts = path.split("/")
    return "groups" in parts[:-1] or ("group" in parts[-1] and "messages" not in parts)


@dataclass
class _Event:
    name: str
    kind: str  # "join" | "leave"
    ts: float | None
    order: int


def classify_title(title: str) -> tuple[str, str] | None:
    """(event, group name) from a membership sentence in any known language; ``None`` when unknown."""
    title = " ".join(title.split())
    for event, pattern in SENTENCES:
        m = pattern.search(title)
        if m and m["name"].strip():
            return event, m["name"].strip()
    return None


def _event_of(title: str) -> str:
    found = classify_title(title) if title else None
    return found[0] if found else "join"


def _entries(value: Any) -> list[dict]:
    """The list of entries under a key: a list, or (old exports) a dict wrapping one list."""
    if isinstance(value, dict):
        for v in value.values():
            if isinstance(v, list):
                value = v
                break
    if not isinstance(value, list):
        return []
    return [e for e in value if isinstance(e, dict)]


def _data_name(entry: dict) -> str | None:
    data = entry.get("data")
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                name = clean_name(item.get("name"))
                if name:
                    return name
    return clean_name(entry.get("name"))


class _Templates:
    """Sentence templates learned from entries whose name is known: "Ann became a member of {}."."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str, str]] = []  # (prefix, suffix, event)

    def learn(self, title: str, name: str, event: str) -> None:
        title = " ".join(title.split())
        i = title.rfind(name)
        if i < 0 or not title.strip():
            return
        item = (title[:i], title[i + len(name) :], event)
        if item not in self.items and len(self.items) < 50:
            self.items.append(item)

    def match(self, title: str) -> tuple[str, str] | None:
        title = " ".join(title.split())
        for prefix, suffix, event in self.items:
            if (prefix or suffix) and title.startswith(prefix) and title.endswith(suffix):
                name = title[len(prefix) : len(title) - len(suffix) if suffix else None].strip()
                if name:
                    return event, name
        return None


def _is_event_list(data: Any) -> bool:
    """A bare list of membership entries: dicts with timestamps, at least one title a membership sentence."""
    if not isinstance(data, list) or not data or not all(isinstance(e, dict) for e in data):
        return False
    if not all("timestamp" in e and isinstance(e.get("title"), str) for e in data):
        return False
    return any(classify_title(e["title"]) for e in data[:50])


def _membership(entries: list[dict], old_format: bool, skipped: list[Skipped], start: int) -> list[_Event]:
    events: list[_Event] = []
    templates = _Templates()
    pending: list[tuple[int, dict]] = []
    for i, entry in enumerate(entries, start):
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        ts = entry.get("timestamp")
        ts = float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None
        name = _data_name(entry)
        if name:
            event = _event_of(title)
            templates.learn(title, name, event)
            events.append(_Event(name, event, ts, i))
        else:
            pending.append((i, entry))
    for i, entry in pending:
        title = entry.get("title") if isinstance(entry.get("title"), str) else ""
        ts = entry.get("timestamp")
        ts = float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None
        found = templates.match(title) or classify_title(title)
        if found is None and old_format:
            name = clean_name(title)
            found = ("join", name) if name else None
        if found is None:
            skipped.append(Skipped(clean_name(title) or "(no title)", "could not tell the group's name"))
            continue
        name = clean_name(found[1])
        if name:
            events.append(_Event(name, found[0], ts, i))
    return events


def _apply_events(book: RecordBook, events: list[_Event]) -> None:
    """Latest event wins: member (joined_on = last join) or left (left_on = last leave)."""
    by_group: dict[str, list[_Event]] = {}
    for ev in events:
        by_group.setdefault(normalise_name(ev.name), []).append(ev)
    for evs in by_group.values():
        evs.sort(key=lambda e: (e.ts if e.ts is not None else float("-inf"), e.order))
        last = evs[-1]
        rec = book.get(last.name)
        joins = [e for e in evs if e.kind == "join" and e.ts is not None]
        leaves = [e for e in evs if e.kind == "leave" and e.ts is not None]
        rec.joined_on = date_from_unix(joins[-1].ts) if joins else None
        if last.kind == "leave":
            rec.status = "left"
            rec.left_on = date_from_unix(leaves[-1].ts) if leaves else None
        else:
            rec.status = "member"
            rec.left_on = None


def _find_group_key(value: Any, depth: int = 0) -> str | None:
    """A ``"group"`` string anywhere inside a post or comment entry."""
    if depth > 6:
        return None
    if isinstance(value, dict):
        g = value.get("group")
        if isinstance(g, str) and g.strip():
            return clean_name(g)
        for v in value.values():
            found = _find_group_key(v, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for v in value:
            found = _find_group_key(v, depth + 1)
            if found:
                return found
    return None


def _group_of_activity(entry: dict, known: dict[str, str]) -> str | None:
    name = _find_group_key(entry)
    if name:
        return name
    title = entry.get("title")
    if not isinstance(title, str):
        return None
    title = " ".join(title.split())
    # A known group named in the sentence (longest first, so "Board Games Oost" beats "Board Games").
    low = title.casefold()
    for key in sorted(known, key=len, reverse=True):
        if key and key in low:
            return known[key]
    for pattern in _POST_SENTENCES:
        m = pattern.search(title)
        if m:
            return clean_name(m["name"])
    return None


def read(fs: FileSet) -> list[ImportResult]:
    """Every Facebook group file in the source as one ImportResult (empty list when there is none)."""
    used: list[VirtualFile] = []
    skipped: list[Skipped] = []
    messages: list[str] = []
    events: list[_Event] = []
    admined: list[tuple[str, float | None]] = []
    badges: dict[str, list[str]] = {}
    activity: list[tuple[str, dict]] = []  # ("post"|"comment", entry)
    order = 0
    html_files: list[VirtualFile] = []
    for vf in fs:
        if not wants(vf.local) and not fs.single:
            continue
        if vf.suffix in (".html", ".htm") or (fs.single and vf.read().lstrip()[:1] == b"<"):
            html_files.append(vf)
            continue
        data = fs.try_json(vf)
        if _is_event_list(data):
            data = {"groups_joined_v2": data}  # newer exports drop the wrapping key
        if not isinstance(data, dict) or not any(k in data for k in ALL_KEYS):
            continue
        used.append(vf)
        for key in _MEMBERSHIP_KEYS:
            if key in data:
                entries = _entries(data[key])
                events.extend(_membership(entries, key == "groups_joined", skipped, order))
                order += len(entries)
        for key in _ADMIN_KEYS:
            for e in _entries(data.get(key)):
                name = _data_name(e) or clean_name(e.get("title"))
                if name:
                    ts = e.get("timestamp")
                    admined.append((name, ts if isinstance(ts, (int, float)) else None))
        for key in _BADGE_KEYS:
            value = data.get(key)
            if isinstance(value, dict):
                for g, b in value.items():
                    name = clean_name(g)
                    if name and isinstance(b, list):
                        badges.setdefault(name, []).extend(str(x) for x in b if isinstance(x, str))
        for key in _POST_KEYS:
            activity.extend(("post", e) for e in _entries(data.get(key)))
        for key in _COMMENT_KEYS:
            activity.extend(("comment", e) for e in _entries(data.get(key)))
        for key in _PENDING_KEYS:
            n = len(_entries(data.get(key)))
            if n:
                messages.append(
                    f"{n} pending post(s) waiting for approval were not counted as contributions."
                )
    for vf in html_files:
        found = _read_html(fs, vf)
        if found:
            used.append(vf)
            events.extend(_Event(n, ev, ts, order + i) for i, (ev, n, ts) in enumerate(found))
            order += len(found)
    if not used:
        return []

    book = RecordBook("facebook")
    _apply_events(book, events)
    for name, _ts in admined:
        rec = book.get(name)
        rec.status = rec.status or "member"
        add_tag(rec, "admin")
    for name, bs in badges.items():
        if any(b.strip().casefold() in _ADMIN_BADGES for b in bs):
            rec = book.get(name)
            rec.status = rec.status or "member"
            add_tag(rec, "admin")

    known = {normalise_name(r.name): r.name for r in book.records()}
    per_group: dict[str, list[tuple[date, str]]] = {}
    names: dict[str, str] = {}
    unplaced = 0
    for kind, entry in activity:
        day = date_from_unix(entry.get("timestamp"))
        if day is None:
            day = _nested_timestamp(entry)
        name = _group_of_activity(entry, known)
        if name is None or day is None:
            unplaced += 1
            continue
        key = normalise_name(name)
        names.setdefault(key, name)
        per_group.setdefault(key, []).append((day, kind))
    for key, evs in per_group.items():
        rec = book.get(names[key])
        rec.contributions = aggregate_contributions(
            [(d, k) for d, k in evs if k == "post"], "posts on Facebook"
        ) + aggregate_contributions([(d, k) for d, k in evs if k == "comment"], "comments on Facebook")
        rec.contributions.sort(key=lambda c: (c.date, c.kind))
    if unplaced:
        messages.append(
            f"{unplaced} post(s) or comment(s) could not be matched to a group and were left out."
        )
    records = book.records()
    messages.insert(0, f"{len(records)} Facebook group(s) from {len(events)} membership event(s).")
    return [fs.result(KIND, used, records=records, skipped=skipped, messages=messages)]


def _nested_timestamp(entry: dict) -> date | None:
    data = entry.get("data")
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                for v in item.values():
                    if isinstance(v, dict):
                        d = date_from_unix(v.get("timestamp"))
                        if d:
                            return d
    return None


# --------------------------------------------------------------------------------------------------------
# HTML variant

_BLOCK_TAGS = {
    "div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "tr", "table", "section", "article",
    "br", "header", "footer", "main", "ul", "ol", "body", "title",
}  # fmt: skip


class _TextBlocks(HTMLParser):
    """Collects the page's text as blocks (one per block-level element), scripts and styles ignored."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._buf: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = " ".join("".join(self._buf).split())
        if text:
            self.blocks.append(text)
        self._buf = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf.append(data)


def _read_html(fs: FileSet, vf: VirtualFile) -> list[tuple[str, str, float | None]]:
    """(event, name, timestamp) for each membership sentence in an HTML page, dated by the next date."""
    text = fs.try_text(vf)
    if not text or "<" not in text:
        return []
    parser = _TextBlocks()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError):  # html.parser on broken markup
        return []
    parser._flush()
    blocks = [fix_mojibake(b) for b in parser.blocks]
    found: list[tuple[str, str, float | None]] = []
    for i, block in enumerate(blocks):
        if len(block) > 500:
            continue
        hit = classify_title(block)
        if not hit:
            continue
        name = clean_name(hit[1])
        if not name:
            continue
        when = None
        for nxt in blocks[i + 1 : i + 4]:
            d = parse_date(nxt)
            if d:
                when = _day_ts(d)
                break
        found.append((hit[0], name, when))
    return found


def _day_ts(d: date) -> float:
    from datetime import datetime, timezone

    return datetime(d.year, d.month, d.day, 12, tzinfo=timezone.utc).timestamp()
