"""The table model on its own: it sorts (nulls last both ways), filters, refreshes and removes rows
itself, keeps the selection through a sort, and formats what the view shows."""

from __future__ import annotations

import random
from datetime import date

import pytest
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

from groupdesk.store.repository import GroupRow
from groupdesk.ui.table_model import (
    ANY_FLAG,
    COL_COST,
    COL_FLAGS,
    COL_LAST_ACTIVITY,
    COL_NAME,
    COL_NETWORK,
    COL_STATUS,
    COL_VALUE,
    COLUMN_COUNT,
    ID_ROLE,
    SORT_ROLE,
    GroupTableModel,
)

ASC, DESC = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def row(gid: int, name: str, **kw) -> GroupRow:
    """A table row with sensible defaults."""
    values = {
        "id": gid,
        "name": name,
        "network": "slack",
        "status": "member",
        "value": None,
        "activity": None,
        "group_activity": None,
        "participation": None,
        "cost_per_year": 0.0,
        "currency": None,
        "emails_per_week": None,
        "hours_per_month": None,
        "last_activity": None,
        "last_contribution": None,
        "flags": (),
        "tags": None,
    }
    values.update(kw)
    values["search_text"] = f"{values['name']}\n{values['tags'] or ''}".casefold()
    return GroupRow(**values)


def names(model: GroupTableModel) -> list[str]:
    return [model.row_at(i).name for i in range(model.rowCount())]


def values_in_view(model: GroupTableModel, col: int) -> list:
    return [model.index(i, col).data(SORT_ROLE) for i in range(model.rowCount())]


@pytest.fixture
def rows() -> list[GroupRow]:
    return [
        row(1, "Bravo", value=40.0, network="discord", last_activity=date(2025, 1, 5)),
        row(2, "alpha", value=None, network="slack", tags="python, local"),
        row(3, "Charlie", value=90.5, network="discord", flags=("dead", "spam"), status="invited"),
        row(4, "delta", value=0.0, network="reddit", flags=("lurking",), last_activity=date(2024, 3, 1)),
        row(5, "Echo", value=None, network="slack", cost_per_year=120.0, currency="EUR"),
        row(6, "Foxtrot", value=40.0, network="meetup", status="left"),
    ]


def test_sort_by_value_puts_unknown_last_in_both_orders(qtmodeltester, rows):
    model = GroupTableModel(rows)
    model.sort(COL_VALUE, ASC)
    assert values_in_view(model, COL_VALUE) == [0.0, 40.0, 40.0, 90.5, None, None]
    model.sort(COL_VALUE, DESC)
    assert values_in_view(model, COL_VALUE) == [90.5, 40.0, 40.0, 0.0, None, None]
    qtmodeltester.check(model)


def test_sort_is_stable_ties_keep_the_previous_order(rows):
    model = GroupTableModel(rows)
    model.sort(COL_NAME, DESC)
    model.sort(COL_VALUE, DESC)
    # Bravo and Foxtrot tie on 40: the previous (name, descending) order decides.
    assert names(model)[1:3] == ["Foxtrot", "Bravo"]
    model.sort(COL_NAME, ASC)
    model.sort(COL_VALUE, ASC)
    assert names(model)[1:3] == ["Bravo", "Foxtrot"]


def test_sort_by_name_ignores_case_and_by_date_puts_unknown_last(rows):
    model = GroupTableModel(rows)
    model.sort(COL_NAME, ASC)
    assert names(model) == ["alpha", "Bravo", "Charlie", "delta", "Echo", "Foxtrot"]
    model.sort(COL_LAST_ACTIVITY, ASC)
    assert values_in_view(model, COL_LAST_ACTIVITY)[:2] == [date(2024, 3, 1), date(2025, 1, 5)]
    assert values_in_view(model, COL_LAST_ACTIVITY)[2:] == [None] * 4
    model.sort(COL_LAST_ACTIVITY, DESC)
    assert values_in_view(model, COL_LAST_ACTIVITY)[:2] == [date(2025, 1, 5), date(2024, 3, 1)]


def test_sort_by_flags_status_network(rows):
    model = GroupTableModel(rows)
    model.sort(COL_FLAGS, DESC)
    assert names(model)[:2] == ["Charlie", "delta"]
    model.sort(COL_STATUS, ASC)
    assert model.row_at(0).status == "invited" and model.row_at(5).status == "left"
    model.sort(COL_NETWORK, ASC)
    assert [model.row_at(i).network for i in range(6)] == sorted(r.network for r in rows)


def test_sort_matches_a_plain_sorted_on_many_random_rows():
    rnd = random.Random(3)
    many = [row(i, f"g{i}", value=rnd.choice([None, *range(0, 101, 7)])) for i in range(2000)]
    rnd.shuffle(many)
    model = GroupTableModel(many)
    model.sort(COL_VALUE, DESC)
    known = sorted((r.value for r in many if r.value is not None), reverse=True)
    assert values_in_view(model, COL_VALUE) == known + [None] * (len(many) - len(known))


def test_filter_by_text_network_status_flag(rows):
    model = GroupTableModel(rows)
    model.sort(COL_NAME, ASC)
    model.set_filter(text="HA")  # case-insensitive, name or tags
    assert names(model) == ["alpha", "Charlie"]
    model.set_filter(text="python")  # tags
    assert names(model) == ["alpha"]
    model.set_filter(network="discord")
    assert names(model) == ["Bravo", "Charlie"]
    model.set_filter(status="left")
    assert names(model) == ["Foxtrot"]
    model.set_filter(flag="lurking")
    assert names(model) == ["delta"]
    model.set_filter(flag=ANY_FLAG)
    assert names(model) == ["Charlie", "delta"]
    model.set_filter(text="ch", network="slack")
    assert names(model) == ["Echo"]
    assert model.visible_count() == 1 and model.total_count() == 6
    model.set_filter()
    assert model.visible_count() == 6 and not model.is_filtered()


