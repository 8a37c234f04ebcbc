"""The probes against a real HTTP server on loopback, serving the synthetic answers in tests/data/probes.

Discourse, Lemmy and Mastodon are reached at their real URL forms on http://127.0.0.1:PORT/…; Reddit and
Discord through the client's test-only base URL override. Nothing here waits for real: the client gets a
fake sleep/clock/now (except the slow-response tests, which use a 0.3 s read timeout). A guard makes any
name lookup other than 127.0.0.1 a test failure.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from groupdesk import __version__
from groupdesk.probes import Figures, ProbeClient, ProbeError, ResponseCache, probe_group, probe_many

DATA = Path(__file__).resolve().parent.parent / "data" / "probes"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=timezone.utc)


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@dataclass
class Reply:
    """One canned answer. ``body``: bytes as is, or a JSON-able value."""

    status: int = 200
    body: object = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    body_delay: float = 0.0  # seconds between the headers and the body
    etag: str | None = None  # answer 304 when the request's If-None-Match matches


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 with canned answers per path; records what it was asked."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[Seen] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.httpd.handle_error = lambda *a: None  # a client that gave up is not a test failure
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply) -> None:
        """Answer ``path`` (with query, or without: any query) with ``replies`` in turn; the last repeats."""
        self.routes[path] = list(replies)

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.seen.append(Seen(handler.path, {k.lower(): v for k, v in handler.headers.items()}))
            replies = self.routes.get(handler.path) or self.routes.get(handler.path.split("?", 1)[0])
            if not replies:
                reply = Reply(404, b"<html><body>Nothing here</body></html>", {"Content-Type": "text/html"})
            else:
                reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if reply.delay:
            self.release.wait(reply.delay)
        status = reply.status
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        if reply.etag:
            headers["ETag"] = reply.etag
            if handler.headers.get("If-None-Match") == reply.etag:
                status, body = 304, b""
        try:
            handler.send_response(status)
            for key, value in headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if reply.body_delay:
                handler.wfile.flush()
                self.release.wait(reply.body_delay)
            handler.wfile.write(body)
        except OSError:
            pass

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


class FakeTime:
    """sleep / monotonic clock / UTC now that only move when the code under test sleeps (or a test says)."""

    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = NOW
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += timedelta(seconds=seconds)

    def clock(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.wall

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if anything looks up a host other than this machine (and refuse to connect)."""
    real = socket.getaddrinfo
    violations: list[str] = []

    def guarded(host: object, *args: object, **kwargs: object):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            violations.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "blocked by the test")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield violations
    assert violations == [], f"tests must only contact 127.0.0.1, not {violations}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(server: LocalServer, fake: FakeTime):
    clients: list[ProbeClient] = []

    def _make(**options: object) -> ProbeClient:
        session = requests.Session()
        session.trust_env = False  # no proxy from the environment: straight to 127.0.0.1
        kwargs: dict[str, object] = {
            "sleep": fake.sleep,
            "clock": fake.clock,
            "now": fake.now,
            "session": session,
            "timeout": (2.0, 2.0),
            "test_base_urls": {"reddit": server.url, "discord": server.url},
        }
        kwargs.update(options)
        client = ProbeClient(**kwargs)  # type: ignore[arg-type]
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- Discourse --------------------------------------------------------------------------------------------
def test_discourse_about_new_keys_and_user_agent(server, make_client, fake):
    server.route("/about.json", Reply(body=data("discourse_about_new.json")))
    figures = probe_group(make_client(), server.url + "/", "forum")
    assert (figures.platform, figures.members, figures.active_users, figures.active_window) == (
        "discourse", 2310, 140, "week",
    )  # fmt: skip
    assert figures.posts_per_week == 63.0
    assert figures.last_activity == date(2025, 3, 13)  # posts in the last day: active since yesterday
    assert figures.title == "Board Games Oost Forum"
    assert figures.measured_at == NOW
    assert figures.source_url == server.url + "/about.json"
    assert figures.source.startswith("Discourse, http://127.0.0.1:")
    agent = server.seen[0].headers["user-agent"]
    assert "GroupDesk" in agent and __version__ in agent
    assert server.seen[0].headers["accept"] == "application/json"


