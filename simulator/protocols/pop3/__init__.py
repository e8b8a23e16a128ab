"""POP3 engines: RFC 1939 with RFC 2449 CAPA, RFC 2595 STLS and RFC 1225 LAST.

``POP3Server`` and ``POP3Client`` are sans-IO sessions; the state table is
in :mod:`.states` (``TABLE``), the reply catalogue in :mod:`.replies`.
"""
from . import states
from .backend import MaildropBackend, MemoryMaildrops
from .client import POP3Client, POP3Result, Response
from .events import (
    Authenticated,
    AuthenticationFailed,
    CommandReceived,
    ConnectionClosed,
    DeletionMarked,
    DeletionsReset,
    MaildropUpdated,
    MessageDownloaded,
    MessageSent,
    ReplyReceived,
    TLSRequested,
)
from .parser import apop_digest
from .server import POP3Config, POP3Server
from .states import (
    AUTHORIZATION,
    AUTHORIZATION_USER,
    CLOSED,
    GREETING,
    STATES,
    TABLE,
    TLS,
    TRANSACTION,
    UPDATE,
    State,
    Transition,
)

PORT = 110
PORT_TLS = 995

__all__ = [
    "AUTHORIZATION",
    "AUTHORIZATION_USER",
    "CLOSED",
    "GREETING",
    "PORT",
    "PORT_TLS",
    "STATES",
    "TABLE",
    "TLS",
    "TRANSACTION",
    "UPDATE",
    "Authenticated",
    "AuthenticationFailed",
    "CommandReceived",
    "ConnectionClosed",
    "DeletionMarked",
    "DeletionsReset",
    "MaildropBackend",
    "MaildropUpdated",
    "MemoryMaildrops",
    "MessageDownloaded",
    "MessageSent",
    "POP3Client",
    "POP3Config",
    "POP3Result",
    "POP3Server",
    "ReplyReceived",
    "Response",
    "State",
    "TLSRequested",
    "Transition",
    "apop_digest",
    "states",
]
