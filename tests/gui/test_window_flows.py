"""The window's decision, plan and export actions, wired to the real store and undo stack."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QMessageBox

from groupdesk.store import journal, repository
from groupdesk.store.models import Decision, Group
from groupdesk.ui.dialogs.how_decides import HowDecidesDialog
from groupdesk.ui.dialogs.join_wizard import JoinWizard
from groupdesk.ui.dialogs.triage import TriageDialog
from tests.gui.conftest import TODAY, add_group


def select(window, gid: int) -> None:
    window.select_ids([gid])
    assert window.current_id() == gid


def test_decide_on_an_invitation_records_the_wizard_result_undoably(make_window, driver):
    gid = add_group("PyData Amsterdam", network="meetup", status="invited")
    window = make_window()
    select(window, gid)

    def finish(wizard):
        assert isinstance(wizard, JoinWizard)
        wizard.result_decision = lambda: journal.JoinResult(
            "trial", ["value_flows"], {"give": 3}, "", "trial", TODAY + timedelta(days=30)
        )
        wizard.accept()

    driver.then(finish)
    assert window.action_decide.isEnabled()
    window.action_decide.trigger()
    assert Group.get_by_id(gid).status == "trial"
    assert [d.action for d in Decision.select()] == ["trial"]
    assert window.model.row_by_id(gid).status == "trial"
    window.undo_stack.undo()
    assert Group.get_by_id(gid).status == "invited"
    assert Decision.select().count() == 0
    assert window.model.row_by_id(gid).status == "invited"


def test_cancelled_wizard_changes_nothing(make_window, driver):
    gid = add_group("Growth Hackers Unite", network="facebook", status="invited")
    window = make_window()
    select(window, gid)
    driver.then(lambda wizard: wizard.reject())
    assert not window.open_decision_dialog()
    assert Decision.select().count() == 0 and window.undo_stack.count() == 0


def test_review_walks_memberships_and_leave_then_mark_left(make_window, driver, qtbot):
    keep = add_group("Local Board Game Club", network="offline", value_to_me=5, value_from_me=4)
    dead = add_group(
        "Old Forum", network="forum", value_to_me=1, value_from_me=1, spam_level=3,
        last_group_activity=TODAY - timedelta(days=400),
    )  # fmt: skip
    window = make_window()

    def review(dialog):
        assert isinstance(dialog, TriageDialog)
        assert dialog.current_group_id == dead  # worst first
        dialog.decide("leave")
        dialog.reject()

    driver.then(review)
    window.decisions.action_review.trigger()
    assert Group.get_by_id(dead).status == "leaving"
    assert Group.get_by_id(keep).status == "member"
    select(window, dead)
    assert window.decisions.action_mark_left.isEnabled()
    window.decisions.action_mark_left.trigger()
    g = Group.get_by_id(dead)
    assert g.status == "left" and g.left_on == TODAY
    window.undo_stack.undo()
    assert Group.get_by_id(dead).status == "leaving"
    window.undo_stack.undo()
    assert Group.get_by_id(dead).status == "member"


def test_review_with_nothing_to_review_says_so(make_window, driver):
    add_group("An invitation", status="invited")
    window = make_window()
    driver.then(lambda box: (isinstance(box, QMessageBox) or pytest.fail("not a message")) and box.accept())
    assert not window.decisions.review()


def test_plan_pdf_html_csv_export_of_the_shown_groups(make_window, tmp_path):
    shown = add_group(
        '<b>Growth</b> & "Hackers"', network="facebook", value_to_me=0, value_from_me=1,
        cost_amount=20, cost_period="month", currency="EUR",
    )  # fmt: skip
    add_group("Hidden Spam Group", network="linkedin", value_to_me=0, value_from_me=0, spam_level=3)
    window = make_window()
    window.filter_edit.setText("growth")
    window.apply_filters()
    chosen = iter([str(tmp_path / "plan.pdf"), str(tmp_path / "plan"), str(tmp_path / "plan.csv")])
    window.plan.choose_path = lambda *a: next(chosen)
    pdf = window.plan.export("pdf")
    html = window.plan.export("html")
    csv = window.plan.export("csv")
    assert html == tmp_path / "plan.html"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert '<b>Growth</b> & "Hackers"' in text
    assert "Hidden Spam Group" not in text
    assert "growth" in text  # the filter is named in the header
    assert "&lt;b&gt;Growth&lt;/b&gt;" in html.read_text(encoding="utf-8")
    assert '<b>Growth</b> & ""Hackers""' in csv.read_text(encoding="utf-8")
    assert repository.group_count() == 2 and shown


def test_plan_export_to_an_unwritable_place_shows_one_message(make_window, driver, tmp_path):
    add_group("Dead Group", value_to_me=0, value_from_me=0, last_group_activity=TODAY - timedelta(days=300))
    window = make_window()
    window.plan.choose_path = lambda *a: str(tmp_path / "missing-folder" / "plan.pdf")
    messages = []
    driver.then(lambda box: messages.append(box.text()) or box.accept())
    assert window.plan.export("pdf") is None
    assert "missing-folder" in messages[0]


def test_export_groups_writes_a_file_that_imports_back(make_window, tmp_path, run_cli):
    add_group("Book Club", network="offline", tags="books")
    window = make_window()
    window.plan.choose_path = lambda *a: str(tmp_path / "backup")
    path = window.plan.export_groups()
    assert path == tmp_path / "backup.groupdesk.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "groupdesk" and data["groups"][0]["name"] == "Book Club"
    other = tmp_path / "other"
    result = run_cli("import", str(path), data=other)
    assert result.returncode == 0, result.stderr


def test_help_and_invitations_view(make_window, driver):
    add_group("Invite A", status="invited")
    add_group("Member B", status="member")
    window = make_window()
    window.action_invitations.trigger()
    assert [r.name for r in window.model.visible_rows()] == ["Invite A"]
    seen = []
    driver.then(lambda d: seen.append(d.browser.toPlainText()) or d.accept())
    window.action_how.trigger()
    assert "Five bad reasons to join" in seen[0] and "Decision table" in seen[0]
    assert isinstance(HowDecidesDialog(window), HowDecidesDialog)
