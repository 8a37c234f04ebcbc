"""One GroupDesk window per data folder: a second launch hands its files to the running window.

The first GroupDesk started on a data folder listens on a local socket (``QLocalServer``; a Unix
domain socket in the temporary folder, a named pipe on Windows). A later launch on the same data
folder (double-clicking an export, dropping a file on the launcher icon, or just starting it again)
connects, sends the files it was given and exits; the running window comes to the front and opens
the files in the import preview. Two different data folders are two independent instances.

The wire format is one line of JSON each way::

    client → server   {"app": "GroupDesk", "version": 1, "files": ["/abs/path", "https://…"]}\\n
    server → client   {"app": "GroupDesk", "version": 1, "ok": true}\\n

A message the server does not understand (not JSON, another version, wrong types, too long) is
answered with ``"ok": false`` (or the connection is simply dropped) and nothing happens in the
window; the client then opens a window of its own, as it does when no server answers at all.

Typical use, in ``run_gui`` (interactive starts only, not ``--screenshot`` runs)::

    instance = claim(data_dir, files)
    if instance is None:
        return 0                  # the running GroupDesk took the files
    ...                           # build the window
    instance.attach(window)       # later launches raise it and import their files
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDir, QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from groupdesk import APP_NAME

if TYPE_CHECKING:
    from groupdesk.ui.main_window import MainWindow

log = logging.getLogger("groupdesk.single_instance")

#: Version of the JSON messages; a server answers only messages of its own version.
PROTOCOL_VERSION = 1
#: A request longer than this is dropped unread (a file list this long is not a double-click).
MAX_MESSAGE_BYTES = 1 << 20
#: Longest answer the client reads.
MAX_REPLY_BYTES = 4096
#: How long a second launch waits to connect (a local socket connects at once or not at all).
CONNECT_TIMEOUT_MS = 1000
#: How long a second launch waits for the running window's answer. The running one answers from its
#: event loop: a first launch that is still building its window answers once it shows.
ACK_TIMEOUT_MS = 8000
#: How long the server waits for a connected client to finish its message.
READ_TIMEOUT_MS = 5000
#: How long ``listen`` tries to reach an existing socket before calling it stale.
PROBE_TIMEOUT_MS = 300
_WAIT_SLICE_MS = 20
#: How long the server may block to write its answer (a few bytes; only if the first write fell short).
REPLY_WRITE_TIMEOUT_MS = 200


def _user_name() -> str:
    """The login name, as ``getpass.getuser`` finds it (without importing getpass and termios)."""
    name = next((os.environ[v] for v in ("LOGNAME", "USER", "LNAME", "USERNAME") if os.environ.get(v)), "")
    if not name and hasattr(os, "getuid"):
        try:
            import pwd

            name = pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError, OSError):  # no password entry (containers)
            name = str(os.getuid())
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:32] or "user"


def instance_key(data_dir: str | os.PathLike[str]) -> str:
    """The local server name for ``data_dir``: the user name and a hash of the folder's resolved path.

    The same folder reached through another spelling (relative, ``~``, a symlink) gives the same key;
    another folder or another user gives another key.
    """
    folder = os.path.normcase(str(Path(data_dir).expanduser().resolve()))
    digest = hashlib.sha256(folder.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"groupdesk-{_user_name()}-{digest}"


def _absolute(item: str | os.PathLike[str]) -> str:
    """A path made absolute against this process's folder (the running one has another); web
    addresses are kept as they are."""
    text = os.fspath(item)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", text):
        return text
    return os.path.abspath(os.path.expanduser(text))


def encode_request(files: Iterable[str | os.PathLike[str]]) -> bytes:
    """The client's message: the files (made absolute) as one line of JSON."""
    message = {"app": APP_NAME, "version": PROTOCOL_VERSION, "files": [_absolute(f) for f in files]}
    return json.dumps(message, ensure_ascii=True).encode("ascii") + b"\n"


def decode_request(line: bytes) -> list[str]:
    """The files of a client's message (one line, without its newline).

    Raises:
        ValueError: not a GroupDesk message of this version.
    """
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from None
    if not isinstance(message, dict) or message.get("app") != APP_NAME:
        raise ValueError("not a GroupDesk message")
    version = message.get("version")
    if type(version) is not int or version != PROTOCOL_VERSION:
        raise ValueError(f"unsupported message version {version!r}")
    files = message.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) and f and "\0" not in f for f in files):
        raise ValueError("files must be a list of non-empty strings")
    return files


def _reply(ok: bool) -> bytes:
    return json.dumps({"app": APP_NAME, "version": PROTOCOL_VERSION, "ok": ok}).encode("ascii") + b"\n"


