"""SASL PLAIN over real sockets: acting as another user fails (RFC 4616 §2), junk gets a clean error.

Issue 16 item 6: ``alice\\0student\\0pw`` used to log in as student in IMAP
AUTHENTICATE and SMTP AUTH alike.
"""
import base64
import smtplib

import pytest

from .conftest import unverified
from .imap_line import ImapLine


def plain(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.fixture
def imap(live):
    client = ImapLine(live.settings["imaps"])
    yield client
    client.close()


def test_imap_authenticate_as_someone_else_is_authorizationfailed(live, imap):
    answer = imap.ask(b"a AUTHENTICATE PLAIN " + plain("teacher\0student\0student").encode(), b"a")
    assert answer.startswith(b"a NO [AUTHORIZATIONFAILED]")
    assert imap.ask(b"b SELECT INBOX", b"b").startswith(b"b BAD")   # still not logged in
    imap.sock.sendall(b"c AUTHENTICATE PLAIN\r\n")
    assert imap.file.readline().startswith(b"+")
    assert imap.ask(plain("teacher\0student\0student").encode(), b"c").startswith(
        b"c NO [AUTHORIZATIONFAILED]")
    refused = [s for s in live.trace if s.explain == "imap.reply.authz_failed"]
    assert len(refused) == 2 and refused[0].params["authzid"] == "teacher"
    ok = imap.ask(b"d AUTHENTICATE PLAIN " + plain("student@example.test\0student\0student")
                  .encode(), b"d")
    assert ok.startswith(b"d OK")


@pytest.mark.parametrize("response", [b"=", plain("studentstudent").encode(), b"%%%",
                                      plain("\0student\0").encode()])
def test_imap_malformed_plain_is_bad_and_the_connection_stays(imap, response):
    assert imap.ask(b"a AUTHENTICATE PLAIN " + response, b"a") == b"a BAD Invalid SASL response\r\n"
    assert imap.ask(b"b LOGIN student student", b"b").startswith(b"b OK")


def test_smtp_auth_as_someone_else_is_535_5_7_8(live):
    with smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified(),
                          timeout=10) as client:
        client.ehlo()
        code, text = client.docmd("AUTH", "PLAIN " + plain("teacher\0student\0student"))
        assert (code, text[:5]) == (535, b"5.7.8")
        client.docmd("AUTH", "PLAIN")
        code, _ = client.docmd(plain("teacher@example.test\0student\0student"))
        assert code == 535
        code, _ = client.docmd("AUTH", "PLAIN %%%")
        assert code == 501
        code, _ = client.docmd("AUTH", "PLAIN " + plain("student@example.test\0student\0student"))
        assert code == 235
    assert any(s.explain == "smtp.reply.auth_not_authorized" for s in live.trace)
