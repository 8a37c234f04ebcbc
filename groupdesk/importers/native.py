"""GroupDesk's own formats: native CSV (one row per group) and native JSON (groups with their rows).

Both carry every Group field of ``records.GROUP_FIELDS``; JSON also carries each group's
contributions, decisions and invitations. Writers are deterministic (fixed key order, groups and
rows sorted by a stable key, ``\\n`` line ends, UTF-8), so export → import into an empty store →
export gives byte-identical files. Readers are tolerant of what spreadsheets do to a CSV (a BOM,
CRLF, reordered or missing optional columns, ``;`` or tab separators) and strict about values: a
bad value is a ``UserError`` naming the file, the line (or group) and the column.

Qt-free and DB-free: plain ``GroupRecord`` objects in, bytes out, and back.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from groupdesk.domain.records import (
    BOOL_FIELDS,
    DATE_FIELDS,
    FLOAT_FIELDS,
    GROUP_FIELDS,
    INT_FIELDS,
    ContributionRecord,
    DecisionRecord,
    GroupRecord,
    InviteRecord,
    normalise_name,
)
from groupdesk.domain.vocab import (
    ACTIONS,
    CONTRIBUTION_KINDS,
    COST_PERIODS,
    HOW_JOINED,
    INVITE_CHANNELS,
    NETWORKS,
    STATUSES,
)
from groupdesk.errors import UserError

KIND_JSON = "groupdesk-json"
KIND_CSV = "groupdesk-csv"
FORMAT_NAME = "groupdesk"
FORMAT_VERSION = 1

#: Upper bounds of the whole-number fields (all start at 0).
INT_LIMITS: dict[str, int] = {
    "value_to_me": 5,
    "value_from_me": 5,
    "spam_level": 3,
    "commitment_per_month": 10_000,
}
_CHOICES: dict[str, dict[str, str]] = {
    "network": NETWORKS,
    "status": STATUSES,
    "how_joined": HOW_JOINED,
    "cost_period": COST_PERIODS,
}
#: Types that need no check beyond the type itself (ints still need their range: not listed).
_FAST: dict[str, type] = {
    **dict.fromkeys(DATE_FIELDS, date),
    **dict.fromkeys(FLOAT_FIELDS, float),
    **dict.fromkeys(BOOL_FIELDS, bool),
}
_TRUE = frozenset({"1", "true", "yes", "y"})
_FALSE = frozenset({"0", "false", "no", "n"})
_CURRENCY = re.compile(r"[A-Z]{3}")
#: Free-text fields whose surrounding spaces are kept (everything else is trimmed).
_VERBATIM = frozenset({"notes"})
#: Text fields with no vocabulary or format: a trimmed, non-empty string is already clean.
_PLAIN_TEXT = frozenset(
    set(GROUP_FIELDS)
    - DATE_FIELDS
    - FLOAT_FIELDS
    - INT_FIELDS
    - BOOL_FIELDS
    - set(_CHOICES)
    - _VERBATIM
    - {"currency"}
)
#: Every field whose value is text.
_TEXT_FIELDS = _PLAIN_TEXT | _VERBATIM | set(_CHOICES) | {"currency"}
_CHILD_KEYS = ("contributions", "decisions", "invites")


@dataclass
class ReadResult:
    """What a reader found in one file: the format, the groups and notes for the user."""

    kind: str
    records: list[GroupRecord]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- values


def parse_date(value: Any) -> date:
    """A date from a ``date``, a ``datetime`` or ISO text (``YYYY-MM-DD``, a time part is dropped)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


