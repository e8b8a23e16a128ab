"""The webmail of ``mailsim serve`` in Chromium: a student logs in, reads a message, writes
one, and the teacher finds it over IMAP (imaplib) — issue 15's real-browser check."""
from __future__ import annotations

import imaplib
import random
import smtplib
import socket
import ssl
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

from browser_kit import PAGE, chromium_page, needs_chromium

from simulator.server import LiveServer, ServeOptions
from simulator.server.services import SERVICE_TABLE

needs_chromium()


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _serve() -> LiveServer:
    """``mailsim serve`` on an offset where every standard port is free (tried at random)."""
    for _ in range(50):
        offset = random.randrange(20000, 60000, 7)
        if all(_free(port + offset) for _, _, port, _, _ in SERVICE_TABLE):
            try:
                return LiveServer(ServeOptions(port_offset=offset)).start()
            except OSError:
                continue
    raise RuntimeError("no free port range")


def _tls() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def _wait(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_student_reads_and_writes_in_the_webmail(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    live = _serve()
    try:
        message = EmailMessage()
        message["From"], message["To"] = "teacher@example.test", "student@example.test"
        message["Subject"] = "Задание на неделю"
        message.set_content("Прочитайте главу 3 <до пятницы>.\n")
        with smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=30) as smtp:
            smtp.starttls(context=_tls())
            smtp.login("teacher", "teacher")
            smtp.send_message(message)
        inbox = lambda who: live.call(
            lambda: list(live.world.net.store.account(who).inbox.messages))
        assert _wait(lambda: inbox("student@example.test"))

        with chromium_page() as page:
            page.set_default_timeout(PAGE)
            page.goto(f"http://127.0.0.1:{live.settings['http']}/")
            page.fill("input[name=user]", "student")
            page.fill("input[name=password]", "student")
            page.click("button[type=submit]")
            page.get_by_role("link", name="Задание на неделю").click()
            page.wait_for_selector("pre")
            assert "Прочитайте главу 3 <до пятницы>." in page.inner_text("pre")
            page.get_by_role("link", name="Write").click()
            page.fill("input[name=to]", "teacher@example.test")
            page.fill("input[name=subject]", "Re: Задание")
            page.fill("textarea[name=body]", "Прочитал, спасибо!")
            page.click("form[action='/send'] button")
            page.get_by_role("status").wait_for()
            assert page.get_by_role("status").inner_text() == "Message sent."

        assert _wait(lambda: inbox("teacher@example.test"))
        imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=30)
        imap.starttls(_tls())
        imap.login("teacher", "teacher")
        imap.select("INBOX", readonly=True)
        _, found = imap.search(None, "SUBJECT", '"Re:"')
        _, data = imap.fetch(found[0].split()[-1], "(BODY[])")
        imap.logout()
        assert "Прочитал, спасибо!".encode() in data[0][1]
        sent = message_from_bytes(data[0][1], policy=default)
        assert sent["From"].addresses[0].addr_spec == "student@example.test"
    finally:
        live.stop()
