"""8-bit content converted for a hop without 8BITMIME (RFC 6152 §3)."""
import email
import email.policy

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail.downgrade import to_7bit

HEAD = (b"Received: from pc.a.test by mail.a.test; Sun, 6 Dec 2026 10:00:00 +0000\r\n"
        b"Subject: =?utf-8?b?0J/RgNC40LLQtdGC?=\r\nFrom: alice@a.test\r\nMIME-Version: 1.0\r\n")


def _leaves(data: bytes) -> list[tuple[str, bytes]]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    return [(p.get_content_type(), p.get_payload(decode=True)) for p in message.walk()
            if not p.is_multipart()]


def _mixed(*parts: bytes) -> bytes:
    body = b"".join(b"--XX\r\n" + p + b"\r\n" for p in parts)
    return (HEAD + b'Content-Type: multipart/mixed; boundary="XX"\r\n'
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + b"--XX--\r\n")


CYRILLIC = (b'Content-Type: text/plain; charset="utf-8"\r\nContent-Transfer-Encoding: 8bit'
            b"\r\n\r\n" + "Привет, мир!\r\nВторая строка".encode())
MOSTLY_ASCII = (b'Content-Type: text/plain; charset="iso-8859-1"\r\n\r\n'
                b"Hello w\xf6rld, this line is mostly plain ASCII text")
BINARY = (b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"
          b"\x00\xff\r\n\x80")


def test_each_8bit_part_gets_the_shorter_7bit_encoding_and_reads_the_same():
    original = _mixed(CYRILLIC, MOSTLY_ASCII, BINARY)
    done = to_7bit(original)
    assert done.content.isascii()
    assert done.parts == [("text/plain", "base64"), ("text/plain", "quoted-printable"),
                          ("application/octet-stream", "base64")]
    assert _leaves(done.content) == _leaves(original)
    assert b"Hello w=F6rld, this line" in done.content      # QP keeps text readable


def test_the_header_section_is_kept_byte_for_byte_and_the_container_says_7bit():
    done = to_7bit(_mixed(CYRILLIC))
    head = done.content.split(b"\r\n\r\n", 1)[0]
    assert head.startswith(HEAD)
    assert head.endswith(b"Content-Transfer-Encoding: 7bit")       # RFC 2045 §6.4


def test_ascii_content_is_left_alone():
    content = HEAD + b"Content-Type: text/plain\r\n\r\nplain\r\n"
    done = to_7bit(content)
    assert done.content == content and done.parts == []


def test_8bit_header_fields_need_smtputf8_not_a_downgrade():
    raw = "Subject: Привет\r\nMIME-Version: 1.0\r\n\r\nтекст\r\n".encode()
    assert to_7bit(raw) is None


def test_a_message_without_mime_labels_cannot_be_converted():
    assert to_7bit("Subject: x\r\n\r\nтекст\r\n".encode()) is None


@settings(max_examples=80, deadline=None)
@given(body=st.binary(min_size=1, max_size=400),
       text=st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюя abc.,\r\n", max_size=300),
       charset=st.sampled_from(["utf-8", "koi8-r", "windows-1251"]))
def test_the_decoded_content_never_changes(body, text, charset):
    text_part = (f'Content-Type: text/plain; charset="{charset}"\r\n'
                 "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + text.replace(
                     "\r", "").replace("\n", "\r\n").encode(charset, errors="replace")
    # SMTP content is CRLF lines (RFC 5321 §2.3.8): no bare CR or LF, here as on the wire.
    body = body.replace(b"\r", b"").replace(b"\n", b"\r\n").replace(b"--XX", b"--YY")
    data_part = (b"Content-Type: application/octet-stream\r\n"
                 b"Content-Transfer-Encoding: binary\r\n\r\n" + body)
    original = _mixed(text_part, data_part)
    done = to_7bit(original)
    assert done is not None and done.content.isascii()
    assert _leaves(done.content) == _leaves(original)
