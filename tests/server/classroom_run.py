"""A lesson of Lab 16 played by real stdlib clients against ``mailsim serve --students 10``.

Some students do every step of ``exercises/lab16/classroom.yaml``, some a few,
and the others make one of the usual mistakes of Build 5 each, byte for byte
as a mis-configured client does.  Each student connects from an address of
their own (127.0.0.N: the loopback network is all of 127/8 on Linux), as on
lab PCs, so a mistake made before any login is still someone's.
The tests of the class's progress and of the teacher's dashboard share it.
"""
from __future__ import annotations

import imaplib
import poplib
import smtplib
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path

from simulator.server.roster import read_roster

from .conftest import serving, unverified
from .test_clients import wait_for

BANK = Path(__file__).resolve().parents[2] / "exercises" / "lab16" / "classroom.yaml"
STUDENTS = 10
#: What each student did, and the points the bank gives it (the grade CSV's row).
EXPECTED = {
    "student01": ([1, 1, 1, 1, 1, 1], None),            # every step
    "student02": ([1, 1, 0, 0, 0, 1], None),            # POP3 with DELE: no copy left
    "student03": ([0, 0, 0, 0, 0, 0], "wrong_password"),
    "student04": ([0, 0, 0, 0, 0, 0], "wrong_domain"),
    "student05": ([0, 1, 0, 1, 0, 0], "pop3_in_use"),   # the first session read and kept it
    "student06": ([1, 0, 0, 0, 0, 0], "tls_on_plain_port"),
    "student07": ([0, 0, 0, 0, 0, 0], "plain_on_tls_port"),
    "student08": ([0, 0, 0, 0, 0, 0], "auth_before_starttls"),
    "student09": ([0, 0, 0, 0, 0, 0], "mx_port"),
    "student10": ([0, 0, 0, 0, 0, 0], "smtp_auth_off"),
}
#: A client at an address where nobody has logged in, with a user name nobody has.
STRANGER = "127.0.0.99"


@dataclass
class Lesson:
    trace: Path
    passwords: Path
    diagnoses: list[tuple[str, str]]        # (key, the client's address) as the server saw them
    steps: list                             # the live trace's steps in memory


def _source(n: int) -> str:
    return f"127.0.0.{10 + n}"


def _connect(live, service: str, source: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", live.settings[service]), timeout=30,
                                    source_address=(source, 0))


def _smtp(live, source: str, port: str = "submission") -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", live.settings[port], timeout=30,
                        source_address=(source, 0))


def send(live, source, student, to, tls=True) -> None:
    """A message from ``student`` (at the client address ``source``) to ``to``."""
    with _smtp(live, source) as client:
        if tls:
            client.starttls(context=unverified())
        client.login(student.login, student.password)
        client.sendmail(f"{student.login}@example.test", [f"{to}@example.test"],
                        f"Subject: from {student.login}\r\n\r\nhello\r\n".encode())


def _pop3_read(live, student, delete: bool) -> None:
    pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
    pop.stls(unverified())
    pop.user(student.login)
    pop.pass_(student.password)
    pop.retr(1)
    if delete:
        pop.dele(1)
    pop.quit()


def _imap_everything(live, student) -> None:
    imap = imaplib.IMAP4_SSL("127.0.0.1", live.settings["imaps"], ssl_context=unverified())
    imap.login(f"{student.login}@example.test", student.password)
    imap.select("INBOX")
    assert imap.fetch("1", "(BODY.PEEK[])")[0] is not None
    assert imap.create('"Lab 16"')[0] == "OK"
    assert imap.uid("MOVE", "1", '"Lab 16"')[0] == "OK"
    imap.logout()


def _logs_in(live, source: str, student) -> None:
    """A login from the student's PC (so a later mistake from there is theirs)."""
    with _smtp(live, source) as client:
        client.starttls(context=unverified())
        client.login(student.login, student.password)