def bring_forward(window: MainWindow, files: list[str]) -> None:
    """Show ``window`` in front (restored if minimised, left maximised if it was) and import ``files``."""
    if window.isMinimized():
        window.showNormal()
    else:
        window.show()
    window.raise_()
    window.activateWindow()
    if files:
        window.import_flow.import_items(files)


class _Connection(QObject):
    """One client of the server: reads its line, answers, and goes away with its socket.

    The socket is deleted once answered (or dropped); a client that hangs up or stalls before
    finishing its line is dropped when :data:`READ_TIMEOUT_MS` has passed. Nothing is connected to
    ``disconnected``: a socket emits it while being destroyed with its server, too late for Python.
    It reports by signal and holds no reference to the :class:`SingleInstance`: the last reference
    going away with a deleted socket would destroy the server (and this socket again) from inside the
    socket's destructor.
    """

    #: The files of a well-formed request (already answered).
    received = Signal(list)

    def __init__(self, socket: QLocalSocket) -> None:
        super().__init__(socket)
        self.socket = socket
        self.buffer = bytearray()
        self.done = False
        socket.readyRead.connect(self._read)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._too_slow)
        self.timer.start(READ_TIMEOUT_MS)
        self._read()  # bytes that arrived before the connection was taken

    def _read(self) -> None:
        if self.done:
            return
        self.buffer += self.socket.readAll().data()
        end = self.buffer.find(b"\n")
        if end < 0:
            if len(self.buffer) > MAX_MESSAGE_BYTES:
                log.warning("Ignored a message from another launch: longer than %d bytes", MAX_MESSAGE_BYTES)
                self._finish(None)
            return
        try:
            files = decode_request(bytes(self.buffer[:end]))
        except ValueError as exc:
            log.warning("Ignored a message from another launch: %s", exc)
            self._finish(_reply(False))
            return
        self._finish(_reply(True))
        self.received.emit(files)

    def _too_slow(self) -> None:
        if self.done:
            return
        if self.buffer or self.socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
            log.warning("Ignored a launch that did not finish its message in time")
        else:  # hung up without a word: ``listen`` checking whether anyone is here
            log.debug("A launch hung up without a message")
        self._finish(None)

    def _finish(self, reply: bytes | None) -> None:
        self.done = True
        self.timer.stop()
        socket = self.socket
        socket.blockSignals(True)
        if reply is not None and socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
            socket.write(reply)
            socket.flush()  # a few bytes on a local socket: written at once
            if socket.bytesToWrite():
                socket.waitForBytesWritten(REPLY_WRITE_TIMEOUT_MS)
            socket.disconnectFromServer()
        socket.abort()
        socket.deleteLater()  # with this connection (its child)


