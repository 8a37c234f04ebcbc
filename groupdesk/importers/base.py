"""Shared pieces of the importers: the result and problem types, virtual files, and safe parsing helpers.

Every importer reads :class:`VirtualFile` objects (a path inside what the user dropped plus a loader of its
bytes) grouped in a :class:`FileSet`, and returns :class:`ImportResult` objects. Anything wrong with the
input is an :class:`ImportProblem` (a :class:`~groupdesk.errors.UserError`) whose message names the file and
the problem; no other exception escapes an importer.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from groupdesk.domain.records import ContributionRecord, GroupRecord, normalise_name
from groupdesk.errors import UserError

#: Called with (done, total, message); total may be 0 when unknown.
ProgressFn = Callable[[int, int, str], None]
#: Returns True when the user asked to stop.
CancelFn = Callable[[], bool]


class ImportProblem(UserError):
    """Input GroupDesk cannot or will not read; ``str()`` is one line naming the file and the problem."""

    def __init__(self, file: str, problem: str) -> None:
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


class ImportCancelled(Exception):
    """The user cancelled a running import (raised from the cancel check)."""


@dataclass
class Skipped:
    """Something found in an export that will not become a group, and why."""

    name: str
    reason: str


@dataclass
class ImportResult:
    """What one dropped source (or one export inside it) yields.

    Attributes:
        kind: the detected format ("facebook", "linkedin", "discord", "reddit", "telegram", "csv", "text",
            "url", "groupdesk-json", "groupdesk-csv"), or "error" when the source was refused.
        source: what the user dropped (a path or "links"), for the preview and the import history.
        records: the groups found, with their contributions.
        skipped: entries that are not groups, with the reason (e.g. "personal chat, not a group").
        messages: notes and warnings for the preview, in plain words.
        files: the files inside the source that this result was read from.
        problem: set (and records empty) when the source was refused.
        fingerprint: sha256 over the files read, for the import history.
        table: for spreadsheet imports, the header and rows so the column mapping can be changed.
        mapping: for spreadsheet imports, the field → column mapping used.
    """

    kind: str
    source: str
    records: list[GroupRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problem: ImportProblem | None = None
    fingerprint: str | None = None
    table: tuple[list[str], list[list[str]]] | None = None
    mapping: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        """True unless the source was refused."""
        return self.problem is None


# --------------------------------------------------------------------------------------------------------
# Virtual files


@dataclass
class VirtualFile:
    """A file inside what the user dropped, read lazily and at most once.

    Attributes:
        path: the path inside the dropped folder or archive, with ``/`` separators ("" for a dropped file).
        label: how to name the file to the user (e.g. ``export.zip:groups/x.json``).
        loader: returns the bytes; raises :class:`ImportProblem` when the file cannot be read safely.
        size: the (declared) size in bytes, if known.
        inner: for a file inside a zip, its path inside that zip (``path`` adds where the zip is).
    """

    path: str
    label: str
    loader: Callable[[], bytes]
    size: int | None = None
    inner: str | None = None
    _data: bytes | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The last path component, lower-cased."""
        return self.path.rsplit("/", 1)[-1].lower() or self.label.rsplit("/", 1)[-1].lower()

    @property
    def local(self) -> str:
        """The lower-case path inside the innermost folder or archive (for judging depth)."""
        return (self.inner if self.inner is not None else self.path).lower()

    @property
    def suffix(self) -> str:
        """The extension of :attr:`name` including the dot, lower-cased ("" when none)."""
        name = self.name
        return name[name.rfind(".") :] if "." in name else ""

    @property
    def parts(self) -> list[str]:
        """The path components (lower-cased) inside the source."""
        return [p for p in self.path.lower().split("/") if p]

    def read(self) -> bytes:
        """The file's bytes (loaded on first use)."""
        if self._data is None:
            self._data = self.loader()
        return self._data