def test_discourse_about_old_keys(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_old.json")))
    figures = probe_group(make_client(), server.url, "forum")
    assert figures.members == 812
    assert (figures.active_users, figures.active_window) == (60, "month")
    assert figures.posts_per_week == 21.0  # 90 posts in 30 days
    assert figures.last_activity == date(2025, 2, 12)  # only "some posts in the last 30 days" is known


def test_discourse_statistics_json_when_about_has_no_stats(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_nostats.json")))
    server.route("/site/statistics.json", Reply(body=data("discourse_statistics.json")))
    figures = probe_group(make_client(), server.url + "/latest", "forum")
    assert figures.source_url == server.url + "/site/statistics.json"
    assert (figures.members, figures.active_users, figures.posts_per_week) == (150, 9, 4.0)
    assert figures.last_activity == date(2025, 3, 7)
    assert figures.title == "Quiet Synth Forum"
    assert "Figures for the whole forum." in figures.notes
    assert server.paths() == ["/about.json", "/site/statistics.json"]


def test_discourse_that_shares_no_statistics(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_nostats.json")))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url, "forum")
    assert caught.value.kind == "forbidden"
    assert "does not share its statistics" in caught.value.message
    assert "127.0.0.1" in caught.value.message


def test_discourse_in_a_sub_folder_and_a_guessed_sub_folder_falls_back_to_the_root(server, make_client):
    server.route("/forum/about.json", Reply(body=data("discourse_about_new.json")))
    figures = probe_group(make_client(), server.url + "/forum/t/some-topic/12", "forum")
    assert figures.source_url == server.url + "/forum/about.json"

    server.route("/about.json", Reply(body=data("discourse_about_old.json")))
    figures = probe_group(make_client(), server.url + "/welcome", "forum")
    assert figures.members == 812
    assert server.paths()[-2:] == ["/welcome/about.json", "/about.json"]


def test_a_forum_category_shaped_like_a_lemmy_community_falls_back_to_discourse(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_new.json")))
    figures = probe_group(make_client(), server.url + "/c/general", "forum")
    assert figures.platform == "discourse"
    assert server.paths() == ["/api/v3/community?name=general", "/about.json"]


def test_a_site_that_is_not_a_forum(server, make_client):
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url, "forum")
    assert caught.value.kind == "not_found"
    assert caught.value.status == 404
    server.route(
        "/about.json", Reply(body=b"<!doctype html><p>Welcome</p>", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url, "forum")
    assert caught.value.kind == "bad_response"
    assert "a web page" in caught.value.message


def test_malformed_json(server, make_client):
    server.route("/about.json", Reply(body=b'{"about": {"stats": {"users_count": 3'))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url, "forum")
    assert caught.value.kind == "bad_response"
    assert "not JSON" in caught.value.message


# -- Reddit ---------------------------------------------------------------------------------------------
def test_reddit_about(server, make_client):
    server.route("/r/SynthBoardGames/about.json", Reply(body=data("reddit_about.json")))
    figures = probe_group(make_client(), "https://www.reddit.com/r/SynthBoardGames/", "reddit")
    assert (figures.members, figures.active_users, figures.active_window) == (48213, 377, "now")
    assert figures.external_id == "synthboardgames"
    assert figures.title == "r/SynthBoardGames"
    assert "Created on 2010-01-01." in figures.notes
    assert figures.posts_per_week is None and figures.last_activity is None
    assert server.paths() == ["/r/SynthBoardGames/about.json"]


@pytest.mark.parametrize(
    ("status", "body", "kind", "words"),
    [
        (403, "reddit_private.json", "forbidden", "r/Hidden is private on Reddit"),
        (404, "reddit_banned.json", "not_found", "r/Hidden (banned)"),
        (200, "reddit_search_listing.json", "not_found", "no subreddit r/Hidden"),
    ],
)
def test_reddit_private_banned_and_unknown(server, make_client, status, body, kind, words):
    server.route("/r/Hidden/about.json", Reply(status, data(body)))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), "old.reddit.com/r/Hidden/top/", None)
    assert caught.value.kind == kind
    assert words in caught.value.message


# -- Discord -------------------------------------------------------------------------------------------
def test_discord_invite_counts(server, make_client):
    server.route("/api/v10/invites/synthDEV42", Reply(body=data("discord_invite.json")))
    figures = probe_group(make_client(), "https://discord.com/invite/synthDEV42", "discord")
    assert (figures.members, figures.active_users, figures.active_window) == (5210, 733, "now")
    assert (figures.title, figures.external_id) == ("Synth Indie Devs", "123456789012345678")
    assert "This invite expires on 2025-03-21." in figures.notes
    assert server.paths() == ["/api/v10/invites/synthDEV42?with_counts=true"]


def test_discord_unknown_invite(server, make_client):
    server.route("/api/v10/invites/gone", Reply(404, data("discord_unknown_invite.json")))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), "discord.gg/gone", None)
    assert caught.value.kind == "not_found"
    assert caught.value.message == "The Discord invite gone is invalid or has expired."


