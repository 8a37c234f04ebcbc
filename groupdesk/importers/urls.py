"""Group addresses → network, external id and a readable name (the URL forms of FORMATS.md).

Recognised: ``facebook.com/groups/<slug or id>``, ``linkedin.com/groups/<id>``, ``meetup.com/<urlname>``,
``discord.gg/<code>`` (and ``discord.com/invite/<code>``), ``reddit.com/r/<name>``, ``t.me/<name>``,
``groups.google.com/g/<name>`` (and ``/a/<domain>/g/<name>``). Any other web address becomes a group of
network "other" named after its host and path.

External ids are chosen so that other importers agree with them: a subreddit is its lower-case name (as the
Reddit importer writes), a Google Group is its mailing-list id ``<name>.googlegroups.com`` (as mail sync
sees it in ``List-Id``). Invite codes and Telegram user names are not stable group ids, so those records
carry only the URL and a name.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from groupdesk.domain.records import GroupRecord

_URL_IN_TEXT = re.compile(
    r"(?i)\b((?:https?://|www\.)[^\s<>\"']+|(?:[a-z0-9-]+\.)*(?:facebook\.com|fb\.com|linkedin\.com|meetup\.com|discord\.gg|discord\.com|reddit\.com|t\.me|telegram\.me|groups\.google\.com)/[^\s<>\"']+)"
)

_MEETUP_RESERVED = {
    "find", "topics", "cities", "apps", "login", "register", "lp", "pro", "members", "home", "help",
    "about", "blog", "create", "start", "account", "messages", "notifications", "your-events", "events",
}  # fmt: skip
_TG_RESERVED = {"joinchat", "share", "addstickers", "proxy", "socks", "iv", "setlanguage", "c"}


def find_urls(text: str) -> list[str]:
    """Web addresses inside a line of text, trailing punctuation removed."""
    return [m.rstrip(".,;:!?)]}'\"") for m in _URL_IN_TEXT.findall(text)]


def _split(url: str) -> tuple[str, list[str], dict[str, list[str]], str] | None:
    url = url.strip()
    if not re.match(r"(?i)https?://", url):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if not re.fullmatch(r"[a-z0-9\-]+(\.[a-z0-9\-]+)+\.?", host):
        return None  # not a host name (a web address needs a dot and nothing odd)
    host = host.rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "web."):
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            host = host[len(prefix) :]
    segs = [unquote(s) for s in parts.path.split("/") if s]
    return host, segs, parse_qs(parts.query), url


def _clean(seg: str) -> str | None:
    seg = seg.strip()
    return seg if seg and re.fullmatch(r"[\w.\-~+%@]+", seg) else None


def parse_group_url(url: str, name: str | None = None) -> GroupRecord | None:
    """A GroupRecord for a group address, or ``None`` when ``url`` is not a web address at all.

    Args:
        url: the address (scheme optional).
        name: a name to use instead of the one derived from the address.
    """
    split = _split(url)
    if split is None:
        return None
    host, segs, query, full = split
    rec: GroupRecord | None = None
    if host in ("facebook.com", "fb.com") and len(segs) >= 2 and segs[0].lower() == "groups":
        slug = _clean(segs[1])
        if slug:
            rec = GroupRecord(
                name=slug.replace(".", " ") if not slug.isdigit() else f"Facebook group {slug}",
                network="facebook",
                external_id=slug.lower(),
                url=f"https://www.facebook.com/groups/{slug}",
            )
    elif host == "linkedin.com" and segs and segs[0].lower() == "groups":
        gid = None
        if len(segs) >= 2 and re.fullmatch(r"\d+", segs[1]):
            gid = segs[1]
        elif len(segs) >= 2:
            m = re.search(r"(\d{3,})$", segs[1])
            gid = m[1] if m else None
        if gid is None and "gid" in query and re.fullmatch(r"\d+", query["gid"][0]):
            gid = query["gid"][0]
        if gid:
            rec = GroupRecord(
                name=f"LinkedIn group {gid}",
                network="linkedin",
                external_id=gid,
                url=f"https://www.linkedin.com/groups/{gid}/",
            )
    elif host == "meetup.com" and segs:
        i = 1 if re.fullmatch(r"[a-z]{2}-[A-Z]{2}", segs[0]) and len(segs) > 1 else 0
        urlname = _clean(segs[i])
        if urlname and urlname.lower() not in _MEETUP_RESERVED:
            rec = GroupRecord(
                name=urlname.replace("-", " "),
                network="meetup",
                external_id=urlname.lower(),
                url=f"https://www.meetup.com/{urlname}/",
            )
    elif host in ("discord.gg", "discord.com", "discordapp.com"):
        code = None
        if host == "discord.gg" and segs:
            code = _clean(segs[0])
        elif len(segs) >= 2 and segs[0].lower() == "invite":
            code = _clean(segs[1])
        if code:
            rec = GroupRecord(
                name=f"Discord invite {code}", network="discord", url=f"https://discord.gg/{code}"
            )
    elif host in ("reddit.com", "old.reddit.com", "new.reddit.com", "np.reddit.com") and len(segs) >= 2:
        if segs[0].lower() == "r":
            sub = _clean(segs[1])
            if sub and re.fullmatch(r"\w{2,32}", sub):
                rec = GroupRecord(
                    name=f"r/{sub}",
                    network="reddit",
                    external_id=sub.lower(),
                    url=f"https://www.reddit.com/r/{sub}/",
                )
    elif host in ("t.me", "telegram.me", "telegram.dog") and segs:
        first = segs[1] if segs[0].lower() == "s" and len(segs) > 1 else segs[0]
        if first.startswith("+") or first.lower() == "joinchat":
            rec = GroupRecord(name="Telegram invite link", network="telegram", url=full)
        else:
            handle = _clean(first)
            if handle and handle.lower() not in _TG_RESERVED and re.fullmatch(r"\w{4,64}", handle):
                rec = GroupRecord(name=handle, network="telegram", url=f"https://t.me/{handle}")
    elif host == "groups.google.com":
        gname, domain = None, "googlegroups.com"
        if len(segs) >= 2 and segs[0] == "g":
            gname = segs[1]
        elif len(segs) >= 4 and segs[0] == "a" and segs[2] == "g":
            domain, gname = segs[1].lower(), segs[3]
        else:
            m = re.search(r"forum/(?:#!(?:forum|topic)/)?([\w.\-]+)", full)
            gname = m[1] if m else None
        gname = _clean(gname or "")
        if gname:
            rec = GroupRecord(
                name=gname,
                network="mailing_list",
                external_id=f"{gname.lower()}.{domain}",
                url=f"https://groups.google.com/g/{gname}" if domain == "googlegroups.com" else full,
            )
    if rec is None:
        path = "/".join(segs)
        rec = GroupRecord(name=f"{host}/{path}".rstrip("/")[:200], network="other", url=full)
    if name:
        rec.name = name
    return rec
