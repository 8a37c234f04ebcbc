"""The join decision: a wizard that walks through GroupDesk's questions for an invitation.

Who invited you and was it personal → why you consider it (the five bad reasons, and what you
want from it) → what you will give and get → is it alive, is it spam → money, hours, mail →
will you take part → the recommendation with its reasons → your decision (a note when you choose
otherwise). The wizard writes nothing: ``result_decision()`` returns a ``journal.JoinResult`` that
the caller applies with ``journal.apply_join_result`` (inside an undo command). Cancel changes
nothing.

Keyboard: every field has a mnemonic (Alt+letter), Tab walks the fields in reading order, arrow
keys move within a choice, Enter is Next (Finish on the last page), Alt+B / Alt+N are Back / Next.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from groupdesk.domain.rules import (
    ACTION_SENTENCES,
    BAD_REASONS,
    JoinAnswers,
    Recommendation,
    recommend_join,
)
from groupdesk.domain.scores import GroupFacts, days_since
from groupdesk.domain.thresholds import DEFAULT_THRESHOLDS, Thresholds
from groupdesk.domain.vocab import COST_PERIODS, NETWORKS, STATUSES
from groupdesk.store import journal

#: The choices on the last page, in order.
JOIN_CHOICES = ("join", "trial", "decline", "start_own")


def _plain(label: QLabel, *, wrap: bool = True) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _number(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


class _Choice(QGroupBox):
    """A titled set of radio buttons; arrow keys move and check within it, Tab enters at the checked one.

    The buttons are auto-exclusive siblings (no QButtonGroup), which gives the native keyboard
    behaviour. ``value()`` is the checked option's data; ``changed`` fires when the choice changes.
    """

    changed = Signal()

    def __init__(self, title: str, options: list[tuple[Any, str]], parent: QWidget) -> None:
        super().__init__(title, parent)
        layout = QVBoxLayout(self)
        layout.setSpacing(2)
        self.buttons: dict[Any, QRadioButton] = {}
        for data, text in options:
            button = QRadioButton(text, self)
            button.toggled.connect(self._toggled)
            self.buttons[data] = button
            layout.addWidget(button)
        self._fix_tab_focus()

    def _toggled(self, on: bool) -> None:
        if on:
            self._fix_tab_focus()
            self.changed.emit()

    def _fix_tab_focus(self) -> None:
        """Tab enters the choice at the checked option (every option while none is checked)."""
        checked = [b for b in self.buttons.values() if b.isChecked()]
        for button in self.buttons.values():
            tab = not checked or button.isChecked()
            button.setFocusPolicy(Qt.FocusPolicy.StrongFocus if tab else Qt.FocusPolicy.ClickFocus)

    def value(self) -> Any:
        """The data of the checked option (None when none is checked)."""
        for data, button in self.buttons.items():
            if button.isChecked():
                return data
        return None

    def set_value(self, data: Any) -> None:
        """Check the option with ``data`` (must exist)."""
        self.buttons[data].setChecked(True)

    def clear(self) -> None:
        """Check none of the options."""
        for button in self.buttons.values():
            button.setAutoExclusive(False)
            button.setChecked(False)
            button.setAutoExclusive(True)
        self._fix_tab_focus()
        self.changed.emit()


class _Page(QWizardPage):
    """A wizard page whose subtitle names the group (plain text: the wizard's formats are set so)."""

    def __init__(self, wizard: JoinWizard, title: str, hint: str) -> None:
        super().__init__(wizard)
        self.w = wizard
        self.setTitle(title)
        self.setSubTitle(f"{wizard.group_label}\n{hint}" if hint else wizard.group_label)
        self.body = QVBoxLayout(self)


class InvitePage(_Page):
    """Who invited you, and was the invitation personal?"""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("Who invited you?"),
            wizard.tr("An invitation is not a reason to join, but a personal one is a good sign."),
        )
        form = QFormLayout()
        self.inviter = QLineEdit(self)
        self.inviter.setPlaceholderText(self.tr("a name or an address; empty if you found it yourself"))
        self.inviter.setText(wizard.values.get("invited_by") or "")
        label = QLabel(self.tr("&Invited by:"), self)
        label.setBuddy(self.inviter)
        form.addRow(label, self.inviter)
        self.body.addLayout(form)
        self.personal = _Choice(
            self.tr("Was the invitation &personal?"),
            [
                (True, self.tr("Yes: written to me, by someone who knows why I would fit")),
                (False, self.tr("No: a mass invitation, sent to many")),
                (None, self.tr("I don't know, or nobody invited me")),
            ],
            self,
        )
        self.personal.set_value(wizard.values.get("invite_personal"))
        self.body.addWidget(self.personal)
        self.body.addStretch(1)