# -- Lemmy ---------------------------------------------------------------------------------------------
def test_lemmy_community_v3_counts(server, make_client):
    server.route("/api/v3/community?name=synthlinux", Reply(body=data("lemmy_community_v3.json")))
    figures = probe_group(make_client(), server.url + "/c/synthlinux", None)
    assert (figures.platform, figures.members, figures.active_users, figures.active_window) == (
        "lemmy", 9120, 86, "week",
    )  # fmt: skip
    assert figures.last_activity == date(2025, 3, 7)
    assert figures.external_id == "https://lemmy.example/c/synthlinux"
    assert figures.title == "Synthetic Linux"


def test_lemmy_1_counts_on_the_community_object(server, make_client):
    server.route("/api/v3/community?name=synthcooking", Reply(body=data("lemmy_community_v1.json")))
    figures = probe_group(make_client(), server.url + "/c/synthcooking/", "other")
    assert (figures.members, figures.active_users, figures.active_window) == (310, 0, "week")
    assert figures.last_activity == date(2025, 2, 12)  # someone active in the last month
    assert figures.external_id == "https://lemmy.example/c/synthcooking"


def test_lemmy_unknown_community(server, make_client):
    server.route("/api/v3/community", Reply(400, data("lemmy_not_found.json")))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url + "/c/nothing", None)
    assert caught.value.kind == "not_found"
    assert "has no community nothing" in caught.value.message


# -- Mastodon ------------------------------------------------------------------------------------------
def test_mastodon_account_lookup(server, make_client):
    server.route("/api/v1/accounts/lookup?acct=synthgroup", Reply(body=data("mastodon_account.json")))
    figures = probe_group(make_client(), server.url + "/@synthgroup", None)
    assert (figures.platform, figures.members, figures.last_activity) == ("mastodon", 1480, date(2025, 3, 12))
    assert figures.title == "Synth Group"
    assert any("5320 posts in total" in n for n in figures.notes)


def test_mastodon_unknown_account(server, make_client):
    server.route("/api/v1/accounts/lookup", Reply(404, data("mastodon_account_not_found.json")))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), server.url + "/users/nobody", None)
    assert caught.value.kind == "not_found"
    assert "has no account @nobody" in caught.value.message


def test_mastodon_instance_activity_uses_the_last_complete_week(server, make_client):
    server.route("/api/v1/instance/activity", Reply(body=data("mastodon_activity.json")))
    figures = probe_group(make_client(), server.url + "/", "other")
    assert figures.posts_per_week == 212.0  # the week of 2025-03-03, not the week in progress
    assert (figures.active_users, figures.active_window) == (57, "week")
    assert figures.last_activity == date(2025, 3, 10)
    assert "2025-03-03" in figures.notes[0]


def test_mastodon_quiet_instance(server, make_client):
    server.route("/api/v1/instance/activity", Reply(body=data("mastodon_activity_quiet.json")))
    figures = probe_group(make_client(), server.url, None)
    assert figures.posts_per_week == 0.0
    assert figures.last_activity == date(2025, 2, 24)


# -- retries, rate limits, timeouts ----------------------------------------------------------------------
def test_429_with_retry_after_seconds_is_waited_out_then_retried(server, make_client, fake):
    server.route(
        "/r/SynthBoardGames/about.json",
        Reply(429, {"message": "Too Many Requests", "error": 429}, {"Retry-After": "7"}),
        Reply(body=data("reddit_about.json")),
    )
    figures = probe_group(make_client(), "reddit.com/r/SynthBoardGames", None)
    assert figures.members == 48213
    assert len(server.seen) == 2
    assert fake.slept == pytest.approx(7.0)
    assert max(fake.sleeps) <= 0.25  # waits are sliced so Cancel is seen quickly


