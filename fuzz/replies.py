"""What a server may say, checked the way a strict client would read it.

Written from the RFCs' grammars, not from the engines' code, so that a
reply the engines think fine but a real client cannot read is caught:

- SMTP (RFC 5321 §4.2, §4.5.3.1.5): ``ddd SP text CRLF`` or ``ddd-text``
  continuation lines with the same code, at most 512 octets a line;
- POP3 (RFC 1939 §3, RFC 2449 §4): ``+OK`` / ``-ERR`` status lines of at
  most 512 octets; after some +OK a dot-stuffed block ended by ``.CRLF``;
- POP2 (RFC 937): ``+``, ``-``, ``#nn``, ``=ccc`` lines, and after RETR
  exactly the announced ccc octets of text;
- FTP (RFC 959 §4.2): ``ddd SP text CRLF``, or ``ddd-text`` … ``ddd SP text``
  with free lines between (FEAT's, RFC 2389 §3.2), the first digit 1–5;
- HTTP/1.1 (RFC 9112 §4, §6): a status line, header fields, then exactly
  the body its Content-Length or chunked coding announces;
- IMAP (RFC 3501 §7, §9; RFC 9051): ``* …``, ``+ …`` and ``tag OK|NO|BAD
  …`` lines whose literals ``{n}`` carry exactly n octets, with balanced
  parentheses and well-formed quoted strings in data responses.

Each checker raises :class:`BadReply` with the offending bytes and returns
what a client needs to go on (the SMTP code, ``"+OK"``, ``"tagged-BAD"``...),
which the fuzzers' summaries also count.
"""
from __future__ import annotations

import re

#: RFC 5321 §4.5.3.1.5 and RFC 2449 §4: a reply line is at most 512 octets with its CRLF.
MAX_REPLY_LINE = 512

_SMTP_LINE = re.compile(rb"([2-5][0-9][0-9])([ -]?)(.*)\r\n\Z", re.DOTALL)
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class BadReply(Exception):
    """The server's bytes break the protocol's reply syntax."""

    def __init__(self, why: str, raw: bytes) -> None:
        super().__init__(f"{why}: {raw[:200]!r}")
        self.why, self.raw = why, raw


def _text(raw: bytes, text: bytes) -> None:
    """Reply text: UTF-8 without control characters other than TAB (RFC 5321 textstring)."""
    if _CONTROL.search(text):
        raise BadReply("control character in reply text", raw)
    try:
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise BadReply("reply text is not UTF-8", raw) from None


def _lines(data: bytes) -> tuple[list[bytes], bytes]:
    """Complete LF-terminated lines and the incomplete rest."""
    *lines, rest = data.split(b"\n")
    return [line + b"\n" for line in lines], rest


# --------------------------------------------------------------------------- SMTP

class SMTPReplies:
    """Splits a server's byte stream into replies and checks each (RFC 5321 §4.2)."""

    def __init__(self) -> None:
        self._rest = b""
        self._block: list[bytes] = []

    def feed(self, data: bytes) -> list[str]:
        """The codes (``"250"``...) of the replies completed by ``data``."""
        lines, self._rest = _lines(self._rest + data)
        done = []
        for line in lines:
            done += self._line(line)
        if len(self._rest) > MAX_REPLY_LINE:
            raise BadReply("reply line over 512 octets", self._rest)
        return done

    def _line(self, line: bytes) -> list[str]:
        if len(line) > MAX_REPLY_LINE:
            raise BadReply("reply line over 512 octets", line)
        match = _SMTP_LINE.match(line)
        if not match:
            raise BadReply("not an SMTP reply line", line)
        code, sep, text = match.groups()
        if text and not sep:
            raise BadReply("no space between code and text", line)
        _text(line, text)
        if self._block and self._block[0][:3] != code:
            raise BadReply("multi-line reply changes its code", b"".join(self._block) + line)
        self._block.append(line)
        if sep == b"-":
            return []
        self._block = []
        return [code.decode()]

    @property
    def idle(self) -> bool:
        """No reply is half-read."""
        return not self._block and not self._rest


# --------------------------------------------------------------------------- POP3

def pop3_status(line: bytes) -> str:
    """The status (``"+OK"`` / ``"-ERR"``) of one POP3 status line (RFC 1939 §3)."""
    if len(line) > MAX_REPLY_LINE:
        raise BadReply("status line over 512 octets", line)
    if not line.endswith(b"\r\n") or b"\r" in line[:-2]:
        raise BadReply("status line not ended by one CRLF", line)
    for status in (b"+OK", b"-ERR"):
        if line == status + b"\r\n" or line.startswith(status + b" "):
            _text(line, line[len(status):-2])
            return status.decode()
    raise BadReply("not a POP3 status line", line)


