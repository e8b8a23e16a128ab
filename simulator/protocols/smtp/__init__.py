"""SMTP (RFC 5321 with ESMTP extensions) as sans-IO engines: :class:`SMTPServer`, :class:`SMTPClient`.

Modules: :mod:`.states` (the state tables), :mod:`.replies` (Reply and the
reply catalogue), :mod:`.paths` (addresses and source routes),
:mod:`.commands` (command lines, HELP), :mod:`.content` (dot-stuffing),
:mod:`.sasl` (AUTH PLAIN/LOGIN), :mod:`.events`, :mod:`.models` (Envelope,
ServerConfig, Handler), :mod:`.server`, :mod:`.client`.
"""
from .client import ClientResult, SMTPClient
from .content import dot_stuff
from .events import (
                     AuthFailed,
                     AuthSucceeded,
                     CommandReceived,
                     ConnectionClosed,
                     Event,
                     MessageReceived,
                     MessageRejected,
                     RecipientResult,
                     ReplyReceived,
                     TLSRequested,
                     TransactionFinished,
)
from .models import Envelope, Handler, ServerConfig
from .paths import Path, parse_path
from .replies import CATALOGUE, Reply, reply
from .server import SMTPServer
from .states import CLIENT_TRANSITIONS, COMMANDS, TRANSITIONS, ClientState, State

__all__ = [
    "CATALOGUE", "CLIENT_TRANSITIONS", "COMMANDS", "TRANSITIONS",
    "AuthFailed", "AuthSucceeded", "ClientResult", "ClientState", "CommandReceived",
    "ConnectionClosed", "Envelope", "Event", "Handler", "MessageReceived", "MessageRejected",
    "Path", "RecipientResult", "Reply", "ReplyReceived", "SMTPClient", "SMTPServer",
    "ServerConfig", "State", "TLSRequested", "TransactionFinished", "dot_stuff", "parse_path",
    "reply",
]
