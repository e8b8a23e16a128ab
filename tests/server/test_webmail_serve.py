"""The webmail of ``mailsim serve`` (offset+80) with real clients: curl with a cookie jar
logs in, lists the inbox, reads a message and sends one; imaplib finds it at the other
account."""
import imaplib
import re
import shutil
import subprocess
import urllib.request
from email import message_from_bytes
from email.policy import default

import pytest

from .conftest import unverified
from .test_clients import compose, inbox, submit, wait_for

CURL = shutil.which("curl")


def _curl(jar, *args: str) -> str:
    done = subprocess.run([CURL, "-sS", "--max-time", "20", "-b", str(jar), "-c", str(jar),
                           "-w", "\n%{http_code}", *args], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


@pytest.mark.skipif(CURL is None, reason="curl is not installed (.ci/run installs it)")
def test_curl_logs_in_reads_and_sends_and_imap_sees_the_message(live, tmp_path):
    assert submit(live, compose("Привет из UTF-8", "utf-8"), to=("student@example.test",)) == {}
    assert wait_for(lambda: inbox(live, "student@example.test"))
    base, jar = f"http://127.0.0.1:{live.settings['http']}", tmp_path / "cookies.txt"

    page = _curl(jar, "-L", f"{base}/inbox")             # no cookie: back to the login form
    assert page.endswith("\n200") and 'action="/login"' in page
    page = _curl(jar, "-L", "--data-urlencode", "user=student", "--data-urlencode",
                 "password=wrong", f"{base}/login")
    assert "Wrong e-mail address or password" in page
    page = _curl(jar, "-L", "--data-urlencode", "user=student", "--data-urlencode",
                 "password=student", f"{base}/login")
    assert page.endswith("\n200") and "Привет из UTF-8" in page
    assert "sid" in jar.read_text() and "#HttpOnly_" in jar.read_text()
    uid = re.search(r'href="/message/(\d+)"', page).group(1)
    page = _curl(jar, f"{base}/message/{uid}")
    assert page.endswith("\n200") and "Привет, это проверка." in page
    page = _curl(jar, "-L", "--data-urlencode", "to=teacher@example.test", "--data-urlencode",
                 "subject=Из веб-почты", "--data-urlencode", "body=Ответ <b>тег</b>",
                 f"{base}/send")
    assert page.endswith("\n200") and "Message sent." in page

    assert wait_for(lambda: inbox(live, "teacher@example.test"))
    imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=10)
    imap.starttls(unverified())
    imap.login("teacher", "teacher")
    imap.select("INBOX")
    _, data = imap.fetch("1", "(BODY[])")
    imap.logout()
    message = data[0][1]
    parsed = message_from_bytes(message, policy=default)
    assert parsed["From"].addresses[0].addr_spec == "student@example.test"
    assert parsed["Subject"] == "Из веб-почты"
    assert parsed.get_content().rstrip() == "Ответ <b>тег</b>"


def test_the_webmail_answers_a_bare_http_client_and_keeps_the_trace(live):
    url = f"http://127.0.0.1:{live.settings['http']}/"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200 and b'action="/login"' in answer.read()
    with urllib.request.urlopen(url + "inbox", timeout=10) as answer:     # no session: 303 → /
        assert answer.url == url and b'action="/login"' in answer.read()
    steps = live.call(lambda: [s.explain for s in live.world.trace.steps if s.protocol == "HTTP"])
    assert "http.request.GET" in steps and "http.response.200" in steps
