"""The FTP session's state machine, as data.

Theory of operation (RFC 959 §2.3, §3.2, §5.4, §6):

* FTP uses two connections.  The *control connection* (port 21) carries
  commands and numbered replies, one line each (RFC 959 §4.2); the *data
  connection* carries a listing or a file and nothing else, and is opened
  anew for each transfer (§3.2, §3.3).
* The server greets with 220 and the session is in NOT_LOGGED_IN.  USER
  names the account (331: password needed) and PASS completes the login
  (230) or refuses it (530) — the login sequence of RFC 959 §6.
* Before each transfer the client says who opens the data connection:
  PORT / EPRT (RFC 959 §4.1.2, RFC 2428 §2) — *active* mode, the server
  connects back to the client; PASV / EPSV (RFC 959 §4.1.2, RFC 2428 §3) —
  *passive* mode, the server listens and the client connects.  The session is
  then in DATA_READY.  A transfer command without it gets 425.
* A transfer command (LIST, NLST, MLSD, RETR, STOR) leads to CONNECTING:
  the driver opens the data connection.  Open: 150 and TRANSFER; the
  transfer ends with 226 (RFC 959 §4.2, "Data connection ... closing").
  Not open (a NAT dropped it): 425 and back to LOGGED_IN.
* QUIT closes in every state where a command is read (221, §4.1.1).

The engine enforces exactly :data:`TABLE`; the state-diagram picture is drawn
from the same table.  A command missing from a state's row gets 530 before
the login, 425 for a transfer without PORT/PASV, and 503 otherwise.
"""
from __future__ import annotations

from enum import StrEnum

from .._base import Transition


class State(StrEnum):
    """Session states (the client uses the server's, plus GREETING)."""

    NOT_LOGGED_IN = "NOT_LOGGED_IN"
    NEED_PASSWORD = "NEED_PASSWORD"      # 331 to USER sent, PASS expected
    LOGGED_IN = "LOGGED_IN"
    DATA_READY = "DATA_READY"            # PORT/EPRT or PASV/EPSV accepted for the next transfer
    CONNECTING = "CONNECTING"            # a transfer command read, the data connection opening
    TRANSFER = "TRANSFER"                # 150 sent, the data flows
    CLOSED = "CLOSED"
    GREETING = "GREETING"   # client only: connected, the 220 has not arrived yet


NOT_LOGGED_IN, NEED_PASSWORD, LOGGED_IN = State.NOT_LOGGED_IN, State.NEED_PASSWORD, State.LOGGED_IN
DATA_READY, CONNECTING, TRANSFER = State.DATA_READY, State.CONNECTING, State.TRANSFER
CLOSED, GREETING = State.CLOSED, State.GREETING

STATES = (NOT_LOGGED_IN, NEED_PASSWORD, LOGGED_IN, DATA_READY, CONNECTING, TRANSFER, CLOSED)

#: Commands that set up the next data connection (RFC 959 §4.1.2, RFC 2428).
DATA_SETUP = ("PORT", "EPRT", "PASV", "EPSV")
#: Commands that move data over it (RFC 959 §4.1.3, RFC 3659 §7).
TRANSFERS = ("LIST", "NLST", "MLSD", "RETR", "STOR")
#: Commands that need a login but no data connection.
SESSION = ("PWD", "CWD", "CDUP", "TYPE", "SIZE", "MDTM")
#: Commands allowed in every state where the server reads commands.
ANYTIME = ("NOOP", "SYST", "FEAT")


def _stay(state: str, *verbs: str) -> dict[str, Transition]:
    return {verb: Transition(state, state) for verb in verbs}


def _logged_in(state: str) -> dict[str, Transition]:
    """The row of a logged-in state: session commands keep it, data setup arms a transfer."""
    return {
        **_stay(state, *ANYTIME, *SESSION),
        **{verb: Transition(DATA_READY, state) for verb in DATA_SETUP},
        "USER": Transition(NEED_PASSWORD, NOT_LOGGED_IN),   # RFC 959 §4.1.1: a new user
        "QUIT": Transition(CLOSED, CLOSED),
    }


#: state -> command -> Transition.  The one source of truth.
TABLE: dict[str, dict[str, Transition]] = {
    NOT_LOGGED_IN: {
        **_stay(NOT_LOGGED_IN, *ANYTIME),
        "USER": Transition(NEED_PASSWORD, NOT_LOGGED_IN),
        "QUIT": Transition(CLOSED, CLOSED),
    },
    NEED_PASSWORD: {
        **_stay(NEED_PASSWORD, *ANYTIME),
        "USER": Transition(NEED_PASSWORD, NOT_LOGGED_IN),
        "PASS": Transition(LOGGED_IN, NOT_LOGGED_IN),
        "QUIT": Transition(CLOSED, CLOSED),
    },
    LOGGED_IN: _logged_in(LOGGED_IN),
    DATA_READY: {
        **_logged_in(DATA_READY),
        # A transfer uses up the data connection that PORT/PASV prepared.
        **{verb: Transition(CONNECTING, LOGGED_IN) for verb in TRANSFERS},
    },
    CONNECTING: {},   # the driver opens the data connection; commands wait their turn
    TRANSFER: {},     # the data flows; commands wait for the 226
    CLOSED: {},
}

#: Transitions the engine makes on the driver's word, not on a command (for the plot).
AUTOMATIC: tuple[tuple[str, str, str], ...] = (
    (CONNECTING, TRANSFER, "data connection open: 150"),
    (CONNECTING, LOGGED_IN, "no data connection: 425"),
    (TRANSFER, LOGGED_IN, "transfer done: 226"),
)

ALL_COMMANDS = ("USER", "PASS", *SESSION, *DATA_SETUP, *TRANSFERS, *ANYTIME, "QUIT")


def allowed(state: str) -> tuple[str, ...]:
    """The commands the table allows in ``state``, in table order."""
    return tuple(TABLE.get(state, {}))


def transition(state: str, verb: str) -> Transition | None:
    """The transition for ``verb`` in ``state``, or None if not allowed there."""
    return TABLE.get(state, {}).get(verb)


def edges() -> list[tuple[str, str, str]]:
    """(from, to, label) for every command edge that changes state on a positive reply."""
    return [(state, tr.on_ok, verb) for state, row in TABLE.items()
            for verb, tr in row.items() if tr.on_ok != state]
