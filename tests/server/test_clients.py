"""Real clients (smtplib, poplib, imaplib) against ``mailsim serve``: send → receive, byte-exact."""
import email
import email.policy
import imaplib
import poplib
import smtplib
import time
from email.message import EmailMessage

import pytest

from .conftest import unverified

ATTACHMENT = bytes(range(256)) * 40


def compose(subject: str, charset: str, attachment: bool = False) -> bytes:
    message = EmailMessage()
    message["From"] = "student@example.test"
    message["To"] = "teacher@example.test"
    message["Subject"] = subject
    text = "Hello, a check.\n" if charset == "us-ascii" else "Привет, это проверка.\n"
    message.set_content(text + "Line two.\n", charset=charset)
    if attachment:
        message.add_attachment(ATTACHMENT, maintype="application", subtype="octet-stream",
                               filename="data.bin")
    if charset == "koi8-r":     # RFC 2047 encoded word in KOI8-R, as old Russian clients sent
        del message["Subject"]
        message["Subject"] = email.header.Header(subject, "koi8-r").encode()
    return message.as_bytes(policy=email.policy.SMTP)


def submit(live, data: bytes, to=("teacher@example.test",)) -> dict:
    with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=10) as client:
        client.starttls(context=unverified())
        client.login("student", "student")
        return client.sendmail("student@example.test", list(to), data)


def wait_for(predicate, seconds=5.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def inbox(live, address):
    return live.call(lambda: list(live.world.net.store.account(address).inbox.messages))


@pytest.mark.parametrize("subject,charset", [("Plain text", "us-ascii"),
                                             ("Привет из KOI8-R", "koi8-r"),
                                             ("Привет из UTF-8", "utf-8")])
def test_submit_then_pop3_and_imap_read_the_same_bytes(live, subject, charset):
    sent = compose(subject, charset, attachment=charset == "utf-8")
    assert submit(live, sent) == {}
    assert wait_for(lambda: inbox(live, "teacher@example.test"))
    pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=10)
    pop.stls(unverified())
    pop.user("teacher")
    pop.pass_("teacher")
    lines = pop.retr(1)[1]
    pop.quit()
    by_pop = b"\r\n".join(lines) + b"\r\n"
    imap = imaplib.IMAP4_SSL("127.0.0.1", live.settings["imaps"], ssl_context=unverified())
    imap.login("teacher@example.test", "teacher")
    imap.select("INBOX")
    by_imap = imap.fetch("1", "(BODY.PEEK[])")[1][0][1]
    imap.logout()
    assert by_pop == by_imap
    assert by_imap.endswith(sent)           # the MTA and MDA only prepend headers
    parsed = email.message_from_bytes(by_imap, policy=email.policy.default)
    assert parsed["Subject"] == subject
    if charset == "utf-8":
        (part,) = list(parsed.iter_attachments())
        assert part.get_content() == ATTACHMENT


def test_apop_and_implicit_tls(live):
    submit(live, compose("apop", "utf-8"))
    assert wait_for(lambda: inbox(live, "teacher@example.test"))
    pop = poplib.POP3_SSL("127.0.0.1", live.settings["pop3s"], context=unverified(), timeout=10)
    pop.apop("teacher", "teacher")
    assert pop.stat()[0] == 1
    pop.quit()
    with smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified()) as client:
        client.login("teacher@example.test", "teacher")
        assert client.sendmail("teacher@example.test", ["student@example.test"], b"x\r\n") == {}


def test_relay_to_other_domain_and_bounce_from_unknown(live):
    submit(live, compose("away", "utf-8"), to=("friend@other.test", "nobody@unknown.invalid"))
    assert wait_for(lambda: inbox(live, "friend@other.test"))
    assert wait_for(lambda: inbox(live, "student@example.test"))     # the DSN (RFC 3464)
    (bounce,) = inbox(live, "student@example.test")
    assert b"nobody@unknown.invalid" in bounce.data


def test_mx_port_refuses_unauthenticated_relay(live):
    with smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=10) as client:
        client.ehlo("outside.example")
        client.mail("spammer@outside.example")
        code, text = client.rcpt("victim@elsewhere.example")
        assert 500 <= code < 600, text
        assert client.rcpt("teacher@example.test")[0] == 250


def test_imap_idle_sees_a_new_delivery(live):
    imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=10)
    imap.starttls(unverified())
    imap.login("teacher", "teacher")
    imap.select("INBOX")
    tag = imap._new_tag()
    imap.send(tag + b" IDLE\r\n")
    assert imap.readline().startswith(b"+")
    submit(live, compose("idle", "utf-8"))
    assert b"EXISTS" in imap.readline()
    imap.send(b"DONE\r\n")
    while not (line := imap.readline()).startswith(tag):
        assert line.startswith(b"* ")           # e.g. * 1 RECENT (RFC 3501 §7.3.2)
    assert line.startswith(tag + b" OK")
    imap.logout()


def test_live_trace_has_the_dialogue(live):
    submit(live, compose("trace", "utf-8"))
    lines = [s.line for s in live.trace if s.protocol == "SMTP"]
    assert any(line.startswith("AUTH PLAIN") for line in lines)
    assert any(line.startswith("250 2.0.0 Ok: queued") for line in lines)
    delivered = [s for s in live.trace if s.explain == "mda.deliver"]
    queued = next(s.index for s in live.trace if s.line.startswith("250 2.0.0 Ok: queued"))
    assert delivered and delivered[0].index < queued     # on disk before the 250