def pop3_block_line(line: bytes) -> bool:
    """Check one line of a multi-line block; True if it is the terminator ``.CRLF``."""
    if line == b".\r\n":
        return True
    if line.startswith(b".") and not line.startswith(b".."):
        raise BadReply("block line starting with an unstuffed dot", line)
    return False


def pop3_reply(raw: bytes, multiline: bool) -> str:
    """Check one whole POP3 reply; ``multiline``: the command's +OK carries a block."""
    first, _, block = raw.partition(b"\n")
    status = pop3_status(first + b"\n")
    if status == "+OK" and multiline:
        lines, rest = _lines(block)
        if rest or not lines or not pop3_block_line(lines[-1]):
            raise BadReply("multi-line block not ended by .CRLF", raw)
        for line in lines[:-1]:
            pop3_block_line(line)
    elif block:
        raise BadReply("bytes after a single-line reply", raw)
    return status


class POP3Replies:
    """A POP3 byte stream checked against the commands sent, in order (RFC 1939 §3).

    The caller says, command by command, whether a positive reply is
    multi-line (:meth:`expect`); replies are read strictly in that order.
    """

    def __init__(self) -> None:
        self._rest = b""
        self._expected: list[bool] = []
        self._status: str | None = None    # of the reply whose block is being read

    def expect(self, multiline: bool) -> None:
        self._expected.append(multiline)

    @property
    def outstanding(self) -> int:
        """Replies expected and not yet complete."""
        return len(self._expected)

    def feed(self, data: bytes) -> list[str]:
        lines, self._rest = _lines(self._rest + data)
        done = []
        for line in lines:
            if self._status is not None:
                if pop3_block_line(line):
                    done.append(self._status)
                    self._status = None
                    self._expected.pop(0)
                continue
            status = pop3_status(line)
            if not self._expected:
                raise BadReply("a reply nobody asked for", line)
            if status == "+OK" and self._expected[0]:
                self._status = status
            else:
                self._expected.pop(0)
                done.append(status)
        return done


# --------------------------------------------------------------------------- POP2

_POP2_LINE = re.compile(rb"([+-])( .*)?\r\n\Z|([#=])([0-9]+)( .*)?\r\n\Z", re.DOTALL)


def pop2_reply(line: bytes) -> tuple[str, int | None]:
    """(lead, number) of one POP2 reply line (RFC 937): ``+``, ``-``, ``#nn``, ``=ccc``.

    RFC 937 sets no line limit, so none is checked here.
    """
    match = _POP2_LINE.match(line)
    if not match or b"\r" in line[:-2]:
        raise BadReply("not a POP2 reply line", line)
    if match.group(1):
        _text(line, match.group(2) or b"")
        return match.group(1).decode(), None
    _text(line, match.group(5) or b"")
    return match.group(3).decode(), int(match.group(4))


# --------------------------------------------------------------------------- IMAP

#: tag = 1*<any ASTRING-CHAR except "+">; ASTRING-CHAR includes "]" (RFC 3501 §9).
_TAG = re.compile(rb"[!#$&',\-./0-9:;<=>?@A-Z\[\]^_`a-z|}~]+\Z")
_STATUS = (b"OK", b"NO", b"BAD")
_UNTAGGED_STATUS = (*_STATUS, b"PREAUTH", b"BYE")
_LITERAL = re.compile(rb"~?\{([0-9]+)\}\r\n\Z")


