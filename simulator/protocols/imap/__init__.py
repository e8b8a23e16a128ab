"""IMAP engines (RFC 3501 IMAP4rev1, RFC 9051 IMAP4rev2 via ENABLE).

``IMAPServer`` is a sans-IO session; the state table is in :mod:`.states`
(``TABLE``), the reply catalogue in :mod:`.responses`, the syntax in
:mod:`.framing`, :mod:`.lexer`, :mod:`.parser` and :mod:`.formatter`.
Several sessions share a :class:`MailboxHub`; pipelined commands carry
costs and dependencies (:mod:`.pipeline`).
"""
from . import states
from .backend import BackendError, IMAPBackend, MailboxInfo
from .events import (
    Authenticated,
    CommandCompleted,
    CommandQueued,
    ConnectionClosed,
    IdleEnded,
    IdleStarted,
    MailboxChanged,
    MailboxSelected,
    TLSRequested,
)
from .hub import MailboxHub
from .pipeline import Pending, schedule
from .session import IMAPConfig, IMAPServer
from .states import (
    AUTHENTICATED,
    IDLE,
    LOGOUT,
    NOT_AUTHENTICATED,
    SASL,
    SELECTED,
    STATES,
    TABLE,
    TLS,
    State,
    Transition,
)

PORT = 143
PORT_TLS = 993

__all__ = [
    "AUTHENTICATED",
    "IDLE",
    "LOGOUT",
    "NOT_AUTHENTICATED",
    "PORT",
    "PORT_TLS",
    "SASL",
    "SELECTED",
    "STATES",
    "TABLE",
    "TLS",
    "Authenticated",
    "BackendError",
    "CommandCompleted",
    "CommandQueued",
    "ConnectionClosed",
    "IMAPBackend",
    "IMAPConfig",
    "IMAPServer",
    "IdleEnded",
    "IdleStarted",
    "MailboxChanged",
    "MailboxHub",
    "MailboxInfo",
    "MailboxSelected",
    "Pending",
    "State",
    "TLSRequested",
    "Transition",
    "schedule",
    "states",
]
