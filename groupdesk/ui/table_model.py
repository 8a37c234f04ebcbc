"""The main table's model: every group as a row; it sorts and filters itself.

Sorting and filtering happen here, on a plain Python list of ``repository.GroupRow`` objects,
rather than in a ``QSortFilterProxyModel`` (which calls ``data()`` for every comparison and is
about a thousand times slower on 100,000 rows; see DESIGN.md, "Performance notes"). View rows
and model rows are the same thing: ``row_at(view_row)`` is the one mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import compress
from operator import attrgetter
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from groupdesk.domain.scores import (
    ACTIVITY_TOOLTIP,
    FLAG_LABELS,
    FLAG_ORDER,
    GROUP_ACTIVITY_TOOLTIP,
    PARTICIPATION_TOOLTIP,
    VALUE_TOOLTIP,
    explain,
    flag_sentence,
)
from groupdesk.domain.vocab import NETWORKS, STATUSES
from groupdesk.store.repository import LAZY_SCORES, GroupRow, score_rows
from groupdesk.ui.text import plain_tooltip

(
    COL_NAME,
    COL_NETWORK,
    COL_STATUS,
    COL_VALUE,
    COL_ACTIVITY,
    COL_GROUP_ACTIVITY,
    COL_PARTICIPATION,
    COL_COST,
    COL_EMAILS,
    COL_LAST_ACTIVITY,
    COL_FLAGS,
) = range(11)
COLUMN_COUNT = 11
#: Alias used by the benchmarks.
VALUE_COLUMN = COL_VALUE
NAME_COLUMN = COL_NAME

#: The raw value of a cell, for sorting and for tests (numbers stay numbers; ``None`` = unknown).
SORT_ROLE = Qt.ItemDataRole.UserRole
#: The group id of a row.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

#: ``set_filter(flag=ANY_FLAG)`` keeps rows that have at least one flag.
ANY_FLAG = "*"
#: Flags that call for action soon; their cells are tinted more strongly.
SERIOUS_FLAGS = frozenset({"dead", "spam", "costly", "clutter"})

_NUMERIC = frozenset(
    {COL_VALUE, COL_ACTIVITY, COL_GROUP_ACTIVITY, COL_PARTICIPATION, COL_COST, COL_EMAILS, COL_LAST_ACTIVITY}
)
_SCORE_TOOLTIPS = {
    COL_VALUE: VALUE_TOOLTIP,
    COL_ACTIVITY: ACTIVITY_TOOLTIP,
    COL_GROUP_ACTIVITY: GROUP_ACTIVITY_TOOLTIP,
    COL_PARTICIPATION: PARTICIPATION_TOOLTIP,
}
#: The GroupRow attribute behind each column (sorting, raw role).
_ATTRS = (
    "name",
    "network",
    "status",
    "value",
    "activity",
    "group_activity",
    "participation",
    "cost_per_year",
    "emails_per_week",
    "last_activity",
    "flags",
)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_SERIOUS_BG = QColor(250, 219, 216)
_MILD_BG = QColor(253, 240, 200)
_FLAG_FG = QColor(40, 20, 10)
_UNKNOWN = "–"
_DISPLAY = Qt.ItemDataRole.DisplayRole
# Roles and flags as plain values: ``data()`` and ``headerData()`` run hundreds of times for each
# paint, and looking ``Qt.ItemDataRole.X`` up there costs more than the rest of the call.
_DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND_ROLE = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
_SORT_ROLE = int(SORT_ROLE)
_ID_ROLE = int(ID_ROLE)
#: Roles ``data()`` answers; views also ask for fonts, icons, check states and sizes (None).
_DATA_ROLES = frozenset(
    {_DISPLAY_ROLE, _ALIGNMENT_ROLE, _TOOLTIP_ROLE, _BACKGROUND_ROLE, _FOREGROUND_ROLE, _SORT_ROLE, _ID_ROLE}
)
_HEADER_ROLES = frozenset({_DISPLAY_ROLE, _ALIGNMENT_ROLE, _TOOLTIP_ROLE})
_HORIZONTAL = Qt.Orientation.Horizontal
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | Qt.ItemFlag.ItemNeverHasChildren
    | Qt.ItemFlag.ItemIsDragEnabled  # rows drag out as CSV (to a spreadsheet or file manager)
)
#: What dragged rows carry (see ``import_flow.mime_data_for_rows``).
DRAG_MIME_TYPES = ["text/csv", "text/plain", "text/uri-list", "application/x-groupdesk-rows"]
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_NO_FILTER: tuple[str, str | None, str | None, str | None] = ("", None, None, None)
#: Columns whose sort key is a plain attribute that may be None.
_ATTR_COLUMNS = (
    COL_VALUE,
    COL_ACTIVITY,
    COL_GROUP_ACTIVITY,
    COL_PARTICIPATION,
    COL_COST,
    COL_EMAILS,
    COL_LAST_ACTIVITY,
)
#: Stand-ins for None in sort keys: lower than any real value, so a descending sort puts them last.
_NEG_INF = float("-inf")
_LOWEST: dict[int, Any] = dict.fromkeys(_ATTR_COLUMNS, _NEG_INF)
_LOWEST[COL_LAST_ACTIVITY] = date.min


def format_money(amount: float, currency: str | None) -> str:
    """``1,234`` or ``12.50`` followed by the currency code when known."""
    text = f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,.2f}"
    return f"{text} {currency}" if currency else text


def format_number(value: float | None) -> str:
    """A score or count for display: whole numbers without decimals, others with one."""
    if value is None:
        return _UNKNOWN
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def flag_labels(flags: Iterable[str]) -> str:
    """Readable, comma-separated flag labels."""
    return ", ".join(FLAG_LABELS.get(f, f) for f in flags)


def _score(v: float | None) -> str:
    return _UNKNOWN if v is None else f"{v:.0f}"


def _display_funcs() -> tuple[Callable[[GroupRow], str], ...]:
    nets, stats = NETWORKS, STATUSES
    return (
        lambda r: r.name,
        lambda r: nets.get(r.network, r.network or ""),
        lambda r: stats.get(r.status, r.status or ""),
        lambda r: _score(r.value),
        lambda r: _score(r.activity),
        lambda r: _score(r.group_activity),
        lambda r: _score(r.participation),
        lambda r: format_money(r.cost_per_year, r.currency) if r.cost_per_year else "",
        lambda r: "" if r.emails_per_week is None else format_number(r.emails_per_week),
        lambda r: r.last_activity.isoformat() if r.last_activity else "",
        lambda r: flag_labels(r.flags or ()),
    )


def _name_key(name: str) -> str:
    """The name's sort key when the store has not given one (rows made outside ``load_rows``)."""
    from groupdesk.domain.records import normalise_name  # not needed to show the window

    return normalise_name(name)


