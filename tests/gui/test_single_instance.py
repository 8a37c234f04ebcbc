"""Single instance: two SingleInstance objects in one process (a server, and a client on a thread, as a
second launch blocks while the first answers from its event loop), stale and live sockets, a client
with no server, messages the server must ignore, and a later launch's file imported by the window."""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QDir, QThread
from PySide6.QtNetwork import QLocalSocket

from groupdesk.ui import single_instance
from groupdesk.ui.dialogs.import_preview import ImportPreviewDialog
from groupdesk.ui.single_instance import SingleInstance, claim, decode_request, encode_request, instance_key
from groupdesk.ui.workers import wait_for_tasks

SPREADSHEET = Path(__file__).resolve().parent.parent / "data" / "exports" / "generic" / "my_groups.csv"
TIMEOUT = 20_000


@pytest.fixture
def key(tmp_path: Path) -> str:
    return instance_key(tmp_path / "data")


@pytest.fixture
def server(qapp, key: str):
    instance = SingleInstance(key)
    assert instance.listen()
    yield instance
    instance.close()


class Sender(QThread):
    """A later launch: ``SingleInstance(key).send(files)`` (blocking) on its own thread."""

    def __init__(self, key: str, files: list, **kwargs) -> None:
        super().__init__()
        self.key, self.files, self.kwargs = key, files, kwargs
        self.result: bool | None = None
        self.reached: bool | None = None

    def run(self) -> None:
        client = SingleInstance(self.key)
        self.result = client.send(self.files, **self.kwargs)
        self.reached = client.send_reached_server


class RawClient(QThread):
    """Writes raw bytes to the server and reads whatever comes back until it hangs up."""

    def __init__(self, key: str, data: bytes) -> None:
        super().__init__()
        self.key, self.data = key, data
        self.reply = b""
        self.connected = False

    def run(self) -> None:
        sock = QLocalSocket()
        sock.connectToServer(self.key)
        self.connected = sock.waitForConnected(1000)
        if not self.connected:
            return
        sock.write(self.data)
        # Short waits: PySide holds Python's lock during each, and the server here needs it.
        deadline = time.monotonic() + 10
        while sock.bytesToWrite() and time.monotonic() < deadline:
            sock.waitForBytesWritten(20)
        while time.monotonic() < deadline:
            sock.waitForReadyRead(20)
            self.reply += sock.readAll().data()
            if sock.state() == QLocalSocket.LocalSocketState.UnconnectedState:
                break
        self.reply += sock.readAll().data()
        sock.abort()


def run_thread(qtbot, thread: QThread) -> None:
    with qtbot.waitSignal(thread.finished, timeout=TIMEOUT):
        thread.start()
    thread.wait()


# ------------------------------------------------------------------------------------------ the key


def test_the_key_is_one_per_data_folder_and_user(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (tmp_path / "link").symlink_to(folder)
    monkeypatch.chdir(tmp_path)
    key = instance_key(folder)
    assert instance_key("data") == key  # relative
    assert instance_key(tmp_path / "link") == key  # through a symlink
    assert instance_key(tmp_path / "other") != key
    assert key.startswith("groupdesk-") and len(key) < 80
    assert all(c.isalnum() or c in "-_." for c in key)
    monkeypatch.setattr(single_instance, "_user_name", lambda: "someone-else")
    assert instance_key(folder) != key


def test_the_user_name_is_safe_in_a_socket_name(monkeypatch) -> None:
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.delenv(var, raising=False)
    assert single_instance._user_name()  # from the password database (or the uid)
    monkeypatch.setenv("USER", "Ann Berg/../x")
    assert single_instance._user_name() == "Ann_Berg_.._x"


def test_requests_carry_a_version_and_absolute_paths(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    line = encode_request(["export.groupdesk.json", Path("sub/a.zip"), "https://reddit.com/r/python"])
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    message = json.loads(line)
    assert message["version"] == single_instance.PROTOCOL_VERSION
    assert message["files"] == [
        str(tmp_path / "export.groupdesk.json"),
        str(tmp_path / "sub" / "a.zip"),
        "https://reddit.com/r/python",
    ]
    assert decode_request(line[:-1]) == message["files"]


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"app": "GroupDesk", "files": []}',
        b'{"app": "GroupDesk", "version": 2, "files": []}',
        b'{"app": "GroupDesk", "version": true, "files": []}',
        b'{"app": "GroupDesk", "version": 1, "files": "a.json"}',
        b'{"app": "GroupDesk", "version": 1, "files": [3]}',
        b'{"app": "GroupDesk", "version": 1, "files": [""]}',
        b'{"app": "Other", "version": 1, "files": []}',
    ],
)
def test_malformed_requests_are_refused(line: bytes) -> None:
    with pytest.raises(ValueError):
        decode_request(line)


