"""Undoable decisions: ``QUndoCommand`` wrappers around ``groupdesk.store.journal``.

Like ``groupdesk.ui.commands``, the decision is written first (so a refused value is reported
before anything is pushed) and the command's first ``redo()`` — run by ``QUndoStack.push`` — only
tells its listeners. Later ``undo()``/``redo()`` calls go through ``journal.undo_decision`` /
``journal.redo_decision`` and tell the listeners again.

Listeners are plain callables taking the list of changed group ids; the window passes one that
refreshes its rows (it outlives any dialog), a dialog may add its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtGui import QUndoCommand

from groupdesk.store import journal

#: Called with the ids of the groups a command changed.
Listener = Callable[[list[int]], None]


class DecisionCommand(QUndoCommand):
    """A journalled decision (or ``mark_left``) that was already written; undo and redo it."""

    def __init__(self, undo: journal.DecisionUndo, text: str, listeners: Iterable[Listener] = ()) -> None:
        super().__init__(text)
        self.record = undo
        self.listeners: list[Listener] = list(listeners)
        self._first = True
        #: True while the decision is in the store (after redo, before undo).
        self.applied = True

    @property
    def group_id(self) -> int:
        """The group the decision is about."""
        return self.record.group_id

    def _tell(self) -> None:
        for listener in list(self.listeners):
            listener([self.record.group_id])

    def redo(self) -> None:
        """Do the decision again (the first time: it is already done, only tell the listeners)."""
        if self._first:
            self._first = False
        else:
            journal.redo_decision(self.record)
        self.applied = True
        self._tell()

    def undo(self) -> None:
        """Take the decision back."""
        journal.undo_decision(self.record)
        self.applied = False
        self._tell()
