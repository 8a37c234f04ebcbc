"""The clean-up review driven with one-key actions on a real store: decisions, statuses, undo, progress."""

from __future__ import annotations

import json
from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication

from groupdesk.store import repository as repo
from groupdesk.store.models import Decision, Group
from groupdesk.ui.dialogs.triage import TriageDialog

TODAY = date(2025, 3, 14)
K = Qt.Key


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def member(name: str, status: str = "member", **kw) -> int:
    base = {"name": name, "status": status, "joined_on": ago(400), "last_group_activity": ago(1)}
    return repo.create_group({**base, **kw})


def status_of(gid: int) -> str:
    return Group.get_by_id(gid).status


def decisions(gid: int) -> list[dict]:
    return list(Decision.select().where(Decision.group == gid).order_by(Decision.id).dicts())


def open_review(qtbot, stack: QUndoStack, **kw) -> TriageDialog:
    dialog = TriageDialog(stack, TODAY, **kw)
    qtbot.addWidget(dialog)
    with qtbot.waitActive(dialog):
        dialog.show()
        dialog.activateWindow()
    return dialog


def press(qtbot, dialog: TriageDialog, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard focus is (the dialog itself when nothing inside has it)."""
    qtbot.keyClick(QApplication.focusWidget() or dialog, key, modifier)


def test_one_key_actions_journal_decisions_and_set_statuses(qtbot, store) -> None:
    # Worst first: dead and spam, then dead, then low value, then a healthy one.
    dead_spam = member(
        "Dead spam", value_from_me=1, value_to_me=1, spam_level=3, last_group_activity=ago(300)
    )
    dead = member("Dead", value_from_me=2, value_to_me=2, last_group_activity=ago(200))
    low = member("Low", value_from_me=1, value_to_me=2)
    good = member("Good", value_from_me=4, value_to_me=4)
    repo.add_contribution(good, ago(3))
    repo.create_group({"name": "Invite", "status": "invited"})  # not a membership
    stack = QUndoStack()
    dialog = open_review(qtbot, stack)
    assert dialog.queue == [dead_spam, dead, low, good]
    assert dialog.progress.text() == "0 of 4 reviewed"
    assert dialog.title.text() == "Dead spam"
    assert dialog.recommendation.action == "leave"
    assert any(text.startswith("Dead:") for text in dialog.flags.texts())
    assert dialog.reasons.texts()  # the reasons are shown

    with qtbot.waitSignal(dialog.changed) as changed:
        press(qtbot, dialog, K.Key_L)
    assert changed.args == [[dead_spam]]
    assert status_of(dead_spam) == "leaving"
    (d,) = decisions(dead_spam)
    assert d["action"] == "leave"
    assert json.loads(d["reasons"]) == ["dead", "spam"]
    answers = json.loads(d["answers"])
    assert answers["recommendation"] == "leave" and answers["source"] == "triage"
    assert Group.get_by_id(dead_spam).review_on is None
    assert dialog.progress.text() == "1 of 4 reviewed"
    assert dialog.title.text() == "Dead"

    press(qtbot, dialog, K.Key_M)
    assert status_of(dead) == "muted"
    assert Group.get_by_id(dead).review_on == TODAY + timedelta(days=180)
    assert decisions(dead)[0]["action"] == "mute"

    press(qtbot, dialog, K.Key_Space)  # skip: nothing written
    assert decisions(low) == []
    assert status_of(low) == "member"
    assert dialog.progress.text() == "3 of 4 reviewed"

    press(qtbot, dialog, K.Key_K)
    assert status_of(good) == "member"
    assert decisions(good)[0]["action"] == "keep"
    assert Group.get_by_id(good).review_on == TODAY + timedelta(days=180)

    assert dialog.current_group_id is None
    assert dialog.progress.text() == "4 of 4 reviewed"
    assert dialog.title.text() == "Review done"
    assert "Skipped: 1" in dialog.done_label.text()
    assert "Kept: 1" in dialog.done_label.text()
    press(qtbot, dialog, K.Key_K)  # nothing left to decide
    assert stack.count() == 3
    assert Decision.select().count() == 3


def test_n_also_skips(qtbot, store) -> None:
    a, b = member("A"), member("B")
    dialog = open_review(qtbot, QUndoStack(), queue=[a, b])
    press(qtbot, dialog, K.Key_N)
    assert dialog.current_group_id == b
    assert Decision.select().count() == 0


def test_engage_asks_a_commitment(qtbot, store) -> None:
    gid = member("Lurked", "muted", value_from_me=3, value_to_me=4)
    dialog = open_review(qtbot, QUndoStack())
    press(qtbot, dialog, K.Key_E)
    assert not dialog.engage_panel.isHidden()
    assert QApplication.focusWidget() is dialog.commitment.lineEdit() or dialog.commitment.hasFocus()
    press(qtbot, dialog, K.Key_K)  # letters go nowhere while the question is open
    assert decisions(gid) == []
    press(qtbot, dialog, K.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(QApplication.focusWidget(), "3")
    press(qtbot, dialog, K.Key_Return)
    assert dialog.engage_panel.isHidden()
    g = Group.get_by_id(gid)
    assert (g.status, g.commitment_per_month, g.review_on) == ("member", 3, TODAY + timedelta(days=60))
    (d,) = decisions(gid)
    assert d["action"] == "engage"
    assert json.loads(d["answers"])["commitment_per_month"] == 3


def test_escape_cancels_the_question_then_closes(qtbot, store) -> None:
    gid = member("G", value_from_me=3, value_to_me=3)
    dialog = open_review(qtbot, QUndoStack())
    press(qtbot, dialog, K.Key_E)
    press(qtbot, dialog, K.Key_Escape)
    assert dialog.engage_panel.isHidden()
    assert dialog.isVisible()
    assert decisions(gid) == []
    press(qtbot, dialog, K.Key_S)
    assert not dialog.own_panel.isHidden()
    press(qtbot, dialog, K.Key_Escape)
    assert dialog.own_panel.isHidden() and dialog.isVisible()
    with qtbot.waitSignal(dialog.finished):
        press(qtbot, dialog, K.Key_Escape)
    assert not dialog.isVisible()
    assert Decision.select().count() == 0


def test_start_own_records_a_note(qtbot, store) -> None:
    gid = member("Dead but dear", value_from_me=4, value_to_me=4, last_group_activity=ago(300))
    dialog = open_review(qtbot, QUndoStack())
    assert dialog.recommendation.action == "start_own"
    press(qtbot, dialog, K.Key_S)
    qtbot.keyClicks(QApplication.focusWidget(), "a monthly packaging clinic")
    press(qtbot, dialog, K.Key_Return)
    (d,) = decisions(gid)
    assert (d["action"], d["note"]) == ("start_own", "a monthly packaging clinic")
    assert status_of(gid) == "member"
    assert Group.get_by_id(gid).review_on == TODAY + timedelta(days=90)


def test_ctrl_z_goes_back_and_undoes_through_the_stack(qtbot, store) -> None:
    a = member("A", value_from_me=1, value_to_me=1, review_on=ago(2))
    b = member("B", value_from_me=1, value_to_me=1)
    c = member("C", value_from_me=4, value_to_me=4)
    stack = QUndoStack()
    dialog = open_review(qtbot, stack)
    assert dialog.queue == [a, b, c]
    press(qtbot, dialog, K.Key_L)
    press(qtbot, dialog, K.Key_Space)
    assert dialog.progress.text() == "2 of 3 reviewed"

    press(qtbot, dialog, K.Key_Z, Qt.KeyboardModifier.ControlModifier)  # back over the skip
    assert dialog.current_group_id == b
    assert status_of(a) == "leaving"
    assert dialog.progress.text() == "1 of 3 reviewed"

    with qtbot.waitSignal(dialog.changed) as changed:
        press(qtbot, dialog, K.Key_Z, Qt.KeyboardModifier.ControlModifier)  # back over Leave: undone
    assert changed.args == [[a]]
    assert dialog.current_group_id == a
    assert status_of(a) == "member"
    assert Group.get_by_id(a).review_on == ago(2)
    assert decisions(a) == []
    assert dialog.progress.text() == "0 of 3 reviewed"
    assert not dialog.back_button.isEnabled()

    # The stack can redo it (the window's Redo), with the same decision row.
    stack.redo()
    assert status_of(a) == "leaving"
    assert len(decisions(a)) == 1

    # A different decision this time replaces the undone one on the stack.
    stack.undo()
    press(qtbot, dialog, K.Key_K)
    assert status_of(a) == "member"
    assert [d["action"] for d in decisions(a)] == ["keep"]
    assert stack.count() == 1


def test_decisions_stay_undoable_after_the_review_is_closed(qtbot, store) -> None:
    gid = member("G", value_from_me=1, value_to_me=1)
    stack = QUndoStack()
    told: list[list[int]] = []
    # Not handed to qtbot: this test deletes the dialog itself.
    dialog = TriageDialog(stack, TODAY, listeners=[told.append])
    with qtbot.waitActive(dialog):
        dialog.show()
    press(qtbot, dialog, K.Key_M)
    dialog.close_review()
    with qtbot.waitSignal(dialog.destroyed):
        dialog.deleteLater()
    assert stack.undoText() == "Mute “G”"
    stack.undo()
    assert status_of(gid) == "member"
    assert told == [[gid], [gid]]


def test_nothing_to_review(qtbot, store) -> None:
    repo.create_group({"name": "Invite", "status": "invited"})
    member("Going", "leaving")
    dialog = open_review(qtbot, QUndoStack())
    assert dialog.queue == []
    assert dialog.title.text() == "Nothing to review"
    assert dialog.progress.text() == "0 of 0 reviewed"
    assert not dialog.buttons["keep"].isEnabled() or not dialog.action_row.isEnabled()


def test_buttons_act_like_their_keys_and_mark_the_recommendation(qtbot, store) -> None:
    gid = member("G", value_from_me=1, value_to_me=1)
    dialog = open_review(qtbot, QUndoStack())
    assert dialog.recommendation.action == "leave"
    assert dialog.buttons["leave"].font().bold()
    assert not dialog.buttons["keep"].font().bold()
    assert "[L]" in dialog.buttons["leave"].text()
    qtbot.mouseClick(dialog.buttons["mute"], Qt.MouseButton.LeftButton)
    assert status_of(gid) == "muted"


def test_names_are_plain_text(qtbot, store) -> None:
    member("<b>Growth</b> & Hackers", how_joined="invited", invited_by="<i>bot</i>")
    dialog = open_review(qtbot, QUndoStack())
    assert dialog.title.textFormat() == Qt.TextFormat.PlainText
    assert dialog.title.text() == "<b>Growth</b> & Hackers"
    assert "invited by <i>bot</i>" in dialog.subtitle.text()
    assert dialog.subtitle.textFormat() == Qt.TextFormat.PlainText


def test_facts_are_shown(qtbot, store) -> None:
    gid = member(
        "Costly",
        value_from_me=2,
        value_to_me=2,
        cost_amount=10,
        cost_period="month",
        currency="EUR",
        emails_per_week=12,
        hours_per_month=4,
        commitment_per_month=2,
    )
    repo.add_contribution(gid, ago(10))
    dialog = open_review(qtbot, QUndoStack())
    f = dialog.fact_values
    assert f["last_activity"].text() == f"{ago(1).isoformat()} (yesterday)"
    assert f["last_contribution"].text() == f"{ago(10).isoformat()} (10 days ago)"
    assert f["contributions"].text() == "1"
    assert f["cost"].text() == "10 EUR per month (120 a year)"
    assert f["emails"].text() == "12"
    assert f["hours"].text() == "4"
    assert f["commitment"].text() == "2 a month"
    assert f["value"].text().startswith(str(round(dialog.evaluation.value)))
    assert any(text.startswith("Costly") for text in dialog.flags.texts())
    assert any(text.startswith("Mail clutter") for text in dialog.flags.texts())