# ------------------------------------------------------------------------------- server and client


def test_a_second_launch_hands_its_files_to_the_first(qtbot, server: SingleInstance, key: str) -> None:
    files = [str(SPREADSHEET), "https://www.meetup.com/aarhus-python/"]
    sender = Sender(key, files)
    with qtbot.waitSignal(server.files_received, timeout=TIMEOUT) as blocker:
        sender.start()
    assert blocker.args == [files]
    qtbot.waitUntil(sender.isFinished, timeout=TIMEOUT)
    assert sender.result is True and sender.reached is True


def test_a_launch_without_files_is_handed_over_too(qtbot, server: SingleInstance, key: str) -> None:
    sender = Sender(key, [])
    with qtbot.waitSignal(server.files_received, timeout=TIMEOUT) as blocker:
        sender.start()
    sender.wait()
    assert blocker.args == [[]] and sender.result is True


def test_without_a_server_send_says_so_at_once(qapp, key: str) -> None:
    client = SingleInstance(key)
    start = time.monotonic()
    assert client.send(["a.json"]) is False
    assert time.monotonic() - start < 1.0
    assert client.send_reached_server is False


def test_another_data_folder_is_another_instance(qtbot, server: SingleInstance, tmp_path: Path) -> None:
    other = SingleInstance(instance_key(tmp_path / "other-data"))
    assert other.send(["a.json"]) is False
    assert other.listen()
    other.close()
    assert server.is_listening()


def test_a_live_server_is_never_taken_over(qtbot, server: SingleInstance, key: str) -> None:
    rival = SingleInstance(key)
    assert rival.listen() is False
    assert not rival.is_listening() and server.is_listening()
    sender = Sender(key, ["x.json"])
    with qtbot.waitSignal(server.files_received, timeout=TIMEOUT):
        sender.start()
    sender.wait()
    assert sender.result is True


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes leave no socket file behind")
def test_a_socket_left_by_a_crashed_instance_is_replaced(qtbot, qapp, key: str) -> None:
    path = os.path.join(QDir.tempPath(), key)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)
    stale.listen(1)
    stale.close()  # the file stays, nobody listens: what a killed GroupDesk leaves
    try:
        assert os.path.exists(path)
        assert SingleInstance(key).send(["a.json"]) is False
        instance = SingleInstance(key)
        assert instance.listen()
        sender = Sender(key, ["a.json"])
        with qtbot.waitSignal(instance.files_received, timeout=TIMEOUT):
            sender.start()
        sender.wait()
        assert sender.result is True
        instance.close()
        assert not os.path.exists(path)
    finally:
        if os.path.exists(path):
            os.unlink(path)


@pytest.mark.parametrize(
    "data",
    [
        b"garbage\n",
        b'{"app": "GroupDesk", "version": 99, "files": ["/etc/passwd"]}\n',
        b'{"app": "GroupDesk", "version": 1, "files": {"a": 1}}\n',
    ],
)
def test_a_malformed_message_is_answered_no_and_ignored(
    qtbot, server: SingleInstance, key: str, data
) -> None:
    received = []
    server.files_received.connect(received.append)
    client = RawClient(key, data)
    with qtbot.assertNotEmitted(server.files_received):
        run_thread(qtbot, client)
    assert client.connected
    assert json.loads(client.reply) == {"app": "GroupDesk", "version": 1, "ok": False}
    # The server still works.
    sender = Sender(key, ["good.json"])
    run_thread(qtbot, sender)
    assert sender.result is True
    qtbot.waitUntil(lambda: received == [[str(Path("good.json").resolve())]], timeout=TIMEOUT)


