"""Discord data package: both layouts, wrapping folder, servers left, messages as contributions."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from groupdesk.importers import discord
from groupdesk.importers.base import FileSet
from groupdesk.importers.detect import read_path

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "discord"


def by_name(result):
    return {r.name: r for r in result.records}


def test_old_layout_in_wrapping_folder():
    [res] = read_path(EXPORTS / "old_layout")  # the package sits in package/
    assert res.kind == "discord"
    g = by_name(res)
    assert {n: (r.status, r.external_id) for n, r in g.items()} == {
        "Rust Copenhagen": ("member", "111111111111111111"),
        "Board Games Oost": ("member", "222222222222222222"),
        "Retro Gamers DK": ("left", "888888888888888888"),  # channel.json names the guild; not in servers
        "Old Server": ("left", None),  # only "off-topic in Old Server" in messages/index.json
    }
    assert [(c.date, c.note) for c in g["Rust Copenhagen"].contributions] == [
        (date(2023, 9, 28), "messages on Discord"),
        (date(2023, 10, 5), "messages on Discord"),
    ]
    assert [c.date for c in g["Retro Gamers DK"].contributions] == [date(2022, 1, 15)]
    assert g["Board Games Oost"].contributions == []
    assert [(s.name, s.reason) for s in res.skipped] == [
        ("1 direct-message conversation(s)", "direct messages, not a group")
    ]
    assert not any("user.json" in f for f in res.files)


def test_new_layout_servers_guild_json_and_messages_json():
    [res] = read_path(EXPORTS / "new_layout")
    g = by_name(res)
    assert {n: (r.status, r.external_id) for n, r in g.items()} == {
        "Python Danmark": ("member", "999999999999999999"),
        "Indie Devs": ("member", "123456789012345678"),
        "Left Server": ("left", "404040404040404040"),
    }
    assert [(c.date, c.kind, c.note) for c in g["Python Danmark"].contributions] == [
        (date(2023, 12, 24), "post", "messages on Discord"),
        (date(2024, 2, 1), "post", "messages on Discord"),
    ]
    assert len(res.skipped) == 1  # the DM channel


def test_new_layout_wrapped_and_guild_json_only(tmp_path):
    root = tmp_path / "drop" / "package"
    shutil.copytree(EXPORTS / "new_layout", root)
    (root / "Servers" / "index.json").unlink()  # guild.json files alone still list the servers
    [res] = read_path(tmp_path / "drop")
    g = by_name(res)
    assert g["Indie Devs"].status == "member"
    assert g["Left Server"].status == "left"


def test_without_server_list_servers_from_messages_are_unknown():
    fs = FileSet.from_bytes(
        {
            "messages/index.json": json.dumps({"123456789012": "general in Quiet Place"}).encode(),
        }
    )
    [res] = discord.read(fs)
    assert [(r.name, r.status) for r in res.records] == [("Quiet Place", None)]
    assert any("no server list" in m for m in res.messages)


def test_not_discord():
    fs = FileSet.from_bytes(
        {
            "servers/index.json": b'{"name": "x"}',
            "messages/index.json": b"[1, 2]",
            "other/index.json": b'{"123456789012": "a in b"}',
            "messages/c1/channel.json": b"{",
        }
    )
    assert discord.read(fs) == []
