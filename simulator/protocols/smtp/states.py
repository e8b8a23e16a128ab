"""SMTP session states and transitions, as plain data (server and client).

Theory of operation
-------------------
RFC 5321 §3 describes an SMTP session as: the server greets (220, §3.1); the
client identifies itself with EHLO or HELO (§3.2, §4.1.1.1); then zero or more
*mail transactions* follow, each MAIL FROM (§3.3, the reverse path) → one or
more RCPT TO (the forward paths) → DATA → the content ended by CRLF.CRLF; the
session ends with QUIT (§4.1.1.10).  §4.1.4 fixes the order of commands:

* EHLO/HELO must come first and may be repeated; a repeat aborts an open
  transaction exactly like RSET.
* MAIL opens a transaction and is refused while one is open; RCPT needs a
  MAIL; DATA needs at least one accepted RCPT.
* RSET, NOOP, HELP, VRFY and QUIT may be issued at any time a command can
  be read.  RSET throws away the transaction but not the EHLO.
* A command out of order gets "503 Bad sequence of commands" and changes
  nothing.

Extensions add three sub-dialogues: STARTTLS (RFC 3207 §4.2) pauses the
session for a TLS handshake after which everything is forgotten and EHLO
must be sent again; AUTH (RFC 4954 §4) runs a challenge/response exchange
outside of any transaction; DATA switches the framing from command lines to
message content.  CHUNKING (RFC 3030 §2) offers BDAT instead of DATA: each
``BDAT <size> [LAST]`` is followed by exactly that many octets (state CHUNK),
answered after they are read; between chunks (state BDAT) only another BDAT,
RSET, a new hello and the anywhere-commands are taken, and DATA gets 503
(§2: DATA and BDAT never mix in one transaction).  BDAT LAST ends the
transaction like the final dot.

The server engine enforces :data:`TRANSITIONS` and nothing else: a command
that is not a key of ``TRANSITIONS[state]`` gets 503 and the state is
unchanged; a command that is a key and succeeds (reply < 400) moves the session
to the value.  Keys in angle brackets are not commands but other inputs (the
message content, a SASL response, the end of the TLS handshake); they are in
the table so that the state diagram can show them.

:data:`CLIENT_TRANSITIONS` is the client's table: each state is the command
whose reply the client awaits; keys name the outcomes the client tells apart.
"""
from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class State(StrEnum):
    """Server session states."""

    INIT = "INIT"          # greeting sent, waiting for HELO/EHLO
    READY = "READY"        # after HELO/EHLO, no transaction open
    MAIL = "MAIL"          # MAIL accepted, no recipient yet
    RCPT = "RCPT"          # at least one RCPT accepted
    DATA = "DATA"          # reading message content until CRLF.CRLF
    CHUNK = "CHUNK"        # reading the octets of a BDAT chunk (RFC 3030 §2)
    BDAT = "BDAT"          # between BDAT chunks of one transaction
    AUTH = "AUTH"          # inside an AUTH challenge/response exchange
    TLS = "TLS"            # STARTTLS accepted, waiting for the handshake
    CLOSED = "CLOSED"      # after QUIT, 421 or the peer closing
    ERROR = "ERROR"        # the driver misused the engine (LocalProtocolError)


#: The real commands of RFC 5321 and the extensions implemented here.
COMMANDS = ("HELO", "EHLO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT",
            "VRFY", "HELP", "STARTTLS", "AUTH", "BDAT")

#: Non-command inputs that also move the server (see the module comment).
CONTENT_END = "<end of data>"      # CRLF.CRLF read in DATA
SASL_DONE = "<sasl response>"      # the response that finishes an AUTH exchange
TLS_DONE = "<tls handshake>"       # the driver called tls_started()
CHUNK_READ = "<chunk read>"        # the octets of a BDAT without LAST are in
LAST_CHUNK_READ = "<last chunk read>"   # the octets of BDAT … LAST are in: message complete
CHUNK_REFUSED = "<chunk refused>"  # a chunk made the message too big: transaction over

#: Allowed anywhere a command line can be read (RFC 5321 §4.1.4); they keep
#: the state, except RSET (ends the transaction) and QUIT.
_ANYWHERE = ("NOOP", "HELP", "VRFY", "RSET", "QUIT")