class IMAPReplies:
    """Splits an IMAP server's byte stream into responses and checks each (RFC 3501 §7)."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._parts: list[bytes] = []     # the lines and literals of the response so far
        self._need = 0                    # octets still owed to the current literal

    def feed(self, data: bytes) -> list[tuple[str, bytes]]:
        """(class, first line) of each response completed by ``data``."""
        self._buf += data
        done = []
        while True:
            if self._need:
                if len(self._buf) < self._need:
                    return done
                self._parts.append(bytes(self._buf[: self._need]))
                del self._buf[: self._need]
                self._need = 0
            end = self._buf.find(b"\n")
            if end < 0:
                return done
            line = bytes(self._buf[: end + 1])
            del self._buf[: end + 1]
            if not line.endswith(b"\r\n"):
                raise BadReply("line not ended by CRLF", line)
            literal = _LITERAL.search(line)
            self._parts.append(line)
            if literal:
                self._need = int(literal.group(1))
                if self._need == 0:
                    self._parts.append(b"")
                continue
            parts, self._parts = self._parts, []
            done.append((imap_response(parts), parts[0]))

    @property
    def idle(self) -> bool:
        return not self._buf and not self._parts and not self._need


def imap_response(parts: list[bytes]) -> str:
    """The class of one response given as its lines and literals (RFC 3501 §7, §9)."""
    first = parts[0]
    raw = b"".join(parts)
    head, _, rest = first[:-2].partition(b" ")
    if head == b"+":
        _text(raw, rest)
        return "continuation"
    if head == b"*":
        kind, _, text = rest.partition(b" ")
        if kind in _UNTAGGED_STATUS:
            _resp_text(raw, text)
            return f"untagged-{kind.decode()}"
        if not kind:
            raise BadReply("untagged response without a name", raw)
        _data_syntax(parts, raw)
        return "untagged"
    if not _TAG.match(head):
        raise BadReply("not a tag, * or +", raw)
    status, _, text = rest.partition(b" ")
    if status not in _STATUS:
        raise BadReply("tagged response is not OK, NO or BAD", raw)
    if len(parts) > 1:
        raise BadReply("literal in a tagged status response", raw)
    _resp_text(raw, text)
    return f"tagged-{status.decode()}"


def _resp_text(raw: bytes, text: bytes) -> None:
    """``resp-text = ["[" resp-text-code "]" SP] text`` (RFC 3501 §9)."""
    if text.startswith(b"[") and b"]" not in text:
        raise BadReply("response code without its ]", raw)
    _text(raw, text)


def _data_syntax(parts: list[bytes], raw: bytes) -> None:
    """Quoted strings closed, no 8-bit or control bytes outside literals, parentheses balanced."""
    depth = 0
    for i, part in enumerate(parts):
        if i % 2:               # a literal's octets: anything goes (RFC 3501 §4.3)
            continue
        text = part[:-2] if part.endswith(b"\r\n") else part
        j = 0
        while j < len(text):
            c = text[j:j + 1]
            if c == b'"':
                j = _skip_quoted(text, j + 1, raw)
                continue
            if c == b"(":
                depth += 1
            elif c == b")":
                depth -= 1
                if depth < 0:
                    raise BadReply("unbalanced )", raw)
            elif _CONTROL.match(c) or c == b"\x00":
                raise BadReply("control character in a data response", raw)
            j += 1
    if depth:
        raise BadReply("unbalanced (", raw)
    try:
        raw.decode("utf-8") if len(parts) == 1 else None
    except UnicodeDecodeError:
        raise BadReply("data response is not UTF-8 outside literals", raw) from None


def _skip_quoted(text: bytes, j: int, raw: bytes) -> int:
    """Index after the closing quote of a quoted string starting at ``j`` (RFC 3501 §9)."""
    while j < len(text):
        c = text[j:j + 1]
        if c == b"\\":
            if text[j + 1:j + 2] not in (b"\\", b'"'):
                raise BadReply("bad escape in a quoted string", raw)
            j += 2
            continue
        if c == b'"':
            return j + 1
        if c in (b"\r", b"\n", b"\x00"):
            raise BadReply("CR, LF or NUL in a quoted string", raw)
        j += 1
    raise BadReply("quoted string not closed", raw)


# --------------------------------------------------------------------------- FTP

_FTP_FIRST = re.compile(rb"([1-5][0-9][0-9])([ -])(.*)\r\n\Z", re.DOTALL)
#: An FTP reply line echoes a path of up to a 512-octet command: allow for it and the words.
MAX_FTP_LINE = 1024


class FTPReplies:
    """Splits an FTP control connection's bytes into replies and checks each (RFC 959 §4.2)."""

    def __init__(self) -> None:
        self._rest = b""
        self._open: bytes | None = None          # the code of a multi-line reply being read
        self.texts: list[str] = []               # the first line of each completed reply
        self._first = b""

    def feed(self, data: bytes) -> list[str]:
        """The codes of the replies completed by ``data``."""
        lines, self._rest = _lines(self._rest + data)
        done = []
        for line in lines:
            if len(line) > MAX_FTP_LINE:
                raise BadReply("reply line over 1024 octets", line)
            if not line.endswith(b"\r\n"):
                raise BadReply("reply line without CRLF", line)
            match = _FTP_FIRST.match(line)
            if self._open is not None:
                _text(line, line[:-2])
                if match and match.group(1) == self._open and match.group(2) == b" ":
                    done.append(self._open.decode())
                    self.texts.append(self._first.decode("utf-8", "replace"))
                    self._open = None
                continue
            if not match:
                raise BadReply("not an FTP reply line", line)
            code, sep, text = match.groups()
            _text(line, text)
            if sep == b"-":
                self._open, self._first = code, line
            else:
                done.append(code.decode())
                self.texts.append(line.decode("utf-8", "replace"))
        if len(self._rest) > MAX_FTP_LINE:
            raise BadReply("reply line over 1024 octets", self._rest)
        return done


# --------------------------------------------------------------------------- HTTP

