"""POP2 engines (RFC 937, port 109), kept for comparison with POP3.

``POP2Server`` and ``POP2Client`` share the POP3 maildrop backend, so the
same mailbox can be read with both protocols side by side.
"""
from . import states
from .client import POP2Client, POP2Result, Reply2
from .events import FolderSelected
from .server import POP2Config, POP2Server
from .states import (
    AUTH,
    CALL,
    CLIENT_STATES,
    CLIENT_TABLE,
    DONE,
    EXIT,
    ITEM,
    MBOX,
    NEXT,
    NMBR,
    SIZE,
    STATES,
    TABLE,
    XFER,
    ClientState,
    State,
)

PORT = 109

__all__ = [
    "AUTH",
    "CALL",
    "CLIENT_STATES",
    "CLIENT_TABLE",
    "DONE",
    "EXIT",
    "ITEM",
    "MBOX",
    "NEXT",
    "NMBR",
    "PORT",
    "SIZE",
    "STATES",
    "TABLE",
    "XFER",
    "ClientState",
    "FolderSelected",
    "POP2Client",
    "POP2Config",
    "POP2Result",
    "POP2Server",
    "Reply2",
    "State",
    "states",
]
