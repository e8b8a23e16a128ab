"""Server-side ESMTP: EHLO keywords, enhanced codes, STARTTLS, AUTH, HELP, VRFY, hooks."""
from __future__ import annotations

import base64

import pytest
from smtp_kit import Users, ask, make_server, new_server, script, split_replies

from simulator.protocols._base import LocalProtocolError
from simulator.protocols.smtp import (
    AuthFailed,
    AuthSucceeded,
    Handler,
    Reply,
    State,
    TLSRequested,
    reply,
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def ehlo_keywords(server) -> list[str]:
    (answer,) = ask(server, "EHLO client.test")
    return list(answer.lines[1:])


# --- EHLO and enhanced status codes ----------------------------------------------------

def test_ehlo_lists_the_configured_extensions():
    server = make_server(Users(), starttls=True, offer_auth=True, max_message_size=5000)
    assert ehlo_keywords(server) == ["PIPELINING", "SIZE 5000", "8BITMIME", "SMTPUTF8",
                                     "STARTTLS", "AUTH PLAIN LOGIN", "ENHANCEDSTATUSCODES", "HELP"]


def test_plain_port_25_server_offers_no_tls_and_no_auth():
    keywords = ehlo_keywords(make_server(Users(), pipelining=False))
    assert "STARTTLS" not in keywords and not any(k.startswith("AUTH") for k in keywords)
    assert "PIPELINING" not in keywords


def test_enhanced_codes_after_ehlo_but_not_after_helo():
    server = make_server(Users())
    ask(server, "EHLO client.test")
    assert ask(server, "NOOP")[0].wire == b"250 2.0.0 OK\r\n"
    ask(server, "HELO client.test")
    assert ask(server, "NOOP")[0].wire == b"250 OK\r\n"


def test_greeting_is_220_with_hostname():
    server = new_server(hostname="mx.example.test")
    assert server.data_to_send() == b"220 mx.example.test ESMTP mailsim\r\n"


def test_body_8bitmime_is_recorded_on_the_envelope():
    server = make_server(Users())
    ask(server, "EHLO c.test", "MAIL FROM:<a@b.test> BODY=8BITMIME SIZE=20")
    assert server.envelope.body_type == "8BITMIME" and server.envelope.declared_size == 20


# --- STARTTLS (RFC 3207) -------------------------------------------------------------

def tls_server():
    server = make_server(Users(), starttls=True)
    ask(server, "EHLO client.test")
    return server


def test_starttls_pauses_for_the_handshake_and_resets_the_session():
    server = tls_server()
    events = server.receive_data(script("STARTTLS"))
    assert split_replies(server.data_to_send())[0].code == 220
    assert TLSRequested() in events and server.state is State.TLS
    server.tls_started()
    assert server.secure and server.state is State.INIT
    (refused,) = ask(server, "MAIL FROM:<a@b.test>")
    assert refused.code == 503                                # EHLO must come again
    assert "STARTTLS" not in ehlo_keywords(server)
    ask(server, "MAIL FROM:<a@b.test>")
    assert server.envelope.tls


def test_plaintext_pipelined_after_starttls_is_discarded():
    # CVE-2011-0411: commands injected before the handshake must never run.
    server = tls_server()
    events = server.receive_data(script("STARTTLS", "MAIL FROM:<evil@x.test>"))
    assert [r.code for r in split_replies(server.data_to_send())] == [220]
    server.tls_started()
    assert server.state is State.INIT and server.envelope.mail_from is None
    assert any(u.explain == "smtp.tls.discarded" for u in server.take_transcript())
    assert len([e for e in events if type(e).__name__ == "CommandReceived"]) == 1


def test_starttls_again_after_tls_is_refused():
    server = tls_server()
    ask(server, "STARTTLS")
    server.tls_started()
    ask(server, "EHLO client.test")
    (answer,) = ask(server, "STARTTLS")
    assert answer.code == 503


def test_starttls_without_tls_support_is_not_implemented():
    server = make_server(Users())
    ask(server, "EHLO client.test")
    assert ask(server, "STARTTLS")[0].code == 502


def test_tls_started_without_starttls_is_a_local_error():
    server = tls_server()
    with pytest.raises(LocalProtocolError):
        server.tls_started()
    assert server.state is State.ERROR


# --- AUTH (RFC 4954) ----------------------------------------------------------------

def auth_server(**config):
    server = make_server(Users(password="secret"), offer_auth=True, **config)
    ask(server, "EHLO client.test")
    return server


def test_auth_plain_with_initial_response():
    server = auth_server()
    events = server.receive_data(script("AUTH PLAIN " + b64("\0alice\0secret")))
    (answer,) = split_replies(server.data_to_send())
    assert (answer.code, answer.enhanced) == (235, "2.7.0")
    assert AuthSucceeded("alice", "PLAIN") in events
    assert server.auth_user == "alice" and server.state is State.READY


def test_auth_plain_without_initial_response_gets_an_empty_challenge():
    server = auth_server()
    server.receive_data(script("AUTH PLAIN"))
    assert server.data_to_send() == b"334 \r\n" and server.state is State.AUTH
    (answer,) = ask(server, b64("\0alice\0secret"))
    assert answer.code == 235 and server.state is State.READY


def test_auth_login_prompts_for_username_then_password():
    server = auth_server()
    (first,) = ask(server, "AUTH LOGIN")
    assert first.wire == b"334 VXNlcm5hbWU6\r\n"
    (second,) = ask(server, b64("alice"))
    assert second.wire == b"334 UGFzc3dvcmQ6\r\n"
    (third,) = ask(server, b64("secret"))
    assert third.code == 235 and server.auth_user == "alice"


def test_wrong_password_gets_535_5_7_8_and_session_goes_on():
    server = auth_server()
    events = server.receive_data(script("AUTH PLAIN " + b64("\0alice\0guess")))
    (answer,) = split_replies(server.data_to_send())
    assert (answer.code, answer.enhanced) == (535, "5.7.8")
    assert isinstance(events[0], AuthFailed) and server.auth_user is None
    assert server.state is State.READY and ask(server, "NOOP")[0].code == 250


def test_auth_cancel_and_garbage():
    server = auth_server()
    ask(server, "AUTH LOGIN")
    assert ask(server, "*")[0].code == 501 and server.state is State.READY
    ask(server, "AUTH LOGIN")
    (answer,) = ask(server, "%%% not base64")
    assert (answer.code, answer.enhanced) == (501, "5.5.2")


def test_auth_unknown_mechanism_and_repeat():
    server = auth_server()
    assert ask(server, "AUTH CRAM-MD5")[0].code == 504
    ask(server, "AUTH PLAIN " + b64("\0alice\0secret"))
    assert ask(server, "AUTH PLAIN " + b64("\0alice\0secret"))[0].code == 503


def test_auth_not_offered_is_not_implemented():
    server = make_server(Users())
    ask(server, "EHLO client.test")
    assert ask(server, "AUTH PLAIN")[0].code == 502


def test_submission_server_requires_auth_before_mail():
    server = auth_server(auth_required=True)
    (answer,) = ask(server, "MAIL FROM:<alice@b.test>")
    assert (answer.code, answer.enhanced) == (530, "5.7.0")
    ask(server, "AUTH PLAIN " + b64("\0alice\0secret"))
    assert ask(server, "MAIL FROM:<alice@b.test>")[0].code == 250
    assert server.envelope.auth_user == "alice"


# --- HELP, VRFY ---------------------------------------------------------------------

def test_help_lists_commands_and_explains_one():
    server = make_server(Users())
    ask(server, "EHLO c.test")
    (general,) = ask(server, "HELP")
    assert general.code == 214 and "MAIL" in general.lines[0]
    (mail,) = ask(server, "HELP mail")
    assert mail.lines[0].startswith("Syntax: MAIL FROM:<reverse-path>")
    assert ask(server, "HELP FROBNICATE")[0].code == 504


def test_vrfy_default_is_252():
    server = make_server(Users())
    assert ask(server, "VRFY Crispin")[0].code == 252


# --- handler hooks: fault injection --------------------------------------------------

class FlakyRcpt(Handler):
    """451 on RCPT for the first two attempts (a greylisting-like fault)."""

    def __init__(self):
        self.attempts = 0

    def handle_command(self, session, verb, argument):
        if verb == "RCPT":
            self.attempts += 1
            if self.attempts <= 2:
                return Reply.parse("451 4.3.0 Try again later")
        return None


def test_handle_command_overrides_the_reply_and_keeps_the_state():
    server = make_server(FlakyRcpt())
    ask(server, "EHLO c.test", "MAIL FROM:<a@b.test>")
    replies = ask(server, *["RCPT TO:<r@foo.com>"] * 3)
    assert [r.code for r in replies] == [451, 451, 250]
    assert replies[0].wire == b"451 4.3.0 Try again later\r\n"
    assert server.state is State.RCPT


class Refuse(Handler):
    def __init__(self, name):
        self.name = name

    def handle_connect(self, session):
        return reply(self.name, host="mx.test")


def test_554_greeting_answers_503_until_quit():
    server = new_server(Refuse("refused"))
    assert server.data_to_send().startswith(b"554 ")
    assert [r.code for r in ask(server, "EHLO c.test", "MAIL FROM:<a@b.test>", "QUIT")] \
        == [503, 503, 221]


def test_421_greeting_closes_at_once():
    server = new_server(Refuse("not_available"))
    assert server.data_to_send().startswith(b"421 ")
    assert server.closed and server.receive_data(b"EHLO c.test\r\n") == []


def test_handler_refuses_a_sender():
    class NoSpam(Handler):
        def handle_MAIL(self, session, envelope, path):
            if path.domain == "spam.test":
                return Reply(550, "5.7.1", ("Sender rejected",))
            return None

    server = make_server(NoSpam())
    ask(server, "EHLO c.test")
    assert ask(server, "MAIL FROM:<x@spam.test>")[0].code == 550
    assert server.state is State.READY
    assert ask(server, "MAIL FROM:<x@ok.test>")[0].code == 250


def test_handler_queue_id_in_the_final_reply():
    class Queue(Handler):
        def handle_DATA(self, session, envelope):
            return Reply(250, "2.0.0", ("OK: queued as q7F3A21",))

    server = make_server(Queue())
    ask(server, "EHLO c.test", "MAIL FROM:<a@b.test>", "RCPT TO:<c@foo.com>", "DATA")
    assert ask(server, "hello", ".")[0].wire == b"250 2.0.0 OK: queued as q7F3A21\r\n"
