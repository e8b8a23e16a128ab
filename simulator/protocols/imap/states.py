"""The IMAP server state machine, as data (RFC 3501 §3, RFC 9051 §3).

Theory of operation:

* The connection starts in NOT_AUTHENTICATED (after an OK greeting; a
  PREAUTH greeting would skip it).  Only CAPABILITY, NOOP and LOGOUT work
  in every state (§6.1); here the client proves who it is with LOGIN or
  AUTHENTICATE (§6.2), after STARTTLS if it wants privacy.
* STARTTLS answers OK and the session waits in TLS until the driver has
  finished the handshake; it then starts NOT_AUTHENTICATED afresh (RFC 9051
  §6.2.1): nothing said before counts.
* AUTHENTICATE without an initial response (SASL-IR, RFC 4959) waits in SASL
  for the client's one base64 line.
* In AUTHENTICATED the client works with mailboxes as a whole (§6.3): list,
  create, STATUS, APPEND, and SELECT/EXAMINE one of them.
* In SELECTED it works with the messages of that one mailbox (§6.4):
  FETCH, STORE, SEARCH, COPY, MOVE, EXPUNGE and their UID forms.  CLOSE and
  UNSELECT return to AUTHENTICATED, and so does a *failed* SELECT (§6.3.1:
  the old mailbox is closed even when the new one cannot be opened).
* IDLE (RFC 2177, RFC 9051 §6.3.13) may start in AUTHENTICATED or SELECTED;
  until the client says DONE the server pushes changes as they happen, and
  then the session returns to where it was (:data:`PREVIOUS`).
* LOGOUT answers ``* BYE`` and the tagged OK, then the connection closes.

This is the IMAP difference from POP3 in one table: POP3 has one mailbox
and a linear session; IMAP keeps the session open on many mailboxes and
lets the server speak about changes at (almost) any time.
"""
from __future__ import annotations

from enum import StrEnum

from .._base import Transition


class State(StrEnum):
    """Session states, server and client (RFC 9051 §3)."""

    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    AUTHENTICATED = "AUTHENTICATED"
    SELECTED = "SELECTED"
    LOGOUT = "LOGOUT"
    TLS = "TLS"             # OK to STARTTLS sent, handshake pending
    SASL = "SASL"           # AUTHENTICATE waits for the client's response line
    IDLE = "IDLE"           # IDLE accepted, DONE expected
    PREVIOUS = "PREVIOUS"   # pseudo-state: back to the state IDLE started from


NOT_AUTHENTICATED, AUTHENTICATED, SELECTED = (State.NOT_AUTHENTICATED, State.AUTHENTICATED,
                                              State.SELECTED)
LOGOUT, TLS, SASL, IDLE, PREVIOUS = State.LOGOUT, State.TLS, State.SASL, State.IDLE, State.PREVIOUS

STATES = (NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT, TLS, SASL, IDLE)


def _stay(state: str, *names: str) -> dict[str, Transition]:
    return {name: Transition(state, state) for name in names}


ANY_STATE = ("CAPABILITY", "NOOP", "ID")
MAILBOX_COMMANDS = ("CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB",
                    "NAMESPACE", "STATUS", "APPEND")
MESSAGE_COMMANDS = ("CHECK", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE",
                    "UID FETCH", "UID STORE", "UID SEARCH", "UID COPY", "UID MOVE", "UID EXPUNGE")

