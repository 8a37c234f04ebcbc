"""The main window over a real store: add, edit, delete, bulk status and log contribution, each
with undo and redo; sorting by header click; the filter bar; the empty state; the detail panel;
plain-text names; remembered layout."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QDialog, QLabel, QMessageBox

from groupdesk.store import repository
from groupdesk.ui.table_model import COL_NAME, COL_VALUE, SORT_ROLE
from tests.gui.conftest import TODAY, add_group

MARKUP_NAME = '<b>Growth</b> & "Hackers"'


def shown_names(window) -> list[str]:
    m = window.model
    return [m.row_at(i).name for i in range(m.rowCount())]


def select(window, *names: str) -> None:
    ids = [r.id for r in window.model.rows() if r.name in names]
    window.select_ids(ids)


def click_header(qtbot, window, col: int) -> None:
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def fill_group_dialog(qtbot, name: str, **fields):
    """A dialog step: type the name, set other fields, press OK."""

    def step(dialog):
        edit = dialog.widget("name")
        edit.selectAll()
        qtbot.keyClicks(edit, name)
        for key, value in fields.items():
            dialog.set_field(key, value)
        assert dialog.ok_button.isEnabled(), dialog.errors()
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    return step


def cancel(dialog: QDialog) -> None:
    dialog.reject()


@pytest.fixture
def three(store):
    """Three groups: one rated high, one low, one unrated."""
    return {
        "Python Users": add_group("Python Users", network="meetup", value_to_me=5, value_from_me=4),
        "Crypto Signals": add_group(
            "Crypto Signals", network="telegram", value_to_me=1, value_from_me=0, spam_level=3
        ),
        "Book Club": add_group("Book Club", network="offline", status="invited"),
    }


# ------------------------------------------------------------------ add / edit / delete


def test_add_group_through_the_dialog_then_undo_and_redo(qtbot, make_window, driver, three):
    window = make_window()
    driver.then(fill_group_dialog(qtbot, "Chess Club", network="offline", value_to_me=4, value_from_me=3))
    gid = window.add_group()
    assert gid is not None
    assert repository.group_values(gid)["network"] == "offline"
    assert "Chess Club" in shown_names(window)
    assert window.selected_ids() == [gid]
    assert window.detail.title.text() == "Chess Club"

    window.action_undo.trigger()
    assert repository.group_count() == 3
    assert "Chess Club" not in shown_names(window)

    window.action_redo.trigger()
    assert repository.group_values(gid)["name"] == "Chess Club"
    assert "Chess Club" in shown_names(window)


def test_cancelled_add_changes_nothing(make_window, driver, three):
    window = make_window()
    driver.then(cancel)
    assert window.add_group() is None
    assert repository.group_count() == 3
    assert not window.undo_stack.canUndo()


def test_edit_group_then_undo_and_redo(qtbot, make_window, driver, three):
    window = make_window()
    select(window, "Book Club")

    def step(dialog):
        assert dialog.widget("name").text() == "Book Club"
        dialog.set_field("status", "member")
        edit = dialog.widget("name")
        edit.clear()
        qtbot.keyClicks(edit, "Book Club De Pijp")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    driver.then(step)
    assert window.edit_group()
    gid = three["Book Club"]
    assert repository.group_values(gid)["name"] == "Book Club De Pijp"
    assert repository.group_values(gid)["status"] == "member"
    assert "Book Club De Pijp" in shown_names(window)
    assert window.selected_ids() == [gid]  # the edited row stays selected

    window.undo_stack.undo()
    assert repository.group_values(gid)["name"] == "Book Club"
    assert repository.group_values(gid)["status"] == "invited"
    assert "Book Club" in shown_names(window)
    window.undo_stack.redo()
    assert repository.group_values(gid)["name"] == "Book Club De Pijp"


def test_double_click_opens_the_editor(qtbot, make_window, driver, three):
    window = make_window()
    row = shown_names(window).index("Python Users")
    rect = window.table.visualRect(window.model.index(row, COL_NAME))
    driver.then(cancel)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert len(driver.seen) == 1 and driver.seen[0].widget("name").text() == "Python Users"


def test_delete_one_group_then_undo_brings_back_its_contributions(make_window, three):
    gid = three["Python Users"]
    repository.add_contribution(gid, date(2025, 5, 20), "answer", "helped with packaging")
    window = make_window()
    select(window, "Python Users")
    window.action_delete.trigger()  # one group: no question, undo is the safety net
    assert repository.group_count() == 2
    assert "Python Users" not in shown_names(window)

    window.action_undo.trigger()
    assert repository.group_values(gid)["name"] == "Python Users"
    assert [c["note"] for c in repository.contributions(gid)] == ["helped with packaging"]
    assert window.selected_ids() == [gid]

    window.action_redo.trigger()
    assert repository.group_count() == 2


def test_deleting_several_asks_first(make_window, driver, three):
    window = make_window()
    select(window, "Python Users", "Book Club")

    def refuse(box: QMessageBox) -> None:
        assert box.textFormat() == Qt.TextFormat.PlainText
        assert "Python Users" in box.text() and "Book Club" in box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()

    driver.then(refuse)
    assert window.delete_selected() == 0
    assert repository.group_count() == 3

    def confirm(box: QMessageBox) -> None:
        [delete] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
        delete.click()

    driver.then(confirm)
    assert window.delete_selected() == 2
    assert shown_names(window) == ["Crypto Signals"]
    window.undo_stack.undo()
    assert sorted(shown_names(window)) == ["Book Club", "Crypto Signals", "Python Users"]


# ------------------------------------------------------------------ sort and filter


def test_clicking_the_value_header_sorts_numerically_with_unknown_last(qtbot, make_window, three):
    add_group("Zero Value", value_to_me=0, value_from_me=5)
    window = make_window()
    click_header(qtbot, window, COL_VALUE)
    first = [window.model.index(i, COL_VALUE).data(SORT_ROLE) for i in range(4)]
    click_header(qtbot, window, COL_VALUE)
    second = [window.model.index(i, COL_VALUE).data(SORT_ROLE) for i in range(4)]
    ascending, descending = sorted([first, second], key=lambda v: v[0] if v[0] is not None else -1)
    assert ascending[0] == 0.0 and ascending[-1] is None
    assert descending[0] > descending[1] >= descending[2] and descending[-1] is None
    assert shown_names(window)[-1] == "Book Club"  # unrated: last either way


def test_filter_bar_text_network_status_flag(qtbot, make_window, three):
    window = make_window()
    qtbot.keyClicks(window.filter_edit, "py")
    assert shown_names(window) == ["Python Users"]
    assert window.count_label.text() == "1 of 3 groups shown"
    window.filter_edit.clear()
    assert len(shown_names(window)) == 3

    window.network_combo.setCurrentIndex(window.network_combo.findData("telegram"))
    assert shown_names(window) == ["Crypto Signals"]
    window.clear_filters()
    window.status_combo.setCurrentIndex(window.status_combo.findData("invited"))
    assert shown_names(window) == ["Book Club"]
    window.clear_filters()
    window.flag_combo.setCurrentIndex(window.flag_combo.findData("spam"))
    assert shown_names(window) == ["Crypto Signals"]
    window.action_clear_filters.trigger()
    assert len(shown_names(window)) == 3 and window.filter_edit.text() == ""


def test_filter_keeps_the_selection_of_rows_still_shown(qtbot, make_window, three):
    window = make_window()
    select(window, "Python Users")
    qtbot.keyClicks(window.filter_edit, "p")
    assert window.selected_ids() == [three["Python Users"]]


# ------------------------------------------------------------------ bulk status, contributions


def test_bulk_status_change_is_one_undo_step(make_window, three):
    window = make_window()
    select(window, "Python Users", "Crypto Signals")
    window.status_actions["muted"].trigger()
    assert {repository.group_values(g)["status"] for g in three.values()} == {"muted", "invited"}
    assert window.undo_stack.undoText().startswith("Set 2 group")

    window.action_undo.trigger()
    assert repository.group_values(three["Python Users"])["status"] == "member"
    assert repository.group_values(three["Crypto Signals"])["status"] == "member"
    window.action_redo.trigger()
    assert repository.group_values(three["Crypto Signals"])["status"] == "muted"
    statuses = {window.model.row_by_id(g).status for g in (three["Python Users"], three["Crypto Signals"])}
    assert statuses == {"muted"}


def test_log_contribution_then_undo(qtbot, make_window, driver, three):
    gid = three["Python Users"]
    window = make_window()
    select(window, "Python Users")
    before = window.model.row_by_id(gid).participation

    def step(dialog):
        assert dialog.group_label.text() == "Python Users"
        assert dialog.date_edit.date().toPython() == TODAY
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("answer"))
        qtbot.keyClicks(dialog.note_edit, "explained virtualenvs")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    driver.then(step)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L
    [c] = repository.contributions(gid)
    assert (c["kind"], c["note"], c["date"]) == ("answer", "explained virtualenvs", TODAY)
    assert window.model.row_by_id(gid).participation > before
    assert window.detail.contributions.topLevelItemCount() == 1
    assert window.detail.contributions.topLevelItem(0).text(2) == "explained virtualenvs"

    window.action_undo.trigger()
    assert repository.contributions(gid) == []
    assert window.model.row_by_id(gid).participation == before
    assert window.detail.contributions.topLevelItemCount() == 0
    window.action_redo.trigger()
    assert len(repository.contributions(gid)) == 1


# ------------------------------------------------------------------ empty state, detail, plain text


def test_empty_state_offers_add_and_demo(qtbot, make_window, driver, store):
    window = make_window()
    assert window.stack.currentWidget() is window.empty_page
    assert window.empty_add_button.isVisible() and window.empty_demo_button.isVisible()

    driver.then(fill_group_dialog(qtbot, "First Group"))
    qtbot.mouseClick(window.empty_add_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.table_page
    assert shown_names(window) == ["First Group"]
    window.undo_stack.undo()
    assert window.stack.currentWidget() is window.empty_page

    qtbot.mouseClick(window.empty_demo_button, Qt.MouseButton.LeftButton)
    count = repository.group_count()
    assert count >= 30
    assert window.model.total_count() == count
    assert window.stack.currentWidget() is window.table_page
    assert window.detail_dock.isVisible()
    window.undo_stack.undo()  # the whole demo is one undo step
    assert repository.group_count() == 0
    assert window.stack.currentWidget() is window.empty_page


def test_detail_panel_shows_facts_flags_journal(make_window, store):
    gid = add_group(
        "Growth Hackers Unite",
        network="linkedin",
        how_joined="added_by_someone",
        invited_by="Mark",
        invite_personal=False,
        value_to_me=1,
        value_from_me=1,
        spam_level=2,
        cost_amount=10,
        cost_period="month",
        currency="EUR",
        notes="Mostly <i>pitches</i>",
    )
    repository.add_contribution(gid, date(2025, 5, 1), "comment", "asked a question")
    from groupdesk.store.models import Decision, Invite

    Decision.create(group=gid, action="mute", reasons='["spam"]', note="too many pitches")
    Invite.create(
        group=gid, inviter="Mark <mark@example.org>", channel="email", subject="Join us!", personal=False
    )
    window = make_window()
    d = window.detail
    assert "Select a group" in d.placeholder.text()
    select(window, "Growth Hackers Unite")
    assert d.group_id == gid and d.title.text() == "Growth Hackers Unite"
    assert d.subtitle.text() == "LinkedIn · Member"
    assert d.fact_text("cost") == "10 EUR (per month), 120 EUR a year"
    assert d.fact_text("how_joined") == "Added by someone (by Mark)"
    assert d.fact_text("notes") == "Mostly <i>pitches</i>"
    flags = " ".join(d.flag_texts())
    assert "Spam: mostly spam" in flags and "Unasked" in flags and "Mass invitation" in flags
    assert d.contributions.topLevelItem(0).text(1) == "Comment"
    assert d.journal.tabText(0) == "Contributions (1)"
    assert d.journal.tabText(1) == "Decisions (1)" and d.journal.tabText(2) == "Invitations (1)"
    decision = d.decisions.topLevelItem(0)
    assert decision.text(1) == "Mute" and decision.text(3) == "too many pitches" and decision.text(2)
    invite = d.invites.topLevelItem(0)
    assert (
        invite.text(1) == "Mark <mark@example.org>"
        and invite.text(3) == "no"
        and invite.text(4) == "Join us!"
    )
    window.select_ids([])
    assert d.group_id is None


def test_markup_in_a_name_is_shown_literally(make_window, store):
    add_group(MARKUP_NAME, notes="<script>x</script>")
    window = make_window()
    assert shown_names(window) == [MARKUP_NAME]
    assert window.model.index(0, COL_NAME).data() == MARKUP_NAME
    select(window, MARKUP_NAME)
    assert window.detail.title.text() == MARKUP_NAME
    for label in window.detail.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText, label.text()
    assert "&&" in window.undo_stack.undoText() or window.undo_stack.count() == 0
    window.set_status_of_selected("muted")
    window.action_undo.trigger()
    assert repository.group_values(window.model.row_at(0).id)["name"] == MARKUP_NAME


def test_undo_text_escapes_ampersands(qtbot, make_window, driver, store):
    window = make_window()
    driver.then(fill_group_dialog(qtbot, "Tea & Cake"))
    window.add_group()
    assert window.undo_stack.undoText() == "Add “Tea && Cake”"


def test_context_menu_offers_the_row_actions(qtbot, make_window, three):
    window = make_window()
    row = shown_names(window).index("Book Club")
    pos = window.table.visualRect(window.model.index(row, COL_NAME)).center()
    menu = window.build_context_menu(pos)  # what a right click pops up
    texts = [a.text() for a in menu.actions()]
    assert window.action_edit.text() in texts and window.action_delete.text() in texts
    assert window.status_menu.menuAction() in menu.actions()
    assert window.selected_ids() == [three["Book Club"]]
    assert window.action_edit.isEnabled() and window.action_log.isEnabled()


def test_status_bar_totals(make_window, store):
    add_group("Paid", cost_amount=10, cost_period="month", currency="EUR", emails_per_week=3)
    add_group("Paid too", cost_amount=50, cost_period="year", currency="USD", emails_per_week=2.5)
    add_group("Invite", status="invited", emails_per_week=100)
    add_group("Gone", status="left", cost_amount=99, cost_period="year", currency="EUR")
    window = make_window()
    text = window.totals_label.text()
    assert "2 memberships" in text and "1 pending invitation" in text
    assert "120 EUR + 50 USD a year" in text
    assert "6 e-mails a week" in text  # 5.5 rounded; the invitation's mail does not count


# ------------------------------------------------------------------ settings, decision hook


def test_window_layout_round_trips_through_settings(qtbot, make_window, tmp_path, three):
    path = tmp_path / "layout.ini"
    first = make_window(settings=QSettings(str(path), QSettings.Format.IniFormat))
    first.resize(700, 500)  # within the offscreen screen (800×600)
    first.table.horizontalHeader().resizeSection(COL_NAME, 333)
    first.table.sortByColumn(COL_VALUE, Qt.SortOrder.DescendingOrder)
    first.detail_dock.hide()
    first.save_state()
    assert path.exists()

    second = make_window(settings=QSettings(str(path), QSettings.Format.IniFormat))
    header = second.table.horizontalHeader()
    assert header.sectionSize(COL_NAME) == 333
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (
        COL_VALUE,
        Qt.SortOrder.DescendingOrder,
    )
    assert second.model.sort_column() == COL_VALUE
    assert shown_names(second)[0] == "Python Users"
    assert not second.detail_dock.isVisible()
    assert second.size().width() == 700


def test_broken_settings_fall_back_to_defaults(make_window, tmp_path, three):
    path = tmp_path / "broken.ini"
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.setValue("main_window/header", b"garbage")
    settings.setValue("main_window/geometry", b"garbage")
    window = make_window(settings=settings)
    assert window.model.sort_column() == COL_NAME
    assert shown_names(window) == sorted(shown_names(window), key=str.casefold)


def test_decision_dialog_hook(qtbot, make_window, driver, three):
    window = make_window()
    assert window.action_decide.isVisible()  # the built-in join wizard / review until replaced
    opened = []

    def factory(parent, group_id):
        opened.append(group_id)
        return QDialog(parent)

    window.set_decision_dialog_factory(factory)
    assert window.action_decide.isVisible()
    select(window, "Book Club")
    driver.then(lambda d: d.accept())
    assert window.open_decision_dialog()
    assert opened == [three["Book Club"]]
