"""Undoable edits: each one a ``QUndoCommand`` over the store's write functions.

The window does an edit first (so that a refused value is reported before anything is pushed),
then pushes the command; the command's first ``redo()`` only refreshes the window. Later
``undo()``/``redo()`` calls write through ``repository`` and tell the window which groups
changed, through the small ``GroupsView`` interface below.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from PySide6.QtGui import QUndoCommand

from groupdesk.store import repository


class GroupsView(Protocol):
    """What a command needs from the window: to be told which groups changed or went away."""

    def groups_changed(
        self,
        changed: Iterable[int] = (),
        removed: Iterable[int] = (),
        select: Iterable[int] | None = None,
    ) -> None:
        """Re-read ``changed`` groups, drop ``removed`` ones, then select ``select`` (if given)."""


class _Command(QUndoCommand):
    """Base: the first ``redo()`` (run by ``QUndoStack.push``) only refreshes the view."""

    def __init__(self, view: GroupsView, text: str) -> None:
        super().__init__(text)
        self.view = view
        self._first = True

    def redo(self) -> None:
        """Do the edit again (or, the first time, just show it)."""
        if self._first:
            self._first = False
            self.first_done()
        else:
            self.do()

    def first_done(self) -> None:
        """Refresh the view after the window did the edit itself."""

    def do(self) -> None:
        """Repeat the edit (after an undo)."""
        raise NotImplementedError

    def undo(self) -> None:
        """Take the edit back."""
        raise NotImplementedError


class AddGroupCommand(_Command):
    """A group was created."""

    def __init__(self, view: GroupsView, group_id: int, text: str) -> None:
        super().__init__(view, text)
        self.group_id = group_id
        self._snapshots: list[repository.GroupSnapshot] = []

    def first_done(self) -> None:
        self.view.groups_changed(changed=[self.group_id], select=[self.group_id])

    def do(self) -> None:
        repository.restore_groups(self._snapshots)
        self.view.groups_changed(changed=[self.group_id], select=[self.group_id])

    def undo(self) -> None:
        self._snapshots = repository.delete_groups([self.group_id])
        self.view.groups_changed(removed=[self.group_id])


class EditGroupCommand(_Command):
    """Fields of one group changed from ``old`` to ``new`` (only the changed fields)."""

    def __init__(self, view: GroupsView, group_id: int, old: dict[str, Any], new: dict[str, Any], text: str):
        super().__init__(view, text)
        self.group_id = group_id
        self.old = old
        self.new = new

    def first_done(self) -> None:
        self.view.groups_changed(changed=[self.group_id])

    def do(self) -> None:
        repository.update_group(self.group_id, self.new)
        self.view.groups_changed(changed=[self.group_id])

    def undo(self) -> None:
        repository.update_group(self.group_id, self.old)
        self.view.groups_changed(changed=[self.group_id])


class DeleteGroupsCommand(_Command):
    """Groups were deleted; ``snapshots`` bring them back exactly."""

    def __init__(self, view: GroupsView, snapshots: Sequence[repository.GroupSnapshot], text: str) -> None:
        super().__init__(view, text)
        self.snapshots = list(snapshots)
        self.group_ids = [s.group["id"] for s in self.snapshots]

    def first_done(self) -> None:
        self.view.groups_changed(removed=self.group_ids)

    def do(self) -> None:
        self.snapshots = repository.delete_groups(self.group_ids)
        self.view.groups_changed(removed=self.group_ids)

    def undo(self) -> None:
        repository.restore_groups(self.snapshots)
        self.view.groups_changed(changed=self.group_ids, select=self.group_ids)


class SetStatusCommand(_Command):
    """Several groups got one status; ``previous`` maps each changed group to its old status."""

    def __init__(self, view: GroupsView, previous: dict[int, str], status: str, text: str) -> None:
        super().__init__(view, text)
        self.previous = dict(previous)
        self.status = status

    def first_done(self) -> None:
        self.view.groups_changed(changed=self.previous)

    def do(self) -> None:
        repository.set_status(self.previous, self.status)
        self.view.groups_changed(changed=self.previous)

    def undo(self) -> None:
        repository.restore_statuses(self.previous)
        self.view.groups_changed(changed=self.previous)


class LogContributionCommand(_Command):
    """A contribution was logged for a group."""

    def __init__(self, view: GroupsView, group_id: int, contribution_id: int, text: str) -> None:
        super().__init__(view, text)
        self.group_id = group_id
        self.contribution_id = contribution_id
        self._row: dict[str, Any] | None = None

    def first_done(self) -> None:
        self.view.groups_changed(changed=[self.group_id])

    def do(self) -> None:
        assert self._row is not None
        repository.restore_contribution(self._row)
        self.view.groups_changed(changed=[self.group_id])

    def undo(self) -> None:
        self._row = repository.delete_contribution(self.contribution_id)
        self.view.groups_changed(changed=[self.group_id])


class AddGroupsCommand(_Command):
    """Several groups were added at once (e.g. the demo data)."""

    def __init__(self, view: GroupsView, group_ids: Iterable[int], text: str) -> None:
        super().__init__(view, text)
        self.group_ids = list(group_ids)
        self._snapshots: list[repository.GroupSnapshot] = []

    def first_done(self) -> None:
        self.view.groups_changed(changed=self.group_ids)

    def do(self) -> None:
        repository.restore_groups(self._snapshots)
        self.view.groups_changed(changed=self.group_ids)

    def undo(self) -> None:
        self._snapshots = repository.delete_groups(self.group_ids)
        self.view.groups_changed(removed=self.group_ids)


def contribution_text(day: date, kind: str) -> str:
    """A short description for the undo menu."""
    return f"{kind} on {day.isoformat()}"
