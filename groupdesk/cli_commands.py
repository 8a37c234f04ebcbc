"""Sub-commands of the command line (list, export, import, demo). Registered on import.

Each command opens the store with ``groupdesk.app.open_store`` and goes through the same store
and domain functions as the window. Bad input raises ``UserError`` (one line on stderr, exit 2)
before anything is written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from groupdesk.cli import command
from groupdesk.errors import UserError
from groupdesk.fileutil import write_atomic

#: The keys of ``list --format json`` (DESIGN.md, "Command line"), in this order.
LIST_KEYS: tuple[str, ...] = (
    "id",
    "name",
    "network",
    "status",
    "url",
    "value",
    "activity",
    "group_activity",
    "participation",
    "flags",
    "recommendation",
    "reasons",
    "cost_per_year",
    "hours_per_month",
    "emails_per_week",
    "last_group_activity",
    "my_last_contribution",
    "invited_by",
    "joined_on",
    "tags",
)


def _open(data_dir: Path) -> None:
    from groupdesk.app import open_store

    open_store(data_dir)


# ---------------------------------------------------------------- list


def list_items(today: date | None = None) -> list[dict[str, Any]]:
    """Every group of the open store as a dict with ``LIST_KEYS`` (JSON-ready), ordered by id."""
    from groupdesk.domain.rules import recommend
    from groupdesk.domain.scores import Evaluation
    from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS
    from groupdesk.store.journal import store_unserved_topics
    from groupdesk.store.merge import load_records
    from groupdesk.store.repository import load_rows

    today = today or date.today()
    thresholds = DEFAULT_THRESHOLDS
    records = load_records()
    unserved = store_unserved_topics(thresholds)
    out = []
    for row in sorted(load_rows(today, thresholds), key=lambda r: r.id):
        rec = records[row.id]
        facts = row.facts
        facts.unserved_topics = unserved
        evaluation = Evaluation(
            value=row.value,
            activity=row.activity,
            group_activity=row.group_activity,
            participation=row.participation,
            cost_per_year=row.cost_per_year,
            flags=tuple(row.flags),
        )
        advice = recommend(facts, evaluation, today, thresholds)
        out.append(
            {
                "id": row.id,
                "name": rec.name,
                "network": rec.network,
                "status": rec.status,
                "url": rec.url,
                "value": row.value,
                "activity": row.activity,
                "group_activity": row.group_activity,
                "participation": row.participation,
                "flags": list(row.flags),
                "recommendation": advice.action,
                "reasons": [{"rule_id": r.rule_id, "sentence": r.sentence} for r in advice.reasons],
                "cost_per_year": row.cost_per_year,
                "hours_per_month": rec.hours_per_month,
                "emails_per_week": rec.emails_per_week,
                "last_group_activity": _iso(rec.last_group_activity),
                "my_last_contribution": _iso(row.last_contribution),
                "invited_by": rec.invited_by,
                "joined_on": _iso(rec.joined_on),
                "tags": rec.tags,
            }
        )
    return out


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _plain(text: Any) -> str:
    """Untrusted text made safe for a terminal: control characters (escape codes, newlines) → space."""
    s = "" if text is None else str(text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in s)


def format_list_csv(items: list[dict[str, Any]]) -> str:
    """``list --format csv``: the JSON keys as columns; flags and reason ids joined by ``;``."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(LIST_KEYS)
    for it in items:
        cells = []
        for k in LIST_KEYS:
            v = it[k]
            if k == "flags":
                v = ";".join(v)
            elif k == "reasons":
                v = " | ".join(r["sentence"] for r in v)
            elif isinstance(v, float):
                v = _num(v)
            cells.append("" if v is None else v)
        w.writerow(cells)
    return buf.getvalue()


@dataclass
class _Col:
    title: str
    key: str
    right: bool = False
    #: Clipped (with "…") down to this width when the terminal is narrow; 0 = never clipped.
    min_width: int = 0
    #: Dropped when clipping is not enough, lowest first; 0 = never dropped.
    drop: int = 0


