"""Desktop integration for the current user on Linux (freedesktop): launcher entry, icons, MIME type. Qt-free.

``install_desktop()`` copies into ``$XDG_DATA_HOME`` (default ``~/.local/share``):

* ``applications/<APP_ID>.desktop`` with ``Exec=`` pointing at this installation's ``groupdesk-gui``
  (absolute path, so it works from a virtualenv or a bundle that is not on ``PATH``);
* ``icons/hicolor/<n>x<n>/apps/<APP_ID>.png`` and ``icons/hicolor/scalable/apps/<APP_ID>.svg``;
* ``mime/packages/<APP_ID>.xml`` declaring ``application/x-groupdesk+json`` (``*.groupdesk.json``).

Then it refreshes the desktop's caches with ``update-mime-database``, ``update-desktop-database`` and
``gtk-update-icon-cache``, each only if installed (a missing tool or a failing one is logged, not fatal).
``uninstall_desktop()`` removes the same files and refreshes the caches again.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from groupdesk import resources
from groupdesk.errors import UserError

log = logging.getLogger("groupdesk.desktop_install")

GUI_LAUNCHER = "groupdesk-gui"
# Characters that force an Exec argument to be quoted (Desktop Entry spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_TOOL_TIMEOUT = 60


def data_home(prefix: str | os.PathLike[str] | None = None) -> Path:
    """Where per-user desktop data goes: ``prefix``, else ``$XDG_DATA_HOME``, else ``~/.local/share``."""
    if prefix is not None:
        return Path(prefix).expanduser()
    env = os.environ.get("XDG_DATA_HOME", "")
    if env and os.path.isabs(env):  # the spec says to ignore a relative value
        return Path(env)
    return Path.home() / ".local" / "share"


def default_launch_command() -> list[str]:
    """The command that opens GroupDesk's window; the launcher appends the files to open.

    A bundle's own ``groupdesk-gui`` executable, else the ``groupdesk-gui`` script installed beside this
    Python (virtualenv, ``pip --user``, system), else this Python running the checkout's ``main.py gui``
    (or ``-m groupdesk gui``).
    """
    exe = GUI_LAUNCHER + (".exe" if os.name == "nt" else "")
    if getattr(sys, "frozen", False):
        sibling = Path(sys.executable).with_name(exe)
        return [str(sibling)] if sibling.is_file() else [str(Path(sys.executable)), "gui"]
    dirs = [Path(sys.executable).parent]
    for scheme in (None, f"{os.name}_user"):
        try:
            scripts = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        if scripts:
            dirs.append(Path(scripts))
    for d in dirs:
        if (d / exe).is_file() and os.access(d / exe, os.X_OK):
            return [str(d / exe)]
    on_path = shutil.which(GUI_LAUNCHER)
    if on_path:
        return [str(Path(on_path).resolve())]
    checkout_main = Path(__file__).resolve().parent.parent / "main.py"
    if checkout_main.is_file():  # a source checkout that was never pip-installed
        return [str(Path(sys.executable)), str(checkout_main), "gui"]
    return [str(Path(sys.executable)), "-m", "groupdesk", "gui"]


def exec_arg(arg: str) -> str:
    """Quote one argument for a ``.desktop`` file's ``Exec=`` value (both escaping levels of the spec)."""
    text = arg.replace("%", "%%")
    if not text or any(c in _RESERVED for c in text):
        text = '"' + re.sub(r'(["`$\\])', r"\\\1", text) + '"'
    return text.replace("\\", "\\\\")