def test_an_endless_message_is_dropped(qtbot, server: SingleInstance, key: str, monkeypatch) -> None:
    monkeypatch.setattr(single_instance, "MAX_MESSAGE_BYTES", 10_000)
    client = RawClient(key, b"[" * 50_000)
    with qtbot.assertNotEmitted(server.files_received):
        run_thread(qtbot, client)
    assert client.connected and client.reply == b""


def test_a_client_that_never_finishes_is_dropped(
    qtbot, server: SingleInstance, key: str, monkeypatch
) -> None:
    monkeypatch.setattr(single_instance, "READ_TIMEOUT_MS", 200)
    client = RawClient(key, b'{"app": "GroupDesk", "version": 1, "files": []')  # no newline
    with qtbot.assertNotEmitted(server.files_received):
        run_thread(qtbot, client)
    assert client.connected and client.reply == b""


def test_a_client_gives_up_when_the_server_does_not_answer(qtbot, server: SingleInstance, key: str) -> None:
    # The server's event loop is blocked (this thread waits in ``wait``): the client times out.
    sender = Sender(key, ["a.json"], ack_timeout_ms=300)
    sender.start()
    assert sender.wait(10_000)
    assert sender.result is False and sender.reached is True


# ------------------------------------------------------------------------------------------ claim


def test_claim_listens_first_then_hands_over(qtbot, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = claim(data_dir, [])
    assert first is not None and first.is_listening()

    class SecondLaunch(QThread):
        result: object = "not run"

        def run(self) -> None:
            self.result = claim(data_dir, [str(SPREADSHEET)])

    second = SecondLaunch()
    with qtbot.waitSignal(first.files_received, timeout=TIMEOUT) as blocker:
        second.start()
    second.wait()
    assert second.result is None
    assert blocker.args == [[str(SPREADSHEET)]]
    first.close()
    assert not first.is_listening()


# ----------------------------------------------------------------------------------------- window


@pytest.fixture
def _join_threads():
    yield
    assert wait_for_tasks(10_000), "a reading thread did not end"


OFFSCREEN_RAISE = "This plugin does not support raise.*"  # the offscreen platform has no window stack


@pytest.mark.qt_log_ignore(OFFSCREEN_RAISE)
def test_files_from_a_later_launch_are_imported_in_the_front_window(
    qtbot, make_window, driver, server: SingleInstance, key: str, _join_threads
) -> None:
    window = make_window()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    server.attach(window)
    seen = []

    def preview(dialog: ImportPreviewDialog) -> None:
        seen.append(dialog.total_counts()["new"])
        dialog.import_button.click()

    driver.then(preview)
    sender = Sender(key, [str(SPREADSHEET)])
    with qtbot.waitSignal(window.import_flow.done, timeout=TIMEOUT):
        sender.start()
    sender.wait()
    assert sender.result is True
    assert seen and seen[0] > 0
    assert not window.isMinimized() and window.isVisible()
    assert window.model.rowCount() == seen[0]


@pytest.mark.qt_log_ignore(OFFSCREEN_RAISE)
def test_files_that_arrive_before_the_window_wait_for_it(
    qtbot, make_window, server: SingleInstance, key: str
) -> None:
    sender = Sender(key, [])
    with qtbot.waitSignal(server.files_received, timeout=TIMEOUT):
        sender.start()
    sender.wait()
    window = make_window()
    window.showMinimized()
    qtbot.waitUntil(window.isMinimized)
    server.attach(window)  # the launch without files only raises the window
    assert not window.isMinimized()
