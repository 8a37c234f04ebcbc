"""Help → "How GroupDesk decides": every rule in plain words and the decision table."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from groupdesk.domain.rules import ACTION_SENTENCES, RULE_SECTIONS, RULES, decision_table_text
from groupdesk.domain.scores import FLAG_ORDER, flag_sentence


def how_decides_html() -> str:
    """The help page as HTML (every text escaped; it is all GroupDesk's own words)."""
    e = html.escape
    parts = [
        "<h2>How GroupDesk decides</h2>",
        "<p>Belonging is worth nothing unless you take part. GroupDesk recommends joining only when "
        "value flows both ways and you have the time and interest to take part. Every recommendation "
        "lists the rules that spoke, so you can check its reasoning.</p>",
        "<h3>What each recommendation means</h3><ul>",
    ]
    parts += [f"<li>{e(sentence)}</li>" for sentence in ACTION_SENTENCES.values()]
    parts.append("</ul>")
    for heading, rule_ids in RULE_SECTIONS:
        parts.append(f"<h3>{e(heading)}</h3><ul>")
        parts += [f"<li>{e(RULES[r])}</li>" for r in rule_ids if r in RULES]
        parts.append("</ul>")
    parts.append("<h3>Warning signs in the table</h3><ul>")
    parts += [f"<li>{e(flag_sentence(f))}</li>" for f in FLAG_ORDER]
    parts.append("</ul><h3>The decision table</h3>")
    parts.append(f"<pre>{e(decision_table_text())}</pre>")
    return "".join(parts)


class HowDecidesDialog(QDialog):
    """A readable, searchable page of GroupDesk's rules."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("How GroupDesk decides"))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setHtml(how_decides_html())
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(760, 640)
