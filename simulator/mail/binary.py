"""Binary MIME made 7-bit for a hop without BINARYMIME (RFC 3030 §3, RFC 2045 §6.8),
and the other way: attachments sent as raw octets by a BINARYMIME sender.

RFC 3030 §3 gives a relay whose next hop does not offer BINARYMIME three ways
out: convert to 8bit (no MIME encoding does that), convert to 7bit, or return
the message.  mailsim converts to 7bit, as the RFC allows, under its two
constraints: no information is lost, and no base64 or quoted-printable is
nested.  Every part labelled ``Content-Transfer-Encoding: binary`` gets its
body in base64 and its label changed; every other octet of the message stays
where it was.

The stdlib ``email`` parser cannot be used for the bodies: it splits lines on a
bare CR or LF and writes them back as CRLF, which would change binary data.
So the parts are found on the raw octets, as RFC 2046 §5.1.1 defines them
(the CRLF before a boundary line belongs to the boundary), and only each part's
header section goes through ``email``.
"""
from __future__ import annotations

import base64
import email
import email.policy
import re
from collections.abc import Callable
from email.message import Message

from .downgrade import Downgrade

_KEEP = email.policy.compat32

#: A leaf part's header section and body -> its new bytes, or None to keep it as it is.
Converter = Callable[[Message, bytes, bytes], "bytes | None"]


def _relabel(head: bytes, old: bytes, new: bytes) -> bytes:
    """The header section with ``Content-Transfer-Encoding: old`` made ``new``, every
    other octet kept."""
    field = re.compile(rb"^(content-transfer-encoding:)[ \t]*" + old + rb"([ \t]*\r?)$",
                       re.IGNORECASE | re.MULTILINE)
    return field.sub(rb"\1 " + new + rb"\2", head)


def _cte(headers: Message) -> str:
    return headers.get("Content-Transfer-Encoding", "").strip().lower()


def binary_to_7bit(content: bytes) -> Downgrade | None:
    """``content`` with every binary part's body in base64; None when it holds no part
    labelled binary (unlabelled NUL octets: nothing says how to read them)."""
    done: list[tuple[str, str]] = []

    def to_base64(headers: Message, head: bytes, body: bytes) -> bytes | None:
        if _cte(headers) != "binary":
            return None
        done.append((headers.get_content_type(), "base64"))
        encoded = base64.encodebytes(body).replace(b"\n", b"\r\n")   # 76-character lines
        return _relabel(head, b"binary", b"base64") + encoded

    result = _entity(content, to_base64)
    return Downgrade(result, done) if done else None


def attachments_to_binary(content: bytes) -> bytes:
    """``content`` with every base64 part that is not text sent as its raw octets, labelled
    ``binary``: what a mail program sends after BODY=BINARYMIME (RFC 3030 §3), saving the
    third that base64 adds."""
    def to_binary(headers: Message, head: bytes, body: bytes) -> bytes | None:
        if _cte(headers) != "base64" or headers.get_content_maintype() == "text":
            return None
        return _relabel(head, b"base64", b"binary") + base64.b64decode(body)

    return _entity(content, to_binary)


def _entity(entity: bytes, convert: Converter) -> bytes:
    """One MIME entity (header section, blank line, body), its leaf parts converted."""
    split = entity.find(b"\r\n\r\n")
    if split < 0:
        return entity
    head, body = entity[:split + 4], entity[split + 4:]
    headers: Message = email.message_from_bytes(head, policy=_KEEP)
    if headers.get_content_maintype() == "multipart" and headers.get_boundary():
        return head + _multipart(body, headers.get_boundary().encode("ascii", "replace"),
                                 convert)
    if headers.get_content_type() == "message/rfc822":
        return head + _entity(body, convert)
    converted = convert(headers, head, body)
    return entity if converted is None else converted


def _multipart(body: bytes, boundary: bytes, convert: Converter) -> bytes:
    """The parts between the boundary lines, each converted; the lines themselves, the
    preamble and the epilogue kept octet for octet (RFC 2046 §5.1.1)."""
    delimiter = re.compile(rb"(?:^|\r\n)--" + re.escape(boundary) + rb"(--)?[ \t]*(?:\r\n|$)")
    out, start, closed = [], None, False
    for match in delimiter.finditer(body):
        if start is None:
            out.append(body[:match.start()])             # the preamble
        else:
            out.append(_entity(body[start:match.start()], convert))
        out.append(match.group(0))
        start, closed = match.end(), bool(match.group(1))
        if closed:
            break
    if start is None:
        return body                                      # no boundary line at all
    rest = body[start:]
    out.append(rest if closed else _entity(rest, convert))  # the epilogue, or an unclosed part
    return b"".join(out)
