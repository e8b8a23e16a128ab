"""Events the SMTP engines report from ``receive_data`` (small frozen nouns, the h11 habit).

Server side: CommandReceived for every command line answered (including
refused ones), TLSRequested, AuthSucceeded / AuthFailed, MessageReceived
(only when the content was accepted with 2xx), MessageRejected,
ConnectionClosed.

Client side: ReplyReceived for every reply, TLSRequested (the driver must
start TLS and then call ``tls_started``), RecipientResult per RCPT,
TransactionFinished once the outcome is known, ConnectionClosed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._base import ConnectionClosed, Event, TLSRequested
from .models import Envelope
from .paths import Path
from .replies import Reply

if TYPE_CHECKING:   # pragma: no cover
    from .models import ClientResult


@dataclass(slots=True)
class CommandReceived(Event):
    """The server read a command line and answered it with ``reply``."""

    verb: str
    argument: str
    reply: Reply


@dataclass(slots=True)
class AuthSucceeded(Event):
    """AUTH finished with 235 (RFC 4954 §6)."""

    user: str
    mechanism: str


@dataclass(slots=True)
class AuthFailed(Event):
    """AUTH finished with a failure (535 bad credentials, 501 cancelled …)."""

    user: str | None
    mechanism: str
    reply: Reply


@dataclass(slots=True)
class MessageReceived(Event):
    """The content after DATA was accepted with 2xx: the server now owns the message."""

    envelope: Envelope
    reply: Reply


@dataclass(slots=True)
class MessageRejected(Event):
    """The content was refused (too big, bad lines, or the handler said no)."""

    envelope: Envelope
    reply: Reply


@dataclass(slots=True)
class ReplyReceived(Event):
    """The client read a reply; ``stage`` is the command it answers (ClientState value)."""

    stage: str
    reply: Reply


@dataclass(slots=True)
class RecipientResult(Event):
    """The server's answer to one RCPT TO."""

    path: Path
    reply: Reply


@dataclass(slots=True)
class TransactionFinished(Event):
    """The client knows the outcome: delivered to some recipients, or failed at a stage."""

    result: ClientResult


__all__ = ["AuthFailed", "AuthSucceeded", "CommandReceived", "ConnectionClosed", "Event",
           "MessageReceived", "MessageRejected", "RecipientResult", "ReplyReceived",
           "TLSRequested", "TransactionFinished"]
