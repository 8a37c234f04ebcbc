"""The clean-up review: one membership at a time, worst first, each decided with one key.

The queue is ``journal.triage_queue`` taken when the dialog opens (so it does not reshuffle while
you work). For each group the dialog shows the facts, the warning signs with their sentences and
GroupDesk's recommendation with its reasons; then

    K Keep · E Engage (asks a commitment) · M Mute · L Leave · S Start own · Space/N Skip ·
    Ctrl+Z Back (undoes the last decision) · Esc Close

Each decision is journalled through ``journal.record_review`` and pushed on the window's
``QUndoStack`` as a ``DecisionCommand``, so it can be undone from the window later too. The
dialog emits ``changed(group_ids)`` whenever one of its decisions is done, undone or redone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.rules import ACTION_SENTENCES, Recommendation, recommend
from groupdesk.domain.scores import Evaluation, GroupFacts, days_since, evaluate, flag_sentence
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import ACTIONS, COST_PERIODS, HOW_JOINED, NETWORKS, STATUSES
from groupdesk.store import journal, repository
from groupdesk.store.models import Group
from groupdesk.ui.undo_commands_decisions import DecisionCommand, Listener

#: The one-key actions: action -> (button label, keys).
KEYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "keep": ("Keep", ("K",)),
    "engage": ("Engage…", ("E",)),
    "mute": ("Mute", ("M",)),
    "leave": ("Leave", ("L",)),
    "start_own": ("Start own…", ("S",)),
    "skip": ("Skip", ("Space", "N")),
}


def _label(parent: QWidget, text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _dim(label: QLabel) -> QLabel:
    """Secondary text: the text colour halfway towards the background, still legible."""
    palette = label.palette()
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mixed = QColor(
        (text.red() * 3 + back.red() * 2) // 5,
        (text.green() * 3 + back.green() * 2) // 5,
        (text.blue() * 3 + back.blue() * 2) // 5,
    )
    palette.setColor(QPalette.ColorRole.WindowText, mixed)
    label.setPalette(palette)
    return label


def _bold(label: QLabel, scale: float = 1.0) -> QLabel:
    font = QFont(label.font())
    font.setBold(True)
    if scale != 1.0:
        font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class _Bullets(QWidget):
    """A list of plain-text lines shown as bullets."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(14, 0, 0, 0)
        self.layout_.setSpacing(2)
        self.labels: list[QLabel] = []

    def set_lines(self, lines: Iterable[str]) -> None:
        """Replace the lines (labels are reused, spare ones hidden)."""
        lines = list(lines)
        while len(self.labels) < len(lines):
            label = _label(self)
            self.layout_.addWidget(label)
            self.labels.append(label)
        for i, label in enumerate(self.labels):
            if i < len(lines):
                label.setText("•  " + lines[i])
                label.show()
            else:
                label.hide()
                label.clear()

    def texts(self) -> list[str]:
        """The lines shown (without bullets)."""
        return [label.text()[3:] for label in self.labels if not label.isHidden()]


