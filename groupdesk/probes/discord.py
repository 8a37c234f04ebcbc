"""Discord: a server's approximate member and online counts, read through one of its invites (no login).

Recognised: ``discord.gg/CODE`` (also ``discord.gg/invite/CODE``) and ``discord.com/invite/CODE`` (also
``discordapp.com``, ``ptb.``/``canary.`` hosts). Asked: ``GET /api/v10/invites/CODE?with_counts=true``.
The host is fixed (``https://discord.com``); only tests point it elsewhere (``test_base_urls``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from groupdesk.probes.base import Figures, ProbeError, Target, as_int, as_text
from groupdesk.probes.http import ProbeClient
from groupdesk.probes.urls import split_url

PLATFORM = "discord"
BASE_URL = "https://discord.com"
_CODE = re.compile(r"[A-Za-z0-9\-]{2,64}")
_APP_HOSTS = frozenset({"discord.com", "www.discord.com", "ptb.discord.com", "canary.discord.com",
                        "discordapp.com", "www.discordapp.com"})  # fmt: skip


def recognise(url: str) -> Target | None:
    """An invite target for a Discord invite address, else ``None``."""
    split = split_url(url)
    if split is None:
        return None
    segs = split.segs
    code = None
    if split.host in ("discord.gg", "www.discord.gg") and segs:
        code = segs[1] if segs[0].lower() == "invite" and len(segs) > 1 else segs[0]
    elif split.host in _APP_HOSTS and len(segs) >= 2 and segs[0].lower() == "invite":
        code = segs[1]
    if code is None or not _CODE.fullmatch(code):
        return None
    return Target(PLATFORM, "invite", code, "", f"https://discord.gg/{code}")


def probe(client: ProbeClient, target: Target) -> Figures:
    """Approximate members and members online for the server behind ``target``'s invite.

    Raises:
        ProbeError: not_found for an unknown or expired invite, and the transport errors of
            :meth:`ProbeClient.get_json`.
    """
    code = target.name
    url = f"{client.base_url(PLATFORM, BASE_URL)}/api/v10/invites/{code}"
    try:
        got = client.get_json(url, site="Discord", platform=PLATFORM, params={"with_counts": "true"})
    except ProbeError as exc:
        if exc.kind == "not_found":
            raise ProbeError(
                "not_found",
                f"The Discord invite {code} is invalid or has expired.",
                url=exc.url,
                status=exc.status,
            ) from exc
        raise
    data = got.data
    if not isinstance(data, dict):
        raise ProbeError("bad_response", "Discord sent an answer GroupDesk cannot read.", url=got.url)
    raw_guild = data.get("guild")
    guild: dict[str, Any] = raw_guild if isinstance(raw_guild, dict) else {}
    figures = Figures(
        platform=PLATFORM,
        source_url=got.url,
        measured_at=got.measured_at,
        members=as_int(data.get("approximate_member_count")),
        active_users=as_int(data.get("approximate_presence_count")),
        title=as_text(guild.get("name")),
        external_id=str(guild["id"]) if isinstance(guild.get("id"), (str, int)) else None,
    )
    if figures.active_users is not None:
        figures.active_window = "now"
    figures.notes.append("Discord's counts are approximate; it does not publish posts per week.")
    expires = data.get("expires_at")
    if isinstance(expires, str):
        try:
            when = datetime.fromisoformat(expires.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            figures.notes.append(f"This invite expires on {when.date().isoformat()}.")
    return figures