def _string_value(text: str) -> str:
    """Escape a value of type string for a ``.desktop`` file."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def desktop_entry_text(command: Sequence[str]) -> str:
    """The shipped ``.desktop`` entry with ``Exec=``/``TryExec=`` set to ``command`` (files appended)."""
    if not command:
        raise ValueError("empty launch command")
    exec_value = " ".join(exec_arg(a) for a in command) + " %F"
    out = []
    for line in resources.desktop_file().read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_value}"
        elif line.startswith("TryExec="):
            line = f"TryExec={_string_value(command[0])}"
        out.append(line)
    return "\n".join(out) + "\n"


def _targets(home: Path) -> list[tuple[Path | None, Path]]:
    """(source file or None for the generated entry, destination) for everything installed."""
    targets: list[tuple[Path | None, Path]] = [(None, home / "applications" / resources.DESKTOP_FILENAME)]
    for src, rel in resources.icon_theme_files():
        targets.append((src, home / "icons" / rel))
    targets.append((resources.mime_file(), home / "mime" / "packages" / resources.MIME_FILENAME))
    return targets


def _check_platform() -> None:
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        raise UserError("desktop integration is for Linux and other freedesktop systems only")


def _refresh_caches(home: Path) -> list[str]:
    """Run the cache tools that are installed; return the names of those that succeeded."""
    jobs = [
        ("update-mime-database", [str(home / "mime")]),
        ("update-desktop-database", ["-q", str(home / "applications")]),
        # -t: a per-user hicolor folder has no index.theme; -f: rebuild even if the cache looks fresh.
        ("gtk-update-icon-cache", ["-q", "-t", "-f", str(home / "icons" / "hicolor")]),
    ]
    done = []
    for tool, args in jobs:
        exe = shutil.which(tool)
        if exe is None:
            log.info("%s not installed; skipped", tool)
            continue
        if not Path(args[-1]).is_dir():
            continue
        try:
            proc = subprocess.run(
                [exe, *args], capture_output=True, text=True, timeout=_TOOL_TIMEOUT, check=False
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("%s failed: %s", tool, exc)
            continue
        if proc.returncode != 0:
            log.warning("%s exited %s: %s", tool, proc.returncode, proc.stderr.strip())
            continue
        done.append(tool)
    return done


def install_desktop(
    prefix: str | os.PathLike[str] | None = None,
    *,
    command: Sequence[str] | None = None,
    refresh: bool = True,
) -> list[Path]:
    """Install the launcher entry, icons and MIME type for the current user.

    Args:
        prefix: data folder to install into (default ``$XDG_DATA_HOME`` or ``~/.local/share``).
        command: the launch command (default :func:`default_launch_command`); ``%F`` is appended.
        refresh: run the desktop cache tools that are installed.

    Returns:
        The files written, entry first.

    Raises:
        UserError: not a freedesktop platform, or a file cannot be written.
    """
    _check_platform()
    home = data_home(prefix)
    entry = desktop_entry_text(list(command) if command is not None else default_launch_command())
    written = []
    try:
        for src, dest in _targets(home):
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(dest.name + ".tmp")
            if src is None:
                tmp.write_text(entry, encoding="utf-8")
            else:
                shutil.copyfile(src, tmp)
            tmp.chmod(0o644)
            os.replace(tmp, dest)
            written.append(dest)
    except OSError as exc:
        raise UserError(f"cannot install the desktop entry into {home}: {exc}") from exc
    if refresh:
        _refresh_caches(home)
    log.info("desktop integration installed in %s (%d files)", home, len(written))
    return written


def uninstall_desktop(prefix: str | os.PathLike[str] | None = None, *, refresh: bool = True) -> list[Path]:
    """Remove what :func:`install_desktop` installed; return the files removed (missing ones are skipped).

    Raises:
        UserError: not a freedesktop platform, or a file cannot be removed.
    """
    _check_platform()
    home = data_home(prefix)
    removed = []
    try:
        for _src, dest in _targets(home):
            if dest.is_file() or dest.is_symlink():
                dest.unlink()
                removed.append(dest)
    except OSError as exc:
        raise UserError(f"cannot remove the desktop entry from {home}: {exc}") from exc
    if refresh and removed:
        _refresh_caches(home)
    return removed