#: state -> command -> Transition.  The one source of truth.
TABLE: dict[str, dict[str, Transition]] = {
    NOT_AUTHENTICATED: {
        **_stay(NOT_AUTHENTICATED, *ANY_STATE),
        "LOGOUT": Transition(LOGOUT, LOGOUT),
        "STARTTLS": Transition(TLS, NOT_AUTHENTICATED),
        "LOGIN": Transition(AUTHENTICATED, NOT_AUTHENTICATED),
        "AUTHENTICATE": Transition(AUTHENTICATED, NOT_AUTHENTICATED),
    },
    AUTHENTICATED: {
        **_stay(AUTHENTICATED, *ANY_STATE, *MAILBOX_COMMANDS, "ENABLE"),
        "LOGOUT": Transition(LOGOUT, LOGOUT),
        "SELECT": Transition(SELECTED, AUTHENTICATED),
        "EXAMINE": Transition(SELECTED, AUTHENTICATED),
        "IDLE": Transition(IDLE, AUTHENTICATED),
    },
    SELECTED: {
        **_stay(SELECTED, *ANY_STATE, *MAILBOX_COMMANDS, *MESSAGE_COMMANDS),
        "LOGOUT": Transition(LOGOUT, LOGOUT),
        "SELECT": Transition(SELECTED, AUTHENTICATED),
        "EXAMINE": Transition(SELECTED, AUTHENTICATED),
        "CLOSE": Transition(AUTHENTICATED, SELECTED),
        "UNSELECT": Transition(AUTHENTICATED, SELECTED),
        "IDLE": Transition(IDLE, SELECTED),
    },
    IDLE: {"DONE": Transition(PREVIOUS, PREVIOUS)},
    SASL: {},      # the next line is a SASL response, not a command
    TLS: {},       # nothing may be said in clear text until the handshake is done
    LOGOUT: {},
}

class Move(StrEnum):
    """A move a command handler may ask for besides the table's OK/NO one.

    Handlers never set the state: they return an :class:`~.outcome.Outcome`
    and the session looks the move up in :data:`MOVES` (h11's rule: state
    changes only through the state machine).
    """

    SASL_CONTINUE = "SASL_CONTINUE"   # AUTHENTICATE without an initial response: "+" sent
    ENTER_IDLE = "ENTER_IDLE"         # IDLE accepted: "+ idling" sent, DONE expected
    DESELECT = "DESELECT"             # the selected mailbox was deleted (RFC 3501 §6.3.4)


#: state -> move -> the state it leads to.
MOVES: dict[str, dict[Move, str]] = {
    NOT_AUTHENTICATED: {Move.SASL_CONTINUE: SASL},
    AUTHENTICATED: {Move.ENTER_IDLE: IDLE},
    SELECTED: {Move.ENTER_IDLE: IDLE, Move.DESELECT: AUTHENTICATED},
}

#: The line that ends a command in progress: after a good one and after a bad one.
#: A SASL response logs in or not (RFC 4954 §4); IDLE returns to where it began.
LINE_ENDS: dict[str, Transition] = {
    SASL: Transition(AUTHENTICATED, NOT_AUTHENTICATED),
    IDLE: TABLE[IDLE]["DONE"],
}

#: Transitions the engine makes on its own, not on a command (for the plot).
AUTOMATIC: tuple[tuple[str, str, str], ...] = (
    (TLS, NOT_AUTHENTICATED, "TLS handshake done (tls_started)"),
    (NOT_AUTHENTICATED, SASL, "AUTHENTICATE without initial response"),
    (SASL, AUTHENTICATED, "valid SASL response"),
    (SASL, NOT_AUTHENTICATED, "wrong credentials or * (cancel)"),
    (IDLE, AUTHENTICATED, "DONE (IDLE began in AUTHENTICATED)"),
    (IDLE, SELECTED, "DONE (IDLE began in SELECTED)"),
)

ALL_COMMANDS = tuple(dict.fromkeys(
    name for row in TABLE.values() for name in row if name != "DONE"))


def allowed(state: str) -> tuple[str, ...]:
    """The commands the table allows in ``state``, in table order."""
    return tuple(TABLE.get(state, {}))


def transition(state: str, name: str) -> Transition | None:
    """The transition for ``name`` in ``state``, or None if not allowed there."""
    return TABLE.get(state, {}).get(name)


def edges() -> list[tuple[str, str, str]]:
    """(from, to, label) for every command edge that changes state on OK."""
    return [(state, tr.on_ok, name) for state, row in TABLE.items()
            for name, tr in row.items() if tr.on_ok != state]
