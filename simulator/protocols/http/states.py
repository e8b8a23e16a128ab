"""The HTTP/1.1 server's states, as data.

Theory of operation (RFC 9112 §2-§9, RFC 9110 §9):

* A connection starts IDLE: the server waits for a request line, then the
  header fields up to an empty line (RFC 9112 §2.1).  An HTTP/1.1 request
  without a ``Host`` field is refused with 400 (RFC 9112 §3.2).
* A request with ``Content-Length`` or ``Transfer-Encoding: chunked``
  carries a body (RFC 9112 §6); while it arrives the session is in BODY.
* A complete request is answered at once by a static site, or later by an
  application that must ask other servers first (the webmail asks IMAP):
  meanwhile the session is WAITING, and requests that arrive pipelined
  behind it stay buffered until it is answered (RFC 9112 §9.3.2).
* After the response the connection persists (RFC 9112 §9.3): back to IDLE
  for the next request on the same TCP connection — the default of
  HTTP/1.1.  ``Connection: close`` from either side, an HTTP/1.0 request
  without keep-alive, or a 400 ends it: CLOSED (RFC 9112 §9.6).

The table maps *state → request kind →* ``Transition(on_ok, on_failure)``
where ``on_ok`` is "the connection persists" and ``on_failure`` "the
connection closes after the response".  A request kind is its method (GET,
HEAD, POST), OTHER for every other method (405 or 501, RFC 9110 §9.1) and
BAD for bytes that are not a valid request (400).  The engine checks each
request against :data:`TABLE`, and the state-diagram picture is drawn from it.
"""
from __future__ import annotations

from enum import StrEnum

from .._base import Transition


class State(StrEnum):
    """Server session states (the client engine reports the server's)."""

    IDLE = "IDLE"            # waiting for a request line
    BODY = "BODY"            # the head is read; the body is arriving
    WAITING = "WAITING"      # the request is complete; the application has not answered yet
    CLOSED = "CLOSED"


IDLE, BODY, WAITING, CLOSED = State.IDLE, State.BODY, State.WAITING, State.CLOSED
STATES = (IDLE, BODY, WAITING, CLOSED)

#: The methods a site serves; every other method is OTHER (RFC 9110 §9.3).
METHODS = ("GET", "HEAD", "POST")
#: Request kinds: the methods, other methods, and input that is not a request.
KINDS = (*METHODS, "OTHER", "BAD")

_PERSIST_OR_CLOSE = Transition(IDLE, CLOSED)

#: state -> request kind -> Transition.  The one source of truth.
TABLE: dict[str, dict[str, Transition]] = {
    IDLE: {**{kind: _PERSIST_OR_CLOSE for kind in (*METHODS, "OTHER")},
           "BAD": Transition(CLOSED, CLOSED)},
    BODY: {},        # reading a body: the next request can only follow it
    WAITING: {},     # the answer is being prepared; later requests wait in the buffer
    CLOSED: {},
}

#: Transitions the engine makes on its own, not on a whole request (for the plot).
AUTOMATIC: tuple[tuple[str, str, str], ...] = (
    (IDLE, BODY, "head with Content-Length or chunked"),
    (BODY, IDLE, "body complete, answered"),
    (IDLE, WAITING, "the application asks other servers"),
    (WAITING, IDLE, "answer sent, connection kept"),
    (WAITING, CLOSED, "answer sent, Connection: close"),
    (IDLE, CLOSED, "peer closed the connection"),
)


def kind_of(method: str) -> str:
    """The request kind of ``method`` (methods are case-sensitive, RFC 9110 §9.1)."""
    return method if method in METHODS else "OTHER"


def transition(state: str, kind: str) -> Transition | None:
    """The transition for a request of ``kind`` in ``state``, or None if none may arrive."""
    return TABLE.get(state, {}).get(kind)


def allowed(state: str) -> tuple[str, ...]:
    return tuple(TABLE.get(state, {}))


def edges() -> list[tuple[str, str, str]]:
    """(from, to, label) for every request edge of the table (both outcomes)."""
    out = []
    for state, row in TABLE.items():
        for kind, tr in row.items():
            out.append((state, tr.on_ok, kind))
            if tr.on_failure != tr.on_ok:
                out.append((state, tr.on_failure, f"{kind} + close"))
    return out
