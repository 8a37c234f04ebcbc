"""Mail account settings, header parsing and error wording (no server needed)."""

from __future__ import annotations

import socket
import ssl

import pytest
from imapclient import exceptions as imap_exceptions

from groupdesk.errors import UserError
from groupdesk.mail.imap import (
    MailAccountConfig,
    MailError,
    MailMessage,
    parse_header_block,
    translate_error,
)

PASSWORD = "Unit-pw-731!"


def config(**overrides) -> MailAccountConfig:
    values = {"name": "Work", "host": "imap.example.org", "user": "ann"}
    values.update(overrides)
    return MailAccountConfig(**values)


def test_defaults():
    c = config()
    assert c.security == "ssl"
    assert c.effective_port == 993
    assert c.folders == ("INBOX",)
    assert c.look_back_days == 365
    assert c.cafile is None
    assert config(security="starttls").effective_port == 143
    assert config(folders=["INBOX", "Lists"]).folders == ("INBOX", "Lists")
    assert config(folders=[]).folders == ("INBOX",)
    c.validate()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "[::1]", "LOCALHOST"])
def test_plain_allowed_to_this_computer_when_chosen(host):
    config(host=host, security="plain").validate()


@pytest.mark.parametrize("host", ["imap.example.org", "192.168.1.10", "localhost.evil.example"])
def test_plain_refused_to_other_hosts(host):
    with pytest.raises(MailError) as info:
        config(host=host, security="plain").validate()
    assert info.value.kind == "config"
    assert "only allowed to this computer" in info.value.message


@pytest.mark.parametrize(
    ("overrides", "needle"),
    [
        ({"host": " "}, "server name"),
        ({"user": ""}, "user name"),
        ({"name": ""}, "needs a name"),
        ({"security": "tls1"}, "Security must be"),
        ({"port": 70000}, "not a valid port"),
        ({"look_back_days": 0}, "Look back"),
        ({"cafile": "/nonexistent/ca.pem"}, "Cannot read the CA file"),
    ],
)
def test_invalid_settings(overrides, needle):
    with pytest.raises(MailError) as info:
        config(**overrides).validate()
    assert needle in info.value.message
    assert isinstance(info.value, UserError)  # the CLI shows it as one line, exit 2


def test_parse_header_block_unfolds_and_keeps_first():
    raw = (
        b"Subject: =?UTF-8?Q?Hej?=\r\n =?UTF-8?Q?_der?=\r\n"
        b"List-Id: A list\r\n <a.example.org>\r\n"
        b"Received: one\r\nReceived: two\r\n\r\n"
    )
    headers = parse_header_block(raw)
    assert headers["subject"] == "=?UTF-8?Q?Hej?= =?UTF-8?Q?_der?="
    assert headers["list-id"] == "A list <a.example.org>"
    assert headers["received"] == "one"


def test_parse_header_block_raw_8bit():
    assert parse_header_block("Subject: Grüße\r\n\r\n".encode())["subject"] == "Grüße"
    assert parse_header_block("Subject: Gr\xfc\xdfe\r\n\r\n".encode("latin-1"))["subject"] == "Grüße"
    assert parse_header_block(b"") == {}


def test_message_key_uses_message_id_or_a_digest():
    with_id = MailMessage("INBOX", 1, {"message-id": " <abc@x> "})
    assert with_id.message_id == "<abc@x>"
    assert with_id.key == "<abc@x>"
    bare = MailMessage("INBOX", 2, {"message-id": "abc@x"})
    assert bare.message_id == "<abc@x>"
    a = MailMessage("INBOX", 3, {"from": "a@x", "subject": "s", "date": "d"})
    b = MailMessage("Other", 9, {"from": "a@x", "subject": "s", "date": "d"})
    assert a.message_id is None
    assert a.key == b.key
    assert a.key.startswith("<no-id-")


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (TimeoutError("timed out"), "timeout"),
        (ConnectionAbortedError(103, "aborted"), "connection"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "tls"),
        (imap_exceptions.LoginError(f"b'[AUTHENTICATIONFAILED] bad {PASSWORD}'"), "login"),
        (imap_exceptions.IMAPClientAbortError("socket error: EOF"), "connection"),
        (ConnectionResetError(104, "reset"), "connection"),
        (OSError(101, "Network is unreachable"), "unreachable"),
        (imap_exceptions.IMAPClientError(f"weird {PASSWORD}"), "protocol"),
        (RuntimeError(PASSWORD), "protocol"),
    ],
)
def test_translate_error_kinds_and_no_password(exc, kind):
    error = translate_error(exc, config(), PASSWORD)
    assert error.kind == kind
    assert error.title
    assert PASSWORD not in error.message
    assert PASSWORD not in repr(error)


def test_certificate_error_explains_cafile():
    exc = ssl.SSLCertVerificationError(1, "certificate verify failed")
    exc.verify_message = "self-signed certificate"
    error = translate_error(exc, config(), PASSWORD)
    assert error.kind == "certificate"
    assert "self-signed certificate" in error.message
    assert "CA certificate file" in error.message
