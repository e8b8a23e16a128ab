"""A scenario's forced replies (``faults: kind: reply``) on the real server's SMTP ports.

The hook that asks the faults is there only when the scenario has such a
fault; these tests check that a served scenario with one still answers
with it, and that ``--require-tls`` still refuses AUTH in clear first.
"""
import smtplib
from importlib import resources

from .conftest import serving, unverified

FAULTS = """
faults:
  - kind: reply                 # greylisting on the MX: the first RCPT only
    node: mail.example.test
    command: RCPT
    times: 1
    reply: "450 4.7.1 Greylisted, please try again later"
  - kind: reply                 # a full disk, said after the message (RFC 5321 §4.1.1.4)
    node: mail.example.test
    after: DATA
    reply: "452 4.3.1 Insufficient system storage"
  - kind: reply                 # the teacher breaks the login service
    node: mail.example.test
    command: AUTH
    reply: "454 4.7.0 Temporary authentication failure"
"""

PLAIN = "PLAIN AHN0dWRlbnQAc3R1ZGVudA=="         # student / student (RFC 4616)


def faulty_classroom(tmp_path) -> str:
    text = resources.files("simulator.scenarios").joinpath("classroom.yaml").read_text("utf-8")
    path = tmp_path / "classroom-faults.yaml"
    path.write_text(text + FAULTS, encoding="utf-8")
    return str(path)


def test_forced_replies_answer_the_command_and_the_message_they_name(tmp_path):
    with serving(scenario=faulty_classroom(tmp_path)) as live, \
            smtplib.SMTP("127.0.0.1", live.settings["smtp"], timeout=5) as client:
        client.ehlo()
        assert client.mail("someone@other.test")[0] == 250
        greylisted = client.rcpt("student@example.test")
        assert greylisted == (450, b"4.7.1 Greylisted, please try again later")
        assert client.rcpt("student@example.test")[0] == 250
        stored = client.data(b"Subject: hello\r\n\r\nnot stored\r\n")
        assert stored == (452, b"4.3.1 Insufficient system storage")


def test_require_tls_answers_auth_in_clear_before_any_forced_reply(tmp_path):
    with serving(scenario=faulty_classroom(tmp_path), require_tls=True) as live, \
            smtplib.SMTP("127.0.0.1", live.settings["submission"], timeout=5) as client:
        client.ehlo()
        assert client.docmd("AUTH", PLAIN)[0] == 538       # RFC 4954 §4
        client.starttls(context=unverified())
        client.ehlo()
        assert client.docmd("AUTH", PLAIN) == (454, b"4.7.0 Temporary authentication failure")
