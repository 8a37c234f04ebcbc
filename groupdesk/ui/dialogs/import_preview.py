"""The import preview: per export found, its format and what importing it would do, before any write.

The left list holds one entry per export found in what was dropped (a zip can hold several), with its
counts; the right side shows the selected export: format and files, notes from the reader, the column
mapping of a spreadsheet (editable: each column can be read as another field, or not at all), and a
table of every group it holds: new, updated (which fields, from what to what), unchanged, or skipped
with the reason. Sources that could not be read are named at the top with the problem; they are not
imported. Accepting the dialog ("Import") is the caller's cue to apply ``sources()`` with ``plans``;
the dialog itself writes nothing (it plans through ``store.batches.plan_sources``).

Every name, file name and value comes from untrusted files: all of it is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.vocab import NETWORKS, STATUSES
from groupdesk.importers import ImportProblem, ImportResult, Skipped, remap
from groupdesk.importers.generic import FIELD_HINTS
from groupdesk.store import batches
from groupdesk.store.merge import NEW, SKIPPED, UNCHANGED, UPDATED, ImportPlan, PlanItem
from groupdesk.ui.text import plain_tooltip

#: How many sample values of a spreadsheet column the mapping shows.
SAMPLE_ROWS = 3

_ACTION_ORDER = (NEW, UPDATED, UNCHANGED, SKIPPED)


def _fmt(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def format_name(kind: str) -> str:
    """An export format (``ImportResult.kind``), in words: "Facebook export", "Spreadsheet"…"""

    def tr(text: str) -> str:
        return QCoreApplication.translate("ImportFormats", text)

    names = {
        "facebook": tr("Facebook export"),
        "linkedin": tr("LinkedIn export"),
        "discord": tr("Discord data package"),
        "reddit": tr("Reddit export"),
        "telegram": tr("Telegram export"),
        "csv": tr("Spreadsheet"),
        "text": tr("List of groups"),
        "url": tr("Web addresses"),
        "groupdesk-json": tr("GroupDesk export (JSON)"),
        "groupdesk-csv": tr("GroupDesk export (CSV)"),
    }
    return names.get(kind, kind)


def source_label(result: ImportResult) -> str:
    """How the import history names one export (the dropped path; the format too when it held several)."""
    return result.source if len(result.files) <= 1 else f"{result.source} ({result.kind})"


class PlanRowsModel(QAbstractTableModel):
    """The groups of one export and what importing each would do, optionally filtered by action."""

    COL_ACTION, COL_NAME, COL_NETWORK, COL_DETAILS = range(4)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, PlanItem | Skipped]] = []
        self._shown: list[int] = []
        self._filter: str | None = None
        self._headers = (self.tr("What"), self.tr("Group"), self.tr("Network"), self.tr("Details"))
        self._actions = {
            NEW: self.tr("New"),
            UPDATED: self.tr("Updated"),
            UNCHANGED: self.tr("Unchanged"),
            SKIPPED: self.tr("Skipped"),
        }

    def set_source(self, plan: ImportPlan | None, result: ImportResult | None) -> None:
        """Show the items of ``plan`` and the entries ``result`` skipped before planning."""
        self.beginResetModel()
        self._rows = []
        if plan is not None:
            self._rows = [(item.action, item) for item in plan.items]
        if result is not None:
            self._rows += [(SKIPPED, s) for s in result.skipped]
        self._apply_filter()
        self.endResetModel()

    def set_filter(self, action: str | None) -> None:
        """Show only rows of one action (None: all)."""
        self.beginResetModel()
        self._filter = action
        self._apply_filter()
        self.endResetModel()

    def _apply_filter(self) -> None:
        self._shown = [i for i, (a, _) in enumerate(self._rows) if self._filter is None or a == self._filter]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Rows shown."""
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """What, group, network, details."""
        return 0 if parent.isValid() else 4

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        return None

    def row_texts(self, row: int) -> tuple[str, str, str, str]:
        """The four cells of a shown row, as text."""
        action, entry = self._rows[self._shown[row]]
        if isinstance(entry, PlanItem):
            rec = entry.record
            network = NETWORKS.get(rec.network or "other", rec.network or "")
            return self._actions[action], rec.name, network, self.details(entry)
        return self._actions[SKIPPED], entry.name, "", entry.reason

    def details(self, item: PlanItem) -> str:
        """What an item changes, in words."""
        if item.action == SKIPPED:
            return item.reason
        parts = []
        if item.action == UPDATED:
            for name, (old, new) in item.changes.items():
                if name == "status":
                    old, new = STATUSES.get(old, old), STATUSES.get(new, new)
                parts.append(f"{name.replace('_', ' ')}: {_fmt(old)} → {_fmt(new)}")
        for rows, one, many in (
            (item.contributions, self.tr("1 contribution"), self.tr("%1 contributions")),
            (item.decisions, self.tr("1 decision"), self.tr("%1 decisions")),
            (item.invites, self.tr("1 invitation"), self.tr("%1 invitations")),
        ):
            if rows:
                parts.append(one if len(rows) == 1 else many.replace("%1", f"{len(rows):,}"))
        if item.action == NEW and item.record.status:
            parts.insert(0, STATUSES.get(item.record.status, item.record.status))
        return "; ".join(parts)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        """Cell text (plain: views never interpret it as markup); tooltips escaped."""
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.row_texts(index.row())[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() in (self.COL_NAME, self.COL_DETAILS):
            text = self.row_texts(index.row())[index.column()]
            return plain_tooltip(text) if text else None
        return None


class ImportPreviewDialog(QDialog):
    """What an import would do, per export found; "Import" accepts (see the module docstring).

    Args:
        results: the exports read (``ImportResult`` with ``ok``); those with a problem may be passed too.
        parent: the window.
    """

    def __init__(self, results: Sequence[ImportResult], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import preview"))
        self.setModal(True)
        self.results = [r for r in results if r.ok]
        self.problems = [r for r in results if not r.ok]
        self.plans: list[ImportPlan] = []
        self._mapping_error = ""
        self._current = -1
        self.mapping_combos: dict[str, QComboBox] = {}

        self.summary_label = QLabel(self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        font = self.summary_label.font()
        font.setBold(True)
        self.summary_label.setFont(font)

        self.problem_label = QLabel(self)
        self.problem_label.setTextFormat(Qt.TextFormat.PlainText)
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        palette = self.problem_label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#a4262c"))
        self.problem_label.setPalette(palette)
        if self.problems:
            lines = [self.tr("Not imported (nothing is read from these):")]
            lines += [f"• {self.problem_text(p)}" for p in self.problems]
            self.problem_label.setText("\n".join(lines))
        self.problem_label.setVisible(bool(self.problems))

        self.source_list = QListWidget(self)
        self.source_list.setObjectName("import_sources")
        self.source_list.setWordWrap(True)
        self.source_list.setSpacing(3)
        self.source_list.setMinimumWidth(220)
        self.source_list.currentRowChanged.connect(self.select_source)

        self.format_label = QLabel(self)
        self.format_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.format_label.font()
        font.setBold(True)
        self.format_label.setFont(font)
        self.files_label = QLabel(self)
        self.files_label.setTextFormat(Qt.TextFormat.PlainText)
        self.files_label.setWordWrap(True)
        self.files_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counts_label = QLabel(self)
        self.counts_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes_label = QLabel(self)
        self.notes_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notes_label.setWordWrap(True)

        self.mapping_box = QGroupBox(self.tr("Columns of the spreadsheet"), self)
        self.mapping_box.setToolTip(
            self.tr("Choose what each column holds; columns set to “not imported” are left out.")
        )
        self.mapping_grid = QGridLayout()
        inner = QWidget()
        inner.setLayout(self.mapping_grid)
        self.mapping_scroll = QScrollArea(self.mapping_box)
        self.mapping_scroll.setWidget(inner)
        self.mapping_scroll.setWidgetResizable(True)
        self.mapping_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.mapping_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mapping_error_label = QLabel(self.mapping_box)
        self.mapping_error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.mapping_error_label.setWordWrap(True)
        self.mapping_error_label.setPalette(palette)
        box_layout = QVBoxLayout(self.mapping_box)
        box_layout.addWidget(self.mapping_scroll)
        box_layout.addWidget(self.mapping_error_label)

        self.filter_combo = QComboBox(self)
        self.filter_combo.addItem(self.tr("All groups"), None)
        for action, text in (
            (NEW, self.tr("New")),
            (UPDATED, self.tr("Updated")),
            (UNCHANGED, self.tr("Unchanged")),
            (SKIPPED, self.tr("Skipped")),
        ):
            self.filter_combo.addItem(text, action)
        self.filter_combo.setToolTip(
            self.tr("Show only the groups that would be new, updated, unchanged or skipped")
        )
        self.filter_combo.currentIndexChanged.connect(
            lambda _i: self.model.set_filter(self.filter_combo.currentData())
        )

        self.model = PlanRowsModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("import_preview_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.resizeSection(PlanRowsModel.COL_ACTION, 90)
        header.resizeSection(PlanRowsModel.COL_NAME, 260)
        header.resizeSection(PlanRowsModel.COL_NETWORK, 100)

        detail = QWidget(self)
        right = QVBoxLayout(detail)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.format_label)
        right.addWidget(self.files_label)
        right.addWidget(self.counts_label)
        right.addWidget(self.notes_label)
        right.addWidget(self.mapping_box)
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel(self.tr("Show:"), self))
        filter_row.addWidget(self.filter_combo)
        filter_row.addStretch(1)
        right.addLayout(filter_row)
        right.addWidget(self.table, 1)

        splitter = QSplitter(self)
        splitter.addWidget(self.source_list)
        splitter.addWidget(detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([240, 700])
        splitter.setChildrenCollapsible(False)

        self.buttons = QDialogButtonBox(self)
        self.import_button: QPushButton = self.buttons.addButton(
            self.tr("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setDefault(True)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.problem_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.resize(980, 640)

        self._replan()
        for _ in self.results:
            QListWidgetItem(self.source_list)
        self._refresh_texts()
        self.source_list.setVisible(len(self.results) > 1)
        if self.results:
            self.source_list.setCurrentRow(0)
        else:
            self.select_source(-1)

    @staticmethod
    def problem_text(result: ImportResult) -> str:
        """The one line saying which file could not be read and why."""
        if result.problem is not None:
            return str(result.problem)
        return result.messages[0] if result.messages else result.source

    # ------------------------------------------------------------ planning

    def _replan(self) -> None:
        self.plans = batches.plan_sources([r.records for r in self.results])

    def counts(self, index: int) -> dict[str, int]:
        """New/updated/unchanged/skipped of one export (entries the reader skipped count as skipped)."""
        counts = self.plans[index].counts()
        counts[SKIPPED] += len(self.results[index].skipped)
        return counts

    def total_counts(self) -> dict[str, int]:
        """The counts of every export together."""
        total = dict.fromkeys(_ACTION_ORDER, 0)
        for i in range(len(self.results)):
            for k, v in self.counts(i).items():
                total[k] += v
        return total

    @property
    def changes_anything(self) -> bool:
        """Whether importing would write anything."""
        return any(p.changes_anything for p in self.plans)

    def sources(self) -> list[batches.Source]:
        """What to apply, in order (``batches.apply_sources(dialog.sources(), dialog.plans)``)."""
        return [
            batches.Source(r.records, source_label(r), r.kind, r.fingerprint, len(r.skipped))
            for r in self.results
        ]

    # ------------------------------------------------------------ texts

    def _counts_text(self, counts: dict[str, int]) -> str:
        return (
            self.tr("%1 new, %2 updated, %3 unchanged, %4 skipped")
            .replace("%1", f"{counts[NEW]:,}")
            .replace("%2", f"{counts[UPDATED]:,}")
            .replace("%3", f"{counts[UNCHANGED]:,}")
            .replace("%4", f"{counts[SKIPPED]:,}")
        )

    @staticmethod
    def format_name(kind: str) -> str:
        """The detected format, in words."""
        return format_name(kind)

    def _short_counts(self, counts: dict[str, int]) -> str:
        words = {
            NEW: self.tr("%1 new"),
            UPDATED: self.tr("%1 updated"),
            UNCHANGED: self.tr("%1 unchanged"),
            SKIPPED: self.tr("%1 skipped"),
        }
        parts = [words[a].replace("%1", f"{counts[a]:,}") for a in _ACTION_ORDER if counts[a]]
        return " · ".join(parts) if parts else self.tr("nothing")

    def _refresh_texts(self) -> None:
        n = len(self.results)
        if n == 0:
            self.summary_label.setText(self.tr("Nothing in what you dropped can be imported."))
        else:
            found = self.tr("1 export found") if n == 1 else self.tr("%1 exports found").replace("%1", str(n))
            text = f"{found}: {self._counts_text(self.total_counts())}."
            if not self.changes_anything:
                text += " " + self.tr("Everything is in GroupDesk already: importing changes nothing.")
            self.summary_label.setText(text)
        for i, result in enumerate(self.results):
            item = self.source_list.item(i)
            if item is not None:
                name = result.source.rstrip("/\\").rsplit("/", 1)[-1] or result.source
                item.setText(f"{self.format_name(result.kind)}\n{name}\n{self._short_counts(self.counts(i))}")
                item.setToolTip(plain_tooltip(result.source))
        self.import_button.setEnabled(self.changes_anything and not self._mapping_error)
        self.import_button.setToolTip(
            self.tr("Add and update the groups shown as new and updated, in one step you can undo")
            if self.changes_anything
            else self.tr("Nothing would change")
        )

    # ------------------------------------------------------------ one source

    def select_source(self, index: int) -> None:
        """Show the export at ``index`` of ``results`` on the right."""
        self._current = index
        if not 0 <= index < len(self.results):
            for label in (self.format_label, self.files_label, self.counts_label, self.notes_label):
                label.setText("")
            self.mapping_box.hide()
            self.model.set_source(None, None)
            return
        result = self.results[index]
        self.format_label.setText(self.format_name(result.kind))
        files = result.files or [result.source]
        shown = "\n".join(files[:6]) + (f"\n… (+{len(files) - 6})" if len(files) > 6 else "")
        self.files_label.setText(shown)
        self.counts_label.setText(self._counts_text(self.counts(index)))
        self.notes_label.setText("\n".join(result.messages))
        self.notes_label.setVisible(bool(result.messages))
        self._build_mapping(result)
        self.model.set_source(self.plans[index], result)

    def _build_mapping(self, result: ImportResult) -> None:
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.mapping_combos = {}
        if result.table is None:
            self.mapping_box.hide()
            return
        header, rows = result.table
        mapping = result.mapping or {}
        by_column = {column: field for field, column in mapping.items()}
        for col, column in enumerate(header):
            name = QLabel(column, self)
            name.setTextFormat(Qt.TextFormat.PlainText)
            samples = [r[col].strip() for r in rows if col < len(r) and r[col].strip()][:SAMPLE_ROWS]
            sample = QLabel(", ".join(s[:40] for s in samples), self)
            sample.setTextFormat(Qt.TextFormat.PlainText)
            sample.setEnabled(False)
            sample.setMinimumWidth(1)  # long samples are cut at the edge, never widen the dialog
            sample.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            combo = QComboBox(self)
            combo.addItem(self.tr("not imported"), None)
            for field in FIELD_HINTS:
                combo.addItem(self.field_name(field), field)
            combo.setCurrentIndex(max(0, combo.findData(by_column.get(column))))
            combo.setToolTip(self.tr("What the column “%1” holds").replace("%1", column))
            combo.currentIndexChanged.connect(lambda _i, c=column: self._column_changed(c))
            self.mapping_grid.addWidget(name, col, 0)
            self.mapping_grid.addWidget(combo, col, 1)
            self.mapping_grid.addWidget(sample, col, 2)
            self.mapping_combos[column] = combo
        self.mapping_grid.setColumnStretch(2, 1)
        row_height = max(self.fontMetrics().height() + 14, 28)
        self.mapping_scroll.setFixedHeight(min(len(header), 5) * row_height + 12)
        self.mapping_error_label.setText(self._mapping_error)
        self.mapping_error_label.setVisible(bool(self._mapping_error))
        self.mapping_box.show()

    def field_name(self, field: str) -> str:
        """A Group field, in words."""
        names = {
            "name": self.tr("Name"),
            "network": self.tr("Network"),
            "url": self.tr("Web address"),
            "status": self.tr("Status"),
            "joined_on": self.tr("Joined on"),
            "left_on": self.tr("Left on"),
            "invited_on": self.tr("Invited on"),
            "invited_by": self.tr("Invited by"),
            "cost_amount": self.tr("Cost"),
            "cost_period": self.tr("Cost period"),
            "currency": self.tr("Currency"),
            "hours_per_month": self.tr("Hours a month"),
            "emails_per_week": self.tr("E-mails a week"),
            "last_group_activity": self.tr("Last group activity"),
            "tags": self.tr("Tags"),
            "notes": self.tr("Notes"),
            "external_id": self.tr("Id on the network"),
        }
        return names.get(field, field.replace("_", " "))

    def _column_changed(self, column: str) -> None:
        combo = self.mapping_combos[column]
        field = combo.currentData()
        mapping: dict[str, str] = {}
        for other, other_combo in self.mapping_combos.items():
            if other != column and field is not None and other_combo.currentData() == field:
                other_combo.blockSignals(True)  # one column per field: the other one lets go
                other_combo.setCurrentIndex(0)
                other_combo.blockSignals(False)
            if other_combo.currentData() is not None:
                mapping[other_combo.currentData()] = other
        self.set_mapping(self._current, mapping)

    def set_mapping(self, index: int, mapping: dict[str, str]) -> None:
        """Read spreadsheet ``index`` again with ``{field: column}`` and plan it again."""
        result = self.results[index]
        try:
            remap(result, mapping)
        except ImportProblem as exc:
            self._mapping_error = self.tr("Choose a column for the name or the web address (%1).").replace(
                "%1", exc.problem
            )
        else:
            self._mapping_error = ""
        if not self._mapping_error:
            self._replan()
        current = self._current
        self._refresh_texts()
        if index == current:
            self.select_source(index)
