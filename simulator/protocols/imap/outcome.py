"""What a command handler returns: the tagged completion and, rarely, a move.

Most handlers return a :class:`~.responses.Response` and the session moves
along its table (after OK / after NO).  A command that goes on (AUTHENTICATE
waiting for the SASL response, IDLE waiting for DONE) has no completion yet,
and DELETE of the selected mailbox leaves the SELECTED state: those return an
:class:`Outcome` whose :class:`~.states.Move` the session applies against
:data:`~.states.MOVES`.  No handler writes the session's state.
"""
from __future__ import annotations

from dataclasses import dataclass

from .responses import Response
from .states import Move


@dataclass(frozen=True)
class Outcome:
    """``answer`` is the tagged completion, None while the command goes on."""

    answer: Response | None
    move: Move | None = None


def outcome_of(result: Response | Outcome) -> Outcome:
    """A handler's result as an Outcome (a bare Response moves by the table)."""
    return result if isinstance(result, Outcome) else Outcome(result)
