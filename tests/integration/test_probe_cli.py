"""``groupdesk probe`` against the loopback HTTP server: the real program in a subprocess for the any-host
platforms (Discourse, Lemmy, Mastodon at their real URL forms on 127.0.0.1), and ``run_probe`` in-process
with a test client for Reddit and Discord (fixed hosts, pointed at 127.0.0.1 only through the client's
test base URLs). Nothing here contacts anything but 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from groupdesk.cli_probe import run_probe
from groupdesk.errors import UserError
from groupdesk.store import probe_store, repository
from groupdesk.store.db import close_db
from tests.integration import test_probes_http as http
from tests.integration.test_probes_http import LocalServer, Reply, data

# The loopback server, its fake clock and the guard that fails a test looking up any other host.
server, fake, make_client, loopback_only = http.server, http.fake, http.make_client, http.loopback_only


@pytest.fixture
def other_server() -> Iterator[LocalServer]:
    """A second site, with nothing on it (every path answers 404)."""
    srv = LocalServer()
    yield srv
    srv.close()


@pytest.fixture
def no_proxy(monkeypatch):
    """The subprocess goes straight to 127.0.0.1, whatever proxy the environment names."""
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def add(name: str, **values) -> int:
    return repository.create_group({"name": name, **values})


def any_host_groups(server: LocalServer, other: LocalServer) -> dict[str, int]:
    """A forum, a Lemmy community, a Mastodon account, a forum that is gone, and groups not checked."""
    server.route("/about.json", Reply(body=data("discourse_about_new.json")))
    server.route("/api/v3/community", Reply(body=data("lemmy_community_v3.json")))
    server.route("/api/v1/accounts/lookup", Reply(body=data("mastodon_account.json")))
    return {
        "forum": add("Board Games Oost", network="forum", url=server.url + "/latest", posts_per_week=2),
        "lemmy": add("Synthetic Linux", network="other", url=server.url + "/c/synthlinux"),
        "mastodon": add("Synth Group", network="other", url=server.url + "/@synthgroup"),
        "gone": add("Gone forum", network="forum", url=other.url + "/gone/t/1"),
        "offline": add("Chess club", network="offline"),
        "left": add("Old forum", network="forum", url=other.url + "/old", status="left"),
    }


def test_probe_all_in_the_real_program(server, other_server, store, run_cli, no_proxy, data_dir):
    ids = any_host_groups(server, other_server)
    close_db()
    result = run_cli("probe", "--all", timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    port = server.url.rsplit(":", 1)[1]
    assert lines[0].startswith(
        f"#{ids['forum']} Board Games Oost: 2,310 members · 140 active in the last 7 days · "
        "63 posts a week · active on "
    )
    assert lines[0].endswith(f"or later — from 127.0.0.1:{port}/about.json")
    by_id = {int(line.split()[0][1:]): line for line in lines if line.startswith("#")}
    assert set(by_id) == {ids["forum"], ids["lemmy"], ids["mastodon"], ids["gone"]}  # not: offline, left
    assert "9,120 members · 86 active in the last 7 days" in by_id[ids["lemmy"]]
    assert "/api/v3/community?name=synthlinux" in by_id[ids["lemmy"]]
    assert "1,480 members · active on 2025-03-12 or later" in by_id[ids["mastodon"]]
    assert "not checked — Not found:" in by_id[ids["gone"]] and "HTTP 404" in by_id[ids["gone"]]
    assert lines[-3:] == [
        "Checked 4 group(s): 3 measured, 1 failed.",
        "Posts per week you typed were kept for 1 group(s).",
        "1 open group(s) have no address GroupDesk can check.",
    ]
    assert all(s.headers["user-agent"].startswith("desktop:") for s in server.seen)
    assert "/about.json" in server.paths()
    assert other_server.paths() == ["/gone/about.json", "/about.json"]  # the left group was not asked

    from groupdesk.app import open_store

    open_store(data_dir)
    forum = repository.group_values(ids["forum"])
    assert forum["posts_per_week"] == 2  # typed when the group was made: kept
    assert probe_store.activity_of(ids["forum"]).posts_per_week == 63.0
    assert repository.group_values(ids["mastodon"])["last_group_activity"] == date(2025, 3, 12)
    gone = probe_store.activity_of(ids["gone"])
    assert gone.error_kind == "not_found" and not gone.measured
    assert probe_store.activity_of(ids["offline"]) is None and probe_store.activity_of(ids["left"]) is None


def test_probe_named_groups_as_json(server, other_server, store, run_cli, no_proxy):
    ids = any_host_groups(server, other_server)
    close_db()
    result = run_cli("probe", str(ids["lemmy"]), str(ids["left"]), str(ids["offline"]), "--format", "json")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["id"], i["ok"]) for i in items] == [
        (ids["lemmy"], True),
        (ids["left"], False),
        (ids["offline"], False),
    ]
    assert items[0]["figures"]["members"] == 9120 and items[0]["figures"]["platform"] == "lemmy"
    assert items[1]["error"]["kind"] == "not_found"  # a left group named by id is checked
    assert items[2]["error"]["kind"] == "unsupported"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "name the groups to check"),
        (("--all", "1"), "not both"),
        (("424242",), "no group with id 424242"),
        (("offline",), "no address GroupDesk can check for #"),
        (("many",), "invalid int value"),
    ],
)
def test_bad_input_exits_2_and_sends_nothing(
    server, other_server, store, run_cli, no_proxy, data_dir, args, words
):
    ids = any_host_groups(server, other_server)
    close_db()
    before = (data_dir / "groupdesk.db").read_bytes()
    args = tuple(str(ids[a]) if a in ids else a for a in args)
    result = run_cli("probe", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert server.seen == [] and other_server.seen == []
    assert (data_dir / "groupdesk.db").read_bytes() == before


# ------------------------------------------------------------------------------ fixed hosts, in-process


def test_reddit_and_discord_through_the_test_client(server, store, make_client, data_dir):
    server.route("/r/synthboardgames/about.json", Reply(body=data("reddit_about.json")))
    server.route("/api/v10/invites/pixelart", Reply(body=data("discord_invite.json")))
    server.route("/api/v10/invites/expired", Reply(404, data("discord_unknown_invite.json")))
    sub = add("Synth board games", network="reddit", external_id="synthboardgames")
    pixel = add("Pixel Art Club", network="discord", url="https://discord.gg/pixelart")
    expired = add("Old server", network="discord", url="https://discord.com/invite/expired")
    out = io.StringIO()
    made = []

    def factory(cache):
        made.append(cache)
        return make_client(cache=cache)

    assert (
        run_probe([sub, pixel, expired], all_groups=False, data_dir=data_dir, client_factory=factory, out=out)
        == 0
    )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"#{sub} Synth board games: 48,213 members · 377 online now — from 127.0.0.1:")
    assert lines[1].startswith(f"#{pixel} Pixel Art Club: ")
    assert "online now" in lines[1]
    assert lines[2].startswith(f"#{expired} Old server: not checked — Not found: The Discord invite expired")
    assert lines[3] == "Checked 3 group(s): 2 measured, 1 failed."
    assert server.paths() == [
        "/r/synthboardgames/about.json",  # known only by its subreddit
        "/api/v10/invites/pixelart?with_counts=true",
        "/api/v10/invites/expired?with_counts=true",
    ]
    assert repository.group_values(pixel)["external_id"] is not None  # the server id, from the invite
    assert probe_store.activity_of(sub).platform == "reddit"
    assert len(made) == 1


def test_ctrl_c_keeps_what_was_measured(server, store, make_client, data_dir):
    server.route("/r/SynthBoardGames/about.json", Reply(body=data("reddit_about.json")))
    server.route("/api/v10/invites/pixelart", Reply(body=data("discord_invite.json")))
    sub = add("Synth board games", network="reddit", url="https://www.reddit.com/r/SynthBoardGames/")
    pixel = add("Pixel Art Club", network="discord", url="https://discord.gg/pixelart")

    def factory(cache):
        client = make_client(cache=cache)
        real_get = client.session.get

        def get(url, **kwargs):
            if "invites" in url:  # Ctrl+C while the second group is asked
                raise KeyboardInterrupt
            return real_get(url, **kwargs)

        client.session.get = get
        return client

    out = io.StringIO()
    with pytest.raises(KeyboardInterrupt):
        run_probe([sub, pixel], all_groups=False, data_dir=data_dir, client_factory=factory, out=out)
    assert out.getvalue().startswith(f"#{sub} Synth board games: 48,213 members")
    assert probe_store.activity_of(sub).members == 48213
    assert isinstance(probe_store.activity_of(sub).measured_at, datetime)
    assert probe_store.activity_of(pixel) is None
    assert list(probe_store.load_cache().entries) == []  # the answers had no validators: nothing to keep


def test_run_probe_refuses_bad_input_before_opening_anything(data_dir):
    with pytest.raises(UserError, match="not both"):
        run_probe([1], all_groups=True, data_dir=data_dir)
    assert not (data_dir / "groupdesk.db").exists()
