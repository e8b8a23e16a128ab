"""The IMAP server's command table, and what a handler returns.

Every command handler is a function ``do_x(session, command)`` registered in
:data:`HANDLERS` with ``@HANDLERS.command(NAME, ...)`` (the one registration
style of every engine, ``protocols/_base.py``) in the module of its RFC
section: :mod:`.commands_auth`, :mod:`.commands_mailbox`,
:mod:`.commands_message`, :mod:`.fetch`, :mod:`.search`.

A handler returns the tagged completion and, rarely, a move.

Most handlers return a :class:`~.responses.Response` and the session moves
along its table (after OK / after NO).  A command that goes on (AUTHENTICATE
waiting for the SASL response, IDLE waiting for DONE) has no completion yet,
and DELETE of the selected mailbox leaves the SELECTED state: those return an
:class:`Outcome` whose :class:`~.states.Move` the session applies against
:data:`~.states.MOVES`.  No handler writes the session's state.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._base import CommandTable
from .responses import Response
from .states import Move

if TYPE_CHECKING:
    from .parser import Command
    from .session import IMAPServer


@dataclass(slots=True)
class Outcome:
    """``answer`` is the tagged completion, None while the command goes on.

    A value nobody changes; not frozen because every command makes one (see Response).
    """

    answer: Response | None
    move: Move | None = None


def outcome_of(result: Response | Outcome) -> Outcome:
    """A handler's result as an Outcome (a bare Response moves by the table)."""
    return result if isinstance(result, Outcome) else Outcome(result)


#: command name ("FETCH", "UID FETCH" …) → handler(session, command) → completion.
HANDLERS: CommandTable[Callable[[IMAPServer, Command], Response | Outcome]] = \
    CommandTable("IMAP server")
