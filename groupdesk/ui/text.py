"""Small text helpers for widgets that show untrusted text (group names, notes, imported fields)."""

from __future__ import annotations


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt guesses rich text in tooltips, so escape it."""
    import html  # tooltips come after start-up

    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


def menu_text(text: str) -> str:
    """``text`` for a menu or button label: a single ``&`` would become a keyboard mnemonic."""
    return text.replace("&", "&&")
