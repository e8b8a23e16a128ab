"""8-bit content made 7-bit for a hop without 8BITMIME (RFC 6152 §3, RFC 2045 §6).

An SMTP client must not send 8-bit octets to a server that does not offer
8BITMIME.  RFC 6152 §3 leaves it two ways out: bounce the message, or convert
it to 7 bits.  mailsim converts, like Postfix and Sendmail do: every part whose
body holds 8-bit octets is re-encoded with the transfer encoding that makes it
shorter — quoted-printable (readable, 3 octets per 8-bit octet) or base64
(4 octets per 3, whatever they are) — and nothing else changes: the header
fields, the part structure and the decoded content stay as they were, so the
reader sees the same letter.  The stdlib ``email`` package does the encoding.

A header section with raw 8-bit octets (an unencoded Cyrillic Subject, an
internationalised address) cannot be fixed this way: that needs SMTPUTF8
(RFC 6531 §3.2), and :func:`to_7bit` returns None; so does a message without
MIME-Version, whose 8-bit octets no label describes.
"""
from __future__ import annotations

import base64
import email
import email.policy
import io
from dataclasses import dataclass, field
from email import quoprimime
from email.generator import BytesGenerator
from email.message import Message

#: compat32 keeps every header field as it came (no refolding: max_line_length 0).
_KEEP = email.policy.compat32.clone(linesep="\r\n", max_line_length=0)


@dataclass
class Downgrade:
    """The converted message and what was done to it, for the trace."""

    content: bytes
    #: one entry per re-encoded part: (content type, the transfer encoding chosen).
    parts: list[tuple[str, str]] = field(default_factory=list)


def _header_section(content: bytes) -> bytes:
    end = content.find(b"\r\n\r\n")
    return content if end < 0 else content[:end]


def _shortest(part: Message, body: bytes) -> tuple[str, bytes]:
    """The 7-bit transfer encoding that makes ``body`` shortest, and its encoded form.

    Quoted-printable only for text (its line breaks are the text's; in other data
    a CRLF is just two octets, RFC 2045 §6.7 rule 4), and on a tie: it stays
    readable.  Cyrillic text is mostly 8-bit, so it usually goes base64."""
    candidates = [("base64", base64.encodebytes(body))]
    if part.get_content_maintype() == "text":
        # email.quoprimime keeps every line within 76 characters (RFC 2045 §6.7 rule 5);
        # quopri lets a line with an encoded trailing space reach 77.
        encoded = quoprimime.body_encode(body.decode("latin-1"), 76, eol="\r\n")
        candidates.insert(0, ("quoted-printable", encoded.encode("ascii")))
    return min(candidates, key=lambda c: len(c[1]))


def _flatten(message: Message) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_KEEP).flatten(message)
    return out.getvalue()


def to_7bit(content: bytes) -> Downgrade | None:
    """``content`` (CRLF lines) with every 8-bit body part re-encoded; None when a
    header section holds 8-bit octets (RFC 6531 territory, not RFC 6152's)."""
    if content.isascii():
        return Downgrade(content)
    if not _header_section(content).isascii():
        return None
    message = email.message_from_bytes(content, policy=_KEEP)
    if "MIME-Version" not in message:
        return None        # no MIME labels: nothing says what the 8-bit octets are
    done: list[tuple[str, str]] = []
    _convert(message, done)
    result = _flatten(message)
    return Downgrade(result, done) if result.isascii() else None


#: RFC 5321 §4.5.3.1.6 and RFC 5322 §2.1.1: at most 998 octets before the CRLF.
MAX_LINE = 998


def _too_long(text: bytes) -> bool:
    return any(len(line) > MAX_LINE for line in text.split(b"\r\n"))


def shorten_lines(content: bytes) -> Downgrade | None:
    """``content`` with every part that has a line over 998 octets re-encoded (RFC 2045
    §6.7: quoted-printable lines are at most 76 characters; base64 for other data), the
    decoded content unchanged; None when there is no such part, or when the header section
    has a line too long, raw UTF-8 or no MIME-Version (nothing to re-encode by)."""
    head = _header_section(content)
    if not _too_long(content) or _too_long(head) or not head.isascii():
        return None
    message = email.message_from_bytes(content, policy=_KEEP)
    if "MIME-Version" not in message:
        return None
    done: list[tuple[str, str]] = []
    for part in message.walk():
        if not part.is_multipart() and any(len(line) > MAX_LINE for line in
                                           str(part.get_payload()).splitlines()):
            _reencode(part, part.get_payload(decode=True) or b"", done)
    result = _flatten(message)
    return Downgrade(result, done) if done and not _too_long(result) else None


def _reencode(part: Message, body: bytes, done: list[tuple[str, str]]) -> None:
    """``part``'s body in the shorter 7-bit transfer encoding, labelled as such."""
    cte, encoded = _shortest(part, body)
    part.set_payload(encoded.decode("ascii"))
    if "Content-Transfer-Encoding" in part:
        part.replace_header("Content-Transfer-Encoding", cte)
    else:
        part["Content-Transfer-Encoding"] = cte
    done.append((part.get_content_type(), cte))


def _convert(part: Message, done: list[tuple[str, str]]) -> None:
    if part.is_multipart():
        for child in part.get_payload():
            _convert(child, done)
        # RFC 2045 §6.4: a composite part's encoding says what its children hold.
        if part.get("Content-Transfer-Encoding", "").lower() in ("8bit", "binary"):
            part.replace_header("Content-Transfer-Encoding", "7bit")
        return
    body = part.get_payload(decode=True) or b""
    if body.isascii() and str(part.get_payload()).isascii():
        return
    _reencode(part, body, done)
