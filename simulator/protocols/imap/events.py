"""What the IMAP server engine saw: small frozen events, named as nouns (the h11 habit).

``receive_data``, ``complete`` and ``wake`` return these; the wire bytes are
in the transcript.  Drivers use them to update the network model (a TLS
handshake to run, a connection to close) and the trace.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandQueued:
    """A command was read; in concurrent mode it waits for the driver (see ``pending()``)."""

    tag: str
    name: str
    cost: int
    after: tuple[str, ...]


@dataclass(frozen=True)
class CommandCompleted:
    """A tagged completion (OK, NO or BAD) was sent."""

    tag: str
    name: str
    status: str


@dataclass(frozen=True)
class Authenticated:
    user: str
    account: str
    method: str               # "LOGIN" or "AUTHENTICATE PLAIN"


@dataclass(frozen=True)
class MailboxSelected:
    mailbox: str
    read_only: bool


@dataclass(frozen=True)
class MailboxChanged:
    """This session changed mailbox ``key``; the hub has woken the idling sessions."""

    key: str
    woken: tuple[str, ...]


@dataclass(frozen=True)
class TlsRequested:
    """OK to STARTTLS was sent: the driver must now run the TLS handshake."""


@dataclass(frozen=True)
class IdleStarted:
    tag: str


@dataclass(frozen=True)
class IdleEnded:
    tag: str


@dataclass(frozen=True)
class ConnectionClosed:
    """The session ended: "logout", "peer-closed", "line-too-long", "literal-too-big", "errors"."""

    reason: str