def play(live, students) -> None:
    s = {st.login: st for st in students}
    # student01: everything, over TLS; student02 writes to student03, deletes over POP3.
    send(live, _source(1), s["student01"], "student01")
    send(live, _source(1), s["student01"], "student02")
    send(live, _source(2), s["student02"], "student03")
    send(live, _source(2), s["student02"], "student02")
    assert wait_for(lambda: all(_has_mail(live, f"student0{n}@example.test") for n in (1, 2)),
                    seconds=60)
    _pop3_read(live, s["student01"], delete=False)
    _imap_everything(live, s["student01"])
    _pop3_read(live, s["student02"], delete=True)
    # student03: a wrong password (IMAP NO [AUTHENTICATIONFAILED]).
    imap = imaplib.IMAP4_SSL("127.0.0.1", live.settings["imaps"], ssl_context=unverified())
    try:
        imap.login("student03", "not-my-password")
    except imaplib.IMAP4.error:
        pass
    imap.logout()
    # student04: the full address with another domain as the user name.
    pop = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    pop.user("student04@gmail.com")
    try:
        pop.pass_(s["student04"].password)
    except poplib.error_proto:
        pass
    pop.quit()
    # student05: a phone holds the maildrop; the PC's second session meets [IN-USE].
    send(live, _source(1), s["student01"], "student05")
    assert wait_for(lambda: _has_mail(live, "student05@example.test"), seconds=60)
    phone = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    phone.user("student05")
    phone.pass_(s["student05"].password)
    pc = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified())
    pc.user("student05")
    try:
        pc.pass_(s["student05"].password)
    except poplib.error_proto:
        pass
    pc.quit()
    phone.retr(1)
    phone.quit()
    # student06: sends over TLS, then sets IMAP to SSL/TLS on the STARTTLS port 143.
    send(live, _source(6), s["student06"], "student06")
    with _connect(live, "imap", _source(6)) as raw:
        try:
            unverified().wrap_socket(raw)
        except (ssl.SSLError, OSError):
            pass
    # student07: logs in, then speaks plain text to the SSL/TLS port 993.
    _logs_in(live, _source(7), s["student07"])
    with _connect(live, "imaps", _source(7)) as raw:
        raw.sendall(b"a1 CAPABILITY\r\n")
        raw.recv(100)
    # student08: logs in, then offers the password before STARTTLS (TLS required).
    _logs_in(live, _source(8), s["student08"])
    with _smtp(live, _source(8)) as client:
        client.ehlo()
        client.docmd("AUTH", "PLAIN AHN0dWRlbnQwOAB4")
    # student09: logs in, then sends through the MX port 25 to another domain.
    _logs_in(live, _source(9), s["student09"])
    with _smtp(live, _source(9), "smtp") as client:
        client.starttls(context=unverified())
        try:
            client.sendmail("student09@example.test", ["friend@other.test"], b"\r\nhi\r\n")
        except smtplib.SMTPRecipientsRefused:
            pass
    # student10: logs in elsewhere, then forgets "my server requires authentication".
    _logs_in(live, _source(10), s["student10"])
    with _smtp(live, _source(10)) as client:
        client.starttls(context=unverified())
        try:
            client.sendmail("student10@example.test", ["student01@example.test"], b"\r\nhi\r\n")
        except smtplib.SMTPSenderRefused:
            pass
    # Someone nobody knows, at an address nobody logged in from.
    with _smtp(live, STRANGER) as client:
        client.starttls(context=unverified())
        try:
            client.login("ivan.ivanov", "guess")
        except smtplib.SMTPAuthenticationError:
            pass


def _has_mail(live, address: str) -> bool:
    return live.call(lambda: bool(live.world.net.store.account(address).inbox.messages))


def _all_closed(live) -> bool:
    """Every client connection has its close step (the server records it after the client
    has gone, so the test waits for it instead of sleeping)."""
    def count():
        steps = live.trace.steps
        opened = sum(1 for s in steps if s.explain == "serve.explain.connect")
        closed = sum(1 for s in steps if s.explain == "net.close" and s.meta.get("live"))
        return opened, closed
    opened, closed = live.call(count)
    return opened == closed


def run_lesson(folder: Path) -> Lesson:
    trace, passwords = folder / "live.jsonl", folder / "passwords.csv"
    with serving(students=STUDENTS, passwords_path=str(passwords), trace_path=str(trace),
                 require_tls=True, login_delay=0.0, handshake_timeout=2.0) as live:
        students = read_roster(passwords)
        play(live, students)
        assert wait_for(lambda: _all_closed(live), seconds=60)
        steps = live.call(lambda: list(live.trace.steps))
    diagnoses = [(s.meta["diagnosis"], s.src.rpartition(":")[0]) for s in steps
                 if s.meta.get("diagnosis")]
    return Lesson(trace, passwords, diagnoses, steps)
