"""The window's decision actions: the join wizard, the clean-up review, and confirming a leave.

Every decision is journalled through ``store.journal`` and pushed onto the window's undo stack
(``DecisionCommand``), so Ctrl+Z takes it back like any other edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from groupdesk.domain.vocab import MEMBER_STATUSES

if TYPE_CHECKING:
    from groupdesk.ui.main_window import MainWindow

#: Statuses that get the join wizard (an invitation, or a group to (re)consider).
JOIN_STATUSES = frozenset({"invited", "considering", "declined", "left"})


class DecisionFlow(QObject):
    """Owns the Decide / Clean-up review / Mark as left actions of one main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.action_review = QAction(self.tr("Clean-up &review…"), window)
        self.action_review.setShortcut(QKeySequence("Ctrl+R"))
        tip = self.tr(
            "Walk through your memberships one at a time, worst first: keep, engage, mute or leave (Ctrl+R)"
        )
        self.action_review.setToolTip(tip)
        self.action_review.setStatusTip(tip)
        self.action_review.triggered.connect(lambda _checked=False: self.review())
        self.action_mark_left = QAction(self.tr("Mark as &left"), window)
        tip = self.tr(
            "Confirm you have left the selected groups on their platform (they were marked to leave)"
        )
        self.action_mark_left.setToolTip(tip)
        self.action_mark_left.setStatusTip(tip)
        self.action_mark_left.triggered.connect(lambda _checked=False: self.mark_left())
        for action in (self.action_review, self.action_mark_left):
            window.addAction(action)

    # ------------------------------------------------------------ helpers

    def _refresh(self, ids: list[int]) -> None:
        self.window.groups_changed(changed=ids)

    def _status(self, group_id: int) -> str | None:
        row = self.window.model.row_by_id(group_id)
        return row.status if row is not None else None

    def update_actions(self) -> None:
        """Enable what fits the selection."""
        ids = self.window.selected_ids()
        self.action_mark_left.setEnabled(bool(ids) and all(self._status(g) == "leaving" for g in ids))

    # ------------------------------------------------------------ actions

    def decide(self, group_id: int) -> bool:
        """The decision that fits the group: the join wizard for invitations (and groups not joined),
        the review for memberships, the leave confirmation for groups marked to leave."""
        status = self._status(group_id)
        if status == "leaving":
            return self.mark_left([group_id])
        if status in MEMBER_STATUSES:
            return self.review([group_id])
        return self.join_wizard(group_id)

    def join_wizard(self, group_id: int) -> bool:
        """Walk through the join decision; record it (undoable) when finished."""
        from groupdesk.store import journal
        from groupdesk.ui.dialogs.join_wizard import JoinWizard
        from groupdesk.ui.undo_commands_decisions import DecisionCommand

        w = self.window
        wizard = JoinWizard.for_group(group_id, w.today(), w)
        try:
            if not w.run_dialog(wizard):
                return False
            result = wizard.result_decision()
            undo = journal.apply_join_result(group_id, result)
            text = self.tr("Decide: %1").replace("%1", result.action.replace("_", " "))
            w.undo_stack.push(DecisionCommand(undo, text, [self._refresh]))
            return True
        finally:
            wizard.deleteLater()

    def review(self, queue: list[int] | None = None) -> bool:
        """Open the clean-up review (of ``queue``, default: every membership, worst first)."""
        from PySide6.QtWidgets import QMessageBox

        from groupdesk.store import journal
        from groupdesk.ui.dialogs.triage import TriageDialog

        w = self.window
        if queue is None:
            queue = journal.triage_queue(w.today())
        if not queue:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                self.tr("Clean-up review"),
                self.tr("There are no memberships to review. Add the groups you belong to first."),
                QMessageBox.StandardButton.Ok,
                w,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            w.run_dialog(box)
            box.deleteLater()
            return False
        dialog = TriageDialog(w.undo_stack, w.today(), w, queue=queue, listeners=[self._refresh])
        try:
            w.run_dialog(dialog)
            return bool(dialog.outcomes)
        finally:
            dialog.deleteLater()

    def mark_left(self, ids: list[int] | None = None) -> bool:
        """Confirm the selected "leaving" groups are left (status left, left on today); undoable."""
        from groupdesk.store import journal
        from groupdesk.ui.undo_commands_decisions import DecisionCommand

        w = self.window
        ids = [g for g in (ids if ids is not None else w.selected_ids()) if self._status(g) == "leaving"]
        if not ids:
            return False
        w.undo_stack.beginMacro(self.tr("Mark as left"))
        try:
            for gid in ids:
                w.undo_stack.push(
                    DecisionCommand(
                        journal.mark_left(gid, w.today()), self.tr("Mark as left"), [self._refresh]
                    )
                )
        finally:
            w.undo_stack.endMacro()
        return True