class FileSet:
    """The files of one dropped source, with cached parsing and a record of which files were used."""

    def __init__(self, label: str, files: Iterable[VirtualFile], *, single: bool = False) -> None:
        self.label = label
        self.files = list(files)
        self.single = single
        self.claimed: set[str] = set()
        self.warnings: list[str] = []
        self._json: dict[str, Any] = {}
        self._text: dict[str, str] = {}
        #: Files whose content could not be parsed, by path (filled by the ``try_`` readers).
        self.unreadable: dict[str, ImportProblem] = {}

    @classmethod
    def from_bytes(cls, files: dict[str, bytes], label: str = "test") -> FileSet:
        """A file set from in-memory bytes (for tests and pasted text); one file without a path is single."""
        vfs = [
            VirtualFile(path, f"{label}:{path}" if path else label, (lambda b=data: b), len(data))
            for path, data in files.items()
        ]
        return cls(label, vfs, single=len(files) == 1 and "" in files)

    def __iter__(self) -> Iterator[VirtualFile]:
        return iter(self.files)

    def claim(self, vf: VirtualFile) -> None:
        """Mark a file as read by an importer."""
        self.claimed.add(vf.path)

    def text(self, vf: VirtualFile) -> str:
        """The file as text (UTF-8, UTF-8 with BOM, or UTF-16 with BOM); ImportProblem otherwise."""
        if vf.path not in self._text:
            self._text[vf.path] = decode_text(vf.read(), vf.label)
        return self._text[vf.path]

    def json(self, vf: VirtualFile) -> Any:
        """The file parsed as JSON with Facebook's mojibake repaired; ImportProblem otherwise."""
        if vf.path not in self._json:
            self._json[vf.path] = parse_json(self.text(vf), vf.label)
            self._text.pop(vf.path, None)  # the parsed value is what readers use; spare the memory
        return self._json[vf.path]

    def try_json(self, vf: VirtualFile) -> Any:
        """Like :meth:`json` but ``None`` for a file that is not JSON (the problem is remembered)."""
        try:
            return self.json(vf)
        except ImportProblem as exc:
            if not _is_safety_problem(exc):
                self._note_unreadable(vf, exc)
                return None
            raise

    def csv_text(self, vf: VirtualFile) -> str | None:
        """The file's text when it could be CSV/TSV (not JSON or markup), else None."""
        text = self.try_text(vf)
        if text is None or text.lstrip()[:1] in ("{", "[", "<"):
            return None
        return text

    def try_text(self, vf: VirtualFile) -> str | None:
        """Like :meth:`text` but ``None`` for a file that is not text (the problem is remembered)."""
        try:
            return self.text(vf)
        except ImportProblem as exc:
            if not _is_safety_problem(exc):
                self._note_unreadable(vf, exc)
                return None
            raise

    def _note_unreadable(self, vf: VirtualFile, exc: ImportProblem) -> None:
        self.unreadable[vf.path] = exc

    def fingerprint(self, paths: Iterable[str]) -> str:
        """sha256 over the given files' paths and bytes (in path order)."""
        by_path = {vf.path: vf for vf in self.files}
        h = hashlib.sha256()
        for p in sorted(set(paths)):
            vf = by_path.get(p)
            if vf is None:
                continue
            h.update(p.encode("utf-8", "surrogatepass") + b"\0")
            h.update(vf.read())
        return h.hexdigest()

    def result(self, kind: str, files: Iterable[VirtualFile], **kw: Any) -> ImportResult:
        """An ImportResult of this source, claiming ``files`` and fingerprinting them."""
        files = list(files)
        for vf in files:
            self.claim(vf)
        paths = [vf.path for vf in files]
        return ImportResult(
            kind=kind,
            source=self.label,
            files=[vf.label for vf in files],
            fingerprint=self.fingerprint(paths),
            **kw,
        )


#: Marker on problems that refuse a whole source (unsafe or corrupt archive), not just one file's content.
SAFETY = "safety"


def safety_problem(file: str, problem: str) -> ImportProblem:
    """An ImportProblem that refuses the whole source (zip bomb, unsafe path, corrupt archive…)."""
    exc = ImportProblem(file, problem)
    exc.kind = SAFETY  # type: ignore[attr-defined]
    return exc


def _is_safety_problem(exc: ImportProblem) -> bool:
    return getattr(exc, "kind", None) == SAFETY


# --------------------------------------------------------------------------------------------------------
# Text, JSON, CSV


