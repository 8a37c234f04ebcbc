"""The window's Refresh activity against the loopback HTTP server: selection or all, progress and Cancel,
a summary of the groups that failed while the others are stored, the "Check activity online" switch, the
periodic refresh, and the detail panel's line saying where a figure came from and when.

The client comes from the probes' own test fixtures (fake clock, Reddit and Discord pointed at 127.0.0.1);
a guard fails any test that looks up another host."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

import pytest
from PySide6.QtWidgets import QMessageBox

from groupdesk.store import probe_store, repository
from groupdesk.ui.probe_flow import (
    SETTINGS_AUTO_HOURS,
    SETTINGS_ENABLED,
    ProbeFailuresDialog,
    ProbeFlow,
    ProbeSettingsDialog,
)
from groupdesk.ui.workers import wait_for_tasks
from tests.gui.conftest import add_group
from tests.integration import test_probes_http as http
from tests.integration.test_probes_http import NOW, LocalServer, Reply, data

server, fake, make_client, loopback_only = http.server, http.fake, http.make_client, http.loopback_only


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    """A second site with nothing on it (every path answers 404)."""
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def flow_window(make_window, make_client):
    """A window with a ProbeFlow whose client talks to 127.0.0.1 only (threads joined afterwards)."""
    flows: list[ProbeFlow] = []

    def _make(**kwargs):
        window = make_window(**kwargs)
        flow = ProbeFlow(window, client_factory=lambda cache: make_client(cache=cache))
        flows.append(flow)
        return window, flow

    yield _make
    for flow in flows:
        flow.shutdown()
    assert wait_for_tasks(10_000)


def forum_groups(server: LocalServer, other: LocalServer) -> dict[str, int]:
    server.route("/about.json", Reply(body=data("discourse_about_new.json")))
    server.route("/r/SynthBoardGames/about.json", Reply(body=data("reddit_about.json")))
    return {
        "forum": add_group("Board Games Oost", network="forum", url=server.url + "/latest"),
        "reddit": add_group(
            "Synth board games", network="reddit", url="https://reddit.com/r/SynthBoardGames"
        ),
        "gone": add_group("Gone forum", network="forum", url=other.url + "/t/welcome/1"),
        "offline": add_group("Chess club", network="offline"),
        "left": add_group("Old forum", network="forum", url=other.url + "/old", status="left"),
    }


def row(window, gid):
    return window.model.row_by_id(gid)


def test_actions_and_the_check_activity_online_switch(flow_window, server, qtbot):
    add_group("Board Games Oost", network="forum", url=server.url)
    window, flow = flow_window()
    assert flow.action_refresh.text().replace("&", "") == "Refresh activity"
    assert flow.action_refresh.shortcut().toString() == "Ctrl+Shift+R"
    assert [a.text().replace("&", "") for a in flow.actions()] == [
        "Refresh activity",
        "Check activity online",
        "Activity check settings…",
    ]
    assert flow.enabled() and flow.action_enabled.isChecked() and flow.action_refresh.isEnabled()
    assert not flow.timer.isActive()  # nothing is sent unless asked

    flow.action_enabled.trigger()  # off
    assert window.settings.value(SETTINGS_ENABLED) in (False, "false")
    assert not flow.action_refresh.isEnabled()
    assert (
        "turned off" in flow.action_refresh.toolTip() and "nothing is sent" in flow.action_refresh.toolTip()
    )
    assert flow.refresh() is False
    flow.action_refresh.trigger()  # disabled: does nothing
    assert server.seen == [] and not flow.running

    again = ProbeFlow(window)  # the setting is remembered
    assert (
        not again.enabled() and not again.action_enabled.isChecked() and not again.action_refresh.isEnabled()
    )
    flow.action_enabled.trigger()  # on again
    assert flow.action_refresh.isEnabled() and "Ctrl+Shift+R" in flow.action_refresh.toolTip()


def test_refresh_selection_stores_measured_groups_and_lists_the_failures(
    flow_window, server, other_server, qtbot, driver
):
    ids = forum_groups(server, other_server)
    window, flow = flow_window()
    window.select_ids([ids["forum"], ids["reddit"], ids["gone"], ids["offline"]])
    seen = {}

    def failures(dialog):
        assert isinstance(dialog, ProbeFailuresDialog)
        seen["heading"] = dialog.heading.text()
        seen["rows"] = dialog.rows()
        seen["progress_visible"] = flow.progress_bar.isVisible()
        dialog.reject()

    driver.then(failures)
    with qtbot.waitSignal(flow.finished, timeout=20_000) as blocker:
        flow.action_refresh.trigger()
        assert flow.running and not flow.action_refresh.isEnabled()
        assert flow.progress_bar.isVisible() and flow.cancel_button.isVisible()
    run = blocker.args[0]
    assert run.outcome == "finished" and run.manual
    assert [gid for gid, _ in run.results] == [ids["forum"], ids["gone"], ids["reddit"]]  # in view order
    assert seen["heading"].startswith("2 of 4 group(s) measured; 2 could not be checked.")
    names = [r[0] for r in seen["rows"]]
    assert names == ["Gone forum", "Chess club"]
    assert seen["rows"][0][1] == "Not found" and "HTTP 404" in seen["rows"][0][2]
    assert seen["rows"][1][1] == "Cannot check"
    assert window.statusBar().currentMessage() == "Activity checked. 2 measured, 1 failed."
    assert not flow.progress_bar.isVisible() and flow.action_refresh.isEnabled()

    # the table follows: last activity and posts per week from the forum, nothing blanked elsewhere
    forum = row(window, ids["forum"])
    assert forum.last_activity == date(2025, 3, 13)
    assert repository.group_values(ids["forum"])["posts_per_week"] == 63.0
    assert probe_store.activity_of(ids["reddit"]).members == 48213
    assert probe_store.activity_of(ids["gone"]).error_kind == "not_found"
    assert probe_store.activity_of(ids["offline"]) is None and probe_store.activity_of(ids["left"]) is None
    assert "/old/about.json" not in other_server.paths()


def test_refresh_with_nothing_selected_checks_every_open_group(
    flow_window, server, other_server, qtbot, driver
):
    ids = forum_groups(server, other_server)
    window, flow = flow_window()
    window.select_ids([])
    driver.then(lambda dialog: dialog.reject())  # the failure summary (the gone forum)
    with qtbot.waitSignal(flow.finished, timeout=20_000) as blocker:
        flow.action_refresh.trigger()
    run = blocker.args[0]
    assert sorted(gid for gid, _ in run.results) == sorted([ids["forum"], ids["reddit"], ids["gone"]])
    assert run.skipped == [] and run.skipped_count == 1  # the offline club is counted, not listed
    assert other_server.paths() == ["/about.json"]  # the gone forum; never the left group's site


def test_cancel_keeps_what_was_measured(flow_window, server, other_server, qtbot):
    server.route("/about.json", Reply(body=data("discourse_about_new.json"), delay=30))
    first = add_group("Board Games Oost", network="forum", url=server.url)
    second = add_group("Second forum", network="forum", url=other_server.url)
    window, flow = flow_window()
    window.select_ids([first, second])
    with qtbot.waitSignal(flow.finished, timeout=20_000) as blocker:
        assert flow.refresh(window.selected_ids())
        qtbot.waitUntil(lambda: len(server.seen) == 1, timeout=10_000)  # the first answer is on its way
        flow.cancel_button.click()
        assert flow.progress_label.text() == "Stopping the activity check…"
        server.release.set()  # the site answers now
    run = blocker.args[0]
    assert run.outcome == "cancelled" and [gid for gid, _ in run.results] == [first]
    assert other_server.seen == []
    assert probe_store.activity_of(first).members == 2310
    assert probe_store.activity_of(second) is None
    assert window.statusBar().currentMessage() == (
        "Activity check stopped; what was measured is kept. 1 measured, 0 failed."
    )


def test_periodic_refresh_reports_in_the_status_bar_only(flow_window, server, other_server, qtbot):
    ids = forum_groups(server, other_server)
    window, flow = flow_window()
    flow.set_auto_refresh_hours(6)
    assert flow.timer.isActive() and flow.timer.interval() == 6 * 3_600_000
    assert int(window.settings.value(SETTINGS_AUTO_HOURS)) == 6
    with qtbot.waitSignal(flow.finished, timeout=20_000) as blocker:
        flow.timer.timeout.emit()
    run = blocker.args[0]
    assert not run.manual and run.outcome == "finished"  # no dialog: the driver would have failed
    message = window.statusBar().currentMessage()
    assert message.startswith("Activity checked. 2 measured, 1 failed (Gone forum: ")
    assert probe_store.activity_of(ids["forum"]).measured

    flow.set_enabled(False)
    assert not flow.timer.isActive()
    flow.set_enabled(True)
    assert flow.timer.isActive()


def test_nothing_to_check_says_so_and_sends_nothing(flow_window, server, qtbot, driver):
    offline = add_group("Chess club", network="offline")
    page = add_group("Facebook group", network="facebook", url="https://www.facebook.com/groups/chess")
    window, flow = flow_window()
    seen = []

    def info(dialog):
        assert isinstance(dialog, QMessageBox)
        seen.append(dialog.text())
        dialog.accept()

    driver.then(info).then(info)
    window.select_ids([offline])  # no address at all: known at once
    flow.action_refresh.trigger()
    assert not flow.running
    window.select_ids([offline, page])  # an address no probe knows: found out on the worker
    with qtbot.waitSignal(flow.finished, timeout=10_000) as blocker:
        flow.action_refresh.trigger()
    assert blocker.args[0].total == 0 and blocker.args[0].results == []
    for text in seen:
        assert text.startswith("None of the selected groups has an address GroupDesk can check.")
        assert "Discourse forums" in text
    assert len(seen) == 2 and server.seen == []
    assert window.statusBar().currentMessage() == (
        "Nothing was checked: no group has an address GroupDesk can check."
    )


def test_settings_dialog(flow_window, qtbot, driver):
    _window, flow = flow_window()

    def turn_on_auto(dialog):
        assert isinstance(dialog, ProbeSettingsDialog)
        assert dialog.enabled_box.isChecked() and not dialog.auto_box.isChecked()
        assert not dialog.hours_spin.isEnabled()
        dialog.auto_box.setChecked(True)
        dialog.hours_spin.setValue(12)
        dialog.accept()

    def turn_off(dialog):
        assert dialog.auto_box.isChecked() and dialog.hours_spin.value() == 12
        dialog.enabled_box.setChecked(False)
        assert not dialog.auto_box.isEnabled() and not dialog.hours_spin.isEnabled()
        dialog.accept()

    driver.then(turn_on_auto).then(turn_off)
    assert flow.open_settings()
    assert flow.auto_refresh_hours() == 12 and flow.timer.interval() == 12 * 3_600_000
    flow.action_settings.trigger()
    assert not flow.enabled() and not flow.timer.isActive() and not flow.action_refresh.isEnabled()
    assert flow.auto_refresh_hours() == 0


def test_detail_panel_says_where_a_figure_came_from_and_when(make_window, store):
    from groupdesk.probes import Figures, ProbeError

    gid = add_group("Board Games Oost", network="forum", url="https://forum.example.org")
    window = make_window()
    panel = window.detail

    def show():
        panel.show_group(
            window.model.row_by_id(gid),
            repository.group_values(gid),
            activity=probe_store.activity_of(gid),
        )

    show()
    assert panel.fact_text("online") == "" and not panel._fact_labels["online"].isVisibleTo(panel)
    measured = Figures(
        platform="discourse",
        source_url="https://www.forum.example.org/about.json",
        measured_at=NOW,
        members=2310,
        active_users=140,
        active_window="week",
        posts_per_week=63.0,
        title="Board <b>Games</b>",
        notes=["Figures for the whole forum."],
    )
    probe_store.apply_results([(gid, measured)])
    show()
    local = NOW.astimezone().strftime("%Y-%m-%d %H:%M")
    assert panel.fact_text("online") == (
        "Members 2,310 · 140 active in the last 7 days · 63 posts a week — "
        f"from forum.example.org/about.json, measured {local}"
    )
    tip = panel._fact_labels["online"].toolTip()
    assert "Figures for the whole forum." in tip and "&lt;b&gt;" in tip  # the site's own title, as plain text
    assert panel.fact_text("online_error") == ""

    later = datetime(2025, 3, 16, 9, 30, tzinfo=NOW.tzinfo)
    probe_store.apply_results(
        [(gid, ProbeError("timeout", "forum.example.org (Discourse) did not answer within 15 s."))], now=later
    )
    show()
    assert panel.fact_text("online").startswith("Members 2,310")  # the old figures stay, with their date
    assert panel.fact_text("online_error") == (
        f"No answer in time ({later.astimezone():%Y-%m-%d %H:%M}): "
        "forum.example.org (Discourse) did not answer within 15 s."
    )
    assert panel._fact_labels["online_error"].isVisibleTo(panel)


def test_a_worker_fault_is_one_clear_status_line(flow_window, server, qtbot):
    gid = add_group("Board Games Oost", network="forum", url=server.url)
    window, flow = flow_window()

    def broken(cache):
        raise ValueError("test base URL for reddit must point at this machine")

    flow.client_factory = broken
    window.select_ids([gid])
    with qtbot.waitSignal(flow.finished, timeout=10_000) as blocker:
        flow.action_refresh.trigger()
    run = blocker.args[0]
    assert run.outcome == "failed" and isinstance(run.error, ValueError) and run.results == []
    assert window.statusBar().currentMessage() == (
        "The activity check stopped: test base URL for reddit must point at this machine. "
        "0 measured, 0 failed."
    )
    assert server.seen == [] and flow.action_refresh.isEnabled() and not flow.running
