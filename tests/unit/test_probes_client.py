"""The probe client's pieces without a server: Retry-After, the rate limiter, the cache, the figures,
and that fixed-host platforms go to their real hosts unless a test points them at loopback."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from groupdesk import __version__
from groupdesk.probes import Figures, ProbeClient, ProbeError, RateLimit, ResponseCache, probe_group
from groupdesk.probes.base import as_int
from groupdesk.probes.discourse import figures_from_stats
from groupdesk.probes.http import USER_AGENT, CacheEntry, RateLimiter, parse_retry_after

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("-5", 0.0),
        ("Fri, 14 Mar 2025 12:10:00 GMT", 600.0),
        ("Fri, 14 Mar 2025 11:00:00 GMT", 0.0),  # already past
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, seconds):
    assert parse_retry_after(value, NOW) == seconds


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_rate_limiter_token_bucket_and_blocks():
    clock = Clock()
    limiter = RateLimiter(clock)
    reddit = RateLimit(10 / 60, 2)
    assert limiter.wait_time("www.reddit.com", reddit) == 0
    limiter.take("www.reddit.com", reddit)
    limiter.take("www.reddit.com", reddit)
    assert limiter.wait_time("www.reddit.com", reddit) == pytest.approx(6.0)
    assert limiter.wait_time("other.example", reddit) == 0  # per host
    clock.t = 3.0
    assert limiter.wait_time("www.reddit.com", reddit) == pytest.approx(3.0)
    clock.t = 60.0
    assert limiter.wait_time("www.reddit.com", reddit) == 0  # refilled, never beyond the burst
    limiter.take("www.reddit.com", reddit)
    limiter.take("www.reddit.com", reddit)
    assert limiter.wait_time("www.reddit.com", reddit) == pytest.approx(6.0)
    limiter.block("www.reddit.com", 100)
    limiter.block("www.reddit.com", 10)  # a shorter block never shortens a longer one
    assert limiter.wait_time("www.reddit.com", reddit) == pytest.approx(100)


def test_cache_json_round_trip_skips_malformed_rows():
    cache = ResponseCache()
    cache.put("https://a.example/x.json", CacheEntry('"e1"', None, '{"a": 1}', NOW))
    cache.put("https://b.example/y.json", CacheEntry(None, "Wed, 12 Mar 2025 10:00:00 GMT", "[]", NOW))
    saved = json.loads(json.dumps(cache.to_json()))
    saved["https://bad.example/"] = ["only", "three", "items"]
    saved["https://bad2.example/"] = [None, None, "{}", "not a date"]
    loaded = ResponseCache.from_json(saved)
    assert len(loaded) == 2
    assert loaded.get("https://a.example/x.json") == cache.get("https://a.example/x.json")
    assert loaded.get("https://b.example/y.json").last_modified == "Wed, 12 Mar 2025 10:00:00 GMT"
    assert len(ResponseCache.from_json("garbage")) == 0
    assert loaded.prune(NOW + timedelta(seconds=1)) == 2 and len(loaded) == 0


def test_user_agent_names_the_app_its_version_and_a_contact():
    assert __version__ in USER_AGENT
    assert "GroupDesk" in USER_AGENT and "+http" in USER_AGENT
    client = ProbeClient()
    assert client.session.headers["User-Agent"] == USER_AGENT
    client.close()


@pytest.mark.parametrize("base", ["https://example.org", "http://10.0.0.5:8080", "https://www.reddit.com"])
def test_test_base_urls_must_be_loopback(base):
    with pytest.raises(ValueError, match="must point at this machine"):
        ProbeClient(test_base_urls={"reddit": base})


class RecordingSession:
    """Stands in for requests.Session: records the URL and fails like a machine without a network."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.max_redirects = 30
        self.urls: list[str] = []
        self.timeouts: list[object] = []

    def get(self, url, **kwargs):
        self.urls.append(url)
        self.timeouts.append(kwargs.get("timeout"))
        raise requests.exceptions.ConnectionError("no network in unit tests")

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://old.reddit.com/r/Synth/", "https://www.reddit.com/r/Synth/about.json"),
        ("https://discord.gg/abc", "https://discord.com/api/v10/invites/abc?with_counts=true"),
    ],
)
def test_fixed_hosts_are_the_real_ones_by_default(url, expected):
    session = RecordingSession()
    client = ProbeClient(session=session, timeout=(3.0, 9.0))  # type: ignore[arg-type]
    with pytest.raises(ProbeError) as caught:
        probe_group(client, url, None)
    assert caught.value.kind == "offline"
    assert session.urls == [expected]
    assert session.timeouts == [(3.0, 9.0)]
    assert session.headers["User-Agent"] == USER_AGENT


def test_cancel_before_sending():
    session = RecordingSession()
    client = ProbeClient(session=session, cancel=lambda: True)  # type: ignore[arg-type]
    with pytest.raises(ProbeError) as caught:
        probe_group(client, "https://lemmy.example/c/x", None)
    assert caught.value.kind == "cancelled"
    assert session.urls == []


def test_figures_empty_and_dict():
    figures = Figures("lemmy", "https://l.example/api/v3/community?name=x", NOW)
    assert figures.is_empty()
    figures.posts_per_week = 0.0
    assert not figures.is_empty()  # zero is a figure, not a blank
    figures.last_activity = date(2025, 3, 1)
    d = figures.to_dict()
    assert d["measured_at"] == "2025-03-14T12:00:00+00:00"
    assert d["last_activity"] == "2025-03-01"
    assert d["source"] == "Lemmy, https://l.example/api/v3/community?name=x"
    json.dumps(d)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5), ("12", 12), (3.9, 3), (True, None), (-1, None), ("x", None), (None, None), (float("nan"), None)],
)
def test_as_int(value, expected):
    assert as_int(value) == expected


@pytest.mark.parametrize(
    ("stats", "members", "active", "window", "per_week", "since"),
    [
        # newer Discourse
        (
            {"users_count": 10, "active_users_7_days": 4, "posts_7_days": 12, "posts_last_day": 1},
            10, 4, "week", 12.0, date(2025, 3, 13),
        ),
        # older Discourse: singular totals, only 30-day figures
        (
            {"user_count": 7, "active_users_30_days": 3, "posts_30_days": 30},
            7, 3, "month", 7.0, date(2025, 2, 12),
        ),
        # only participating users and topics
        (
            {"participating_users_7_days": 2, "topics_7_days": 0, "topics_30_days": 1},
            None, 2, "week", 0.0, date(2025, 2, 12),
        ),
        # a silent forum: zero posts is a figure, but there is no activity date
        ({"users_count": 5, "posts_7_days": 0, "posts_30_days": 0}, 5, None, None, 0.0, None),
    ],
)  # fmt: skip
def test_discourse_statistics_key_variants(stats, members, active, window, per_week, since):
    figures = Figures("discourse", "https://f.example/about.json", NOW)
    figures_from_stats(stats, figures)
    assert (figures.members, figures.active_users, figures.active_window) == (members, active, window)
    assert (figures.posts_per_week, figures.last_activity) == (per_week, since)
