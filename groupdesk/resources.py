"""Locate GroupDesk's resource files (icons, desktop entry, AppStream metainfo, MIME type). Qt-free.

The files live in the repository's top-level ``resources/`` folder. Where that folder is depends on how
GroupDesk runs:

* installed wheel (``pip install .``): copied into the package as ``groupdesk/_resources/``;
* PyInstaller bundle: collected as ``groupdesk/_resources/`` under the bundle's ``sys._MEIPASS``;
* source checkout or editable install (``pip install -e .``): ``<checkout>/resources/``.

``GROUPDESK_RESOURCES_DIR`` overrides the search (for tests and distribution packagers).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from groupdesk import APP_ID

#: Environment variable naming a resources folder to use instead of the search.
RESOURCES_ENV = "GROUPDESK_RESOURCES_DIR"
#: Pixel sizes of the rendered PNG application icons.
ICON_SIZES: tuple[int, ...] = (16, 32, 48, 64, 128, 256)
#: MIME type of GroupDesk's own JSON export files, and their file name ending.
EXPORT_MIME_TYPE = "application/x-groupdesk+json"
EXPORT_SUFFIX = ".groupdesk.json"

DESKTOP_FILENAME = f"{APP_ID}.desktop"
METAINFO_FILENAME = f"{APP_ID}.metainfo.xml"
MIME_FILENAME = f"{APP_ID}.xml"
# A file every real resources folder has; guards against picking up an unrelated "resources" folder.
_MARKER = DESKTOP_FILENAME


class ResourceNotFoundError(FileNotFoundError):
    """A resource file (or the whole resources folder) is missing: a broken install or bundle."""


def _candidates() -> list[Path]:
    package = Path(__file__).resolve().parent
    found: list[Path] = []
    env = os.environ.get(RESOURCES_ENV)
    if env:
        return [Path(env).expanduser()]
    meipass = getattr(sys, "_MEIPASS", None)
    if meipass:
        found.append(Path(meipass) / "groupdesk" / "_resources")
    found.append(package / "_resources")
    found.append(package.parent / "resources")
    return found


def resources_dir() -> Path:
    """The folder holding GroupDesk's resources.

    Raises:
        ResourceNotFoundError: no candidate folder holds the resources.
    """
    candidates = _candidates()
    for folder in candidates:
        if (folder / _MARKER).is_file():
            return folder
    tried = ", ".join(str(c) for c in candidates)
    raise ResourceNotFoundError(f"GroupDesk's resource files are missing (looked in {tried})")


def resource_path(*parts: str) -> Path:
    """The path of one resource file, e.g. ``resource_path("screenshots", "main-window.png")``.

    Raises:
        ResourceNotFoundError: the file does not exist.
    """
    path = resources_dir().joinpath(*parts)
    if not path.exists():
        raise ResourceNotFoundError(f"GroupDesk resource missing: {path}")
    return path


def icon_svg() -> Path:
    """The scalable application icon (SVG)."""
    return resource_path("icons", "hicolor", "scalable", "apps", f"{APP_ID}.svg")


def icon_png(size: int) -> Path:
    """The application icon rendered at ``size`` pixels (one of :data:`ICON_SIZES`)."""
    if size not in ICON_SIZES:
        raise ValueError(f"no {size}px icon; sizes are {ICON_SIZES}")
    return resource_path("icons", "hicolor", f"{size}x{size}", "apps", f"{APP_ID}.png")


def icon_pngs() -> dict[int, Path]:
    """Every rendered PNG application icon by pixel size (for building a multi-size ``QIcon``)."""
    return {size: icon_png(size) for size in ICON_SIZES}


def icon_theme_files() -> list[tuple[Path, str]]:
    """Each icon file with its path relative to an ``icons/`` folder (``hicolor/48x48/apps/…``)."""
    root = resources_dir() / "icons"
    files = [icon_svg(), *icon_pngs().values()]
    return [(f, f.relative_to(root).as_posix()) for f in files]


def desktop_file() -> Path:
    """The freedesktop ``.desktop`` entry."""
    return resource_path(DESKTOP_FILENAME)


def metainfo_file() -> Path:
    """The AppStream metainfo file."""
    return resource_path(METAINFO_FILENAME)


def mime_file() -> Path:
    """The shared-mime-info package declaring :data:`EXPORT_MIME_TYPE`."""
    return resource_path("mime", MIME_FILENAME)
