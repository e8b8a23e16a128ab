"""Message content after DATA: dot-stuffing both ways (RFC 5321 §4.5.2).

The content ends with a line holding a single dot, so a content line that
starts with a dot gets one more dot in front on the wire (the client
"stuffs"), and the server removes the first dot of any such line.

Only CRLF "." CRLF ends the content.  A bare LF is not a line end (§2.3.8),
so ``LF . LF`` or ``LF . CRLF`` must not end the data: a server that took them
as the end could be tricked into reading the rest as new commands ("SMTP
smuggling", CVE-2023-51764 and friends).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF.
MAX_TEXT_LINE = 1000

_NEWLINE = re.compile(rb"\r\n|\r|\n")
#: The end of the content (RFC 5321 §4.1.1.4): a line holding one dot, after a CRLF.
_FINAL_DOT_LINE = b"\r\n.\r\n"
_FINAL_DOT = re.compile(re.escape(_FINAL_DOT_LINE))
#: A line that starts with a dot; in clean CRLF content, one the client stuffed (§4.5.2).
_LINE_START_DOT = re.compile(rb"\n\.")
#: Content the reader holds unread while its final dot is not in: a message shorter than
#: this is read in one go (:meth:`DataReader._whole_block`) even when it comes in several
#: pieces.  The driver hands the engine a body's first line on its own (it cannot know
#: that a body begins): reading it in the line loop cost 1.6 µs, holding it 0.6 (timeit);
#: and a 4 KiB message in two reads (Postfix's VSTREAM, under smtp-source, buffers 4096)
#: went through the loop nearly whole.
HOLD = 64 << 10


def normalize_newlines(content: bytes) -> bytes:
    """Turn any line ending (CRLF, bare LF, bare CR) into CRLF and end with CRLF."""
    crlf = content.count(b"\r\n")
    # Mail from mail programs is CRLF already: counting is much cheaper than a
    # substitution pass over the whole message, and gives the same bytes.
    if content.count(b"\n") != crlf or content.count(b"\r") != crlf:
        content = _NEWLINE.sub(b"\r\n", content)
    if not content.endswith(b"\r\n"):
        content += b"\r\n"
    return content


def has_long_line(content: bytes) -> bool:
    """Whether a line of ``content`` is over 998 octets without its CRLF (RFC 5322 §2.1.1,
    RFC 5321 §4.5.3.1.6).  Only CRLF ends a line (RFC 5321 §2.3.8)."""
    limit = MAX_TEXT_LINE - 2
    # the length test first: most messages are shorter than one allowed line
    return len(content) > limit and max(map(len, content.split(b"\r\n"))) > limit


_FIELD = re.compile(rb"^[!-9;-~]+:")     # RFC 5322 §2.2: a field name, then a colon


def header_section(content: bytes) -> bytes:
    """The header fields of a message: everything before the first empty line (RFC 5322
    §2.1); content without an empty line is all header fields only if it starts like one."""
    end = content.find(b"\r\n\r\n")
    if end >= 0:
        return content[:end + 2]
    return content if _FIELD.match(content) else b""


def dot_stuff(content: bytes) -> bytes:
    """The wire form of ``content``: CRLF lines, leading dots doubled, then ``.CRLF``."""
    return stuff_lines(normalize_newlines(content))


def stuff_lines(lines: bytes) -> bytes:
    """The wire form of ``lines``, content whose lines all end with CRLF already (what
    :func:`normalize_newlines` returns): each leading dot doubled, then ``.CRLF``."""
    # A line starts at the first octet or after a CRLF: one replace over the whole
    # message does what a loop over its lines did, in C.
    return (b"\r\n" + lines).replace(b"\r\n.", b"\r\n..")[2:] + b".\r\n"


@dataclass
class DataProblems:
    """What was wrong with the content, decided when the final dot arrives."""

    too_big: bool = False
    line_too_long: bool = False
    bare_lf: bool = False


class DataReader:
    """Reads content until CRLF.CRLF, un-stuffing dots, within the size limit.

    Feed bytes with :meth:`feed`; it returns True (and :attr:`done` is True)
    once the final dot line is read.  Bytes after it stay for the command reader
    (:meth:`take_rest`), so a pipelining client may send the next command in the
    same packet.
    """

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        # bytearrays while lines are added; a message read in one go keeps its bytes
        self.content: bytes | bytearray = bytearray()
        self.raw: bytes | bytearray = bytearray()   # exactly what was received (transcript)
        self.lines = 0
        self.problems = DataProblems()
        self._buf = bytearray()
        self._after_crlf = True          # the previous line ended with CRLF
        self.done = False                # the final dot line was read

    def feed(self, data: bytes) -> bool:
        if self.done:
            self._buf += data    # what follows the final dot is the command reader's
            return True
        if not data:
            return False         # every whole line was read already
        # The final dot can only be in what is new, or straddle its start: search from there.
        searched = max(0, len(self._buf) - len(_FINAL_DOT_LINE) + 1)
        self._buf += data
        if self._after_crlf:     # the buffer starts with a line: it may be read in one go
            dot = self._final_dot(searched)
            if dot is None and len(self._buf) < HOLD:
                return False     # read once the final dot is in (see HOLD)
            if dot is not None and self._whole_block(dot):
                return True
        pos = 0                      # trim once at the end: deleting per line is quadratic
        while not self.done:
            end = self._buf.find(b"\n", pos)
            if end < 0:
                break
            self._line(bytes(self._buf[pos: end + 1]))
            pos = end + 1
        del self._buf[:pos]
        if not self.done:
            self._guard_partial_line()
        return self.done

    def _final_dot(self, searched: int) -> int | None:
        """Where the final dot line starts in the buffer, or None if it is not in yet.
        ``searched``: no final dot starts before this offset (it was looked for already)."""
        if self._buf.startswith(b".\r\n"):
            return 0                                        # an empty message
        found = _FINAL_DOT.search(self._buf, searched)      # a regex finds it faster than find()
        return None if found is None else found.start() + 2

    def _whole_block(self, end: int) -> bool:
        """The common case in one go: the buffer holds clean lines up to the final dot,
        which starts at ``end``.

        Splitting and un-stuffing whole blocks in C is several times faster
        than the line loop; any block with a bare LF or an overlong line is
        left to the loop, which records exactly what was wrong.
        """
        raw = bytes(memoryview(self._buf)[:end + 3])    # with the dot line: one copy
        # splitlines() ends a line at CRLF, CR or LF: the lines and two octets after
        # each make the whole block only if every end was a CRLF (no bare CR or LF).
        lines = raw.splitlines()                        # the last one is the final dot
        if sum(map(len, lines)) + 2 * len(lines) != len(raw):
            return False
        if max(map(len, lines)) + 2 > MAX_TEXT_LINE:
            return False
        block = raw[:end]
        if block.startswith(b".") or _LINE_START_DOT.search(block):
            block = (block[1:] if block.startswith(b".") else block).replace(b"\r\n.", b"\r\n")
        if self.raw:            # lines were read before (a long message): add to them
            self._keep_raw(raw)
            self._store(block)
        else:
            self._keep_whole(raw, block)
        self.lines += len(lines) - 1
        del self._buf[:end + 3]
        self.done = True
        return True

    def _keep_whole(self, raw: bytes, content: bytes) -> None:
        """Keep a whole message read in one go (nothing was read before it, so ``raw``
        and ``content`` are empty): these bytes themselves.  Adding them to the reader's
        bytearrays copied them, and the engine's ``bytes()`` of those copied them again:
        four copies of a 4 KiB message, 6K instructions and 1-2 µs per short session."""
        self.raw = raw
        if len(content) > self.max_size:
            self.problems.too_big = True         # as :meth:`_store` says: nothing stored
        else:
            self.content = content

    def take_rest(self) -> bytes:
        rest = bytes(self._buf)
        self._buf.clear()
        return rest

    def _line(self, line: bytes) -> None:
        self._keep_raw(line)
        if self._after_crlf and line == b".\r\n":
            self.done = True
            return
        ends_crlf = line.endswith(b"\r\n")
        self.problems.bare_lf |= not ends_crlf
        if len(line) > MAX_TEXT_LINE:
            self.problems.line_too_long = True
        if self._after_crlf and line.startswith(b"."):
            line = line[1:]                  # RFC 5321 §4.5.2: drop the stuffed dot
        self._store(line)
        self._after_crlf = ends_crlf
        self.lines += 1

    def _store(self, line: bytes) -> None:
        if len(self.content) + len(line) > self.max_size:
            self.problems.too_big = True     # keep reading to the dot, store nothing more
        if not self.problems.too_big:
            self.content += line

    def _keep_raw(self, line: bytes) -> None:
        if len(self.raw) <= self.max_size + MAX_TEXT_LINE:
            self.raw += line

    def _guard_partial_line(self) -> None:
        # A line without LF that is already too long cannot become valid: note
        # it and hold only its tail so that a flood does not grow memory.
        if len(self._buf) > MAX_TEXT_LINE:
            self.problems.line_too_long = True
            dropped = bytes(self._buf[:-2])
            self._keep_raw(dropped)
            self._store(dropped)
            self._after_crlf = False
            del self._buf[:-2]
