"""``groupdesk mail …`` as a user runs it, against a private Dovecot and GNOME Keyring.

The last check of the full run greps every file the program wrote (database, WAL, log) and all
of its output for the password: it must be nowhere but in the keyring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from groupdesk.mail.secrets import SecretStore
from tests.integration.mail_fixtures import (  # noqa: F401  (fixtures)
    PASSWORD,
    Dovecot,
    corpus_files,
    dovecot_fixture,
    keyring_service_fixture,
    synthetic_message,
)

REPO = Path(__file__).resolve().parents[2]


class Cli:
    """Runs the CLI and keeps every byte it printed."""

    def __init__(self, run_cli) -> None:
        self.run_cli = run_cli
        self.output: list[str] = []

    def __call__(self, *args: str, input: str | None = None, code: int = 0) -> subprocess.CompletedProcess:
        result = self.run_cli("-v", *args, input=input)
        self.output += [result.stdout, result.stderr]
        assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
        return result


def add(cli: Cli, server: Dovecot, name: str, password: str = PASSWORD, *extra: str, code: int = 0):
    return cli(
        "mail", "add", name, "--host", server.host, "--port", str(server.imaps_port), "--user", "alice",
        *extra, "--password-stdin", input=password + "\n", code=code,
    )  # fmt: skip


def test_full_cli_sync_and_the_password_is_nowhere(run_cli, store, dovecot, keyring_service, data_dir):
    dovecot.load_corpus()
    cli = Cli(run_cli)
    out = add(cli, dovecot, "Work", PASSWORD, "--cafile", str(dovecot.cafile), "--folder", "INBOX").stdout
    assert f"Added mail account Work (alice on 127.0.0.1:{dovecot.imaps_port}, SSL/TLS; folders INBOX)" in out
    assert SecretStore().get_password("Work") == PASSWORD

    assert "Connection works. INBOX: 23 messages." in cli("mail", "test", "Work").stdout
    listed = json.loads(cli("mail", "list", "--format", "json").stdout)
    assert [(a["name"], a["port"], a["last_sync_at"]) for a in listed] == [("Work", dovecot.imaps_port, None)]
    assert "password" not in json.dumps(listed).lower()

    sync = cli("mail", "sync").stdout
    assert "Work: 23 new messages" in sync
    assert f"Invitations: {len(corpus_files('invite_'))}" in sync
    assert "Python Developers Danmark (LinkedIn) from Søren Ørsted, personal" in sync
    assert "Pixel Art Club (Discord), not personal" in sync
    assert "Board Games Oost <boardgames.lists.example.org>: 1 message" in sync
    assert "Discovered lists (mail you get, no group yet): 2" in sync
    assert "project-announce <project-announce.lists.example.com>: 1 message" in sync
    assert "Work: 0 new messages" in cli("mail", "sync", "Work").stdout

    assert (
        "Added 1 group from 1 discovered list."
        in cli("mail", "discovered", "--add", "project-announce.lists.example.com").stdout
    )
    assert "Ignored 1 list" in cli("mail", "discovered", "--ignore", "meetup:copenhagen tech meetup").stdout
    assert "Discovered lists (mail you get, no group yet): 0" in cli("mail", "discovered").stdout
    cli("mail", "discovered", "--add", "nope.example.org", code=2)
    groups = {g["name"]: g for g in json.loads(cli("list", "--format", "json").stdout)}
    assert groups["project-announce"]["status"] == "member"
    assert groups["Python Developers Danmark"]["status"] == "invited"
    assert groups["Python Developers Danmark"]["invited_by"] == "Søren Ørsted"
    assert groups["hikers-nord"]["emails_per_week"] is not None
    assert "last sync" in cli("mail", "list").stdout

    # faults: each one sentence on stderr, exit 2, nothing else broken
    add(cli, dovecot, "Wrong", "not-" + PASSWORD, "--cafile", str(dovecot.cafile))
    wrong = cli("mail", "sync", "Wrong", code=2)
    assert "groupdesk: Wrong: Login failed: The server rejected the login for user 'alice'" in wrong.stderr
    add(cli, dovecot, "NoCA", PASSWORD)
    untrusted = cli("mail", "sync", "NoCA", code=2).stderr
    assert "groupdesk: NoCA: Untrusted certificate: The certificate of 127.0.0.1 is not trusted" in untrusted
    everything = cli("mail", "sync", code=2)
    assert "Work: 0 new messages" in everything.stdout  # the good account still syncs
    assert "Login failed" in everything.stderr and "Untrusted certificate" in everything.stderr
    assert "Removed mail account Wrong." in cli("mail", "remove", "Wrong").stdout
    assert SecretStore().get_password("Wrong") is None
    cli("mail", "remove", "Wrong", code=2)

    # the password is in the keyring and nowhere else
    written = [p for p in data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"groupdesk.db", "groupdesk.log"}
    assert "Stored the password of mail account Work" in (data_dir / "groupdesk.log").read_text()
    secret = PASSWORD.encode()
    for path in written:
        assert secret not in path.read_bytes(), path
    for text in cli.output:
        assert PASSWORD not in text
    keyring_files = list((keyring_service.root / "home").rglob("*.keyring"))
    assert keyring_files and all(secret not in p.read_bytes() for p in keyring_files)


def test_add_refuses_without_a_safe_place_for_the_password(run_cli, store, tmp_path, data_dir):
    cli = Cli(run_cli)
    missing = cli("mail", "add", "X", "--host", "imap.example.org", "--user", "u", code=2)
    assert "--password-stdin" in missing.stderr and "never taken from the command line" in missing.stderr
    plain = cli("mail", "add", "X", "--host", "imap.example.org", "--user", "u", "--security", "plain",
                "--password-stdin", input="pw\n", code=2)  # fmt: skip
    assert "only allowed to this computer" in plain.stderr

    # no D-Bus session at all: no keyring, and then no account either
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "PYTHON_KEYRING"))}
    env.update(
        HOME=str(home), PYTHONPATH=str(REPO), XDG_RUNTIME_DIR=str(tmp_path), QT_QPA_PLATFORM="offscreen"
    )
    result = subprocess.run(
        [sys.executable, "-m", "groupdesk", "--data-dir", str(data_dir), "mail", "add", "X",
         "--host", "imap.example.org", "--user", "u", "--password-stdin"],
        input="Secret-123\n", capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "No system keyring is available" in result.stderr and "plain text" in result.stderr
    assert "Secret-123" not in result.stdout + result.stderr
    assert "No mail accounts" in cli("mail", "list").stdout
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"Secret-123" not in path.read_bytes()