class TriageDialog(QDialog):
    """Walk through the memberships, worst first; each one-key action is an undoable decision."""

    #: Ids of groups whose rows changed (a decision done, undone or redone).
    changed = Signal(list)

    def __init__(
        self,
        undo_stack: QUndoStack,
        today: date | None = None,
        parent: QWidget | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        *,
        queue: list[int] | None = None,
        listeners: Iterable[Listener] = (),
    ) -> None:
        """Open the review.

        Args:
            undo_stack: the window's undo stack; every decision is pushed on it.
            today: the day to judge on (default: today).
            parent: parent widget.
            thresholds: thresholds in force.
            queue: the group ids to review (default: ``journal.triage_queue``).
            listeners: callables told the changed group ids by every command, also after this
                dialog has closed (the window passes its row refresh here).
        """
        super().__init__(parent)
        self.setWindowTitle(self.tr("Clean-up review"))
        self.undo_stack = undo_stack
        self.today = today or date.today()
        self.thresholds = thresholds
        self.queue: list[int] = (
            list(queue) if queue is not None else journal.triage_queue(self.today, thresholds)
        )
        self.listeners = list(listeners)
        self.position = 0
        #: (position, command or None for a skip), newest last: what Back takes back.
        self.history: list[tuple[int, DecisionCommand | None]] = []
        self.outcomes: dict[int, str] = {}
        self.facts: GroupFacts | None = None
        self.evaluation: Evaluation | None = None
        self.recommendation: Recommendation | None = None
        self._build()
        self._show_current()
        self.resize(720, 470)

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.title = _bold(_label(self), 1.3)
        self.subtitle = _dim(_label(self))
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)

        self.body = QWidget(self)
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        self.facts_grid = QGridLayout()
        self.facts_grid.setHorizontalSpacing(12)
        self.fact_values: dict[str, QLabel] = {}
        facts = (
            ("last_activity", self.tr("Last group activity:")),
            ("value", self.tr("Value:")),
            ("last_contribution", self.tr("My last contribution:")),
            ("cost", self.tr("Cost:")),
            ("contributions", self.tr("Contributions (last {n} days):").format(
                n=self.thresholds.participation_window_days
            )),
            ("emails", self.tr("E-mails a week:")),
            ("commitment", self.tr("My commitment:")),
            ("hours", self.tr("Hours a month:")),
        )  # fmt: skip
        for i, (key, text) in enumerate(facts):
            row, col = divmod(i, 2)
            name = _dim(_label(self.body, text, wrap=False))
            value = _label(self.body)
            self.facts_grid.addWidget(name, row, col * 2)
            self.facts_grid.addWidget(value, row, col * 2 + 1)
            self.fact_values[key] = value
        self.facts_grid.setColumnStretch(1, 1)
        self.facts_grid.setColumnStretch(3, 1)
        body.addLayout(self.facts_grid)

        self.flags_heading = _bold(_label(self.body, self.tr("Warning signs")))
        body.addWidget(self.flags_heading)
        self.flags = _Bullets(self.body)
        body.addWidget(self.flags)

        box = QFrame(self.body)
        box.setFrameShape(QFrame.Shape.StyledPanel)
        box.setAutoFillBackground(True)
        box.setBackgroundRole(QPalette.ColorRole.Base)
        advice = QVBoxLayout(box)
        self.advice_heading = _dim(_label(box, self.tr("GroupDesk recommends")))
        advice.addWidget(self.advice_heading)
        self.advice = _bold(_label(box), 1.1)
        advice.addWidget(self.advice)
        self.reasons = _Bullets(box)
        advice.addWidget(self.reasons)
        body.addSpacing(6)
        body.addWidget(box)
        body.addStretch(1)
        layout.addWidget(self.body, 1)

        self.done_label = _label(self)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.done_label, 1)

        # The one-key actions.
        self.action_row = QWidget(self)
        actions = QHBoxLayout(self.action_row)
        actions.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: list[QShortcut] = []
        for action, (text, keys) in KEYS.items():
            key_names = " / ".join(
                QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys
            )
            button = QPushButton(f"{self.tr(text)}  [{key_names}]", self.action_row)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.setToolTip(self._action_tip(action))
            button.clicked.connect(lambda _=False, a=action: self.trigger(a))
            actions.addWidget(button)
            self.buttons[action] = button
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.activated.connect(lambda a=action: self.trigger(a))
                self.shortcuts.append(shortcut)
        layout.addWidget(self.action_row)

        # Engage: the commitment.
        self.engage_panel = QWidget(self)
        row = QHBoxLayout(self.engage_panel)
        row.setContentsMargins(0, 0, 0, 0)
        self.commitment = QSpinBox(self.engage_panel)
        self.commitment.setRange(1, 100)
        self.commitment.setSuffix(self.tr(" a month"))
        commit_label = _label(self.engage_panel, self.tr("Contributions I commit to:"), wrap=False)
        row.addWidget(commit_label)
        row.addWidget(self.commitment)
        self.engage_ok = QPushButton(self.tr("Commit  [Enter]"), self.engage_panel)
        row.addWidget(self.engage_ok)
        self.engage_cancel = QPushButton(self.tr("Cancel  [Esc]"), self.engage_panel)
        row.addWidget(self.engage_cancel)
        row.addStretch(1)
        layout.addWidget(self.engage_panel)

        # Start own: what it would be about.
        self.own_panel = QWidget(self)
        row = QHBoxLayout(self.own_panel)
        row.setContentsMargins(0, 0, 0, 0)
        self.own_note = QLineEdit(self.own_panel)
        self.own_note.setMaxLength(500)
        self.own_note.setPlaceholderText(self.tr("e.g. a monthly packaging clinic for Python developers"))
        row.addWidget(_label(self.own_panel, self.tr("My own group would be about:"), wrap=False))
        row.addWidget(self.own_note, 1)
        self.own_ok = QPushButton(self.tr("Record  [Enter]"), self.own_panel)
        row.addWidget(self.own_ok)
        self.own_cancel = QPushButton(self.tr("Cancel  [Esc]"), self.own_panel)
        row.addWidget(self.own_cancel)
        layout.addWidget(self.own_panel)
        for button in (self.engage_ok, self.engage_cancel, self.own_ok, self.own_cancel):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.engage_ok.clicked.connect(self.confirm_panel)
        self.own_ok.clicked.connect(self.confirm_panel)
        self.engage_cancel.clicked.connect(self.cancel_panel)
        self.own_cancel.clicked.connect(self.cancel_panel)

        # Progress, Back, Close.
        bottom = QHBoxLayout()
        self.progress = _label(self, wrap=False)
        bottom.addWidget(self.progress, 1)
        self.back_button = QPushButton(self.tr("Back  [Ctrl+Z]"), self)
        self.back_button.setToolTip(self.tr("Go back to the previous group, undoing its decision"))
        self.close_button = QPushButton(self.tr("Close  [Esc]"), self)
        for button in (self.back_button, self.close_button):
            button.setAutoDefault(False)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            bottom.addWidget(button)
        self.back_button.clicked.connect(self.back)
        self.close_button.clicked.connect(self.close_review)
        back = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        back.activated.connect(self.back)
        layout.addLayout(bottom)
        self.engage_panel.hide()
        self.own_panel.hide()

    def _action_tip(self, action: str) -> str:
        if action == "skip":
            return self.tr("Decide later: go to the next group without a decision")
        return self.tr(ACTION_SENTENCES[action])

    # ---------------------------------------------------------------- state

    @property
    def current_group_id(self) -> int | None:
        """The group on screen (None when the review is done)."""
        return self.queue[self.position] if self.position < len(self.queue) else None

    def progress_text(self) -> str:
        """The progress line, e.g. "12 of 57 reviewed"."""
        return self.tr("{done} of {total} reviewed").format(done=self.position, total=len(self.queue))

    def panel_open(self) -> bool:
        """Whether the Engage or Start own question is open."""
        return not self.engage_panel.isHidden() or not self.own_panel.isHidden()

    def _show_current(self) -> None:
        """Show the group at ``position`` (skipping groups deleted meanwhile), or the end."""
        self.cancel_panel()
        while (
            self.position < len(self.queue)
            and not Group.select().where(Group.id == self.queue[self.position]).exists()
        ):
            self.queue.pop(self.position)
        gid = self.current_group_id
        done = gid is None
        self.body.setVisible(not done)
        self.done_label.setVisible(done)
        self.action_row.setEnabled(not done)
        self.action_row.setVisible(not done)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(not done)
        self.back_button.setEnabled(bool(self.history))
        self.progress.setText(self.progress_text())
        if done:
            self.title.setText(self.tr("Review done") if self.queue else self.tr("Nothing to review"))
            self.subtitle.setText("")
            self.done_label.setText(self.summary_text())
            self.facts = self.evaluation = self.recommendation = None
            return
        self._show_group(gid)

    def summary_text(self) -> str:
        """What the review decided, for the end screen."""
        if not self.queue:
            return self.tr("You have no memberships to review: nothing on trial, member or muted.")
        counts = Counter(self.outcomes.values())
        words = {
            "keep": self.tr("Kept"),
            "engage": self.tr("Engaged"),
            "mute": self.tr("Muted"),
            "leave": self.tr("To leave"),
            "start_own": self.tr("Start your own"),
            "skip": self.tr("Skipped"),
        }
        parts = [f"{word}: {counts[a]}" for a, word in words.items() if counts[a]]
        text = self.tr("All {n} memberships reviewed.").format(n=len(self.queue))
        if parts:
            text += "\n\n" + "   ·   ".join(parts)
        return text

    def _show_group(self, gid: int) -> None:
        t = self.thresholds
        values = repository.group_values(gid)
        facts = journal.facts_for(gid, self.today, t)
        ev = evaluate(facts, self.today, t)
        rec = recommend(facts, ev, self.today, t)
        self.facts, self.evaluation, self.recommendation = facts, ev, rec
        self.title.setText(" ".join(str(values["name"]).split()))
        bits = [
            self.tr(NETWORKS.get(values["network"], values["network"])),
            self.tr(STATUSES.get(values["status"], values["status"])),
        ]
        if values.get("joined_on"):
            bits.append(self.tr("joined {date}").format(date=values["joined_on"].isoformat()))
        how = values.get("how_joined")
        if how == "invited" and values.get("invited_by"):
            bits.append(self.tr("invited by {who}").format(who=" ".join(values["invited_by"].split())))
        elif how not in (None, "unknown", "self"):
            bits.append(self.tr(HOW_JOINED[how]).lower())
        self.subtitle.setText("  ·  ".join(bits))
        f = self.fact_values
        f["last_activity"].setText(self._when(facts.last_group_activity))
        f["last_contribution"].setText(self._when(facts.last_contribution, never=self.tr("never")))
        f["contributions"].setText(str(facts.recent_contributions))
        f["commitment"].setText(
            self.tr("none")
            if facts.commitment_per_month is None
            else self.tr("{n} a month").format(n=facts.commitment_per_month)
        )
        f["value"].setText(self._value_text(facts, ev))
        f["cost"].setText(self._cost_text(values, ev))
        f["emails"].setText(_number(facts.emails_per_week))
        f["hours"].setText(_number(facts.hours_per_month))
        flags = [flag_sentence(flag, t) for flag in ev.flags]
        self.flags.set_lines(self.tr(s) for s in flags)
        self.flags.setVisible(bool(flags))
        self.flags_heading.setText(self.tr("Warning signs") if flags else self.tr("No warning signs"))
        self.advice.setText(self.tr(ACTION_SENTENCES[rec.action]))
        self.reasons.set_lines(self.tr(r.sentence) for r in rec.reasons)
        for action, button in self.buttons.items():
            font = QFont(button.font())
            font.setBold(action == rec.action)
            button.setFont(font)
            tip = self._action_tip(action)
            if action == rec.action:
                tip = self.tr("Recommended. ") + tip
            button.setToolTip(tip)
        self.commitment.setValue(max(1, facts.commitment_per_month or 2))

    def _when(self, day: date | None, never: str | None = None) -> str:
        if day is None:
            return never or self.tr("unknown")
        days = days_since(day, self.today) or 0
        if days == 0:
            return self.tr("{date} (today)").format(date=day.isoformat())
        if days == 1:
            return self.tr("{date} (yesterday)").format(date=day.isoformat())
        return self.tr("{date} ({n} days ago)").format(date=day.isoformat(), n=days)

    def _value_text(self, facts: GroupFacts, ev: Evaluation) -> str:
        give = "?" if facts.value_from_me is None else str(facts.value_from_me)
        get = "?" if facts.value_to_me is None else str(facts.value_to_me)
        score = self.tr("unrated") if ev.value is None else f"{ev.value:.0f}"
        return self.tr("{score}  (I give {give}, I get {get})").format(score=score, give=give, get=get)

    def _cost_text(self, values: dict[str, Any], ev: Evaluation) -> str:
        amount, period = values.get("cost_amount"), values.get("cost_period") or "none"
        if not amount or period == "none":
            return self.tr("free")
        currency = values.get("currency") or ""
        text = f"{_number(amount)} {currency}".strip() + " " + self.tr(COST_PERIODS[period]).lower()
        if period == "month":
            text += self.tr(" ({n} a year)").format(n=_number(ev.cost_per_year))
        return text

    # ---------------------------------------------------------------- actions

    def trigger(self, action: str) -> None:
        """A one-key action: Engage and Start own ask one question first; the others act at once."""
        if self.current_group_id is None or self.panel_open():
            return
        if action == "skip":
            self.skip()
        elif action == "engage":
            self.own_panel.hide()
            self.engage_panel.show()
            self._panel_shown(self.commitment)
            self.commitment.selectAll()
        elif action == "start_own":
            self.engage_panel.hide()
            self.own_note.clear()
            self.own_panel.show()
            self._panel_shown(self.own_note)
        else:
            self.decide(action)

    def _panel_shown(self, focus: QWidget) -> None:
        self.action_row.setEnabled(False)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(False)
        focus.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel_panel(self) -> None:
        """Close the Engage / Start own question without deciding."""
        self.engage_panel.hide()
        self.own_panel.hide()
        done = self.current_group_id is None
        self.action_row.setEnabled(not done)
        for shortcut in self.shortcuts:
            shortcut.setEnabled(not done)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def confirm_panel(self) -> None:
        """Decide the open question's action (Engage with its commitment, Start own with its note)."""
        if not self.engage_panel.isHidden():
            commitment = self.commitment.value()
            self.cancel_panel()
            self.decide("engage", commitment=commitment)
        elif not self.own_panel.isHidden():
            note = self.own_note.text().strip()
            self.cancel_panel()
            self.decide("start_own", note=note)

    def decide(self, action: str, *, commitment: int | None = None, note: str = "") -> DecisionCommand:
        """Journal ``action`` for the current group, push it on the undo stack, show the next group."""
        gid = self.current_group_id
        if gid is None:
            raise RuntimeError("The review is done")
        rec = self.recommendation
        ev = self.evaluation
        answers = {
            "source": "triage",
            "recommendation": rec.action if rec else None,
            "flags": list(ev.flags) if ev else [],
            "value": ev.value if ev else None,
        }
        if commitment is not None:
            answers["commitment_per_month"] = commitment
        undo = journal.record_review(
            gid,
            action,
            rec.rule_ids if rec else [],
            answers,
            note,
            today=self.today,
            commitment_per_month=commitment,
        )
        name = " ".join(str(self.title.text()).split())
        text = self.tr("{action} “{name}”").format(action=self.tr(ACTIONS[action]), name=name)
        command = DecisionCommand(undo, text, [*self.listeners, self._command_changed])
        self.undo_stack.push(command)
        self.history.append((self.position, command))
        self.outcomes[gid] = action
        self.position += 1
        self._show_current()
        return command

    def skip(self) -> None:
        """Go to the next group without a decision."""
        gid = self.current_group_id
        if gid is None:
            return
        self.history.append((self.position, None))
        self.outcomes[gid] = "skip"
        self.position += 1
        self._show_current()

    def back(self) -> None:
        """Go back to the previous group; its decision is undone (when it is the last one on the stack)."""
        if self.panel_open():
            self.cancel_panel()
            return
        if not self.history:
            return
        position, command = self.history.pop()
        if command is not None and command.applied:
            top = self.undo_stack.command(self.undo_stack.index() - 1)
            if top is command:
                self.undo_stack.undo()
        gid = self.queue[position] if position < len(self.queue) else None
        self.outcomes.pop(gid, None)
        self.position = position
        self._show_current()

    def _command_changed(self, group_ids: list[int]) -> None:
        """A command of this dialog was done or undone: tell the window (while the dialog lives)."""
        if shiboken6.isValid(self):
            self.changed.emit(list(group_ids))

    def close_review(self) -> None:
        """Close the review (decisions stay; they are on the undo stack)."""
        self.cancel_panel()
        self.accept()

    # ---------------------------------------------------------------- keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter confirms an open question, Esc cancels it (or closes the review)."""
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.panel_open():
                self.confirm_panel()
            event.accept()
            return
        if key == Qt.Key.Key_Escape:
            if self.panel_open():
                self.cancel_panel()
            else:
                self.close_review()
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        """Esc / the window's close button: cancel an open question first, else close."""
        if self.panel_open():
            self.cancel_panel()
            return
        super().reject()
