"""Storing activity checks on a real SQLite store: what a measurement may change, what a failure may not,
which groups can be checked, one transaction, and the answer cache."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, timedelta, timezone

import pytest

from groupdesk.probes import Figures, ProbeError, ResponseCache
from groupdesk.probes.http import CacheEntry
from groupdesk.store import probe_store, repository
from groupdesk.store.probe_store import activity_of, apply_results, load_cache, save_cache, select_groups

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)
TODAY = date(2025, 3, 14)


def figures(**values) -> Figures:
    values.setdefault("platform", "discourse")
    values.setdefault("source_url", "https://forum.example.org/about.json")
    values.setdefault("measured_at", NOW)
    return Figures(**values)


def add(name: str, **values) -> int:
    return repository.create_group({"name": name, **values}, typed_by_user=False)


def row(gid: int) -> dict:
    from groupdesk.store.models import Group

    return Group.select().where(Group.id == gid).dicts().get()


# ------------------------------------------------------------------------------------- which groups


def test_select_all_skips_closed_groups_and_groups_without_a_known_address(store):
    forum = add("Board Games Oost", network="forum", url="https://forum.example.org/latest")
    sub = add("Synth", network="reddit", url="https://www.reddit.com/r/SynthBoardGames/")
    by_id = add("Pixel", network="reddit", external_id="pixelart")  # no URL: r/pixelart
    add("Left forum", network="forum", url="https://old.example.org", status="left")
    add("Declined", network="discord", url="https://discord.gg/abc123", status="declined")
    add("Offline club", network="offline")
    add("Some page", network="other", url="https://example.org/about/us")
    lemmy = add("Lemmy", network="other", url="https://lemmy.example.org/c/boardgames")

    sel = select_groups()
    assert [c.id for c in sel.candidates] == [forum, lemmy, by_id, sub]  # by name
    assert sel.skipped == [] and sel.skipped_count == 2 and sel.unknown == []
    pixel = next(c for c in sel.candidates if c.id == by_id)
    assert pixel.probe_input() == (by_id, "r/pixelart", "reddit")


def test_select_ids_keeps_their_order_and_names_what_cannot_be_checked(store):
    left = add("Left forum", network="forum", url="https://old.example.org", status="left")
    page = add("Some page", network="other", url="https://example.org/about/us")
    insta = add("Mastodon", network="other", url="https://social.example.org/")  # instance root
    sel = select_groups([insta, 999, page, left, insta])
    assert [c.id for c in sel.candidates] == [insta, left]  # asked for: closed groups too
    assert sel.skipped == [(page, "Some page")] and sel.skipped_count == 1
    assert sel.unknown == [999]


def test_can_probe_needs_no_network():
    assert probe_store.can_probe("https://discord.gg/abc123", "other")
    assert probe_store.can_probe(None, "reddit", "pixelart")
    assert not probe_store.can_probe(None, "forum")
    assert not probe_store.can_probe("mailto:list@example.org", "mailing_list")


# ------------------------------------------------------------------------------------- measurements


def test_a_measurement_is_stored_and_clears_the_last_failure(store):
    gid = add("Forum", network="forum", url="https://forum.example.org", posts_per_week=2.0)
    apply_results([(gid, ProbeError("timeout", "forum.example.org did not answer within 15 s."))], now=NOW)
    assert activity_of(gid).failed

    summary = apply_results(
        [
            (
                gid,
                figures(
                    members=2310,
                    active_users=140,
                    active_window="week",
                    posts_per_week=63.0,
                    last_activity=date(2025, 3, 13),
                    title="Board Games Oost Forum",
                    notes=["Figures for the whole forum."],
                ),
            )
        ],
        today=TODAY,
    )
    assert summary.measured == [gid] and summary.changed == [gid]
    assert summary.posts_updated == [gid] and summary.activity_updated == [gid]
    r = row(gid)
    assert (r["activity_members"], r["activity_active_users"], r["activity_active_window"]) == (
        2310,
        140,
        "week",
    )
    assert r["activity_posts_per_week"] == 63.0 and r["posts_per_week"] == 63.0
    assert r["last_group_activity"] == date(2025, 3, 13)
    assert r["activity_source"] == "discourse"
    assert r["activity_source_url"] == "https://forum.example.org/about.json"
    assert r["activity_measured_at"] == datetime(2025, 3, 14, 12, 0)  # UTC, naive
    assert json.loads(r["activity_notes"]) == ["Figures for the whole forum."]
    assert r["probe_error_kind"] is r["probe_error_message"] is r["probe_error_at"] is None

    activity = activity_of(gid)
    assert activity.measured and not activity.failed
    assert activity.measured_at == NOW and activity.notes == ("Figures for the whole forum.",)
    assert activity.title == "Board Games Oost Forum" and activity.posts_per_week == 63.0


def test_a_measurement_never_blanks_what_the_site_did_not_report(store):
    gid = add("Synth", network="reddit", url="r/synth", posts_per_week=5.0, last_group_activity="2025-03-01")
    summary = apply_results(
        [(gid, figures(platform="reddit", members=48213, active_users=377, active_window="now"))], today=TODAY
    )
    r = row(gid)
    assert r["posts_per_week"] == 5.0 and r["last_group_activity"] == date(2025, 3, 1)
    assert r["activity_posts_per_week"] is None and r["activity_members"] == 48213
    assert summary.posts_updated == summary.activity_updated == []


def test_typed_posts_per_week_is_kept_and_last_activity_only_moves_forward(store):
    gid = repository.create_group(
        {"name": "Typed", "network": "forum", "url": "https://f.example.org", "posts_per_week": 1.5,
         "last_group_activity": "2025-03-10"}
    )  # fmt: skip
    summary = apply_results(
        [(gid, figures(posts_per_week=40.0, last_activity=date(2025, 3, 7)))], today=TODAY
    )
    r = row(gid)
    assert r["posts_per_week"] == 1.5 and r["activity_posts_per_week"] == 40.0
    assert summary.kept_typed == [gid]
    assert r["last_group_activity"] == date(2025, 3, 10)  # the probe's earlier bound does not win

    apply_results([(gid, figures(last_activity=date(2025, 3, 20)))], today=TODAY)
    assert row(gid)["last_group_activity"] == TODAY  # a date "in the future" (time zones) is capped


def test_the_dead_flag_follows_a_measured_last_activity(store):
    gid = add("Quiet forum", network="forum", url="https://q.example.org", last_group_activity="2024-06-01")
    assert "dead" in repository.load_rows(TODAY, ids=[gid])[0].flags
    apply_results([(gid, figures(last_activity=date(2025, 3, 7)))], today=TODAY)
    assert "dead" not in repository.load_rows(TODAY, ids=[gid])[0].flags


def test_external_id_is_filled_only_for_the_same_network_when_free(store):
    discord = add("Pixel", network="discord", url="https://discord.gg/pixel")
    other = add("Invite on other", network="other", url="https://discord.gg/other")
    twin = add("Twin", network="discord", url="https://discord.gg/twin")
    known = add("Known", network="discord", url="https://discord.gg/known", external_id="111")
    results = [
        (discord, figures(platform="discord", members=10, external_id="900")),
        (other, figures(platform="discord", members=10, external_id="901")),
        (twin, figures(platform="discord", members=10, external_id="900")),  # taken by "Pixel" now
        (known, figures(platform="discord", members=10, external_id="902")),
    ]
    apply_results(results, today=TODAY)
    assert [row(g)["external_id"] for g in (discord, other, twin, known)] == ["900", None, None, "111"]


# ------------------------------------------------------------------------------------- failures


def test_a_failure_writes_only_the_error_fields(store):
    gid = add("Forum", network="forum", url="https://forum.example.org", posts_per_week=3.0)
    apply_results(
        [(gid, figures(members=50, posts_per_week=3.0, last_activity=date(2025, 3, 1)))], today=TODAY
    )
    before = row(gid)
    later = NOW + timedelta(days=2)
    summary = apply_results([(gid, ProbeError("not_found", "forum.example.org has nothing at …"))], now=later)
    after = row(gid)
    assert summary.failed == [gid] and summary.measured == []
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {"probe_error_kind", "probe_error_message", "probe_error_at"}
    assert after["probe_error_at"] == datetime(2025, 3, 16, 12, 0)
    activity = activity_of(gid)
    assert activity.measured and activity.failed and activity.members == 50
    assert activity.error_kind == "not_found" and activity.error_at == later


def test_cancelled_unsupported_and_deleted_groups_store_nothing(store):
    a = add("A", network="forum", url="https://a.example.org")
    b = add("B", network="other")
    summary = apply_results(
        [
            (a, ProbeError("cancelled", "Cancelled.")),
            (b, ProbeError("unsupported", "No public activity figures known.")),
            (4242, figures(members=1)),
        ]
    )
    assert summary.changed == [] and summary.missing == [4242]
    assert activity_of(a) is None and activity_of(b) is None and activity_of(4242) is None


def test_results_are_stored_in_one_transaction(store, monkeypatch):
    a = add("A", network="forum", url="https://a.example.org")
    b = add("B", network="forum", url="https://b.example.org")
    cache = ResponseCache({"https://a.example.org/about.json": CacheEntry('"e1"', None, "{}", NOW)})

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(probe_store, "save_cache", broken)
    with pytest.raises(sqlite3.OperationalError):
        apply_results([(a, figures(members=1)), (b, ProbeError("timeout", "slow"))], cache=cache, now=NOW)
    assert activity_of(a) is None and activity_of(b) is None


# ------------------------------------------------------------------------------------- the cache


def test_the_cache_is_saved_with_the_results_and_pruned(store):
    old = NOW - timedelta(days=probe_store.CACHE_KEEP_DAYS + 1)
    yesterday = NOW - timedelta(days=1)
    save_cache(
        ResponseCache({"https://old.example.org/about.json": CacheEntry("o", None, "{}", yesterday)}), now=NOW
    )
    assert set(load_cache(now=NOW).entries) == {"https://old.example.org/about.json"}
    cache = ResponseCache(
        {
            "https://a.example.org/about.json": CacheEntry(
                '"e1"', "Fri, 14 Mar 2025 11:00:00 GMT", '{"a": 1}', NOW
            ),
            "https://stale.example.org/about.json": CacheEntry('"s"', None, "{}", old),
        }
    )
    gid = add("A", network="forum", url="https://a.example.org")
    apply_results(
        [(gid, figures(members=1))], cache=cache, now=NOW + timedelta(days=probe_store.CACHE_KEEP_DAYS)
    )
    loaded = load_cache(now=NOW + timedelta(days=probe_store.CACHE_KEEP_DAYS))
    assert set(loaded.entries) == {"https://a.example.org/about.json"}  # "old" was confirmed too long ago
    entry = loaded.get("https://a.example.org/about.json")
    assert entry == CacheEntry('"e1"', "Fri, 14 Mar 2025 11:00:00 GMT", '{"a": 1}', NOW)
    assert entry.fetched_at.tzinfo is not None


def test_the_cache_keeps_the_most_recently_confirmed_answers(store):
    cache = ResponseCache(
        {f"https://h{i}.example.org/about.json": CacheEntry(str(i), None, "{}", NOW - timedelta(minutes=i))
         for i in range(5)}
    )  # fmt: skip
    dropped = save_cache(cache, now=NOW, max_entries=3)
    assert dropped == 2
    assert sorted(load_cache(now=NOW).entries) == [f"https://h{i}.example.org/about.json" for i in range(3)]
