"""Safe reading of what the user drops: files, folders and .zip archives, as virtual files, never extracted.

:func:`open_source` turns one dropped path into a :class:`~groupdesk.importers.base.FileSet`. Files are read
lazily, in memory, with every size capped by :class:`Limits` (all caps live there). A zip archive is
refused as a whole — one :class:`~groupdesk.importers.base.ImportProblem` naming the archive and the
problem — when it is damaged or truncated, has too many members, holds absolute or ``..`` paths, holds an
encrypted member we need, declares a ratio over ``max_ratio`` (a zip bomb), inflates to more data than its
header declares or than the caps allow (checked while streaming, headers are not trusted, CRC checked), or
nests archives more than one level deep. A zip inside the dropped zip is read (one level); a zip inside that
is refused. Honest but big files are left out with a warning instead: a member over the per-file cap, and
when the wanted files together pass the total cap, the largest ones (so indexes and lists are always read).
"""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from groupdesk.importers.base import (
    CancelFn,
    FileSet,
    ImportCancelled,
    ImportProblem,
    VirtualFile,
    check_cancel,
    safety_problem,
)

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Every cap on what an import may read, in one place.

    Attributes:
        total_bytes: bytes read from one dropped source, all files together.
        member_bytes: bytes of any one file (a dropped file, a file in a folder, a zip member).
        max_ratio: largest uncompressed/compressed ratio accepted for a zip member above ``ratio_floor``.
        ratio_floor: members smaller than this are not ratio-checked (tiny files compress absurdly well).
        max_members: entries in one zip archive.
        max_folder_entries: files and folders walked in one dropped folder.
        max_nesting: how many levels of zip-inside-zip are read.
    """

    total_bytes: int = 200 * MB
    member_bytes: int = 50 * MB
    max_ratio: float = 100.0
    ratio_floor: int = 1 * MB
    max_members: int = 100_000
    max_folder_entries: int = 100_000
    max_nesting: int = 1


DEFAULT_LIMITS = Limits()

_CHUNK = 64 * 1024


@dataclass
class _Budget:
    """Bytes still allowed for one dropped source."""

    limits: Limits
    label: str
    used: int = 0
    warnings: list[str] = field(default_factory=list)

    def take(self, n: int) -> None:
        self.used += n
        if self.used > self.limits.total_bytes:
            raise safety_problem(
                self.label,
                f"holds more than {_mb(self.limits.total_bytes)} of data to read; refused as too large",
            )


def _mb(n: float) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n / 1024:.0f} KB"


_KNOWN_HOSTS = (
    r"(?:[a-z0-9-]+\.)*"
    r"(?:facebook\.com|linkedin\.com|meetup\.com|discord\.gg|discord\.com|reddit\.com|t\.me|groups\.google\.com)/"
)


def is_url(text: str) -> bool:
    """True for a web address rather than a path: ``http(s)://``, ``www.``, or a group site's host."""
    return bool(re.match(rf"(?i)\s*(https?://|www\.|{_KNOWN_HOSTS})\S+\s*$", text))


Wants = Callable[[str], bool]


def _all(_path: str) -> bool:
    return True