class ReasonsPage(_Page):
    """Why are you considering it? The five bad reasons, and what you want from it."""

    MNEMONIC_LABELS = {
        "only_invited": "I was &invited",
        "only_industry": "It is my in&dustry",
        "only_peers": "My &peers are in it",
        "added_by_someone": "Someone put &me in it",
        "only_to_belong": "I want to be&long",
    }

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("Why are you considering it?"),
            wizard.tr("Tick what is true. None of these five counts as a reason to join."),
        )
        box = QGroupBox(self.tr("I am considering it because…"), self)
        layout = QVBoxLayout(box)
        self.checks: dict[str, QCheckBox] = {}
        for rule_id in BAD_REASONS:
            check = QCheckBox(self.tr(self.MNEMONIC_LABELS[rule_id]), box)
            layout.addWidget(check)
            self.checks[rule_id] = check
        if wizard.values.get("how_joined") == "added_by_someone":
            self.checks["added_by_someone"].setChecked(True)
        self.body.addWidget(box)
        self.want = QLineEdit(self)
        self.want.setPlaceholderText(self.tr("e.g. answers about packaging Python apps"))
        label = QLabel(self.tr("&Something specific I want from it:"), self)
        label.setBuddy(self.want)
        self.body.addWidget(label)
        self.body.addWidget(self.want)
        hint = _plain(
            QLabel(
                self.tr(
                    "The one good reason: it will be of value to the group and to you, and you have "
                    "the time and interest to take part."
                ),
                self,
            )
        )
        hint.setEnabled(False)
        self.body.addWidget(hint)
        self.body.addStretch(1)


GIVE_WORDS = (
    "nothing at all",
    "the odd reaction or like",
    "an occasional comment or answer",
    "regular posts or answers",
    "expertise others rely on",
    "I would lead or organise things",
)
GET_WORDS = (
    "nothing at all",
    "the odd useful link",
    "something useful now and then",
    "regularly useful",
    "it matters to my work or life",
    "I could hardly do without it",
)


class ValuePage(_Page):
    """What will you give, what will you get (0–5 each, with words for each level)."""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("What will you give, and what will you get?"),
            wizard.tr("Value must flow both ways: if either is nothing, don't join."),
        )
        form = QFormLayout()
        self.give = self._rating(GIVE_WORDS, wizard.values.get("value_from_me"))
        self.get = self._rating(GET_WORDS, wizard.values.get("value_to_me"))
        for text, combo, tip in (
            (self.tr("What I will &give:"), self.give, self.tr("What you will bring to the group (0–5)")),
            (self.tr("What I will g&et:"), self.get, self.tr("What the group will bring you (0–5)")),
        ):
            label = QLabel(text, self)
            label.setBuddy(combo)
            combo.setToolTip(tip)
            form.addRow(label, combo)
        self.body.addLayout(form)
        self.body.addStretch(1)

    def _rating(self, words: tuple[str, ...], current: int | None) -> QComboBox:
        combo = QComboBox(self)
        combo.addItem(self.tr("Not sure yet"), None)
        for n, word in enumerate(words):
            combo.addItem(f"{n} – {self.tr(word)}", n)
        combo.setCurrentIndex(0 if current is None else int(current) + 1)
        return combo


