"""What the fuzzers found, pinned with the bytes that reproduced it (issue 16, Build 2)."""
from __future__ import annotations

import pytest

from fuzz.replies import BadReply, SMTPReplies, pop2_reply, pop3_status
from simulator.locale import has
from simulator.protocols._base import RemoteProtocolError
from simulator.protocols.pop2 import POP2Config, POP2Server
from simulator.protocols.pop3 import MemoryMaildrops, POP3Client, POP3Config, POP3Server
from simulator.protocols.smtp import ServerConfig, SMTPServer


def _drops() -> MemoryMaildrops:
    drops = MemoryMaildrops()
    drops.add_user("mrose", "secret")
    drops.add_message("mrose", b"Subject: one\r\n\r\nhi\r\n")
    return drops


def _smtp(*lines: bytes) -> bytes:
    server = SMTPServer(ServerConfig("mx.test"))
    server.initiate()
    server.data_to_send()
    for line in lines:
        server.receive_data(line)
    return server.data_to_send()


@pytest.mark.parametrize("line", [b"HELO client.test\rsset\r\n", b"HELO \x1bclient.test\r\n",
                                  b"NOOP \x7f\r\n", b"VRFY a\x08b\r\n"])
def test_smtp_refuses_control_characters_instead_of_echoing_them(line):
    """A lone CR (RFC 5321 §2.3.8) or ESC used to come back inside the 250 greeting."""
    out = _smtp(line)
    assert out.startswith(b"500 ") and b"Control characters" in out
    assert SMTPReplies().feed(out) == ["500"]          # a reply a strict client can read
    assert _smtp(b"HELO client.test\r\n").startswith(b"250 ")   # a tab-free normal line passes


def test_smtp_control_character_texts_exist_in_both_languages():
    for lang in ("en", "ru"):
        assert has("smtp.reply.control_char", lang) and has("smtp.input.control_char", lang)


def _say(server, line: bytes) -> bytes:
    server.receive_data(line)
    return server.data_to_send()


def test_pop3_refuses_control_characters_instead_of_echoing_them():
    """``USER \\x1bx`` used to be answered ``+OK send PASS for \\x1bx``."""
    server = POP3Server(POP3Config("pop.test"), _drops(), session_id="s")
    server.initiate()
    server.data_to_send()
    out = _say(server, b"USER \x1bmrose\r\n")
    assert pop3_status(out) == "-ERR" and b"\x1b" not in out
    assert _say(server, b"USER mrose\r\n").startswith(b"+OK")     # the session goes on
    assert has("pop3.reply.control_char", "ru") and has("pop3.cmd.control_char", "en")


def test_pop2_refuses_control_characters_instead_of_echoing_them():
    """``FOLD other\\x05`` used to be answered ``#0 messages in other\\x05``."""
    server = POP2Server(POP2Config("pop2.test"), _drops(), session_id="s")
    server.initiate()
    server.data_to_send()
    _say(server, b"HELO mrose secret\r\n")
    out = _say(server, b"FOLD other\x05\r\n")
    assert pop2_reply(out) == ("-", None) and b"\x05" not in out
    with pytest.raises(BadReply):
        pop2_reply(b"#0 messages in other\x05\r\n")
    assert has("pop2.reply.control_char", "ru") and has("pop2.cmd.control_char", "en")


@pytest.mark.parametrize("listing", [b"1 \xff\r\n", b"+OK\r\n", b"\r\n", b"one 120\r\n"])
def test_pop3_client_reports_a_malformed_listing_as_a_protocol_error(listing):
    """A LIST block with a bad row used to raise UnicodeDecodeError or ValueError."""
    client = POP3Client("mrose", "secret", script=["LIST"])
    client.receive_data(b"+OK ready\r\n")
    client.receive_data(b"+OK send PASS\r\n")
    client.receive_data(b"+OK logged in\r\n")
    assert client.data_to_send().endswith(b"LIST\r\n")
    with pytest.raises(RemoteProtocolError, match="malformed reply to LIST"):
        client.receive_data(b"+OK listing\r\n" + listing + b".\r\n")


def test_imap_refuses_a_tag_still_in_progress_instead_of_deadlocking():
    """Concurrent mode (the simulated network) queued ``a1 NOOP`` twice; run_pending then
    raised LocalProtocolError "a1 must wait for a1" and the driver would wait forever."""
    from test_fuzz_imap import server_subject

    subject = server_subject(concurrent=True)
    subject.start()
    out = subject.feed(b"a1 LOGIN bob@example.org secret\r\nb1 NOOP\r\nb1 NOOP\r\n")
    assert b"b1 BAD Tag b1 is already in use" in out
    assert out.count(b"b1 OK") == 1 and b"a1 OK" in out
    assert has("imap.reply.tag_in_use", "ru") and has("imap.cmd.tag_in_use", "en")


def test_imap_client_skips_a_malformed_esearch_instead_of_raising():
    """``* ESEARCH (TAG "A1") MIN 1:3`` raised ValueError out of the client; a huge ALL range
    would have been expanded into billions of numbers."""
    from simulator.protocols.imap.client_responses import esearch

    assert esearch([["TAG", "A1"], "MIN", "1:3", "COUNT", "2"]) == ("A1", False, {"COUNT": 2})
    assert esearch(["ALL", "1:4294967295,7"]) == (None, False, {"ALL": [7]})


@pytest.mark.parametrize("line", ["HELP .. " + "A" * 500, "HELO " + "\u00e9" * 250,
                                  "VRFY " + "b" * 505])
def test_smtp_reply_lines_stay_within_512_octets_when_they_echo_the_command(line):
    """``504 HELP topic unknown: <505 octets>`` was a reply line over 512 octets
    (RFC 5321 §4.5.3.1.5); the echoed text is now cut with "..."."""
    out = _smtp(line.encode() + b"\r\n")
    assert SMTPReplies().feed(out) and all(len(x) <= 512 for x in out.split(b"\n"))


@pytest.mark.parametrize("after", [b".\r\n", b"NOOP\r\n.\r\n"])
def test_smtp_commands_pipelined_after_the_final_dot_are_answered_not_swallowed(after):
    """The server asked its DATA reader once more after the final dot, and the reader took
    ``.\\r\\n`` (or ``NOOP\\r\\n.\\r\\n``) that followed in the same packet as more content:
    the command got no reply and the client waited for ever."""
    out = _smtp(b"EHLO a\r\n", b"MAIL FROM:<a@b.test>\r\n", b"RCPT TO:<r@mx.test>\r\n", b"DATA\r\n",
                b"hello\r\n.\r\n" + after)
    codes = SMTPReplies().feed(out)
    assert codes[-1 - after.count(b"\n"):][:1] == ["250"], codes     # the message, once
    assert len(codes) == 5 + after.count(b"\n"), codes                 # and every line answered
