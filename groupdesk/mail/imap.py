"""IMAP access for mail sync: test a connection, fetch new message headers incrementally.

A thin, careful wrapper over imapclient. Everything here is plain Python (no Qt, no database):
the caller passes a :class:`MailAccountConfig`, the password (from :mod:`groupdesk.mail.secrets`)
and the per-folder sync state it saved last time, and gets back parsed header blocks plus the new
state. The caller stores messages and state together, so a sync that stops half-way (dropped
connection, cancel) resumes with nothing lost and nothing doubled.

Security: certificates are always verified (``ssl.create_default_context(cafile=...)``; the
stdlib's ``imaplib.IMAP4_SSL`` without a context would not verify), STARTTLS is required when chosen,
plain text is only allowed to the local machine and only when explicitly chosen. Every failure
becomes one :class:`MailError` with a sentence for the user; the password never appears in any
message or log line written here.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import imaplib
import logging
import re
import socket
import ssl
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from imapclient import IMAPClient, SocketTimeout
from imapclient import exceptions as imap_exceptions

from groupdesk.errors import UserError

log = logging.getLogger(__name__)

SECURITY_CHOICES: tuple[str, ...] = ("ssl", "starttls", "plain")
DEFAULT_PORTS: dict[str, int] = {"ssl": 993, "starttls": 143, "plain": 143}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})

#: The header fields fetched for every message (never the body).
HEADER_FIELDS: tuple[str, ...] = (
    "From",
    "Sender",
    "Subject",
    "Date",
    "Message-ID",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "List-Post",
    "Precedence",
    "Auto-Submitted",
    "X-Google-Group-Id",
    "Mailing-List",
    "X-Discourse-Post-Id",
)
_FETCH_ITEM = ("BODY.PEEK[HEADER.FIELDS (" + " ".join(f.upper() for f in HEADER_FIELDS) + ")]").encode()

#: Messages per UID FETCH command.
DEFAULT_CHUNK_SIZE = 500

#: Kinds of :class:`MailError`, each with a short title a dialog can show above the message.
ERROR_KINDS: dict[str, str] = {
    "config": "Account settings",
    "dns": "Server not found",
    "refused": "Connection refused",
    "unreachable": "Network unreachable",
    "timeout": "No answer",
    "certificate": "Untrusted certificate",
    "tls": "Encryption failed",
    "login": "Login failed",
    "folder": "Folder missing",
    "connection": "Connection lost",
    "protocol": "Server error",
}

FolderState = tuple[int, int]
"""(UIDVALIDITY, last UID considered) for one folder."""


class MailError(UserError):
    """A mail operation failed; ``kind`` is a key of :data:`ERROR_KINDS`, ``message`` a sentence.

    The message is written for the user and never contains the password.
    """

    def __init__(self, kind: str, message: str, folder: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.folder = folder

    @property
    def title(self) -> str:
        """A two- or three-word heading for the kind of failure."""
        return ERROR_KINDS.get(self.kind, "Mail error")

    def __repr__(self) -> str:
        return f"MailError({self.kind!r}, {self.message!r})"


@dataclass(frozen=True, kw_only=True)
class MailAccountConfig:
    """Everything needed to reach one mailbox, except the password (that lives in the keyring)."""

    name: str
    host: str
    user: str
    port: int | None = None
    security: str = "ssl"
    folders: tuple[str, ...] = ("INBOX",)
    cafile: str | None = None
    look_back_days: int = 365
    connect_timeout: float = 15.0
    read_timeout: float = 60.0

    def __post_init__(self) -> None:
        folders = self.folders
        if isinstance(folders, str):
            folders = (folders,)
        object.__setattr__(self, "folders", tuple(f for f in folders if f) or ("INBOX",))
        object.__setattr__(self, "host", self.host.strip())
        object.__setattr__(self, "security", (self.security or "ssl").strip().lower())

    @property
    def effective_port(self) -> int:
        """The port to connect to: the given one or the usual one for the security mode."""
        return self.port or DEFAULT_PORTS.get(self.security, 993)

    def validate(self) -> None:
        """Raise :class:`MailError` (kind ``config``) when the settings cannot be used safely."""
        if not self.name.strip():
            raise MailError("config", "The account needs a name.")
        if not self.host:
            raise MailError("config", "The account needs a server name (host).")
        if not self.user:
            raise MailError("config", "The account needs a user name.")
        if self.security not in SECURITY_CHOICES:
            raise MailError(
                "config", f"Security must be one of ssl, starttls or plain, not {self.security!r}."
            )
        if self.security == "plain" and self.host.lower().strip("[]") not in LOCAL_HOSTS:
            raise MailError(
                "config",
                f"Unencrypted connections are only allowed to this computer (localhost), not to "
                f"{self.host}. Choose SSL/TLS or STARTTLS.",
            )
        if not 0 < self.effective_port < 65536:
            raise MailError("config", f"The port {self.effective_port} is not a valid port number.")
        if self.look_back_days < 1:
            raise MailError("config", "Look back must be at least one day.")
        if self.cafile:
            try:
                with open(self.cafile, "rb"):
                    pass
            except OSError as exc:
                raise MailError(
                    "config", f"Cannot read the CA file {self.cafile}: {exc.strerror or exc}."
                ) from None


@dataclass
class ConnectionReport:
    """The outcome of :func:`test_connection`: what worked, and the one thing that did not."""

    ok: bool
    steps: list[str] = field(default_factory=list)
    error: MailError | None = None
    folder_counts: dict[str, int] = field(default_factory=dict)
    server_folders: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One sentence for the user: the error, or a summary of success."""
        if self.error is not None:
            return self.error.message
        counts = ", ".join(f"{name}: {n} messages" for name, n in self.folder_counts.items())
        return f"Connection works. {counts}." if counts else "Connection works."


