"""The main window: the table of groups, its filter bar, the detail panel, and every edit (undoable).

The window never runs SQL: it reads rows through ``repository.load_rows`` and writes through the
repository's functions, wrapped in undo commands (``ui/commands.py``). Modal dialogs go through
``run_dialog`` so that tests can drive them without blocking on ``exec()``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QPoint, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from groupdesk import APP_NAME
from groupdesk.domain.scores import FLAG_LABELS, FLAG_ORDER
from groupdesk.domain.vocab import MEMBER_STATUSES, NETWORKS, PENDING_STATUSES, STATUSES
from groupdesk.store import repository
from groupdesk.store.repository import GroupRow
from groupdesk.ui.events import FirstPaint
from groupdesk.ui.table_model import (
    ANY_FLAG,
    COL_ACTIVITY,
    COL_COST,
    COL_EMAILS,
    COL_FLAGS,
    COL_GROUP_ACTIVITY,
    COL_LAST_ACTIVITY,
    COL_NAME,
    COL_NETWORK,
    COL_PARTICIPATION,
    COL_STATUS,
    COL_VALUE,
    GroupTableModel,
    format_money,
    format_number,
)
from groupdesk.ui.text import menu_text

if TYPE_CHECKING:
    from groupdesk.ui.detail_panel import DetailPanel
    from groupdesk.ui.import_flow import ImportFlow
    from groupdesk.ui.mail_flow import MailFlow

#: Runs a modal dialog and says whether it was accepted. Tests pass one that drives the dialog.
DialogRunner = Callable[[QDialog], bool]
#: Builds the decision dialog for a group (issue 3 plugs its wizard in here).
DecisionDialogFactory = Callable[[QWidget, int], QDialog]

SETTINGS_GEOMETRY = "main_window/geometry"
SETTINGS_STATE = "main_window/state"
SETTINGS_HEADER = "main_window/header"
SETTINGS_FILTER_BAR = "main_window/filter_bar"
_STATE_VERSION = 1


def exec_dialog(dialog: QDialog) -> bool:
    """Run ``dialog`` modally; True when accepted."""
    return dialog.exec() == QDialog.DialogCode.Accepted


@dataclass
class Totals:
    """What the memberships add up to (groups I belong to; invitations counted apart)."""

    groups: int = 0
    members: int = 0
    pending: int = 0
    money_per_year: dict[str, float] = field(default_factory=dict)
    emails_per_week: float = 0.0
    hours_per_month: float = 0.0


#: Rows read before the window first shows (fewer when the screen shows fewer, see
#: ``MainWindow._first_page_rows``); the rest are read right after the first paint.
FIRST_PAGE_ROWS = 200
#: The window's size until the user gives it another (remembered) one.
DEFAULT_SIZE = (1280, 760)
#: Idle scoring starts this long after the window is built, then scores this many rows per turn.
IDLE_SCORING_DELAY_MS = 300
IDLE_SCORING_SLICE = 1000


def compute_totals(rows: Iterable[GroupRow]) -> Totals:
    """Totals over ``rows``: money, mail and hours count the groups I belong to."""
    t = Totals()
    for r in rows:
        t.groups += 1
        if r.status in PENDING_STATUSES:
            t.pending += 1
        if r.status not in MEMBER_STATUSES:
            continue
        t.members += 1
        if r.cost_per_year:
            key = r.currency or ""
            t.money_per_year[key] = t.money_per_year.get(key, 0.0) + r.cost_per_year
        if r.emails_per_week:
            t.emails_per_week += r.emails_per_week
        if r.hours_per_month:
            t.hours_per_month += r.hours_per_month
    return t


def _commands() -> ModuleType:
    """The undo commands module, imported when the first edit happens."""
    from groupdesk.ui import commands

    return commands


def _theme_icon(*names: str) -> QIcon:
    for name in names:
        if QIcon.hasThemeIcon(name):
            return QIcon.fromTheme(name)
    return QIcon()


class MainWindow(QMainWindow):
    """GroupDesk's main window over the open store."""

    def __init__(
        self,
        settings: QSettings,
        *,
        today: date | None = None,
        run_dialog: DialogRunner | None = None,
        parent: QWidget | None = None,
        data_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        #: The data folder shown in About (default: where the settings file lives, which is the same).
        self.data_dir = data_dir or Path(settings.fileName()).parent
        self._today = today
        self.run_dialog: DialogRunner = run_dialog or exec_dialog
        self.decision_dialog_factory: DecisionDialogFactory | None = None
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")
        self.undo_stack = QUndoStack(self)
        # The first screen of rows by name now, the rest after the window is painted (``_load_rest``).
        first_rows = self._first_page_rows()
        first = repository.load_rows(self.today(), lazy=True, first=first_rows)
        self._partial = len(first) == first_rows
        self.model = GroupTableModel(first, self, compact_headers=True)
        self.demo_available = importlib.util.find_spec("groupdesk.demo") is not None
        self.context_menu: QMenu | None = None
        #: Whether closing the window saves its layout in ``settings``.
        self.remember_state = True
        self._updating = False

        self._build_actions()
        from groupdesk.ui.decide import DecisionFlow
        from groupdesk.ui.plan_flow import PlanFlow

        self.decisions = DecisionFlow(self)
        self.plan = PlanFlow(self)
        self._build_table_page()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table_page)
        self._empty_page: QWidget | None = None  # built when first shown (``empty_page``)
        self.setCentralWidget(self.stack)
        self._build_detail_dock()
        self._build_menus()
        self._build_toolbar()
        self.totals_label = QLabel(self)
        self.totals_label.setTextFormat(Qt.TextFormat.PlainText)
        self.totals_label.setToolTip(
            self.tr(
                "Money, e-mails and hours add up the groups you belong to (trial, member, muted, leaving)."
            )
        )
        self.statusBar().addPermanentWidget(self.totals_label)

        self.resize(*DEFAULT_SIZE)
        self.restore_state()
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._refresh_summary()
        self._update_actions()
        self.table.setFocus()
        if self._partial:
            header = self.table.horizontalHeader()
            by_name = (
                header.sortIndicatorSection() == COL_NAME
                and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
            )
            if by_name and not self.model.is_filtered():
                # The window's first paint draws the table too (children are painted in the same
                # pass). Not ``table.viewport()``: fetching that plain QWidget makes PySide create
                # every widget class of QtWidgets to find its type, about 10 ms.
                FirstPaint(self, self._load_rest_after_paint)
            else:  # another order: the first screen needs every row
                self._load_rest()
        # Import and mail sync (and their menu items) are set up when first needed — the
        # application attaches them right after the first paint: their modules take longer to load
        # than the whole window.
        self._import_flow: ImportFlow | None = None
        self._mail_flow: MailFlow | None = None
        # Scores are computed on first use; after start-up, compute the rest in small idle slices
        # so that the first click on a score column does not wait for 100,000 rows.
        self._scoring_timer = QTimer(self)
        self._scoring_timer.setInterval(0)
        self._scoring_timer.timeout.connect(self._score_some)
        QTimer.singleShot(IDLE_SCORING_DELAY_MS, self._scoring_timer.start)

    def attach_flows(self) -> None:
        """Set up importing (drops, File → Import…) and mail sync, with their actions (once)."""
        if self._import_flow is not None:
            return
        from groupdesk.ui.import_flow import ImportFlow
        from groupdesk.ui.mail_flow import MailFlow

        self._import_flow = flow = ImportFlow(self)
        self._mail_flow = mail = MailFlow(self)
        first = self.file_menu.actions()[0]
        for action in flow.actions():
            self.file_menu.insertAction(first, action)
        self.file_menu.insertSeparator(first)
        self.tools_menu.addAction(mail.action_sync)
        self.tools_menu.addAction(mail.action_accounts)
        self.view_menu.addAction(mail.action_discovered)
        self.toolbar.insertAction(self._toolbar_undo_separator, mail.action_sync)
        from groupdesk.ui.probe_flow import ProbeFlow

        self.probes = ProbeFlow(self)
        self.tools_menu.addSeparator()
        for action in self.probes.actions():
            self.tools_menu.addAction(action)
        self.toolbar.insertAction(self._toolbar_undo_separator, self.probes.action_refresh)

    @property
    def import_flow(self) -> ImportFlow:
        """The import flow (drops, Import…, history)."""
        self.attach_flows()
        assert self._import_flow is not None
        return self._import_flow

    @property
    def mail(self) -> MailFlow:
        """The mail sync flow (Sync mail, Mail accounts…)."""
        self.attach_flows()
        assert self._mail_flow is not None
        return self._mail_flow

    def _first_page_rows(self) -> int:
        """Rows to read before the first paint: as many as the tallest screen can show, at most
        ``FIRST_PAGE_ROWS`` (the table's rows are ``_row_height()`` tall)."""
        tallest = max((s.availableGeometry().height() for s in QGuiApplication.screens()), default=0)
        tallest = max(tallest, DEFAULT_SIZE[1])  # a window may open taller than a small screen
        return min(FIRST_PAGE_ROWS, tallest // self._row_height() + 1)

    def _row_height(self) -> int:
        return self.fontMetrics().height() + 10

    def _load_rest(self) -> None:
        """Replace the first screen of rows by every row (sort, filter and selection kept)."""
        if self._partial:
            self._partial = False
            self.reload()

    def _load_rest_after_paint(self) -> None:
        if self.isVisible():  # a window closed meanwhile (a screenshot run) needs no more rows
            self._load_rest()

    def _score_some(self) -> None:
        """Score the next slice of rows whose scores are still pending; stop when none are left."""
        rows = self.model.pending_score_rows(IDLE_SCORING_SLICE)
        if not rows:
            self._scoring_timer.stop()
            return
        repository.score_rows(rows)

    # ------------------------------------------------------------ small helpers

    def today(self) -> date:
        """The day scores are computed for (fixed in tests, else the real today)."""
        return self._today or date.today()

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
        icon: tuple[str, ...] = (),
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if icon:
            action.setIcon(_theme_icon(*icon))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # ------------------------------------------------------------ building

    def _build_actions(self) -> None:
        self.action_undo = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        self.action_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.action_undo.setIcon(_theme_icon("edit-undo"))
        self.action_redo = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        self.action_redo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        self.action_redo.setIcon(_theme_icon("edit-redo"))
        for a in (self.action_undo, self.action_redo):
            self.addAction(a)
        self.action_add = self._action(
            self.tr("&Add group…"),
            self.add_group,
            QKeySequence.StandardKey.New,
            self.tr("Add a group you belong to or are invited to (Ctrl+N)"),
            ("list-add",),
        )
        self.action_edit = self._action(
            self.tr("&Edit group…"),
            self.edit_group,
            "Ctrl+E",
            self.tr("Edit the selected group (Ctrl+E, or double-click it)"),
            ("document-edit", "document-properties"),
        )
        self.action_delete = self._action(
            self.tr("&Delete"),
            self.delete_selected,
            QKeySequence.StandardKey.Delete,
            self.tr("Delete the selected groups (Del; Undo brings them back)"),
            ("edit-delete", "list-remove"),
        )
        self.action_log = self._action(
            self.tr("&Log contribution…"),
            self.log_contribution,
            "Ctrl+L",
            self.tr("Record something you did in the selected group: a post, an answer, an event (Ctrl+L)"),
            ("list-add",),
        )
        self.action_log.setIcon(QIcon())
        self.action_decide = self._action(
            self.tr("De&cide…"),
            self.open_decision_dialog,
            "Ctrl+D",
            self.tr("Walk through the join or leave decision for the selected group (Ctrl+D)"),
        )
        self.action_select_all = self._action(
            self.tr("Select &all"),
            self.select_all,
            QKeySequence.StandardKey.SelectAll,
            self.tr("Select every row shown"),
        )
        self.action_find = self._action(
            self.tr("&Find…"),
            self.focus_filter,
            QKeySequence.StandardKey.Find,
            self.tr("Filter the table by name or tag (Ctrl+F)"),
        )
        self.action_clear_filters = self._action(
            self.tr("&Clear filters"), self.clear_filters, "Ctrl+Shift+F", self.tr("Show every group again")
        )
        self.action_demo = self._action(
            self.tr("Load &demo data"),
            self.load_demo,
            None,
            self.tr("Add about forty example groups to look around (undoable)"),
        )
        self.action_demo.setVisible(self.demo_available)
        self.action_quit = self._action(
            self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit, self.tr("Close GroupDesk")
        )
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_how = self._action(
            self.tr("&How GroupDesk decides"),
            self.show_how_decides,
            QKeySequence.StandardKey.HelpContents,
            self.tr("The rules behind every recommendation, in plain words (F1)"),
        )
        self.action_invitations = self._action(
            self.tr("&Invitations"),
            self.show_invitations,
            "Ctrl+Shift+I",
            self.tr("Show the invitations waiting for your decision"),
        )
        self.action_about = self._action(self.tr("&About GroupDesk"), self.show_about)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)

        self.status_menu = QMenu(self.tr("Set &status"), self)
        self.status_menu.setToolTipsVisible(True)
        self.status_actions: dict[str, QAction] = {}
        for status, label in STATUSES.items():
            act = self.status_menu.addAction(label)
            act.setToolTip(self.tr("Set the selected groups to “%1”").replace("%1", label))
            act.triggered.connect(lambda _checked=False, s=status: self.set_status_of_selected(s))
            self.status_actions[status] = act

    def _build_table_page(self) -> None:
        self.table_page = QWidget(self)
        layout = QVBoxLayout(self.table_page)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.setSpacing(4)

        self.filter_bar = QWidget(self.table_page)
        bar = QHBoxLayout(self.filter_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        self.filter_edit = QLineEdit(self.filter_bar)
        self.filter_edit.setPlaceholderText(self.tr("Filter by name or tag… (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip(self.tr("Shows the groups whose name or tags contain this text"))
        self.filter_edit.textChanged.connect(self.apply_filters)
        clear = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.filter_edit.clear)
        self.network_combo = QComboBox(self.filter_bar)
        self.network_combo.addItem(self.tr("All networks"), None)
        for key, label in NETWORKS.items():
            self.network_combo.addItem(label, key)
        self.network_combo.setToolTip(self.tr("Show one network only"))
        self.status_combo = QComboBox(self.filter_bar)
        self.status_combo.addItem(self.tr("All statuses"), None)
        for key, label in STATUSES.items():
            self.status_combo.addItem(label, key)
        self.status_combo.setToolTip(self.tr("Show one status only"))
        self.flag_combo = QComboBox(self.filter_bar)
        self.flag_combo.addItem(self.tr("Flagged or not"), None)
        self.flag_combo.addItem(self.tr("Any warning sign"), ANY_FLAG)
        for flag in FLAG_ORDER:
            self.flag_combo.addItem(FLAG_LABELS[flag].capitalize(), flag)
        self.flag_combo.setToolTip(self.tr("Show the groups with a warning sign"))
        for combo in (self.network_combo, self.status_combo, self.flag_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self.apply_filters)
        self.clear_filters_button = QToolButton(self.filter_bar)
        self.clear_filters_button.setDefaultAction(self.action_clear_filters)
        self.count_label = QLabel(self.filter_bar)
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.filter_edit, 3)
        bar.addWidget(self.network_combo)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.flag_combo)
        bar.addWidget(self.clear_filters_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addWidget(self.filter_bar)

        self.table = QTableView(self.table_page)
        self.table.setObjectName("groups_table")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setDragEnabled(True)  # rows drag out as CSV; drops are the import flow's
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_context_menu)
        self.table.doubleClicked.connect(lambda _index: self.edit_group())
        enter = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        enter.activated.connect(lambda: self.edit_group())
        vheader = self.table.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(self._row_height())
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(40)  # column widths: ``restore_state``, saved or default
        # The model last: with the row header already hidden and fixed, the view does not ask
        # the model for a size and a font for every row's header.
        self.table.setModel(self.model)
        layout.addWidget(self.table, 1)

    def _set_default_widths(self) -> None:
        fm = self.table.horizontalHeader().fontMetrics()
        header = self.table.horizontalHeader()
        widths = {
            COL_NAME: 240,
            COL_NETWORK: fm.horizontalAdvance("Mailing list") + 20,
            COL_STATUS: fm.horizontalAdvance("Considering") + 24,
            COL_FLAGS: 150,
        }
        for col in (
            COL_VALUE,
            COL_ACTIVITY,
            COL_GROUP_ACTIVITY,
            COL_PARTICIPATION,
            COL_COST,
            COL_EMAILS,
            COL_LAST_ACTIVITY,
        ):
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            widest = max(fm.horizontalAdvance(line) for line in title.splitlines())
            widths[col] = widest + 24  # room for the sort arrow
        widths[COL_COST] = max(widths[COL_COST], fm.horizontalAdvance("1,234 EUR") + 12)
        widths[COL_LAST_ACTIVITY] = max(widths[COL_LAST_ACTIVITY], fm.horizontalAdvance("2025-12-31") + 20)
        for col, width in widths.items():
            header.resizeSection(col, width)

    @property
    def empty_page(self) -> QWidget:
        """The page shown instead of the table while there are no groups (built on first use)."""
        if self._empty_page is None:
            self._empty_page = self._build_empty_page()
            self.stack.addWidget(self._empty_page)
        return self._empty_page

    @property
    def empty_add_button(self) -> QPushButton:
        """The empty page's "Add a group" button."""
        _ = self.empty_page
        return self._empty_add_button

    @property
    def empty_demo_button(self) -> QPushButton:
        """The empty page's "Load demo data" button."""
        _ = self.empty_page
        return self._empty_demo_button

    def _build_empty_page(self) -> QWidget:
        page = QWidget(self)
        outer = QVBoxLayout(page)
        outer.addStretch(2)
        title = QLabel(self.tr("No groups yet"), page)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            self.tr(
                "GroupDesk keeps the groups you belong to or are invited to in one table, and helps "
                "you see which ones are worth your time: value both ways, a living group, and you "
                "taking part.\n\n"
                "Add your first group, drop an export from Facebook, LinkedIn, Discord, Reddit, "
                "Telegram or a spreadsheet onto this window, or load a demo inventory to look around."
            ),
            page,
        )
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setFixedWidth(520)
        text.setMinimumHeight(text.heightForWidth(520))
        self._empty_add_button = QPushButton(self.tr("&Add a group…"), page)
        self._empty_add_button.setToolTip(self.action_add.toolTip())
        self._empty_add_button.clicked.connect(lambda: self.add_group())
        self._empty_add_button.setDefault(True)
        self._empty_import_button = QPushButton(self.tr("&Import an export…"), page)
        self._empty_import_button.setToolTip(self.tr("Choose exported files or archives to import (Ctrl+I)"))
        self._empty_import_button.clicked.connect(lambda: self.import_flow.choose_files())
        self._empty_demo_button = QPushButton(self.tr("Load &demo data"), page)
        self._empty_demo_button.setToolTip(self.action_demo.toolTip())
        self._empty_demo_button.clicked.connect(lambda: self.load_demo())
        self._empty_demo_button.setVisible(self.demo_available)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self._empty_add_button)
        buttons.addWidget(self._empty_import_button)
        buttons.addWidget(self._empty_demo_button)
        buttons.addStretch(1)
        outer.addWidget(title)
        outer.addSpacing(12)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(text)
        centred.addStretch(1)
        outer.addLayout(centred)
        outer.addSpacing(18)
        outer.addLayout(buttons)
        outer.addStretch(3)
        return page

    def _build_detail_dock(self) -> None:
        # The panel itself is built when first needed (see ``detail``): start-up stays quick.
        self._detail: DetailPanel | None = None
        self._detail_orientation = Qt.Orientation.Horizontal
        self.detail_placeholder = QLabel(self.tr("Select a group to see its details."), self)
        self.detail_placeholder.setTextFormat(Qt.TextFormat.PlainText)
        self.detail_placeholder.setEnabled(False)
        self.detail_placeholder.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.detail_placeholder.setContentsMargins(10, 6, 10, 6)
        self.detail_dock = QDockWidget(self.tr("Details"), self)
        self.detail_dock.setObjectName("details_dock")
        self.detail_dock.setWidget(self.detail_placeholder)
        self.detail_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable | QDockWidget.DockWidgetFeature.DockWidgetMovable
        )
        self.detail_dock.dockLocationChanged.connect(self._dock_moved)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.detail_dock)
        self.resizeDocks([self.detail_dock], [210], Qt.Orientation.Vertical)
        self._dock_hidden_while_empty = False
        self.action_details = self.detail_dock.toggleViewAction()
        self.action_details.setText(self.tr("&Details panel"))
        self.action_details.setShortcut(QKeySequence("Ctrl+Shift+D"))
        self.action_details.setToolTip(
            self.tr("Show or hide the details of the selected group (Ctrl+Shift+D)")
        )

    @property
    def detail(self) -> DetailPanel:
        """The detail panel (built on first use)."""
        if self._detail is None:
            from groupdesk.ui.detail_panel import DetailPanel

            self._detail = DetailPanel(self)
            self._detail.set_orientation(self._detail_orientation)
            self._detail.log_requested.connect(lambda: self.log_contribution())
            self.detail_dock.setWidget(self._detail)
            self.detail_placeholder.deleteLater()
        return self._detail

    def _dock_moved(self, area: Qt.DockWidgetArea) -> None:
        side = area in (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)
        self._detail_orientation = Qt.Orientation.Vertical if side else Qt.Orientation.Horizontal
        if self._detail is not None:
            self._detail.set_orientation(self._detail_orientation)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addAction(self.plan.action_export_groups)
        file_menu.addSeparator()
        file_menu.addAction(self.plan.action_preview)
        file_menu.addAction(self.plan.action_print)
        file_menu.addAction(self.plan.action_pdf)
        file_menu.addAction(self.plan.action_html)
        file_menu.addAction(self.plan.action_csv)
        file_menu.addAction(self.plan.action_title)
        file_menu.addSeparator()
        file_menu.addAction(self.action_demo)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        self.file_menu = file_menu

        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.setToolTipsVisible(True)
        edit_menu.addAction(self.action_undo)
        edit_menu.addAction(self.action_redo)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_add)
        edit_menu.addAction(self.action_edit)
        edit_menu.addAction(self.action_delete)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_log)
        edit_menu.addMenu(self.status_menu)
        edit_menu.addAction(self.action_decide)
        edit_menu.addAction(self.decisions.action_review)
        edit_menu.addAction(self.decisions.action_mark_left)
        edit_menu.addSeparator()
        edit_menu.addAction(self.action_select_all)
        self.edit_menu = edit_menu

        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addAction(self.action_find)
        view_menu.addAction(self.action_invitations)
        view_menu.addAction(self.action_clear_filters)
        view_menu.addSeparator()
        self.action_filter_bar = QAction(self.tr("&Filter bar"), self)
        self.action_filter_bar.setCheckable(True)
        self.action_filter_bar.setChecked(True)
        self.action_filter_bar.toggled.connect(self.filter_bar.setVisible)
        view_menu.addAction(self.action_filter_bar)
        view_menu.addAction(self.action_details)
        self.view_menu = view_menu

        # Filled right after the first paint (``attach_flows``): mail sync and accounts.
        self.tools_menu = bar.addMenu(self.tr("&Tools"))

        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.action_how)
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

    def _build_toolbar(self) -> None:
        self.toolbar = QToolBar(self.tr("Main toolbar"), self)
        self.toolbar.setObjectName("main_toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.addAction(self.action_add)
        self.toolbar.addAction(self.action_edit)
        self.toolbar.addAction(self.action_delete)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.action_log)
        self.status_button = QToolButton(self.toolbar)
        self.status_button.setText(self.tr("Set status"))
        self.status_button.setToolTip(self.tr("Change the status of the selected groups"))
        self.status_button.setMenu(self.status_menu)
        self.status_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.toolbar.addWidget(self.status_button)
        self.toolbar.addAction(self.action_decide)
        self.toolbar.addAction(self.decisions.action_review)
        self._toolbar_undo_separator = self.toolbar.addSeparator()
        self.toolbar.addAction(self.action_undo)
        self.toolbar.addAction(self.action_redo)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.view_menu.addAction(self.toolbar.toggleViewAction())

    # ------------------------------------------------------------ state

    def save_state(self) -> None:
        """Remember geometry, dock and toolbar layout, columns and sort in the settings."""
        if self._dock_hidden_while_empty:  # hidden by the empty page, not by the user
            self.detail_dock.show()
            self._dock_hidden_while_empty = False
        self.settings.setValue(SETTINGS_GEOMETRY, self.saveGeometry())
        self.settings.setValue(SETTINGS_STATE, self.saveState(_STATE_VERSION))
        self.settings.setValue(SETTINGS_HEADER, self.table.horizontalHeader().saveState())
        self.settings.setValue(SETTINGS_FILTER_BAR, self.action_filter_bar.isChecked())
        self.settings.sync()

    def restore_state(self) -> None:
        """Bring back what ``save_state`` remembered (defaults when nothing or something broken is there)."""
        geometry = self.settings.value(SETTINGS_GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value(SETTINGS_STATE)
        if state is not None:
            self.restoreState(state, _STATE_VERSION)
        header = self.table.horizontalHeader()
        saved = self.settings.value(SETTINGS_HEADER)
        restored = saved is not None and header.restoreState(saved)
        if not restored or header.count() != self.model.columnCount():
            self._set_default_widths()
            header.setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)  # sorts by the header's indicator
        bar = self.settings.value(SETTINGS_FILTER_BAR)
        self.action_filter_bar.setChecked(bar is None or str(bar).lower() not in ("false", "0"))

    def closeEvent(self, event: QCloseEvent) -> None:
        """Remember the window's layout on the way out."""
        if self.remember_state:
            self.save_state()
        super().closeEvent(event)

    # ------------------------------------------------------------ selection

    def selected_ids(self) -> list[int]:
        """Ids of the selected groups, in view order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.row_at(r).id for r in rows]

    def current_id(self) -> int | None:
        """The one selected group, or None when none or several are selected."""
        ids = self.selected_ids()
        return ids[0] if len(ids) == 1 else None

    def select_ids(self, ids: Iterable[int], *, scroll: bool = True) -> None:
        """Select the rows of these groups (those shown), make the first one current."""
        model, table = self.model, self.table
        rows = sorted(r for r in (model.view_row_of(gid) for gid in ids) if r >= 0)
        selection = QItemSelection()
        last = model.columnCount() - 1
        for r in rows:
            selection.select(model.index(r, 0), model.index(r, last))
        sm = table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        if rows:
            sm.setCurrentIndex(model.index(rows[0], 0), QItemSelectionModel.SelectionFlag.NoUpdate)
            sm.select(selection, flags)
            if scroll:
                table.scrollTo(model.index(rows[0], 0))
        else:
            sm.clearSelection()

    def select_all(self) -> None:
        """Select every row shown."""
        self.table.selectAll()

    def _selection_changed(self, *_args: object) -> None:
        if self._updating:  # rows are being replaced; groups_changed refreshes at the end
            return
        self._update_actions()
        self._refresh_detail()

    def selected_count(self) -> int:
        """How many rows are selected (cheap even when all of 100,000 are)."""
        return sum(r.height() for r in self.table.selectionModel().selection())

    def _update_actions(self) -> None:
        count = self.selected_count()
        self.action_edit.setEnabled(count == 1)
        self.action_log.setEnabled(count == 1)
        self.action_delete.setEnabled(count >= 1)
        self.status_menu.setEnabled(count >= 1)
        self.status_button.setEnabled(count >= 1)
        self.action_decide.setEnabled(count == 1)
        self.decisions.update_actions()

    def _refresh_detail(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 1:
            if self._detail is not None:
                self._detail.show_nothing(len(ids))
            elif ids:
                self.detail_placeholder.setText(self.tr("%1 groups selected.").replace("%1", str(len(ids))))
            else:
                self.detail_placeholder.setText(self.tr("Select a group to see its details."))
            return
        gid = ids[0]
        row = self.model.row_by_id(gid)
        if row is None:
            self.detail.show_nothing()
            return
        from groupdesk.store import probe_store  # pulls in requests: not at start-up

        self.detail.show_group(
            row,
            repository.group_values(gid),
            repository.contributions(gid),
            repository.decisions(gid),
            repository.invites(gid),
            activity=probe_store.activity_of(gid),
        )

    # ------------------------------------------------------------ filtering

    def apply_filters(self) -> None:
        """Filter the table by the filter bar's text, network, status and flag."""
        before = self.selected_ids()
        self._updating = True
        try:
            self.model.set_filter(
                self.filter_edit.text(),
                self.network_combo.currentData(),
                self.status_combo.currentData(),
                self.flag_combo.currentData(),
            )
            if before:
                self.select_ids(before, scroll=True)
        finally:
            self._updating = False
        self._refresh_count()
        self._update_actions()
        self._refresh_detail()

    def clear_filters(self) -> None:
        """Show every group."""
        for w in (self.filter_edit, self.network_combo, self.status_combo, self.flag_combo):
            w.blockSignals(True)
        self.filter_edit.clear()
        for combo in (self.network_combo, self.status_combo, self.flag_combo):
            combo.setCurrentIndex(0)
        for w in (self.filter_edit, self.network_combo, self.status_combo, self.flag_combo):
            w.blockSignals(False)
        self.apply_filters()

    def focus_filter(self) -> None:
        """Put the cursor in the filter field."""
        self.action_filter_bar.setChecked(True)
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # ------------------------------------------------------------ refreshing

    def groups_changed(
        self,
        changed: Iterable[int] = (),
        removed: Iterable[int] = (),
        select: Iterable[int] | None = None,
    ) -> None:
        """Re-read ``changed`` groups from the store, drop ``removed`` ones, keep or set the selection."""
        changed, removed = list(changed), list(removed)
        before = self.selected_ids()
        self._updating = True
        try:
            if removed:
                self.model.remove_ids(removed)
            if changed:
                self.model.refresh_rows(repository.load_rows(self.today(), ids=changed))
            if select is not None:
                self.select_ids(select)
            elif before and not self.table.selectionModel().hasSelection():
                gone = set(removed)
                self.select_ids([g for g in before if g not in gone], scroll=False)
        finally:
            self._updating = False
        self._refresh_summary()
        self._update_actions()
        self._refresh_detail()

    def reload(self) -> None:
        """Re-read every group from the store (e.g. after an import)."""
        before = self.selected_ids()
        self._updating = True
        try:
            self.model.set_rows(repository.load_rows(self.today(), lazy=True))
            self.select_ids(before, scroll=False)
        finally:
            self._updating = False
        self._refresh_summary()
        self._update_actions()
        self._refresh_detail()

    def _totals(self) -> Totals:
        if self._partial:  # not every row is loaded yet: ask the store
            return Totals(**vars(repository.summary()))
        return compute_totals(self.model.rows())

    def _refresh_summary(self) -> None:
        empty = self.model.total_count() == 0
        self.stack.setCurrentWidget(self.empty_page if empty else self.table_page)
        # Nothing to show details of: the empty page gets the whole window.
        if empty and self.detail_dock.isVisibleTo(self):
            self.detail_dock.hide()
            self._dock_hidden_while_empty = True
        elif not empty and self._dock_hidden_while_empty:
            self.detail_dock.show()
            self._dock_hidden_while_empty = False
        totals = self._totals()
        self._refresh_count(totals.groups)
        self.totals_label.setText(self.totals_text(totals))

    def _refresh_count(self, total: int | None = None) -> None:
        shown = self.model.visible_count()
        if total is None or not self._partial:
            total = self.model.total_count()
        if self._partial and shown == self.model.total_count():
            shown = total
        if shown == total:
            self.count_label.setText(self._plural(total, self.tr("1 group"), self.tr("%1 groups")))
        else:
            self.count_label.setText(
                self.tr("%1 of %2 groups shown").replace("%1", f"{shown:,}").replace("%2", f"{total:,}")
            )

    @staticmethod
    def _plural(n: int, one: str, many: str) -> str:
        return one if n == 1 else many.replace("%1", f"{n:,}")

    def totals_text(self, t: Totals) -> str:
        """The status bar's summary line."""
        parts = [
            self._plural(t.members, self.tr("1 membership"), self.tr("%1 memberships")),
            self._plural(t.pending, self.tr("1 pending invitation"), self.tr("%1 pending invitations")),
        ]
        if t.money_per_year:
            money = " + ".join(
                format_money(round(v, 2), c or None) for c, v in sorted(t.money_per_year.items())
            )
            parts.append(self.tr("%1 a year").replace("%1", money))
        else:
            parts.append(self.tr("nothing to pay"))
        parts.append(self.tr("%1 e-mails a week").replace("%1", format_number(round(t.emails_per_week))))
        if t.hours_per_month:
            parts.append(
                self.tr("%1 hours a month").replace("%1", format_number(round(t.hours_per_month, 1)))
            )
        return "  ·  ".join(parts)

    # ------------------------------------------------------------ edits

    def _error(self, title: str, message: str) -> None:
        from PySide6.QtWidgets import QMessageBox  # message boxes load when first used

        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self.run_dialog(box)
        box.deleteLater()

    def add_group(self) -> int | None:
        """Ask for a new group in the group dialog and add it (undoable); return its id."""
        from groupdesk.ui.dialogs.group_dialog import GroupDialog

        dialog = GroupDialog(self, title=self.tr("Add group"), today=self.today())
        try:
            if not self.run_dialog(dialog):
                return None
            values = dialog.values()
        finally:
            dialog.deleteLater()
        try:
            gid = repository.create_group(values)
        except ValueError as exc:
            self._error(self.tr("Cannot add the group"), str(exc))
            return None
        text = self.tr("Add “%1”").replace("%1", menu_text(values["name"]))
        self.undo_stack.push(_commands().AddGroupCommand(self, gid, text))
        self.statusBar().showMessage(self.tr("Added “%1”.").replace("%1", values["name"]), 5000)
        return gid

    def edit_group(self, group_id: int | None = None) -> bool:
        """Edit one group (the selected one by default) in the group dialog; True when changed."""
        from groupdesk.ui.dialogs.group_dialog import GroupDialog

        gid = group_id if group_id is not None else self.current_id()
        if gid is None:
            return False
        current = repository.group_values(gid)
        dialog = GroupDialog(self, current, title=self.tr("Edit group"), today=self.today())
        try:
            if not self.run_dialog(dialog):
                return False
            values = dialog.values()
        finally:
            dialog.deleteLater()
        try:
            old = repository.update_group(gid, values)
        except ValueError as exc:
            self._error(self.tr("Cannot change the group"), str(exc))
            return False
        if not old:
            return False
        stored = repository.group_values(gid)
        new = {k: stored[k] for k in old}
        text = self.tr("Edit “%1”").replace("%1", menu_text(stored["name"]))
        self.undo_stack.push(_commands().EditGroupCommand(self, gid, old, new, text))
        return True

    def delete_selected(self) -> int:
        """Delete the selected groups (asks first when there are several); return how many."""
        return self.delete_groups(self.selected_ids())

    def delete_groups(self, ids: Iterable[int]) -> int:
        """Delete these groups, undoably; several at once are confirmed first."""
        ids = list(ids)
        if not ids:
            return 0
        if len(ids) > 1:
            from PySide6.QtWidgets import QMessageBox

            names = [r.name for r in (self.model.row_by_id(g) for g in ids) if r is not None]
            shown = "\n".join(f"• {n}" for n in names[:8]) + ("\n…" if len(names) > 8 else "")
            box = QMessageBox(
                QMessageBox.Icon.Question,
                self.tr("Delete groups"),
                self.tr(
                    "Delete these %1 groups with their contributions, decisions and invitations?"
                ).replace("%1", str(len(ids)))
                + "\n\n"
                + shown
                + "\n\n"
                + self.tr("Edit ▸ Undo brings them back."),
                QMessageBox.StandardButton.Cancel,
                self,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            delete = box.addButton(self.tr("Delete"), QMessageBox.ButtonRole.DestructiveRole)
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            self.run_dialog(box)
            confirmed = box.clickedButton() is delete
            box.deleteLater()
            if not confirmed:
                return 0
        first = self.model.row_by_id(ids[0])
        snapshots = repository.delete_groups(ids)
        if len(ids) == 1 and first is not None:
            text = self.tr("Delete “%1”").replace("%1", menu_text(first.name))
            message = self.tr("Deleted “%1”. Undo brings it back.").replace("%1", first.name)
        else:
            text = self.tr("Delete %1 groups").replace("%1", str(len(ids)))
            message = self.tr("Deleted %1 groups. Undo brings them back.").replace("%1", str(len(ids)))
        self.undo_stack.push(_commands().DeleteGroupsCommand(self, snapshots, text))
        self.statusBar().showMessage(message, 8000)
        return len(ids)

    def set_status_of_selected(self, status: str) -> int:
        """Give every selected group ``status`` (one undo step); return how many changed."""
        return self.set_status(self.selected_ids(), status)

    def set_status(self, ids: Iterable[int], status: str) -> int:
        """Give these groups ``status`` in one undoable step; return how many changed."""
        ids = list(ids)
        if not ids:
            return 0
        previous = repository.set_status(ids, status)
        if not previous:
            return 0
        label = STATUSES.get(status, status)
        text = self.tr("Set %1 group(s) to %2").replace("%1", str(len(previous))).replace("%2", label)
        self.undo_stack.push(_commands().SetStatusCommand(self, previous, status, text))
        return len(previous)

    def log_contribution(self, group_id: int | None = None) -> int | None:
        """Log a contribution to one group (the selected one by default); return its id."""
        from groupdesk.ui.dialogs.contribution_dialog import ContributionDialog

        gid = group_id if group_id is not None else self.current_id()
        if gid is None:
            return None
        row = self.model.row_by_id(gid)
        name = row.name if row is not None else repository.group_values(gid)["name"]
        dialog = ContributionDialog(self, name, today=self.today())
        try:
            if not self.run_dialog(dialog):
                return None
            day, kind, note = dialog.values()
        finally:
            dialog.deleteLater()
        try:
            cid = repository.add_contribution(gid, day, kind, note)
        except ValueError as exc:
            self._error(self.tr("Cannot log the contribution"), str(exc))
            return None
        text = self.tr("Log contribution to “%1”").replace("%1", menu_text(name))
        self.undo_stack.push(_commands().LogContributionCommand(self, gid, cid, text))
        return cid

    def load_demo(self) -> int:
        """Add the demo inventory (undoable as one step); return how many groups were added."""
        if not self.demo_available:
            return 0
        from groupdesk import demo

        before = {r.id for r in self.model.rows()}
        count = demo.load_demo(self.today())
        if not count:
            self.statusBar().showMessage(self.tr("The demo groups are already here."), 5000)
            return 0
        added = [r.id for r in repository.load_rows(self.today()) if r.id not in before]
        self.undo_stack.push(_commands().AddGroupsCommand(self, added, self.tr("Load demo data")))
        self.statusBar().showMessage(self.tr("Added %1 demo groups.").replace("%1", str(count)), 5000)
        return count

    # ------------------------------------------------------------ hooks for later issues

    def set_decision_dialog_factory(self, factory: DecisionDialogFactory | None) -> None:
        """Replace the decision dialog (None: the built-in join wizard / review)."""
        self.decision_dialog_factory = factory
        self._update_actions()

    def open_decision_dialog(self, group_id: int | None = None) -> bool:
        """Open the decision dialog for one group (the selected one by default).

        The dialog records its Decision itself (or pushes an undo command onto ``undo_stack``);
        the window then re-reads the group. Returns whether the dialog was accepted.
        """
        gid = group_id if group_id is not None else self.current_id()
        if gid is None:
            return False
        if self.decision_dialog_factory is None:
            return self.decisions.decide(gid)
        dialog = self.decision_dialog_factory(self, gid)
        try:
            accepted = self.run_dialog(dialog)
        finally:
            dialog.deleteLater()
        self.groups_changed(changed=[gid])
        return accepted

    # ------------------------------------------------------------ menus and dialogs

    def _show_context_menu(self, pos: QPoint) -> None:
        self.build_context_menu(pos).popup(self.table.viewport().mapToGlobal(pos))

    def build_context_menu(self, pos: QPoint) -> QMenu:
        """The context menu for a click at ``pos`` in the table (selecting the row under it)."""
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), index.parent()):
            self.select_ids([self.model.row_at(index.row()).id], scroll=False)
        menu = QMenu(self)
        menu.addAction(self.action_edit)
        menu.addAction(self.action_log)
        menu.addMenu(self.status_menu)
        menu.addAction(self.action_decide)
        if self.decisions.action_mark_left.isEnabled():
            menu.addAction(self.decisions.action_mark_left)
        menu.addSeparator()
        menu.addAction(self.action_delete)
        menu.addSeparator()
        menu.addAction(self.action_add)
        if self.context_menu is not None:
            self.context_menu.deleteLater()
        self.context_menu = menu
        return menu

    def show_how_decides(self) -> None:
        """Help → How GroupDesk decides."""
        from groupdesk.ui.dialogs.how_decides import HowDecidesDialog

        dialog = HowDecidesDialog(self)
        self.run_dialog(dialog)
        dialog.deleteLater()

    def show_invitations(self) -> None:
        """The invitations view: only groups with status "invited" (Decide opens the join wizard)."""
        self.clear_filters()
        index = self.status_combo.findData("invited")
        if index >= 0:
            self.status_combo.setCurrentIndex(index)

    def show_about(self) -> None:
        """Help → About: version, licence, the data folder (with Open data folder)."""
        from groupdesk.ui.dialogs.about import AboutDialog

        dialog = AboutDialog(self, self.data_dir, show_how_decides=self.show_how_decides)
        self.run_dialog(dialog)
        dialog.deleteLater()