_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([1-5][0-9][0-9]) ([\t -~\x80-\xff]*)\r\n\Z")
_FIELD = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t -~\x80-\xff]*?)[ \t]*\r\n\Z")
MAX_HEAD = 64 << 10


class HTTPResponses:
    """Splits a server's bytes into HTTP/1.1 responses and checks each (RFC 9112).

    ``expect(head_only)`` before each request says whether its response has no body
    (HEAD, RFC 9110 §9.3.2); 1xx, 204 and 304 never have one (RFC 9112 §6.3).
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._heads: list[bool] = []
        self.closing = False                     # "Connection: close" seen: nothing may follow
        #: a 4xx/5xx closed the connection after a HEAD: the server may not have read the
        #: request as HEAD at all (a broken field line), so a body may follow
        self._unread_head = False
        self._heads_was = False
        #: the last request was mutated: bytes after its end may get a 400 of their own,
        #: which must then close the connection (RFC 9112 §2.2: not a request line)
        self.rest_may_be_refused = False

    def expect(self, head_only: bool | None) -> None:
        """One more response to read: to a HEAD (True), to another method (False), or to
        a HEAD the server may have read otherwise (None: bytes a mutated request left
        behind came before it, so "loHEAD" got a 501 with a body)."""
        self._heads.append(head_only)

    def feed(self, data: bytes) -> list[str]:
        """The status classes (``"2xx"``…) of the responses completed by ``data``."""
        self._buf += data
        done = []
        while self._buf:
            if self.closing:
                if self._unread_head:
                    self._buf.clear()          # the body of an error to a HEAD it never read
                    break
                raise BadReply("bytes after a response with Connection: close", bytes(self._buf))
            found = self._response()
            if found is None:
                break
            done.append(found)
        return done

    def _response(self) -> str | None:
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buf) > MAX_HEAD:
                raise BadReply("response head over 64 KiB", bytes(self._buf[:200]))
            return None
        head = bytes(self._buf[:end + 2])
        lines = [line + b"\r\n" for line in head.split(b"\r\n")[:-1]]
        status = _STATUS_LINE.match(lines[0])
        if not status:
            raise BadReply("not an HTTP/1.1 status line", lines[0])
        fields: dict[bytes, bytes] = {}
        for line in lines[1:]:
            match = _FIELD.match(line)
            if not match:
                raise BadReply("not a header field line", line)
            fields[match.group(1).lower()] = match.group(2)
        code = int(status.group(1))
        if not self._heads:
            closes = b"close" in fields.get(b"connection", b"").lower()
            if not (self.rest_may_be_refused and code == 400 and closes):
                raise BadReply("a response nobody asked for", lines[0])
            self._heads.append(False)            # the refusal of the bytes after the request
        body_at = end + 4
        head = self._heads[0]
        if head is None:
            # Only a refusal can answer what the server did not read as HEAD; its body,
            # if any, came in the same write as its head, so what follows tells.
            head = code < 400 or self._buf[body_at:body_at + 9] in (b"", b"HTTP/1.1 ")
        head_only = head or code < 200 or code in (204, 304)
        length = self._body_length(fields, head_only, body_at)
        if length is None:
            return None
        self._heads_was = head
        if code >= 200:
            self._heads.pop(0)
        del self._buf[:body_at + length]
        if b"close" in fields.get(b"connection", b"").lower():
            self.closing = True
            self._unread_head = self._heads_was and code >= 400
        return f"{code // 100}xx"

    def _body_length(self, fields: dict[bytes, bytes], head_only: bool,
                     start: int) -> int | None:
        """The body's octets after ``start`` if they are all here, else None."""
        if head_only:
            return 0
        if b"transfer-encoding" in fields:
            if fields[b"transfer-encoding"].lower() != b"chunked":
                raise BadReply("a transfer coding other than chunked", fields[b"transfer-encoding"])
            return self._chunked(start)
        if b"content-length" not in fields:
            raise BadReply("a response without a length (the connection would have to close)",
                           bytes(self._buf[:200]))
        value = fields[b"content-length"]
        if not value.isdigit():
            raise BadReply("Content-Length is not a number", value)
        length = int(value)
        return length if len(self._buf) - start >= length else None

    def _chunked(self, start: int) -> int | None:
        at = start
        while True:
            end = self._buf.find(b"\r\n", at)
            if end < 0:
                return None
            size_text = bytes(self._buf[at:end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadReply("a chunk size that is not hexadecimal", size_text) from None
            at = end + 2
            if size == 0:
                trailer = self._buf.find(b"\r\n", at)
                return None if trailer < 0 else trailer + 2 - start
            if len(self._buf) < at + size + 2:
                return None
            if self._buf[at + size:at + size + 2] != b"\r\n":
                raise BadReply("a chunk not followed by CRLF", bytes(self._buf[at:at + 40]))
            at += size + 2
