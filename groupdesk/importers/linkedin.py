"""LinkedIn "Get a copy of your data": groups, if the archive holds any.

A LinkedIn archive is recognised by the header rows of its CSVs (``Connections.csv``, ``Invitations.csv``,
``Profile.csv``, ``Ad_Targeting.csv``, …); some files start with note lines, so the header row is searched
for by its column names, and a BOM is tolerated. Recent exports have no groups file (FORMATS.md): a groups
CSV is accepted when one appears (a header with a group-name column), and group names are read from the
``Member Groups`` column of ``Ad_Targeting.csv`` (format unconfirmed: split on ``;``, ``|`` and line breaks;
a LinkedIn group address or a bare number gives the group id). Otherwise the result says plainly that this
archive holds no group list.
"""

from __future__ import annotations

import re

from groupdesk.importers.base import (
    FileSet,
    ImportProblem,
    ImportResult,
    RecordBook,
    Skipped,
    VirtualFile,
    clean_name,
    find_header,
    parse_date,
    read_csv,
    rows_as_dicts,
)
from groupdesk.importers.urls import find_urls, parse_group_url

KIND = "linkedin"

NO_GROUPS = (
    "This LinkedIn archive holds no group list: LinkedIn's export does not include your groups. "
    "Drop the LinkedIn group pages' addresses instead, or add the groups by hand."
)

#: Header signatures of LinkedIn export CSVs (normalised column names that must all be present).
SIGNATURES: dict[str, set[str]] = {
    "connections": {"first name", "last name", "connected on"},
    "invitations": {"from", "to", "sent at", "direction"},
    "profile": {"first name", "last name", "headline"},
    "positions": {"company name", "title", "started on"},
    "email addresses": {"email address", "confirmed", "primary"},
    "ad targeting": {"member groups"},
    "ad targeting 2": {"member skills", "member schools"},
    "messages": {"conversation id", "from", "to", "date"},
    "registration": {"registered at", "registration ip"},
    "skills": {"name"},  # only counted together with another signature
    "education": {"school name", "start date", "end date"},
    "endorsements": {"endorsement date", "skill name"},
    "recommendations": {"first name", "last name", "company", "job title", "text"},
    "rich media": {"date/time", "media description"},
    "learning": {"content title", "content type"},
}
_STRONG = {k for k in SIGNATURES if k != "skills"}

_GROUP_NAME_COLS = ("group name", "group", "group title", "groups", "name", "title")
_GROUP_URL_COLS = ("group url", "url", "group link", "link", "website")


def wants(path: str) -> bool:
    """Any CSV up to two folders deep (LinkedIn puts its CSVs at the archive root)."""
    return path.endswith(".csv") and path.count("/") <= 2


def _signature(header: list[str]) -> str | None:
    cells = set(header)
    for name, sig in SIGNATURES.items():
        if name in _STRONG and sig <= cells:
            return name
    return None


def _is_groups_header(header: list[str], vf: VirtualFile) -> bool:
    cells = set(header)
    if cells & {"group name", "group title", "group url"}:
        return True
    return "group" in vf.name and bool(cells & {"name", "title", "group", "groups"})


def _split_groups(cell: str) -> list[str]:
    """Group names in one ``Member Groups`` cell (separator unconfirmed; ``;``, ``|`` and line breaks)."""
    parts = re.split(r"[;|\n\r]+", cell)
    return [p.strip() for p in parts if p.strip()]


def read(fs: FileSet) -> list[ImportResult]:
    """The LinkedIn archive in the source, as one ImportResult (empty list when it is not LinkedIn)."""
    recognised: list[VirtualFile] = []
    group_tables: list[tuple[VirtualFile, list[dict[str, str]]]] = []
    targeting: list[tuple[VirtualFile, list[dict[str, str]]]] = []
    for vf in fs:
        if not fs.single and not wants(vf.local):
            continue
        text = fs.csv_text(vf)
        if text is None:
            continue
        try:
            rows = read_csv(text, vf.label, delimiter=",")
        except ImportProblem as exc:
            fs.unreadable[vf.path] = exc
            continue
        idx = find_header(rows, lambda h: _signature(h) is not None)
        if idx is not None:
            header, dicts = rows_as_dicts(rows, idx)
            recognised.append(vf)
            if "member groups" in header:
                targeting.append((vf, dicts))
            continue
        idx = find_header(rows, lambda h, vf=vf: _is_groups_header(h, vf))
        if idx is not None:
            header, dicts = rows_as_dicts(rows, idx)
            # A groups table counts as LinkedIn only with LinkedIn addresses or inside a LinkedIn archive.
            group_tables.append((vf, dicts))
    if not recognised:
        # Outside a LinkedIn archive, a groups table is LinkedIn's only when every address in it is.
        group_tables = [(vf, dicts) for vf, dicts in group_tables if _all_linkedin(dicts)]
        if not group_tables:
            return []
    used = list(recognised)
    book = RecordBook("linkedin")
    skipped: list[Skipped] = []
    for vf, dicts in group_tables:
        used.append(vf)
        for d in dicts:
            _add_row(book, d, skipped)
    for _vf, dicts in targeting:
        for d in dicts:
            for item in _split_groups(d.get("member groups", "")):
                _add_item(book, item)
    records = book.records()
    messages: list[str] = []
    if records:
        messages.append(f"{len(records)} LinkedIn group(s).")
        if targeting and not group_tables:
            messages.append(
                "Group names come from Ad_Targeting.csv ('Member Groups'); join dates are unknown."
            )
    else:
        messages.append(NO_GROUPS)
    return [fs.result(KIND, used, records=records, skipped=skipped, messages=messages)]


def _all_linkedin(dicts: list[dict[str, str]]) -> bool:
    urls = [d[c].strip().lower() for d in dicts for c in _GROUP_URL_COLS if d.get(c, "").strip()]
    return bool(urls) and all("linkedin.com/groups" in u for u in urls)


def _add_item(book: RecordBook, item: str) -> None:
    urls = find_urls(item)
    if urls:
        rec = parse_group_url(urls[0])
        if rec is not None and rec.network == "linkedin":
            name = clean_name(item.replace(urls[0], "").strip(" -–:")) or rec.name
            target = book.get(name, rec.external_id)
            target.url = rec.url
            target.status = "member"
            return
    if re.fullmatch(r"\d{3,}", item):
        rec = book.get(f"LinkedIn group {item}", item)
        rec.url = f"https://www.linkedin.com/groups/{item}/"
        rec.status = "member"
        return
    name = clean_name(item)
    if name:
        (book.find_name(name) or book.get(name)).status = "member"


def _add_row(book: RecordBook, d: dict[str, str], skipped: list[Skipped]) -> None:
    name = next((clean_name(d.get(c)) for c in _GROUP_NAME_COLS if clean_name(d.get(c))), None)
    url = next((d[c].strip() for c in _GROUP_URL_COLS if d.get(c, "").strip()), None)
    ext = None
    if url:
        rec = parse_group_url(url)
        if rec is not None and rec.network == "linkedin":
            ext, url = rec.external_id, rec.url
            name = name or rec.name
    if not name:
        skipped.append(Skipped("(row without a name)", "no group name"))
        return
    rec = book.get(name, ext)
    rec.url = url or rec.url
    rec.status = "member"
    for col in ("joined on", "joined", "member since", "date joined"):
        day = parse_date(d.get(col, ""))
        if day:
            rec.joined_on = day
            break
