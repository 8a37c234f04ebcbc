"""Discord data package: servers I am in, servers I have left, and my messages as contributions.

Both layouts are read, with or without a wrapping folder: ``servers/index.json`` (old) or
``Servers/index.json`` + ``Servers/<id>/guild.json`` (new) list the servers at request time (→ member);
``messages/index.json`` / ``Messages/index.json`` maps channel ids to ``"general in Server"``, and channel
folders (``messages/<id>/`` or ``Messages/c<id>/``) hold ``channel.json`` (with ``guild: {id, name}``) and
``messages.json`` or ``messages.csv`` with a ``Timestamp`` per message I sent. A server seen only in my
messages is ``left`` when the package lists current servers (it is not among them), unknown otherwise.
Detection is by content (id → name maps, channel objects) — the folder names only group the files.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from groupdesk.domain.records import normalise_name
from groupdesk.importers.base import (
    FileSet,
    ImportProblem,
    ImportResult,
    RecordBook,
    Skipped,
    VirtualFile,
    aggregate_contributions,
    clean_name,
    date_from_iso,
    find_header,
    read_csv,
    rows_as_dicts,
)

KIND = "discord"
_FILES = ("index.json", "guild.json", "channel.json", "messages.json", "messages.csv")
_ID = re.compile(r"\d{5,25}")
_GUILD_TYPES = {"0", "2", "4", "5", "10", "11", "12", "13", "15", "16"}
_PRIVATE_TYPES = {"1", "3", "dm", "group_dm"}


def wants(path: str) -> bool:
    """The files of a Discord package, by name (content decides)."""
    return path.rsplit("/", 1)[-1] in _FILES


@dataclass
class _Package:
    servers: dict[str, str] = field(default_factory=dict)  # id → name (current)
    has_server_list: bool = False
    channel_names: dict[str, str] = field(default_factory=dict)  # channel id → index value
    channels: dict[str, tuple[str | None, str | None, str]] = field(default_factory=dict)  # id → guild, type
    messages: dict[str, list[date]] = field(default_factory=dict)  # channel folder → days
    folder_channel: dict[str, str] = field(default_factory=dict)  # channel folder → channel id
    files: list[VirtualFile] = field(default_factory=list)


def _id_map(value: Any) -> dict[str, str | None] | None:
    """An ``{"<snowflake>": "name" | null}`` map, or None when the value is something else."""
    if not isinstance(value, dict) or not value:
        return None
    out: dict[str, str | None] = {}
    for k, v in value.items():
        if not _ID.fullmatch(str(k)) or not (v is None or isinstance(v, str)):
            return None
        out[str(k)] = v
    return out


def _split(path: str) -> tuple[str, str, list[str]]:
    """(root, area, rest) where area is the ``servers``/``messages`` folder, by position of that folder."""
    parts = path.split("/")
    low = [p.lower() for p in parts]
    for i in range(len(parts) - 2, -1, -1):
        if low[i] in ("servers", "messages"):
            return "/".join(parts[:i]), low[i], parts[i + 1 :]
    return "/".join(parts[:-1]), "", parts[-1:]


def read(fs: FileSet) -> list[ImportResult]:
    """Every Discord package in the source, one ImportResult each (empty list when there is none)."""
    packages: dict[str, _Package] = defaultdict(_Package)
    for vf in fs:
        if not wants(vf.local):
            continue
        root, area, rest = _split(vf.path)
        fname = rest[-1].lower()
        if fname == "index.json" and len(rest) == 1 and area:
            m = _id_map(fs.try_json(vf))
            if m is None:
                continue
            pkg = packages[root]
            pkg.files.append(vf)
            if area == "servers":
                pkg.has_server_list = True
                pkg.servers.update({k: v for k, v in m.items() if v})
            else:
                pkg.channel_names.update({k: v for k, v in m.items() if v})
        elif fname == "guild.json" and area == "servers" and len(rest) == 2:
            data = fs.try_json(vf)
            if isinstance(data, dict) and _ID.fullmatch(str(data.get("id", ""))):
                name = clean_name(data.get("name"))
                pkg = packages[root]
                pkg.files.append(vf)
                pkg.has_server_list = True
                if name:
                    pkg.servers[str(data["id"])] = name
        elif fname == "channel.json" and len(rest) == 2:
            data = fs.try_json(vf)
            if not isinstance(data, dict) or not _ID.fullmatch(str(data.get("id", ""))):
                continue
            guild = data.get("guild") if isinstance(data.get("guild"), dict) else {}
            gid = str(guild.get("id")) if _ID.fullmatch(str(guild.get("id", ""))) else None
            ctype = str(data.get("type", "")).lower()
            pkg = packages[root]
            pkg.files.append(vf)
            pkg.channels[str(data["id"])] = (gid, clean_name(guild.get("name")), ctype)
            pkg.folder_channel[f"{area}/{rest[0]}"] = str(data["id"])
        elif fname in ("messages.json", "messages.csv") and len(rest) == 2 and area == "messages":
            days = _message_days(fs, vf)
            if days is None:
                continue
            pkg = packages[root]
            pkg.files.append(vf)
            pkg.messages[f"{area}/{rest[0]}"] = days
    results = []
    for _root, pkg in sorted(packages.items(), key=lambda kv: kv[0]):
        if not (pkg.has_server_list or pkg.channel_names or pkg.channels):
            continue
        results.append(_result(fs, pkg))
    return results


def _message_days(fs: FileSet, vf: VirtualFile) -> list[date] | None:
    """The days of the messages in one channel file (JSON list or CSV with a Timestamp column)."""
    if vf.name.endswith(".json"):
        data = fs.try_json(vf)
        if not isinstance(data, list):
            return None
        out = []
        for m in data:
            if isinstance(m, dict):
                ts = m.get("Timestamp", m.get("timestamp"))
                d = date_from_iso(ts)
                if d:
                    out.append(d)
        return out
    text = fs.csv_text(vf)
    if text is None:
        return None
    try:
        rows = read_csv(text, vf.label, delimiter=",")
    except ImportProblem as exc:
        fs.unreadable[vf.path] = exc
        return None
    idx = find_header(rows, lambda h: "timestamp" in h, scan=3)
    if idx is None:
        return None
    _h, dicts = rows_as_dicts(rows, idx)
    return [d for d in (date_from_iso(r.get("timestamp")) for r in dicts) if d]


def _server_of_index_value(value: str) -> str | None:
    """``"general in My Server"`` → ``"My Server"``; DMs and ``"None"`` → None."""
    value = value.strip()
    if not value or value == "None" or value.lower().startswith("direct message"):
        return None
    _chan, sep, server = value.partition(" in ")
    return clean_name(server) if sep else None


def _result(fs: FileSet, pkg: _Package) -> ImportResult:
    book = RecordBook("discord")
    for gid, name in pkg.servers.items():
        rec = book.get(name, gid)
        rec.status = "member"
    current_names = {normalise_name(n) for n in pkg.servers.values()}
    gone_status = "left" if pkg.has_server_list else None
    dms = 0
    # Channels with a channel.json: their guild is known by id.
    channel_guild: dict[str, tuple[str | None, str]] = {}
    for cid, (gid, gname, ctype) in pkg.channels.items():
        if ctype in _PRIVATE_TYPES or (
            not gid and ctype not in _GUILD_TYPES and not ctype.startswith("guild")
        ):
            dms += 1
            continue
        name = gname or pkg.servers.get(gid or "") or _server_of_index_value(pkg.channel_names.get(cid, ""))
        if not name and not gid:
            continue
        name = name or f"Discord server {gid}"
        if gid and gid not in pkg.servers:
            rec = book.get(name, gid)
            rec.status = rec.status or gone_status
        channel_guild[cid] = (gid, name)
    # Channels known only from the messages index.
    for cid, value in pkg.channel_names.items():
        if cid in pkg.channels:
            continue
        server = _server_of_index_value(value)
        if server is None:
            dms += value.strip() != "None"
            continue
        if normalise_name(server) in current_names:
            gid = next(g for g, n in pkg.servers.items() if normalise_name(n) == normalise_name(server))
            channel_guild[cid] = (gid, pkg.servers[gid])
            continue
        rec = book.get(server)
        rec.status = rec.status or gone_status
        channel_guild[cid] = (None, server)
    # My messages, per server and day.
    days_by_group: dict[str, list[date]] = defaultdict(list)
    for folder, days in pkg.messages.items():
        cid = pkg.folder_channel.get(folder) or folder.rsplit("/", 1)[-1].lstrip("cC")
        if cid not in channel_guild:
            continue
        gid, name = channel_guild[cid]
        days_by_group[book.key(name, gid)].extend(days)
        book.get(name, gid)
    for rec in book.records():
        days = days_by_group.get(book.key(rec.name, rec.external_id))
        if days:
            rec.contributions = aggregate_contributions(((d, "post") for d in days), "messages on Discord")
    records = book.records()
    skipped = (
        [Skipped(f"{dms} direct-message conversation(s)", "direct messages, not a group")] if dms else []
    )
    member = sum(r.status == "member" for r in records)
    messages = [f"{member} Discord server(s) you are in, {len(records) - member} seen only in your messages."]
    if not pkg.has_server_list:
        messages.append("This package has no server list, so servers seen in messages are marked unknown.")
    return fs.result(KIND, pkg.files, records=records, skipped=skipped, messages=messages)