def parse_datetime(value: Any) -> datetime:
    """A naive local datetime from a ``datetime``, a ``date`` or ISO text; offsets become local time."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{value!r} is not a date and time (use YYYY-MM-DDTHH:MM:SS)") from None
    if dt.tzinfo is not None:
        dt = dt.astimezone().replace(tzinfo=None)
    return dt


def parse_value(name: str, value: Any) -> Any:
    """Check and convert one Group field value (text from a file or a Python value).

    Empty text and ``None`` mean unknown and give ``None``. Raises ``ValueError`` with a message
    that says what is wrong (without the field name: callers add where it was). Values that are
    already clean (the right type, trimmed, in the vocabulary) take the shortest path.
    """
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        if name in _PLAIN_TEXT:
            return value.strip() or None
        if name in _VERBATIM:
            return value if value.strip() else None
        value = value.strip()
        if not value:
            return None
        if name in _CHOICES:
            if value in _CHOICES[name]:
                return value
            key = _choice_key(name, value)
            if key is None:
                raise ValueError(f"{value!r} is not one of {', '.join(_CHOICES[name])}")
            return key
        if name == "currency":
            code = value.upper()
            if not _CURRENCY.fullmatch(code):
                raise ValueError(f"{value!r} is not a three-letter currency code such as EUR or USD")
            return code
    elif kind is _FAST.get(name):
        if kind is not float or 0 <= value < math.inf:
            return value
    elif name in _TEXT_FIELDS:
        if kind is int and name == "external_id":
            return str(value)
        if kind is list and name == "tags" and all(isinstance(t, str) for t in value):
            return ", ".join(t.strip() for t in value if t.strip()) or None
        raise ValueError(f"{value!r} is not text")
    if name in DATE_FIELDS:
        return parse_date(value)
    if name in FLOAT_FIELDS:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a number (use a dot for decimals)") from None
        if math.isnan(number) or math.isinf(number) or number < 0:
            raise ValueError(f"{value!r} must be a number zero or more")
        return number
    if name in INT_FIELDS:
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a whole number")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{value!r} is not a whole number") from None
        if not number.is_integer():
            raise ValueError(f"{value!r} is not a whole number")
        top = INT_LIMITS[name]
        if not 0 <= number <= top:
            raise ValueError(f"{value!r} must be between 0 and {top}")
        return int(number)
    if name in BOOL_FIELDS:
        text = str(value).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{value!r} is not yes or no (use true or false)")
    raise ValueError(f"{name!r} is not a group field")


def checked_values(rec: GroupRecord) -> dict[str, Any]:
    """The Group fields of ``rec`` checked and normalised by ``parse_value``, as a dict.

    Raises ``ValueError("<field>: <problem>")``.
    """
    out: dict[str, Any] = {}
    for name in GROUP_FIELDS:
        value = getattr(rec, name)
        if value is None:
            out[name] = None
            continue
        try:
            out[name] = parse_value(name, value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    return out


def _choice_key(name: str, value: str) -> str | None:
    """The vocabulary key for ``value``: the key itself or its display word, any case."""
    choices = _CHOICES[name]
    folded = value.casefold()
    if folded in choices:
        return folded
    for key, label in choices.items():
        if label.casefold() == folded:
            return key
    return None


def record_from_values(values: dict[str, Any]) -> GroupRecord:
    """Build a ``GroupRecord`` from already-parsed Group values (``None`` network → ``other``)."""
    if not values.get("name"):
        raise ValueError("a group needs a name")
    data = dict(values)
    if data.get("network") is None:
        data["network"] = "other"
    return GroupRecord(**data)


def format_value(value: Any) -> str:
    """One value as native CSV text: empty for unknown, ISO dates, ``true``/``false``, short floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- detection


_JSON_HEAD = re.compile(rb'^\s*\{\s*"format"\s*:\s*"groupdesk"')
_BOM = b"\xef\xbb\xbf"


def _csv_header(first_line: str) -> tuple[str, list[str]] | None:
    """The separator and normalised column names of a native CSV header line, or None."""
    best: tuple[int, str, list[str]] | None = None
    for sep in (",", ";", "\t"):
        try:
            cells = next(csv.reader([first_line], delimiter=sep))
        except (csv.Error, StopIteration):
            continue
        names = [c.strip().casefold() for c in cells]
        known = sum(1 for n in names if n in GROUP_FIELDS)
        if "name" in names and (best is None or known > best[0]):
            best = (known, sep, names)
    if best is None:
        return None
    known, sep, names = best
    if known >= 3 or all(n in GROUP_FIELDS for n in names if n):
        return sep, names
    return None


