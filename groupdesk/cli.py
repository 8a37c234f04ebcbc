"""The command line: ``groupdesk [--data-dir DIR] [COMMAND ...]`` (see DESIGN.md, "Command line").

Exit codes: 0 success, 2 bad input (one clear line on stderr, nothing written), 1 unexpected fault.
Commands use the same store and domain functions as the window.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from groupdesk import __version__
from groupdesk.errors import UserError

if TYPE_CHECKING:
    import argparse

EXIT_OK, EXIT_FAULT, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        """ArgumentParser whose usage errors exit with 2 and one line (argparse's default is 2 too)."""

        def error(self, message: str) -> None:  # type: ignore[override]
            self.exit(EXIT_BAD_INPUT, f"groupdesk: {message}\n")

    p = _Parser(prog="groupdesk", description="Take charge of the groups you belong to.")
    p.add_argument("--version", action="version", version=f"GroupDesk {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="data folder (default: the platform's app-data folder)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more")
    p.add_argument(
        "--install-desktop",
        action="store_true",
        help="add GroupDesk to your launcher (Linux)",
    )
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    g = sub.add_parser("gui", help="open the window (the default)")
    g.add_argument("--screenshot", metavar="FILE", help="save a PNG of the window once painted, then exit")
    g.add_argument("files", nargs="*", help="files to import (shown in the import preview)")

    for register in COMMANDS:
        register(sub)
    return p


#: Functions that add a sub-command to the parser; each sets ``func`` via ``set_defaults``.
COMMANDS: list[Callable[[argparse._SubParsersAction], None]] = []


def command(register: Callable[[argparse._SubParsersAction], None]) -> Callable:
    """Decorator: register a sub-command."""
    COMMANDS.append(register)
    return register


def _run_gui(args: argparse.Namespace | SimpleNamespace, data_dir: Path) -> int:
    # The Qt-free modules the window needs come first: once PySide6 is imported, its import hook
    # reads the source of every module imported after it (looking for ``__feature__`` use).
    import groupdesk.store.migrations
    import groupdesk.store.repository  # noqa: F401
    from groupdesk.ui.application import run_gui

    shot = Path(args.screenshot) if getattr(args, "screenshot", None) else None
    # Files stay strings: they may be web addresses dragged onto the launcher (Path would mangle "//").
    return run_gui(data_dir, screenshot=shot, files=list(getattr(args, "files", [])))


#: Modules whose import registers sub-commands.
COMMAND_MODULES = (
    "groupdesk.cli_commands",
    "groupdesk.cli_plan",
    "groupdesk.cli_mail",
    "groupdesk.cli_probe",
    "groupdesk.cli_desktop",
)
#: Global options that take a value (so the word after them is not the command).
_VALUE_OPTIONS = ("--data-dir",)


def import_command_modules() -> None:
    """Import every module that registers sub-commands (once)."""
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name)


def _command_word(argv: Sequence[str]) -> str | None:
    """The sub-command named in ``argv`` (the first word that is not an option), or None."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in _VALUE_OPTIONS:
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def window_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """``argv`` of a plain window start, read without argparse; None for anything else.

    Opening the window is the common case, and importing argparse (whose messages gettext looks
    translations up for) is a few milliseconds of its start-up. Read here: ``--data-dir DIR`` (or
    ``--data-dir=DIR``), ``-v``/``--verbose``, then optionally ``gui`` with ``--screenshot FILE``
    (or ``--screenshot=FILE``). Anything else (files to open, help, abbreviations, mistakes) is
    left to argparse, which reads these the same way and everything else properly.
    """
    values = {"command": None, "data_dir": None, "verbose": False, "screenshot": None, "files": []}
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        option, eq, value = word.partition("=")
        name = {"--data-dir": "data_dir", "--screenshot": "screenshot"}.get(option)
        if name is not None and (name == "screenshot") == (values["command"] == "gui"):
            if not eq:
                if i + 1 == len(words):
                    return None
                i += 1
                value = words[i]
            if not value or value.startswith("-"):
                return None
            values[name] = value
        elif word in ("-v", "--verbose") and values["command"] is None:
            values["verbose"] = True
        elif word == "gui" and values["command"] is None:
            values["command"] = "gui"
        else:
            return None
        i += 1
    return SimpleNamespace(**values)


def run(argv: Sequence[str]) -> int:
    """Parse ``argv`` and run the command; return the exit code."""
    from groupdesk.app import resolve_data_dir, resume_gc, setup_logging

    args = window_args(argv)
    if args is None:
        if _command_word(argv) not in (None, "gui") or "-h" in argv or "--help" in argv:
            # Commands live in their own modules; importing registers them. Opening the window
            # does not need them, and skipping them keeps start-up quick.
            import_command_modules()
        args = build_parser().parse_args(list(argv))
    data_dir = resolve_data_dir(args.data_dir)
    setup_logging(data_dir, verbose=args.verbose)
    try:
        if getattr(args, "install_desktop", False):
            from groupdesk.cli_desktop import install

            return install()
        if args.command in (None, "gui"):
            return _run_gui(args, data_dir)  # collects garbage again once the window is built
        resume_gc()
        return int(args.func(args, data_dir) or 0)
    except UserError as exc:
        print(f"groupdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `groupdesk list | head`: the reader went away; that is not a fault. Silence the final flush.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        from groupdesk.store.migrations import SchemaTooNewError

        if isinstance(exc, SchemaTooNewError):
            print(f"groupdesk: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        import logging

        logging.getLogger("groupdesk").exception("Unexpected fault")
        print(f"groupdesk: unexpected fault: {exc}", file=sys.stderr)
        return EXIT_FAULT
