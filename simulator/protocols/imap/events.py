"""What the IMAP server engine saw: small frozen events, named as nouns (the h11 habit).

``receive_data``, ``complete`` and ``wake`` return these; the wire bytes are
in the transcript.  Drivers use them to update the network model (a TLS
handshake to run, a connection to close) and the trace.
"""
from __future__ import annotations

from dataclasses import dataclass

from .._base import ConnectionClosed, Event, TLSRequested


@dataclass(slots=True)
class CommandQueued(Event):
    """A command was read; in concurrent mode it waits for the driver (see ``pending()``)."""

    tag: str
    name: str
    cost: int
    after: tuple[str, ...]


@dataclass(slots=True)
class CommandCompleted(Event):
    """A tagged completion (OK, NO or BAD) was sent."""

    tag: str
    name: str
    status: str


@dataclass(slots=True)
class Authenticated(Event):
    user: str
    account: str
    method: str               # "LOGIN" or "AUTHENTICATE PLAIN"


@dataclass(slots=True)
class MailboxSelected(Event):
    mailbox: str
    read_only: bool


@dataclass(slots=True)
class MailboxChanged(Event):
    """This session changed mailbox ``key``; the hub has woken the idling sessions."""

    key: str
    woken: tuple[str, ...]


@dataclass(slots=True)
class IdleStarted(Event):
    tag: str


@dataclass(slots=True)
class IdleEnded(Event):
    tag: str


__all__ = ["Authenticated", "CommandCompleted", "CommandQueued", "ConnectionClosed", "Event",
           "IdleEnded", "IdleStarted", "MailboxChanged", "MailboxSelected", "TLSRequested"]