@contextmanager
def open_source(
    path: str | os.PathLike[str],
    *,
    wants: Wants = _all,
    limits: Limits = DEFAULT_LIMITS,
    cancel: CancelFn | None = None,
) -> Iterator[FileSet]:
    """Open one dropped path as a FileSet (files, archives and archives' handles stay open inside the block).

    Args:
        path: a file, a folder or a zip archive.
        wants: which paths inside a folder or archive are worth reading (lower-case ``/`` paths); a
            dropped file is always read.
        limits: the caps.
        cancel: checked while walking and reading.

    Raises:
        ImportProblem: the path is missing, unreadable, too large, or an unsafe or damaged archive.
    """
    p = Path(path)
    label = str(p)
    budget = _Budget(limits, label)
    with ExitStack() as stack:
        try:
            st = p.stat()
        except FileNotFoundError:
            raise ImportProblem(label, "no such file or folder") from None
        except OSError as exc:
            raise ImportProblem(label, f"cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISDIR(st.st_mode):
            files = list(_walk_folder(p, label, wants, limits, budget, stack, cancel))
            fs = FileSet(label, _within_total(files, budget))
        elif stat.S_ISREG(st.st_mode):
            if _looks_like_zip(p):
                files = list(
                    _zip_files(_open_zip_path(p, label, stack), label, "", 0, wants, budget, stack, cancel)
                )
                fs = FileSet(label, _within_total(files, budget))
            else:
                if st.st_size > limits.member_bytes:
                    raise ImportProblem(
                        label,
                        f"is {_mb(st.st_size)}; GroupDesk reads files up to {_mb(limits.member_bytes)}",
                    )
                fs = FileSet(
                    label, [VirtualFile("", label, _file_loader(p, label, budget), st.st_size)], single=True
                )
        else:
            raise ImportProblem(label, "is not a regular file or folder")
        fs.warnings.extend(budget.warnings)
        yield fs


def _within_total(files: list[VirtualFile], budget: _Budget) -> list[VirtualFile]:
    """The files that fit in the total cap, smallest first (indexes and lists before bulky message logs).

    Sizes are the declared ones; reading more than declared is refused while streaming.
    """
    room = budget.limits.total_bytes - budget.used
    keep: set[int] = set()
    total = 0
    for vf in sorted(files, key=lambda v: v.size or 0):
        if total + (vf.size or 0) > room:
            break
        total += vf.size or 0
        keep.add(id(vf))
    left = [vf.path for vf in files if id(vf) not in keep]
    if left:
        names = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
        budget.warnings.append(
            f"Left out {len(left)} of the largest files ({names}): together they would pass the "
            f"{_mb(budget.limits.total_bytes)} limit."
        )
    return [vf for vf in files if id(vf) in keep]


def _looks_like_zip(p: Path) -> bool:
    """A zip by content (local-file or empty-archive signature), or by name when damaged."""
    try:
        with p.open("rb") as fh:
            head = fh.read(4)
    except OSError:
        return False
    return head in (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08") or p.suffix.lower() == ".zip"


def _file_loader(p: Path, label: str, budget: _Budget) -> Callable[[], bytes]:
    def load() -> bytes:
        cap = budget.limits.member_bytes
        try:
            with p.open("rb") as fh:
                data = fh.read(cap + 1)
        except OSError as exc:
            raise ImportProblem(label, f"cannot be read ({exc.strerror or exc})") from None
        if len(data) > cap:
            raise ImportProblem(label, f"is larger than {_mb(cap)}; GroupDesk reads files up to {_mb(cap)}")
        budget.take(len(data))
        return data

    return load


def _walk_folder(
    root: Path,
    label: str,
    wants: Wants,
    limits: Limits,
    budget: _Budget,
    stack: ExitStack,
    cancel: CancelFn | None,
) -> Iterator[VirtualFile]:
    """Regular files under ``root`` that ``wants`` accepts; zips inside are opened as archives."""
    seen = 0
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=errors.append):
        check_cancel(cancel)
        dirnames.sort()
        seen += len(dirnames) + len(filenames)
        if seen > limits.max_folder_entries:
            raise ImportProblem(
                label,
                f"holds more than {limits.max_folder_entries:,} files and folders; drop a smaller folder",
            )
        for fname in sorted(filenames):
            fp = Path(dirpath) / fname
            rel = fp.relative_to(root).as_posix()
            low = rel.lower()
            is_zip = low.endswith(".zip")
            if not is_zip and not wants(low):
                continue
            try:
                st = fp.stat()
            except OSError:
                continue  # a dangling link or a file that vanished
            if not stat.S_ISREG(st.st_mode):
                continue  # devices, pipes, sockets: never read
            flabel = f"{label}/{rel}"
            if is_zip:
                zf = _open_zip_path(fp, flabel, stack)
                yield from _zip_files(zf, flabel, rel + "/", 0, wants, budget, stack, cancel)
                continue
            if st.st_size > limits.member_bytes:
                budget.warnings.append(
                    f"Left out {rel}: it is {_mb(st.st_size)}, over the {_mb(limits.member_bytes)} limit."
                )
                continue
            yield VirtualFile(rel, flabel, _file_loader(fp, flabel, budget), st.st_size)
    if errors and seen == 0:
        raise ImportProblem(label, f"cannot be read ({errors[0].strerror or errors[0]})")


def _open_zip_path(p: Path, label: str, stack: ExitStack) -> zipfile.ZipFile:
    try:
        fh = stack.enter_context(p.open("rb"))
    except OSError as exc:
        raise ImportProblem(label, f"cannot be read ({exc.strerror or exc})") from None
    return _open_zip(fh, label, stack)


def _open_zip(
    fh: io.IOBase | io.BufferedReader | io.BytesIO, label: str, stack: ExitStack
) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile as exc:
        raise safety_problem(label, f"is a damaged or truncated zip archive ({exc})") from None
    except Exception as exc:  # zipfile raises many kinds on hostile input (struct, index, unicode errors)
        raise safety_problem(label, f"is a damaged zip archive ({type(exc).__name__}: {exc})") from None
    stack.callback(zf.close)
    return zf


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> bool:
    """Absolute paths, drive letters and ``..`` components (either slash)."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        return True
    return any(part == ".." for part in norm.split("/"))


def _zip_files(
    zf: zipfile.ZipFile,
    label: str,
    prefix: str,
    depth: int,
    wants: Wants,
    budget: _Budget,
    stack: ExitStack,
    cancel: CancelFn | None,
) -> Iterator[VirtualFile]:
    """The wanted members of an archive as virtual files, after checking the whole archive is safe."""
    limits = budget.limits
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise safety_problem(
            label, f"holds {len(infos):,} entries, more than the {limits.max_members:,} allowed"
        )
    for info in infos:
        if _unsafe_name(info.filename):
            raise safety_problem(label, f"holds an unsafe path {info.filename!r} (absolute or with '..')")
    chosen: list[tuple[zipfile.ZipInfo, str]] = []
    seen: set[str] = set()
    for info in infos:
        check_cancel(cancel)
        if not info.filename or info.filename.endswith(("/", "\\")):
            continue  # folders (and nameless entries)
        if stat.S_ISLNK(info.external_attr >> 16):
            continue  # symbolic links are never followed
        rel = info.filename.replace("\\", "/")
        while rel.startswith("./"):
            rel = rel[2:]
        low = rel.lower()
        if low in seen:
            continue  # a repeated name: the first one counts
        seen.add(low)
        is_zip = low.endswith(".zip")
        if not is_zip and not wants(low):
            continue
        mlabel = f"{label}:{rel}"
        if info.flag_bits & 0x1:
            raise safety_problem(mlabel, "is encrypted; GroupDesk cannot read password-protected archives")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise safety_problem(
                mlabel,
                f"would inflate {info.file_size / max(info.compress_size, 1):,.0f} times "
                f"(to {_mb(info.file_size)}); refused as a zip bomb",
            )
        if info.file_size > limits.member_bytes:
            budget.warnings.append(
                f"Left out {prefix}{rel}: it is {_mb(info.file_size)}, "
                f"over the {_mb(limits.member_bytes)} limit."
            )
            continue
        chosen.append((info, rel))
    for info, rel in chosen:
        mlabel = f"{label}:{rel}"
        if rel.lower().endswith(".zip"):
            if depth >= limits.max_nesting:
                raise safety_problem(
                    mlabel, "is an archive nested inside an archive inside an archive; refused"
                )
            data = _read_member(zf, info, mlabel, budget, cancel)
            inner = _open_zip(io.BytesIO(data), mlabel, stack)
            yield from _zip_files(inner, mlabel, f"{prefix}{rel}/", depth + 1, wants, budget, stack, cancel)
            continue
        yield VirtualFile(
            prefix + rel,
            mlabel,
            (lambda i=info, m=mlabel: _read_member(zf, i, m, budget, cancel)),
            info.file_size,
            inner=rel,
        )


def _read_member(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, budget: _Budget, cancel: CancelFn | None
) -> bytes:
    """A member's bytes, streamed with caps that do not trust the header: size, ratio, CRC."""
    limits = budget.limits
    cap = min(limits.member_bytes, info.file_size)
    ratio_cap = limits.max_ratio * max(info.compress_size, 1)
    out = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                check_cancel(cancel)
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                out += chunk
                if len(out) > cap:
                    raise safety_problem(label, "inflates to more data than its header declares; refused")
                if len(out) > limits.ratio_floor and len(out) > ratio_cap:
                    raise safety_problem(
                        label, f"inflates more than {limits.max_ratio:.0f} times; refused as a zip bomb"
                    )
                budget.take(len(chunk))
    except (ImportProblem, ImportCancelled):
        raise
    except zipfile.BadZipFile as exc:
        raise safety_problem(label, f"is damaged ({exc})") from None
    except RuntimeError as exc:  # zipfile: "File is encrypted, password required…"
        raise safety_problem(label, f"cannot be read ({exc})") from None
    except (zlib.error, EOFError, OSError, ValueError, NotImplementedError, OverflowError) as exc:
        raise safety_problem(label, f"is damaged or truncated ({exc or type(exc).__name__})") from None
    except Exception as exc:  # anything else zipfile trips over on hostile input
        raise safety_problem(label, f"is damaged ({type(exc).__name__}: {exc})") from None
    if len(out) != info.file_size:
        raise safety_problem(label, "is truncated (fewer bytes than its header declares)")
    return bytes(out)
