"""``mail_sync_20k_ratio``: a first mail sync of a 20,000-message folder vs the bare IMAP floor.

Measured side: what Sync mail does for a new account on a real, private Dovecot (TLS, certificate
checked) — connect, log in, EXAMINE, SEARCH SINCE the look-back date, FETCH the sync's header
fields in chunks, parse them (``mail.imap.fetch_new``), classify every message (on a second thread
while the next chunk is fetched, as the window does) and store the invitations (200 here, as
``invited`` groups with Invite rows), the list traffic, the seen Message-IDs and the folder state
in one transaction (``store.mail_store.sync_account``, the code path of ``groupdesk mail sync``).

Floor: on the same server and connection settings, imapclient alone: connect, log in, EXAMINE,
one ``SEARCH ALL`` and a header FETCH of the same fields for every message, nothing parsed or
stored. imapclient cannot FETCH 20,000 UIDs in one command on Dovecot (the command line is too
long), so the floor fetches in chunks of 500 UIDs, exactly as the sync does.

The folder: 20,000 messages (200 invitations from LinkedIn, Facebook, Slack, Discord and Meetup,
about 70% list mail on 60 lists with List-Id and List-Unsubscribe, the rest personal mail) over
300 days, written straight into the Maildir and indexed by Dovecot before timing. Each side runs
5 times, interleaved, the sync each time into a fresh data folder; the ratio is of the medians.
Goal (issue 5): at most 2.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from benchmarks._common import REPO, note

COUNT = 20_000
INVITATIONS = 200
REPEAT = 5
CHUNK = 500

_PEOPLE = (
    "Anna Berg",
    "Jonas Lind",
    "Peter Müller",
    "Søren Ørsted",
    "Mia Jensen",
    "Karl Novak",
    "Ines Costa",
)
_INVITES = (
    ("LinkedIn <invitations@linkedin.com>", "{person} invited you to join {group}"),
    ("Facebook <notification@facebookmail.com>", "{person} invited you to join the group {group}"),
    ("Slack <feedback@slack.com>", "{person} has invited you to join the {group} workspace on Slack"),
    ("Discord <noreply@discord.com>", "You've been invited to join {group}"),
    ("{group} <info@meetup.com>", "You're invited to join {group}"),
)


def mail_fixtures():
    """The test suite's Dovecot helpers (``tests/integration/mail_fixtures.py``)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.integration import mail_fixtures as fixtures

    return fixtures


@contextlib.contextmanager
def running_dovecot() -> Iterator[object]:
    """A private Dovecot on free loopback ports (as in the tests); killed and removed afterwards."""
    if os.geteuid() != 0:
        raise RuntimeError("the private Dovecot runs as root (its mail processes drop to uid 65534)")
    fixtures = mail_fixtures()
    root = Path(tempfile.mkdtemp(prefix="gd-bench-dovecot-"))
    server = fixtures.Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


