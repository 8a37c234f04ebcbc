"""Spreadsheets (CSV/TSV), plain text lists and web addresses → groups.

A spreadsheet goes through a column mapping: :func:`guess_mapping` proposes which column holds which field
(name/group/title, network/platform, url/link, status, joined, cost, …) from the header in several
languages; the preview can let the user change it and call :func:`remap`. :func:`apply_mapping` turns rows
into records: statuses, networks, dates, amounts and currencies are read leniently and anything unreadable
is left unknown with a note. A plain text list has one group per line (``#`` comments and blank lines
ignored); a line holding a web address becomes a group of that network (see :mod:`.urls`), any text beside
it its name. Dropped or pasted web addresses go through :func:`read_urls`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from groupdesk.domain.records import GroupRecord
from groupdesk.domain.vocab import COST_PERIODS, NETWORKS
from groupdesk.importers.base import (
    FileSet,
    ImportProblem,
    ImportResult,
    Skipped,
    VirtualFile,
    clean_name,
    norm_header,
    parse_date,
    read_csv,
)
from groupdesk.importers.urls import find_urls, parse_group_url

KIND_CSV = "csv"
KIND_TEXT = "text"
KIND_URL = "url"

#: Fields a spreadsheet column can map to, with the header words that suggest each (normalised, any language).
FIELD_HINTS: dict[str, tuple[str, ...]] = {
    "name": ("group name", "group", "name", "title", "community", "groep", "gruppe", "gruppenavn", "navn",
             "nom", "nombre", "groupe", "grupo", "club", "list", "channel", "server", "subreddit"),
    "network": ("network", "platform", "site", "service", "app", "source", "netwerk", "netværk", "plattform",
                "plateforme", "type"),
    "url": ("url", "link", "address", "website", "web", "href", "adres", "adresse", "lien", "enlace"),
    "status": ("status", "state", "membership", "tilstand", "statut", "estado"),
    "joined_on": ("joined on", "joined", "join date", "date joined", "member since", "since", "start",
                  "started", "lid sinds", "medlem siden", "beigetreten", "inscrit"),
    "left_on": ("left on", "left", "date left", "end", "ended", "quit"),
    "invited_on": ("invited on", "invited", "invitation date"),
    "invited_by": ("invited by", "inviter", "referred by", "via"),
    "cost_amount": ("cost", "price", "fee", "fees", "dues", "amount", "subscription", "kosten", "pris",
                    "kontingent", "contributie", "prix", "precio", "beitrag"),
    "cost_period": ("period", "billing", "per", "frequency", "cost period", "interval"),
    "currency": ("currency", "valuta", "devise", "moneda", "währung"),
    "hours_per_month": ("hours per month", "hours/month", "hours", "time", "uren", "timer", "stunden"),
    "emails_per_week": ("emails per week", "emails/week", "emails", "mails", "mail"),
    "last_group_activity": ("last activity", "last active", "last post", "activity", "updated"),
    "tags": ("tags", "tag", "category", "categories", "labels", "label", "topic", "kategori"),
    "notes": ("notes", "note", "comment", "comments", "description", "remarks", "notities", "noter",
              "bemerkungen", "memo"),
    "external_id": ("external id", "group id", "id"),
}  # fmt: skip

_STATUS_WORDS: dict[str, str] = {
    **{w: "member" for w in ("member", "joined", "active", "yes", "y", "in", "lid", "medlem", "mitglied",
                              "membre", "miembro", "subscribed", "current", "true", "1")},
    **{w: "left" for w in ("left", "former", "quit", "unsubscribed", "gone", "ex", "no longer", "verlaten",
                            "forladt", "ausgetreten", "inactive", "no", "false", "0")},
    **{w: "invited" for w in ("invited", "invitation", "invite", "pending", "uitgenodigd", "inviteret")},
    **{w: "considering" for w in ("considering", "maybe", "interested", "wishlist", "to join")},
    **{w: "declined" for w in ("declined", "rejected", "refused")},
    **{w: "muted" for w in ("muted", "mute", "silenced")},
    **{w: "trial" for w in ("trial", "trying", "testing")},
    **{w: "leaving" for w in ("leaving", "to leave")},
}  # fmt: skip

_NETWORK_WORDS: dict[str, str] = {
    **{k: k for k in NETWORKS},
    **{v.lower(): k for k, v in NETWORKS.items()},
    "fb": "facebook", "meta": "facebook", "li": "linkedin", "linked in": "linkedin", "tg": "telegram",
    "whats app": "whatsapp", "wa": "whatsapp", "email": "mailing_list", "e-mail": "mailing_list",
    "mailing list": "mailing_list", "mailinglist": "mailing_list", "list": "mailing_list",
    "google groups": "mailing_list", "groups.io": "mailing_list", "mailman": "mailing_list",
    "discourse": "forum", "board": "forum", "club": "association", "society": "association",
    "vereniging": "association", "forening": "association", "verein": "association",
    "in person": "offline", "in-person": "offline", "local": "offline",
}  # fmt: skip

_CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR", "kr": "DKK", "chf": "CHF"}
_PERIOD_WORDS = {
    "month": "month", "monthly": "month", "mo": "month", "mnd": "month", "maand": "month", "måned": "month",
    "monat": "month", "mois": "month", "year": "year", "yearly": "year", "annual": "year", "annually": "year",
    "yr": "year", "jaar": "year", "år": "year", "jahr": "year", "an": "year", "once": "once",
    "one-off": "once", "one time": "once", "lifetime": "once", "none": "none", "free": "none",
}  # fmt: skip


# --------------------------------------------------------------------------------------------------------
# Mapping


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Which column holds which field, guessed from the header: ``{field: column as written}``.

    Exact header words win over partial ones; each column is used for at most one field; ``name`` is
    guessed first. A header without a recognisable name column maps ``name`` to the first column.
    """
    cells = [(c, norm_header(c)) for c in header]
    mapping: dict[str, str] = {}
    used: set[int] = set()
    # Pass 1: exact matches in hint order; pass 2: a hint contained in the header.
    for exact in (True, False):
        for fname, hints in FIELD_HINTS.items():
            if fname in mapping:
                continue
            for hint in hints:
                hit = None
                for i, (_orig, low) in enumerate(cells):
                    if i in used or not low:
                        continue
                    if (
                        low == hint
                        or low == fname.replace("_", " ")
                        or (not exact and len(hint) >= 3 and re.search(rf"\b{re.escape(hint)}\b", low))
                    ):
                        hit = i
                        break
                if hit is not None:
                    mapping[fname] = cells[hit][0]
                    used.add(hit)
                    break
    if "name" not in mapping and cells and 0 not in used:
        mapping["name"] = cells[0][0]
    return mapping