def _key_funcs() -> dict[int, Callable[[GroupRow], Any]]:
    """Sort keys for columns whose raw attribute is not directly comparable in the wanted order."""
    nets, stats = NETWORKS, STATUSES
    status_rank = {s: i for i, s in enumerate(STATUSES)}
    return {
        COL_NAME: lambda r: r.sort_name or _name_key(r.name),
        COL_NETWORK: lambda r: nets.get(r.network, r.network or "").casefold(),
        COL_STATUS: lambda r: (status_rank.get(r.status, 99), stats.get(r.status, r.status or "")),
        # Most flags (then the most serious ones) sort "highest".
        COL_FLAGS: lambda r: (len(r.flags), sum(f in SERIOUS_FLAGS for f in r.flags)),
    }


class _Data:
    """The rows and everything derived from them; replaced whole, or patched, never half-updated.

    ``base`` holds the rows in memory order (by object address), so that passes over every row
    read memory in sequence; ``search`` their search texts, copied into one contiguous run of
    strings for the same reason. ``keys[col]`` are sort keys in base order (None replaced by a
    stand-in lower than any value, ``nones[col]`` of them). ``order`` indexes ``base`` in sort
    order; ``vis`` the rows that pass the filter, in view order. With 100,000 rows, working on
    these lists of indexes instead of the scattered row objects is what makes sort and filter fast.
    """

    __slots__ = ("base", "identity", "keys", "nones", "order", "pos", "search", "vis")

    def __init__(self) -> None:
        self.base: list[GroupRow] = []
        self.search: list[str] = []
        self.keys: dict[int, list[Any]] = {}
        self.nones: dict[int, int] = {}
        self.order: list[int] = []
        self.vis: list[int] = []
        self.pos: dict[int, int] | None = None  # group id → base index, built when first needed
        self.identity = False  # order is known to be 0, 1, 2, … (unsorted, rows in memory order)

    def copy(self) -> _Data:
        """A copy whose lists can be changed without touching this one."""
        d = _Data()
        d.base, d.search, d.order, d.vis = (
            list(self.base),
            list(self.search),
            list(self.order),
            list(self.vis),
        )
        d.keys = {col: list(keys) for col, keys in self.keys.items()}
        d.nones = dict(self.nones)
        d.identity = self.identity
        d.pos = None if self.pos is None else dict(self.pos)
        return d

    def positions(self) -> dict[int, int]:
        """Group id → base index."""
        if self.pos is None:
            self.pos = {r.id: i for i, r in enumerate(self.base)}
        return self.pos


