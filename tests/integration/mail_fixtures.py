"""Real servers for the mail tests: a private Dovecot 2.3 and a private GNOME Keyring.

Import the fixtures into a test module: ``from mail_fixtures import dovecot_fixture  # noqa: F401``
gives the ``dovecot`` fixture, ``keyring_service_fixture`` gives ``keyring_service``.

- :class:`Dovecot` runs ``dovecot -F`` as its own instance (own base_dir, state_dir, log) in its own
  process group, on two free loopback ports: plain (for STARTTLS) and SSL. TLS uses a self-signed
  certificate made by openssl with SAN localhost/127.0.0.1, so the default trust store refuses it and
  ``cafile=server.cafile`` accepts it. Users come from a passwd-file; maildirs belong to uid 65534.
  Teardown kills the whole process group and removes the files.
- :class:`SecretServiceSession` runs a private ``dbus-daemon`` (its own config: no service
  activation, so nothing else gets spawned) and ``gnome-keyring-daemon --unlock
  --components=secrets --foreground`` with a temporary HOME and XDG_RUNTIME_DIR, and points this
  process (and any subprocess) at that bus through ``DBUS_SESSION_BUS_ADDRESS``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.conftest import missing_component

MAIL_DATA = Path(__file__).resolve().parent.parent / "data" / "mail"

#: Distinctive on purpose: tests grep logs and messages for it. Has a space and quotes to test quoting.
PASSWORD = 'Gd-pw "7Qx" s3cret'
OTHER_USER_PASSWORD = "bob-Pw-9911"

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
DBUS_DAEMON = shutil.which("dbus-daemon") or "/usr/bin/dbus-daemon"
GNOME_KEYRING = shutil.which("gnome-keyring-daemon") or "/usr/bin/gnome-keyring-daemon"
MAIL_UID = 65534


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
        time.sleep(0.02)
    return False


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate + key for localhost / 127.0.0.1 (SAN), valid two days."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    key.chmod(0o600)
    return cert, key


def load_eml(path: Path) -> bytes:
    """A message file as bytes with CRLF line ends (what IMAP APPEND expects)."""
    data = path.read_bytes().replace(b"\r\n", b"\n")
    return data.replace(b"\n", b"\r\n")


def corpus_files(prefix: str = "") -> list[Path]:
    """The sample messages in tests/data/mail (optionally only names starting with ``prefix``)."""
    return sorted(p for p in MAIL_DATA.glob(f"{prefix}*.eml"))


@dataclass
class Dovecot:
    """A private Dovecot instance; ``start()``, ``stop()``, ``kill()``; helpers to fill mailboxes."""

    root: Path
    users: dict[str, str] = field(default_factory=lambda: {"alice": PASSWORD, "bob": OTHER_USER_PASSWORD})
    imap_port: int = 0
    imaps_port: int = 0
    cafile: Path | None = None
    proc: subprocess.Popen | None = None

    host = "127.0.0.1"

    # -- lifecycle

    def prepare(self) -> None:
        """Write certificate, users and configuration (once)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # the mail processes run as uid 65534 and must reach mail/
        self.cafile, key = make_certificate(self.root)
        self.cafile.chmod(0o644)
        mail = self.root / "mail"
        mail.mkdir(exist_ok=True)
        os.chown(mail, MAIL_UID, MAIL_UID)
        (self.root / "passwd").write_text(
            "".join(f"{user}:{{PLAIN}}{pw}::::::\n" for user, pw in self.users.items()), encoding="utf-8"
        )
        self.imap_port, self.imaps_port = free_port(), free_port()
        self._write_config(key)

    def _write_config(self, key: Path) -> None:
        r = self.root
        (r / "base").mkdir(exist_ok=True)
        (r / "state").mkdir(exist_ok=True)
        (r / "dovecot.conf").write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {r}/base
