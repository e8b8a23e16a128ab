"""POP3 wire syntax: command lines, byte-stuffing, status lines, APOP digests.

Pure functions, shared by the server and the client, so that both sides
agree byte for byte on what a multi-line block looks like (RFC 1939 §3).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

#: RFC 2449 §4: a command line is at most 255 octets including CRLF.
MAX_COMMAND_LINE = 255
TERMINATOR = b".\r\n"


@dataclass(frozen=True)
class Command:
    """A parsed command line: keyword in upper case and its arguments."""

    verb: str
    args: tuple[str, ...]


def parse_command(line: bytes) -> Command:
    """Split a command line into keyword and arguments (RFC 1939 §3).

    Keywords are case-insensitive; arguments are separated by single
    spaces.  PASS keeps everything after the keyword as one argument,
    because RFC 1939 §7 lets a password contain spaces.
    """
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    verb, _, rest = text.partition(" ")
    verb = verb.upper()
    if verb == "PASS":
        return Command(verb, (rest,) if rest else ())
    return Command(verb, tuple(a for a in rest.split(" ") if a))


def format_command(verb: str, *args: object) -> bytes:
    """The wire form of a command."""
    return " ".join([verb, *map(str, args)]).encode("utf-8") + b"\r\n"


def parse_number(arg: str) -> int | None:
    """A message number (RFC 1939 §3: decimal, 1-based), or None if not one."""
    if not arg.isascii() or not arg.isdigit():
        return None
    return int(arg)


def lines_of(data: bytes) -> list[bytes]:
    """``data`` split into lines that keep their CRLF."""
    return data.splitlines(keepends=True)


def stuff(data: bytes) -> bytes:
    """The multi-line block for ``data``: dots doubled, CRLF.CRLF appended.

    RFC 1939 §3: a line starting with "." gets another "." in front, so the
    terminator ".CRLF" can never appear inside the data.  Data that does not
    end with CRLF gets one, or the terminator would join its last line.
    """
    out = bytearray()
    for line in lines_of(data):
        if line.startswith(b"."):
            out += b"."
        out += line
    if out and not out.endswith(b"\r\n"):
        out += b"\r\n"
    return bytes(out + TERMINATOR)


def unstuff_line(line: bytes) -> bytes:
    """One received block line with the stuffed dot removed (RFC 1939 §3)."""
    return line[1:] if line.startswith(b".") else line


def split_status(line: bytes) -> tuple[bool, str]:
    """(+OK?, text) of a status line.  Raises ValueError if it is neither."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    for status, ok in (("+OK", True), ("-ERR", False)):
        if text == status or text.startswith(status + " "):
            return ok, text[len(status):].lstrip(" ")
    raise ValueError(f"not a POP3 status line: {text!r}")


def resp_code(text: str) -> str | None:
    """The RFC 2449 §8 response code in brackets at the start of ``text``."""
    if text.startswith("[") and "]" in text:
        return text[1:text.index("]")]
    return None


def top_of(data: bytes, lines: int) -> bytes:
    """Header, blank line and the first ``lines`` body lines (RFC 1939 §7 TOP)."""
    all_lines = lines_of(data)
    for i, line in enumerate(all_lines):
        if line in (b"\r\n", b"\n"):
            return b"".join(all_lines[: i + 1 + lines])
    return data                     # no body at all: the header is everything


def apop_digest(timestamp: str, secret: str) -> str:
    """RFC 1939 §7: lowercase hex MD5 of the greeting timestamp followed by the secret."""
    return hashlib.md5((timestamp + secret).encode("utf-8")).hexdigest()


def greeting_timestamp(text: str) -> str | None:
    """The ``<...>`` APOP timestamp in a greeting's text, if any (RFC 1939 §7)."""
    start, end = text.find("<"), text.rfind(">")
    if 0 <= start < end and "@" in text[start:end]:
        return text[start:end + 1]
    return None