_TABLE = (
    _Col("ID", "id", right=True),
    _Col("Name", "name", min_width=16),
    _Col("Network", "network", drop=5),
    _Col("Status", "status"),
    _Col("Value", "value", right=True),
    _Col("Activity", "activity", right=True, drop=4),
    _Col("Cost/yr", "cost_per_year", right=True, drop=3),
    _Col("Mail/wk", "emails_per_week", right=True, drop=2),
    _Col("Last activity", "last_group_activity", drop=1),
    _Col("Flags", "flags", min_width=10),
    _Col("Advice", "recommendation"),
)
_GAP = 2


def _cell(key: str, value: Any) -> str:
    if key == "flags":
        return ", ".join(f.replace("_", " ") for f in value)
    if key == "cost_per_year":
        return _num(value) if value else ""
    if isinstance(value, float):
        return _num(value)
    return _plain(value).replace("_", " ") if key in ("network", "recommendation") else _plain(value)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def _fit(natural: list[int], width: int) -> tuple[list[int], list[int]]:
    """The columns to show and their widths so that the table fits ``width`` if at all possible."""
    shown = list(range(len(_TABLE)))
    droppable = sorted((c.drop, i) for i, c in enumerate(_TABLE) if c.drop)
    while True:
        widths = {i: natural[i] for i in shown}
        excess = sum(widths.values()) + _GAP * (len(shown) - 1) - width
        while excess > 0:
            # One character from the widest clippable column still above its minimum.
            room = [i for i in shown if _TABLE[i].min_width and widths[i] > _TABLE[i].min_width]
            if not room:
                break
            widest = max(room, key=lambda i: widths[i] - _TABLE[i].min_width)
            widths[widest] -= 1
            excess -= 1
        if excess <= 0 or not droppable:
            return shown, [widths[i] for i in shown]
        shown.remove(droppable.pop(0)[1])


def format_list_table(items: list[dict[str, Any]], width: int | None = None) -> str:
    """``list --format table``: aligned columns; clips Name and Flags, then drops columns, to fit."""
    if not items:
        return "No groups yet. Add some in the window, import a file, or run 'groupdesk demo'.\n"
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = [[_cell(c.key, it[c.key]) for c in _TABLE] for it in items]
    natural = [max(len(c.title), *(len(r[i]) for r in rows)) for i, c in enumerate(_TABLE)]
    shown, widths = _fit(natural, width)
    lines = []
    for cells in [[c.title for c in _TABLE], *rows]:
        parts = []
        for i, w in zip(shown, widths, strict=True):
            text = _clip(cells[i], w)
            parts.append(text.rjust(w) if _TABLE[i].right else text.ljust(w))
        lines.append((" " * _GAP).join(parts).rstrip())
    total = len(items)
    lines.append(f"{total} group{'s' if total != 1 else ''}")
    return "\n".join(lines) + "\n"


@command
def _register_list(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="every group with value, activity, flags and recommendation")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")
    p.set_defaults(func=_cmd_list)


def _cmd_list(args: argparse.Namespace, data_dir: Path) -> int:
    _open(data_dir)
    items = list_items()
    if args.format == "json":
        text = json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = format_list_csv(items)
    else:
        text = format_list_table(items)
    sys.stdout.write(text)
    return 0


# ---------------------------------------------------------------- export


