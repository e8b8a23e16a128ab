"""Each common mis-configuration of Lab 16, made as a real client makes it, is named in the trace.

The clients are the stdlib's own (smtplib, poplib, imaplib, ssl) doing what a
mail program does with the wrong box ticked: SSL/TLS on a STARTTLS port, no
encryption on an SSL/TLS port, a password before STARTTLS, the wrong user
name or password, two POP3 clients at once, the MX port for sending.  Each
leaves one diagnosis step, whose explanation names the fix in ru and en.
"""
from __future__ import annotations

import base64
import imaplib
import poplib
import smtplib
import socket
import ssl

import pytest

from simulator.locale import explain

from .conftest import serving, unverified
from .test_clients import wait_for

PASSWORD = "right-one"


def diagnoses(live) -> list[tuple[str, int, str, str]]:
    """(key, standard port, ru text, en text) of every diagnosis step so far."""
    steps = live.call(lambda: [s for s in live.trace.steps if s.meta.get("diagnosis")])
    return [(s.meta["diagnosis"], s.meta["port"], explain(s.explain, s.params, "ru"),
             explain(s.explain, s.params, "en")) for s in steps]


def diagnosed(live, key: str) -> tuple[str, int, str, str]:
    """The diagnosis ``key`` once it is in the trace (the server records it as it happens)."""
    assert wait_for(lambda: any(d[0] == key for d in diagnoses(live)), seconds=30), \
        diagnoses(live)
    found = next(d for d in diagnoses(live) if d[0] == key)
    assert "{" not in found[2] + found[3]        # every placeholder filled, in both languages
    return found


@pytest.fixture(scope="module")
def live():
    with serving(users=[("ivanov", PASSWORD)], login_delay=0.0, handshake_timeout=1.0) as server:
        yield server


@pytest.fixture(scope="module")
def strict():
    with serving(users=[("ivanov", PASSWORD)], login_delay=0.0, require_tls=True) as server:
        yield server


@pytest.mark.parametrize("service", ["submission", "imap", "pop3"])
def test_ssl_tls_chosen_for_a_starttls_port(live, service):
    with socket.create_connection(("127.0.0.1", live.settings[service]), timeout=30) as raw, \
            pytest.raises(ssl.SSLError):
        unverified().wrap_socket(raw)           # the ClientHello meets a plain greeting
    _key, _port, ru, en = diagnosed(live, "tls_on_plain_port")
    assert "STARTTLS" in en and "SSL/TLS" in ru


def test_no_encryption_chosen_for_an_ssl_tls_port(live):
    """A plain client waits for a greeting that never comes (RFC 8314 §3)."""
    with pytest.raises((smtplib.SMTPServerDisconnected, ConnectionError)):
        smtplib.SMTP("127.0.0.1", live.settings["smtps"], timeout=30)
    _key, port, ru, en = diagnosed(live, "plain_on_tls_port_silent")
    assert port == 465 and "waited for the server's greeting" in en and "SSL/TLS" in ru


def test_plain_text_sent_to_an_ssl_tls_port(live):
    with socket.create_connection(("127.0.0.1", live.settings["imaps"]), timeout=30) as raw:
        raw.sendall(b"a1 CAPABILITY\r\n")
        assert raw.recv(100) == b""             # no TLS, no words: the server hangs up
    _key, port, _ru, en = diagnosed(live, "plain_on_tls_port")
    assert port == 993 and "plain text" in en


def test_the_password_before_starttls_where_tls_is_required(strict):
    plain = base64.b64encode(b"\0ivanov\0" + PASSWORD.encode()).decode()
    with smtplib.SMTP("127.0.0.1", strict.settings["submission"], timeout=30) as client:
        client.ehlo()
        assert client.docmd("AUTH", f"PLAIN {plain}")[0] == 538
    pop = poplib.POP3("127.0.0.1", strict.settings["pop3"], timeout=30)
    with pytest.raises(poplib.error_proto):
        pop.user("ivanov")
    pop.quit()
    imap = imaplib.IMAP4("127.0.0.1", strict.settings["imap"], timeout=30)
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
        imap.login("ivanov", PASSWORD)
    imap.logout()
    assert wait_for(lambda: sorted(p for k, p, _, _ in diagnoses(strict)
                                   if k == "auth_before_starttls") == [110, 143, 587],
                    seconds=30), diagnoses(strict)


