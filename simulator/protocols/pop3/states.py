"""The POP3 state machine, as data.

Theory of operation (RFC 1939 §3-§6):

* When the TCP connection opens the server greets the client with a
  positive reply and the session is in the AUTHORIZATION state (§4).  The
  client identifies itself with USER + PASS (§7) or APOP (§7).  USER only
  names the maildrop; we keep that half-finished step as a sub-state,
  AUTHORIZATION_USER, so that "PASS before USER" is a plain table lookup.
* Once the credentials are right the server takes an exclusive lock on
  the maildrop (§8: two sessions must never see different message numbers
  for the same maildrop) and the session enters TRANSACTION (§5), where
  STAT, LIST, RETR, DELE, NOOP, RSET, TOP, UIDL work.  DELE only *marks*.
* QUIT from TRANSACTION enters UPDATE (§6): the marked messages are really
  removed, the lock is released and the server says goodbye.  QUIT from
  AUTHORIZATION closes without UPDATE, and a dropped connection never
  reaches UPDATE, so it deletes nothing (§6, "the POP3 server does not
  enter the UPDATE state").
* RFC 2595 §4: STLS, allowed only in AUTHORIZATION, answers +OK and the
  session waits in TLS until the driver finishes the handshake; it then
  starts AUTHORIZATION afresh.
* RFC 2449 §5: CAPA works in AUTHORIZATION and TRANSACTION.
* RFC 1225 (historical mode only): LAST in TRANSACTION.

The engine enforces exactly :data:`TABLE`; the state-diagram plot is drawn
from the same table.  A command missing from a state's row is answered
with -ERR naming the state and the state does not change.
"""
from __future__ import annotations

from enum import StrEnum

from .._base import Transition


class State(StrEnum):
    """Session states (the client uses the server's, plus GREETING)."""

    AUTHORIZATION = "AUTHORIZATION"
    AUTHORIZATION_USER = "AUTHORIZATION_USER"   # USER accepted, PASS expected
    TRANSACTION = "TRANSACTION"
    UPDATE = "UPDATE"
    TLS = "TLS"                                 # +OK to STLS sent, handshake pending
    CLOSED = "CLOSED"
    GREETING = "GREETING"   # client only: connected, the greeting has not arrived yet


AUTHORIZATION, AUTHORIZATION_USER, TRANSACTION = (State.AUTHORIZATION, State.AUTHORIZATION_USER,
                                                  State.TRANSACTION)
UPDATE, TLS, CLOSED, GREETING = State.UPDATE, State.TLS, State.CLOSED, State.GREETING

STATES = (AUTHORIZATION, AUTHORIZATION_USER, TRANSACTION, UPDATE, TLS, CLOSED)


def _stay(state: str, *verbs: str) -> dict[str, Transition]:
    return {verb: Transition(state, state) for verb in verbs}


#: state -> command -> Transition.  The one source of truth.
TABLE: dict[str, dict[str, Transition]] = {
    AUTHORIZATION: {
        **_stay(AUTHORIZATION, "CAPA"),
        "USER": Transition(AUTHORIZATION_USER, AUTHORIZATION),
        "APOP": Transition(TRANSACTION, AUTHORIZATION),
        "STLS": Transition(TLS, AUTHORIZATION),
        "QUIT": Transition(CLOSED, CLOSED),
    },
    AUTHORIZATION_USER: {
        **_stay(AUTHORIZATION_USER, "CAPA"),
        "USER": Transition(AUTHORIZATION_USER, AUTHORIZATION),
        # RFC 1939 §7: after a failed PASS the client starts again with USER.
        "PASS": Transition(TRANSACTION, AUTHORIZATION),
        "APOP": Transition(TRANSACTION, AUTHORIZATION),
        "QUIT": Transition(CLOSED, CLOSED),
    },
    TRANSACTION: {
        **_stay(TRANSACTION, "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET",
                "TOP", "UIDL", "CAPA", "LAST"),
        "QUIT": Transition(UPDATE, UPDATE),
    },
    UPDATE: {},       # transient: entered by QUIT, left as soon as the reply is sent
    TLS: {},          # nothing may be said in clear text until the handshake is done
    CLOSED: {},
}

#: Commands that exist only when a configuration switch is on.
OPTIONAL: dict[str, str] = {"LAST": "historical", "STLS": "stls"}

#: Transitions the engine makes on its own, not on a command (for the plot).
AUTOMATIC: tuple[tuple[str, str, str], ...] = (
    (UPDATE, CLOSED, "reply to QUIT sent"),
    (TLS, AUTHORIZATION, "TLS handshake done (tls_started)"),
    (AUTHORIZATION, CLOSED, "too many failed logins / connection dropped"),
    (TRANSACTION, CLOSED, "connection dropped: nothing deleted"),
)

ALL_COMMANDS = ("USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP",
                "RSET", "QUIT", "TOP", "UIDL", "CAPA", "STLS", "LAST")

#: Commands whose +OK reply is multi-line (RFC 1939 §3), by argument count.
MULTILINE_WITHOUT_ARGS = frozenset({"LIST", "UIDL", "CAPA"})
MULTILINE_ALWAYS = frozenset({"RETR", "TOP"})


def allowed(state: str) -> tuple[str, ...]:
    """The commands the table allows in ``state``, in table order."""
    return tuple(TABLE.get(state, {}))


def transition(state: str, verb: str) -> Transition | None:
    """The transition for ``verb`` in ``state``, or None if not allowed there."""
    return TABLE.get(state, {}).get(verb)


def is_multiline(verb: str, args: tuple[str, ...]) -> bool:
    """Whether a positive reply to this command is a multi-line block (RFC 1939 §3)."""
    return verb in MULTILINE_ALWAYS or (verb in MULTILINE_WITHOUT_ARGS and not args)


def edges() -> list[tuple[str, str, str]]:
    """(from, to, label) for every command edge that changes state on +OK."""
    out = []
    for state, row in TABLE.items():
        for verb, tr in row.items():
            if tr.on_ok != state:
                out.append((state, tr.on_ok, verb))
    return out
