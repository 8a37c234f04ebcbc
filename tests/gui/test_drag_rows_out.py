"""Rows dragged out of the table carry a GroupDesk CSV that imports back losslessly."""

from __future__ import annotations

from groupdesk.importers import native
from groupdesk.ui.table_model import COL_NAME, COL_VALUE
from tests.gui.conftest import add_group


def test_selected_rows_drag_out_as_csv_in_view_order(make_window):
    add_group("Book Club", network="offline", tags="books")
    add_group('<b>Growth</b> & "Hackers"', network="facebook", value_to_me=2, value_from_me=2)
    add_group("Zine Makers", network="forum")
    window = make_window()
    model = window.model
    assert window.table.dragEnabled()
    assert "text/csv" in model.mimeTypes()
    indexes = [model.index(r, c) for r in (2, 0) for c in (COL_NAME, COL_VALUE)]  # duplicates per row
    mime = model.mimeData(indexes)
    data = bytes(mime.data("text/csv"))
    records = native.read(data, "dragged.csv").records
    assert [r.name for r in records] == [model.row_at(0).name, model.row_at(2).name]
    assert {r.name for r in records} == {'<b>Growth</b> & "Hackers"', "Zine Makers"}
    assert mime.text().startswith(data.decode("utf-8-sig").splitlines()[0])
