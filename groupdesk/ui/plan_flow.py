"""The window's plan and export actions: print preview, print, plan as PDF/HTML/CSV, groups export.

The plan covers the groups the table shows (with its filters), so a filtered view prints a
focused plan; the header says which filters were used.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from groupdesk.domain.vocab import NETWORKS, STATUSES
from groupdesk.fileutil import write_atomic

if TYPE_CHECKING:
    from groupdesk.domain.plan import Plan
    from groupdesk.ui.main_window import MainWindow

SETTINGS_PLAN_TITLE = "plan/title"
SETTINGS_PLAN_PAGE = "plan/page_size"
SETTINGS_LAST_FOLDER = "plan/last_folder"
DEFAULT_TITLE = "My group clean-up plan"

#: Asks for a file to save: (parent, caption, suggested path, filter) → chosen path or None.
SavePathChooser = Callable[[object, str, str, str], str | None]


def ask_save_path(parent: object, caption: str, suggested: str, file_filter: str) -> str | None:
    """The platform's Save dialog; None when cancelled."""
    from PySide6.QtWidgets import QFileDialog  # dialogs load when used, not at start-up

    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, file_filter)  # type: ignore[arg-type]
    return path or None


class PlanFlow(QObject):
    """Owns the plan and export actions of one main window."""

    def __init__(self, window: MainWindow, choose_path: SavePathChooser = ask_save_path) -> None:
        super().__init__(window)
        self.window = window
        self.choose_path = choose_path

        def act(text: str, slot: Callable[[], object], shortcut: str | None, tip: str) -> QAction:
            a = QAction(text, window)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            a.setToolTip(tip)
            a.setStatusTip(tip)
            a.triggered.connect(lambda _checked=False: slot())
            window.addAction(a)
            return a

        self.action_preview = act(
            self.tr("Print pre&view…"),
            self.preview,
            "Ctrl+Shift+P",
            self.tr("See the clean-up plan for the groups shown, page by page"),
        )
        self.action_print = act(
            self.tr("&Print plan…"), self.print_plan, QKeySequence(QKeySequence.StandardKey.Print).toString(),
            self.tr("Print the clean-up plan for the groups shown (Ctrl+P)"),
        )  # fmt: skip
        self.action_pdf = act(
            self.tr("Export plan as P&DF…"), lambda: self.export("pdf"), None,
            self.tr("Save the clean-up plan as a PDF file"),
        )  # fmt: skip
        self.action_html = act(
            self.tr("Export plan as &HTML…"), lambda: self.export("html"), None,
            self.tr("Save the clean-up plan as a web page"),
        )  # fmt: skip
        self.action_csv = act(
            self.tr("Export plan as &CSV…"), lambda: self.export("csv"), None,
            self.tr("Save the clean-up plan as a spreadsheet (one row per group)"),
        )  # fmt: skip
        self.action_title = act(
            self.tr("Plan &title…"), self.ask_title, None, self.tr("The title printed at the top of the plan")
        )
        self.action_export_groups = act(
            self.tr("&Export groups…"), self.export_groups, "Ctrl+Shift+E",
            self.tr("Save every group with its journal as a GroupDesk file (JSON or CSV) to back up or move"),
        )  # fmt: skip

    # ------------------------------------------------------------ the plan

    def title(self) -> str:
        """The plan title the person chose (or the default)."""
        value = self.window.settings.value(SETTINGS_PLAN_TITLE)
        return str(value) if value else self.tr(DEFAULT_TITLE)

    def page_size(self) -> str:
        """A4 or Letter (remembered; A4 by default)."""
        value = str(self.window.settings.value(SETTINGS_PLAN_PAGE) or "A4")
        return value if value in ("A4", "Letter") else "A4"

    def ask_title(self) -> bool:
        """Ask for the plan's title."""
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        text, ok = QInputDialog.getText(
            self.window, self.tr("Plan title"), self.tr("Title printed on the plan:"),
            QLineEdit.EchoMode.Normal, self.title(),
        )  # fmt: skip
        if ok and text.strip():
            self.window.settings.setValue(SETTINGS_PLAN_TITLE, text.strip())
            return True
        return False

    def filters_description(self) -> str:
        """The table's filters in words ("All groups" without any)."""
        text, network, status, flag = self.window.model.current_filter()
        parts = []
        if text:
            parts.append(self.tr("search “%1”").replace("%1", text))
        if network:
            parts.append(self.tr("network: %1").replace("%1", NETWORKS.get(network, network)))
        if status:
            parts.append(self.tr("status: %1").replace("%1", STATUSES.get(status, status)))
        if flag:
            parts.append(self.tr("flag: %1").replace("%1", self.tr("any") if flag == "*" else flag))
        return "; ".join(parts) if parts else self.tr("All groups")

    def build(self, today: date | None = None) -> Plan:
        """The plan for the groups the table shows."""
        from groupdesk.domain.plan import build_plan
        from groupdesk.store.plan_data import plan_items

        w = self.window
        ids = [r.id for r in w.model.visible_rows()] if w.model.is_filtered() else None
        return build_plan(plan_items(today or w.today(), ids=ids), today or w.today(), self.title(),
                          self.filters_description())  # fmt: skip

    def preview(self) -> int:
        """Print preview of the plan; returns the page count."""
        from groupdesk.ui import plan_print

        return plan_print.print_preview(self.build(), self.window, self.page_size())

    def print_plan(self) -> bool:
        """Print the plan (the platform's print dialog first)."""
        from groupdesk.ui import plan_print

        return plan_print.print_plan(self.build(), self.window, self.page_size())

    def _suggested(self, suffix: str) -> str:
        folder = self.window.settings.value(SETTINGS_LAST_FOLDER) or str(Path.home())
        return str(Path(str(folder)) / f"groupdesk-plan-{self.window.today().isoformat()}.{suffix}")

    def export(self, kind: str) -> Path | None:
        """Save the plan as ``kind`` (pdf, html or csv) where the person chooses."""
        from groupdesk.ui import plan_print

        filters = {"pdf": "PDF (*.pdf)", "html": "HTML (*.html *.htm)", "csv": "CSV (*.csv)"}
        chosen = self.choose_path(self.window, self.tr("Export plan"), self._suggested(kind), filters[kind])
        if not chosen:
            return None
        path = Path(chosen)
        if not path.suffix:
            path = path.with_suffix("." + kind)
        try:
            plan = self.build()
            if kind == "pdf":
                plan_print.export_pdf(plan, path, self.page_size())
            elif kind == "html":
                plan_print.export_html(plan, path)
            else:
                plan_print.export_csv(plan, path)
        except (OSError, ValueError) as exc:
            self._error(self.tr("The plan could not be saved"), f"{path}: {exc}")
            return None
        self.window.settings.setValue(SETTINGS_LAST_FOLDER, str(path.parent))
        self.window.statusBar().showMessage(self.tr("Saved the plan to %1").replace("%1", str(path)), 8000)
        return path

    # ------------------------------------------------------------ groups export

    def export_groups(self) -> Path | None:
        """Save every group (with contributions, decisions, invites) as GroupDesk JSON or CSV."""
        from groupdesk.importers import native
        from groupdesk.store.merge import export_records

        folder = self.window.settings.value(SETTINGS_LAST_FOLDER) or str(Path.home())
        suggested = str(Path(str(folder)) / f"groups-{self.window.today().isoformat()}.groupdesk.json")
        chosen = self.choose_path(
            self.window, self.tr("Export groups"), suggested,
            self.tr("GroupDesk JSON (*.groupdesk.json *.json);;CSV (*.csv)"),
        )  # fmt: skip
        if not chosen:
            return None
        path = Path(chosen)
        if path.suffix.lower() not in (".json", ".csv"):
            path = path.with_name(path.name + ".groupdesk.json")
        records = export_records()
        data = native.write_csv(records) if path.suffix.lower() == ".csv" else native.write_json(records)
        try:
            write_atomic(path, data)
        except OSError as exc:
            self._error(self.tr("The groups could not be saved"), f"{path}: {exc.strerror or exc}")
            return None
        self.window.settings.setValue(SETTINGS_LAST_FOLDER, str(path.parent))
        self.window.statusBar().showMessage(
            self.tr("Saved %1 groups to %2").replace("%1", str(len(records))).replace("%2", str(path)), 8000
        )
        return path

    def _error(self, title: str, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self.window
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.window.run_dialog(box)
        box.deleteLater()
