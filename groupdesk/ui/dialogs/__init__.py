"""Dialogs of the GroupDesk window."""
