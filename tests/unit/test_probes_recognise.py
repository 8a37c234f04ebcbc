"""Which probe handles which group address: each platform's recognise() and the dispatcher's order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from groupdesk.probes import (
    ProbeClient,
    ProbeError,
    discord,
    discourse,
    lemmy,
    mastodon,
    probe_group,
    reddit,
    targets_for,
)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.reddit.com/r/selfhosted/", "selfhosted"),
        ("https://old.reddit.com/r/BoardGames/top/?t=week", "BoardGames"),
        ("reddit.com/r/python", "python"),
        ("http://np.reddit.com/r/learnpython/comments/abc/title/", "learnpython"),
        ("m.reddit.com/r/AskHistorians", "AskHistorians"),
        ("r/rust", "rust"),
        ("/r/golang/", "golang"),
    ],
)
def test_reddit_recognises_subreddits(url, name):
    target = reddit.recognise(url)
    assert target is not None
    assert (target.platform, target.kind, target.name, target.base) == ("reddit", "subreddit", name, "")
    assert target.url == f"https://www.reddit.com/r/{name}/"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.reddit.com/r/all/",
        "https://www.reddit.com/r/popular",
        "https://www.reddit.com/user/someone",
        "https://www.reddit.com/",
        "https://reddit.example.org/r/python",
        "https://www.reddit.com/r/a/",  # one letter: not a subreddit name
        "https://www.reddit.com/r/name-with-dash",
        "r/",
    ],
)
def test_reddit_refuses_other_addresses(url):
    assert reddit.recognise(url) is None


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://discord.gg/synthDEV42", "synthDEV42"),
        ("discord.gg/abc-def", "abc-def"),
        ("https://discord.gg/invite/xyz123", "xyz123"),
        ("https://discord.com/invite/xyz123?event=1", "xyz123"),
        ("https://discordapp.com/invite/Old1", "Old1"),
        ("https://canary.discord.com/invite/canary9", "canary9"),
    ],
)
def test_discord_recognises_invites(url, code):
    target = discord.recognise(url)
    assert target is not None
    assert (target.platform, target.kind, target.name) == ("discord", "invite", code)
    assert target.url == f"https://discord.gg/{code}"


@pytest.mark.parametrize(
    "url",
    [
        "https://discord.com/channels/123/456",
        "https://discord.com/",
        "https://discord.gg/",
        "https://notdiscord.gg/abc",
        "https://discord.com/invite/bad%20code",
    ],
)
def test_discord_refuses_other_addresses(url):
    assert discord.recognise(url) is None


@pytest.mark.parametrize(
    ("url", "base", "name"),
    [
        ("https://lemmy.ml/c/linux", "https://lemmy.ml", "linux"),
        ("https://lemmy.world/c/technology/", "https://lemmy.world", "technology"),
        ("https://lemmy.world/c/linux@lemmy.ml", "https://lemmy.world", "linux@lemmy.ml"),
        ("http://127.0.0.1:8123/c/synth_linux", "http://127.0.0.1:8123", "synth_linux"),
        ("!linux@lemmy.ml", "https://lemmy.ml", "linux"),
        ("lemmy.ml/c/linux", "https://lemmy.ml", "linux"),
    ],
)
def test_lemmy_recognises_communities(url, base, name):
    target = lemmy.recognise(url)
    assert target is not None
    assert (target.platform, target.kind, target.base, target.name) == ("lemmy", "community", base, name)


@pytest.mark.parametrize(
    "url",
    [
        "https://forum.example.org/c/general/12",  # a Discourse category (3 segments)
        "https://lemmy.ml/u/someone",
        "https://lemmy.ml/",
        "https://lemmy.ml/post/123",
        "https://lemmy.ml/c/",
        "ftp://lemmy.ml/c/linux",
        "!linux",
    ],
)
def test_lemmy_refuses_other_addresses(url):
    assert lemmy.recognise(url) is None


@pytest.mark.parametrize(
    ("url", "base", "name"),
    [
        ("https://mastodon.social/@synthgroup", "https://mastodon.social", "synthgroup"),
        ("https://mastodon.social/@synthgroup/113456789", "https://mastodon.social", "synthgroup"),
        ("https://mastodon.social/@group@a.gup.pe", "https://mastodon.social", "group@a.gup.pe"),
        ("https://social.example/users/someone", "https://social.example", "someone"),
        ("@synthgroup@social.example", "https://social.example", "synthgroup"),
    ],
)
def test_mastodon_recognises_accounts(url, base, name):
    target = mastodon.recognise(url)
    assert target is not None
    assert (target.platform, target.kind, target.base, target.name) == ("mastodon", "account", base, name)


@pytest.mark.parametrize(
    "url",
    [
        "https://mastodon.social/",
        "https://mastodon.social/about",
        "https://medium.com/@writer",
        "https://www.youtube.com/@channel",
        "https://social.example/@",
        "@justaname",
    ],
)
def test_mastodon_refuses_other_addresses(url):
    assert mastodon.recognise(url) is None


def test_mastodon_instance_target_is_the_host_root():
    target = mastodon.instance_target("https://social.example/about")
    assert target is not None
    assert (target.kind, target.name, target.base) == ("instance", "social.example", "https://social.example")


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://meta.discourse.org/", "https://meta.discourse.org"),
        ("https://meta.discourse.org/latest", "https://meta.discourse.org"),
        ("https://meta.discourse.org/t/some-topic/1234/5", "https://meta.discourse.org"),
        ("https://meta.discourse.org/c/dev/7", "https://meta.discourse.org"),
        ("https://example.org/forum/t/topic/12", "https://example.org/forum"),
        ("https://example.org/community/", "https://example.org/community"),
        ("https://example.org/one/two/three/four", "https://example.org"),
        ("https://user:secret@forum.example.org/latest", "https://forum.example.org"),
        ("http://127.0.0.1:9000/about.json", "http://127.0.0.1:9000"),
    ],
)
def test_discourse_finds_the_forum_base(url, base):
    target = discourse.recognise(url)
    assert target is not None
    assert (target.platform, target.kind, target.base) == ("discourse", "forum", base)
    assert "secret" not in target.site


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "not a url",
        "mailto:list@example.org",
        "list@example.org",
        "news:comp.lang",
        "https://exa mple.org/",
    ],
)
def test_nothing_recognises_non_web_text(url):
    for module in (reddit, discord, lemmy, mastodon, discourse):
        assert module.recognise(url) is None


# -- the dispatcher's order --------------------------------------------------------------------------------
def _platforms(url, network):
    return [(t.platform, t.kind) for t in targets_for(url, network)]


@pytest.mark.parametrize(
    ("url", "network", "expected"),
    [
        # Fixed hosts win whatever the network says.
        ("https://www.reddit.com/r/selfhosted", "forum", [("reddit", "subreddit")]),
        ("https://discord.gg/abc", "other", [("discord", "invite")]),
        # Path shapes on any host.
        ("https://lemmy.ml/c/linux", None, [("lemmy", "community")]),
        ("https://social.example/@g", "other", [("mastodon", "account")]),
        # A /c/NAME forum link: Lemmy first, then the forum as Discourse.
        ("https://forum.example.org/c/general", "forum", [("lemmy", "community"), ("discourse", "forum")]),
        # Only a forum is tried as Discourse.
        ("https://forum.example.org/c/general/12", "forum", [("discourse", "forum")]),
        ("https://forum.example.org/latest", "other", []),
        ("https://forum.example.org/", "forum", [("discourse", "forum")]),
        # A host's root with network other (or none): Mastodon instance activity.
        ("https://social.example/", "other", [("mastodon", "instance")]),
        ("https://social.example", None, [("mastodon", "instance")]),
        ("https://social.example/?lang=en", None, []),
        # Other networks' unrecognised addresses: nothing to try.
        ("https://www.facebook.com/groups/synth", "facebook", []),
        ("https://www.meetup.com/synth/", "meetup", []),
        ("https://social.example/", "association", []),
        (None, "forum", []),
        ("", None, []),
    ],
)
def test_targets_for_order(url, network, expected):
    assert _platforms(url, network) == expected


def test_unsupported_address_sends_nothing():
    class NoSession:
        headers: dict[str, str] = {}
        max_redirects = 30

        def get(self, *a, **k):
            raise AssertionError("nothing may be sent for an unsupported address")

        def close(self):
            pass

    client = ProbeClient(session=NoSession())  # type: ignore[arg-type]
    with pytest.raises(ProbeError) as caught:
        probe_group(client, "https://www.facebook.com/groups/synth", "facebook")
    assert caught.value.kind == "unsupported"
    assert "facebook.com/groups/synth" in caught.value.message
    with pytest.raises(ProbeError) as caught:
        probe_group(client, "", "reddit")
    assert caught.value.kind == "unsupported"


@given(st.text(max_size=80), st.sampled_from([None, "forum", "other", "reddit", "facebook"]))
def test_targets_for_never_raises(text, network):
    for target in targets_for(text, network):
        assert target.platform in ("reddit", "discord", "lemmy", "mastodon", "discourse")
        assert target.base == "" or target.base.startswith(("http://", "https://"))
