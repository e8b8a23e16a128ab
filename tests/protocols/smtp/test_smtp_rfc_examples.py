"""The scenarios of RFC 5321 appendix D played against the server engine.

Each client script is fed whole, byte by byte and with trailing bytes (the
``feed`` fixture); the replies, the envelope and the content must be the same.
"""
from __future__ import annotations

from smtp_kit import Users, make_server, script, split_replies

from simulator.protocols.smtp import MessageReceived, Reply, State, parse_path


def codes(replies):
    return [r.code for r in replies]


def received(events):
    return [e for e in events if isinstance(e, MessageReceived)]


# RFC 5321 D.1 "A Typical SMTP Transaction Scenario": Smith at bar.com sends to
# Jones, Green and Brown at foo.com; Green has no mailbox there.
D1 = script(
    "EHLO bar.com",
    "MAIL FROM:<Smith@bar.com>",
    "RCPT TO:<Jones@foo.com>",
    "RCPT TO:<Green@foo.com>",
    "RCPT TO:<Brown@foo.com>",
    "DATA",
    "Blah blah blah...",
    "...etc. etc. etc.",
    ".",
    "QUIT",
)


def test_d1_typical_transaction_reply_codes(feed):
    server = make_server(Users(unknown=("Green",)))
    feed(server, D1)
    replies = split_replies(server.data_to_send())
    assert codes(replies) == [250, 250, 250, 550, 250, 354, 250, 221]
    assert replies[3].lines == ("No such user here",)
    assert server.state is State.CLOSED and server.closed


def test_d1_envelope_has_jones_and_brown_but_not_green(feed):
    server = make_server(Users(unknown=("Green",)))
    (message,) = received(feed(server, D1))
    envelope = message.envelope
    assert envelope.mail_from == parse_path("<Smith@bar.com>")
    assert [p.mailbox for p in envelope.rcpt_to] == ["Jones@foo.com", "Brown@foo.com"]
    assert envelope.helo == "bar.com" and envelope.esmtp


def test_d1_content_is_unstuffed(feed):
    # The RFC prints the line "...etc. etc. etc." as it goes on the wire, so
    # the server removes one leading dot (RFC 5321 §4.5.2).
    server = make_server(Users(unknown=("Green",)))
    (message,) = received(feed(server, D1))
    assert message.envelope.content == b"Blah blah blah...\r\n..etc. etc. etc.\r\n"
    assert message.reply.code == 250


def test_d1_ehlo_reply_names_server_and_client():
    server = make_server(Users(), hostname="foo.com")
    (ehlo,) = split_replies((server.receive_data(script("EHLO bar.com")),
                             server.data_to_send())[1])
    assert ehlo.lines[0] == "foo.com greets bar.com"
    assert "8BITMIME" in ehlo.lines and "HELP" in ehlo.lines
    assert any(line.startswith("SIZE ") for line in ehlo.lines)


# RFC 5321 D.2 "Aborted SMTP Transaction Scenario": after Green's 550 the
# client gives up with RSET; nothing is delivered.
D2 = script(
    "EHLO bar.com",
    "MAIL FROM:<Smith@bar.com>",
    "RCPT TO:<Jones@foo.com>",
    "RCPT TO:<Green@foo.com>",
    "RSET",
    "QUIT",
)


def test_d2_aborted_transaction_delivers_nothing(feed):
    server = make_server(Users(unknown=("Green",)))
    events = feed(server, D2)
    assert codes(split_replies(server.data_to_send())) == [250, 250, 250, 550, 250, 221]
    assert received(events) == []


# RFC 5321 D.3 "Relayed Mail Scenario", step 2: the relay foo.com passes the
# message of JQP@bar.com on to the destination host xyz.com.
D3_CONTENT = (
    "Received: from bar.com by foo.com ; Thu, 21 May 1998",
    "    05:33:29 -0700",
    "Date: Thu, 21 May 1998 05:33:22 -0700",
    "From: John Q. Public <JQP@bar.com>",
    "Subject:  The Next Meeting of the Board",
    "To: Jones@xyz.com",
    "",
    "Bill:",
    "The next meeting of the board of directors will be",
    "on Tuesday.",
    "                        John.",
)
D3 = script("EHLO foo.com", "MAIL FROM:<JQP@bar.com>", "RCPT TO:<Jones@XYZ.COM>", "DATA",
            *D3_CONTENT, ".", "QUIT")


def test_d3_relayed_mail_arrives_with_its_received_header(feed):
    server = make_server(hostname="xyz.com")
    (message,) = received(feed(server, D3))
    assert codes(split_replies(server.data_to_send())) == [250, 250, 250, 354, 250, 221]
    assert message.envelope.content == script(*D3_CONTENT)
    assert message.envelope.helo == "foo.com"            # the relay, not the author
    assert message.envelope.mail_from.mailbox == "JQP@bar.com"


def test_d3_rfc2821_variant_with_source_route_keeps_the_route(feed):
    # RFC 2821's version of D.3 step 2 has MAIL FROM:<@foo.com:JQP@bar.com>:
    # the relay prepended itself to the reverse path (RFC 821 §3.6).
    server = make_server(hostname="xyz.com")
    (message,) = received(feed(server, D3.replace(b"<JQP@bar.com>", b"<@foo.com:JQP@bar.com>")))
    assert message.envelope.mail_from.route == ("foo.com",)
    assert message.envelope.mail_from.mailbox == "JQP@bar.com"


# RFC 5321 D.4 "Verifying and Sending Scenario": VRFY first, then the message.
class Directory(Users):
    def handle_VRFY(self, session, argument):
        if argument == "Crispin":
            return Reply(250, "2.1.5", ("Mark Crispin <Admin.MRC@foo.com>",))
        return None


D4 = script("EHLO bar.com", "VRFY Crispin", "MAIL FROM:<EAK@bar.com>",
            "RCPT TO:<Admin.MRC@foo.com>", "DATA", "Blah blah blah...", "...etc. etc. etc.",
            ".", "QUIT")


def test_d4_vrfy_then_send(feed):
    server = make_server(Directory())
    events = feed(server, D4)
    replies = split_replies(server.data_to_send())
    assert codes(replies) == [250, 250, 250, 250, 354, 250, 221]
    assert replies[1].lines == ("Mark Crispin <Admin.MRC@foo.com>",)
    assert received(events)[0].envelope.rcpt_to[0].mailbox == "Admin.MRC@foo.com"


def test_trailing_partial_line_is_held_not_answered():
    server = make_server(Users())
    server.receive_data(script("EHLO bar.com") + b"NOO")
    assert codes(split_replies(server.data_to_send())) == [250]
    server.receive_data(b"P\r\n")
    assert codes(split_replies(server.data_to_send())) == [250]