def read_status(value: str) -> str | None:
    """A status from a spreadsheet word (several languages); None when not understood."""
    v = " ".join(value.strip().lower().split())
    return _STATUS_WORDS.get(v)


def read_network(value: str) -> str | None:
    """A network key from a spreadsheet word; None when not understood."""
    v = " ".join(value.strip().lower().split())
    return _NETWORK_WORDS.get(v)


def read_cost(value: str) -> tuple[float | None, str | None, str | None]:
    """``"€12.50/month"`` → (12.5, "EUR", "month"); parts not present are None."""
    v = value.strip().lower()
    if not v:
        return None, None, None
    currency = None
    for sym, code in _CURRENCY_SYMBOLS.items():
        if sym in v:
            currency = code
            break
    m3 = re.search(r"\b([a-z]{3})\b", v)
    if m3 and m3[1].upper() in {"EUR", "USD", "GBP", "DKK", "SEK", "NOK", "CHF", "CAD", "AUD", "JPY", "INR"}:
        currency = m3[1].upper()
    period = None
    for word, p in _PERIOD_WORDS.items():
        if re.search(rf"(?:^|[\s/]|per ){re.escape(word)}\b", v):
            period = p
            break
    if v in ("free", "none", "0", "-"):
        return 0.0, currency, "none"
    m = re.search(r"(\d{1,3}(?:[ .,]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)", v)
    if not m:
        return None, currency, period
    whole = re.sub(r"[ .,]", "", m[1])
    amount = float(f"{whole}.{m[2] or 0}")
    return amount, currency, period


def _number(value: str) -> float | None:
    m = re.search(r"\d+(?:[.,]\d+)?", value)
    return float(m[0].replace(",", ".")) if m else None


def _day_first(values: Iterable[str]) -> bool | None:
    """Whether a column's slash dates are day first (a first number over 12 somewhere) or month first."""
    for v in values:
        m = re.match(r"\s*(\d{1,2})/(\d{1,2})/\d{2,4}", v)
        if m:
            if int(m[1]) > 12:
                return True
            if int(m[2]) > 12:
                return False
    return None


_DATE_FIELDS = ("joined_on", "left_on", "invited_on", "last_group_activity")


