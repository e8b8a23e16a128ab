"""BINARY (RFC 3516, part of RFC 9051 §6.4.5): the server decodes a part for the client.

A picture attached to a mail travels in base64: a third bigger than the
picture.  With ``BODY[2]`` the client downloads the base64 text and decodes
it itself; with ``BINARY[2]`` the server removes the Content-Transfer-
Encoding (base64 or quoted-printable) and sends the decoded octets, and
``BINARY.SIZE[2]`` tells their number before downloading anything (a
progress bar).  Octets that may contain NUL go out as a *literal8*
``~{n}`` (RFC 3516 §4.2); otherwise as an ordinary string.

The decoding is the stdlib's (:mod:`binascii` for base64 and
quoted-printable).  An encoding the server does not know gets
``NO [UNKNOWN-CTE]`` (RFC 3516 §4.3).  APPEND accepts a literal8 message and
stores its binary parts base64-encoded (:func:`encode_binary_parts`), so that
``BODY[...]`` still returns 7-bit text (RFC 3516 §4.4).
"""
from __future__ import annotations

import binascii
import re
from dataclasses import dataclass

from . import mimeparts
from .formatter import render
from .lexer import ParseError

_ITEM = re.compile(r"(BINARY|BINARY\.PEEK|BINARY\.SIZE)\[(\d+(?:\.\d+)*)?\](?:<(\d+)\.(\d+)>)?",
                   re.IGNORECASE)
_CTE = re.compile(rb"(?im)^(Content-Transfer-Encoding:[ \t]*)binary([ \t]*\r?)$")
IDENTITY = ("", "7bit", "8bit", "binary")


class UnknownCTE(Exception):
    """A part's Content-Transfer-Encoding we cannot undo: NO [UNKNOWN-CTE] (RFC 3516 §4.3)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        super().__init__(encoding)


@dataclass(frozen=True)
class BinaryItem:
    """``BINARY[section]<start.length>``, ``BINARY.PEEK[...]`` or ``BINARY.SIZE[section]``."""

    name: str                      # "BINARY" or "BINARY.SIZE"
    section: str
    start: int | None = None
    length: int | None = None
    peek: bool = False

    @property
    def sets_seen(self) -> bool:
        """BINARY[...] reads the message like BODY[...]; PEEK and SIZE do not (RFC 3516 §4.1)."""
        return self.name == "BINARY" and not self.peek


def parse_item(text: str) -> BinaryItem | None:
    """The item if ``text`` is a BINARY item (RFC 3516 §6 grammar), else None.

    ``section-binary`` is part numbers only (no HEADER, TEXT, MIME); BINARY.SIZE
    takes no partial range; a zero-length range is refused like BODY's.
    """
    match = _ITEM.fullmatch(text)
    if match is None:
        return None
    kind, section, start, length = match.groups()
    kind = kind.upper()
    if kind == "BINARY.SIZE" and start is not None or length == "0":
        raise ParseError("syntax.fetch_item", item=text[:40])
    name = "BINARY.SIZE" if kind == "BINARY.SIZE" else "BINARY"
    return BinaryItem(name, section or "", int(start) if start else None,
                      int(length) if length else None, kind == "BINARY.PEEK")


def decoded(raw: bytes, section: str) -> bytes:
    """The part's octets with its transfer encoding undone (RFC 3516 §4.1).

    ``BINARY[]`` is the whole message as stored; a part that does not exist is
    empty, as for BODY[].
    """
    if not section:
        return raw
    root = mimeparts.entity(raw)
    part = mimeparts.find(root, [int(n) for n in section.split(".")])
    if part is None:
        return b""
    if part.multipart or part.message is not None:
        return part.body
    return transfer_decoded(part)


def transfer_decoded(part: mimeparts.Entity) -> bytes:
    """A leaf's body with its Content-Transfer-Encoding undone (RFC 2045 §6), or UnknownCTE."""
    encoding = str(part.msg.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in IDENTITY:
        return part.body
    if encoding == "base64":
        return binascii.a2b_base64(part.body)      # skips line breaks and other junk
    if encoding == "quoted-printable":
        return decode_qp(part.body)
    raise UnknownCTE(encoding)


def decode_qp(body: bytes) -> bytes:
    """Quoted-printable to octets (RFC 2045 §6.7): trailing white space on a line was
    added in transport and goes (rule 3), so ``= `` is still a soft line break."""
    lines = re.split(rb"\r?\n", body)
    return binascii.a2b_qp(b"\r\n".join(line.rstrip(b" \t") for line in lines))


def value(raw: bytes, item: BinaryItem) -> bytes:
    """``BINARY[s]<o> data`` or ``BINARY.SIZE[s] n`` for a FETCH response."""
    content = decoded(raw, item.section)
    if item.name == "BINARY.SIZE":
        return b"BINARY.SIZE[%s] %d" % (item.section.encode(), len(content))
    label = b"BINARY[%s]" % item.section.encode()
    if item.start is not None:
        label += b"<%d>" % item.start
        content = content[item.start:item.start + item.length]
    return label + b" " + string8(content)


def string8(content: bytes) -> bytes:
    """A literal8 ``~{n}`` when there is a NUL, else an ordinary string (RFC 3516 §4.2)."""
    if b"\0" in content:
        return b"~{%d}\r\n" % len(content) + content
    return render(content)


def encode_binary_parts(raw: bytes) -> bytes:
    """The message with each ``Content-Transfer-Encoding: binary`` leaf re-encoded in
    base64, byte for byte elsewhere (RFC 3516 §4.4: stored so that BODY[] stays valid)."""
    return _encode(mimeparts.entity(raw), raw)


def _encode(node: mimeparts.Entity, raw: bytes) -> bytes:
    if node.multipart:
        body, offset = node.body, 0
        for part in node.parts:
            old = part.header + part.body
            at = body.find(old, offset)
            new = _encode(part, old)
            if at >= 0 and new != old:
                body = body[:at] + new + body[at + len(old):]
            offset = max(offset, at) + len(new)
        return node.header + body
    encoding = str(node.msg.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding != "binary" or node.message is not None:
        return raw
    header = _CTE.sub(rb"\1base64\2", node.header)
    lines = binascii.b2a_base64(node.body, newline=False)
    wrapped = b"\r\n".join(lines[i:i + 76] for i in range(0, len(lines), 76))
    return header + wrapped + b"\r\n"