def decode_text(data: bytes, label: str) -> str:
    """Decode bytes as UTF-8 (BOM allowed) or BOM-marked UTF-16; ImportProblem naming the file otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportProblem(label, f"not valid UTF-16 text (byte {exc.start})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(label, f"not valid UTF-8 text (bad byte at position {exc.start})") from None
    if "\0" in text:
        raise ImportProblem(label, "binary data, not a text file")
    return text


def parse_json(text: str, label: str) -> Any:
    """Parse JSON text and repair mojibake; ImportProblem with the line and column otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportProblem(
            label, f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        raise ImportProblem(label, "JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ImportProblem(label, f"not valid JSON ({exc})") from None
    if not _MOJIBAKE_HINT.search(text) and not _ESCAPED_MOJIBAKE.search(text):
        return value  # no string in this document can be mojibake: skip the walk (big exports)
    try:
        return fix_mojibake_deep(value)
    except RecursionError:
        raise ImportProblem(label, "JSON nested too deeply") from None


_MOJIBAKE_HINT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf]")
#: The same pair written as JSON escapes, as Facebook does: ``\u00c3\u00a9``.
_ESCAPED_MOJIBAKE = re.compile(
    r"\\u00(?:c[2-9a-f]|d[0-9a-f]|e[0-9a-f]|f[0-4])\\u00[89ab][0-9a-f]", re.IGNORECASE
)


def fix_mojibake(s: str) -> str:
    """Undo Facebook's habit of writing each UTF-8 byte as its own ``\\u00XX`` escape.

    ``"Caf\\u00c3\\u00a9"`` becomes ``"Café"``; a string that is not such mojibake is returned unchanged.
    """
    if not _MOJIBAKE_HINT.search(s):
        return s
    try:
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def fix_mojibake_deep(value: Any) -> Any:
    """:func:`fix_mojibake` applied to every string (keys too) in a parsed JSON value."""
    if isinstance(value, str):
        return fix_mojibake(value)
    if isinstance(value, list):
        return [fix_mojibake_deep(v) for v in value]
    if isinstance(value, dict):
        return {fix_mojibake(k): fix_mojibake_deep(v) for k, v in value.items()}
    return value


def _sniff_delimiter(text: str) -> str:
    """The most plausible delimiter of a CSV/TSV text, judged on its first lines."""
    lines = [ln for ln in text.splitlines()[:20] if ln.strip()]
    best, best_score = ",", 0
    for d in (",", "\t", ";", "|"):
        counts = [ln.count(d) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        # Consistency across lines matters more than raw count.
        common = max(set(counts), key=counts.count)
        score = common * counts.count(common)
        if common and score > best_score:
            best, best_score = d, score
    return best


def read_csv(
    text: str, label: str, *, delimiter: str | None = None, max_rows: int = 1_000_000
) -> list[list[str]]:
    """Parse CSV/TSV text into rows (delimiter sniffed when not given); ImportProblem on malformed input."""
    if delimiter is None:
        delimiter = _sniff_delimiter(text)
    rows: list[list[str]] = []
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
        for row in reader:
            rows.append(row)
            if len(rows) > max_rows:
                raise ImportProblem(label, f"more than {max_rows:,} rows")
    except csv.Error as exc:
        raise ImportProblem(label, f"not valid CSV (line {len(rows) + 1}: {exc})") from None
    return rows


def norm_header(cell: str) -> str:
    """A header cell compared loosely: BOM and quotes stripped, lower-case, single spaces, ``_`` as space."""
    return " ".join(cell.replace("\ufeff", "").replace("_", " ").strip().strip('"').lower().split())


def find_header(rows: list[list[str]], wanted: Callable[[list[str]], bool], scan: int = 30) -> int | None:
    """Index of the first of the first ``scan`` rows whose normalised cells satisfy ``wanted``."""
    for i, row in enumerate(rows[:scan]):
        if wanted([norm_header(c) for c in row[:200]]):
            return i
    return None


def rows_as_dicts(rows: list[list[str]], header_index: int) -> tuple[list[str], list[dict[str, str]]]:
    """The normalised header at ``header_index`` and the following non-empty rows as dicts."""
    header = [norm_header(c) for c in rows[header_index]]
    out = []
    for row in rows[header_index + 1 :]:
        if not any(c.strip() for c in row):
            continue
        out.append({h: (row[i] if i < len(row) else "") for i, h in enumerate(header) if h})
    return header, out


# --------------------------------------------------------------------------------------------------------
# Dates

_MIN_TS, _MAX_TS = 0, 32503680000  # 1970 … 3000


def date_from_unix(value: Any) -> date | None:
    """A UTC date from Unix seconds (int, float or digit string); ``None`` for anything implausible."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not re.fullmatch(r"\d{1,12}(\.\d+)?", value):
            return None
        value = float(value)
    if not isinstance(value, (int, float)) or value != value:  # NaN
        return None
    if not _MIN_TS < value < _MAX_TS:
        return None
    return datetime.fromtimestamp(value, tz=timezone.utc).date()


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_from_iso(value: Any) -> date | None:
    """The date at the start of an ISO date or date-time string; ``None`` when there is none."""
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value.strip())
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "januar", "janvier", "januari", "enero"),
            ("feb", "february", "februar", "février", "februari", "febrero"),
            ("mar", "march", "märz", "marts", "mars", "maart", "marzo", "mrt"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "maj", "mei", "mayo"),
            ("jun", "june", "juni", "juin", "junio"),
            ("jul", "july", "juli", "juillet", "julio"),
            ("aug", "august", "août", "augustus", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "oktober", "octobre", "okt", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "dezember", "décembre", "diciembre", "dez", "des"),
        ]
    )
    for m in names
}

_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_NUMERIC = re.compile(r"(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})")


def _mk(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        result = date(y, m, d)
    except ValueError:
        return None
    return result if 1900 <= result.year <= 2999 else None


def parse_date(value: Any, *, day_first: bool | None = None) -> date | None:
    """Read a date from the many forms exports and spreadsheets use; ``None`` when unreadable.

    Understands ISO (``2026-02-08``, with a time), ``08 Feb 2026``, ``Feb 8, 2026``,
    ``Nov 08, 2005 4:19:54 am``, numeric ``8.2.2026`` / ``1/29/26`` (``day_first`` decides ambiguous
    slashes; by default month first, as in the US forms LinkedIn writes), and Unix seconds.
    """
    if isinstance(value, (date, datetime)):
        return value.date() if isinstance(value, datetime) else value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return date_from_unix(value)
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    iso = date_from_iso(s)
    if iso:
        return iso
    if re.fullmatch(r"\d{9,11}", s):
        return date_from_unix(s)
    m = _DAY_MONTH_YEAR.match(s)
    if m and m[2].lower() in MONTHS:
        return _mk(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    m = _MONTH_DAY_YEAR.match(s)
    if m and m[1].lower() in MONTHS:
        return _mk(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    m = _NUMERIC.match(s)
    if m:
        a, b, c = int(m[1]), int(m[2]), int(m[3])
        if len(m[1]) == 4:  # 2026/02/08
            return _mk(a, b, c)
        if "." in m[0] or a > 12:  # dotted dates are day first in Europe
            return _mk(c, b, a)
        if b > 12:
            return _mk(c, a, b)
        return _mk(c, b, a) if day_first else _mk(c, a, b)
    return None


# --------------------------------------------------------------------------------------------------------
# Building records


def aggregate_contributions(events: Iterable[tuple[date, str]], label: str) -> list[ContributionRecord]:
    """One contribution per (day, kind), noted with ``label`` (e.g. "messages on Telegram").

    The note holds no count on purpose: the store de-duplicates contributions by (date, kind, note), so a
    later export that holds one more message on a day already imported must give the very same row.

    Args:
        events: (day, kind) pairs, kind one of the contribution kinds.
        label: what and where, e.g. "messages on Telegram".
    """
    days = sorted({(day, kind) for day, kind in events})
    return [ContributionRecord(date=day, kind=kind, note=label) for day, kind in days]


class RecordBook:
    """Collects GroupRecords keyed by identity, merging repeats of the same group within one export."""

    def __init__(self, network: str) -> None:
        self.network = network
        self._by_key: dict[str, GroupRecord] = {}

    def key(self, name: str, external_id: str | None = None) -> str:
        """The merge key inside one export."""
        return f"id:{external_id}" if external_id else f"name:{normalise_name(name)}"

    def get(self, name: str, external_id: str | None = None) -> GroupRecord:
        """The record for a group, created on first use."""
        k = self.key(name, external_id)
        rec = self._by_key.get(k)
        if rec is None:
            rec = GroupRecord(name=name, network=self.network, external_id=external_id)
            self._by_key[k] = rec
        return rec

    def find(self, name: str, external_id: str | None = None) -> GroupRecord | None:
        """The record if already present."""
        return self._by_key.get(self.key(name, external_id))

    def find_name(self, name: str) -> GroupRecord | None:
        """A record of that (normalised) name, whatever its external id."""
        key = normalise_name(name)
        return next((r for r in self._by_key.values() if normalise_name(r.name) == key), None)

    def records(self) -> list[GroupRecord]:
        """All records in order of first appearance."""
        return list(self._by_key.values())


def clean_name(value: Any, limit: int = 300) -> str | None:
    """A group name from untrusted data: a non-empty single-line string, whitespace collapsed, bounded."""
    if not isinstance(value, str):
        return None
    name = " ".join(value.split())
    name = "".join(ch for ch in name if ch.isprintable())
    if not name:
        return None
    return name[:limit]


def add_tag(rec: GroupRecord, tag: str) -> None:
    """Add a tag to a record's comma-separated tags (once)."""
    tags = [t.strip() for t in (rec.tags or "").split(",") if t.strip()]
    if tag not in tags:
        tags.append(tag)
    rec.tags = ", ".join(tags)


def check_cancel(cancel: CancelFn | None) -> None:
    """Raise ImportCancelled when the user asked to stop."""
    if cancel is not None and cancel():
        raise ImportCancelled()
