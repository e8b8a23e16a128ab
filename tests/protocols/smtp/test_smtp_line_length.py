"""Line length limits (RFC 5321 §4.5.3.1.6, RFC 5322 §2.1.1): the mail program re-encodes a
line over 998 octets as quoted-printable; a client that does not is refused after the dot."""
import email

from smtp_kit import converse, new_server

from simulator.mail.downgrade import shorten_lines
from simulator.protocols.smtp import Envelope, SMTPClient, parse_path

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


def test_without_a_converter_the_server_refuses_the_message_after_the_dot():
    client = _client()
    converse(client, new_server())
    assert (client.result.final.code, client.result.final.enhanced) == (500, "5.5.2")


def test_with_a_converter_the_message_goes_through_and_the_trace_says_why():
    client = _client(shorten_lines=lambda c: (shorten_lines(c).content, shorten_lines(c).parts))
    converse(client, new_server())
    assert client.result.delivered
    notes = [u for u in client.take_transcript() if u.direction == "internal"]
    assert [n.explain for n in notes] == ["smtp.client.lines_encoded"]
