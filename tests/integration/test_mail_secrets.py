"""SecretStore against GNOME Keyring's real Secret Service on a private D-Bus, and without one."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mail_fixtures import (  # noqa: F401  (keyring_service_fixture provides the keyring_service fixture)
    SecretServiceSession,
    fresh_keyring_detection,
    keyring_service_fixture,
    secret_service,
)

from groupdesk.mail.secrets import SecretStore, SecretStoreUnavailable

REPO = Path(__file__).resolve().parents[2]
PASSWORD = 'Kr-Pässwörd "q" 5521'


def lock_default_collection() -> None:
    """Lock the keyring the way a screen lock or a user would (not through GroupDesk)."""
    import secretstorage

    connection = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(connection)
        collection.lock()
        assert collection.is_locked()
    finally:
        connection.close()


def test_round_trip_in_gnome_keyring(keyring_service: SecretServiceSession, caplog):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(timeout=10)
    status = store.status()
    assert status.state == "ok", status.message
    assert status.backend == "keyring.backends.SecretService.Keyring"
    assert "Secret Service" in status.message

    assert store.get_password("Work") is None
    store.set_password("Work", PASSWORD)
    store.set_password("Club", "other-pw")
    assert store.get_password("Work") == PASSWORD
    store.set_password("Work", PASSWORD + "2")  # replacing keeps one entry
    assert store.get_password("Work") == PASSWORD + "2"
    assert store.delete_password("Work") is True
    assert store.get_password("Work") is None
    assert store.delete_password("Work") is False
    assert store.get_password("Club") == "other-pw"
    assert PASSWORD not in caplog.text


def test_stored_in_the_keyring_file_not_in_plain_text(keyring_service: SecretServiceSession):
    store = SecretStore(timeout=10)
    store.set_password("Work", PASSWORD)
    keyrings = keyring_service.root / "home" / ".local" / "share" / "keyrings"
    files = list(keyrings.glob("*.keyring"))
    assert files, "gnome-keyring wrote no keyring file"
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes()


def test_another_process_reads_it_through_the_same_module(keyring_service: SecretServiceSession):
    SecretStore(timeout=10).set_password("Work", PASSWORD)
    code = (
        "import json; from groupdesk.mail.secrets import SecretStore; s = SecretStore(timeout=10); "
        "print(json.dumps([s.status().state, s.get_password('Work') == " + repr(PASSWORD) + "]))"
    )
    env = keyring_service.env
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["ok", True]
    assert PASSWORD not in result.stdout + result.stderr


def test_locked_keyring_says_so(keyring_service: SecretServiceSession):
    store = SecretStore(timeout=10)
    store.set_password("Work", PASSWORD)
    lock_default_collection()
    status = store.status()
    assert status.state == "locked"
    assert "locked" in status.message.lower()
    for call in (lambda: store.get_password("Work"), lambda: store.set_password("Work", PASSWORD)):
        with pytest.raises(SecretStoreUnavailable) as info:
            call()
        assert info.value.reason == "locked"
        assert PASSWORD not in str(info.value)


def test_keyring_that_stops_answering_times_out(keyring_service: SecretServiceSession):
    store = SecretStore(timeout=1.0)
    assert store.status().ok
    daemon = keyring_service.keyring_daemon
    assert daemon is not None
    os.kill(daemon.pid, signal.SIGSTOP)  # D-Bus calls to it now hang
    try:
        started = time.monotonic()
        status = store.status()
        assert time.monotonic() - started < 5
        assert status.state == "error"
        assert "did not answer" in status.message
        with pytest.raises(SecretStoreUnavailable) as info:
            store.set_password("Work", PASSWORD)
        assert info.value.reason == "error"
    finally:
        os.kill(daemon.pid, signal.SIGCONT)


def test_secret_service_gone_is_a_dbus_error(keyring_service: SecretServiceSession):
    store = SecretStore(timeout=10)
    assert store.status().ok
    keyring_service.stop_keyring()
    status = store.status()
    assert status.state == "error"
    assert "D-Bus" in status.message
    with pytest.raises(SecretStoreUnavailable) as info:
        store.get_password("Work")
    assert info.value.reason == "error"


def test_no_backend_without_any_session_bus(tmp_path: Path):
    """A fresh process with no D-Bus session detects no keyring and refuses, plainly."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBUS_", "XDG_", "PYTHON_KEYRING"))}
    env.update(HOME=str(home), PYTHONPATH=str(REPO), XDG_RUNTIME_DIR=str(tmp_path))
    code = (
        "import json\n"
        "from groupdesk.mail.secrets import SecretStore, SecretStoreUnavailable\n"
        "s = SecretStore(timeout=10)\n"
        "st = s.status()\n"
        "try:\n"
        "    s.set_password('Work', " + repr(PASSWORD) + ")\n"
        "    outcome = 'stored'\n"
        "except SecretStoreUnavailable as e:\n"
        "    outcome = e.reason + ': ' + e.message\n"
        "print(json.dumps([st.state, st.message, outcome]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    state, message, outcome = json.loads(result.stdout)
    assert state == "no_backend"
    assert "plain text" in message
    assert outcome.startswith("no_backend: ")
    assert PASSWORD not in result.stdout + result.stderr
    assert not any(PASSWORD in p.read_text(errors="ignore") for p in home.rglob("*") if p.is_file())


def test_keyring_started_without_unlock_is_not_usable(monkeypatch):
    """gnome-keyring without --unlock: no login keyring; the store reports it instead of prompting."""
    with secret_service(unlock=False) as session, fresh_keyring_detection():
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
        store = SecretStore(timeout=10)
        status = store.status()
        assert status.state in ("locked", "error"), status
        with pytest.raises(SecretStoreUnavailable):
            store.set_password("Work", PASSWORD)
