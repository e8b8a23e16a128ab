"""Mailbox names between the wire and the backend (RFC 3501 §5.1.3, RFC 9051 §5.1).

The backend knows a mailbox by its Unicode name («Входящие»).  On the wire
an IMAP4rev1 session spells it in modified UTF-7 (``&BBIERQQ+BDQETwRJBDgENQ-``,
what Thunderbird and Outlook send); a session that did ENABLE IMAP4rev2
spells it in UTF-8.  Every mailbox argument goes through :func:`from_wire`
and every name the server shows through :func:`to_wire`, so the two kinds
of session see the same folders.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from . import formatter, mutf7
from .backend import BackendError
from .parser import mailbox

if TYPE_CHECKING:
    from .session import IMAPServer


def from_wire(s: IMAPServer, value: object) -> str:
    """The Unicode mailbox name of a command argument; INBOX in any case is INBOX.

    In IMAP4rev1 a name that is not modified UTF-7 (8-bit octets, a lone
    ``&``) is answered NO [CANNOT] in words, never guessed at; the two cases
    have their own explanation.
    """
    wire = mailbox(value)
    if s.rev2:
        return _nfc(wire)
    try:
        name = _nfc(mutf7.decode(wire))
    except ValueError as err:
        reply = "mailbox_8bit" if isinstance(err, mutf7.EightBit) else "mailbox_not_mutf7"
        raise BackendError(reply, mailbox=wire) from None
    return "INBOX" if name.upper() == "INBOX" else name


def pattern_from_wire(s: IMAPServer, text: str) -> str:
    """A LIST reference or pattern in Unicode; a spelling that is not modified UTF-7
    stays as it is and simply matches no mailbox."""
    if s.rev2:
        return _nfc(text)
    try:
        return _nfc(mutf7.decode(text))
    except ValueError:
        return text


def _nfc(name: str) -> str:
    # RFC 9051 §5.1: a server may take a denormalised name as its NFC form, so "é" typed as
    # e + U+0301 (as macOS file names are) opens the same folder as the one-character "é".
    return unicodedata.normalize("NFC", name)


def to_wire(s: IMAPServer, name: str) -> bytes:
    """A mailbox name as LIST, LSUB and STATUS show it to this session."""
    return formatter.mailbox(name if s.rev2 else mutf7.encode(name))