@dataclass(frozen=True)
class MailMessage:
    """The header block of one message, as fetched (no body).

    ``headers`` maps lower-case field names to the raw, unfolded value (RFC 2047 words still
    encoded; :mod:`groupdesk.mail.classify` decodes them). The server's INTERNALDATE is not
    fetched (parsing it costs ~10% of a first sync); a message without a usable Date header should
    be dated by the sync time.
    """

    folder: str
    uid: int
    headers: Mapping[str, str]

    @property
    def message_id(self) -> str | None:
        """The Message-ID with angle brackets, or None when the message has none."""
        value = self.headers.get("message-id", "").strip()
        if not value:
            return None
        start, end = value.find("<"), value.find(">")
        if 0 <= start < end:
            return value[start : end + 1]
        return f"<{value.split()[0]}>"

    @property
    def key(self) -> str:
        """A stable identity for de-duplication: the Message-ID or, lacking one, a digest of the headers."""
        mid = self.message_id
        if mid:
            return mid
        basis = "\n".join(self.headers.get(k, "") for k in ("from", "date", "subject"))
        return "<no-id-" + hashlib.sha1(basis.encode("utf-8", "replace")).hexdigest() + ">"


@dataclass
class FolderResult:
    """What happened in one folder during :func:`fetch_new`."""

    folder: str
    uidvalidity: int
    last_uid: int
    fetched: int = 0
    reset: bool = False  # UIDVALIDITY changed since the last sync: started over


@dataclass
class SyncBatch:
    """The result of :func:`fetch_new`.

    ``messages`` and ``state`` cover only folders that were fetched completely; store both in one
    transaction. ``error`` is set when the sync stopped early (the completed folders are still
    valid), ``folder_errors`` lists folders that were skipped (e.g. missing) while others went on.
    ``commands`` counts IMAP commands sent after login (for the re-sync benchmark).
    """

    messages: list[MailMessage] = field(default_factory=list)
    state: dict[str, FolderState] = field(default_factory=dict)
    folders: dict[str, FolderResult] = field(default_factory=dict)
    folder_errors: dict[str, MailError] = field(default_factory=dict)
    error: MailError | None = None
    cancelled: bool = False
    commands: int = 0

    @property
    def complete(self) -> bool:
        """True when every folder was synced without error or cancel."""
        return self.error is None and not self.cancelled and not self.folder_errors


ProgressCallback = Callable[[str, int, int], None]
"""progress(folder, done, total): messages fetched so far in that folder, out of total."""
CancelCheck = Callable[[], bool] | threading.Event | None


# ---------------------------------------------------------------------------------------------
# Error translation


def _scrub(text: str, password: str | None) -> str:
    if password:
        text = text.replace(password, "***")
    return text


def _server_text(exc: BaseException, password: str | None) -> str:
    text = str(exc).strip()
    if text.startswith(("b'", 'b"')) and text.endswith(("'", '"')):
        text = text[2:-1]
    return _scrub(text, password)[:300].rstrip(" .")


