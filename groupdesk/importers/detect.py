"""The dispatcher: dropped paths and web addresses → one ImportResult per export found.

:func:`read_sources` opens each dropped file, folder or zip safely (:mod:`.sources`), reads the files worth
reading with progress and cancel checks, and lets every format look for its own content: GroupDesk's native
files, Facebook, LinkedIn, Discord, Reddit, Telegram — a folder or archive can hold several. When none of
them matched, spreadsheets and (for a dropped file) plain text lists are tried. A source that cannot be
read, or holds nothing recognised, gives one :class:`~.base.ImportProblem` naming it ("not a recognised
export"); with ``strict=False`` (the default) it becomes an ``ImportResult`` of kind ``"error"`` so the other
sources still import, with ``strict=True`` the first problem is raised (the command line's behaviour).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from groupdesk.errors import UserError
from groupdesk.importers import discord, facebook, generic, linkedin, native, reddit, telegram
from groupdesk.importers.base import (
    CancelFn,
    FileSet,
    ImportProblem,
    ImportResult,
    ProgressFn,
    check_cancel,
)
from groupdesk.importers.sources import DEFAULT_LIMITS, Limits, is_url, open_source

log = logging.getLogger(__name__)

#: The export formats, tried in this order on every source.
FORMATS = (facebook, linkedin, discord, reddit, telegram)

#: Turn an unexpected exception inside one format reader into a note instead of a crash (tests turn it off).
GUARD = True

_NAMES = "GroupDesk, Facebook, LinkedIn, Discord, Reddit or Telegram"


def wants(path: str) -> bool:
    """Whether a file inside a dropped folder or archive is worth reading (lower-case ``/`` path)."""
    if any(m.wants(path) for m in FORMATS):
        return True
    return path.endswith((".csv", ".tsv", ".json")) and path.count("/") <= 2


def read_sources(
    items: Iterable[str | os.PathLike[str]],
    cancel: CancelFn | None = None,
    progress: ProgressFn | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    strict: bool = False,
) -> list[ImportResult]:
    """Read every dropped path (file, folder, zip) and web address; one or more ImportResult per source.

    Args:
        items: paths, or strings that are paths or web addresses (all addresses become one "url" result).
        cancel: called often; returning True stops the import with :class:`~.base.ImportCancelled`.
        progress: called as ``progress(done, total, message)`` while reading.
        limits: the caps on sizes (see :class:`~.sources.Limits`).
        strict: raise the first :class:`~.base.ImportProblem` instead of reporting it as an "error" result.
    """
    items = list(items)
    urls = [str(i).strip() for i in items if isinstance(i, str) and is_url(i)]
    paths = [i for i in items if not (isinstance(i, str) and is_url(i))]
    results: list[ImportResult] = []
    total = len(paths) + (1 if urls else 0)
    for n, item in enumerate(paths):
        check_cancel(cancel)
        _report(progress, n, total, f"Reading {item}")
        try:
            results.extend(read_path(item, cancel=cancel, progress=_sub(progress, n, total), limits=limits))
        except ImportProblem as exc:
            if strict:
                raise
            results.append(ImportResult("error", str(item), problem=exc, messages=[str(exc)]))
    if urls:
        results.append(generic.read_urls(urls))
    _report(progress, total, total, "Done")
    return results


def _report(progress: ProgressFn | None, done: int, total: int, message: str) -> None:
    if progress is not None:
        progress(done, total, message)


def _sub(progress: ProgressFn | None, n: int, total: int) -> ProgressFn | None:
    """Progress inside source ``n`` mapped onto the whole run (in thousandths of a source)."""
    if progress is None:
        return None

    def report(done: int, sub_total: int, message: str) -> None:
        frac = done / sub_total if sub_total else 0.0
        progress(int((n + frac) * 1000), total * 1000, message)

    return report


def read_path(
    path: str | os.PathLike[str],
    *,
    cancel: CancelFn | None = None,
    progress: ProgressFn | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ImportResult]:
    """Every export found in one dropped path.

    Raises:
        ImportProblem: unreadable, unsafe, or nothing recognised (the message names the path).
        ImportCancelled: ``cancel()`` returned True.
    """
    with open_source(path, wants=wants, limits=limits, cancel=cancel) as fs:
        keep = []
        for i, vf in enumerate(fs.files):
            check_cancel(cancel)
            _report(progress, i, len(fs.files), f"Reading {vf.label}")
            try:
                vf.read()
            except ImportProblem as exc:
                if fs.single or getattr(exc, "kind", None) == "safety":
                    raise
                fs.warnings.append(f"Left out {exc}")
                continue
            keep.append(vf)
        fs.files = keep
        return read_fileset(fs, cancel=cancel)


def read_fileset(fs: FileSet, *, cancel: CancelFn | None = None) -> list[ImportResult]:
    """Every export found in an opened source (see :func:`read_path`); usable on in-memory file sets."""
    if fs.single:
        _check_single(fs)
    results = _native(fs)
    for module in FORMATS:
        check_cancel(cancel)
        results.extend(_guarded(module.read, fs, module.KIND))
    if not any(r.kind not in ("groupdesk-json", "groupdesk-csv") for r in results):
        check_cancel(cancel)
        results.extend(_guarded(generic.read, fs, "csv"))
    if not results:
        raise ImportProblem(fs.label, _unrecognised(fs))
    notes = list(fs.warnings)
    for path, exc in sorted(fs.unreadable.items()):
        if path not in fs.claimed and not fs.single:
            notes.append(f"Skipped {exc}")
    results[0].messages.extend(notes)
    return results


def _check_single(fs: FileSet) -> None:
    """A dropped file must be text; JSON must parse — else say exactly what is wrong with it."""
    vf = fs.files[0]
    fs.text(vf)  # raises "not valid UTF-8 text" / "binary data" with the file name
    head = fs.text(vf).lstrip()[:1]
    if head in ("{", "["):
        fs.json(vf)


def _unrecognised(fs: FileSet) -> str:
    if fs.single:
        return f"not a recognised export (not a {_NAMES} export, spreadsheet or list of groups)"
    if not fs.files:
        return f"not a recognised export (no {_NAMES} files inside)"
    return f"not a recognised export (nothing from {_NAMES}, and no spreadsheet with a group column)"


def _guarded(fn: Callable[[FileSet], list[ImportResult]], fs: FileSet, kind: str) -> list[ImportResult]:
    if not GUARD:
        return fn(fs)
    try:
        return fn(fs)
    except ImportProblem:
        raise
    except Exception:  # a bug in one reader must not lose the other formats
        log.exception("The %s reader failed on %s", kind, fs.label)
        fs.warnings.append(f"Could not read the {kind} part of {fs.label} (an internal error; see the log).")
        return []


def _native(fs: FileSet) -> list[ImportResult]:
    """GroupDesk's own JSON/CSV files (helper module :mod:`.native`)."""
    out: list[ImportResult] = []
    for vf in fs:
        if not fs.single and not (vf.suffix in (".json", ".csv") and vf.local.count("/") <= 2):
            continue
        data = vf.read()
        if (vf.suffix == ".json" or data.lstrip()[:1] == b"{") and b"groupdesk" not in data:
            continue  # cheap: native JSON always says "groupdesk"; spares parsing big exports twice
        try:
            kind = native.detect(data)
        except (RecursionError, ValueError, UnicodeError):
            kind = None
        if not kind:
            continue
        try:
            found = native.read(data, vf.label)
        except UserError as exc:
            problem = str(exc).removeprefix(vf.label).lstrip(":, ")
            if kind == native.KIND_CSV:
                fs.warnings.append(f"{vf.label} looked like a GroupDesk CSV but is not one ({problem}).")
                continue  # maybe a spreadsheet: the generic reader gets it
            raise ImportProblem(vf.label, problem) from None
        except RecursionError:
            raise ImportProblem(vf.label, "JSON nested too deeply") from None
        out.append(fs.result(found.kind, [vf], records=found.records, messages=list(found.warnings)))
    return out
