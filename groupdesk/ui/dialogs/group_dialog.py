"""The dialog that adds or edits a group: every Group field, checked as you type.

Values are checked by ``repository.clean_values`` (the same rules as imports and the command
line) plus a few checks across fields; each problem is shown under its field and OK stays
disabled until there are none.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.records import GROUP_FIELDS
from groupdesk.domain.vocab import COST_PERIODS, HOW_JOINED, NETWORKS, STATUSES
from groupdesk.store import repository

_ERROR_STYLE = "color: #b3261e;"
_FLOAT_FIELDS = ("cost_amount", "hours_per_month", "emails_per_week", "posts_per_week")
_DATE_FIELDS = ("invited_on", "joined_on", "left_on", "last_group_activity", "review_on")


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


class OptionalDateEdit(QWidget):
    """A date that may be unknown: a check box switches the date on or off."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self._today = today or date.today()
        self.check = QCheckBox(self)
        self.check.setToolTip(self.tr("Tick when the date is known"))
        self.edit = QDateEdit(self)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(_qdate(self._today))
        self.edit.setEnabled(False)
        self.unknown = QLabel(self.tr("unknown"), self)
        self.unknown.setTextFormat(Qt.TextFormat.PlainText)
        self.unknown.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addWidget(self.unknown)
        layout.addStretch(1)
        self.setFocusProxy(self.check)
        self.check.toggled.connect(self._toggled)
        self.edit.dateChanged.connect(lambda _d: self.changed.emit())

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self.unknown.setVisible(not on)
        self.changed.emit()

    def value(self) -> date | None:
        """The date, or None while unknown."""
        return _pydate(self.edit.date()) if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        """Show ``value`` (None = unknown)."""
        if value is not None:
            self.edit.setDate(_qdate(value))
        self.check.setChecked(value is not None)
        self._toggled(value is not None)