def test_429_asking_for_longer_than_the_cap_reports_instead_of_sleeping(server, make_client, fake):
    later = format_datetime(NOW + timedelta(minutes=10), usegmt=True)
    server.route("/r/SynthBoardGames/about.json", Reply(429, b"", {"Retry-After": later}))
    client = make_client(max_wait=30.0)
    with pytest.raises(ProbeError) as caught:
        probe_group(client, "https://www.reddit.com/r/SynthBoardGames", None)
    assert caught.value.kind == "rate_limited"
    assert caught.value.message == "Reddit is limiting requests: try again in 600 s."
    assert caught.value.retry_after == pytest.approx(600)
    assert fake.slept == 0 and len(server.seen) == 1
    # The host stays blocked in this client: the next subreddit fails fast, sending nothing.
    with pytest.raises(ProbeError) as caught:
        probe_group(client, "https://www.reddit.com/r/Other", None)
    assert caught.value.kind == "rate_limited"
    assert "try again in 600 s" in caught.value.message
    assert len(server.seen) == 1


def test_429_every_time_gives_up_after_max_attempts(server, make_client, fake):
    server.route("/api/v1/accounts/lookup", Reply(429, b"", {"Retry-After": "1"}))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(max_attempts=3), server.url + "/@busy", None)
    assert caught.value.kind == "rate_limited"
    assert len(server.seen) == 3
    assert fake.slept == pytest.approx(2.0)


def test_500_then_200_retries_with_back_off(server, make_client, fake):
    server.route("/api/v1/accounts/lookup", Reply(500, b"oops"), Reply(body=data("mastodon_account.json")))
    figures = probe_group(make_client(backoff=2.0), server.url + "/@synthgroup", None)
    assert figures.members == 1480
    assert len(server.seen) == 2
    assert fake.slept == pytest.approx(2.0)


def test_503_every_time_is_a_server_error(server, make_client, fake):
    server.route("/about.json", Reply(503, b"maintenance"))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(max_attempts=3, backoff=1.0), server.url, "forum")
    assert caught.value.kind == "server_error"
    assert "HTTP 503" in caught.value.message and "try again later" in caught.value.message
    assert len(server.seen) == 3
    assert fake.slept == pytest.approx(1.0 + 2.0)


def test_a_slow_answer_times_out(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_new.json"), delay=5.0))
    start = time.monotonic()
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(timeout=(2.0, 0.3)), server.url, "forum")
    assert time.monotonic() - start < 2.0
    assert caught.value.kind == "timeout"
    assert "did not answer within 0.3 s" in caught.value.message


def test_a_body_that_stalls_times_out(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_new.json"), body_delay=5.0))
    start = time.monotonic()
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(timeout=(2.0, 0.3)), server.url, "forum")
    assert time.monotonic() - start < 2.0
    assert caught.value.kind == "timeout"


def test_nobody_listening_is_offline(make_client):
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(), closed_port_url() + "/c/linux", None)
    assert caught.value.kind == "offline"
    assert caught.value.message.startswith("Could not reach 127.0.0.1:")


def test_an_oversized_answer_is_refused(server, make_client):
    server.route("/about.json", Reply(body=data("discourse_about_new.json")))
    with pytest.raises(ProbeError) as caught:
        probe_group(make_client(max_body=200), server.url, "forum")
    assert caught.value.kind == "bad_response"


def test_per_host_rate_limits(server, make_client, fake):
    for name in ("a1", "b2", "c3"):
        server.route(f"/r/{name}/about.json", Reply(body=data("reddit_about.json")))
    client = make_client()
    for name in ("a1", "b2", "c3"):
        probe_group(client, f"https://www.reddit.com/r/{name}", None)
    assert fake.slept == pytest.approx(6.0)  # Reddit: 10 a minute, two back to back, then one per 6 s
    fake.sleeps.clear()
    server.route("/api/v3/community", Reply(body=data("lemmy_community_v3.json")))
    probe_group(client, server.url + "/c/one", None)
    probe_group(client, server.url + "/c/two", None)
    assert fake.slept == pytest.approx(1.0)  # any other host: one request a second


def test_an_exhausted_quota_header_blocks_the_host(server, make_client, fake):
    reset = (NOW + timedelta(seconds=120)).isoformat().replace("+00:00", "Z")
    server.route(
        "/api/v1/accounts/lookup",
        Reply(
            body=data("mastodon_account.json"),
            headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
        ),
    )
    client = make_client(max_wait=30.0)
    probe_group(client, server.url + "/@synthgroup", None)
    with pytest.raises(ProbeError) as caught:
        probe_group(client, server.url + "/@another", None)
    assert caught.value.kind == "rate_limited"
    assert "try again in 120 s" in caught.value.message
    assert len(server.seen) == 1


