"""A whole class at once (issue 17, "Done when"): 30 students, real stdlib clients, TLS names.

Every student logs in on their own account and does what Lab 16 asks with the
security a real client would choose: submission with STARTTLS and AUTH
(RFC 6409, RFC 3207, RFC 4954), POP3 with STLS and IMAP with STARTTLS
(RFC 2595).  Each student writes to the next one, so every mailbox must hold
exactly one message, and it must be the one addressed to it.
"""
from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket
import ssl
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator.server.roster import read_roster

from .conftest import serving, unverified
from .test_clients import inbox, wait_for

CLASS_SIZE = 30


def _send(port: int, sender, receiver) -> dict:
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.starttls(context=unverified())
        client.login(sender.login, sender.password)
        body = (f"From: {sender.login}@example.test\r\nTo: {receiver.login}@example.test\r\n"
                f"Subject: from {sender.login} to {receiver.login}\r\n\r\nhello\r\n")
        return client.sendmail(f"{sender.login}@example.test",
                               [f"{receiver.login}@example.test"], body.encode())


def _read_pop3(port: int, student) -> list[bytes]:
    pop = poplib.POP3("127.0.0.1", port, timeout=60)
    try:
        pop.stls(unverified())
        pop.user(student.login)
        pop.pass_(student.password)
        count = pop.stat()[0]
        return [line for n in range(1, count + 1) for line in pop.top(n, 0)[1]
                if line.startswith(b"Subject:")]
    finally:
        pop.quit()                          # nothing was deleted: the mail stays


def _read_imap(port: int, student) -> list[bytes]:
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    try:
        imap.starttls(ssl_context=unverified())
        imap.login(f"{student.login}@example.test", student.password)
        imap.select("INBOX", readonly=True)
        data = imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1]
        return [item[1].strip() for item in data if isinstance(item, tuple)]
    finally:
        imap.logout()


def test_thirty_students_at_once_each_mail_only_in_its_own_mailbox(tmp_path):
    with serving(students=CLASS_SIZE, passwords_path=str(tmp_path / "pw.csv")) as live:
        students = read_roster(tmp_path / "pw.csv")
        assert len(students) == CLASS_SIZE and len({s.password for s in students}) == CLASS_SIZE
        after = {s.login: students[(i + 1) % CLASS_SIZE] for i, s in enumerate(students)}
        before = {after[s.login].login: s for s in students}
        with ThreadPoolExecutor(CLASS_SIZE) as pool:
            sent = list(pool.map(lambda s: _send(live.settings["submission"], s,
                                                 after[s.login]), students))
        assert sent == [{}] * CLASS_SIZE
        assert wait_for(lambda: all(inbox(live, f"{s.login}@example.test") for s in students),
                        seconds=120)
        with ThreadPoolExecutor(CLASS_SIZE) as pool:
            by_pop = dict(zip(students, pool.map(
                lambda s: _read_pop3(live.settings["pop3"], s), students), strict=True))
            by_imap = dict(zip(students, pool.map(
                lambda s: _read_imap(live.settings["imap"], s), students), strict=True))
        logins = live.call(lambda: [(s.protocol, s.meta["user"]) for s in live.trace.steps
                                    if s.meta.get("user")])
    for student in students:                # each connection says whose it is
        address = f"{student.login}@example.test"
        assert sorted(p for p, user in logins if user == address) == ["IMAP", "POP3", "SMTP"]
        expected = [f"Subject: from {before[student.login].login} to {student.login}".encode()]
        assert by_pop[student] == expected
        assert by_imap[student] == expected


def _verified_handshake(port: int, cafile: str, name: str) -> dict:
    """A TLS handshake that checks the certificate against ``name`` (as a client given it)."""
    context = ssl.create_default_context(cafile=cafile)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname=name) as tls:
        return tls.getpeercert()


def test_the_certificate_verifies_for_every_tls_name(tmp_path):
    with serving(tls_names=["10.0.0.5", "lab.local"]) as live:
        cafile = str(live.server.certificate)
        for name in ("10.0.0.5", "lab.local"):
            cert = _verified_handshake(live.settings["imaps"], cafile, name)
            assert ("DNS", "lab.local") in cert["subjectAltName"]
            assert ("IP Address", "10.0.0.5") in cert["subjectAltName"]
        with pytest.raises(ssl.SSLCertVerificationError):
            _verified_handshake(live.settings["imaps"], cafile, "other.local")