class HealthPage(_Page):
    """Is it alive, is it spam — prefilled from what GroupDesk knows."""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("Is it alive? Is it spam?"),
            wizard.tr("Many groups are dead, or carry only spam and sales pitches."),
        )
        self.known = _plain(QLabel(self.known_text(), self))
        self.body.addWidget(self.known)
        self.alive = _Choice(
            self.tr("Is it &alive?"),
            [
                (True, self.tr("Yes: people post and answer")),
                (False, self.tr("No: dead or dormant, nothing happens")),
                (None, self.tr("I don't know yet")),
            ],
            self,
        )
        self.alive.set_value(wizard.prefill_alive())
        self.spam = _Choice(
            self.tr("Is it &spam?"),
            [
                (False, self.tr("No: real discussion")),
                (True, self.tr("Yes: mostly spam or sales pitches")),
                (None, self.tr("I don't know yet")),
            ],
            self,
        )
        self.spam.set_value(wizard.prefill_spam())
        row = QHBoxLayout()
        row.addWidget(self.alive)
        row.addWidget(self.spam)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def known_text(self) -> str:
        """What the app knows about the group's life, in one or two sentences."""
        f, today = self.w.facts, self.w.today
        parts: list[str] = []
        seen = f.last_group_activity
        if seen is not None:
            days = days_since(seen, today) or 0
            parts.append(
                self.tr("Last activity: {date} ({days} days ago).").format(date=seen.isoformat(), days=days)
            )
        if f.posts_per_week is not None:
            parts.append(self.tr("Posts a week: {n}.").format(n=_number(f.posts_per_week)))
        if f.spam_level is not None:
            parts.append(self.tr("Spam level {n} of 3.").format(n=f.spam_level))
        if not parts:
            return self.tr("GroupDesk knows nothing about its life yet.")
        return self.tr("What GroupDesk knows: ") + " ".join(parts)


class CostPage(_Page):
    """Money, hours a month, e-mails a week."""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("What will it cost you?"),
            wizard.tr("Money, time and mail: a group that costs must earn it."),
        )
        v = wizard.values
        form = QFormLayout()
        self.amount = QDoubleSpinBox(self)
        self.amount.setRange(0, 1_000_000)
        self.amount.setDecimals(2)
        self.amount.setSpecialValueText(self.tr("free"))
        self.amount.setValue(v.get("cost_amount") or 0.0)
        self.period = QComboBox(self)
        for key, text in COST_PERIODS.items():
            self.period.addItem(self.tr(text), key)
        self.period.setCurrentIndex(max(0, self.period.findData(v.get("cost_period") or "none")))
        self.currency = QLineEdit(self)
        self.currency.setMaxLength(3)
        self.currency.setPlaceholderText("EUR")
        self.currency.setText(v.get("currency") or "")
        self.hours = QDoubleSpinBox(self)
        self.hours.setRange(0, 744)
        self.hours.setDecimals(1)
        self.hours.setSpecialValueText(self.tr("none"))
        self.hours.setValue(v.get("hours_per_month") or 0.0)
        self.emails = QDoubleSpinBox(self)
        self.emails.setRange(0, 10_000)
        self.emails.setDecimals(1)
        self.emails.setSpecialValueText(self.tr("none"))
        self.emails.setValue(v.get("emails_per_week") or 0.0)
        # Tab follows the reading order (widgets were created in another order).
        QWidget.setTabOrder(self.amount, self.currency)
        QWidget.setTabOrder(self.currency, self.period)
        QWidget.setTabOrder(self.period, self.hours)
        QWidget.setTabOrder(self.hours, self.emails)
        money = QHBoxLayout()
        money.addWidget(self.amount, 2)
        money.addWidget(self.currency, 1)
        money.addWidget(self.period, 2)
        amount_label = QLabel(self.tr("&Money:"), self)
        amount_label.setBuddy(self.amount)
        form.addRow(amount_label, money)
        for text, widget in (
            (self.tr("&Hours a month:"), self.hours),
            (self.tr("&E-mails a week:"), self.emails),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.amount.setToolTip(self.tr("The fee (0 = free)"))
        self.currency.setToolTip(self.tr("Currency, e.g. EUR"))
        self.period.setToolTip(self.tr("How often you pay it"))
        self.hours.setToolTip(self.tr("Time it will take: reading, events, travel"))
        self.emails.setToolTip(self.tr("Mail and notifications it will send you"))
        self.body.addLayout(form)
        self.problem = _plain(QLabel(self))
        self.problem.setStyleSheet("color: #b00020")
        self.body.addWidget(self.problem)
        self.body.addStretch(1)
        self.amount.valueChanged.connect(self.completeChanged)
        self.period.currentIndexChanged.connect(self.completeChanged)
        self.completeChanged.connect(self._show_problem)
        self._show_problem()

    def _show_problem(self) -> None:
        self.problem.setText("" if self.isComplete() else self.tr("Say how often you pay the fee."))

    def isComplete(self) -> bool:
        """A fee needs a period."""
        return not (self.amount.value() > 0 and self.period.currentData() == "none")


class TakePartPage(_Page):
    """Will you take part: time, interest, and a commitment in contributions a month."""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("Will you take part?"),
            wizard.tr("Membership only matters when you take part."),
        )
        self.time = _Choice(
            self.tr("&Time"),
            [
                (True, self.tr("I have the time to take part")),
                (False, self.tr("I have no time for it")),
                (None, self.tr("Not sure")),
            ],
            self,
        )
        self.time.set_value(None)
        self.interest = _Choice(
            self.tr("&Interest"),
            [
                (True, self.tr("I am interested in taking part")),
                (False, self.tr("I am not really interested")),
                (None, self.tr("Not sure")),
            ],
            self,
        )
        self.interest.set_value(None)
        row = QHBoxLayout()
        row.addWidget(self.time)
        row.addWidget(self.interest)
        self.body.addLayout(row)
        form = QFormLayout()
        self.commitment = QSpinBox(self)
        self.commitment.setRange(-1, 100)
        self.commitment.setSpecialValueText(self.tr("not decided"))
        self.commitment.setSuffix(self.tr(" a month"))
        current = wizard.values.get("commitment_per_month")
        self.commitment.setValue(-1 if current is None else int(current))
        self.commitment.setToolTip(self.tr("Posts, answers or events a month you will contribute"))
        label = QLabel(self.tr("&Contributions I commit to:"), self)
        label.setBuddy(self.commitment)
        form.addRow(label, self.commitment)
        self.body.addLayout(form)
        self.body.addStretch(1)