# -- conditional requests and the cache -----------------------------------------------------------------
def test_etag_304_reuses_the_cached_answer(server, make_client, fake):
    server.route("/api/v3/community", Reply(body=data("lemmy_community_v3.json"), etag='"v1"'))
    client = make_client(reuse_within=300)
    first = probe_group(client, server.url + "/c/synthlinux", None)
    assert "if-none-match" not in server.seen[0].headers
    fake.advance(400)
    second = probe_group(client, server.url + "/c/synthlinux", None)
    assert server.seen[1].headers["if-none-match"] == '"v1"'
    assert second.members == first.members == 9120
    assert second.measured_at == NOW + timedelta(seconds=400)  # confirmed now, by the 304
    fake.advance(60)
    third = probe_group(client, server.url + "/c/synthlinux", None)
    assert len(server.seen) == 2  # confirmed a minute ago: not asked again
    assert third.measured_at == second.measured_at


def test_last_modified_is_sent_back_and_the_cache_survives_a_save(server, make_client, fake):
    stamp = "Wed, 12 Mar 2025 10:00:00 GMT"
    server.route(
        "/api/v1/accounts/lookup", Reply(body=data("mastodon_account.json"), headers={"Last-Modified": stamp})
    )
    client = make_client()
    probe_group(client, server.url + "/@synthgroup", None)
    saved = json.loads(json.dumps(client.cache.to_json()))
    fake.advance(3600)
    again = make_client(cache=ResponseCache.from_json(saved))
    probe_group(again, server.url + "/@synthgroup", None)
    assert server.seen[1].headers["if-modified-since"] == stamp


# -- many groups -----------------------------------------------------------------------------------------
def test_probe_many_keeps_going_past_failures(server, make_client):
    server.route("/api/v3/community", Reply(body=data("lemmy_community_v3.json")))
    server.route("/api/v1/accounts/lookup", Reply(body=data("mastodon_account.json")))
    groups = [
        (1, server.url + "/c/synthlinux", "forum"),
        (2, server.url + "/", "forum"),  # no forum there: 404
        (3, closed_port_url() + "/c/gone", None),  # offline
        (4, "https://www.facebook.com/groups/synth", "facebook"),  # unsupported, nothing sent
        (5, server.url + "/@synthgroup", "other"),
        (6, None, "other"),
    ]
    seen: list[tuple[int, int, int, str]] = []
    results = probe_many(
        make_client(),
        groups,
        progress=lambda done, total, gid, out: seen.append((done, total, gid, type(out).__name__)),
    )
    assert [gid for gid, _ in results] == [1, 2, 3, 4, 5, 6]
    kinds = [out.kind if isinstance(out, ProbeError) else out.platform for _, out in results]
    assert kinds == ["lemmy", "not_found", "offline", "unsupported", "mastodon", "unsupported"]
    assert all(not (isinstance(out, Figures) and out.is_empty()) for _, out in results)
    assert seen[-1] == (6, 6, 6, "ProbeError") and [s[0] for s in seen] == [1, 2, 3, 4, 5, 6]
    assert not any("facebook" in p for p in server.paths())


def test_cancel_between_groups(server, make_client):
    server.route("/api/v3/community", Reply(body=data("lemmy_community_v3.json")))
    stop = threading.Event()
    groups = [(i, server.url + f"/c/c{i}", None) for i in range(5)]
    results = probe_many(make_client(), groups, progress=lambda *a: stop.set(), cancel=stop.is_set)
    assert [gid for gid, _ in results] == [0]
    assert len(server.seen) == 1


def test_cancel_during_a_rate_limit_wait(server, make_client, fake):
    for name in ("a1", "b2", "c3"):
        server.route(f"/r/{name}/about.json", Reply(body=data("reddit_about.json")))
    client = make_client()
    groups = [(n, f"https://www.reddit.com/r/{n}", "reddit") for n in ("a1", "b2", "c3")]
    results = probe_many(client, groups, cancel=lambda: bool(fake.sleeps))
    assert [gid for gid, _ in results] == ["a1", "b2"]  # the third was waiting its turn when cancelled
    assert fake.slept <= 0.25
    assert client.cancel is None  # probe_many leaves the client as it found it