state_dir = {r}/state
log_path = {r}/dovecot.log
instance_name = gd-{r.name}
ssl = yes
ssl_cert = <{self.cafile}
ssl_key = <{key}
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {r}/passwd
}}
userdb {{
  driver = static
  args = uid={MAIL_UID} gid={MAIL_UID} home={r}/mail/%u
}}
mail_location = maildir:{r}/mail/%u/Maildir
mail_fsync = never
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
""",
            encoding="utf-8",
        )

    def start(self, timeout: float = 10.0) -> None:
        """Start in the foreground in a new process group; wait until both ports accept."""
        if self.cafile is None:
            self.prepare()
        for _attempt in range(3):
            with open(self.root / "stderr.log", "ab") as stderr:
                self.proc = subprocess.Popen(
                    [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            if _wait_for_port(self.imaps_port, self.proc, deadline) and _wait_for_port(
                self.imap_port, self.proc, deadline
            ):
                return
            self.kill()
            if "in use" not in self.log() + self.stderr():
                break
            self.imap_port, self.imaps_port = free_port(), free_port()  # lost a port race: retry
            self._write_config(self.root / "key.pem")
        raise RuntimeError(f"Dovecot did not start:\n{self.stderr()}\n{self.log()}")

    def kill(self) -> None:
        """Kill the whole Dovecot process group at once (like a crash or a pulled cable)."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    stop = kill

    def stderr(self) -> str:
        path = self.root / "stderr.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log(self) -> str:
        """Dovecot's own log so far."""
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- clients and content

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cafile))

    def client(self, user: str = "alice"):
        """A logged-in imapclient connection over SSL for test setup (caller logs out)."""
        from imapclient import IMAPClient

        client = IMAPClient(self.host, self.imaps_port, ssl=True, ssl_context=self.ssl_context(), timeout=10)
        client.login(user, self.users[user])
        return client

    def append(
        self,
        folder: str,
        messages: Sequence[bytes],
        user: str = "alice",
        dates: Sequence[datetime] | None = None,
        create: bool = True,
    ) -> None:
        """Append messages (internal date = ``dates`` or recent times) with one MULTIAPPEND."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        if dates is None:
            dates = [now - timedelta(minutes=len(messages) - i) for i in range(len(messages))]
        client = self.client(user)
        try:
            if create and folder.upper() != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            if messages:
                client.multiappend(
                    folder, [{"msg": m, "date": d} for m, d in zip(messages, dates, strict=True)]
                )
        finally:
            client.logout()

    def delete_folder(self, folder: str, user: str = "alice") -> None:
        client = self.client(user)
        try:
            client.delete_folder(folder)
        finally:
            client.logout()

    def load_corpus(self, folder: str = "INBOX", user: str = "alice") -> list[Path]:
        """Append every sample message in tests/data/mail; returns the files in append order."""
        files = corpus_files()
        self.append(folder, [load_eml(p) for p in files], user=user)
        return files

    def account(self, security: str = "ssl", **overrides):
        """A MailAccountConfig for this server (trusting its CA unless ``cafile=None`` is given)."""
        from groupdesk.mail.imap import MailAccountConfig

        port = self.imaps_port if security == "ssl" else self.imap_port
        values: dict = {
            "name": "Test mail",
            "host": self.host,
            "user": "alice",
            "port": port,
            "security": security,
            "cafile": str(self.cafile),
            "connect_timeout": 5.0,
            "read_timeout": 10.0,
        }
        values.update(overrides)
        return MailAccountConfig(**values)


def synthetic_message(i: int, list_id: str | None = None, subject: str | None = None) -> bytes:
    """A small valid message with a unique Message-ID (for bulk and incremental tests)."""
    lines = [
        f"From: Sender {i} <sender{i}@example.net>",
        "To: alice@example.com",
        f"Subject: {subject or f'Message number {i}'}",
        f"Date: Mon, 02 Nov 2026 09:{i % 60:02d}:00 +0000",
        f"Message-ID: <synthetic-{i}@example.net>",
    ]
    if list_id:
        lines.append(f"List-Id: Test list <{list_id}>")
    return ("\r\n".join(lines) + "\r\n\r\nBody.\r\n").encode()


@pytest.fixture(name="dovecot")
def dovecot_fixture() -> Iterator[Dovecot]:
    """A running private Dovecot with an empty mailbox for alice and bob; killed afterwards."""
    if not (os.path.exists(DOVECOT) and os.path.exists("/usr/lib/dovecot/imap")):
        missing_component("Dovecot is not installed (Debian: apt-get install dovecot-imapd dovecot-core)")
    if os.geteuid() != 0:
        missing_component("the private Dovecot runs as root (its mail processes drop to uid 65534)")
    root = Path(tempfile.mkdtemp(prefix="gd-dovecot-"))
    server = Dovecot(root)
    try:
        server.start()
        yield server
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Secret Service


_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

KEYRING_UNLOCK_PASSWORD = "keyring-unlock-pw"


@dataclass
class SecretServiceSession:
    """A private D-Bus session bus with GNOME Keyring's Secret Service on it."""

    root: Path
    address: str = ""
    bus: subprocess.Popen | None = None
    keyring_daemon: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        """Environment for a child process that should use this bus and nothing of the real home."""
        env = dict(os.environ)
        env.update(
            DBUS_SESSION_BUS_ADDRESS=self.address,
            HOME=str(self.root / "home"),
            XDG_RUNTIME_DIR=str(self.root / "run"),
            XDG_DATA_HOME=str(self.root / "home" / ".local" / "share"),
            XDG_CONFIG_HOME=str(self.root / "home" / ".config"),
        )
        env.pop("PYTHON_KEYRING_BACKEND", None)
        return env

    def start_bus(self) -> None:
        (self.root / "home").mkdir(mode=0o700, parents=True, exist_ok=True)
        (self.root / "run").mkdir(mode=0o700, exist_ok=True)
        sock = self.root / "run" / "bus"
        config = self.root / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=sock), encoding="utf-8")
        self.bus = subprocess.Popen(
            [DBUS_DAEMON, f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert self.bus.stdout is not None
        self.address = self.bus.stdout.readline().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")

    def start_keyring(self, unlock: bool = True, timeout: float = 10.0) -> None:
        args = [GNOME_KEYRING, "--components=secrets", "--foreground"]
        if unlock:
            args.insert(1, "--unlock")
        self.keyring_daemon = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=self.env,
            start_new_session=True,
        )
        assert self.keyring_daemon.stdin is not None
        if unlock:
            self.keyring_daemon.stdin.write(KEYRING_UNLOCK_PASSWORD.encode())
        self.keyring_daemon.stdin.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.keyring_daemon.poll() is not None:
                raise RuntimeError("gnome-keyring-daemon exited early")
            if self._service_ready(unlock):
                return
            time.sleep(0.05)
        raise RuntimeError("gnome-keyring-daemon did not register org.freedesktop.secrets")

    def _dbus_send(self, *args: str) -> str | None:
        result = subprocess.run(
            ["dbus-send", "--session", "--print-reply", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=5,
        )
        return result.stdout if result.returncode == 0 else None

    def _service_ready(self, unlocked: bool) -> bool:
        """True once the Secret Service owns its name (and, if asked, its default collection is open)."""
        owner = self._dbus_send(
            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
            "string:org.freedesktop.secrets",
        )  # fmt: skip
        if owner is None or "boolean true" not in owner:
            return False
        if not unlocked:
            return True
        locked = self._dbus_send(
            "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default",
            "org.freedesktop.DBus.Properties.Get", "string:org.freedesktop.Secret.Collection",
            "string:Locked",
        )  # fmt: skip
        return locked is not None and "boolean false" in locked

    def stop_keyring(self) -> None:
        proc, self.keyring_daemon = self.keyring_daemon, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def stop(self) -> None:
        self.stop_keyring()
        bus, self.bus = self.bus, None
        if bus is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(bus.pid, signal.SIGKILL)
            bus.wait(timeout=10)
            if bus.stdout is not None:
                bus.stdout.close()


@contextlib.contextmanager
def secret_service(unlock: bool = True) -> Iterator[SecretServiceSession]:
    """Run a private bus + gnome-keyring for the duration of the block; clean up after."""
    missing = [
        p for p in (DBUS_DAEMON, GNOME_KEYRING, shutil.which("dbus-send")) if not p or not os.path.exists(p)
    ]
    if missing:
        missing_component(
            "needs dbus-daemon, dbus-send and gnome-keyring (Debian: dbus-daemon dbus-bin gnome-keyring)"
        )
    root = Path(tempfile.mkdtemp(prefix="gd-keyring-"))
    session = SecretServiceSession(root)
    try:
        session.start_bus()
        session.start_keyring(unlock=unlock)
        yield session
    finally:
        session.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(name="keyring_service")
def keyring_service_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretServiceSession]:
    """An unlocked GNOME Keyring on a private bus; this process's default keyring uses it."""
    with secret_service() as session, fresh_keyring_detection():
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.address)
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
        yield session


@contextlib.contextmanager
def fresh_keyring_detection() -> Iterator[None]:
    """Make keyring detect its backend afresh inside the block, and again after it.

    keyring caches the viable backends of the process at first use; a bus started later would not
    be seen. Forgetting the cache on entry and exit keeps tests independent of their order.
    """
    import keyring
    import keyring.backend
    import keyring.core

    def forget() -> None:
        with contextlib.suppress(KeyError, AttributeError):
            keyring.backend.get_all_keyring.reset()
        keyring.core._keyring_backend = None  # next get_keyring() detects again

    forget()
    try:
        yield
    finally:
        forget()
