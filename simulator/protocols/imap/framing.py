"""Framing: cutting the client's byte stream into whole commands.

An IMAP command is a line, except that a line ending in ``{n}`` (or
``{n+}``) announces a literal: exactly n octets of any content, after which
the command goes on with another line (RFC 3501 §4.3, RFC 9051 §4.3).

* ``{n}`` is *synchronising*: the client waits for a command continuation
  request (``+ ...``) before it sends the octets (RFC 3501 §7.5), so the
  server can refuse a literal it does not want before it arrives.
* ``{n+}`` is *non-synchronising* (LITERAL+, RFC 7888 §3): the octets follow
  at once.  If the server does not want them it can only hang up (§4), since
  they are on their way anyway.

Limits (RFC 9051 §4 leaves them to the server; RFC 7162 §4 recommends
accepting lines of at least 8192 octets): a line part longer than
``max_line`` or a non-synchronising literal over ``max_literal`` ends the
session with BYE; a synchronising literal over the limit gets a tagged NO
and the client simply never sends it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_LINE = 65536                # RFC 7162 §4: at least 8192; an RFC 2971 ID list may need ~32 KiB
MAX_LITERAL = 16 * 1024 * 1024  # our own limit for one literal (e.g. an APPENDed message)

_LITERAL_END = re.compile(rb"\{(\d{1,20})(\+?)\}$")


@dataclass
class CommandText:
    """One complete command: line parts and the literals between them."""

    parts: list[bytes]
    literals: list[bytes] = field(default_factory=list)

    @property
    def raw(self) -> bytes:
        """The command as it was on the wire (for the transcript)."""
        out = bytearray()
        for i, part in enumerate(self.parts):
            out += part + b"\r\n"
            if i < len(self.literals):
                out += self.literals[i]
        return bytes(out)

    @property
    def tag(self) -> bytes:
        return self.parts[0].split(b" ", 1)[0]


@dataclass(frozen=True)
class ContinuationNeeded:
    """A synchronising literal was announced; the server must answer ``+`` first.
    ``raw`` is the command so far, up to and including the ``{n}`` line."""

    tag: bytes
    size: int
    raw: bytes = field(default=b"", compare=False)


@dataclass(frozen=True)
class LineTooLong:
    """A line part exceeded ``max_line``: its first octets and the length seen so far."""

    prefix: bytes
    length: int


@dataclass(frozen=True)
class LiteralTooBig:
    """A literal was announced bigger than ``max_literal``."""

    tag: bytes
    size: int
    synchronising: bool
    raw: bytes


Frame = CommandText | ContinuationNeeded | LineTooLong | LiteralTooBig


class CommandReader:
    """Feed bytes in, take frames out; keeps at most one line part in memory."""

    def __init__(self, max_line: int = MAX_LINE, max_literal: int = MAX_LITERAL) -> None:
        self.max_line, self.max_literal = max_line, max_literal
        self._buf = bytearray()
        self._parts: list[bytes] = []
        self._literals: list[bytes] = []
        self._literal_left: int | None = None

    def feed(self, data: bytes) -> None:
        self._buf += data

    @property
    def in_literal(self) -> bool:
        """Whether octets of an announced literal are still expected."""
        return self._literal_left is not None

    @property
    def mid_command(self) -> bool:
        """Whether part of a command has been read (for the transcript of a dropped peer)."""
        return bool(self._parts) or bool(self._buf)

    def next_frame(self) -> Frame | None:
        """The next frame, or None when more bytes are needed."""
        while True:
            if self._literal_left is not None:
                if not self._take_literal():
                    return None
                continue
            end = self._buf.find(b"\n")
            if end < 0:
                if len(self._buf) > self.max_line:
                    return self._too_long(len(self._buf))
                return None
            if end + 1 > self.max_line:
                return self._too_long(end + 1)
            frame = self._take_line(end)
            if frame is not None:
                return frame

    def take_rest(self) -> bytes:
        """Everything buffered and not yet framed (thrown away at STARTTLS)."""
        rest = bytes(self._buf)
        self._buf.clear()
        return rest

    def _take_literal(self) -> bool:
        got = self._literals[-1]
        take = min(self._literal_left, len(self._buf))
        self._literals[-1] = got + bytes(self._buf[:take])
        del self._buf[:take]
        self._literal_left -= take
        if self._literal_left:
            return False
        self._literal_left = None
        return True

    def _take_line(self, end: int) -> Frame | None:
        line = bytes(self._buf[:end]).removesuffix(b"\r")
        del self._buf[: end + 1]
        self._parts.append(line)
        match = _LITERAL_END.search(line)
        if match is None:
            frame = CommandText(self._parts, self._literals)
            self._parts, self._literals = [], []
            return frame
        size, synchronising = int(match.group(1)), not match.group(2)
        tag = self._parts[0].split(b" ", 1)[0]
        if size > self.max_literal:
            raw = b"\r\n".join(self._parts)
            self._parts, self._literals = [], []
            return LiteralTooBig(tag, size, synchronising, raw)
        self._literals.append(b"")
        self._literal_left = size
        if not synchronising:
            return None
        return ContinuationNeeded(tag, size, CommandText(list(self._parts), list(self._literals)).raw)

    def _too_long(self, length: int) -> LineTooLong:
        prefix = bytes(self._buf[:80])
        self._buf.clear()
        self._parts, self._literals = [], []
        return LineTooLong(prefix, length)