class RecommendationPage(_Page):
    """The recommendation with its reasons (recomputed whenever the page is shown)."""

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(wizard, wizard.tr("GroupDesk recommends"), "")
        self.action_label = _plain(QLabel(self))
        font = QFont(self.action_label.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.action_label.setFont(font)
        self.body.addWidget(self.action_label)
        heading = _plain(QLabel(self.tr("Why:"), self))
        self.body.addWidget(heading)
        self.reasons_box = QWidget(self)
        self.reasons_layout = QVBoxLayout(self.reasons_box)
        self.reasons_layout.setContentsMargins(12, 0, 0, 0)
        self.body.addWidget(self.reasons_box)
        self.body.addStretch(1)
        self.reason_labels: list[QLabel] = []

    def initializePage(self) -> None:
        """Recompute the recommendation from the answers so far."""
        rec = self.w.compute_recommendation()
        self.action_label.setText(self.tr(ACTION_SENTENCES[rec.action]))
        lines = ["•  " + self.tr(reason.sentence) for reason in rec.reasons]
        while len(self.reason_labels) < len(lines):
            label = _plain(QLabel(self.reasons_box))
            self.reasons_layout.addWidget(label)
            self.reason_labels.append(label)
        for i, label in enumerate(self.reason_labels):
            label.setText(lines[i] if i < len(lines) else "")
            label.setVisible(i < len(lines))

    def reason_texts(self) -> list[str]:
        """The reasons shown (without bullets)."""
        return [label.text()[3:] for label in self.reason_labels if not label.isHidden()]


class DecisionPage(_Page):
    """Accept the recommendation or choose otherwise (a note is required when overriding)."""

    LABELS = {
        "join": "&Join",
        "trial": "Join on &trial",
        "decline": "&Decline",
        "start_own": "&Start my own group instead",
    }

    def __init__(self, wizard: JoinWizard) -> None:
        super().__init__(
            wizard,
            wizard.tr("Your decision"),
            wizard.tr("Accept the recommendation, or choose otherwise and say why."),
        )
        self.choice = _Choice(
            self.tr("I decide to"), [(a, self.tr(self.LABELS[a])) for a in JOIN_CHOICES], self
        )
        self.body.addWidget(self.choice)
        form = QFormLayout()
        self.note = QLineEdit(self)
        self.note.setMaxLength(500)
        label = QLabel(self.tr("N&ote:"), self)
        label.setBuddy(self.note)
        form.addRow(label, self.note)
        self.body.addLayout(form)
        self.effect = _plain(QLabel(self))
        self.body.addWidget(self.effect)
        self.body.addStretch(1)
        self.choice.changed.connect(self._changed)
        self.note.textChanged.connect(self._changed)

    def initializePage(self) -> None:
        """Preselect the recommended action (none when undecided)."""
        rec = self.w.recommendation
        recommended = rec.action if rec is not None and rec.action in JOIN_CHOICES else None
        for action, button in self.choice.buttons.items():
            text = self.tr(self.LABELS[action])
            if action == recommended:
                text += self.tr("  (recommended)")
            button.setText(text)
        if recommended is None:
            self.choice.clear()
        else:
            self.choice.set_value(recommended)
        self._changed()

    def overriding(self) -> bool:
        """Whether the choice differs from a recommendation the wizard made."""
        rec = self.w.recommendation
        chosen = self.choice.value()
        return rec is not None and rec.action in JOIN_CHOICES and chosen is not None and chosen != rec.action

    def _changed(self, *args: object) -> None:
        action = self.choice.value()
        if action is None:
            text = self.tr("Choose what you decide.")
        else:
            status = journal.JOIN_STATUS[action]
            review = journal.join_review_date(action, self.w.today)
            text = self.tr("The group becomes “{status}”.").format(status=self.tr(STATUSES[status]))
            if review is not None:
                text += " " + self.tr("Review it on {date} ({days} days from today).").format(
                    date=review.isoformat(), days=(review - self.w.today).days
                )
            if self.overriding():
                text += "\n" + self.tr("You are choosing otherwise than recommended: say why in the note.")
        self.effect.setText(text)
        self.note.setPlaceholderText(
            self.tr("required: why you choose otherwise") if self.overriding() else self.tr("optional")
        )
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        """A choice, and a note when it overrides the recommendation."""
        if self.choice.value() is None:
            return False
        return not (self.overriding() and not self.note.text().strip())


class JoinWizard(QWizard):
    """The join decision for one invited or considered group; it writes nothing itself."""

    def __init__(
        self,
        group_id: int,
        facts: GroupFacts,
        values: dict[str, Any],
        today: date | None = None,
        parent: QWidget | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> None:
        super().__init__(parent)
        self.group_id = group_id
        self.facts = facts
        self.values = dict(values)
        self.today = today or date.today()
        self.thresholds = thresholds
        self.recommendation: Recommendation | None = None
        name = " ".join(str(values.get("name") or "").split()) or self.tr("(unnamed group)")
        network = NETWORKS.get(values.get("network") or "", "")
        self.group_label = f"{name} ({self.tr(network)})" if network else name
        # Group names are untrusted: titles and subtitles are plain text.
        self.setTitleFormat(Qt.TextFormat.PlainText)
        self.setSubTitleFormat(Qt.TextFormat.PlainText)
        self.setWindowTitle(self.tr("Join decision — {name}").format(name=name))
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Cancel"))
        self.invite_page = InvitePage(self)
        self.reasons_page = ReasonsPage(self)
        self.value_page = ValuePage(self)
        self.health_page = HealthPage(self)
        self.cost_page = CostPage(self)
        self.take_part_page = TakePartPage(self)
        self.recommendation_page = RecommendationPage(self)
        self.decision_page = DecisionPage(self)
        self.pages = [
            self.invite_page,
            self.reasons_page,
            self.value_page,
            self.health_page,
            self.cost_page,
            self.take_part_page,
            self.recommendation_page,
            self.decision_page,
        ]
        for number, page in enumerate(self.pages, 1):
            page.setTitle(
                self.tr("{title}   ({n} of {total})").format(
                    title=page.title(), n=number, total=len(self.pages)
                )
            )
            self.addPage(page)
        self.resize(640, 480)

    @classmethod
    def for_group(
        cls,
        group_id: int,
        today: date | None = None,
        parent: QWidget | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
    ) -> JoinWizard:
        """A wizard for a stored group (reads its facts and values from the store)."""
        from groupdesk.store import repository

        today = today or date.today()
        return cls(
            group_id,
            journal.facts_for(group_id, today, thresholds),
            repository.group_values(group_id),
            today,
            parent,
            thresholds,
        )

    # ---------------------------------------------------------------- prefills

    def prefill_alive(self) -> bool | None:
        """Alive from what the app knows: a recent sign of life yes, none for the dead window no."""
        f = self.facts
        seen = max((d for d in (f.last_group_activity, f.last_contribution) if d is not None), default=None)
        if seen is not None:
            return (days_since(seen, self.today) or 0) < self.thresholds.dead_after_days
        if f.posts_per_week is not None:
            return f.posts_per_week > 0
        return None

    def prefill_spam(self) -> bool | None:
        """Spam from the stored spam level (unknown when never rated)."""
        level = self.facts.spam_level
        if level is None:
            return None
        return level >= self.thresholds.spam_flag_level

    # ---------------------------------------------------------------- answers and result

    def answers(self) -> JoinAnswers:
        """The answers as they stand on every page."""
        cost = self.cost_page
        commitment = self.take_part_page.commitment.value()
        return JoinAnswers(
            inviter=self.invite_page.inviter.text().strip(),
            invite_personal=self.invite_page.personal.value(),
            bad_reasons={rid for rid, check in self.reasons_page.checks.items() if check.isChecked()},
            specific_want=self.reasons_page.want.text().strip(),
            give=self.value_page.give.currentData(),
            get=self.value_page.get.currentData(),
            alive=self.health_page.alive.value(),
            spam=self.health_page.spam.value(),
            cost_amount=cost.amount.value(),
            cost_period=cost.period.currentData(),
            hours_per_month=cost.hours.value(),
            emails_per_week=cost.emails.value(),
            commitment_per_month=None if commitment < 0 else commitment,
            has_time=self.take_part_page.time.value(),
            interested=self.take_part_page.interest.value(),
        )

    def compute_recommendation(self) -> Recommendation:
        """The recommendation for the current answers (kept in ``self.recommendation``)."""
        self.recommendation = recommend_join(self.answers(), self.facts, self.today, self.thresholds)
        return self.recommendation

    def _field_updates(self, answers: JoinAnswers, action: str) -> dict[str, Any]:
        """Group fields whose answers differ from what the store had."""
        v = self.values
        new: dict[str, Any] = {
            "invited_by": answers.inviter or None,
            "invite_personal": answers.invite_personal,
            "value_from_me": answers.give,
            "value_to_me": answers.get,
            "cost_period": answers.cost_period,
            "currency": self.cost_page.currency.text().strip().upper() or None,
        }
        # Zero in a spin box shows "free"/"none": it only replaces a known value, never "unknown".
        for key, value in (
            ("cost_amount", answers.cost_amount),
            ("hours_per_month", answers.hours_per_month),
            ("emails_per_week", answers.emails_per_week),
        ):
            new[key] = value if value or v.get(key) is not None else None
        spam_level = v.get("spam_level")
        flag = self.thresholds.spam_flag_level
        if answers.spam is True and (spam_level is None or spam_level < flag):
            new["spam_level"] = flag
        elif answers.spam is False and (spam_level is None or spam_level >= flag):
            new["spam_level"] = 0
        if answers.inviter and v.get("how_joined") in (None, "unknown"):
            new["how_joined"] = "invited"
        if journal.JOIN_STATUS[action] in ("member", "trial") and v.get("joined_on") is None:
            new["joined_on"] = self.today
        out: dict[str, Any] = {}
        for key, value in new.items():
            old = v.get(key)
            if key == "cost_period" and old is None:
                old = "none"
            if value != old and not (value is None and old in (None, "")):
                out[key] = value
        return out

    def result_decision(self) -> journal.JoinResult:
        """What was decided, for ``journal.apply_join_result`` (call after the wizard is accepted)."""
        answers = self.answers()
        rec = self.recommendation or self.compute_recommendation()
        action = self.decision_page.choice.value()
        if action is None:
            raise ValueError("No decision was chosen")
        data = answers.to_dict()
        data["recommendation"] = rec.action
        data["source"] = "join_wizard"
        return journal.JoinResult(
            action=action,
            reasons=rec.rule_ids,
            answers=data,
            note=self.decision_page.note.text().strip(),
            status=journal.JOIN_STATUS[action],
            review_on=journal.join_review_date(action, self.today),
            commitment_per_month=answers.commitment_per_month if action in ("join", "trial") else None,
            values=self._field_updates(answers, action),
        )