def _commands(state: State, **moves: State) -> dict[str, State]:
    table = {verb: state for verb in _ANYWHERE}
    table["RSET"] = State.INIT if state is State.INIT else State.READY
    table["QUIT"] = State.CLOSED
    table.update(moves)
    return table


_HELLO = {"HELO": State.READY, "EHLO": State.READY}

TRANSITIONS: Mapping[State, Mapping[str, State]] = {
    State.INIT: _commands(State.INIT, **_HELLO),
    State.READY: _commands(State.READY, **_HELLO, MAIL=State.MAIL,
                           STARTTLS=State.TLS, AUTH=State.AUTH),
    State.MAIL: _commands(State.MAIL, **_HELLO, RCPT=State.RCPT),
    State.RCPT: _commands(State.RCPT, **_HELLO, RCPT=State.RCPT, DATA=State.DATA,
                          BDAT=State.CHUNK),
    State.DATA: {CONTENT_END: State.READY},
    State.CHUNK: {CHUNK_READ: State.BDAT, LAST_CHUNK_READ: State.READY,
                  CHUNK_REFUSED: State.READY},
    State.BDAT: _commands(State.BDAT, **_HELLO, BDAT=State.CHUNK),
    State.AUTH: {SASL_DONE: State.READY},
    State.TLS: {TLS_DONE: State.INIT},
    State.CLOSED: {},
    State.ERROR: {},
}

#: States in which the server reads command lines.
COMMAND_STATES = frozenset(s for s, t in TRANSITIONS.items() if "QUIT" in t)


class ClientState(StrEnum):
    """Client states: the command whose reply the client is waiting for."""

    GREETING = "GREETING"  # connected, waiting for 220
    EHLO = "EHLO"
    HELO = "HELO"          # fallback after EHLO got 500/502 (RFC 5321 §3.2)
    STARTTLS = "STARTTLS"
    TLS = "TLS"            # 220 to STARTTLS received, the driver does the handshake
    AUTH = "AUTH"
    MAIL = "MAIL"
    RCPT = "RCPT"
    DATA = "DATA"          # waiting for 354
    BDAT = "BDAT"          # a chunk without LAST sent, waiting for its 250 (RFC 3030 §2)
    CONTENT = "CONTENT"    # content sent, waiting for the final reply
    QUIT = "QUIT"
    DONE = "DONE"          # 221 received or connection closed
    ERROR = "ERROR"        # the server sent something that is not a reply


_C = ClientState
CLIENT_TRANSITIONS: Mapping[ClientState, Mapping[str, ClientState]] = {
    _C.GREETING: {"220": _C.EHLO, "failure": _C.QUIT},
    _C.EHLO: {"starttls": _C.STARTTLS, "auth": _C.AUTH, "ok": _C.MAIL,
              "500/502": _C.HELO, "failure": _C.QUIT},
    _C.HELO: {"ok": _C.MAIL, "failure": _C.QUIT},
    _C.STARTTLS: {"220": _C.TLS, "failure": _C.QUIT},
    _C.TLS: {TLS_DONE: _C.EHLO},
    # After 535 the client may try again with other credentials (RFC 4954 §4).
    _C.AUTH: {"334": _C.AUTH, "235": _C.MAIL, "retry": _C.AUTH, "failure": _C.QUIT},
    # With PIPELINING (RFC 2920 §3.1) MAIL, every RCPT and DATA go out in one
    # write; the replies are then read in order whatever they say.
    _C.MAIL: {"ok": _C.RCPT, "failure": _C.QUIT, "pipelined": _C.RCPT},
    # With CHUNKING (RFC 3030 §2) BDAT chunks replace DATA; the reply to the LAST one is
    # the final reply to the content.
    _C.RCPT: {"next": _C.RCPT, "some accepted": _C.DATA, "none accepted": _C.QUIT,
              "pipelined": _C.DATA, "chunks": _C.BDAT, "last chunk": _C.CONTENT},
    _C.BDAT: {"next": _C.BDAT, "last chunk": _C.CONTENT, "failure": _C.QUIT},
    _C.DATA: {"354": _C.CONTENT, "failure": _C.QUIT},
    _C.CONTENT: {"any": _C.QUIT},
    _C.QUIT: {"any": _C.DONE},
    _C.DONE: {},
    _C.ERROR: {},
}
