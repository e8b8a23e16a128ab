"""Failed logins are answered later and later, per connection and per address; others go on."""
import base64
import imaplib
import poplib
import smtplib
import socket

import pytest

from simulator.server.throttle import LoginThrottle

from .conftest import serving, unverified
from .test_limits import wait_until


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_delay_grows_with_failures_and_stops_at_the_limit():
    throttle = LoginThrottle(step=1.0, limit=3.5, clock=FakeClock())
    delays = [throttle.failed("10.0.0.1", n).seconds for n in range(1, 6)]
    assert delays == [1.0, 2.0, 3.0, 3.5, 3.5]


def test_failures_from_one_address_count_across_connections_and_are_forgotten_later():
    clock = FakeClock()
    throttle = LoginThrottle(step=1.0, limit=100, clock=clock)
    for _ in range(4):
        throttle.failed("10.0.0.1", 1)                  # four connections, one failure each
    assert throttle.failed("10.0.0.1", 1).seconds == 5.0
    assert throttle.failed("10.0.0.2", 1).seconds == 1.0     # another address starts afresh
    clock.now += 3600
    assert throttle.failed("10.0.0.1", 1).seconds == 1.0


def test_zero_step_turns_the_delay_off():
    assert LoginThrottle(step=0).failed("10.0.0.1", 7).seconds == 0.0


def delays(live):
    return [float(s.params["seconds"]) for s in live.trace
            if s.explain == "serve.explain.login_delay"]


def test_every_protocol_holds_its_failed_login_answers_longer_each_time():
    with serving(login_delay=0.01) as live:
        with smtplib.SMTP_SSL("127.0.0.1", live.settings["smtps"], context=unverified()) as smtp:
            smtp.ehlo()
            for _ in range(2):
                wrong = base64.b64encode(b"\0student\0wrong").decode()
                assert smtp.docmd("AUTH", f"PLAIN {wrong}")[0] == 535
        pop = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
        pop.user("student")
        with pytest.raises(poplib.error_proto):
            pop.pass_("wrong")
        pop.quit()
        imap = imaplib.IMAP4("127.0.0.1", live.settings["imap"], timeout=30)
        with pytest.raises(imaplib.IMAP4.error):
            imap.login("student", "wrong")
        imap.logout()
        # Four failures from 127.0.0.1 so far: each answer waited one step longer.
        assert delays(live) == pytest.approx([0.01, 0.02, 0.03, 0.04])


def test_a_client_waiting_for_its_failed_login_answer_holds_up_nobody():
    with serving(login_delay=600,
                             login_delay_max=600) as live:
        guesser = socket.create_connection(("127.0.0.1", live.settings["pop3"]), 30)
        reader = guesser.makefile("rb")
        reader.readline()
        guesser.sendall(b"USER student\r\nPASS wrong\r\n")
        assert reader.readline().startswith(b"+OK")           # USER
        assert wait_until(lambda: live.call(lambda: delays(live)))   # PASS: answer held
        other = poplib.POP3("127.0.0.1", live.settings["pop3"], timeout=30)
        other.user("teacher")
        assert other.pass_("teacher").startswith(b"+OK")      # no wait for the right password
        other.quit()
        live.stop()
        # The held answer never came: the first thing the guesser hears is the goodbye.
        assert reader.readline().startswith(b"-ERR [SYS/TEMP] Server shutting down")
