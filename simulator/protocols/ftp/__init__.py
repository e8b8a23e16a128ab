"""FTP engines: RFC 959 with RFC 2428 (EPRT, EPSV) and RFC 3659 (SIZE, MDTM, MLSD).

``FTPServer`` and ``FTPClient`` are sans-IO sessions of the *control*
connection; the data connection is the driver's, asked for by events.  The
state table is in :mod:`.states` (``TABLE``), the reply catalogue in
:mod:`.replies`, a user's files behind :class:`FileStore`.
"""
from . import states
from .client import FTPClient, FTPResult, Response
from .events import (
    CommandReceived,
    ConnectionClosed,
    DataEndpoint,
    DataReceived,
    FileStored,
    LoggedIn,
    LoginFailed,
    ReplyReceived,
    TransferRequested,
)
from .files import Entry, FileStore, MemoryFiles, resolve
from .parser import from_ascii, to_ascii
from .server import FTPBackend, FTPConfig, FTPServer
from .states import STATES, TABLE, State

#: The control connection's port (RFC 959 §3.2 "L"); active data connections come from L-1.
PORT = 21
DATA_PORT = 20

__all__ = ["DATA_PORT", "PORT", "STATES", "TABLE", "CommandReceived", "ConnectionClosed",
           "DataEndpoint", "DataReceived", "Entry", "FTPBackend", "FTPClient", "FTPConfig",
           "FTPResult", "FTPServer", "FileStore", "FileStored", "LoggedIn", "LoginFailed",
           "MemoryFiles", "ReplyReceived", "Response", "State", "TransferRequested",
           "from_ascii", "resolve", "states", "to_ascii"]
