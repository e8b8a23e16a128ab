"""What the FTP engines saw: small frozen events, named as nouns (the h11 habit).

Two of them ask the driver to act on the *data connection*, which the engine
never touches (RFC 959 §3.2): :class:`TransferRequested` (server) and
:class:`DataEndpoint` (client).
"""
from __future__ import annotations

from dataclasses import dataclass

from .._base import ConnectionClosed, Event, TLSRequested


@dataclass(slots=True)
class CommandReceived(Event):
    """Server: one command line was read and answered (``ok``: a positive reply)."""

    verb: str
    args: tuple[str, ...]
    ok: bool


@dataclass(slots=True)
class LoggedIn(Event):
    """Server: USER and PASS were right (RFC 959 §4.1.1)."""

    user: str


@dataclass(slots=True)
class LoginFailed(Event):
    """Server: a PASS was refused with 530."""

    user: str


@dataclass(slots=True)
class TransferRequested(Event):
    """Server: open the data connection for ``verb`` and report back.

    ``passive``: the client connects to our ``port`` (PASV/EPSV); otherwise we
    connect to ``host``:``port`` from port 20 (PORT/EPRT, RFC 959 §3.2).  The
    driver calls ``transfer_opened()`` or ``transfer_failed()``; then it sends
    ``payload`` (LIST, NLST, MLSD, RETR) or reads until the client closes
    (STOR, ``payload is None``), closes, and calls ``transfer_done(received)``.
    """

    verb: str
    path: str
    passive: bool
    host: str
    port: int
    payload: bytes | None


@dataclass(slots=True)
class FileStored(Event):
    """Server: STOR wrote ``octets`` bytes to ``path``."""

    path: str
    octets: int


@dataclass(slots=True)
class ReplyReceived(Event):
    """Client: one whole reply (single- or multi-line) arrived."""

    code: int
    text: str


@dataclass(slots=True)
class DataEndpoint(Event):
    """Client: where the data connection of the next transfer goes.

    ``passive``: connect to ``host``:``port`` (from a 227/229 reply); otherwise
    listen on our ``port`` (we sent PORT/EPRT) and accept the server.
    """

    passive: bool
    host: str
    port: int


@dataclass(slots=True)
class DataReceived(Event):
    """Client: a listing or a file arrived over the data connection and 226 confirmed it."""

    verb: str
    path: str
    data: bytes


__all__ = ["CommandReceived", "ConnectionClosed", "DataEndpoint", "DataReceived", "Event",
           "FileStored", "LoggedIn", "LoginFailed", "ReplyReceived", "TLSRequested",
           "TransferRequested"]
