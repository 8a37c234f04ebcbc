"""SecretStore's refusals and time limit with in-process keyring backends (the real one is in integration)."""

from __future__ import annotations

import logging
import threading
import time

import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.compat import properties

from groupdesk.errors import UserError
from groupdesk.mail.secrets import SecretStore, SecretStoreUnavailable

PASSWORD = "Unit-secret-4411"


class MemoryKeyring(KeyringBackend):
    """A working in-memory backend, never picked by keyring's own detection (not viable)."""

    @properties.classproperty
    def priority(cls) -> float:
        # keyring registers every backend subclass; raising here keeps these out of detection,
        # so they cannot leak into other tests that rely on the detected default.
        raise RuntimeError("test backend")

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


class PlaintextKeyring(MemoryKeyring):
    """Stands in for keyrings.alt's plaintext file backend (same dotted name)."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class BlockingKeyring(MemoryKeyring):
    """Blocks like a D-Bus call that never returns, until released."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def get_password(self, service, username):
        self.release.wait(30)
        return None

    def set_password(self, service, username, password):
        self.release.wait(30)


class LeakyKeyring(MemoryKeyring):
    """Fails with the password in its error text (a badly written backend)."""

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError(f"could not store {password!r}")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def test_memory_round_trip():
    store = SecretStore(MemoryKeyring())
    assert store.status().ok
    assert store.get_password("Work") is None
    store.set_password("Work", PASSWORD)
    assert store.get_password("Work") == PASSWORD
    assert store.delete_password("Work") is True
    assert store.delete_password("Work") is False
    assert store.get_password("Work") is None


def test_fail_backend_is_no_backend():
    store = SecretStore(keyring.backends.fail.Keyring())
    status = store.status()
    assert status.state == "no_backend"
    assert "never stores passwords in plain text" in status.message
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set_password("Work", PASSWORD)
    assert info.value.reason == "no_backend"
    assert isinstance(info.value, UserError)
    assert PASSWORD not in str(info.value)


def test_plaintext_backend_is_refused():
    backend = PlaintextKeyring()
    store = SecretStore(backend)
    assert store.status().state == "no_backend"
    with pytest.raises(SecretStoreUnavailable):
        store.set_password("Work", PASSWORD)
    assert backend.items == {}


def test_chainer_skips_plaintext_and_uses_the_safe_backend():
    safe, plain = MemoryKeyring(), PlaintextKeyring()

    class Chain(ChainerBackend):
        viable = False  # keep this test chain out of keyring's own detection
        backends = [plain, safe]  # even if plain text were ranked first

    class PlainChain(ChainerBackend):
        viable = False
        backends = [plain]

    store = SecretStore(Chain())
    store.set_password("Work", PASSWORD)
    assert safe.items and not plain.items
    assert SecretStore(PlainChain()).status().state == "no_backend"


def test_locked_backend():
    store = SecretStore(LockedKeyring())
    assert store.status().state == "locked"
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set_password("Work", PASSWORD)
    assert info.value.reason == "locked"
    assert "locked" in info.value.message


def test_a_call_that_never_answers_times_out():
    backend = BlockingKeyring()
    store = SecretStore(backend, timeout=0.3)
    started = time.monotonic()
    try:
        status = store.status()
        assert status.state == "error"
        assert "did not answer" in status.message
        with pytest.raises(SecretStoreUnavailable) as info:
            store.set_password("Work", PASSWORD)
        assert info.value.reason == "error"
        assert time.monotonic() - started < 5
    finally:
        backend.release.set()


def test_password_never_in_errors_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    store = SecretStore(LeakyKeyring())
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set_password("Work", PASSWORD)
    assert info.value.reason == "error"
    assert "PasswordSetError" in info.value.message
    assert PASSWORD not in str(info.value)
    assert info.value.__cause__ is None
    assert PASSWORD not in caplog.text


def test_empty_inputs_are_refused():
    store = SecretStore(MemoryKeyring())
    with pytest.raises(UserError):
        store.set_password("", PASSWORD)
    with pytest.raises(UserError):
        store.set_password("Work", "")
