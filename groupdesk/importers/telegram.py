"""Telegram Desktop export (``result.json``): groups and channels, left chats, my messages.

A full export has ``chats.list`` (current) and ``left_chats.list`` (left); a single-chat export is just one
``{name, type, id, messages}``. Only group-like types become groups (``private_group``,
``private_supergroup``, ``public_supergroup``, ``private_channel``, ``public_channel``); personal chats,
bots, saved messages and replies are skipped with the reason. When the export says who I am
(``personal_information.user_id``), my messages become contributions (one per day) and service messages tell
how I joined: by link (myself), added by someone (``invite_members`` naming me), or I created the group.
The newest message of a chat gives the group's last activity. Dates are the export's local dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from groupdesk.importers.base import (
    FileSet,
    ImportResult,
    RecordBook,
    Skipped,
    VirtualFile,
    aggregate_contributions,
    clean_name,
    date_from_iso,
    date_from_unix,
)

KIND = "telegram"

GROUP_TYPES = frozenset(
    {"private_group", "private_supergroup", "public_supergroup", "private_channel", "public_channel"}
)
NOT_GROUP_REASONS = {
    "personal_chat": "personal chat, not a group",
    "bot_chat": "bot chat, not a group",
    "saved_messages": "saved messages, not a group",
    "replies": "replies, not a group",
}
_DEFAULT_NAMES = {"saved_messages": "Saved Messages", "replies": "Replies"}


def wants(path: str) -> bool:
    """``result.json`` anywhere, and any JSON up to two folders deep."""
    return path.endswith(".json") and (path.rsplit("/", 1)[-1] == "result.json" or path.count("/") <= 2)


def _is_chat(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("type"), str)
        and "id" in value
        and (isinstance(value.get("messages"), list) or "name" in value)
    )


def _chat_list(section: Any) -> list[dict] | None:
    if isinstance(section, dict) and isinstance(section.get("list"), list):
        return [c for c in section["list"] if isinstance(c, dict)]
    return None


def _day(msg: dict) -> date | None:
    return date_from_iso(msg.get("date")) or date_from_unix(msg.get("date_unixtime"))


def read(fs: FileSet) -> list[ImportResult]:
    """Every Telegram export in the source, one ImportResult each (empty list when there is none)."""
    results = []
    for vf in fs:
        if not fs.single and not wants(vf.local):
            continue
        data = fs.try_json(vf)
        if not isinstance(data, dict):
            continue
        current = _chat_list(data.get("chats"))
        left = _chat_list(data.get("left_chats"))
        if current is not None or left is not None:
            results.append(_read_export(fs, vf, data, current or [], left or []))
        elif _is_chat(data) and isinstance(data.get("messages"), list):
            results.append(_read_export(fs, vf, data, [data], [], single_chat=True))
    return results


def _me(data: dict) -> tuple[str | None, str | None]:
    """(``from_id`` of my messages, my display name) when the export says who I am."""
    info = data.get("personal_information")
    if not isinstance(info, dict):
        return None, None
    uid = info.get("user_id")
    me_id = f"user{uid}" if isinstance(uid, (int, str)) and str(uid).isdigit() else None
    name = " ".join(
        s.strip() for s in (info.get("first_name"), info.get("last_name")) if isinstance(s, str) and s.strip()
    )
    return me_id, name or None


def _read_export(
    fs: FileSet,
    vf: VirtualFile,
    data: dict,
    current: list[dict],
    left: list[dict],
    *,
    single_chat: bool = False,
) -> ImportResult:
    me_id, me_name = _me(data)
    book = RecordBook("telegram")
    skipped: list[Skipped] = []
    for chats, status in ((current, "member"), (left, "left")):
        for chat in chats:
            ctype = chat.get("type")
            default = _DEFAULT_NAMES.get(ctype) if isinstance(ctype, str) else None
            name = clean_name(chat.get("name")) or default or f"Telegram chat {chat.get('id')}"
            if not isinstance(ctype, str) or ctype not in GROUP_TYPES:
                reason = (
                    NOT_GROUP_REASONS.get(ctype, f"{ctype} chat, not a group")
                    if isinstance(ctype, str)
                    else ("unknown chat type, not a group")
                )
                skipped.append(Skipped(name, reason))
                continue
            cid = chat.get("id")
            ext = str(cid) if isinstance(cid, (int, str)) and str(cid).lstrip("-").isdigit() else None
            rec = book.get(name, ext)
            if rec.status != "member":
                rec.status = status
            _read_messages(rec, chat.get("messages"), me_id, me_name)
    records = book.records()
    messages = [f"{len(records)} Telegram group(s) or channel(s); {len(skipped)} other chat(s) skipped."]
    if me_id is None:
        messages.append(
            "This export does not say who you are, so your messages are not counted as contributions."
            if not single_chat
            else "A single-chat export does not say who you are, so your messages are not counted."
        )
    return fs.result(KIND, [vf], records=records, skipped=skipped, messages=messages)


def _read_messages(rec: Any, msgs: Any, me_id: str | None, me_name: str | None) -> None:
    if not isinstance(msgs, list):
        return
    mine: list[tuple[date, str]] = []
    newest: date | None = None
    for msg in msgs:
        if not isinstance(msg, dict):
            continue
        day = _day(msg)
        if day is None:
            continue
        newest = day if newest is None or day > newest else newest
        mtype = msg.get("type")
        if me_id is None:
            continue
        if mtype == "message" and msg.get("from_id") == me_id:
            mine.append((day, "post"))
        elif mtype == "service":
            _service(rec, msg, day, me_id, me_name)
    if newest is not None:
        rec.last_group_activity = newest
    if mine:
        rec.contributions = aggregate_contributions(mine, "messages on Telegram")


def _service(rec: Any, msg: dict, day: date, me_id: str, me_name: str | None) -> None:
    """How I joined, from service messages about me."""
    action = msg.get("action")
    actor_id = msg.get("actor_id")
    members = msg.get("members") if isinstance(msg.get("members"), list) else []
    if action in ("join_group_by_link", "join_group_by_request") and actor_id == me_id:
        rec.joined_on, rec.how_joined = day, "self"
    elif action in ("create_group", "create_channel", "migrate_from_group") and actor_id == me_id:
        if rec.joined_on is None:
            rec.joined_on, rec.how_joined = day, "self"
    elif action == "invite_members" and me_name and me_name in members:
        rec.joined_on = day
        if actor_id == me_id:
            rec.how_joined = "self"
        else:
            rec.how_joined = "added_by_someone"
            rec.invited_by = clean_name(msg.get("actor")) or rec.invited_by