def detect(data: bytes) -> str | None:
    """``"groupdesk-json"``, ``"groupdesk-csv"`` or None, judged by content (never by file name)."""
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    head = body[:65536]
    if head.lstrip()[:1] == b"{":
        if _JSON_HEAD.match(head):
            return KIND_JSON
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None
        if isinstance(doc, dict) and doc.get("format") == FORMAT_NAME:
            return KIND_JSON
        return None
    text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0] if text else ""
    return KIND_CSV if _csv_header(first) else None


def read(data: bytes, source: str) -> ReadResult:
    """Read a native file of either kind; ``source`` names it in messages (usually its path)."""
    kind = detect(data)
    if kind == KIND_JSON:
        return read_json(data, source)
    if kind == KIND_CSV:
        return read_csv(data, source)
    raise UserError(f"{source}: not a GroupDesk export (native CSV with a 'name' column, or native JSON)")


def _decode(data: bytes, source: str) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{source}, line {line}: the file is not UTF-8 text (save it as UTF-8)") from None
    return text[1:] if text.startswith("\ufeff") else text


# ---------------------------------------------------------------- CSV


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a block builds many objects that all stay alive.

    Building 100,000 records otherwise sets off collection after collection, each walking every
    object made so far: that triples the time of a big import. Reference counting still frees
    everything as usual; the collector runs again after the block, as it was. What the block made
    joins the oldest generation (``gc.freeze`` then ``gc.unfreeze``, unless something else froze
    objects), so it is looked at by the next full collection instead of right away.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Move what the block made straight to the oldest generation (two list splices),
                # so that turning the collector back on does not scan it all at once.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


class CheckedRecords(list):
    """A list of records whose Group values ``parse_value`` has already checked and normalised.

    The native readers return their records in one; ``store.merge.plan_import`` then skips checking
    the Group values again (which is most of the time a big native import would spend there). The
    marker is the list, not the records: a plain list of the same records is checked as usual.

    ``columns``, when set, holds the same values a field at a time (``GROUP_FIELDS`` → one value per
    record, in order), as the CSV reader built them; ``store.merge`` inserts new groups straight
    from them. The records must not be changed afterwards (nothing does: readers hand them over).
    """

    columns: dict[str, list[Any]] | None = None


def read_csv(data: bytes, source: str) -> ReadResult:
    """Read a native CSV file: header row of Group field names, one group per row."""
    text = _decode(data, source)
    header = _csv_header(_first_line(text))
    if header is None:
        raise UserError(f"{source}, line 1: the header row has no 'name' column")
    sep, names = header
    seen: set[str] = set()
    for n in names:
        if n in seen and n:
            raise UserError(f"{source}, line 1, column {n}: the column appears twice")
        seen.add(n)
    unknown = [n or "(empty)" for n in names if n not in GROUP_FIELDS]
    warnings = [f"{source}: ignored unknown column(s): {', '.join(unknown)}"] if unknown else []
    columns = [(i, n) for i, n in enumerate(names) if n in GROUP_FIELDS]
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text)))  # long notes are fine; the default caps cells at 128 KiB
    try:
        with paused_gc():
            fast = _fast_records(text, sep, len(names), columns)
            if fast is None:
                records = CheckedRecords(_records_row_by_row(text, source, sep, names, columns))
            else:
                records = CheckedRecords(fast[0])
                records.columns = fast[1]
    finally:
        csv.field_size_limit(limit)
    return ReadResult(KIND_CSV, records, warnings)


def _first_line(text: str) -> str:
    """The text's first line, as ``text.splitlines()[0]`` gives it, without splitting all of it."""
    head = text[:65536]
    first = head.splitlines()[0] if head else ""
    return text.splitlines()[0] if len(first) == len(head) and len(text) > len(head) else first


class _Memo(dict):
    """Cell text → parsed value for one column, parsing each distinct text once."""

    def __init__(self, name: str) -> None:
        super().__init__({"": None})
        self.name = name

    def __missing__(self, cell: str) -> Any:
        value = self[cell] = parse_value(self.name, cell)
        return value