@command
def _register_export(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write every group to a GroupDesk .json or .csv file")
    p.add_argument("file", metavar="FILE", help="the file to write; .json or .csv decides the format")
    p.set_defaults(func=_cmd_export)


def _cmd_export(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.importers import native

    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv"):
        raise UserError(f"{args.file}: the file name must end in .json or .csv")
    if not path.parent.is_dir():
        raise UserError(f"{args.file}: the folder {path.parent} does not exist")
    _open(data_dir)
    from groupdesk.store.merge import export_records

    records = export_records()
    data = native.write_json(records) if suffix == ".json" else native.write_csv(records)
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UserError(f"{args.file}: cannot write: {exc.strerror or exc}") from None
    print(f"Exported {len(records)} group{'s' if len(records) != 1 else ''} to {args.file}")
    return 0


# ---------------------------------------------------------------- import


@dataclass
class _Parsed:
    """One export found in a given path, read and checked, not yet applied."""

    label: str
    kind: str
    sha256: str | None
    records: list[Any]
    notes: list[str]
    skipped: list[tuple[str, str]]


def _read_path(text: str) -> list[_Parsed]:
    """The exports in one path. GroupDesk's own files are read strictly (a bad value is an error);
    anything else (other apps' exports, folders, zips, spreadsheets) goes through the importers'
    dispatcher, as a drop on the window does."""
    from groupdesk.importers import detect, native

    path = Path(text)
    if not path.exists():
        raise UserError(f"{text}: no such file or folder")
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{text}: cannot read: {exc.strerror or exc}") from None
        if native.detect(data):
            found = native.read(data, text)
            sha = hashlib.sha256(data).hexdigest()
            return [_Parsed(text, found.kind, sha, found.records, found.warnings, [])]
    return [
        _Parsed(
            r.source if len(r.files) <= 1 else f"{r.source} ({r.kind})",
            r.kind,
            r.fingerprint,
            r.records,
            r.messages,
            [(s.name, s.reason) for s in r.skipped],
        )
        for r in detect.read_path(text)
    ]


@command
def _register_import(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="merge exports (GroupDesk .json/.csv, Facebook, LinkedIn, Discord, Reddit, Telegram, "
        "spreadsheets; files, folders or .zip) into the store",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or .zip archives to import")
    p.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    p.set_defaults(func=_cmd_import)


def _cmd_import(args: argparse.Namespace, data_dir: Path) -> int:
    # Read and check every path before anything is written: one bad file stops the whole import.
    parsed = [found for text in args.paths for found in _read_path(text)]
    from groupdesk.app import db_path

    if args.dry_run and not db_path(data_dir).exists():
        # Nothing to compare with: plan against an empty store that is thrown away, so that a dry
        # run does not even create the data file.
        with tempfile.TemporaryDirectory(prefix="groupdesk-dry-run-") as scratch:
            try:
                return _import_parsed(parsed, Path(scratch), dry_run=True)
            finally:
                from groupdesk.store.db import close_db

                close_db()
    return _import_parsed(parsed, data_dir, dry_run=args.dry_run)


def _import_parsed(parsed: list[_Parsed], data_dir: Path, *, dry_run: bool) -> int:
    _open(data_dir)
    from groupdesk.store.merge import NEW, SKIPPED, UPDATED, apply_import, plan_import
    from groupdesk.store.models import db

    # All exports go in one transaction, applied in order so that a group new in the first file
    # is "unchanged" in the second. A dry run applies them the same way and rolls back.
    with db.atomic() as txn:
        for item in parsed:
            plan = plan_import(item.records)
            counts = plan.counts()
            skipped = counts[SKIPPED] + len(item.skipped)
            print(
                f"{item.label}: {item.kind}: new {counts[NEW]}, updated {counts[UPDATED]}, "
                f"unchanged {counts['unchanged']}, skipped {skipped}"
            )
            for note in item.notes:
                print(f"  note: {_plain(note)}")
            for name, reason in item.skipped:
                print(f"  {_plain(name)}: skipped: {_plain(reason)}")
            for p in plan.items:
                if p.action == SKIPPED or (dry_run and p.action in (NEW, UPDATED)):
                    print(f"  {_plain(p.record.name)}: {_plain(p.summary())}")
            apply_import(plan, item.label, item.kind, item.sha256, skipped=len(item.skipped))
        if dry_run:
            txn.rollback()
    if dry_run:
        print("Dry run: nothing was written.")
    return 0


# ---------------------------------------------------------------- demo


@command
def _register_demo(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="load a realistic demo inventory (adds only what is missing)")
    p.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace, data_dir: Path) -> int:
    from groupdesk.demo import load_demo

    _open(data_dir)
    added = load_demo()
    if added:
        print(f"Loaded the demo inventory: {added} groups added.")
    else:
        print("The demo inventory is already loaded: nothing added.")
    return 0
