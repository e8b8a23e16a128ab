"""What the HTTP engines saw: small frozen events, named as nouns (the h11 habit)."""
from __future__ import annotations

from dataclasses import dataclass

from .._base import ConnectionClosed, Event
from .message import Request, Response


@dataclass(slots=True)
class RequestReceived(Event):
    """Server: a whole request was read (head and body)."""

    request: Request


@dataclass(slots=True)
class ResponseSent(Event):
    """Server: a response went out; ``keep`` says whether the connection persists."""

    request: Request | None
    response: Response
    keep: bool


@dataclass(slots=True)
class ResponseReceived(Event):
    """Client: a whole response arrived for ``request``."""

    request: Request
    response: Response


__all__ = ["ConnectionClosed", "Event", "RequestReceived", "ResponseReceived", "ResponseSent"]
