"""``mail_resync_commands``: IMAP commands a second sync sends after login when no mail is new.

A private Dovecot holds the sample mail (invitations, list mail, noise) plus 500 more list
messages. A new account syncs once (fetch + store, as Sync mail does), then syncs again with
nothing new. Every tagged command the second sync writes to the socket after LOGIN is counted at
the ``imaplib`` level (independently of GroupDesk's own counter, which must agree). The second
sync needs only EXAMINE (whose UIDNEXT shows nothing is new) and LOGOUT. Goal (issue 5): at most 3.
"""

from __future__ import annotations

import imaplib
import re
import tempfile
from pathlib import Path

from benchmarks._common import note
from benchmarks.mail_sync_20k_ratio import mail_fixtures, running_dovecot

_TAGGED = re.compile(rb"^[A-Z]+\d+ ([A-Z]+)")


def run() -> float:
    """How many IMAP commands the no-news sync sent after logging in."""
    from groupdesk.app import open_store
    from groupdesk.mail.imap import fetch_new
    from groupdesk.store import mail_store
    from groupdesk.store.db import close_db

    fixtures = mail_fixtures()
    sent: list[str] = []
    original = imaplib.IMAP4.send

    def counting_send(imap: imaplib.IMAP4, data: bytes) -> None:
        match = _TAGGED.match(bytes(data))
        if match:
            sent.append(match.group(1).decode())
        return original(imap, data)

    with running_dovecot() as server, tempfile.TemporaryDirectory() as tmp:
        server.load_corpus()
        server.append(
            "INBOX", [fixtures.synthetic_message(i, list_id="busy.lists.example.org") for i in range(500)]
        )
        open_store(Path(tmp) / "data")
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

            def sync():
                info = mail_store.get_account("Bench")
                batch = fetch_new(info.config(), fixtures.PASSWORD, info.folder_state)
                return batch, mail_store.apply_sync("Bench", batch, mail_store.classifier())

            _first, summary = sync()
            assert summary.complete and summary.fetched > 500
            imaplib.IMAP4.send = counting_send
            try:
                batch, again = sync()
            finally:
                imaplib.IMAP4.send = original
        finally:
            close_db()
    after_login = sent[sent.index("LOGIN") + 1 :]
    assert again.complete and again.fetched == 0
    assert batch.commands == len(after_login), (batch.commands, after_login)
    note(f"first sync read {summary.fetched} messages; the second sent after LOGIN: {' '.join(after_login)}")
    return float(len(after_login))
