"""Start-up: argv → command line or window; data paths; logging; the database.

Nothing heavy is imported at module level so that ``groupdesk --version`` and the CLI stay quick,
and the window's start-up is not slowed by code it does not need.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from groupdesk import APP_NAME

log = logging.getLogger("groupdesk")

DATA_DIR_ENV = "GROUPDESK_DATA_DIR"


def default_data_dir() -> Path:
    """The platform's per-user app-data folder for GroupDesk."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False, roaming=True))


def resolve_data_dir(option: str | os.PathLike[str] | None) -> Path:
    """``--data-dir`` wins, then ``$GROUPDESK_DATA_DIR``, then the platform default."""
    if option:
        return Path(option).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    return default_data_dir()


def db_path(data_dir: Path) -> Path:
    """The SQLite file inside a data folder."""
    from groupdesk.store.db import DB_FILENAME

    return data_dir / DB_FILENAME


def setup_logging(data_dir: Path | None, *, verbose: bool = False) -> None:
    """Log warnings to stderr and everything from INFO up to ``<data dir>/groupdesk.log``."""
    root = logging.getLogger("groupdesk")
    if root.handlers:
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    err = logging.StreamHandler()
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    err.setFormatter(logging.Formatter("groupdesk: %(levelname)s: %(message)s"))
    root.addHandler(err)
    if data_dir is not None:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            fh = logging.FileHandler(data_dir / "groupdesk.log", encoding="utf-8")
            fh.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            root.addHandler(fh)
        except OSError:
            pass


def open_store(data_dir: Path):
    """Initialise the database in ``data_dir`` (create or migrate)."""
    from groupdesk.store.db import init_db

    return init_db(db_path(data_dir))


def pause_gc() -> None:
    """Turn the cyclic garbage collector off for start-up (``resume_gc`` turns it back on).

    Start-up creates tens of thousands of long-lived objects (modules, classes, Qt's enums) that
    the collector would otherwise walk again and again while they are created.
    """
    import gc

    gc.disable()


def resume_gc() -> None:
    """After start-up: keep what start-up made out of future collections and collect again.

    A no-op unless ``pause_gc`` turned collection off.
    """
    import gc

    if not gc.isenabled():
        gc.freeze()  # modules, classes and the like stay for good: no need to walk them again
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``groupdesk`` command and of ``python main.py``."""
    pause_gc()
    try:
        from groupdesk import cli

        args = list(sys.argv[1:] if argv is None else argv)
        return cli.run(args)
    finally:
        resume_gc()


def gui_main() -> int:
    """Entry point of the ``groupdesk-gui`` launcher script (no console on Windows).

    Launchers pass the files to open (``Exec=groupdesk-gui %F``): anything that is not already a
    ``gui`` invocation opens the window with those files.
    """
    args = sys.argv[1:]
    if "gui" not in args:
        options = [a for a in args if a.startswith("-")]
        files = [a for a in args if not a.startswith("-")]
        args = [*options, "gui", *files]
    return main(args)