class GroupTableModel(QAbstractTableModel):
    """Groups as table rows; ``sort()`` and ``set_filter()`` work on the Python list directly."""

    def __init__(
        self, rows: Sequence[GroupRow] = (), parent: Any = None, *, compact_headers: bool = False
    ) -> None:
        """Show ``rows``; ``compact_headers`` breaks long column titles over two lines."""
        super().__init__(parent)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._filter = _NO_FILTER
        self._display = _display_funcs()
        self._keys = _key_funcs()
        self._d = self._build(rows)
        self._pending_from = 0
        self._headers = (
            self.tr("Name"),
            self.tr("Network"),
            self.tr("Status"),
            self.tr("Value"),
            self.tr("Activity"),
            self.tr("Group activity"),
            self.tr("My participation"),
            self.tr("Cost / year"),
            self.tr("Emails / week"),
            self.tr("Last activity"),
            self.tr("Flags"),
        )
        self._compact = {
            COL_GROUP_ACTIVITY: self.tr("Group\nactivity"),
            COL_PARTICIPATION: self.tr("My\nparticipation"),
            COL_COST: self.tr("Cost /\nyear"),
            COL_EMAILS: self.tr("Emails /\nweek"),
            COL_LAST_ACTIVITY: self.tr("Last\nactivity"),
        }
        self.compact_headers = compact_headers
        self._header_tips = {
            COL_NAME: self.tr("The group's name (the filter also searches its tags)."),
            COL_NETWORK: self.tr("Where the group lives."),
            COL_STATUS: self.tr("Your relation to the group."),
            COL_COST: self.tr("Money the group costs you per year (a one-off fee counts while pending)."),
            COL_EMAILS: self.tr("E-mails the group sends you per week."),
            COL_LAST_ACTIVITY: self.tr("The last time anything happened in the group."),
            COL_FLAGS: self.tr("Warning signs; point at a cell to read what each one means."),
        }
        for col, template in _SCORE_TOOLTIPS.items():
            self._header_tips[col] = explain(template)
        self._flag_sentences = {f: flag_sentence(f) for f in FLAG_ORDER}

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """Visible rows (none under a valid parent: this is a flat table)."""
        return 0 if parent.isValid() else len(self._d.vis)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        """The eleven columns."""
        return 0 if parent.isValid() else COLUMN_COUNT

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Formatted text, raw values, alignment, tooltips and flag colours."""
        if role not in _DATA_ROLES:
            return None
        col = index.column()
        if role == _ALIGNMENT_ROLE:
            return _RIGHT if col in _NUMERIC else _LEFT
        d = self._d
        row = d.base[d.vis[index.row()]]
        if role == _DISPLAY_ROLE:
            return self._display[col](row)
        if role == _SORT_ROLE:
            return getattr(row, _ATTRS[col])
        if role == _ID_ROLE:
            return row.id
        if role == _TOOLTIP_ROLE:
            return self._tooltip(row, col)
        if col == COL_FLAGS and row.flags:
            if role == _BACKGROUND_ROLE:
                return _SERIOUS_BG if any(f in SERIOUS_FLAGS for f in row.flags) else _MILD_BG
            if role == _FOREGROUND_ROLE:
                return _FLAG_FG
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles and their explanations."""
        if role not in _HEADER_ROLES or orientation != _HORIZONTAL or not 0 <= section < COLUMN_COUNT:
            return None
        if role == _DISPLAY_ROLE:
            if self.compact_headers:
                return self._compact.get(section, self._headers[section])
            return self._headers[section]
        if role == _TOOLTIP_ROLE:
            return self._header_tips.get(section)
        return _RIGHT if section in _NUMERIC else _LEFT

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        """Rows are selectable, never edited in place."""
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    def mimeTypes(self) -> list[str]:
        """Dragged rows are offered as GroupDesk CSV, text, a file and GroupDesk's own marker."""
        return list(DRAG_MIME_TYPES)

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged rows (each once, in view order) as a re-importable GroupDesk CSV."""
        from groupdesk.ui.import_flow import mime_data_for_rows

        rows = sorted({i.row() for i in indexes if i.isValid()})
        return mime_data_for_rows([self.row_at(r) for r in rows])

    def canDropMimeData(self, *args: Any) -> bool:
        """Nothing is dropped into the model itself: drops are imports (the window's import flow)."""
        return False

    def dropMimeData(self, *args: Any) -> bool:
        """See ``canDropMimeData``."""
        return False

    def _tooltip(self, row: GroupRow, col: int) -> str | None:
        # Tooltips are rich text when they look like it; anything with a group name is escaped.
        if col in _SCORE_TOOLTIPS:
            value = getattr(row, _ATTRS[col])
            shown = self.tr("not known yet") if value is None else f"{value:g}"
            return f"{self._headers[col]}: {shown}\n\n{self._header_tips[col]}"
        if col == COL_FLAGS:
            if not row.flags:
                return self.tr("No warning signs.")
            return "\n".join(self._flag_sentences.get(f, f) for f in row.flags)
        if col == COL_NAME:
            return plain_tooltip(row.name + (("\n" + self.tr("Tags: ") + row.tags) if row.tags else ""))
        if col == COL_COST and row.cost_per_year:
            return self.tr("Per year: ") + format_money(row.cost_per_year, row.currency)
        return None

    # ------------------------------------------------------------ sorting

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column``; unknown values (None) go last in both orders; ties keep their order.

        Persistent indexes (the selection, the current row) follow their groups.
        """
        if not 0 <= column < COLUMN_COUNT:
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        saved = self._save_persistent()
        d = self._d
        d.order = self._sorted_order(d, d.order)
        d.identity = False
        d.vis = self._filtered(d)
        self._restore_persistent(saved)
        self.layoutChanged.emit()

    def sort_column(self) -> int:
        """The column the rows are sorted by (-1 when unsorted)."""
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        """The current sort order."""
        return self._sort_order

    def _attr_keys(self, column: int, rows: list[GroupRow]) -> tuple[list[Any], int]:
        """Sort keys of an attribute column for ``rows``, None replaced by the stand-in; and how many."""
        attr = _ATTRS[column]
        if attr in LAZY_SCORES:
            # Score what is still pending, then read the stored values directly (no property calls).
            score_rows(rows)
            attr = "_" + attr
        raw = list(map(attrgetter(attr), rows))
        lowest = _LOWEST[column]
        nones = [k is None for k in raw].count(True)
        return ([lowest if k is None else k for k in raw] if nones else raw), nones

    def _sorted_order(self, d: _Data, order: list[int]) -> list[int]:
        """``order`` (indexes into ``d.base``) sorted by the current column and order."""
        column = self._sort_column
        if column < 0:
            return order
        keys = d.keys.get(column)
        if keys is None:
            # Keys are extracted on the first sort by a column (scores may still be pending).
            if column in _LOWEST:
                keys, d.nones[column] = self._attr_keys(column, d.base)
            else:
                keys = list(map(self._keys[column], d.base))
                d.nones[column] = 0
            d.keys[column] = keys
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        order.sort(key=keys.__getitem__, reverse=descending)
        nones = d.nones[column]
        if nones and not descending:
            # The stand-ins for None sorted first: move them last.
            order = order[nones:] + order[:nones]
        return order

    def _build(self, rows: Iterable[GroupRow]) -> _Data:
        """Everything for ``rows`` (ties keep their given order), sorted and filtered."""
        given = list(rows)
        addresses = list(map(id, given))
        perm = sorted(range(len(given)), key=addresses.__getitem__)
        d = _Data()
        d.base = base = list(map(given.__getitem__, perm))
        order = [0] * len(perm)
        for position, index in enumerate(perm):
            order[index] = position
        texts = [r.search_text or "" for r in base]
        copied = "\0".join(texts).split("\0")
        d.search = copied if len(copied) == len(texts) else texts
        if all(r.scored for r in base):
            # Scores known (rows from an edit, or scored in idle time): sort keys now, while the
            # rows are being set, so that a click on a column header only sorts.
            for column in _ATTR_COLUMNS:
                d.keys[column], d.nones[column] = self._attr_keys(column, base)
        d.order = self._sorted_order(d, order)
        d.identity = self._sort_column < 0 and d.order == list(range(len(d.order)))
        d.vis = self._filtered(d)
        return d

    def _save_persistent(self) -> list[tuple[QPersistentModelIndex, int, int]]:
        saved = []
        base, vis = self._d.base, self._d.vis
        for index in self.persistentIndexList():
            if index.isValid() and index.row() < len(vis):
                saved.append((index, base[vis[index.row()]].id, index.column()))
        return saved

    def _restore_persistent(self, saved: list[tuple[QPersistentModelIndex, int, int]]) -> None:
        if not saved:
            return
        base, vis = self._d.base, self._d.vis
        if len(saved) > 32:
            position = {base[b].id: i for i, b in enumerate(vis)}.get
        else:
            wanted = {gid for _, gid, _ in saved}
            found: dict[int, int] = {}
            for i, b in enumerate(vis):
                gid = base[b].id
                if gid in wanted:
                    found[gid] = i
                    if len(found) == len(wanted):
                        break
            position = found.get
        old, new = [], []
        for index, gid, col in saved:
            pos = position(gid)
            old.append(QModelIndex(index))
            new.append(QModelIndex() if pos is None else self.createIndex(pos, col))
        self.changePersistentIndexList(old, new)

    # ------------------------------------------------------------ filtering

    def set_filter(
        self,
        text: str = "",
        network: str | None = None,
        status: str | None = None,
        flag: str | None = None,
    ) -> None:
        """Show only rows whose name or tags contain ``text`` (case-insensitive) and that match
        ``network``, ``status`` and ``flag`` (``ANY_FLAG`` = any flag at all); None = no condition."""
        new = (text.casefold(), network or None, status or None, flag or None)
        if new == self._filter:
            return
        self.beginResetModel()
        self._filter = new
        self._d.vis = self._filtered(self._d)
        self.endResetModel()

    def current_filter(self) -> tuple[str, str | None, str | None, str | None]:
        """(text casefolded, network, status, flag) in force."""
        return self._filter

    def is_filtered(self) -> bool:
        """Whether any filter condition is in force."""
        return self._filter != _NO_FILTER

    def _filtered(self, d: _Data) -> list[int]:
        """The indexes of ``d.order`` that pass the filter, in order (a new list)."""
        text, network, status, flag = self._filter
        order = d.order
        if not text and network is None and status is None and flag is None:
            return list(order)
        base = d.base
        # Test in base order (memory order: fast), then pick the indexes in sort order.
        keep = [text in s for s in d.search] if text else [True] * len(base)
        if network is not None:
            keep = [k and r.network == network for k, r in zip(keep, base, strict=True)]
        if status is not None:
            keep = [k and r.status == status for k, r in zip(keep, base, strict=True)]
        if flag == ANY_FLAG:
            keep = [k and bool(r.flags) for k, r in zip(keep, base, strict=True)]
        elif flag is not None:
            keep = [k and flag in r.flags for k, r in zip(keep, base, strict=True)]
        if d.identity:
            return list(compress(order, keep))
        return list(compress(order, map(keep.__getitem__, order)))

    # ------------------------------------------------------------ rows

    def row_at(self, view_row: int) -> GroupRow:
        """The group shown at ``view_row``."""
        return self._d.base[self._d.vis[view_row]]

    def view_row_of(self, group_id: int) -> int:
        """The view row showing ``group_id``, or -1 when it is filtered out or unknown."""
        index = self._d.positions().get(group_id)
        if index is None:
            return -1
        try:
            return self._d.vis.index(index)
        except ValueError:
            return -1

    def row_by_id(self, group_id: int) -> GroupRow | None:
        """The row of ``group_id`` (shown or filtered out), or None."""
        index = self._d.positions().get(group_id)
        return None if index is None else self._d.base[index]

    def rows(self) -> list[GroupRow]:
        """Every row (filtered or not), in the current sort order."""
        return list(map(self._d.base.__getitem__, self._d.order))

    def visible_rows(self) -> list[GroupRow]:
        """The rows that pass the filter, in view order."""
        return list(map(self._d.base.__getitem__, self._d.vis))

    def pending_score_rows(self, limit: int) -> list[GroupRow]:
        """Up to ``limit`` rows whose scores are not computed yet (for scoring in idle time)."""
        start = self._pending_from
        base = self._d.base
        out: list[GroupRow] = []
        while start < len(base) and len(out) < limit:
            row = base[start]
            if not row.scored:
                out.append(row)
            start += 1
        self._pending_from = start
        return out

    def visible_count(self) -> int:
        """How many rows pass the filter."""
        return len(self._d.vis)

    def total_count(self) -> int:
        """How many rows there are in all."""
        return len(self._d.base)

    def set_rows(self, rows: Iterable[GroupRow]) -> None:
        """Replace every row, keeping the sort order and the filter."""
        d = self._build(rows)
        self.beginResetModel()
        self._d = d
        self._pending_from = 0
        self.endResetModel()

    def refresh_rows(self, updated: Iterable[GroupRow]) -> None:
        """Replace rows by id (adding those not yet present), keeping sort, filter and selection."""
        updated = list(updated)
        if not updated:
            return
        old = self._d
        d = old.copy()
        positions = d.positions()
        new_indexes = []
        for row in updated:
            index = positions.get(row.id)
            if index is None:
                index = positions[row.id] = len(d.base)
                d.base.append(row)
                d.search.append(row.search_text or "")
                for keys in d.keys.values():
                    keys.append(None)
                new_indexes.append(index)
            else:
                d.base[index] = row
                d.search[index] = row.search_text or ""
            for column, keys in d.keys.items():
                if column in _LOWEST:
                    (key,), none = self._attr_keys(column, [row])
                    if keys[index] is _LOWEST[column]:
                        d.nones[column] -= 1
                    d.nones[column] += none
                else:
                    key = self._keys[column](row)
                keys[index] = key
        d.order = self._sorted_order(d, d.order + new_indexes)
        d.identity = False
        d.vis = self._filtered(d)
        if len(d.vis) == len(old.vis) and set(d.vis) == set(old.vis):
            # The same rows shown, maybe in another order: a layout change keeps the selection.
            self.layoutAboutToBeChanged.emit()
            saved = self._save_persistent()
            self._d = d
            self._restore_persistent(saved)
            self.layoutChanged.emit()
            return
        # Rows appear or disappear: views re-read everything (the window restores the selection).
        self.beginResetModel()
        self._d = d
        self.endResetModel()

    def remove_ids(self, ids: Iterable[int]) -> None:
        """Remove the rows of these group ids (e.g. after a delete); the rest keep their places."""
        gone = set(ids)
        if not gone:
            return
        d = self._d
        base, vis = d.base, d.vis
        remaining = [r for r in map(base.__getitem__, d.order) if r.id not in gone]
        positions = [i for i, b in enumerate(vis) if base[b].id in gone]
        # Remove contiguous blocks from the bottom up so the positions stay right.
        blocks: list[list[int]] = []
        for pos in reversed(positions):
            if blocks and blocks[-1][0] == pos + 1:
                blocks[-1][0] = pos
            else:
                blocks.append([pos, pos])
        for first, last in blocks:
            self.beginRemoveRows(QModelIndex(), first, last)
            del vis[first : last + 1]
            self.endRemoveRows()
        # Rebuild around the remaining rows: sort and filter give the same view rows as now.
        self._d = self._build(remaining)
        self._pending_from = 0