def translate_error(exc: BaseException, config: MailAccountConfig, password: str | None) -> MailError:
    """Map a low-level exception to one :class:`MailError` with a message for the user."""
    if isinstance(exc, MailError):
        return exc
    where = f"{config.host}:{config.effective_port}"
    if isinstance(exc, socket.gaierror):
        return MailError(
            "dns", f"Cannot find the server {config.host!r}: the name does not resolve (DNS lookup failed)."
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailError(
            "refused",
            f"{where} refused the connection: no mail server is listening there. Check host and port.",
        )
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return MailError("timeout", f"{where} did not answer in time. The server or the network may be down.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = getattr(exc, "verify_message", None) or "verification failed"
        hint = (
            " If this is your own server, give its CA certificate file in the account settings."
            if "self-signed" in reason or "local issuer" in reason
            else ""
        )
        return MailError("certificate", f"The certificate of {config.host} is not trusted ({reason}).{hint}")
    if isinstance(exc, ssl.SSLError):
        return MailError(
            "tls",
            f"The encrypted connection to {where} failed ({getattr(exc, 'reason', None) or exc}). "
            "Check that the port matches the security setting (SSL/TLS usually 993, STARTTLS 143).",
        )
    if isinstance(exc, imap_exceptions.LoginError):
        return MailError(
            "login",
            f"The server rejected the login for user {config.user!r}: "
            f"{_server_text(exc, password) or 'wrong user name or password'}.",
        )
    if isinstance(exc, (imaplib.IMAP4.abort, ConnectionError, EOFError)):
        return MailError("connection", f"The connection to {where} was lost. Nothing was lost; sync again.")
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
            return MailError("unreachable", f"{where} cannot be reached from this computer (no route).")
        return MailError("connection", f"Network error talking to {where}: {exc.strerror or exc}.")
    if isinstance(exc, (imap_exceptions.IMAPClientError, imaplib.IMAP4.error)):
        return MailError("protocol", f"The server answered with an error: {_server_text(exc, password)}.")
    log.debug("Unexpected mail error", exc_info=exc)
    return MailError("protocol", f"Unexpected error talking to {where}: {type(exc).__name__}.")


# ---------------------------------------------------------------------------------------------
# Connection


class _CommandCounter:
    """Counts commands sent on one connection (every command takes a new tag)."""

    def __init__(self, client: IMAPClient) -> None:
        self.count = 0
        imap = getattr(client, "_imap", None)
        original = getattr(imap, "_new_tag", None)
        if imap is None or original is None:
            self.count = -1
            return

        def counting_new_tag() -> bytes:
            if self.count >= 0:
                self.count += 1
            return original()

        imap._new_tag = counting_new_tag

    def reset(self) -> None:
        if self.count >= 0:
            self.count = 0


def _ssl_context(config: MailAccountConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.cafile or None)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def _connect(config: MailAccountConfig, steps: list[str] | None = None) -> IMAPClient:
    """Open the connection with the configured security; not yet logged in."""
    config.validate()
    timeout = SocketTimeout(connect=config.connect_timeout, read=config.read_timeout)
    port = config.effective_port
    if config.security == "ssl":
        client = IMAPClient(config.host, port, ssl=True, ssl_context=_ssl_context(config), timeout=timeout)
        if steps is not None:
            steps.append(f"Connected to {config.host}:{port} over SSL/TLS; certificate verified.")
        return client
    client = IMAPClient(config.host, port, ssl=False, timeout=timeout)
    try:
        if config.security == "starttls":
            if not client.has_capability("STARTTLS"):
                raise MailError(
                    "tls",
                    f"{config.host}:{port} does not offer STARTTLS, so the password would travel "
                    "unencrypted. Use SSL/TLS (usually port 993) instead.",
                )
            client.starttls(_ssl_context(config))
            if steps is not None:
                steps.append(f"Connected to {config.host}:{port}; STARTTLS done, certificate verified.")
        elif steps is not None:
            steps.append(f"Connected to {config.host}:{port} without encryption (local server).")
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: IMAPClient | None, logout: bool = False) -> None:
    if client is None:
        return
    if logout:
        try:
            client.logout()
            return
        except Exception:
            pass
    with contextlib.suppress(Exception):
        client.shutdown()


def _list_folder_names(client: IMAPClient) -> list[str]:
    return [name for _flags, _delim, name in client.list_folders()]


def test_connection(config: MailAccountConfig, password: str) -> ConnectionReport:
    """Connect, log in and check each configured folder; report exactly what went wrong.

    Never raises :class:`MailError`: the error is in the report.
    """
    report = ConnectionReport(ok=False)
    client: IMAPClient | None = None
    try:
        client = _connect(config, report.steps)
        client.login(config.user, password)
        report.steps.append(f"Logged in as {config.user}.")
        report.server_folders = _list_folder_names(client)
        present = {name.upper() if name.upper() == "INBOX" else name for name in report.server_folders}
        missing = []
        for folder in config.folders:
            key = "INBOX" if folder.upper() == "INBOX" else folder
            if key not in present:
                missing.append(folder)
                continue
            status = client.folder_status(folder, [b"MESSAGES"])
            report.folder_counts[folder] = int(status.get(b"MESSAGES", 0))
        if missing:
            others = ", ".join(report.server_folders[:15])
            raise MailError(
                "folder",
                f"The folder {missing[0]!r} does not exist on the server. Folders there: {others}.",
                folder=missing[0],
            )
        report.steps.append("Folders found: " + ", ".join(config.folders) + ".")
        report.ok = True
        _close(client, logout=True)
        client = None
    except Exception as exc:  # each failure becomes one clear message
        report.error = translate_error(exc, config, password)
        log.info("Mail connection test for %s failed: %s", config.name, report.error.kind)
    finally:
        _close(client)
    return report


test_connection.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name


# ---------------------------------------------------------------------------------------------
# Incremental fetch


def _cancelled(cancel: CancelCheck) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def _chunks(uids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for i in range(0, len(uids), size):
        yield uids[i : i + size]


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def parse_header_block(raw: bytes) -> dict[str, str]:
    """Parse a fetched header block into {lower-case name: unfolded raw value}.

    Raw 8-bit headers (RFC 6532) are read as UTF-8, falling back to Latin-1. When a field occurs
    more than once the first occurrence wins. (A small hand parser: the stdlib's ``email`` parser
    is several times slower and this runs once per message of a 20,000-message first sync.)
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    headers: dict[str, str] = {}
    for line in _FOLD.sub("", text).split("\n"):
        name, colon, value = line.partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        if not key or " " in key or key in headers:
            continue
        headers[key] = value.strip()
    return headers


def _header_key(item: Mapping[bytes, object]) -> bytes | None:
    for key in item:
        if isinstance(key, bytes) and key.startswith(b"BODY[HEADER"):
            return key
    return None


def _since_date(config: MailAccountConfig, now: datetime | None) -> date:
    today = (now or datetime.now(timezone.utc)).date()
    return today - timedelta(days=config.look_back_days)


def _sync_folder(
    client: IMAPClient,
    config: MailAccountConfig,
    folder: str,
    previous: FolderState | None,
    batch_messages: list[MailMessage],
    seen: set[str],
    cancel: CancelCheck,
    progress: ProgressCallback | None,
    now: datetime | None,
    chunk_size: int,
    on_messages: Callable[[Sequence[MailMessage]], None] | None = None,
) -> FolderResult | None:
    """Fetch new headers of one folder; None when cancelled before the folder was complete."""
    info = client.select_folder(folder, readonly=True)
    uidvalidity = int(info[b"UIDVALIDITY"])
    uidnext_raw = info.get(b"UIDNEXT")
    uidnext = int(uidnext_raw) if uidnext_raw is not None else None
    exists = int(info.get(b"EXISTS", 1))

    reset = previous is not None and int(previous[0]) != uidvalidity
    incremental = previous is not None and not reset
    last_uid = int(previous[1]) if incremental else 0
    result = FolderResult(folder=folder, uidvalidity=uidvalidity, last_uid=last_uid, reset=reset)
    if reset:
        log.info("UIDVALIDITY of %s changed: starting that folder over.", folder)

    if exists == 0 or (incremental and uidnext is not None and uidnext <= last_uid + 1):
        uids: list[int] = []
    elif incremental:
        uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
    else:
        uids = sorted(client.search(["SINCE", _since_date(config, now)]))

    total = len(uids)
    if progress is not None:
        progress(folder, 0, total)
    folder_messages: list[MailMessage] = []
    folder_keys: set[str] = set()
    done = 0
    header_key: bytes | None = None
    for chunk in _chunks(uids, chunk_size):
        if _cancelled(cancel):
            return None
        response = client.fetch(list(chunk), [_FETCH_ITEM])
        start = len(folder_messages)
        for uid in sorted(response):
            item = response[uid]
            if header_key is None or header_key not in item:
                header_key = _header_key(item)
            raw = item.get(header_key, b"") if header_key is not None else b""
            message = MailMessage(
                folder=folder,
                uid=int(uid),
                headers=parse_header_block(raw or b""),
            )
            if message.key in seen or message.key in folder_keys:
                continue
            folder_keys.add(message.key)
            folder_messages.append(message)
        done += len(chunk)
        if on_messages is not None and len(folder_messages) > start:
            on_messages(folder_messages[start:])
        if progress is not None:
            progress(folder, done, total)

    candidates = [last_uid]
    if uids:
        candidates.append(uids[-1])
    if uidnext is not None:
        candidates.append(uidnext - 1)
    result.last_uid = max(candidates)
    result.fetched = len(folder_messages)
    batch_messages.extend(folder_messages)
    seen.update(folder_keys)
    return result


def fetch_new(
    config: MailAccountConfig,
    password: str,
    state: Mapping[str, FolderState] | None = None,
    cancel: CancelCheck = None,
    progress: ProgressCallback | None = None,
    *,
    now: datetime | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_messages: Callable[[Sequence[MailMessage]], None] | None = None,
) -> SyncBatch:
    """Fetch the headers of messages not seen yet, folder by folder.

    ``state`` maps folder → (UIDVALIDITY, last UID) from the previous sync. A folder without state
    is read back ``config.look_back_days``; a folder whose UIDVALIDITY changed starts over. A
    re-sync with no new mail costs one EXAMINE per folder (its UIDNEXT shows nothing is new).

    Never raises :class:`MailError`: failures land in ``batch.error`` (connection, login, …) or
    ``batch.folder_errors`` (a missing folder; the other folders still sync). Only folders that
    were fetched completely appear in ``batch.state`` and contribute ``batch.messages``; messages
    are de-duplicated by Message-ID within the batch.

    ``on_messages`` (optional) gets each chunk's new messages as soon as they are parsed, so that a
    caller can classify them on another thread while the next chunk is fetched; messages of a
    folder that does not complete are handed over too but are not in ``batch.messages``.
    """
    state = dict(state or {})
    batch = SyncBatch()
    seen: set[str] = set()
    client: IMAPClient | None = None
    counter: _CommandCounter | None = None
    try:
        client = _connect(config)
        counter = _CommandCounter(client)
        client.login(config.user, password)
        counter.reset()
        for folder in config.folders:
            if _cancelled(cancel):
                batch.cancelled = True
                break
            try:
                result = _sync_folder(
                    client,
                    config,
                    folder,
                    state.get(folder),
                    batch.messages,
                    seen,
                    cancel,
                    progress,
                    now,
                    chunk_size,
                    on_messages,
                )
            except imap_exceptions.IMAPClientError as exc:
                if isinstance(exc, imaplib.IMAP4.abort):
                    raise
                error = _folder_error(client, folder, exc, config, password)
                batch.folder_errors[folder] = error
                log.info("Mail sync of %s/%s skipped a folder: %s", config.name, folder, error.kind)
                continue
            if result is None:
                batch.cancelled = True
                break
            batch.folders[folder] = result
            batch.state[folder] = (result.uidvalidity, result.last_uid)
        _close(client, logout=True)
        client = None
    except Exception as exc:
        batch.error = translate_error(exc, config, password)
        log.info("Mail sync of %s stopped: %s", config.name, batch.error.kind)
    finally:
        if counter is not None:
            batch.commands = counter.count
        _close(client)
    return batch


def _folder_error(
    client: IMAPClient, folder: str, exc: BaseException, config: MailAccountConfig, password: str
) -> MailError:
    text = _server_text(exc, password)
    try:
        names = _list_folder_names(client)
    except Exception:
        names = None
    if names is not None and folder not in names and folder.upper() != "INBOX":
        return MailError("folder", f"The folder {folder!r} does not exist on {config.host}.", folder=folder)
    if "NONEXISTENT" in text.upper() or "doesn't exist" in text.lower():
        return MailError("folder", f"The folder {folder!r} does not exist on {config.host}.", folder=folder)
    return MailError("protocol", f"The server refused the folder {folder!r}: {text}.", folder=folder)


def message_counts(messages: Iterable[MailMessage]) -> dict[str, int]:
    """How many messages per folder a batch holds (for progress summaries)."""
    counts: dict[str, int] = {}
    for message in messages:
        counts[message.folder] = counts.get(message.folder, 0) + 1
    return counts
