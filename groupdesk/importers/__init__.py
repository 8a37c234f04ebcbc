"""Qt-free, DB-free readers for exported group lists; each returns plain GroupRecord objects.

Entry point: :func:`read_sources` (paths of files, folders, zips, and web addresses → ``ImportResult`` per
export found). Problems with the input are :class:`ImportProblem` (a ``UserError``) naming the file.
"""

from groupdesk.importers.base import (
    FileSet,
    ImportCancelled,
    ImportProblem,
    ImportResult,
    Skipped,
    VirtualFile,
)
from groupdesk.importers.detect import read_fileset, read_path, read_sources
from groupdesk.importers.generic import apply_mapping, guess_mapping, remap
from groupdesk.importers.sources import DEFAULT_LIMITS, Limits, is_url
from groupdesk.importers.urls import parse_group_url

__all__ = [
    "DEFAULT_LIMITS",
    "FileSet",
    "ImportCancelled",
    "ImportProblem",
    "ImportResult",
    "Limits",
    "Skipped",
    "VirtualFile",
    "apply_mapping",
    "guess_mapping",
    "is_url",
    "parse_group_url",
    "read_fileset",
    "read_path",
    "read_sources",
    "remap",
]
