"""Property tests: binary MIME and long lines converted for the next hop keep every decoded
octet (RFC 3030 §3: "no loss of information"; RFC 2045 §6.7, §6.8)."""
import email

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail.binary import attachments_to_binary, binary_to_7bit
from simulator.mail.downgrade import shorten_lines

HEAD = b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'


def _message(text: bytes, cte: bytes, encoded: bytes) -> bytes:
    return (HEAD + b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" + text
            + b"\r\n--b\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + encoded + b"\r\n--b--\r\n")


def _decoded(data: bytes) -> list[bytes]:
    return [p.get_payload(decode=True) for p in email.message_from_bytes(data).walk()
            if not p.is_multipart()]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000))
def test_binary_to_base64_and_back_keeps_every_octet(data):
    binary = _message(b"hello", b"binary", data)
    converted = binary_to_7bit(binary)
    assert converted.parts == [("application/octet-stream", "base64")]
    assert converted.content.isascii()
    assert _decoded(converted.content)[1] == data
    assert attachments_to_binary(converted.content).endswith(data + b"\r\n--b--\r\n")


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=999,
               max_size=3000))
def test_long_lines_reencoded_read_the_same(line):
    original = _message(line.encode(), b"7bit", b"x")
    converted = shorten_lines(original)
    assert converted.parts == [("text/plain", "quoted-printable")]
    assert max(map(len, converted.content.split(b"\r\n"))) <= 76
    assert _decoded(converted.content)[0].rstrip(b"\r\n") == line.encode()