def test_the_user_name_with_a_foreign_domain_and_an_unknown_one(live):
    imap = imaplib.IMAP4_SSL("127.0.0.1", live.settings["imaps"], ssl_context=unverified())
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap.login("ivanov@gmail.com", PASSWORD)         # the address the student typed
    imap.logout()
    _key, _port, _ru, en = diagnosed(live, "wrong_domain")
    assert "the user name is ivanov (or the full address ivanov@example.test)" in en
    pop = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    pop.user("ivan.ivanov")                              # a guess at the login
    with pytest.raises(poplib.error_proto):
        pop.pass_(PASSWORD)
    pop.quit()
    _key, _port, ru, en = diagnosed(live, "unknown_user")
    assert "ivan.ivanov" in en and "ivan.ivanov" in ru


def test_a_wrong_password_in_each_protocol(live):
    before = sum(k == "wrong_password" for k, *_ in diagnoses(live))
    with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as client:
        client.starttls(context=unverified())
        with pytest.raises(smtplib.SMTPAuthenticationError) as refused:
            client.login("ivanov", "wrong")
    assert refused.value.smtp_code == 535
    pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
    pop.stls(unverified())
    pop.user("ivanov")
    with pytest.raises(poplib.error_proto, match=r"\[AUTH\]"):
        pop.pass_("wrong")
    pop.quit()
    imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=30)
    imap.starttls(ssl_context=unverified())
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap.login("ivanov@example.test", "wrong")
    imap.logout()
    assert wait_for(lambda: sum(k == "wrong_password" for k, *_ in diagnoses(live))
                    == before + 3, seconds=30), [d[:2] for d in diagnoses(live)]
    ports = [p for k, p, _, _ in diagnoses(live) if k == "wrong_password"][-3:]
    assert ports == [587, 110, 143]


def test_pop3_locked_by_another_client(live):
    first = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    first.user("ivanov")
    first.pass_(PASSWORD)
    second = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    second.user("ivanov")
    with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
        second.pass_(PASSWORD)
    second.quit()
    first.quit()
    _key, _port, ru, en = diagnosed(live, "pop3_in_use")
    assert "ivanov" in en and "телефон" in ru


def test_the_mx_port_instead_of_submission(live):
    with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=30) as client:
        client.starttls(context=unverified())
        client.ehlo()
        assert not client.has_extn("auth")               # no login on the MX port
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            client.sendmail("ivanov@example.test", ["friend@other.test"], b"\r\nhi\r\n")
    _key, port, ru, en = diagnosed(live, "mx_port")
    assert port == 25 and "587" in en and "587" in ru


def test_my_server_requires_authentication_not_ticked(live):
    with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as client:
        client.starttls(context=unverified())
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            client.sendmail("ivanov@example.test", ["friend@other.test"], b"\r\nhi\r\n")
    assert refused.value.smtp_code == 530
    _key, _port, ru, en = diagnosed(live, "smtp_auth_off")
    assert "requires authentication" in en and "проверка подлинности" in ru


def test_a_certificate_the_client_does_not_trust(live):
    strict_client = ssl.create_default_context()         # no exception accepted yet
    with socket.create_connection(("127.0.0.1", live.settings["imaps"]), timeout=30) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        strict_client.wrap_socket(raw, server_hostname="localhost")
    _key, _port, ru, en = diagnosed(live, "certificate_refused")
    assert "fingerprint" in en and "отпечаток" in ru
