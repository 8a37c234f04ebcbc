"""The detail panel: everything about the selected group, its flags in sentences, its journal.

It only shows what it is given (a table row and the group's stored values and rows); the window
reads them from the store. Every text that came from the user or an import is plain text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QBoxLayout,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groupdesk.domain.scores import flag_sentence
from groupdesk.domain.vocab import ACTIONS, CONTRIBUTION_KINDS, COST_PERIODS, HOW_JOINED, NETWORKS, STATUSES
from groupdesk.store.repository import GroupRow
from groupdesk.ui.table_model import format_money, format_number
from groupdesk.ui.text import plain_tooltip

if TYPE_CHECKING:
    from groupdesk.store.probe_store import GroupActivity


def _label(parent: QWidget, text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _fill(template: str, *values: str) -> str:
    """``template`` with ``%1``, ``%2``… replaced in one pass (a value's own "%2" stays as it is)."""
    import re

    def value(m: re.Match[str]) -> str:
        n = int(m[1])
        return values[n - 1] if 0 < n <= len(values) else m[0]

    return re.sub(r"%(\d)", value, template)


def _rule_sentence(rule_id: str) -> str:
    """The sentence of a rule id when the rules module knows it, else the id itself."""
    try:
        from groupdesk.domain.rules import rule_sentence
    except ImportError:  # pragma: no cover - the rules arrive with the decision flows
        return rule_id
    try:
        return rule_sentence(rule_id)
    except (KeyError, ValueError):
        return rule_id


class DetailPanel(QScrollArea):
    """Facts, flags, contributions, decisions and invitations of one group."""

    #: The user asked to log a contribution for the group shown.
    log_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self)
        self.setWidget(body)
        # Four sections side by side under the table, or one above the other beside it.
        self.body_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, body)
        self.body_layout.setContentsMargins(10, 6, 10, 6)
        self.body_layout.setSpacing(18)

        head = QWidget(body)
        head_layout = QVBoxLayout(head)
        head_layout.setContentsMargins(0, 0, 0, 0)
        self.title = _label(head)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.subtitle = _label(head)
        self.placeholder = _label(head, self.tr("Select a group to see its details."))
        self.placeholder.setEnabled(False)
        head_layout.addWidget(self.title)
        head_layout.addWidget(self.subtitle)
        head_layout.addWidget(self.placeholder)
        self.scores_box = QWidget(head)
        self.scores_form = self._form(self.scores_box)
        head_layout.addWidget(self.scores_box)
        head_layout.addStretch(1)

        self.facts_box = QWidget(body)
        self.facts = self._form(self.facts_box)
        self._fact_labels: dict[str, QLabel] = {}
        self._fact_forms: dict[str, QFormLayout] = {}
        for form, parent_box, keys in (
            (
                self.scores_form,
                self.scores_box,
                (
                    ("value", self.tr("Value")),
                    ("activity", self.tr("Activity")),
                    ("group_activity", self.tr("Group activity")),
                    ("participation", self.tr("My participation")),
                    ("cost", self.tr("Cost")),
                    ("hours", self.tr("Hours / month")),
                    ("emails", self.tr("E-mails / week")),
                ),
            ),
            (
                self.facts,
                self.facts_box,
                (
                    ("last_activity", self.tr("Last activity")),
                    ("online", self.tr("Checked online")),
                    ("online_error", self.tr("Last check")),
                    ("last_contribution", self.tr("My last contribution")),
                    ("joined", self.tr("Joined")),
                    ("how_joined", self.tr("How I joined")),
                    ("review_on", self.tr("Review on")),
                    ("url", self.tr("Link")),
                    ("tags", self.tr("Tags")),
                    ("notes", self.tr("Notes")),
                ),
            ),
        ):
            for key, text in keys:
                value = _label(parent_box)
                form.addRow(_label(parent_box, text + ":", wrap=False), value)
                self._fact_labels[key] = value
                self._fact_forms[key] = form

        self.flags_section = QWidget(body)
        flags_layout = QVBoxLayout(self.flags_section)
        flags_layout.setContentsMargins(0, 0, 0, 0)
        self.flags_heading = self._heading(self.flags_section, self.tr("Warning signs"))
        flags_layout.addWidget(self.flags_heading)
        self.flags_box = QWidget(self.flags_section)
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_layout.setContentsMargins(0, 0, 0, 0)
        flags_layout.addWidget(self.flags_box)
        flags_layout.addStretch(1)
        self.flag_labels: list[QLabel] = []

        self.journal_section = QWidget(body)
        journal_layout = QVBoxLayout(self.journal_section)
        journal_layout.setContentsMargins(0, 0, 0, 0)
        self.journal = QTabWidget(self.journal_section)
        self.journal.setDocumentMode(True)
        self.contributions = self._tree([self.tr("Date"), self.tr("Kind"), self.tr("Note")])
        self.decisions = self._tree([self.tr("Date"), self.tr("Action"), self.tr("Reasons"), self.tr("Note")])
        self.invites = self._tree(
            [
                self.tr("Received"),
                self.tr("From"),
                self.tr("Channel"),
                self.tr("Personal"),
                self.tr("Subject"),
            ]
        )
        self.journal.addTab(self.contributions, self.tr("Contributions"))
        self.journal.addTab(self.decisions, self.tr("Decisions"))
        self.journal.addTab(self.invites, self.tr("Invitations"))
        self.journal.setTabToolTip(0, self.tr("What you did in the group: your participation log"))
        self.journal.setTabToolTip(1, self.tr("What you decided about the group, and why"))
        self.journal.setTabToolTip(2, self.tr("Invitations you received to the group"))
        self.log_button = QPushButton(self.tr("Log contribution…"), self.journal_section)
        self.log_button.setToolTip(self.tr("Record something you did in this group (Ctrl+L)"))
        self.log_button.clicked.connect(self.log_requested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.log_button)
        journal_layout.addWidget(self.journal, 1)
        journal_layout.addLayout(buttons)

        self.body_layout.addWidget(head, 2)
        self.body_layout.addWidget(self.facts_box, 4)
        self.body_layout.addWidget(self.flags_section, 3)
        self.body_layout.addWidget(self.journal_section, 4)
        self._sections = [self.scores_box, self.facts_box, self.flags_section, self.journal_section]
        self.group_id: int | None = None
        self.set_orientation(Qt.Orientation.Horizontal)
        self.show_nothing()

    def set_orientation(self, orientation: Qt.Orientation) -> None:
        """Lay the sections out side by side (panel under the table) or stacked (panel beside it)."""
        horizontal = orientation == Qt.Orientation.Horizontal
        self.body_layout.setDirection(
            QBoxLayout.Direction.LeftToRight if horizontal else QBoxLayout.Direction.TopToBottom
        )
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Side by side, the journal takes the height the other sections need, no more.
        self.journal_section.setMinimumHeight(0 if horizontal else 240)
        self.journal_section.setSizePolicy(
            QSizePolicy.Policy.Preferred,
            QSizePolicy.Policy.Ignored if horizontal else QSizePolicy.Policy.Preferred,
        )
        self.orientation = orientation

    def _form(self, parent: QWidget) -> QFormLayout:
        form = QFormLayout(parent)
        form.setContentsMargins(0, 4, 0, 0)
        form.setVerticalSpacing(3)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        return form

    def _heading(self, parent: QWidget, text: str) -> QLabel:
        label = _label(parent, text, wrap=False)
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
        label.setContentsMargins(0, 8, 0, 2)
        return label

    def _tree(self, headers: list[str]) -> QTreeWidget:
        tree = QTreeWidget(self)
        tree.setHeaderLabels(headers)
        tree.setRootIsDecorated(False)
        tree.setUniformRowHeights(True)
        tree.setAlternatingRowColors(True)
        tree.setWordWrap(False)
        tree.header().setStretchLastSection(True)
        return tree

    # ------------------------------------------------------------ showing

    def show_nothing(self, selected: int = 0) -> None:
        """No single group selected (``selected`` groups are, when more than one)."""
        self.group_id = None
        for w in self._sections:
            w.hide()
        self.title.hide()
        self.subtitle.hide()
        if selected > 1:
            self.placeholder.setText(self.tr("%n groups selected.", "", selected))
        else:
            self.placeholder.setText(self.tr("Select a group to see its details."))
        self.placeholder.show()

    def show_group(
        self,
        row: GroupRow,
        values: dict[str, Any],
        contributions: Sequence[dict[str, Any]] = (),
        decisions: Sequence[dict[str, Any]] = (),
        invites: Sequence[dict[str, Any]] = (),
        activity: GroupActivity | None = None,
    ) -> None:
        """Show one group: its table row, stored values and journal rows (newest first), and its last
        online activity check (``store.probe_store.activity_of``), if any."""
        self.group_id = row.id
        self.placeholder.hide()
        self.title.show()
        self.subtitle.show()
        for w in self._sections:
            w.show()
        self.title.setText(row.name)
        self.subtitle.setText(
            f"{NETWORKS.get(row.network, row.network)} · {STATUSES.get(row.status, row.status)}"
        )
        unknown = self.tr("not known")
        amount, period = values.get("cost_amount"), values.get("cost_period")
        if amount and period and period != "none":
            cost = (
                f"{format_money(amount, values.get('currency'))} ({COST_PERIODS.get(period, period).lower()})"
            )
            if row.cost_per_year and period != "year":
                cost += self.tr(", %1 a year").replace("%1", format_money(row.cost_per_year, row.currency))
        else:
            cost = self.tr("free")
        invited_by = values.get("invited_by")
        how = HOW_JOINED.get(values.get("how_joined") or "unknown", "")
        facts = {
            "value": self._score(row.value, self.tr("rate what you give and what you get")),
            "activity": self._score(row.activity, unknown),
            "group_activity": self._score(row.group_activity, unknown),
            "participation": self._score(row.participation, self.tr("only for groups you belong to")),
            "cost": cost,
            "hours": format_number(values.get("hours_per_month"))
            if values.get("hours_per_month") is not None
            else unknown,
            "emails": format_number(row.emails_per_week) if row.emails_per_week is not None else unknown,
            "last_activity": _day(row.last_activity) or unknown,
            "last_contribution": _day(row.last_contribution) or self.tr("none logged"),
            "joined": _day(values.get("joined_on")) or unknown,
            "how_joined": how + (self.tr(" (by %1)").replace("%1", invited_by) if invited_by else ""),
            "review_on": _day(values.get("review_on")) or self.tr("not set"),
            "url": values.get("url") or "",
            "tags": values.get("tags") or "",
            "notes": values.get("notes") or "",
            "online": self._online_text(activity),
            "online_error": self._online_error_text(activity),
        }
        self._fact_labels["online"].setToolTip(self._online_tooltip(activity))
        for key, text in facts.items():
            label = self._fact_labels[key]
            label.setText(text)
            visible = bool(text) or key not in ("url", "tags", "notes", "online", "online_error")
            label.setVisible(visible)
            buddy = self._fact_forms[key].labelForField(label)
            if buddy is not None:
                buddy.setVisible(visible)

        for label in self.flag_labels:
            self.flags_layout.removeWidget(label)
            label.hide()
            label.deleteLater()
        self.flag_labels = []
        sentences = [flag_sentence(f) for f in row.flags] or [self.tr("No warning signs.")]
        for sentence in sentences:
            label = _label(self.flags_box, ("• " if row.flags else "") + sentence)
            self.flags_layout.addWidget(label)
            self.flag_labels.append(label)

        self.journal.setTabText(0, self.tr("Contributions (%1)").replace("%1", str(len(contributions))))
        self.contributions.clear()
        for c in contributions:
            kind = CONTRIBUTION_KINDS.get(c.get("kind") or "", c.get("kind") or "")
            self._add_item(self.contributions, [_day(c.get("date")), kind, c.get("note") or ""])

        self.journal.setTabText(1, self.tr("Decisions (%1)").replace("%1", str(len(decisions))))
        self.decisions.clear()
        for d in decisions:
            reasons = "; ".join(_rule_sentence(r) for r in d.get("reasons") or [])
            action = ACTIONS.get(d.get("action") or "", d.get("action") or "")
            self._add_item(self.decisions, [_day(d.get("at")), action, reasons, d.get("note") or ""])

        self.journal.setTabText(2, self.tr("Invitations (%1)").replace("%1", str(len(invites))))
        self.invites.clear()
        for i in invites:
            personal = {True: self.tr("yes"), False: self.tr("no")}.get(i.get("personal"), "")
            self._add_item(
                self.invites,
                [
                    _day(i.get("received_at")),
                    i.get("inviter") or "",
                    i.get("channel") or "",
                    personal,
                    i.get("subject") or "",
                ],
            )
        for tree in (self.contributions, self.decisions, self.invites):
            for col in range(tree.columnCount() - 1):
                tree.resizeColumnToContents(col)

    def _online_text(self, activity: GroupActivity | None) -> str:
        """The figures line: "Members 2,310 · 140 active in the last 7 days — from …, measured …"."""
        if activity is None or activity.measured_at is None:
            return ""
        parts = []
        if activity.members is not None:
            parts.append(self.tr("Members %1").replace("%1", f"{activity.members:,}"))
        if activity.active_users is not None:
            windows = {
                "now": self.tr("%1 online now"),
                "day": self.tr("%1 active in the last day"),
                "week": self.tr("%1 active in the last 7 days"),
                "month": self.tr("%1 active in the last 30 days"),
                "half_year": self.tr("%1 active in the last 6 months"),
            }
            text = windows.get(activity.active_window or "", self.tr("%1 active"))
            parts.append(text.replace("%1", f"{activity.active_users:,}"))
        if activity.posts_per_week is not None:
            parts.append(self.tr("%1 posts a week").replace("%1", format_number(activity.posts_per_week)))
        return _fill(
            self.tr("%1 — from %2, measured %3"),
            " · ".join(parts),
            activity.short_source,
            _day(activity.measured_at.astimezone()),
        )

    def _online_error_text(self, activity: GroupActivity | None) -> str:
        if activity is None or activity.error_kind is None:
            return ""
        when = _day(activity.error_at.astimezone()) if activity.error_at else ""
        return _fill(self.tr("%1 (%2): %3"), activity.error_title, when, activity.error_message or "")

    def _online_tooltip(self, activity: GroupActivity | None) -> str:
        if activity is None or activity.measured_at is None:
            return ""
        lines = [activity.source_url or ""]
        if activity.title:
            lines.append(_fill(self.tr("The site calls it “%1”."), activity.title))
        lines.extend(activity.notes)
        return plain_tooltip("\n".join(line for line in lines if line))

    def _score(self, value: float | None, missing: str) -> str:
        return missing if value is None else f"{value:.0f} / 100"

    @staticmethod
    def _add_item(tree: QTreeWidget, texts: list[str]) -> None:
        item = QTreeWidgetItem(texts)
        for col, text in enumerate(texts):
            if text:
                item.setToolTip(col, plain_tooltip(text))
        tree.addTopLevelItem(item)

    def fact_text(self, key: str) -> str:
        """The text shown for one fact (for tests and accessibility checks)."""
        return self._fact_labels[key].text()

    def flag_texts(self) -> list[str]:
        """The flag sentences shown."""
        return [label.text() for label in self.flag_labels]
