"""The clean-up plan builder (Qt-free): sections, placement, order, totals, steps, escaping, CSV, text.

Plain ``PlanItem``s for the builder; the real SQLite ``store`` for ``plan_data`` and the CLI.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta

import pytest

from groupdesk.domain.leave_steps import PLATFORMS, platform_of, split_mailto, steps_for
from groupdesk.domain.plan import (
    CSV_COLUMNS,
    SECTIONS,
    SUGGESTED_COMMITMENT,
    PlanItem,
    build_plan,
    place,
    plan_to_csv,
    plan_to_html,
    plan_to_text,
)
from groupdesk.domain.vocab import NETWORKS

TODAY = date(2025, 6, 1)
HTMLISH = '<b>Growth</b> & "Hackers"'


def item(name: str, **kw) -> PlanItem:
    kw.setdefault("reasons", [f"Reason for {name}."])
    return PlanItem(name=name, **kw)


def mixed_items() -> list[PlanItem]:
    """One or more groups for every section, and some that are not in the plan."""
    return [
        item("Leave A", network="facebook", recommendation="leave", cost_per_year=120, currency="EUR",
             hours_per_month=3, emails_per_week=10),
        item("Leave B", network="meetup", recommendation="leave", cost_per_year=60, currency="usd",
             hours_per_month=1.5, emails_per_week=2),
        item("Leave C", network="facebook", recommendation="keep", status="leaving", cost_per_year=30,
             currency="EUR"),
        item("Mute A", network="discord", recommendation="mute", emails_per_week=20, hours_per_month=4,
             cost_per_year=50, currency="EUR"),
        item("Engage A", network="slack", recommendation="engage", commitment_per_month=3),
        item("Invite Join", network="linkedin", status="invited", recommendation="join", cost_per_year=24,
             currency="EUR", hours_per_month=2),
        item("Invite Decline", network="linkedin", status="invited", recommendation="decline"),
        item("Invite Trial", network="meetup", status="considering", recommendation="trial"),
        item("Own A", network="forum", recommendation="start_own", tags="rust"),
        item("Keep A", recommendation="keep"),
        item("Undecided member", recommendation="undecided"),
        item("Already muted", status="muted", recommendation="mute", emails_per_week=99),
        item("Left long ago", status="left", recommendation="decline"),
        item("Declined", status="declined", recommendation="decline"),
    ]  # fmt: skip


def names(plan, key: str) -> list[str]:
    return [e.item.name for e in plan.section(key).entries]


# ---------------------------------------------------------------- sections and placement


def test_sections_in_order_with_their_headings():
    plan = build_plan(mixed_items(), TODAY)
    assert [s.heading for s in plan.sections] == [
        "Leave", "Mute", "Engage", "Decide on invitations", "Start your own"
    ]  # fmt: skip
    assert [h for _, h in SECTIONS][-1] == "Totals"
    html = plan_to_html(plan)
    positions = [html.index(f"<h2>{heading}") for _, heading in SECTIONS]
    assert positions == sorted(positions)
    text = plan_to_text(plan)
    positions = [text.index(f"\n{heading}") for _, heading in SECTIONS]
    assert positions == sorted(positions)


def test_each_group_once_in_the_right_section():
    plan = build_plan(mixed_items(), TODAY)
    assert sorted(names(plan, "leave")) == ["Leave A", "Leave B", "Leave C"]
    assert names(plan, "mute") == ["Mute A"]
    assert names(plan, "engage") == ["Engage A"]
    assert sorted(names(plan, "invitations")) == ["Invite Decline", "Invite Join", "Invite Trial"]
    assert names(plan, "start_own") == ["Own A"]
    listed = [e.item.name for e in plan.entries()]
    assert len(listed) == len(set(listed)) == plan.group_count == 9
    for absent in ("Keep A", "Undecided member", "Already muted", "Left long ago", "Declined"):
        assert absent not in listed
        assert absent not in plan_to_html(plan)


def test_leaving_status_goes_to_leave_whatever_the_advice():
    it = item("X", status="leaving", recommendation="keep", decision="keep")
    assert place(it, TODAY)[:2] == ("leave", "leave")


def test_a_decision_counts_until_its_review_date():
    decided = item("X", recommendation="keep", decision="engage", decided_on=TODAY - timedelta(days=3),
                   decision_reasons=["You said so."], review_on=TODAY + timedelta(days=30))  # fmt: skip
    assert place(decided, TODAY) == ("engage", "engage", True)
    entry = next(build_plan([decided], TODAY).entries())
    assert entry.reasons == ("You said so.",)
    assert entry.decided
    # The review date has come: GroupDesk's recommendation counts again (keep: not in the plan).
    decided.review_on = TODAY
    assert place(decided, TODAY) is None
    # A decision that does not fit where the group stands (join, for a member) does not count.
    joined = item("Y", recommendation="leave", decision="join")
    assert place(joined, TODAY) == ("leave", "leave", False)


def test_decided_mute_of_a_member_is_to_do_but_of_a_muted_group_is_done():
    assert place(item("X", recommendation="keep", decision="mute"), TODAY)[0] == "mute"
    assert place(item("X", status="muted", recommendation="keep", decision="mute"), TODAY) is None
    assert place(item("X", status="muted", recommendation="leave"), TODAY)[0] == "leave"


def test_invitations_and_start_own():
    assert place(item("X", status="invited", recommendation="start_own"), TODAY)[0] == "start_own"
    assert place(item("X", status="considering", recommendation="undecided"), TODAY)[0] == "invitations"
    assert place(item("X", status="invited", recommendation="trial", decision="decline"), TODAY) == (
        "invitations", "decline", True,
    )  # fmt: skip


def test_decision_without_reasons_uses_the_action_sentence():
    entry = next(
        build_plan([item("X", recommendation="keep", decision="leave", reasons=[])], TODAY).entries()
    )
    assert entry.reasons == ("Leave: it does not earn its place. A quiet exit is fine.",)


# ---------------------------------------------------------------- order within sections


def test_leave_is_ordered_by_platform_then_biggest_saving_then_name():
    items = [
        item("b cheap", network="facebook", recommendation="leave", cost_per_year=10),
        item("A dear", network="facebook", recommendation="leave", cost_per_year=500),
        item("a free", network="facebook", recommendation="leave"),
        item("Z linkedin", network="linkedin", recommendation="leave", cost_per_year=900),
        item("C free", network="facebook", recommendation="leave"),
    ]
    plan = build_plan(items, TODAY)
    assert names(plan, "leave") == ["A dear", "b cheap", "a free", "C free", "Z linkedin"]
    assert list(PLATFORMS).index("facebook") < list(PLATFORMS).index("linkedin")


def test_invitations_ordered_by_advice_engage_by_review_date():
    plan = build_plan(mixed_items(), TODAY)
    assert names(plan, "invitations") == ["Invite Join", "Invite Trial", "Invite Decline"]
    items = [
        item("Later", recommendation="engage", review_on=TODAY + timedelta(days=50)),
        item("Sooner", recommendation="engage", review_on=TODAY + timedelta(days=5)),
    ]
    assert names(build_plan(items, TODAY), "engage") == ["Sooner", "Later"]


def test_engage_has_commitment_and_review_date():
    plan = build_plan(
        [
            item("Committed", recommendation="engage", commitment_per_month=3,
                 review_on=TODAY + timedelta(days=20)),
            item("Not yet", recommendation="engage", review_on=TODAY - timedelta(days=1)),
        ],
        TODAY,
    )  # fmt: skip
    by_name = {e.item.name: e for e in plan.section("engage").entries}
    assert by_name["Committed"].commitment == 3 and not by_name["Committed"].commitment_suggested
    assert by_name["Committed"].review_on == TODAY + timedelta(days=20)
    assert by_name["Not yet"].commitment == SUGGESTED_COMMITMENT and by_name["Not yet"].commitment_suggested
    assert by_name["Not yet"].review_on == TODAY + timedelta(days=60)  # a past review date is renewed
    text = plan_to_text(plan)
    assert "Commitment: 3 contributions a month" in text
    assert "Review on: 21 June 2025" in text


# ---------------------------------------------------------------- totals


def test_totals():
    plan = build_plan(mixed_items(), TODAY)
    t = plan.totals
    # Leave A, B and C save their money and hours; Mute A saves only its e-mails.
    assert t.money_saved_per_year == {"EUR": 150.0, "USD": 60.0}
    assert t.hours_saved_per_month == 4.5
    assert t.emails_saved_per_week == 32.0
    # Members: Leave A-C, Mute A, Engage A, Own A, Keep A, Undecided member, Already muted = 9.
    assert t.groups_before == 9
    # Minus the three left, plus the invitations advised to join or try (Join, Trial).
    assert t.groups_after == 8
    assert t.money_added_per_year == {"EUR": 24.0}
    assert t.hours_added_per_month == 2.0
    html = plan_to_html(plan)
    assert "€150 + $60" in html
    assert '<td class="tlabel">Groups after</td><td class="tvalue">8</td>' in html


def test_totals_of_an_empty_plan():
    plan = build_plan([], TODAY)
    assert plan.group_count == 0
    assert plan.totals.groups_before == plan.totals.groups_after == 0
    assert plan.totals.money_saved_per_year == {}
    assert plan_to_html(plan).count("Nothing here.") == 5
    assert "Money saved per year    0" in plan_to_text(plan)


# ---------------------------------------------------------------- steps per platform


@pytest.mark.parametrize("network", list(NETWORKS))
def test_every_network_has_leave_and_mute_steps(network):
    for action in ("leave", "mute"):
        how = steps_for(action, network)
        assert how.platform == network
        assert how.platform_steps == (
            PLATFORMS[network].leave if action == "leave" else PLATFORMS[network].mute
        )
        assert all(s.strip() for s in how.steps)
    entry = next(build_plan([item("G", network=network, recommendation="leave")], TODAY).entries())
    assert entry.how is not None and entry.how.platform == network
    assert PLATFORMS[network].label in plan_to_html(build_plan([entry.item], TODAY))


def test_offline_groups_remind_to_tell_the_organiser():
    for network in ("offline", "association"):
        assert any("organiser" in s for s in steps_for("leave", network).steps)
        assert any("organiser" in s for s in steps_for("mute", network).steps)


def test_links_from_the_groups_own_url_or_its_id():
    assert steps_for("leave", "reddit", external_id="r/python").link == "https://www.reddit.com/r/python/"
    assert steps_for("leave", "discord", external_id="123456789012345678").link == (
        "https://discord.com/channels/123456789012345678"
    )
    assert steps_for("leave", "telegram", external_id="-1001234").link is None  # private chat id
    assert steps_for("leave", "telegram", external_id="pythonnl").link == "https://t.me/pythonnl"
    own = "https://www.facebook.com/groups/123/"
    assert steps_for("leave", "facebook", url=own, external_id="999").link == own
    assert steps_for("leave", "facebook").link == PLATFORMS["facebook"].home


def test_list_unsubscribe_address_is_used():
    how = steps_for(
        "leave",
        "mailing_list",
        external_id="hikers.lists.example.org",
        list_unsubscribe=["mailto:hikers-leave@lists.example.org?subject=unsubscribe",
                          "https://lists.example.org/u/hikers"],
    )  # fmt: skip
    assert how.email == "hikers-leave@lists.example.org"
    assert how.email_subject == "unsubscribe"
    assert how.link == "https://lists.example.org/u/hikers"
    assert "Send an e-mail to hikers-leave@lists.example.org with the subject “unsubscribe”." in how.own_steps
    muted = steps_for("mute", "mailing_list", external_id="hikers.lists.example.org")
    assert any("hikers.lists.example.org" in s for s in muted.own_steps)
    plan = build_plan(
        [item("Hikers", network="mailing_list", recommendation="leave",
              list_unsubscribe=("mailto:hikers-leave@lists.example.org",))],
        TODAY,
    )  # fmt: skip
    assert "hikers-leave@lists.example.org" in plan_to_html(plan)
    row = next(csv.DictReader(io.StringIO(plan_to_csv(plan))))
    assert row["unsubscribe_email"] == "hikers-leave@lists.example.org"


def test_google_groups_are_told_apart_and_get_their_unsubscribe_address():
    assert platform_of("mailing_list", external_id="hikers.googlegroups.com") == "google_groups"
    assert platform_of("mailing_list", external_id="hikers.groups.io") == "mailing_list"
    how = steps_for("leave", "mailing_list", external_id="hikers.googlegroups.com")
    assert how.label == "Google Groups"
    assert how.email == "hikers+unsubscribe@googlegroups.com"
    assert how.link == "https://groups.google.com/g/hikers"


def test_costly_groups_remind_to_cancel_the_payment():
    how = steps_for("leave", "meetup", cost_per_year=120, currency="EUR")
    assert "Cancel the payment (€120 a year)." in how.own_steps
    assert not any("Cancel" in s for s in steps_for("mute", "meetup", cost_per_year=120).own_steps)


def test_split_mailto():
    assert split_mailto("mailto:a%2Bb@x.org?subject=leave%20me") == ("a+b@x.org", "leave me")
    assert split_mailto("mailto:a@x.org") == ("a@x.org", None)


# ---------------------------------------------------------------- escaping


def test_html_escapes_every_user_text():
    evil = item(
        HTMLISH, network="linkedin", status="invited", recommendation="decline",
        invited_by="<script>alert(1)</script>", notes="a <i>note</i> & more",
        reasons=["<b>bold</b> reason"], url="javascript:alert(1)",
    )  # fmt: skip
    html = plan_to_html(build_plan([evil], TODAY, title="Ann's <plan>", filters_description="<all>"))
    assert "&lt;b&gt;Growth&lt;/b&gt; &amp; &quot;Hackers&quot;" in html
    for raw in ("<b>Growth", "<script>", "<i>note", "<b>bold", "Ann's <plan>", "<all>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html  # other schemes print as text, never as links
    assert "javascript:alert(1)" in html


def test_text_output_drops_control_characters():
    plan = build_plan([item("Bad\x1b[31mname\nline", recommendation="leave")], TODAY)
    text = plan_to_text(plan)
    assert "\x1b" not in text
    assert "Bad [31mname line" in text


# ---------------------------------------------------------------- CSV


def test_csv_has_one_row_per_group_in_printed_order():
    plan = build_plan(mixed_items(), TODAY)
    rows = list(csv.DictReader(io.StringIO(plan_to_csv(plan))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["name"] for r in rows] == [e.item.name for e in plan.entries()]
    first = rows[0]
    assert first["section"] == "Leave" and first["cost_per_year"] == "120" and first["currency"] == "EUR"
    assert "Open the group on Facebook." in first["steps"]
    engage = next(r for r in rows if r["name"] == "Engage A")
    assert engage["commitment_per_month"] == "3" and engage["review_on"] == "2025-07-31"


def test_csv_does_not_hand_formulas_to_spreadsheets():
    plan = build_plan([item("=HYPERLINK(1)", recommendation="leave", notes="+1 note")], TODAY)
    row = next(csv.DictReader(io.StringIO(plan_to_csv(plan))))
    assert row["name"] == "'=HYPERLINK(1)"
    assert row["notes"] == "'+1 note"


# ---------------------------------------------------------------- from the store


def test_plan_items_from_the_store(store):
    from groupdesk.store import repository
    from groupdesk.store.models import Decision
    from groupdesk.store.plan_data import plan_items

    repository.create_group(
        {"name": HTMLISH, "network": "linkedin", "status": "member", "value_to_me": 1, "value_from_me": 0,
         "spam_level": 3, "emails_per_week": 14, "cost_amount": 10, "cost_period": "month",
         "currency": "EUR", "notes": "n <b>1</b>"}
    )  # fmt: skip
    good = repository.create_group(
        {"name": "Python NL", "network": "meetup", "status": "member", "value_to_me": 4,
         "value_from_me": 4, "last_group_activity": TODAY - timedelta(days=2), "joined_on": date(2024, 1, 1)}
    )  # fmt: skip
    repository.add_contribution(good, TODAY - timedelta(days=5))
    decided = repository.create_group({"name": "Decided", "network": "slack", "status": "member"})
    Decision.create(group=decided, at=datetime(2025, 5, 20, 10), action="mute", reasons=json.dumps(["spam"]))
    Decision.create(group=decided, at=datetime(2025, 5, 28, 10), action="engage",
                    reasons=json.dumps(["empty_belonging", "no-such-rule"]))  # fmt: skip
    repository.create_group({"name": "Gone", "status": "left"})

    items = {it.name: it for it in plan_items(TODAY)}
    assert set(items) == {HTMLISH, "Python NL", "Decided", "Gone"}
    s = items[HTMLISH]
    assert s.recommendation == "leave" and s.reasons
    assert s.cost_per_year == 120.0 and s.currency == "EUR" and s.notes == "n <b>1</b>"
    assert items["Python NL"].recommendation == "keep"
    d = items["Decided"]
    assert d.decision == "engage" and d.decided_on == date(2025, 5, 28)
    assert d.decision_reasons == [
        "Empty belonging: a membership you do not take part in is worth nothing to you or to the group."
    ]
    only = plan_items(TODAY, ids=[good])
    assert [it.name for it in only] == ["Python NL"]

    plan = build_plan(items.values(), TODAY)
    assert names(plan, "leave") == [HTMLISH]
    assert names(plan, "engage") == ["Decided"]
    assert plan.totals.groups_before == 3 and plan.totals.groups_after == 2


def test_list_unsubscribe_read_from_the_mail_tables(store):
    from groupdesk.store import repository
    from groupdesk.store.plan_data import list_unsubscribe_targets, plan_items

    by_group = repository.create_group({"name": "Hikers", "network": "mailing_list"})
    by_list = repository.create_group(
        {"name": "Climbers", "network": "mailing_list", "external_id": "climbers.lists.example.org"}
    )
    # The shapes a mail sync may keep them in: per group, or per List-Id.
    store.execute_sql(
        "CREATE TABLE t_unsub_a (id INTEGER PRIMARY KEY, group_id INTEGER, list_unsubscribe TEXT)"
    )
    store.execute_sql(
        "INSERT INTO t_unsub_a (group_id, list_unsubscribe) VALUES (?, ?)",
        (by_group, "<mailto:hikers-leave@example.org>, <https://example.org/u/1>"),
    )
    store.execute_sql("CREATE TABLE t_unsub_b (list_id TEXT, unsubscribe TEXT)")
    store.execute_sql(
        "INSERT INTO t_unsub_b VALUES (?, ?)",
        ("Climbers.lists.example.org", '["mailto:c-leave@example.org"]'),
    )
    found = list_unsubscribe_targets()
    assert found[by_group] == ("mailto:hikers-leave@example.org", "https://example.org/u/1")
    assert found[by_list] == ("mailto:c-leave@example.org",)
    items = {it.name: it for it in plan_items(TODAY)}
    assert items["Climbers"].list_unsubscribe == ("mailto:c-leave@example.org",)


def test_cli_plan_prints_text(store, run_cli):
    from groupdesk.store import repository
    from groupdesk.store.db import close_db

    repository.create_group(
        {"name": "Dead Club", "network": "meetup", "status": "member",
         "last_group_activity": date(2020, 1, 1), "value_to_me": 3, "value_from_me": 3}
    )  # fmt: skip
    close_db()
    result = run_cli("plan", "--title", "Ann's plan")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Ann's plan\n")
    assert "[ ] Dead Club  (Meetup · member)" in out
    for _, heading in SECTIONS:
        assert f"\n{heading} (" in out or f"\n{heading}\n" in out
    bad = run_cli("plan", "--page-size", "A3")
    assert bad.returncode == 2 and "A3" in bad.stderr
