"""A message's MIME parts *with their octets*, for BODY[section] and BODYSTRUCTURE.

RFC 3501 §6.4.5 / RFC 9051 §6.4.5 want every section exactly as stored,
and §7.4.2 wants each part's size in octets and lines.  The stdlib
``email`` parser reads every header (content type, parameters, boundary,
RFC 2231 values) but does not remember where a part starts and ends, and
re-serialising a part would not be byte-exact.  So the header of each
entity is read by the stdlib parser, and only what the section rules need
is done on the octets: the header ends at the first empty line (RFC 5322
§2.1), and a multipart body is cut at its boundary delimiter lines
(RFC 2046 §5.1.1: the CRLF before ``--boundary`` belongs to the delimiter,
which may carry transport padding; ``--boundary--`` closes the body).

Part numbers (RFC 3501 §6.4.5): the parts of a multipart are 1, 2, …; a
message that is not multipart has one part, 1 — its body; the parts of a
message/rfc822 part are numbered as those of the message it encapsulates.

Parts nest at most :data:`MAX_DEPTH` deep.  MIME sets no limit, but a
message is client input (APPEND, SMTP): one nested 1,000 levels deep
exhausted the parser's stack on every FETCH and SEARCH of it.  A part at the
limit is kept whole as one opaque leaf (application/octet-stream), the way
Dovecot limits nesting since CVE-2020-12100; its octets stay byte-exact.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

_BLANK = re.compile(rb"\r?\n\r?\n")
_FOLD = re.compile(r"\r?\n(?=[ \t])")
_IDENTITY = ("7bit", "8bit", "binary")      # RFC 2046 §5.2.1: the only encodings of message/*
#: How deep multiparts and message/rfc822 parts may nest (see the module docstring).
MAX_DEPTH = 100


@lru_cache(maxsize=1)
def policy():
    """compat32 (header values as sent, encoded words left encoded), but unfolded.

    RFC 5322 §2.2.3: a folded header means the same with its CRLFs removed;
    without this a ``boundary="a<CRLF> b"`` parameter would keep the CRLF.
    """
    from email.policy import Compat32

    class Unfolded(Compat32):
        def header_fetch_parse(self, name, value):
            # 8-bit octets stay as surrogate escapes (no Header object): IMAP sends them as is
            return _FOLD.sub("", value)

    return Unfolded(linesep="\r\n")


@dataclass
class Entity:
    """One MIME entity: its header octets (with the empty line), body octets and header view."""

    header: bytes
    body: bytes
    msg: Message
    parts: list[Entity] = field(default_factory=list)   # a multipart's body parts
    message: Entity | None = None                       # what a message/rfc822 encapsulates

    @property
    def multipart(self) -> bool:
        return bool(self.parts)


def split_header(raw: bytes) -> tuple[bytes, bytes]:
    """Header (up to and including the empty line) and body (RFC 5322 §2.1)."""
    if raw.startswith((b"\r\n", b"\n")):
        cut = 2 if raw.startswith(b"\r\n") else 1
        return raw[:cut], raw[cut:]
    match = _BLANK.search(raw)
    if match is None:
        return raw, b""
    return raw[:match.end()], raw[match.end():]


def parse_header(header: bytes, default_type: str = "text/plain") -> Message:
    """The stdlib's view of a header block (values unfolded, as sent)."""
    from email.parser import BytesHeaderParser
    msg = BytesHeaderParser(policy=policy()).parsebytes(header)
    msg.set_default_type(default_type)
    return msg


def entity(raw: bytes, default_type: str = "text/plain", depth: int = 0) -> Entity:
    """The entity tree of ``raw`` (a message or a body part, header first)."""
    header, body = split_header(raw)
    msg = parse_header(header, default_type)
    node = Entity(header, body, msg)
    nests = msg.get_content_maintype() == "multipart" or msg.get_content_type() == "message/rfc822"
    if depth >= MAX_DEPTH and nests:
        msg.set_type("application/octet-stream")   # the parsed view only, not the octets
        return node
    if msg.get_content_maintype() == "multipart":
        # Without its required boundary parameter (RFC 2046 §5.1.1) no delimiter can be
        # found: as for a boundary that never appears, the body is all preamble and the
        # multipart has one empty part (RFC 3501 §9 body-type-mpart needs one), as in Dovecot.
        boundary = msg.get_boundary()
        child_type = "message/rfc822" if msg.get_content_subtype() == "digest" else "text/plain"
        pieces = (split_multipart(body, boundary.encode("utf-8", "surrogateescape"))
                  if boundary else []) or [b""]
        node.parts = [entity(p, child_type, depth + 1) for p in pieces]
    elif msg.get_content_type() == "message/rfc822" and _identity(msg):
        node.message = entity(body, depth=depth + 1)
    return node


def leaves(root: Entity) -> list[Entity]:
    """The parts that hold content, in order, including those of encapsulated messages."""
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        inner = node.parts or ([node.message] if node.message is not None else [])
        if not inner:
            out.append(node)
        stack.extend(reversed(inner))
    return out


def _identity(msg: Message) -> bool:
    return str(msg.get("Content-Transfer-Encoding", "7bit")).strip().lower() in _IDENTITY


def split_multipart(body: bytes, boundary: bytes) -> list[bytes]:
    """The body parts between delimiter lines (RFC 2046 §5.1.1); preamble and epilogue
    are dropped.  A body that is never closed ends its last part at the end."""
    dash = b"--" + boundary
    parts: list[bytes] = []
    start: int | None = None
    offset = 0
    for line in body.splitlines(keepends=True):
        end = offset + len(line)
        text = line.rstrip(b"\r\n")
        if text.startswith(dash):
            rest = text[len(dash):]
            closing = rest.startswith(b"--")
            if not rest[2 if closing else 0:].strip(b" \t"):
                if start is not None:
                    parts.append(body[start:max(start, _before_eol(body, offset))])
                start = None if closing else end
                if closing:
                    return parts
        offset = end
    if start is not None:
        parts.append(body[start:])
    return parts


def _before_eol(body: bytes, offset: int) -> int:
    """Where the line break that precedes the delimiter at ``offset`` starts."""
    if body[offset - 2:offset] == b"\r\n":
        return offset - 2
    if body[offset - 1:offset] == b"\n":
        return offset - 1
    return offset


def find(root: Entity, path: list[int]) -> Entity | None:
    """The part numbered ``path`` (e.g. [2, 1] for "2.1"), or None (RFC 3501 §6.4.5)."""
    context: Entity | None = root          # whose parts the next number picks
    part: Entity | None = None
    for number in path:
        if context is None:
            return None
        if context.multipart:
            if not 1 <= number <= len(context.parts):
                return None
            part = context.parts[number - 1]
        elif number == 1:                  # a non-multipart message: part 1 is its body
            part = context
        else:
            return None
        context = part.message or (part if part.multipart else None)
    return part


def section(root: Entity, raw: bytes, path: list[int], kind: str) -> bytes:
    """The octets of BODY[path.kind]; empty when that part or text does not exist.

    HEADER, HEADER.FIELDS[.NOT] and TEXT apply to the message itself (no path)
    or to the message a message/rfc822 part encapsulates; MIME is the part's
    own header (RFC 3501 §6.4.5).
    """
    part = find(root, path) if path else root
    if part is None:
        return b""
    if not kind:
        return part.body if path else raw
    if kind == "MIME":
        return part.header
    target = part if not path else part.message
    if target is None:
        return b""
    return target.body if kind == "TEXT" else target.header
