"""A bug in a Handler hook becomes 451 (try later), never a traceback or a lost message."""
from smtp_kit import ask, make_server

from simulator.protocols.smtp import Handler, State


class Broken(Handler):
    def handle_RCPT(self, session, envelope, path):
        if path.mailbox.startswith("boom"):
            raise RuntimeError("disk on fire")

    def handle_DATA(self, session, envelope):
        raise KeyError("queue")

    def authenticate(self, session, mechanism, username, password):
        raise ConnectionError("password database down")


def test_a_failing_rcpt_hook_gets_451_and_the_session_goes_on():
    server = make_server(Broken())
    replies = ask(server, "EHLO c.test", "MAIL FROM:<a@c.test>", "RCPT TO:<boom@foo.com>",
                  "RCPT TO:<ok@foo.com>")
    assert [r.code for r in replies[1:]] == [250, 451, 250]
    assert replies[2].enhanced == "4.3.0"
    assert server.state is State.RCPT
    assert len(server.handler.errors) == 1


def test_a_failing_data_hook_gets_451_after_the_dot_so_the_client_keeps_the_message():
    server = make_server(Broken())
    replies = ask(server, "EHLO c.test", "MAIL FROM:<a@c.test>", "RCPT TO:<ok@foo.com>", "DATA",
                  "Subject: x", "", "hello", ".")
    assert [r.code for r in replies] == [250, 250, 250, 354, 451]
    assert ask(server, "NOOP")[0].code == 250


def test_a_failing_authenticate_hook_is_a_failed_login():
    server = make_server(Broken(), offer_auth=True)
    replies = ask(server, "EHLO c.test", "AUTH PLAIN AHUAcA==")
    assert replies[-1].code == 535 and server.auth_user is None
