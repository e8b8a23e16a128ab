"""The POP2 state machines (server and client), as data.

Theory of operation (RFC 937, "Server state diagram" / "Client state diagram"):

* The server listens on port 109, greets with "+" and waits in AUTH for
  ``HELO user password``.  A good HELO selects the user's default mailbox
  and answers ``#nn`` (how many messages): the session is in MBOX.  A bad
  one is answered "-" and the server hangs up.
* ``READ [n]`` answers ``=ccc``, the size of message n (or of the current
  one); ``=0`` means there is none.  The session is in ITEM, where
  ``RETR`` sends exactly ccc octets of message text and moves to NEXT.
* In NEXT the client must acknowledge: ``ACKS`` (received, keep it),
  ``ACKD`` (received, delete it) or ``NACK`` (not received).  Each answers
  with the ``=ccc`` of the message that is now current (the next one after
  ACKS/ACKD, the same one after NACK) and returns to ITEM.
* ``FOLD name`` selects another mailbox (``#nn`` again); ``QUIT`` ends.

Unlike POP3 there is no separate UPDATE state and no RSET: the
acknowledgement after every single message decides its fate.  This server
applies ACKD deletions when the folder is left (FOLD or QUIT), as the
historical servers did, so a dropped connection deletes nothing.

The client diagram names what the client is waiting for: CALL (greeting),
NMBR (a ``#`` count), SIZE (an ``=`` size), XFER (message octets), EXIT.
"""
from __future__ import annotations

from enum import StrEnum

from .._base import Transition


class State(StrEnum):
    """Server states of RFC 937's diagram."""

    AUTH = "AUTH"
    MBOX = "MBOX"
    ITEM = "ITEM"
    NEXT = "NEXT"
    DONE = "DONE"


class ClientState(StrEnum):
    """What the client waits for."""

    CALL = "CALL"
    NMBR = "NMBR"
    SIZE = "SIZE"
    XFER = "XFER"
    EXIT = "EXIT"


AUTH, MBOX, ITEM, NEXT, DONE = State.AUTH, State.MBOX, State.ITEM, State.NEXT, State.DONE
STATES = tuple(State)

#: server state -> command -> Transition (RFC 937 server state diagram).
TABLE: dict[str, dict[str, Transition]] = {
    AUTH: {
        "HELO": Transition(MBOX, DONE),
        "QUIT": Transition(DONE, DONE),
    },
    MBOX: {
        "FOLD": Transition(MBOX, MBOX),
        "READ": Transition(ITEM, MBOX),
        "QUIT": Transition(DONE, DONE),
    },
    ITEM: {
        "FOLD": Transition(MBOX, ITEM),
        "READ": Transition(ITEM, ITEM),
        "RETR": Transition(NEXT, ITEM),
        "QUIT": Transition(DONE, DONE),
    },
    NEXT: {
        "ACKS": Transition(ITEM, NEXT),
        "ACKD": Transition(ITEM, NEXT),
        "NACK": Transition(ITEM, NEXT),
    },
    DONE: {},
}

ALL_COMMANDS = ("HELO", "FOLD", "READ", "RETR", "ACKS", "ACKD", "NACK", "QUIT")

CALL, NMBR, SIZE, XFER = ClientState.CALL, ClientState.NMBR, ClientState.SIZE, ClientState.XFER
EXIT = ClientState.EXIT
CLIENT_STATES = tuple(ClientState)

#: client: the command just sent -> what the client now waits for.
CLIENT_TABLE: dict[str, str] = {
    "HELO": NMBR, "FOLD": NMBR,
    "READ": SIZE, "ACKS": SIZE, "ACKD": SIZE, "NACK": SIZE,
    "RETR": XFER, "QUIT": EXIT,
}


def allowed(state: str) -> tuple[str, ...]:
    """The commands the server table allows in ``state``."""
    return tuple(TABLE.get(state, {}))


def transition(state: str, verb: str) -> Transition | None:
    return TABLE.get(state, {}).get(verb)


def edges() -> list[tuple[str, str, str]]:
    """(from, to, label) for every command edge of the server diagram."""
    return [(state, tr.on_ok, verb) for state, row in TABLE.items() for verb, tr in row.items()]
