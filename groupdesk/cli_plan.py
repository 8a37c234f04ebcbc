"""``groupdesk plan``: the clean-up plan as text, or written to PDF, HTML and CSV files.

``groupdesk plan [--pdf FILE] [--html FILE] [--csv FILE] [--title T] [--page-size A4|Letter]``.
Without an output file the plan is printed as text. The PDF goes through the same renderer as the
window's File → Export PDF, so it needs a ``QGuiApplication``: one is made (offscreen) only when
``--pdf`` is given.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from groupdesk.cli import command
from groupdesk.errors import UserError
from groupdesk.fileutil import write_atomic

DEFAULT_TITLE = "My group clean-up plan"


def _page_size(text: str) -> str:
    for name in ("A4", "Letter"):
        if text.casefold() == name.casefold():
            return name
    raise argparse.ArgumentTypeError(f"invalid page size {text!r} (choose A4 or Letter)")


@command
def _register_plan(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plan", help="the clean-up plan: printed as text, or written to PDF, HTML, CSV")
    p.add_argument("--pdf", metavar="FILE", help="write the plan as a PDF")
    p.add_argument("--html", metavar="FILE", help="write the plan as an HTML page")
    p.add_argument("--csv", metavar="FILE", help="write the plan as CSV, one row per group")
    p.add_argument("--title", default=DEFAULT_TITLE, help=f'title on every page (default "{DEFAULT_TITLE}")')
    p.add_argument(
        "--page-size", type=_page_size, default="A4", metavar="A4|Letter", help="PDF page size (default A4)"
    )
    p.set_defaults(func=_cmd_plan)


def _check_outputs(args: argparse.Namespace) -> list[tuple[str, Path]]:
    """The requested files, checked before anything is read or written."""
    outputs = [(kind, Path(name)) for kind in ("pdf", "html", "csv") if (name := getattr(args, kind))]
    seen: dict[Path, str] = {}
    for kind, path in outputs:
        if not str(path).strip():
            raise UserError(f"--{kind}: give a file name")
        if path.is_dir():
            raise UserError(f"{path}: is a folder, give a file name")
        if not path.parent.is_dir():
            raise UserError(f"{path}: the folder {path.parent} does not exist")
        key = path.resolve()
        if key in seen:
            raise UserError(f"{path}: given for both --{seen[key]} and --{kind}")
        seen[key] = kind
    if not args.title.strip():
        raise UserError("--title: the title may not be empty")
    return outputs


def _gui_app():
    """A QGuiApplication for rendering (offscreen unless a platform is chosen), kept by the caller."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(["groupdesk"])


def _cmd_plan(args: argparse.Namespace, data_dir: Path) -> int:
    outputs = _check_outputs(args)
    from groupdesk.app import open_store
    from groupdesk.domain.plan import build_plan, plan_to_csv, plan_to_html, plan_to_text
    from groupdesk.store.plan_data import plan_items

    open_store(data_dir)
    today = date.today()
    plan = build_plan(plan_items(today), today, args.title.strip(), "All groups")
    if not outputs:
        sys.stdout.write(plan_to_text(plan))
        return 0
    groups = f"{plan.group_count} group{'s' * (plan.group_count != 1)}"
    for kind, path in outputs:
        try:
            if kind == "pdf":
                app = _gui_app()  # noqa: F841 (must live while rendering)
                from groupdesk.ui.plan_print import export_pdf

                pages = export_pdf(plan, path, args.page_size)
                print(f"Wrote the plan ({groups}, {pages} page{'s' * (pages != 1)}) to {path}")
                continue
            text = plan_to_html(plan) if kind == "html" else plan_to_csv(plan)
            data = text.encode("utf-8-sig" if kind == "csv" else "utf-8")
            write_atomic(path, data)
        except OSError as exc:
            raise UserError(f"{path}: cannot write: {exc.strerror or exc}") from None
        print(f"Wrote the plan ({groups}) to {path}")
    return 0
