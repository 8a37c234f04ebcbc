"""README's "How GroupDesk decides" must say what the code does: every rule and action sentence."""

from __future__ import annotations

from pathlib import Path

from groupdesk.domain.rules import ACTION_SENTENCES, RULE_SECTIONS, RULES, decision_table_text

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_rule_and_action_in_the_codes_words():
    section = README[README.index("## How GroupDesk decides") :]
    for _heading, ids in RULE_SECTIONS:
        for rule_id in ids:
            assert RULES[rule_id] in section, rule_id
    for sentence in ACTION_SENTENCES.values():
        assert sentence in section
    assert decision_table_text() in section


def test_every_rule_is_in_a_readme_section():
    listed = {r for _h, ids in RULE_SECTIONS for r in ids}
    assert set(RULES) == listed
