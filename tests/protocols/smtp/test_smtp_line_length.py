"""Line length limits (RFC 5321 §4.5.3.1.6, RFC 5322 §2.1.1): the mail program re-encodes a
line over 998 octets as quoted-printable; a client that does not is refused after the dot, or
after the last BDAT chunk unless the body is BINARYMIME (RFC 3030 §3)."""
import email

import pytest
from smtp_kit import converse, make_server, new_server, split_replies

from simulator.mail.downgrade import shorten_lines
from simulator.protocols.smtp import (
    Envelope,
    MessageReceived,
    MessageRejected,
    SMTPClient,
    parse_path,
)

LONG = ("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 7bit\r\n\r\n" + "word " * 300 + "\r\nend\r\n").encode()


def _body(data: bytes) -> bytes:
    return email.message_from_bytes(data).get_payload(decode=True).replace(b"\r\n", b"\n")


def test_long_lines_become_quoted_printable_with_the_same_text():
    converted = shorten_lines(LONG)
    assert converted.parts == [("text/plain", "quoted-printable")]
    assert max(map(len, converted.content.split(b"\r\n"))) <= 76
    assert _body(converted.content) == _body(LONG)
    assert shorten_lines(b"Subject: x\r\n\r\nshort\r\n") is None


def _client(**hooks) -> SMTPClient:
    envelope = Envelope(mail_from=parse_path("<a@client.test>"),
                        rcpt_to=[parse_path("<r@foo.com>")], content=LONG)
    return SMTPClient("client.test", envelope, **hooks)


@pytest.mark.parametrize("extensions", [set(), {"CHUNKING"}], ids=["DATA", "BDAT"])
def test_without_a_converter_the_server_refuses_the_message_after_its_end(extensions):
    client = _client()
    converse(client, new_server(extensions_on=extensions))
    sent = [u.raw for u in client.take_transcript() if u.direction == "c2s"]
    assert any(line.startswith(b"BDAT" if extensions else b"DATA") for line in sent)
    assert (client.result.final.code, client.result.final.enhanced) == (500, "5.5.2")


def _send_in_chunks(body: str, line: bytes) -> tuple[list, list]:
    """MAIL with ``body``, then a message whose ``line`` spans two BDAT chunks."""
    server = make_server(extensions_on={"CHUNKING", "BINARYMIME"})
    message = b"Subject: long\r\n\r\n" + line + b"\r\nend\r\n"
    half = len(message) // 2
    events = server.receive_data(
        f"EHLO client.test\r\nMAIL FROM:<a@client.test> BODY={body}\r\n"
        f"RCPT TO:<r@foo.com>\r\nBDAT {half}\r\n".encode() + message[:half]
        + f"BDAT {len(message) - half} LAST\r\n".encode() + message[half:])
    return split_replies(server.data_to_send())[-2:], events


@pytest.mark.parametrize("body", ["7BIT", "8BITMIME"])
def test_a_text_body_in_bdat_chunks_keeps_the_998_octet_line_limit(body):
    replies, events = _send_in_chunks(body, b"x" * 999)
    assert [(r.code, r.enhanced) for r in replies] == [(250, "2.0.0"), (500, "5.5.2")]
    assert "Line too long" in replies[1].text
    assert [type(e) for e in events if isinstance(e, MessageReceived | MessageRejected)] == [
        MessageRejected]
    replies, events = _send_in_chunks(body, b"x" * 998)
    assert [r.code for r in replies] == [250, 250]
    assert any(isinstance(e, MessageReceived) for e in events)


def test_a_binarymime_body_has_no_lines_to_limit():
    replies, events = _send_in_chunks("BINARYMIME", b"x" * 5000)
    assert [r.code for r in replies] == [250, 250]
    assert any(isinstance(e, MessageReceived) for e in events)


def test_with_a_converter_the_message_goes_through_and_the_trace_says_why():
    client = _client(shorten_lines=lambda c: (shorten_lines(c).content, shorten_lines(c).parts))
    converse(client, new_server())
    assert client.result.delivered
    notes = [u for u in client.take_transcript() if u.direction == "internal"]
    assert [n.explain for n in notes] == ["smtp.client.lines_encoded"]