class SingleInstance(QObject):
    """The local server of the first launch on a data folder, and the client of later launches.

    Args:
        key: the server name, from :func:`instance_key`.
        parent: the QObject that owns it.
    """

    #: Files (absolute paths or web addresses) sent by a later launch; empty when it had none.
    files_received = Signal(list)

    def __init__(self, key: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key
        #: Whether the last :meth:`send` found a server (that then did not accept, or not in time).
        self.send_reached_server = False
        self._server: QLocalServer | None = None
        self._window: MainWindow | None = None
        self._pending: list[list[str]] = []

    # -- the later launch -------------------------------------------------------------------

    def send(
        self,
        files: Iterable[str | os.PathLike[str]],
        *,
        connect_timeout_ms: int = CONNECT_TIMEOUT_MS,
        ack_timeout_ms: int = ACK_TIMEOUT_MS,
    ) -> bool:
        """Hand ``files`` to a running GroupDesk; True once it has confirmed, False when none answers.

        Works without an event loop (blocking, with the timeouts given).
        """
        payload = encode_request(files)
        self.send_reached_server = False
        socket = QLocalSocket()
        socket.connectToServer(self.key)
        if not socket.waitForConnected(connect_timeout_ms):
            return False
        self.send_reached_server = True
        _allow_foreground()
        deadline = time.monotonic() + ack_timeout_ms / 1000
        try:
            socket.write(payload)
            while socket.bytesToWrite() > 0:
                if not _wait(socket.waitForBytesWritten, socket, deadline):
                    log.info("A running GroupDesk did not take the message: %s", socket.errorString())
                    return False
            reply = bytearray()
            while b"\n" not in reply:
                if socket.bytesAvailable() == 0 and not _wait(socket.waitForReadyRead, socket, deadline):
                    reply += socket.readAll().data()  # the last bytes may come with the close
                    if b"\n" in reply:
                        break
                    log.info("A running GroupDesk did not answer: %s", socket.errorString())
                    return False
                reply += socket.readAll().data()
                if len(reply) > MAX_REPLY_BYTES:
                    return False
            try:
                answer = json.loads(bytes(reply[: reply.find(b"\n")]).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return False
            return isinstance(answer, dict) and answer.get("ok") is True
        finally:
            socket.abort()

    # -- the first launch -------------------------------------------------------------------

    def listen(self) -> bool:
        """Start the server; False when another live GroupDesk holds the key (or listening fails).

        A socket file left by a GroupDesk that crashed is removed first; a live one is never taken
        over.
        """
        if self._server is not None and self._server.isListening():
            return True
        # Ask first: with access options set, Qt binds elsewhere and renames the socket over an
        # existing one, so ``listen`` alone would take over a live GroupDesk's socket.
        if self._answers():
            log.info("Another GroupDesk is listening as %s", self.key)
            return False
        stale = Path(QDir.tempPath(), self.key)
        if sys.platform != "win32" and (stale.exists() or stale.is_symlink()):
            log.info("Removing the stale single-instance socket %s", stale)
        QLocalServer.removeServer(self.key)  # nothing answers on it: left by a GroupDesk that crashed
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)  # this user only
        if not server.listen(self.key):
            log.warning("Cannot listen for later launches (%s): %s", self.key, server.errorString())
            server.deleteLater()
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        log.info("Single instance: listening as %s", server.fullServerName())
        return True

    def is_listening(self) -> bool:
        """Whether this is the running instance that later launches reach."""
        return self._server is not None and self._server.isListening()

    def close(self) -> None:
        """Stop listening (the socket file goes away)."""
        if self._server is not None:
            # Hang up on clients still connected, with their signals off: a socket destroyed
            # while connected would call back into its half-destroyed connection.
            for socket in self._server.findChildren(QLocalSocket):
                socket.blockSignals(True)
                socket.abort()
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def attach(self, window: MainWindow) -> None:
        """Bring ``window`` forward and import the files of every later launch (also of those that
        arrived before the window existed)."""
        self._window = window
        pending, self._pending = self._pending, []
        for files in pending:
            bring_forward(window, files)

    def _answers(self) -> bool:
        probe = QLocalSocket()
        probe.connectToServer(self.key)
        alive = probe.waitForConnected(PROBE_TIMEOUT_MS)
        probe.abort()
        return alive

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            _Connection(socket).received.connect(self._received)

    def _received(self, files: list[str]) -> None:
        log.info("Another launch handed over %d file(s): %s", len(files), ", ".join(files))
        self.files_received.emit(files)
        if self._window is None:
            self._pending.append(files)
            return
        try:
            bring_forward(self._window, files)
        except RuntimeError:  # the window is already gone (the app is quitting)
            log.info("The window is closed; files from another launch ignored")


def _wait(wait_for: Callable[[int], bool], socket: QLocalSocket, deadline: float) -> bool:
    """Call a blocking ``waitFor…(ms)`` of ``socket`` in short slices until it succeeds, the socket
    closes or ``deadline`` passes. Short slices: PySide keeps Python's lock during the call, so a
    server in this process (the tests) could not answer during one long wait."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        if wait_for(max(1, min(_WAIT_SLICE_MS, int(left * 1000)))):
            return True
        if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            return False


def _allow_foreground() -> None:
    """Windows lets only the foreground process give the focus away: let the running one take it."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        import ctypes

        ctypes.windll.user32.AllowSetForegroundWindow(-1)  # ASFW_ANY


def claim(data_dir: str | os.PathLike[str], files: Iterable[str | os.PathLike[str]]) -> SingleInstance | None:
    """Hand ``files`` to a GroupDesk already running on ``data_dir``, or become that GroupDesk.

    Returns None when a running one took the files (this launch should exit), else the instance
    (listening for later launches unless something prevents it; the window opens either way) to
    :meth:`SingleInstance.attach` the window to. Needs a ``QCoreApplication``; the server stops when
    it quits. Two launches at the same moment: one listens, the other hands over to it.
    """
    files = list(files)
    instance = SingleInstance(instance_key(data_dir))
    for _attempt in range(3):
        if instance.send(files):
            log.info("Handed %d file(s) to the running GroupDesk", len(files))
            return None
        if instance.send_reached_server:
            log.warning("Another GroupDesk is running on this data folder but did not answer")
            break
        if instance.listen():
            break
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(instance.close)
    return instance