class GroupDialog(QDialog):
    """Add or edit one group. ``values()`` gives the Group fields once the dialog is accepted."""

    def __init__(
        self,
        parent: QWidget | None = None,
        values: dict[str, Any] | None = None,
        *,
        title: str | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title or self.tr("Group"))
        self.setModal(True)
        self._today = today or date.today()
        self._widgets: dict[str, QWidget] = {}
        self._error_labels: dict[str, QLabel] = {}
        self._tab_of: dict[str, int] = {}
        self._errors: dict[str, str] = {}

        self.tabs = QTabWidget(self)
        self._tab_titles: list[str] = []
        self._build_group_tab()
        self._build_joining_tab()
        self._build_value_tab()

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(_ERROR_STYLE)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self.set_values(values or {})
        self._connect_changes()
        self.validate()
        self.resize(560, 520)
        self._widgets["name"].setFocus()

    # ------------------------------------------------------------ building

    def _form_tab(self, title: str) -> QFormLayout:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.tabs.addTab(page, title)
        self._tab_titles.append(title)
        return form

    def _add(self, form: QFormLayout, key: str, label: str, widget: QWidget, tip: str = "") -> None:
        box = QWidget(self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(1)
        inner.addWidget(widget)
        error = QLabel(box)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setWordWrap(True)
        error.setStyleSheet(_ERROR_STYLE)
        small = QFont(error.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        error.setFont(small)
        error.hide()
        inner.addWidget(error)
        text = QLabel(label, self)
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setBuddy(widget)
        if tip:
            widget.setToolTip(tip)
            text.setToolTip(tip)
        form.addRow(text, box)
        self._widgets[key] = widget
        self._error_labels[key] = error
        self._tab_of[key] = self.tabs.count() - 1

    def _combo(self, items: dict[Any, str]) -> QComboBox:
        combo = QComboBox(self)
        for data, text in items.items():
            combo.addItem(text, data)
        return combo

    def _line(self, placeholder: str = "", *, right: bool = False) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        if right:  # a number
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setMaximumWidth(140)
        return edit

    def _rating(self, words: dict[int, str]) -> QComboBox:
        items: dict[Any, str] = {None: self.tr("Not rated")}
        items.update({n: f"{n} – {w}" for n, w in words.items()})
        return self._combo(items)

    def _build_group_tab(self) -> None:
        form = self._form_tab(self.tr("Group"))
        self._add(
            form, "name", self.tr("&Name:"), self._line(self.tr("required")), self.tr("The group's name")
        )
        self._add(form, "network", self.tr("Ne&twork:"), self._combo(NETWORKS), self.tr("Where it lives"))
        self._add(form, "status", self.tr("&Status:"), self._combo(STATUSES), self.tr("Your relation to it"))
        self._add(form, "url", self.tr("&Link:"), self._line("https://…"), self.tr("The group's web address"))
        self._add(
            form,
            "external_id",
            self.tr("Network &id:"),
            self._line(self.tr("optional")),
            self.tr("The network's own id (server id, subreddit, List-Id…); used to recognise it on import"),
        )
        self._add(
            form, "tags", self.tr("T&ags:"), self._line(self.tr("comma separated")), self.tr("Your topics")
        )
        notes = QPlainTextEdit(self)
        notes.setTabChangesFocus(True)
        notes.setMinimumHeight(70)
        self._add(form, "notes", self.tr("N&otes:"), notes)

    def _build_joining_tab(self) -> None:
        form = self._form_tab(self.tr("Joining"))
        self._add(form, "how_joined", self.tr("&How I joined:"), self._combo(HOW_JOINED))
        self._add(form, "invited_by", self.tr("Invited &by:"), self._line(self.tr("name or address")))
        personal = self._combo(
            {None: self.tr("Unknown"), True: self.tr("Personal"), False: self.tr("Mass invitation")}
        )
        self._add(
            form,
            "invite_personal",
            self.tr("Invitation &was:"),
            personal,
            self.tr("A personal invitation was written to you; a mass invitation went to many"),
        )
        labels = {
            "invited_on": self.tr("Invited on:"),
            "joined_on": self.tr("&Joined on:"),
            "left_on": self.tr("Le&ft on:"),
            "review_on": self.tr("&Review on:"),
        }
        for key, label in labels.items():
            tip = self.tr("When to look at this group again") if key == "review_on" else ""
            self._add(form, key, label, OptionalDateEdit(self, today=self._today), tip)
        commitment = QSpinBox(self)
        commitment.setRange(-1, 1000)
        commitment.setSpecialValueText(self.tr("not set"))
        commitment.setSuffix(self.tr(" a month"))
        self._add(
            form,
            "commitment_per_month",
            self.tr("Comm&itment:"),
            commitment,
            self.tr("Contributions a month you mean to make"),
        )

    def _build_value_tab(self) -> None:
        form = self._form_tab(self.tr("Value && cost"))
        give = {
            0: self.tr("nothing"),
            1: self.tr("very little"),
            2: self.tr("a little"),
            3: self.tr("some"),
            4: self.tr("a lot"),
            5: self.tr("a great deal"),
        }
        self._add(
            form,
            "value_from_me",
            self.tr("What I &give:"),
            self._rating(give),
            self.tr("How much value you bring to the group (0–5)"),
        )
        self._add(
            form,
            "value_to_me",
            self.tr("What I g&et:"),
            self._rating(give),
            self.tr("How much value the group brings you (0–5)"),
        )
        spam = {
            None: self.tr("Unknown"),
            0: self.tr("0 – none"),
            1: self.tr("1 – some"),
            2: self.tr("2 – a lot"),
            3: self.tr("3 – nothing but spam"),
        }
        self._add(form, "spam_level", self.tr("S&pam:"), self._combo(spam), self.tr("Spam and sales pitches"))
        self._add(
            form,
            "last_group_activity",
            self.tr("&Last activity:"),
            OptionalDateEdit(self, today=self._today),
            self.tr("The last time anything happened in the group"),
        )
        unknown = self.tr("unknown")
        self._add(form, "posts_per_week", self.tr("P&osts / week:"), self._line(unknown, right=True))
        self._add(form, "emails_per_week", self.tr("E-&mails / week:"), self._line(unknown, right=True))
        self._add(form, "hours_per_month", self.tr("Ho&urs / month:"), self._line(unknown, right=True))
        self._add(form, "cost_amount", self.tr("&Cost:"), self._line(self.tr("free"), right=True))
        self._add(form, "cost_period", self.tr("Pa&id:"), self._combo(COST_PERIODS))
        currency = self._line("EUR")
        currency.setMaxLength(3)
        currency.setMaximumWidth(70)
        self._add(form, "currency", self.tr("Curre&ncy:"), currency, self.tr("Three-letter code, e.g. EUR"))

    def _connect_changes(self) -> None:
        for widget in self._widgets.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self.validate)
            elif isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self.validate)
            elif isinstance(widget, QPlainTextEdit):
                widget.textChanged.connect(self.validate)
            elif isinstance(widget, QSpinBox):
                widget.valueChanged.connect(self.validate)
            elif isinstance(widget, OptionalDateEdit):
                widget.changed.connect(self.validate)

    # ------------------------------------------------------------ values

    @property
    def ok_button(self) -> QPushButton:
        """The OK button (disabled while something is wrong)."""
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def widget(self, key: str) -> QWidget:
        """The editor of the Group field ``key``."""
        return self._widgets[key]

    def error_label(self, key: str) -> QLabel:
        """The label under the editor of ``key`` that shows its problem (hidden when none)."""
        return self._error_labels[key]

    def set_field(self, key: str, value: Any) -> None:
        """Show ``value`` in the editor of ``key`` (a Python value as the store holds it)."""
        w = self._widgets[key]
        if isinstance(w, QComboBox):
            index = w.findData(value)
            w.setCurrentIndex(max(index, 0))
        elif isinstance(w, OptionalDateEdit):
            w.set_value(value)
        elif isinstance(w, QSpinBox):
            w.setValue(-1 if value is None else int(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value or "")
        elif isinstance(w, QLineEdit):
            w.setText(_number_text(value) if key in _FLOAT_FIELDS else (value or ""))

    def set_values(self, values: dict[str, Any]) -> None:
        """Fill every editor (missing keys get their defaults)."""
        defaults = {"network": "other", "status": "member", "how_joined": "unknown", "cost_period": "none"}
        for key in GROUP_FIELDS:
            self.set_field(key, values.get(key, defaults.get(key)))

    def raw_values(self) -> dict[str, Any]:
        """What the editors hold, unchecked (text fields as typed)."""
        out: dict[str, Any] = {}
        for key, w in self._widgets.items():
            if isinstance(w, QComboBox):
                out[key] = w.currentData()
            elif isinstance(w, OptionalDateEdit):
                out[key] = w.value()
            elif isinstance(w, QSpinBox):
                out[key] = None if w.value() < 0 else w.value()
            elif isinstance(w, QPlainTextEdit):
                out[key] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                out[key] = w.text().upper() if key == "currency" else w.text()
        return out

    def values(self) -> dict[str, Any]:
        """The checked Group fields (every key of ``GROUP_FIELDS``; None = unknown).

        Raises:
            ValueError: a value is not acceptable (the dialog shows it; OK is disabled then).
        """
        values = repository.clean_values(self.raw_values())
        problems = self._cross_checks(values)
        if problems:
            key, message = next(iter(problems.items()))
            raise ValueError(f"{key}: {message}")
        return values

    def _cross_checks(self, values: dict[str, Any]) -> dict[str, str]:
        problems: dict[str, str] = {}
        currency = values.get("currency")
        if currency and (len(currency) != 3 or not currency.isalpha()):
            problems["currency"] = self.tr("use a three-letter code such as EUR or USD")
        if values.get("cost_amount") and values.get("cost_period") in (None, "none"):
            problems["cost_period"] = self.tr("say how often you pay this cost")
        joined, left = values.get("joined_on"), values.get("left_on")
        if joined and left and left < joined:
            problems["left_on"] = self.tr("is before the day you joined")
        return problems

    def errors(self) -> dict[str, str]:
        """The problems shown now, by field."""
        return dict(self._errors)

    def is_valid(self) -> bool:
        """Whether OK can be pressed."""
        return not self._errors

    def validate(self) -> bool:
        """Check every field, show the problems under their fields, enable OK when there are none."""
        raw = self.raw_values()
        errors: dict[str, str] = {}
        # clean_values stops at the first problem: check field by field to show them all.
        cleaned: dict[str, Any] = {}
        for key, value in raw.items():
            try:
                cleaned.update(repository.clean_values({key: value}))
            except ValueError as exc:
                errors[key] = self._message(key, str(exc))
        if not errors:
            errors.update(self._cross_checks(cleaned))
        self._errors = errors
        for key, label in self._error_labels.items():
            message = errors.get(key)
            label.setText(message or "")
            label.setVisible(bool(message))
        bad_tabs = {self._tab_of[k] for k in errors}
        for i, title in enumerate(self._tab_titles):
            self.tabs.setTabText(i, title + (" (!)" if i in bad_tabs else ""))
        self.summary.setText(
            self.tr("Fix the marked fields to continue.") if errors and set(errors) != {"name"} else ""
        )
        self.ok_button.setEnabled(not errors)
        return not errors

    def _message(self, key: str, text: str) -> str:
        if key == "name":
            return self.tr("A group needs a name.")
        if text.startswith(f"{key}:"):
            text = text[len(key) + 1 :].strip()
        return text[:1].upper() + text[1:]

    def accept(self) -> None:
        """Close with OK, but only when every field is acceptable."""
        if self.validate():
            super().accept()