#: Rows parsed and converted at a time: their cells are still in the processor's cache when converted.
_CHUNK_ROWS = 400


def _fast_records(
    text: str, sep: str, width: int, columns: list[tuple[int, str]]
) -> tuple[list[GroupRecord], dict[str, list[Any]]] | None:
    """The records of well-formed rows, converted a column at a time, and those columns (see
    ``CheckedRecords``); None when any row or value needs the careful reader (a short, long or blank
    row, broken quoting, a bad value, a missing name), which then reports exactly where."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    by_name: dict[str, list[Any]] = {name: [] for _, name in columns}
    memos = {name: _Memo(name) for _, name in columns if name not in _PLAIN_TEXT and name not in _VERBATIM}
    try:
        next(reader)
        while True:
            rows = list(islice(reader, _CHUNK_ROWS))
            if not rows:
                break
            if any(len(row) != width for row in rows):
                return None
            cells = list(zip(*rows, strict=True))
            for i, name in columns:
                col = cells[i]
                if name in _PLAIN_TEXT:
                    by_name[name] += [c or None for c in map(str.strip, col)]
                elif name in _VERBATIM:
                    by_name[name] += [c if c.strip() else None for c in col]
                else:
                    by_name[name] += map(memos[name].__getitem__, col)
    except (csv.Error, ValueError, StopIteration):
        return None
    names = by_name.get("name")
    if names is None or None in names:
        return None
    network = by_name.get("network")
    if network is not None and None in network:
        by_name["network"] = ["other" if n is None else n for n in network]
    n = len(names)
    nothing = [None] * n
    values = [by_name.get(f) or (["other"] * n if f == "network" else nothing) for f in GROUP_FIELDS]
    # Each record's three empty row lists made in C (``list()`` per call) rather than by its __init__.
    lists = (iter(list, None) for _ in range(3))
    records = list(map(GroupRecord, *values, *lists))
    return records, dict(zip(GROUP_FIELDS, values, strict=True))


def _records_row_by_row(
    text: str, source: str, sep: str, names: list[str], columns: list[tuple[int, str]]
) -> list[GroupRecord]:
    """The careful reader: one row at a time, a ``UserError`` naming the line and column of a problem."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    records: list[GroupRecord] = []
    line = 1
    try:
        next(reader)
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names) and any(c.strip() for c in row[len(names) :]):
                raise UserError(
                    f"{source}, line {start}: {len(row)} cells but the header has {len(names)} columns"
                )
            values: dict[str, Any] = {}
            for i, n in columns:
                cell = row[i] if i < len(row) else ""
                if not cell:
                    continue
                try:
                    values[n] = parse_value(n, cell)
                except ValueError as exc:
                    raise UserError(f"{source}, line {start}, column {n}: {exc}") from None
            if not values.get("name"):
                raise UserError(f"{source}, line {start}, column name: a group needs a name")
            records.append(record_from_values(values))
    except csv.Error as exc:
        raise UserError(f"{source}, line {reader.line_num}: {exc}") from None
    return records


def write_csv(records: Sequence[GroupRecord], *, keep_order: bool = False) -> bytes:
    """Native CSV bytes: a header of ``GROUP_FIELDS``, one row per group in a stable order.

    ``keep_order`` writes the groups in the given order instead (rows dragged out of the table).
    """
    out = _LfRows()
    # "\r\n" as the terminator makes the writer quote any cell holding a lone "\r" too.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GROUP_FIELDS)
    for rec in records if keep_order else sort_records(records):
        writer.writerow([format_value(getattr(rec, n)) for n in GROUP_FIELDS])
    return "".join(out.parts).encode("utf-8")


