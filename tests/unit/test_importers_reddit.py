"""Reddit export: subscriptions, moderated subreddits, posts and comments, BOM, one folder deep."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from groupdesk.importers import reddit
from groupdesk.importers.base import FileSet
from groupdesk.importers.detect import read_path

EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports" / "reddit"


def test_wrapped_export():
    [res] = read_path(EXPORTS / "wrapped")
    assert res.kind == "reddit"
    g = {r.name: r for r in res.records}
    assert set(g) == {"r/Python", "r/rust", "r/boardgames", "r/AarhusMeetups"}  # BOM on the first header
    assert all(r.status == "member" and r.network == "reddit" for r in g.values())
    assert g["r/Python"].external_id == "python"
    assert g["r/Python"].url == "https://www.reddit.com/r/Python/"
    assert g["r/AarhusMeetups"].tags == "moderator"
    assert [(c.date, c.kind, c.note) for c in g["r/rust"].contributions] == [
        (date(2024, 1, 10), "comment", "comments on Reddit")
    ]
    # posts.csv and post_headers.csv repeat the same post ids: counted once.
    assert [(c.date, c.note) for c in g["r/boardgames"].contributions] == [
        (date(2024, 3, 2), "posts on Reddit")
    ]
    assert [(s.name, s.reason) for s in res.skipped] == [
        ("r/AskReddit", "not subscribed (only your posts or comments there)")
    ]
    assert "r/AskHistorians" not in g  # approved submitter is not a membership


def test_contributions_only_without_subscription_list():
    fs = FileSet.from_bytes(
        {
            "comments.csv": b"id,permalink,date,ip,subreddit,gildings,link,parent,body,media\n"
            b"a1,p,2024-02-14 10:00:00 UTC,0.0.0.0,r/AskReddit,0,l,t3_x,Pancakes.,\n"
            b"a2,p,not a date,0.0.0.0,AskReddit,0,l,t3_x,x,\n"
            b"a3,p,2024-02-14 10:00:00 UTC,0.0.0.0,not a sub!,0,l,t3_x,x,\n"
        }
    )
    [res] = reddit.read(fs)
    assert [(r.name, r.status, len(r.contributions)) for r in res.records] == [("r/AskReddit", None, 1)]


def test_subreddit_name():
    assert reddit.subreddit_name("/r/Python/") == "Python"
    assert reddit.subreddit_name("r/rust") == "rust"
    assert reddit.subreddit_name("two words") is None


def test_not_reddit():
    fs = FileSet.from_bytes({"a.csv": b"name,url\nx,y\n", "b.csv": b"\xff\xfe\x00"})
    assert reddit.read(fs) == []