def message(i: int, rng: random.Random, when: datetime, invitation: bool, lists: int = 60) -> bytes:
    """One realistic message: an invitation, list mail (about 70%), or personal mail."""
    if invitation:
        sender, subject = _INVITES[i % len(_INVITES)]
        group = f"{rng.choice(('Python', 'Chess', 'Cyclists', 'Founders', 'Jazz'))} Circle {i % 97}"
        lines = [
            f"From: {sender.format(group=group)}",
            f"Subject: {subject.format(person=rng.choice(_PEOPLE), group=group)}",
        ]
    elif rng.random() < 0.7:
        n = rng.randrange(lists)
        lines = [
            f'From: "Poster {i % 300}" <poster{i % 300}@example.net>',
            f"Subject: =?UTF-8?B?UmU6IFRo4oCmIHRvcGlj?= {i}",
            f"List-Id: List number {n} <list{n}.lists.example.org>",
            f"List-Unsubscribe: <mailto:list{n}-leave@lists.example.org>, <https://lists.example.org/u/{n}>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            "Precedence: list",
        ]
    else:
        lines = [f"From: Friend {i % 50} <friend{i % 50}@example.com>", f"Subject: About Thursday {i}"]
    lines += [
        "To: alice@example.com",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <bench-{i}-{rng.getrandbits(32):08x}@example.net>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    return ("\r\n".join(lines) + f"\r\n\r\nHello, this is message {i}.\r\n").encode()


def fill_maildir(server, count: int, invitations: int, seed: int = 20261125, user: str = "alice") -> None:
    """Write ``count`` messages (``invitations`` of them invitations) straight into ``user``'s INBOX."""
    uid = mail_fixtures().MAIL_UID
    server.client(user).logout()  # the first login creates the Maildir
    maildir = server.root / "mail" / user / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    invite_at = set(rng.sample(range(count), invitations))
    for i in range(count):
        when = now - timedelta(days=300 * (count - i) / count, minutes=rng.randrange(60))
        path = maildir / "cur" / f"{int(when.timestamp())}.M{i}P{os.getpid()}.bench:2,S"
        path.write_bytes(message(i, rng, when, i in invite_at))
        os.utime(path, (when.timestamp(), when.timestamp()))  # the arrival date SEARCH SINCE sees
        os.chown(path, uid, uid)
    for sub in ("", "cur", "new", "tmp"):
        os.chown(maildir / sub, uid, uid)


def floor(server, password: str) -> int:
    """imapclient alone: SEARCH ALL, then FETCH the same header fields of every message in chunks."""
    from imapclient import IMAPClient

    from groupdesk.mail.imap import _FETCH_ITEM

    client = IMAPClient(
        server.host, server.imaps_port, ssl=True, ssl_context=server.ssl_context(), timeout=60
    )
    client.login("alice", password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search(["ALL"])
    fetched = 0
    for i in range(0, len(uids), CHUNK):
        fetched += len(client.fetch(uids[i : i + CHUNK], [_FETCH_ITEM]))
    client.logout()
    return fetched


def first_sync(server, password: str, data_dir: Path):
    """Sync mail for a new account in a fresh data folder; returns (summary, seconds of the sync)."""
    from groupdesk.app import open_store
    from groupdesk.mail import classify
    from groupdesk.store import mail_store
    from groupdesk.store.db import close_db

    open_store(data_dir)
    try:
        config = server.account(name="Bench")
        mail_store.save_account(
            {
                "name": "Bench",
                "host": config.host,
                "port": config.port,
                "user": "alice",
                "cafile": config.cafile,
            }
        )
        for parser in (classify.decode_words, classify.parse_address, classify.parse_list_id,
                       classify.parse_unsubscribe):  # fmt: skip
            parser.cache_clear()  # as cold as a first sync in a new process
        start = time.perf_counter()
        summary = mail_store.sync_account("Bench", password)
        elapsed = time.perf_counter() - start
    finally:
        close_db()
    if summary.error is not None:
        raise RuntimeError(summary.error.message)
    return summary, elapsed


def run() -> float:
    """Median first-sync time divided by the median floor time."""
    fixtures = mail_fixtures()
    with running_dovecot() as server, tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        fill_maildir(server, COUNT, INVITATIONS)
        assert floor(server, fixtures.PASSWORD) == COUNT  # Dovecot indexes and caches (untimed)
        note(f"wrote and indexed {COUNT:,} messages in {time.perf_counter() - start:.1f} s")
        ours_times, floor_times = [], []
        summary = None
        for n in range(REPEAT):
            t = time.perf_counter()
            fetched = floor(server, fixtures.PASSWORD)
            floor_times.append(time.perf_counter() - t)
            assert fetched == COUNT
            summary, elapsed = first_sync(server, fixtures.PASSWORD, Path(tmp) / f"data{n}")
            ours_times.append(elapsed)
    assert summary is not None and summary.fetched == COUNT
    assert len(summary.invitations) == INVITATIONS, len(summary.invitations)
    ours_t, floor_t = statistics.median(ours_times), statistics.median(floor_times)
    note(
        f"first sync: {ours_t:.2f} s ({len(summary.invitations)} invitations, "
        f"{summary.list_messages:,} list messages in {len(summary.lists)} lists); "
        f"SEARCH ALL + chunked header FETCH: {floor_t:.2f} s (medians of {REPEAT})"
    )
    return ours_t / floor_t
