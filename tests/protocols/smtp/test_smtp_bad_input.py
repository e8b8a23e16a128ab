"""Bad input from the client: each gets the right reply and the session goes on."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from smtp_kit import Users, ask, make_server, script, split_replies

from simulator.protocols.smtp import (
    CommandReceived,
    ConnectionClosed,
    MessageReceived,
    MessageRejected,
    State,
)


def ready(**config):
    server = make_server(Users(unknown=("nobody",)), **config)
    ask(server, "EHLO client.test")
    return server


def still_alive(server):
    (reply,) = ask(server, "NOOP")
    return reply.code == 250


def send_raw(server, data):
    events = server.receive_data(data)
    return split_replies(server.data_to_send()), events


def test_2000_byte_command_line_gets_500_line_too_long(feed):
    server = ready()
    feed(server, b"MAIL FROM:<" + b"a" * 2000 + b"@x.test>\r\n")
    (reply,) = split_replies(server.data_to_send())
    assert (reply.code, reply.enhanced) == (500, "5.5.2")
    assert server.state is State.READY and still_alive(server)


def test_line_of_exactly_512_octets_is_accepted():
    server = ready()
    line = b"NOOP " + b"x" * (512 - 7) + b"\r\n"
    assert len(line) == 512
    (reply,) = send_raw(server, line)[0]
    assert reply.code == 250


def test_bare_lf_line_ending_is_refused_with_a_crlf_hint(feed):
    server = ready()
    feed(server, b"NOOP\n")
    (reply,) = split_replies(server.data_to_send())
    assert (reply.code, reply.enhanced) == (500, "5.5.2")
    assert "CRLF" in reply.text
    assert still_alive(server)


def test_nul_byte_in_a_command_is_refused(feed):
    server = ready()
    feed(server, b"NO\x00OP\r\n")
    (reply,) = split_replies(server.data_to_send())
    assert (reply.code, reply.enhanced) == (500, "5.5.2")
    assert still_alive(server)


def test_bytes_that_are_not_utf8_are_refused():
    server = ready()
    (reply,) = send_raw(server, b"VRFY \xff\xfe\r\n")[0]
    assert reply.code == 500 and still_alive(server)


def test_non_ascii_sender_without_smtputf8_gets_550_5_6_7():
    """RFC 6531 §3.5: 550 for MAIL FROM (553 is for RCPT TO, below)."""
    server = ready()
    (reply,) = ask(server, "MAIL FROM:<иван@пример.рф>")
    assert (reply.code, reply.enhanced) == (550, "5.6.7")
    assert server.state is State.READY


def test_non_ascii_addresses_pass_with_smtputf8():
    server = ready()
    replies = ask(server, "MAIL FROM:<иван@пример.рф> SMTPUTF8", "RCPT TO:<мария@пример.рф>")
    assert [r.code for r in replies] == [250, 250]
    assert server.envelope.smtputf8


def test_non_ascii_recipient_in_an_ascii_transaction_gets_553():
    server = ready()
    replies = ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<мария@пример.рф>")
    assert (replies[1].code, replies[1].enhanced) == (553, "5.6.7")


def test_smtputf8_refused_when_not_offered():
    server = ready(smtputf8=False)
    (reply,) = ask(server, "MAIL FROM:<a@b.test> SMTPUTF8")
    assert reply.code == 555


def test_unknown_command_gets_500_5_5_1(feed):
    server = ready()
    feed(server, b"XYZZY plugh\r\n")
    (reply,) = split_replies(server.data_to_send())
    assert (reply.code, reply.enhanced) == (500, "5.5.1")
    assert still_alive(server)


def test_lowercase_commands_are_understood():
    server = ready()
    assert [r.code for r in ask(server, "mail from:<a@b.test>", "rcpt To:<c@foo.com>")] == [250, 250]


def test_syntax_errors_in_arguments():
    server = ready()
    cases = {
        "MAIL FROM:a@b.test": (501, "5.5.4"),             # no angle brackets
        "MAIL TO:<a@b.test>": (501, "5.5.4"),             # wrong keyword
        "MAIL FROM:<a@>": (501, "5.1.7"),                 # no domain
        "MAIL FROM:<a@b..test>": (501, "5.1.7"),
        "HELO": (501, "5.5.4"),
        "RSET now": (501, "5.5.4"),
        "VRFY": (501, "5.5.4"),
    }
    for line, expected in cases.items():
        (reply,) = ask(server, line)
        assert (reply.code, reply.enhanced) == expected, line
    assert server.state is State.READY


def test_bad_recipient_syntax_gets_501_5_1_3_and_keeps_others():
    server = ready()
    replies = ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<ok@foo.com>", "RCPT TO:<bad address>",
                  "RCPT TO:<>")
    assert [(r.code, r.enhanced) for r in replies[2:]] == [(501, "5.1.3")] * 2
    assert server.state is State.RCPT and len(server.envelope.rcpt_to) == 1


def test_address_length_limits_of_rfc5321_4_5_3_1():
    server = ready()
    ask(server, "MAIL FROM:<a@b.test>")
    long_local = "x" * 65 + "@foo.com"
    long_domain = "a@" + ".".join(["d" * 60] * 5)     # 304 octets
    for address in (long_local, long_domain):
        (reply,) = ask(server, f"RCPT TO:<{address}>")
        assert reply.code == 501, address
    (reply,) = ask(server, "RCPT TO:<" + "x" * 64 + "@foo.com>")
    assert reply.code == 250


def test_esmtp_parameters_need_ehlo():
    server = make_server(Users())
    ask(server, "HELO client.test")
    (reply,) = ask(server, "MAIL FROM:<a@b.test> SIZE=10")
    assert reply.code == 555 and reply.enhanced is None     # HELO: no enhanced codes


def test_bad_and_unknown_mail_parameters():
    server = ready()
    assert ask(server, "MAIL FROM:<a@b.test> SIZE=ten")[0].code == 501
    assert ask(server, "MAIL FROM:<a@b.test> BODY=9BIT")[0].code == 501
    assert ask(server, "MAIL FROM:<a@b.test> FOO=bar")[0].code == 555
    assert ask(server, "MAIL FROM:<a@b.test> NOTIFY")[0].code == 555
    assert server.state is State.READY


def test_declared_size_too_big_gets_552_5_3_4():
    server = ready(max_message_size=1000)
    (reply,) = ask(server, "MAIL FROM:<a@b.test> SIZE=1001")
    assert (reply.code, reply.enhanced) == (552, "5.3.4")
    assert ask(server, "MAIL FROM:<a@b.test> SIZE=1000")[0].code == 250


def test_content_too_big_without_size_is_refused_after_the_dot():
    server = ready(max_message_size=100)
    ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<c@foo.com>", "DATA")
    replies, events = send_raw(server, script(*["x" * 50] * 5, "."))
    assert (replies[0].code, replies[0].enhanced) == (552, "5.3.4")
    assert isinstance(events[-1], MessageRejected)
    assert server.state is State.READY and still_alive(server)


def test_text_line_over_1000_octets_rejects_the_message():
    server = ready()
    ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<c@foo.com>", "DATA")
    replies, events = send_raw(server, script("y" * 1500, "short", "."))
    assert (replies[0].code, replies[0].enhanced) == (500, "5.5.2")
    assert not any(isinstance(e, MessageReceived) for e in events)
    assert still_alive(server)


def test_too_many_recipients_gets_452_4_5_3_and_the_rest_still_delivered():
    server = ready(max_recipients=2)
    replies = ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<r1@foo.com>", "RCPT TO:<r2@foo.com>",
                  "RCPT TO:<r3@foo.com>")
    assert (replies[3].code, replies[3].enhanced) == (452, "4.5.3")
    ask(server, "DATA")
    replies, events = send_raw(server, script("hi", "."))
    assert replies[0].code == 250
    assert [p.mailbox for p in events[-1].envelope.rcpt_to] == ["r1@foo.com", "r2@foo.com"]


def test_default_recipient_limit_is_100():
    server = ready()
    ask(server, "MAIL FROM:<a@b.test>")
    replies = ask(server, *[f"RCPT TO:<r{i}@foo.com>" for i in range(101)])
    assert [r.code for r in replies[:100]] == [250] * 100 and replies[100].code == 452


# --- SMTP smuggling: only CRLF.CRLF ends the data ------------------------------------

def smuggle(server, body: bytes):
    ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<c@foo.com>", "DATA")
    return send_raw(server, body)


def test_lf_dot_lf_does_not_end_data():
    server = ready()
    body = b"Hello\r\n.\nMAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@foo.com>\r\n.\r\n"
    replies, events = smuggle(server, body)
    assert [r.code for r in replies] == [550]                 # one reply: the whole message
    assert not any(isinstance(e, CommandReceived) for e in events)
    assert isinstance(events[-1], MessageRejected)


def test_crlf_dot_lf_does_not_end_data():
    server = ready()
    replies, _ = smuggle(server, b"Hello\r\n.\nQUIT\r\n.\r\n")
    assert [r.code for r in replies] == [550] and not server.closed


def test_lf_dot_crlf_does_not_end_data():
    server = ready()
    replies, _ = smuggle(server, b"Hello\n.\r\nRSET\r\n.\r\n")
    assert [r.code for r in replies] == [550]


def test_data_waits_for_the_real_end():
    server = ready()
    replies, _ = smuggle(server, b"Hello\r\n.\n")
    assert replies == [] and server.state is State.DATA


# --- the peer closing ------------------------------------------------------------------

def test_peer_closing_in_data_loses_the_message():
    server = ready()
    ask(server, "MAIL FROM:<a@b.test>", "RCPT TO:<c@foo.com>", "DATA")
    server.receive_data(b"half a message\r\n")
    events = server.receive_data(b"")
    assert events == [ConnectionClosed("peer-closed")]
    assert server.closed and server.state is State.CLOSED


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=8))
def test_no_input_makes_receive_data_raise(chunks):
    server = ready()
    for chunk in chunks:
        if chunk:
            server.receive_data(chunk)
    split_replies(server.data_to_send())      # whatever came out is well-formed replies