def apply_mapping(
    header: list[str], rows: list[list[str]], mapping: dict[str, str]
) -> tuple[list[GroupRecord], list[Skipped], list[str]]:
    """Rows → records with a field → column mapping; returns (records, skipped, notes).

    Args:
        header: the header row as written.
        rows: the data rows (same order as ``header``).
        mapping: ``{field: column}`` (as from :func:`guess_mapping`, possibly changed by the user).
    """
    col = {f: header.index(c) for f, c in mapping.items() if c in header}
    if "name" not in col and "url" not in col:
        raise ValueError("the mapping needs a name or a url column")

    def cell(row: list[str], fname: str) -> str:
        i = col.get(fname)
        return row[i].strip() if i is not None and i < len(row) else ""

    day_first = {f: _day_first(cell(r, f) for r in rows) for f in _DATE_FIELDS if f in col}
    # "Yearly fee", "Monthly dues": the cost column's header may say the period.
    header_period = read_cost(mapping["cost_amount"])[2] if "cost_amount" in col else None
    records: list[GroupRecord] = []
    skipped: list[Skipped] = []
    unknown: dict[str, set[str]] = {}
    for n, row in enumerate(rows, 2):
        if not any(c.strip() for c in row):
            continue
        url_text = cell(row, "url")
        name = clean_name(cell(row, "name"))
        rec: GroupRecord | None = None
        if url_text:
            urls = find_urls(url_text) or [url_text]
            rec = parse_group_url(urls[0], name)
        if rec is None:
            if not name:
                skipped.append(Skipped(f"row {n}", "no group name"))
                continue
            rec = GroupRecord(name=name)
        net_text = cell(row, "network")
        if net_text:
            net = read_network(net_text)
            if net and (rec.network == "other" or net == rec.network):
                rec.network = net
            elif not net:
                unknown.setdefault("network", set()).add(net_text)
        st = cell(row, "status")
        if st:
            rec.status = read_status(st)
            if rec.status is None:
                unknown.setdefault("status", set()).add(st)
        for f in _DATE_FIELDS:
            text = cell(row, f)
            if text:
                d = parse_date(text, day_first=day_first.get(f))
                if d is None:
                    unknown.setdefault(f, set()).add(text)
                setattr(rec, f, d)
        cost = cell(row, "cost_amount")
        if cost:
            amount, currency, period = read_cost(cost)
            rec.cost_amount, rec.currency, rec.cost_period = amount, currency, period or header_period
        period_text = cell(row, "cost_period")
        if period_text:
            rec.cost_period = _PERIOD_WORDS.get(period_text.lower().strip(), rec.cost_period)
            if period_text.lower().strip() in COST_PERIODS:
                rec.cost_period = period_text.lower().strip()
        cur = cell(row, "currency")
        if re.fullmatch(r"[A-Za-z]{3}", cur):
            rec.currency = cur.upper()
        elif cur in _CURRENCY_SYMBOLS:
            rec.currency = _CURRENCY_SYMBOLS[cur]
        for f in ("hours_per_month", "emails_per_week"):
            text = cell(row, f)
            if text:
                setattr(rec, f, _number(text))
        for f in ("invited_by", "tags", "notes"):
            text = cell(row, f)
            if text:
                setattr(rec, f, text[:2000])
        ext = cell(row, "external_id")
        if ext and not rec.external_id:
            rec.external_id = ext[:200]
        records.append(rec)
    notes = [
        f"Could not read {field.replace('_', ' ')} values: {', '.join(sorted(vals)[:5])}"
        + (" …" if len(vals) > 5 else "")
        for field, vals in unknown.items()
    ]
    return records, skipped, notes


# --------------------------------------------------------------------------------------------------------
# Readers


