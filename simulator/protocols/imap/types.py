"""The values IMAP sentences are made of (RFC 3501 §4, RFC 9051 §4).

The lexer turns wire bytes into these; the formatter turns them back.  A
parenthesised list is a plain Python ``list`` of values.  Keeping the
string kinds apart (atom, quoted, literal) lets the trace show *how* a
value was sent, which is half of what students find confusing about IMAP.
"""
from __future__ import annotations

from typing import Self


class Atom(str):
    """A bare word: command names, flags (``\\Seen``), sequence sets, fetch items."""

    def __repr__(self) -> str:
        return f"Atom({str.__repr__(self)})"


class Quoted(str):
    """A quoted string ``"..."`` with ``\\"`` and ``\\\\`` escapes undone (RFC 3501 §4.3)."""

    def __repr__(self) -> str:
        return f"Quoted({str.__repr__(self)})"


class Literal(bytes):
    """A literal ``{n}`` / ``{n+}`` followed by exactly n octets (RFC 3501 §4.3, RFC 7888)."""

    synchronising: bool = True
    binary: bool = False          # literal8 ``~{n}``: may hold NUL (RFC 3516 §4.2, APPEND only)

    def __repr__(self) -> str:
        return f"Literal({bytes.__repr__(self)})"

    def text(self) -> str:
        return self.decode("utf-8", "replace")


class _Nil:
    """The special atom NIL: "no value", distinct from an empty string (RFC 3501 §4.5)."""

    _instance: _Nil | None = None

    def __new__(cls) -> Self:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NIL"


NIL = _Nil()

Value = Atom | Quoted | Literal | _Nil | list


def is_string(value: object) -> bool:
    """Whether ``value`` is an IMAP string (quoted or literal), RFC 3501 §4.3."""
    return isinstance(value, (Quoted, Literal))


def as_text(value: object) -> str:
    """The text of an atom, quoted string or literal (an ``astring``, RFC 3501 §9)."""
    if isinstance(value, Literal):
        return value.text()
    if isinstance(value, str):
        return str(value)
    raise TypeError(f"not a string: {value!r}")
