"""Errors that are the user's to fix: shown as one clear line (CLI exit 2) or a dialog, never a crash."""


class UserError(Exception):
    """Bad input: a wrong file, a malformed value, a missing thing. The message says what and where."""
