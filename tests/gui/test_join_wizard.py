"""The join wizard driven with the keyboard only, on a real store: decisions, Back, Cancel, overrides."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QWizard

from groupdesk.store import journal
from groupdesk.store import repository as repo
from groupdesk.store.models import Decision, Group
from groupdesk.ui.dialogs.join_wizard import JoinWizard
from groupdesk.ui.undo_commands_decisions import DecisionCommand

TODAY = date(2025, 3, 14)
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
INVITE, REASONS, VALUE, HEALTH, COST, TAKE_PART, ADVICE, DECISION = range(8)


class Keyboard:
    """Types into whatever has the keyboard focus, like a person at the keyboard."""

    def __init__(self, qtbot, window) -> None:
        self.qtbot = qtbot
        self.window = window

    def target(self):
        return QApplication.focusWidget() or self.window

    def press(self, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.target(), key, modifier)

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.target(), text)

    def alt(self, letter: str) -> None:
        self.press(getattr(Qt.Key, f"Key_{letter.upper()}"), ALT)

    def replace(self, text: str) -> None:
        """Select what the focused field holds and type ``text`` over it."""
        self.press(Qt.Key.Key_A, CTRL)
        self.type(text)

    def enter(self) -> None:
        self.press(Qt.Key.Key_Return)


def open_wizard(qtbot, gid: int) -> tuple[JoinWizard, Keyboard]:
    wizard = JoinWizard.for_group(gid, TODAY)
    qtbot.addWidget(wizard)
    with qtbot.waitActive(wizard):
        wizard.show()
        wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return wizard, Keyboard(qtbot, wizard)


def next_page(qtbot, wizard: JoinWizard, keys: Keyboard, expected: int) -> None:
    keys.enter()
    qtbot.waitUntil(lambda: wizard.currentId() == expected)


def invited(**kw) -> int:
    base = {"name": "Python Packaging Guild", "network": "discord", "status": "invited"}
    return repo.create_group({**base, **kw})


def snapshot(gid: int) -> dict:
    return Group.select().where(Group.id == gid).dicts().get()


def test_a_whole_join_decision_with_the_keyboard(qtbot, store) -> None:
    gid = invited(last_group_activity=TODAY - timedelta(days=2), posts_per_week=25)
    wizard, keys = open_wizard(qtbot, gid)
    assert wizard.currentId() == INVITE

    # Who invited you: the inviter field has the focus; Tab enters the choice; arrows choose.
    assert QApplication.focusWidget() is wizard.invite_page.inviter
    keys.type("Ana Souza")
    keys.press(Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is wizard.invite_page.personal.buttons[None]  # the checked option
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    assert wizard.invite_page.personal.value() is True
    next_page(qtbot, wizard, keys, REASONS)

    # Why: tick "my peers are in it" by its mnemonic, then say what I want.
    keys.alt("p")
    qtbot.waitUntil(lambda: wizard.reasons_page.checks["only_peers"].isChecked())
    keys.alt("s")
    keys.type("answers about packaging")
    next_page(qtbot, wizard, keys, VALUE)

    # Give 4, get 5: a combo box jumps to the item that starts with the typed digit.
    keys.alt("g")
    keys.type("4")
    keys.alt("e")
    keys.type("5")
    assert (wizard.value_page.give.currentData(), wizard.value_page.get.currentData()) == (4, 5)
    next_page(qtbot, wizard, keys, HEALTH)

    # Alive and not spam: "alive" is prefilled from the last activity two days ago.
    assert wizard.health_page.alive.value() is True
    assert wizard.health_page.spam.value() is None
    keys.alt("s")
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    assert wizard.health_page.spam.value() is False
    next_page(qtbot, wizard, keys, COST)

    # Money 5 EUR a year, 3 hours a month, 2 e-mails a week, in reading order with Tab.
    keys.alt("m")
    keys.replace("5")
    keys.press(Qt.Key.Key_Tab)
    keys.type("eur")
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_End)  # the last period: per year
    keys.alt("h")
    keys.replace("3")
    keys.alt("e")
    keys.replace("2")
    cost = wizard.cost_page
    assert (cost.amount.value(), cost.currency.text(), cost.period.currentData()) == (5, "eur", "year")
    next_page(qtbot, wizard, keys, TAKE_PART)

    # Time yes, interest yes, 4 contributions a month.
    keys.alt("t")
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    keys.alt("i")
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    keys.alt("c")
    keys.replace("4")
    page = wizard.take_part_page
    assert (page.time.value(), page.interest.value(), page.commitment.value()) == (True, True, 4)
    next_page(qtbot, wizard, keys, ADVICE)

    # The recommendation: join, with its reasons; the bad reason is shown as not counted.
    assert wizard.recommendation is not None
    assert wizard.recommendation.action == "join"
    shown = wizard.recommendation_page.reason_texts()
    assert any("Value flows both ways" in text for text in shown)
    assert any("peers" in text for text in shown)
    assert wizard.recommendation_page.action_label.text().startswith("Join")
    next_page(qtbot, wizard, keys, DECISION)

    # The recommended action is preselected; Enter finishes.
    assert wizard.decision_page.choice.value() == "join"
    with qtbot.waitSignal(wizard.accepted):
        keys.enter()
    assert wizard.result() == QWizard.DialogCode.Accepted

    result = wizard.result_decision()
    assert Decision.select().count() == 0  # the wizard itself writes nothing
    undo = journal.apply_join_result(gid, result)

    g = snapshot(gid)
    assert g["status"] == "member"
    assert g["review_on"] == TODAY + timedelta(days=90)
    assert g["joined_on"] == TODAY
    assert (g["invited_by"], g["invite_personal"], g["how_joined"]) == ("Ana Souza", True, "invited")
    assert (g["value_from_me"], g["value_to_me"], g["spam_level"]) == (4, 5, 0)
    assert (g["cost_amount"], g["cost_period"], g["currency"]) == (5.0, "year", "EUR")
    assert (g["hours_per_month"], g["emails_per_week"], g["commitment_per_month"]) == (3.0, 2.0, 4)
    (d,) = Decision.select().where(Decision.group == gid).dicts()
    assert d["action"] == "join"
    assert json.loads(d["reasons"]) == wizard.recommendation.rule_ids
    assert "only_peers" in json.loads(d["reasons"])
    answers = json.loads(d["answers"])
    assert answers["bad_reasons"] == ["only_peers"]
    assert answers["specific_want"] == "answers about packaging"
    assert (answers["give"], answers["get"], answers["recommendation"]) == (4, 5, "join")
    assert d["note"] == ""

    # The window pushes it on its undo stack; undo brings the invitation back.
    stack = QUndoStack()
    seen: list[list[int]] = []
    stack.push(DecisionCommand(undo, "Join", [seen.append]))
    stack.undo()
    assert snapshot(gid)["status"] == "invited"
    assert Decision.select().count() == 0
    stack.redo()
    assert snapshot(gid)["status"] == "member"
    assert Decision.select().count() == 1
    assert seen == [[gid], [gid], [gid]]


def test_back_keeps_the_answers(qtbot, store) -> None:
    gid = invited()
    wizard, keys = open_wizard(qtbot, gid)
    keys.type("Bo")
    next_page(qtbot, wizard, keys, REASONS)
    keys.alt("i")
    qtbot.waitUntil(lambda: wizard.reasons_page.checks["only_invited"].isChecked())
    next_page(qtbot, wizard, keys, VALUE)
    keys.alt("g")
    keys.type("2")

    keys.alt("b")  # < Back
    qtbot.waitUntil(lambda: wizard.currentId() == REASONS)
    assert wizard.reasons_page.checks["only_invited"].isChecked()
    keys.alt("b")
    qtbot.waitUntil(lambda: wizard.currentId() == INVITE)
    assert wizard.invite_page.inviter.text() == "Bo"

    keys.alt("n")  # Next >
    qtbot.waitUntil(lambda: wizard.currentId() == REASONS)
    next_page(qtbot, wizard, keys, VALUE)
    assert wizard.value_page.give.currentData() == 2
    assert wizard.answers().bad_reasons == {"only_invited"}


def test_cancel_changes_nothing(qtbot, store) -> None:
    gid = invited(value_to_me=3)
    before = snapshot(gid)
    wizard, keys = open_wizard(qtbot, gid)
    keys.type("Someone")
    next_page(qtbot, wizard, keys, REASONS)
    next_page(qtbot, wizard, keys, VALUE)
    keys.alt("g")
    keys.type("5")
    with qtbot.waitSignal(wizard.rejected):
        keys.press(Qt.Key.Key_Escape)
    assert snapshot(gid) == before
    assert Decision.select().count() == 0


def walk_to_decision(qtbot, wizard: JoinWizard, keys: Keyboard) -> None:
    for page in range(REASONS, DECISION + 1):
        next_page(qtbot, wizard, keys, page)


def test_overriding_the_recommendation_needs_a_note(qtbot, store) -> None:
    gid = invited(value_from_me=4, value_to_me=4, last_group_activity=TODAY, invite_personal=True)
    wizard, keys = open_wizard(qtbot, gid)
    keys.press(Qt.Key.Key_Tab)
    walk_to_decision(qtbot, wizard, keys)
    # Not answered time/interest: undecided, nothing preselected, Finish waits for a choice.
    assert wizard.recommendation.action == "undecided"
    assert wizard.decision_page.choice.value() is None
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()

    # Go back, answer time and interest, come forward: join is recommended and preselected.
    keys.alt("b")
    qtbot.waitUntil(lambda: wizard.currentId() == ADVICE)
    keys.alt("b")
    qtbot.waitUntil(lambda: wizard.currentId() == TAKE_PART)
    keys.alt("t")
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    keys.alt("i")
    keys.press(Qt.Key.Key_Up)
    keys.press(Qt.Key.Key_Up)
    keys.alt("c")
    keys.replace("2")
    next_page(qtbot, wizard, keys, ADVICE)
    assert wizard.recommendation.action == "join"
    next_page(qtbot, wizard, keys, DECISION)
    assert wizard.decision_page.choice.value() == "join"
    assert finish.isEnabled()

    # Choose Decline instead: Finish is disabled until a note says why.
    keys.alt("d")
    qtbot.waitUntil(lambda: wizard.decision_page.choice.value() == "decline")
    assert wizard.decision_page.overriding()
    assert not finish.isEnabled()
    keys.enter()  # refused: still on the last page, nothing accepted
    assert wizard.isVisible() and wizard.currentId() == DECISION
    keys.alt("o")
    keys.type("no time this spring after all")
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.accepted):
        keys.enter()

    journal.apply_join_result(gid, wizard.result_decision())
    g = snapshot(gid)
    assert g["status"] == "declined"
    assert g["review_on"] is None
    assert g["joined_on"] is None
    assert g["commitment_per_month"] is None
    (d,) = Decision.select().where(Decision.group == gid).dicts()
    assert d["action"] == "decline"
    assert d["note"] == "no time this spring after all"
    assert json.loads(d["answers"])["recommendation"] == "join"


def test_trial_sets_a_thirty_day_review(qtbot, store) -> None:
    gid = invited(value_from_me=3, value_to_me=3, last_group_activity=TODAY, invite_personal=False)
    wizard, keys = open_wizard(qtbot, gid)
    wizard.take_part_page.time.set_value(True)
    wizard.take_part_page.interest.set_value(True)
    walk_to_decision(qtbot, wizard, keys)
    assert wizard.recommendation.action == "trial"  # a mass invitation: try it first
    with qtbot.waitSignal(wizard.accepted):
        keys.enter()
    result = wizard.result_decision()
    assert (result.action, result.status, result.review_on) == ("trial", "trial", TODAY + timedelta(30))
    assert result.note == ""
    journal.apply_join_result(gid, result)
    assert snapshot(gid)["status"] == "trial"


def test_only_changed_fields_are_written(qtbot, store) -> None:
    gid = invited(emails_per_week=3, spam_level=1)
    wizard, keys = open_wizard(qtbot, gid)
    wizard.take_part_page.time.set_value(False)
    walk_to_decision(qtbot, wizard, keys)
    assert wizard.recommendation.action == "decline"
    with qtbot.waitSignal(wizard.accepted):
        keys.enter()
    result = wizard.result_decision()
    # Unknown hours stay unknown (the spin box showed "none"), the known e-mails are untouched,
    # spam level 1 already means "not spam".
    assert result.values == {}
    assert result.answers["has_time"] is False


def test_a_fee_needs_a_period(qtbot, store) -> None:
    gid = invited()
    wizard, keys = open_wizard(qtbot, gid)
    for page in range(REASONS, COST + 1):
        next_page(qtbot, wizard, keys, page)
    keys.alt("m")
    keys.replace("20")
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert wizard.cost_page.problem.text()
    keys.enter()
    assert wizard.currentId() == COST
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_Tab)
    keys.press(Qt.Key.Key_Down)  # once
    assert wizard.cost_page.period.currentData() == "once"
    assert wizard.cost_page.problem.text() == ""
    next_page(qtbot, wizard, keys, TAKE_PART)


def test_group_names_are_plain_text(qtbot, store) -> None:
    gid = invited(name="<b>Growth</b> & <i>Hackers</i>", invited_by="<script>x</script>")
    wizard, _ = open_wizard(qtbot, gid)
    assert wizard.titleFormat() == Qt.TextFormat.PlainText
    assert wizard.subTitleFormat() == Qt.TextFormat.PlainText
    assert "<b>Growth</b> & <i>Hackers</i>" in wizard.invite_page.subTitle()
    assert "<b>Growth</b>" in wizard.windowTitle()
    assert wizard.invite_page.inviter.text() == "<script>x</script>"


def test_prefills_from_what_the_app_knows(qtbot, store) -> None:
    dead = invited(
        last_group_activity=TODAY - timedelta(days=200), spam_level=3, how_joined="added_by_someone"
    )
    wizard, _ = open_wizard(qtbot, dead)
    assert wizard.health_page.alive.value() is False
    assert wizard.health_page.spam.value() is True
    assert wizard.reasons_page.checks["added_by_someone"].isChecked()
    assert "200 days ago" in wizard.health_page.known.text()
    wizard.close()

    unknown = invited(name="Unknown")
    wizard, _ = open_wizard(qtbot, unknown)
    assert wizard.health_page.alive.value() is None
    assert wizard.health_page.spam.value() is None
    assert "knows nothing" in wizard.health_page.known.text()


@pytest.mark.parametrize("page", range(8))
def test_every_page_has_a_title_and_focusable_fields(qtbot, store, page) -> None:
    wizard, _ = open_wizard(qtbot, invited())
    p = wizard.page(page)
    assert p.title() and f"({page + 1} of 8)" in p.title()
    assert "Python Packaging Guild (Discord)" in p.subTitle()
