"""What the POP3 engines saw: small frozen events, named as nouns (the h11 habit).

The server returns these from ``receive_data``; the client returns its own
(reply- and download-related) ones.  Drivers use them to update the network
model and the trace; the wire bytes themselves are in the transcript.
"""
from __future__ import annotations

from dataclasses import dataclass

from .._base import ConnectionClosed, Event, TLSRequested


@dataclass(slots=True)
class CommandReceived(Event):
    """Server: one command line was read and answered (``ok`` = +OK)."""

    verb: str
    args: tuple[str, ...]
    ok: bool


@dataclass(slots=True)
class Authenticated(Event):
    """Server: credentials right and maildrop locked (RFC 1939 §4, §7)."""

    user: str
    maildrop: str
    method: str               # "PASS" or "APOP"


@dataclass(slots=True)
class AuthenticationFailed(Event):
    """Server: a login attempt was refused; ``reason`` is auth, in-use or too-many."""

    user: str
    reason: str


@dataclass(slots=True)
class MessageSent(Event):
    """Server: a message (RETR) or its top (TOP) went to the client."""

    number: int
    uid: str
    octets: int
    top_lines: int | None = None


@dataclass(slots=True)
class DeletionMarked(Event):
    """Server: DELE marked a message; nothing is removed before UPDATE."""

    number: int
    uid: str


@dataclass(slots=True)
class DeletionsReset(Event):
    """Server: RSET unmarked ``count`` messages."""

    count: int


@dataclass(slots=True)
class MaildropUpdated(Event):
    """Server: the UPDATE state removed these messages; ``left`` remain."""

    deleted: tuple[str, ...]
    left: int


@dataclass(slots=True)
class ReplyReceived(Event):
    """Client: one reply (single- or multi-line) to ``verb`` arrived."""

    verb: str
    ok: bool
    text: str


@dataclass(slots=True)
class MessageDownloaded(Event):
    """Client: a RETR delivered a message, un-stuffed, byte-exact."""

    number: int
    uid: str | None
    data: bytes


__all__ = ["Authenticated", "AuthenticationFailed", "CommandReceived", "ConnectionClosed",
           "DeletionMarked", "DeletionsReset", "Event", "MaildropUpdated", "MessageDownloaded",
           "MessageSent", "ReplyReceived", "TLSRequested"]