def _is_table(rows: list[list[str]]) -> bool:
    """Two or more columns (or one headed like a name column), most rows of a similar width."""
    if not rows or not rows[0]:
        return False
    if len(rows[0]) < 2 and norm_header(rows[0][0]) not in FIELD_HINTS["name"]:
        return False
    width = len(rows[0])
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    return all(abs(len(r) - width) <= max(1, width // 2) for r in body[:200])


def has_name_column(header: list[str]) -> bool:
    """True when a header cell reads like a group name column (not just "the first column")."""
    return any(norm_header(c) in FIELD_HINTS["name"] for c in header)


def read_table(fs: FileSet, vf: VirtualFile) -> ImportResult | None:
    """A spreadsheet file as an ImportResult with its guessed mapping; None when it is not a table."""
    text = fs.text(vf) if fs.single else fs.try_text(vf)
    if text is None:
        return None
    rows = read_csv(text, vf.label)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not _is_table(rows):
        return None
    header = [c.replace("\ufeff", "").strip() for c in rows[0]]
    if len(set(header)) != len(header):
        header = [f"{h} ({i + 1})" if header.count(h) > 1 else h for i, h in enumerate(header)]
    if not fs.single and not has_name_column(header):
        return None  # inside a folder or archive, only spreadsheets that clearly list groups
    body = rows[1:]
    mapping = guess_mapping(header)
    res = fs.result(KIND_CSV, [vf], table=(header, body), mapping=mapping)
    return remap(res, mapping)


def remap(result: ImportResult, mapping: dict[str, str]) -> ImportResult:
    """The same spreadsheet read again with a changed mapping (records, skipped and notes replaced).

    Raises:
        ImportProblem: the mapping has neither a name nor a url column.
    """
    if result.table is None:
        raise ValueError("not a spreadsheet result")
    header, rows = result.table
    try:
        records, skipped, notes = apply_mapping(header, rows, mapping)
    except ValueError as exc:
        raise ImportProblem(result.source, str(exc)) from None
    cols = ", ".join(f"{c} → {f.replace('_', ' ')}" for f, c in mapping.items())
    result.records, result.skipped, result.mapping = records, skipped, dict(mapping)
    result.messages = [f"{len(records)} group(s) from a spreadsheet; columns: {cols}.", *notes]
    return result


def _text_lines(text: str) -> list[str] | None:
    """The lines of a plain text list, or None when the text does not look like one."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines or len(lines) > 20_000:
        return None
    if any(len(ln) > 300 for ln in lines):
        return None
    if any(not ch.isprintable() and ch != "\t" for ln in lines for ch in ln):
        return None
    return lines


def records_from_lines(lines: list[str]) -> tuple[list[GroupRecord], list[Skipped]]:
    """One group per line; a web address on the line gives the network, the other text the name."""
    records: list[GroupRecord] = []
    skipped: list[Skipped] = []
    seen: set[tuple[str, str]] = set()
    for line in lines:
        urls = find_urls(line)
        if urls:
            rest = clean_name(re.sub(r"\s*[-–|:]\s*$", "", line.replace(urls[0], " ")).strip(" -–|:\t"))
            rec = parse_group_url(urls[0], rest)
        else:
            name = clean_name(line.strip("-*• \t"))
            rec = GroupRecord(name=name) if name else None
        if rec is None:
            skipped.append(Skipped(line[:80], "not a group name or address"))
            continue
        key = (rec.network, rec.external_id or rec.url or rec.name.casefold())
        if key in seen:
            continue
        seen.add(key)
        records.append(rec)
    return records, skipped


def read_text(fs: FileSet, vf: VirtualFile) -> ImportResult | None:
    """A plain text list as an ImportResult; None when the file is not such a list."""
    text = fs.text(vf) if fs.single else fs.try_text(vf)
    if text is None:
        return None
    lines = _text_lines(text)
    if lines is None:
        return None
    records, skipped = records_from_lines(lines)
    if not records:
        return None
    return fs.result(
        KIND_TEXT, [vf], records=records, skipped=skipped, messages=[f"{len(records)} group(s) from a list."]
    )


def read_urls(urls: list[str], source: str = "dropped links") -> ImportResult:
    """Web addresses dropped from a browser or pasted, as one ImportResult."""
    records, skipped = records_from_lines([u.strip() for u in urls if u.strip()])
    return ImportResult(
        KIND_URL,
        source,
        records=records,
        skipped=skipped,
        messages=[f"{len(records)} group(s) from addresses."],
    )


def read(fs: FileSet) -> list[ImportResult]:
    """Spreadsheets and (for a dropped file) text lists in the source; used when no export format matched."""
    out: list[ImportResult] = []
    for vf in fs:
        if vf.path in fs.claimed:
            continue
        if not fs.single and not (vf.suffix in (".csv", ".tsv") and vf.local.count("/") <= 2):
            continue
        res = _read_one(fs, vf)
        if res is not None:
            out.append(res)
    return out


def _read_one(fs: FileSet, vf: VirtualFile) -> ImportResult | None:
    if fs.single:
        text = fs.text(vf)
        head = text.lstrip()[:1]
        if head in ("{", "["):
            return None  # JSON that no reader recognised
        if head == "<":
            return None  # markup
    try:
        table = read_table(fs, vf)
    except ImportProblem:
        if not fs.single:
            return None
        if vf.suffix in (".csv", ".tsv"):
            raise  # a dropped spreadsheet that cannot be parsed: say why
        table = None
    if table is not None:
        return table
    if fs.single:
        return read_text(fs, vf)
    return None