def test_filter_survives_sorting_and_sorting_survives_filter(rows):
    model = GroupTableModel(rows)
    model.set_filter(text="o")  # Bravo, alpha (tags: python, local), Echo, Foxtrot
    model.sort(COL_VALUE, DESC)
    assert names(model) == ["Bravo", "Foxtrot", "alpha", "Echo"]
    model.set_filter(text="")
    assert values_in_view(model, COL_VALUE) == [90.5, 40.0, 40.0, 0.0, None, None]


def test_sort_keeps_selected_rows_selected(qtbot, rows):
    model = GroupTableModel(rows)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.sort(COL_NAME, ASC)
    sm = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    sm.select(model.index(0, 0), flags)  # alpha
    sm.select(model.index(4, 0), flags)  # Echo
    current = QPersistentModelIndex(model.index(4, 0))
    model.sort(COL_VALUE, DESC)
    selected = sorted(model.row_at(i.row()).name for i in sm.selectedRows())
    assert selected == ["Echo", "alpha"]
    assert model.row_at(current.row()).name == "Echo"


def test_refresh_rows_replaces_by_id_and_resorts(rows):
    model = GroupTableModel(rows)
    model.sort(COL_VALUE, DESC)
    model.refresh_rows([row(2, "alpha", value=99.0, tags="python, local")])
    assert names(model)[0] == "alpha"
    model.refresh_rows([row(7, "Golf", value=50.0)])  # a new group
    assert model.total_count() == 7
    assert names(model)[:3] == ["alpha", "Charlie", "Golf"]
    model.set_filter(text="golf")
    model.refresh_rows([row(7, "Hotel", value=50.0)])  # no longer matches the filter
    assert model.visible_count() == 0
    model.set_filter()
    assert "Hotel" in names(model)


def test_remove_ids_keeps_the_rest_in_place(qtbot, rows):
    model = GroupTableModel(rows)
    model.sort(COL_NAME, ASC)
    with qtbot.waitSignal(model.rowsRemoved):
        model.remove_ids([2, 4])
    assert names(model) == ["Bravo", "Charlie", "Echo", "Foxtrot"]
    model.sort(COL_VALUE, DESC)
    assert names(model) == ["Charlie", "Bravo", "Foxtrot", "Echo"]
    assert model.row_by_id(2) is None and model.view_row_of(6) == 2


def test_display_alignment_and_tooltips(rows):
    model = GroupTableModel(rows)
    model.sort(COL_NAME, ASC)
    r = {model.row_at(i).name: i for i in range(6)}
    charlie, echo = r["Charlie"], r["Echo"]
    assert model.index(charlie, COL_VALUE).data() == "90"  # Value as an integer
    assert model.index(echo, COL_VALUE).data() == "–"  # unknown
    assert model.index(echo, COL_COST).data() == "120 EUR"
    assert model.index(r["Bravo"], COL_LAST_ACTIVITY).data() == "2025-01-05"
    assert model.index(charlie, COL_FLAGS).data() == "dead, spam"
    assert model.index(charlie, COL_NETWORK).data() == "Discord"
    assert model.index(charlie, COL_STATUS).data() == "Invited"
    assert model.index(charlie, COL_NAME).data(ID_ROLE) == 3
    right = model.index(charlie, COL_VALUE).data(Qt.ItemDataRole.TextAlignmentRole)
    assert right & Qt.AlignmentFlag.AlignRight
    assert "geometric mean" in model.index(charlie, COL_VALUE).data(Qt.ItemDataRole.ToolTipRole)
    flags_tip = model.index(charlie, COL_FLAGS).data(Qt.ItemDataRole.ToolTipRole)
    assert "Dead: no group activity" in flags_tip and "Spam" in flags_tip
    assert model.index(charlie, COL_FLAGS).data(Qt.ItemDataRole.BackgroundRole) is not None
    assert model.headerData(COL_VALUE, Qt.Orientation.Horizontal) == "Value"
    assert model.columnCount() == COLUMN_COUNT == 11


def test_name_tooltip_escapes_markup():
    model = GroupTableModel([row(1, '<b>Growth</b> & "Hackers"')])
    assert model.index(0, COL_NAME).data() == '<b>Growth</b> & "Hackers"'
    tip = model.index(0, COL_NAME).data(Qt.ItemDataRole.ToolTipRole)
    assert "<b>Growth" not in tip and "&lt;b&gt;Growth&lt;/b&gt; &amp;" in tip


def test_model_passes_qt_model_tester(qtmodeltester, rows):
    model = GroupTableModel(rows)
    model.sort(COL_VALUE, DESC)
    model.set_filter(network="slack")
    qtmodeltester.check(model)


def test_unsorted_model_keeps_the_given_order_when_filtering(rows):
    given = list(reversed(rows))  # not the order the row objects were made in
    model = GroupTableModel(given)
    assert names(model) == [r.name for r in given]
    model.set_filter(text="a")
    assert names(model) == [r.name for r in given if "a" in r.search_text]
    model.set_filter(flag=ANY_FLAG)
    assert names(model) == ["delta", "Charlie"]