class _LfRows:
    """A file-like sink for ``csv.writer`` that turns each row's ``\r\n`` terminator into ``\n``."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, row: str) -> None:
        self.parts.append(row[:-2] + "\n")


# ---------------------------------------------------------------- JSON


def _child_error(source: str, index: int, name: str, what: str, exc: Exception) -> UserError:
    return UserError(f'{source}, group {index} ("{name}"), {what}: {exc}')


def _text(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{what}: {value!r} is not text")
    return value


def _choice(value: Any, choices: Iterable[str], what: str, default: str) -> str:
    if value is None or value == "":
        return default
    if not isinstance(value, str) or value.casefold() not in choices:
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(choices)}")
    return value.casefold()


def _contribution(obj: Any) -> ContributionRecord:
    if not isinstance(obj, dict):
        raise ValueError("a contribution must be an object")
    if obj.get("date") in (None, ""):
        raise ValueError("date: missing")
    try:
        day = parse_date(obj["date"])
    except ValueError as exc:
        raise ValueError(f"date: {exc}") from None
    kind = _choice(obj.get("kind"), CONTRIBUTION_KINDS, "kind", "post")
    return ContributionRecord(day, kind, _text(obj.get("note"), "note"))


def _decision(obj: Any) -> DecisionRecord:
    if not isinstance(obj, dict):
        raise ValueError("a decision must be an object")
    if obj.get("at") in (None, ""):
        raise ValueError("at: missing")
    try:
        at = parse_datetime(obj["at"])
    except ValueError as exc:
        raise ValueError(f"at: {exc}") from None
    if obj.get("action") in (None, ""):
        raise ValueError("action: missing")
    action = _choice(obj.get("action"), ACTIONS, "action", "")
    reasons = obj.get("reasons") or []
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        raise ValueError("reasons: must be a list of rule ids")
    answers = obj.get("answers") or {}
    if not isinstance(answers, dict):
        raise ValueError("answers: must be an object")
    return DecisionRecord(at, action, list(reasons), answers, _text(obj.get("note"), "note"))


def _invite(obj: Any) -> InviteRecord:
    if not isinstance(obj, dict):
        raise ValueError("an invitation must be an object")
    if obj.get("received_at") in (None, ""):
        raise ValueError("received_at: missing")
    try:
        at = parse_datetime(obj["received_at"])
    except ValueError as exc:
        raise ValueError(f"received_at: {exc}") from None
    personal = obj.get("personal")
    if personal is not None and not isinstance(personal, bool):
        try:
            personal = parse_value("invite_personal", personal)
        except ValueError as exc:
            raise ValueError(f"personal: {exc}") from None
    message_id = obj.get("message_id")
    if message_id is not None:
        message_id = _text(message_id, "message_id").strip() or None
    return InviteRecord(
        received_at=at,
        inviter=_text(obj.get("inviter"), "inviter"),
        channel=_choice(obj.get("channel"), INVITE_CHANNELS, "channel", "manual"),
        message_id=message_id,
        subject=_text(obj.get("subject"), "subject"),
        personal=personal,
    )


_CHILD_READERS = (
    ("contributions", "contribution", _contribution),
    ("decisions", "decision", _decision),
    ("invites", "invitation", _invite),
)


def read_json(data: bytes, source: str) -> ReadResult:
    """Read a native JSON file: ``{"format": "groupdesk", "version": 1, "groups": [...]}``."""
    text = _decode(data, source)
    try:
        doc = json.loads(text)
    except RecursionError:
        raise UserError(f"{source}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{source}, line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise UserError(f'{source}: not a GroupDesk JSON export (no "format": "groupdesk")')
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise UserError(f"{source}: version {version!r} is not a GroupDesk format version")
    if version > FORMAT_VERSION:
        raise UserError(
            f"{source}: written by a newer GroupDesk (format version {version}; this one reads up to "
            f"{FORMAT_VERSION}). Please update GroupDesk."
        )
    groups = doc.get("groups")
    if not isinstance(groups, list):
        raise UserError(f'{source}: "groups" must be a list')
    records: list[GroupRecord] = []
    unknown: set[str] = set()
    for index, obj in enumerate(groups, start=1):
        if not isinstance(obj, dict):
            raise UserError(f"{source}, group {index}: must be an object")
        raw_name = obj.get("name")
        label = raw_name if isinstance(raw_name, str) else ""
        values: dict[str, Any] = {}
        for key, value in obj.items():
            if key in GROUP_FIELDS:
                if value is None:
                    continue
                try:
                    values[key] = parse_value(key, value)
                except ValueError as exc:
                    raise UserError(f'{source}, group {index} ("{label}"), field {key}: {exc}') from None
            elif key not in _CHILD_KEYS:
                unknown.add(key)
        if not values.get("name"):
            raise UserError(f"{source}, group {index}, field name: a group needs a name")
        rec = record_from_values(values)
        for key, what, parse in _CHILD_READERS:
            items = obj.get(key) or []
            if not isinstance(items, list):
                raise UserError(f'{source}, group {index} ("{label}"), field {key}: must be a list')
            rows = getattr(rec, key)
            for n, item in enumerate(items, start=1):
                try:
                    rows.append(parse(item))
                except ValueError as exc:
                    raise _child_error(source, index, label, f"{what} {n}", exc) from None
        records.append(rec)
    warnings = [f"{source}: ignored unknown field(s): {', '.join(sorted(unknown))}"] if unknown else []
    return ReadResult(KIND_JSON, CheckedRecords(records), warnings)


def _canonical(value: Any) -> Any:
    """Dicts with sorted keys, recursively (so free-form answers export identically every time)."""
    if isinstance(value, dict):
        return {str(k): _canonical(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def record_to_json(rec: GroupRecord) -> dict[str, Any]:
    """One group as a native JSON object (fields in ``GROUP_FIELDS`` order, rows sorted)."""
    obj: dict[str, Any] = {n: _json_value(getattr(rec, n)) for n in GROUP_FIELDS}
    obj["contributions"] = [
        {"date": c.date.isoformat(), "kind": c.kind, "note": c.note or ""}
        for c in sorted(rec.contributions, key=lambda c: (c.date, c.kind, c.note or ""))
    ]
    obj["decisions"] = [
        {
            "at": d.at.isoformat(),
            "action": d.action,
            "reasons": list(d.reasons),
            "answers": _canonical(d.answers),
            "note": d.note or "",
        }
        for d in sorted(rec.decisions, key=lambda d: (d.at, d.action, d.note or "", json.dumps(d.reasons)))
    ]
    obj["invites"] = [
        {
            "received_at": i.received_at.isoformat(),
            "inviter": i.inviter or "",
            "channel": i.channel,
            "message_id": i.message_id,
            "subject": i.subject or "",
            "personal": i.personal,
        }
        for i in sorted(rec.invites, key=lambda i: (i.received_at, i.inviter or "", i.message_id or ""))
    ]
    return obj


def write_json(records: Sequence[GroupRecord]) -> bytes:
    """Native JSON bytes: UTF-8, one group per line in a stable order, ending with a newline.

    One compact line per group keeps big exports fast to write (the C encoder) and diffs readable.
    """
    lines = [json.dumps(record_to_json(r), ensure_ascii=False) for r in sort_records(records)]
    head = f'{{\n  "format": "{FORMAT_NAME}",\n  "version": {FORMAT_VERSION},\n  "groups": ['
    if not lines:
        return (head + "]\n}\n").encode("utf-8")
    return (head + "\n    " + ",\n    ".join(lines) + "\n  ]\n}\n").encode("utf-8")


def sort_records(records: Iterable[GroupRecord]) -> list[GroupRecord]:
    """Records in the stable export order: network, normalised name, external id, name, then all fields."""

    def key(rec: GroupRecord) -> tuple[str, str, str, str]:
        return (rec.network or "", normalise_name(rec.name), rec.external_id or "", rec.name)

    def full(rec: GroupRecord) -> str:
        return json.dumps(record_to_json(rec), ensure_ascii=False, sort_keys=True)

    keyed = sorted(((key(r), r) for r in records), key=lambda kr: kr[0])
    out: list[GroupRecord] = []
    i = 0
    while i < len(keyed):
        j = i + 1
        while j < len(keyed) and keyed[j][0] == keyed[i][0]:
            j += 1
        run = [r for _, r in keyed[i:j]]
        out.extend(sorted(run, key=full) if len(run) > 1 else run)
        i = j
    return out
