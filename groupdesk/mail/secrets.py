"""Mail passwords in the operating system's keyring — the only module that imports ``keyring``.

:class:`SecretStore` says plainly whether a usable keyring exists (``ok``, ``no_backend``,
``locked`` or ``error``) and raises :class:`SecretStoreUnavailable` naming the cause instead of
ever falling back to plain text: backends that store secrets unencrypted (``keyrings.alt``'s
plaintext file) or that would prompt on a terminal are refused. Every keyring call runs in a
helper thread with a time limit, because a D-Bus service that does not answer must not freeze
the window. Passwords never appear in exception text or log lines.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import keyring
import keyring.backend
import keyring.core
import keyring.errors
from keyring.backends.chainer import ChainerBackend

from groupdesk.errors import UserError

log = logging.getLogger(__name__)

#: The keyring "service" under which every GroupDesk mail password is filed (user = account name).
SERVICE = "GroupDesk mail"
STATES = ("ok", "no_backend", "locked", "error")
DEFAULT_TIMEOUT = 20.0
_PROBE_USER = "__groupdesk_probe__"

#: Backends that are never used: they keep nothing, keep secrets in plain text, or ask on a terminal.
_REFUSED_BACKENDS = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
        "keyrings.alt.file.EncryptedKeyring",
        "keyrings.alt.Gnome.Keyring",
    }
)

T = TypeVar("T")


class SecretStoreUnavailable(UserError):
    """The keyring cannot be used right now; ``reason`` is ``no_backend``, ``locked`` or ``error``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class StoreStatus:
    """The keyring's state and a sentence for the user."""

    state: str
    message: str
    backend: str = ""

    @property
    def ok(self) -> bool:
        """True when passwords can be stored and read."""
        return self.state == "ok"


_NO_BACKEND_MESSAGE = (
    "No system keyring is available, so GroupDesk cannot store the mail password safely. "
    "Install and start a Secret Service keyring (for example GNOME Keyring or KWallet) and try "
    "again. GroupDesk never stores passwords in plain text."
)
_LOCKED_MESSAGE = (
    "The system keyring is locked. Unlock it (usually by logging in to your desktop session, "
    "or in your keyring manager) and try again."
)


def _backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _refused(backend: object) -> bool:
    return _backend_name(backend) in _REFUSED_BACKENDS or _backend_name(backend).startswith(
        "keyrings.alt.file."
    )


def _pick_backend(candidate: Any) -> Any | None:
    """The backend to use: the candidate, or the best acceptable one inside a chainer; None if none."""
    if isinstance(candidate, ChainerBackend):
        usable = [b for b in candidate.backends if not _refused(b)]
        return usable[0] if usable else None
    if _refused(candidate):
        return None
    return candidate


_DETECT_LOCK = threading.Lock()


def _detect_again() -> Any:
    """Run keyring's backend detection again (it caches its first answer for the process).

    Without this, a keyring daemon that starts after GroupDesk would never be found, and "Try
    again" in the settings could not succeed.
    """
    with _DETECT_LOCK:
        reset = getattr(getattr(keyring.backend, "get_all_keyring", None), "reset", None)
        if callable(reset):
            with contextlib.suppress(KeyError):
                reset()
        keyring.core.init_backend()
        return keyring.get_keyring()


