"""The group and contribution dialogs on their own: inline errors, OK disabled while invalid,
values as the store wants them."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog

from groupdesk.domain.records import GROUP_FIELDS
from groupdesk.store import repository
from groupdesk.ui.dialogs.contribution_dialog import ContributionDialog
from groupdesk.ui.dialogs.group_dialog import GroupDialog

TODAY = date(2025, 6, 1)


@pytest.fixture
def dialog(qtbot):
    d = GroupDialog(None, title="Add group", today=TODAY)
    qtbot.addWidget(d)
    d.show()
    return d


def test_new_dialog_needs_a_name(qtbot, dialog):
    assert not dialog.ok_button.isEnabled()
    assert dialog.errors() == {"name": "A group needs a name."}
    qtbot.keyClicks(dialog.widget("name"), "Chess Club")
    assert dialog.ok_button.isEnabled() and dialog.errors() == {}
    dialog.widget("name").clear()
    assert not dialog.ok_button.isEnabled()


def test_bad_numbers_are_shown_under_their_field(qtbot, dialog):
    qtbot.keyClicks(dialog.widget("name"), "Chess Club")
    qtbot.keyClicks(dialog.widget("emails_per_week"), "lots")
    assert not dialog.ok_button.isEnabled()
    assert "not a number" in dialog.errors()["emails_per_week"]
    label = dialog.error_label("emails_per_week")
    assert not label.isHidden() and "not a number" in label.text()
    assert dialog.tabs.tabText(2).endswith("(!)")
    dialog.widget("emails_per_week").setText("-3")
    assert "zero or more" in dialog.errors()["emails_per_week"]
    dialog.widget("emails_per_week").setText("12.5")
    assert dialog.ok_button.isEnabled()
    assert label.isHidden()
    assert dialog.values()["emails_per_week"] == 12.5


def test_checks_across_fields(qtbot, dialog):
    qtbot.keyClicks(dialog.widget("name"), "Paid Club")
    dialog.widget("cost_amount").setText("10")
    assert "how often" in dialog.errors()["cost_period"]
    dialog.set_field("cost_period", "month")
    dialog.widget("currency").setText("E1")
    assert "three-letter" in dialog.errors()["currency"]
    dialog.widget("currency").setText("eur")
    dialog.set_field("joined_on", date(2025, 3, 1))
    dialog.set_field("left_on", date(2025, 1, 1))
    assert "before the day you joined" in dialog.errors()["left_on"]
    dialog.set_field("left_on", None)
    assert dialog.is_valid()
    values = dialog.values()
    assert (
        values["currency"] == "EUR"
        and values["cost_amount"] == 10.0
        and values["joined_on"] == date(2025, 3, 1)
    )


def test_values_round_trip_through_the_store(qtbot, store):
    gid = repository.create_group(
        {
            "name": "Full <Group>",
            "network": "discord",
            "status": "trial",
            "url": "https://example.org/g",
            "external_id": "123",
            "how_joined": "invited",
            "invited_by": "Ann",
            "invite_personal": True,
            "invited_on": date(2025, 1, 2),
            "joined_on": date(2025, 1, 3),
            "review_on": date(2025, 7, 1),
            "cost_amount": 5.5,
            "cost_period": "month",
            "currency": "USD",
            "hours_per_month": 2,
            "emails_per_week": 1,
            "last_group_activity": date(2025, 5, 30),
            "posts_per_week": 30,
            "value_to_me": 4,
            "value_from_me": 3,
            "spam_level": 0,
            "commitment_per_month": 2,
            "tags": "games",
            "notes": "line one\nline two",
        }
    )
    stored = repository.group_values(gid)
    d = GroupDialog(None, stored, today=TODAY)
    qtbot.addWidget(d)
    assert d.is_valid()
    assert d.values() == {k: stored[k] for k in GROUP_FIELDS}
    d.set_field("invite_personal", False)
    d.set_field("spam_level", None)
    assert d.values()["invite_personal"] is False and d.values()["spam_level"] is None


def test_unknown_dates_and_numbers_are_none(qtbot, dialog):
    qtbot.keyClicks(dialog.widget("name"), "Sparse")
    values = dialog.values()
    assert set(values) == set(GROUP_FIELDS)
    assert values["joined_on"] is None and values["hours_per_month"] is None
    assert values["commitment_per_month"] is None and values["value_to_me"] is None
    assert values["network"] == "other" and values["status"] == "member"
    date_edit = dialog.widget("joined_on")
    date_edit.check.setChecked(True)
    date_edit.edit.setDate(QDate(2024, 2, 29))
    assert dialog.values()["joined_on"] == date(2024, 2, 29)


def test_ok_accepts_only_when_valid(qtbot, dialog):
    dialog.accept()  # e.g. Enter with an empty name
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.isVisible()
    qtbot.keyClicks(dialog.widget("name"), "X")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_contribution_dialog(qtbot):
    d = ContributionDialog(None, "<b>Bold</b> name", today=TODAY)
    qtbot.addWidget(d)
    assert d.group_label.text() == "<b>Bold</b> name"
    assert d.group_label.textFormat() == Qt.TextFormat.PlainText
    d.date_edit.setDate(QDate(2030, 1, 1))  # the future is not allowed
    assert d.values()[0] == TODAY
    d.date_edit.setDate(QDate(2025, 5, 2))
    d.kind_combo.setCurrentIndex(d.kind_combo.findData("event"))
    qtbot.keyClicks(d.note_edit, "  went to the meetup  ")
    assert d.values() == (date(2025, 5, 2), "event", "went to the meetup")
