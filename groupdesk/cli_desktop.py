"""``groupdesk install-desktop`` and ``groupdesk uninstall-desktop``: GroupDesk in this user's launcher.

``install-desktop`` (also ``groupdesk --install-desktop``) copies the launcher entry, the icons and
the MIME type of GroupDesk's exports into ``$XDG_DATA_HOME`` (``~/.local/share``) and prints each
file written; ``uninstall-desktop`` removes them. Linux and other freedesktop systems only: elsewhere
it is bad input (exit 2). The work is :mod:`groupdesk.desktop_install`'s.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TextIO

from groupdesk.cli import command


@command
def _register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "install-desktop",
        help="add GroupDesk to this user's launcher menu and let it open its export files (Linux)",
    )
    p.set_defaults(func=_cmd_install)
    p = sub.add_parser("uninstall-desktop", help="remove what install-desktop added")
    p.set_defaults(func=_cmd_uninstall)


def install(out: TextIO | None = None) -> int:
    """Install the desktop integration for the current user and print what was written.

    Also what ``groupdesk --install-desktop`` runs.

    Raises:
        UserError: not a freedesktop system, or a file cannot be written.
    """
    from groupdesk.desktop_install import data_home, default_launch_command, install_desktop

    out = out or sys.stdout
    command = default_launch_command()
    written = install_desktop(command=command)
    print(f"GroupDesk is in your launcher menu now. Files written in {data_home()}:", file=out)
    for path in written:
        print(f"  {path}", file=out)
    print(f"The launcher starts: {shlex.join(command)}", file=out)
    return 0


def uninstall(out: TextIO | None = None) -> int:
    """Remove the desktop integration and print what was removed.

    Raises:
        UserError: not a freedesktop system, or a file cannot be removed.
    """
    from groupdesk.desktop_install import data_home, uninstall_desktop

    out = out or sys.stdout
    removed = uninstall_desktop()
    if not removed:
        print(f"Nothing to remove: GroupDesk's launcher entry is not in {data_home()}.", file=out)
        return 0
    print("Removed:", file=out)
    for path in removed:
        print(f"  {path}", file=out)
    return 0


def _cmd_install(args: argparse.Namespace, data_dir: Path) -> int:
    return install()


def _cmd_uninstall(args: argparse.Namespace, data_dir: Path) -> int:
    return uninstall()