def _close_leaked_connections(exc: BaseException) -> None:
    """Close D-Bus connections a failed keyring call left open, then drop the failed frames.

    keyring's Secret Service backend opens a connection per call and does not close it when the
    collection is locked or missing; left to the garbage collector that leaks a socket per try.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        tb = current.__traceback__
        while tb is not None:
            for value in list(tb.tb_frame.f_locals.values()):
                close = getattr(value, "close", None)
                if type(value).__module__.startswith("jeepney") and callable(close):
                    with contextlib.suppress(Exception):
                        close()
            tb = tb.tb_next
        if current.__traceback__ is not None:
            traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def _scrub(text: str, secret: str | None) -> str:
    if secret:
        text = text.replace(secret, "***")
    return text


class SecretStore:
    """Store, read and delete mail passwords in the OS keyring, with clear failures.

    Args:
        backend: a keyring backend to use instead of the detected default (tests, or a user's
            explicit choice). Refused kinds (plain text, fail, null) raise at first use.
        timeout: seconds to wait for any single keyring call before giving up.
        service: the keyring service name under which passwords are filed.
    """

    def __init__(
        self, backend: Any | None = None, timeout: float = DEFAULT_TIMEOUT, service: str = SERVICE
    ) -> None:
        self._explicit = backend
        self.timeout = timeout
        self.service = service

    # -- plumbing

    def _backend(self) -> Any:
        try:
            if self._explicit is not None:
                backend = _pick_backend(self._explicit)
            else:
                backend = _pick_backend(keyring.get_keyring())
                if backend is None:
                    backend = _pick_backend(_detect_again())
        except Exception as exc:  # detection itself can fail on a broken D-Bus
            raise SecretStoreUnavailable(
                "error", f"The system keyring could not be reached: {type(exc).__name__}."
            ) from None
        if backend is None:
            raise SecretStoreUnavailable("no_backend", _NO_BACKEND_MESSAGE)
        return backend

    def _call(self, what: str, func: Callable[[Any], T], secret: str | None = None) -> T:
        """Run ``func(backend)`` in a helper thread; translate its failure; give up after ``timeout``.

        Backend detection runs in the thread too: it talks to D-Bus and may block as well.
        """
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                backend = self._backend()
                outcome["backend"] = backend
                outcome["value"] = func(backend)
            except BaseException as exc:  # handed to the calling thread below
                _close_leaked_connections(exc)
                outcome["error"] = exc

        worker = threading.Thread(target=run, name=f"keyring-{what}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            log.warning("Keyring call %s did not answer within %.0f s", what, self.timeout)
            raise SecretStoreUnavailable(
                "error",
                f"The system keyring did not answer within {self.timeout:.0f} seconds "
                "(it may be waiting for an unlock prompt, or D-Bus is stuck). Try again.",
            )
        if "error" in outcome:
            raise self._translate(outcome["error"], secret) from None
        return outcome.get("value")  # type: ignore[return-value]

    @staticmethod
    def _translate(exc: BaseException, secret: str | None) -> SecretStoreUnavailable:
        if isinstance(exc, SecretStoreUnavailable):
            return exc
        if isinstance(exc, keyring.errors.NoKeyringError):
            return SecretStoreUnavailable("no_backend", _NO_BACKEND_MESSAGE)
        if isinstance(exc, keyring.errors.KeyringLocked):
            return SecretStoreUnavailable("locked", _LOCKED_MESSAGE)
        detail = _scrub(str(exc), secret).strip()[:200]
        kind = type(exc).__name__
        if isinstance(exc, keyring.errors.InitError):
            message = f"The system keyring service did not respond over D-Bus ({detail or kind})."
        else:
            message = (
                f"The system keyring reported an error ({kind}: {detail})."
                if detail
                else (f"The system keyring reported an error ({kind}).")
            )
        log.info("Keyring error: %s", kind)
        return SecretStoreUnavailable("error", message)

    # -- public API

    def status(self) -> StoreStatus:
        """Check the keyring without changing it: ``ok``, ``no_backend``, ``locked`` or ``error``.

        Reading an entry that does not exist is the probe, so a locked keyring shows as locked
        (on a desktop this may bring up the unlock prompt).
        """

        def probe(backend: Any) -> str:
            backend.get_password(self.service, _PROBE_USER)
            return _backend_name(backend)

        try:
            name = self._call("status", probe)
        except SecretStoreUnavailable as exc:
            return StoreStatus(exc.reason, exc.message)
        return StoreStatus("ok", f"Passwords are kept in the system keyring ({_friendly(name)}).", name)

    def set_password(self, account: str, password: str) -> None:
        """Store the password of mail account ``account`` (replacing any earlier one)."""
        if not account:
            raise UserError("A mail account needs a name before its password can be stored.")
        if not password:
            raise UserError("The password is empty; nothing was stored.")
        self._call("set", lambda backend: backend.set_password(self.service, account, password), password)
        log.info("Stored the password of mail account %s in the keyring", account)

    def get_password(self, account: str) -> str | None:
        """The stored password of ``account``, or None when none is stored."""
        value = self._call("get", lambda backend: backend.get_password(self.service, account))
        return value if value else None

    def delete_password(self, account: str) -> bool:
        """Remove the password of ``account``; False when there was none."""

        def delete(backend: Any) -> bool:
            try:
                backend.delete_password(self.service, account)
            except keyring.errors.PasswordDeleteError:
                return False
            return True

        removed = self._call("delete", delete)
        if removed:
            log.info("Removed the password of mail account %s from the keyring", account)
        return bool(removed)


def _friendly(name: str) -> str:
    known = {
        "keyring.backends.SecretService.Keyring": "Secret Service",
        "keyring.backends.kwallet.DBusKeyring": "KWallet",
        "keyring.backends.macOS.Keyring": "macOS Keychain",
        "keyring.backends.Windows.WinVaultKeyring": "Windows Credential Manager",
        "keyring.backends.libsecret.Keyring": "libsecret",
    }
    return known.get(name, name.rsplit(".", 2)[-2] if "." in name else name)
