"""The response formatter: Python values into IMAP wire syntax (RFC 3501 §4, §9).

Rules of thumb the server follows (and why):

* a string goes out quoted when it can (short, 7-bit, no CR/LF), escaping
  ``"`` and ``\\``; otherwise as a literal ``{n}\\r\\n`` + octets, which can
  carry anything, including line breaks (message headers and bodies);
* ``None`` is NIL — "no value" — which is not the same as ``""``;
* an :class:`~.types.Atom` goes out as is (flags, keywords, ``BODY[TEXT]``).

Values: Atom, str, bytes, int, None, list/tuple (a parenthesised list).
"""
from __future__ import annotations

from collections.abc import Iterable

from .types import NIL, Atom

_QUOTABLE_MAX = 1024
_ATOM_SAFE = frozenset(b"!#$&'+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`"
                       b"abcdefghijklmnopqrstuvwxyz|}~[")


class Raw(bytes):
    """Octets already in wire form, written as they are."""


def render(value: object) -> bytes:
    """The wire form of one value."""
    if isinstance(value, Raw):
        return bytes(value)
    if value is None or value is NIL:
        return b"NIL"
    if isinstance(value, Atom):
        return value.encode("utf-8")
    if isinstance(value, bool):
        raise TypeError("booleans have no IMAP form")
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, str):
        return string(value.encode("utf-8"))
    if isinstance(value, (bytes, bytearray)):
        return string(bytes(value))
    if isinstance(value, (list, tuple)):
        return b"(" + b" ".join(render(v) for v in value) + b")"
    raise TypeError(f"cannot render {value!r}")


def flag_list(flags: Iterable[str]) -> bytes:
    """``(\\Seen $Work)``: flags are atoms (RFC 3501 §9 ``flag-list``), so they go out as
    they are; the same octets as ``render`` of a list of Atoms, built in one step (FETCH
    FLAGS answers this for every message)."""
    return b"(" + " ".join(flags).encode("utf-8") + b")"


def render_all(values: Iterable[object]) -> bytes:
    """Values separated by single spaces."""
    return b" ".join(render(v) for v in values)


def string(data: bytes) -> bytes:
    """A quoted string if possible, else a literal (RFC 3501 §4.3)."""
    if len(data) <= _QUOTABLE_MAX and all(0x20 <= b < 0x7F for b in data):
        return b'"' + data.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return literal(data)


def literal(data: bytes) -> bytes:
    """``{n}`` CRLF and the octets: the server never waits before sending one."""
    return b"{%d}\r\n" % len(data) + data


def astring(text: str) -> bytes:
    """An atom when the text is a plain word (mailbox names), else a string."""
    data = text.encode("utf-8")
    if data and data.upper() != b"NIL" and all(b in _ATOM_SAFE for b in data):
        return data
    return string(data)


def mailbox(name: str) -> bytes:
    """A mailbox name as LIST, LSUB and STATUS show it (RFC 3501 §9 ``mailbox``)."""
    return astring(name)
