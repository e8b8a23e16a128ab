"""The IMAP server engine: one session, sans-IO (RFC 3501, RFC 9051 via ENABLE).

Driver API (the same as the SMTP and POP3 engines):

* :meth:`IMAPServer.initiate` once the connection is open (the greeting);
* :meth:`receive_data` with received bytes (``b""`` when the peer closed);
* :meth:`data_to_send` for the bytes to write, :meth:`take_transcript` for
  the utterances to trace;
* :meth:`tls_started` after the STARTTLS handshake;
* in *concurrent* mode (``IMAPConfig.concurrent``) received commands are not
  run at once: :meth:`pending` lists them with their cost and the tags they
  must wait for (:mod:`.pipeline`), the driver decides when each completes
  and calls :meth:`complete`; :meth:`run_pending` does it with the default
  cost model.  Otherwise each command runs as soon as it has been read;
* :meth:`wake` is called by the :class:`~.hub.MailboxHub` when another
  session changed the selected mailbox; only an IDLEing session speaks then.

Nothing a client sends may raise out of this engine: a command the server
fails on is answered ``NO [SERVERBUG]`` (RFC 5530 §3) and the session goes
on; a failure in the middle of an exchange (AUTHENTICATE, IDLE) or outside
any command ends it with ``* BYE``.  Either way the trace explains it
(``imap.reply.server_fault``) and the log keeps the traceback for the
developers (:meth:`IMAPServer._fault`).

Command handlers live in the ``commands_*`` modules, FETCH in
:mod:`.fetch`, SEARCH in :mod:`.search`; untagged updates in :mod:`.updates`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from .._base import EngineOutput, LocalProtocolError, Utterance
from . import (
    commands_auth,
    commands_mailbox,
    commands_message,  # noqa: F401  (imported for its @HANDLERS.command registrations)
    fetch,  # noqa: F401
    search,  # noqa: F401
    updates,
)
from . import states as S
from .backend import BackendError, IMAPBackend
from .events import CommandCompleted, CommandQueued, ConnectionClosed
from .framing import (
    MAX_LINE,
    MAX_LITERAL,
    CommandReader,
    CommandText,
    ContinuationNeeded,
    LineTooLong,
    LiteralTooBig,
)
from .hub import MailboxHub
from .lexer import ParseError
from .outcome import HANDLERS, Outcome, outcome_of
from .parser import BadTag, Command, parse_command, parse_tag
from .pipeline import Pending, conflict, cost, moves_bodies, schedule
from .responses import BAD, Response, continuation, tagged, untagged_status
from .syntax_texts import describe
from .view import MailboxView

log = logging.getLogger("mailsim.imap")


@dataclass(frozen=True)
class IMAPConfig:
    """What one IMAP server is: its name, the features it offers and its limits."""

    hostname: str
    starttls: bool = False              # offer STARTTLS (RFC 9051 §6.2.1)
    login_requires_tls: bool = False    # LOGINDISABLED until TLS (RFC 9051 §6.2.3)
    concurrent: bool = False            # queue pipelined commands for the driver (RFC 9051 §5.5)
    # Advertise IMAP4rev2 and honour ENABLE IMAP4rev2 (RFC 9051 §6.3.1); the session speaks
    # IMAP4rev1 until the client enables rev2.  What rev2 requires on top of rev1 is here:
    # ESEARCH, SEARCHRES, LIST-EXTENDED, LIST-STATUS, BINARY (RFC 9051 §7.2.2, appendix E).
    imap4rev2: bool = True
    max_line: int = MAX_LINE
    max_literal: int = MAX_LITERAL
    max_errors: int = 20                # BADs in a row before the server gives up on the client


class IMAPServer(EngineOutput):
    """One IMAP session, server side."""

    def __init__(self, config: IMAPConfig, backend: IMAPBackend, hub: MailboxHub | None = None,
                 *, session_id: str) -> None:
        self.config, self.backend, self.session_id = config, backend, session_id
        self.hub = hub if hub is not None else MailboxHub()
        self.state = S.NOT_AUTHENTICATED
        self.tls = False
        self.rev2 = False                     # ENABLE IMAP4rev2 (RFC 9051 §6.3.1)
        self.user: str | None = None
        self.account: str | None = None
        self.view: MailboxView | None = None
        self.saved: set[int] = set()          # SEARCH RETURN (SAVE) result, UIDs (RFC 5182)
        self.notes: dict[str, Any] = {}       # facts for the trace of the current completion
        self.failed_logins = 0                # refused LOGIN/AUTHENTICATE on this connection
        self.current_tag: str | None = None   # the command running now
        self.waiting_tag: str | None = None   # IDLE or AUTHENTICATE in progress
        self.idle_from = S.AUTHENTICATED
        self._reader = CommandReader(config.max_line, config.max_literal)
        self._queue: list[Pending] = []
        EngineOutput.__init__(self)
        self._events: list[Any] = []
        self._errors = 0
        self._announced = 0                   # octets of the current command already traced
        # Trace a command with a synchronising literal in three steps: the line with {n},
        # the "+", the octets (as they happen).  Off: one step with the whole command.
        self.announce_literals = False

    # -- driver API ---------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state == S.LOGOUT

    def initiate(self) -> list[Any]:
        """The OK greeting with the capabilities (RFC 9051 §7.1.1: saves a round trip)."""
        self.say(untagged_status("greeting", caps=commands_auth.capabilities(self),
                                 host=self.config.hostname))
        return self._take_events()

    def receive_data(self, data: bytes) -> list[Any]:
        """Handle received bytes; ``b""`` means the client closed the connection."""
        if self.closed:
            return []
        if not data:
            self.record(b"", "imap.event.dropped", {})
            self._close("peer-closed")
            return self._take_events()
        if self.state == S.TLS:
            return []                          # clear-text bytes during the handshake: dropped
        self._reader.feed(data)
        while not self.closed and self.state != S.TLS and (frame := self._next_frame()):
            try:
                self._on_frame(frame)
            except Exception as exc:            # noqa: BLE001 - the last resort, see _fault
                self._fault(exc, _tag_of(frame))
            if self._errors >= self.config.max_errors and not self.closed:
                self.say(untagged_status("bye_too_many_errors"))
                self._close("errors")
        return self._take_events()

    def tls_started(self) -> None:
        """The driver finished the TLS handshake: start NOT_AUTHENTICATED afresh."""
        if self.state != S.TLS:
            raise LocalProtocolError(f"tls_started() in state {self.state}, expected {S.TLS}")
        self.tls, self.state = True, S.NOT_AUTHENTICATED

    def pending(self) -> list[Pending]:
        """Commands read but not completed, in arrival order, with cost and dependencies."""
        return list(self._queue)

    def complete(self, tag: str) -> list[Any]:
        """Run pending command ``tag`` to completion now (concurrent mode)."""
        item = next((p for p in self._queue if p.tag == tag), None)
        if item is None:
            raise LocalProtocolError(f"no pending command {tag!r}")
        waiting = [t for t in item.after if any(p.tag == t for p in self._queue)]
        if waiting:
            raise LocalProtocolError(f"{tag} must wait for {', '.join(waiting)}")
        self._run(item)
        return self._take_events()

    def run_pending(self) -> list[Any]:
        """Complete every pending command in the order of :func:`.pipeline.schedule`."""
        events: list[Any] = []
        while self._queue and not self.closed:
            first = schedule(self._queue)[0][0]
            events += self.complete(first)
        return events

    def wake(self) -> bool:
        """The hub says our mailbox changed; speak only in IDLE (RFC 2177). True if we did."""
        if self.state != S.IDLE or self.view is None or updates.mailbox_gone(self):
            return False
        before = len(self._out)
        updates.announce(self, None, idle=True)
        return len(self._out) > before

    def recent_uids(self) -> set[int]:
        return set(self.view.recent) if self.view else set()

    # -- frames -----------------------------------------------------------------

    def _next_frame(self):
        try:
            return self._reader.next_frame()
        except Exception as exc:            # noqa: BLE001 - where the command ends is lost
            self._fault(exc, None)
            return None

    def _on_frame(self, frame) -> None:
        if isinstance(frame, ContinuationNeeded):
            # The trace shows the exchange as it happens: the line with {n}, then "+",
            # then the octets (RFC 3501 §7.5).
            if self.announce_literals:
                self.record(frame.raw[self._announced:], "imap.cmd.literal_announced",
                            {"size": frame.size})
                self._announced = len(frame.raw)
            self.say(continuation("literal", size=frame.size))
        elif isinstance(frame, LineTooLong):
            self.record(frame.prefix, "imap.cmd.too_long", {"length": frame.length})
            self.say(untagged_status("bye_too_long", length=frame.length,
                                     limit=self.config.max_line))
            self._close("line-too-long")
        elif isinstance(frame, LiteralTooBig):
            self._literal_too_big(frame)
        elif self.state == S.SASL:
            self._line_ends(commands_auth.sasl_response(self, frame), "AUTHENTICATE")
        elif self.state == S.IDLE:
            self._line_ends(commands_auth.idle_line(self, frame), "IDLE")
        else:
            self._on_command(frame)

    def _literal_too_big(self, frame: LiteralTooBig) -> None:
        """Refuse a synchronising literal with NO; a non-synchronising one is already
        on its way, so the only safe answer is BYE (RFC 7888 §4)."""
        self.record(frame.raw, "imap.cmd.literal_too_big", {"size": frame.size})
        limit = self.config.max_literal
        if frame.synchronising:
            try:
                tag = parse_tag(frame.raw)
            except BadTag:
                tag = "*"
            self.say(tagged(tag, "literal_too_big", size=frame.size, limit=limit))
            return
        self.say(untagged_status("bye_literal_too_big", size=frame.size, limit=limit))
        self._close("literal-too-big")

    def _on_command(self, frame: CommandText) -> None:
        try:
            cmd = parse_command(frame)
        except BadTag as err:
            self.record(frame.raw, "imap.cmd.bad_tag", dict(err.params))
            self._bad(untagged_status("bad_tag", **err.params))
            return
        except ParseError as err:
            params = _syntax_params(err)
            self.record(frame.raw, "imap.cmd.bad_syntax", params)
            # No command name was read (or it is the bad one): name it in the explanation.
            self._bad(tagged(parse_tag(frame.parts[0]), "bad_syntax", **{"name": "", **params}))
            return
        if any(p.tag == cmd.tag for p in self._queue):
            # RFC 9051 §2.2.1: a different tag for each command.  The queue and the
            # driver know pending commands by tag, so a second one is refused, not queued.
            self.record(frame.raw, "imap.cmd.tag_in_use", {"tag": cmd.tag})
            self._bad(tagged(cmd.tag, "tag_in_use", tag=cmd.tag))
            return
        item = self._enqueue(cmd)
        if not self.config.concurrent:
            self._run(item)

    def _enqueue(self, cmd: Command) -> Pending:
        selected = self.view.name if self.view else None
        item = Pending(cmd, self._cost(cmd), selected)
        after, reasons = [], []
        for earlier in self._queue:
            why = conflict(earlier, item)
            if why is not None:
                after.append(earlier.tag)
                reasons.append(why)
        item.after = tuple(after)
        if reasons:
            item.reason, item.reason_params = reasons[0][0], {**reasons[0][1], "after": after[0]}
        self._queue.append(item)
        explain = f"imap.cmd.{cmd.name}" if cmd.name in HANDLERS else "imap.cmd.unknown"
        self.record(cmd.raw, explain, {"tag": cmd.tag, "name": cmd.name, "cost": item.cost,
                                       "after": list(item.after)})
        self._events.append(CommandQueued(cmd.tag, cmd.name, item.cost, item.after))
        return item

    def _cost(self, cmd: Command) -> int:
        """Octets moved decide FETCH and APPEND costs (a big body costs more than a NOOP).

        A FETCH whose set is invalid costs what its items cost: the BAD comes
        when it runs, from :meth:`_dispatch`, never from queueing it.
        """
        octets = 0
        if cmd.base == "FETCH" and self.view is not None and moves_bodies(cmd):
            try:
                uids = updates.targets(self, cmd)
            except ParseError:
                uids = []
            octets = sum(len(self.view.record(u).data) for u in uids)
        elif cmd.base == "APPEND":
            octets = sum(len(a) for a in cmd.args if isinstance(a, bytes))
        return cost(cmd, octets)

    # -- running a command ----------------------------------------------------------

    def _run(self, item: Pending) -> None:
        self._queue.remove(item)
        try:
            self._complete(item)
        except Exception as exc:            # noqa: BLE001 - the last resort, see _fault
            self._fault(exc, item.command.tag)

    def _complete(self, item: Pending) -> None:
        cmd, before = item.command, self.state
        if self.view is not None and updates.mailbox_gone(self):
            self.say(untagged_status("bye_mailbox_gone", mailbox=self.view.name))
            self._close("mailbox-gone")
            return
        self.notes, self.current_tag = {}, cmd.tag
        outcome = outcome_of(self._dispatch(cmd, before))
        answer = outcome.answer
        if answer is None:                     # IDLE or AUTHENTICATE: completes later
            self._goes_on(cmd.tag, before, outcome.move)
            return
        tr = S.transition(before, cmd.name)
        after = (S.MOVES[before][outcome.move] if outcome.move is not None
                 else before if tr is None or answer.status == BAD
                 else tr.on_ok if answer.ok else tr.on_failure)
        if item.reason:
            answer = _with_order(answer, item)
        self.finish(answer, before, after, cmd.name)

    def _goes_on(self, tag: str, before: str, move: S.Move) -> None:
        """AUTHENTICATE waits for the SASL response, IDLE for DONE: the move's state."""
        self.waiting_tag, self.state = tag, S.MOVES[before][move]
        if move is S.Move.ENTER_IDLE:
            self.idle_from = before
            updates.announce(self, None, idle=True)     # what changed, at once (RFC 2177)

    def _line_ends(self, answer: Response, name: str) -> None:
        """The line that ends a command in progress: complete it as the table says."""
        before = self.state
        tr = S.LINE_ENDS[before]
        after = tr.on_ok if answer.ok else tr.on_failure
        self.finish(answer, before, self.idle_from if after == S.PREVIOUS else after, name)

    def _dispatch(self, cmd: Command, state: str) -> Response | Outcome:
        """The handler's outcome; refusals (unknown, wrong state, bad syntax) as the table says."""
        if cmd.name not in HANDLERS:
            return self._count_bad(tagged(cmd.tag, "unknown_command", name=cmd.name))
        if S.transition(state, cmd.name) is None or not commands_auth.offered(self, cmd.name):
            return self._count_bad(tagged(cmd.tag, "wrong_state", name=cmd.name, state=state))
        try:
            return HANDLERS[cmd.name](self, cmd)
        except ParseError as err:
            return self._count_bad(tagged(cmd.tag, "bad_syntax",
                                          **{**_syntax_params(err), "name": cmd.name}))
        except BackendError as err:
            return tagged(cmd.tag, err.reply, **err.params)

    def finish(self, answer: Response, before: str, after: str, name: str) -> None:
        """Untagged updates (where allowed), then the tagged completion, then the new state."""
        if after not in (S.LOGOUT, S.TLS) and self.view is not None and name != "LOGOUT":
            updates.announce(self, name)
        if self.notes:
            answer = _with_params(answer, _noted(self.notes, answer))
        self._send(answer, before, after)
        self.state, self.current_tag = after, None
        if answer.ok:
            self._errors = 0                   # the limit is on errors in a row
        self._events.append(CommandCompleted(answer.tag or "*", name, answer.status or ""))
        if after == S.LOGOUT:
            self._close("logout")

    # -- output, transcript, errors ----------------------------------------------

    def say(self, response: Response) -> None:
        """Queue an untagged response or continuation request."""
        self._send(response, self.state, self.state)

    def emit(self, event: Any) -> None:
        """Report an event to the driver (returned by receive_data/complete)."""
        self._events.append(event)

    def discard_unread(self) -> int:
        """Drop what the client sent after the current command; how many octets.

        After STARTTLS nothing said in clear text may run inside TLS (RFC 9051 §11.1).
        """
        return len(self._reader.take_rest())

    def _send(self, response: Response, before: str, after: str) -> None:
        self._out += response.wire
        self._transcript.append(Utterance("s2c", response.wire, before, after,
                                          response.explain, self._trace_params(response)))

    def _trace_params(self, response: Response) -> dict[str, Any]:
        """The response's params plus the tag of the command it answers: its own for a
        completion, the running command's for untagged data and ``+`` (RFC 9051 §2.2.2),
        so a trace can pair each reply with its command also when completions overtake."""
        params = dict(response.params)
        if response.kind == "tagged":
            params.update(tag=response.tag, status=response.status)
            return params
        if response.status:
            params.setdefault("status", response.status)
        tag = self.waiting_tag if self.state in (S.IDLE, S.SASL) else self.current_tag
        if tag is not None:
            params.setdefault("tag", tag)
        return params

    def record(self, raw: bytes, explain: str, params: dict) -> None:
        """Record a line the client sent (also for handlers of a command in progress)."""
        if explain != "imap.cmd.literal_announced" and self._announced:
            raw, self._announced = raw[self._announced:], 0     # the rest of that command
        self._transcript.append(Utterance("c2s", raw, self.state, self.state, explain, params))

    def _bad(self, response: Response) -> None:
        self.say(self._count_bad(response))

    def _count_bad(self, response: Response) -> Response:
        """Count BADs: a peer that keeps sending nonsense is not speaking IMAP (hang up)."""
        self._errors += 1
        return response

    def _fault(self, exc: Exception, tag: str | None) -> None:
        """The last resort: the server itself failed on what the client sent.

        A command with a known tag is answered ``NO [SERVERBUG]`` (RFC 5530 §3:
        the server's own bug, not the client's error) and the session goes on
        in the state it had.  In the middle of AUTHENTICATE or IDLE, or when no
        command can be named, the exchange cannot be resumed: ``* BYE``.
        The fault counts as an error, so a client cannot loop on it for ever.
        """
        log.error("IMAP session %s: internal error on the client's input", self.session_id,
                  exc_info=exc)
        params = {"error": type(exc).__name__, "detail": str(exc)[:200]}
        self._errors += 1
        if self.closed:
            return
        if tag is None or self.state in (S.SASL, S.IDLE, S.TLS):
            self.say(untagged_status("bye_server_fault", **params))
            self._close("fault")
            return
        self._send(tagged(tag, "server_fault", **params), self.state, self.state)
        self._events.append(CommandCompleted(tag, "", "NO"))

    def _close(self, reason: str) -> None:
        commands_mailbox.deselect(self)
        self.state = S.LOGOUT
        self._queue.clear()
        self._events.append(ConnectionClosed(reason))

    def _take_events(self) -> list[Any]:
        out, self._events = self._events, []
        return out


def _with_order(answer: Response, item: Pending) -> Response:
    """The tagged answer, noting why this command waited (shown in the trace).

    The reason is also a *note* (``simulator.locale.explain`` appends notes to
    the step's text), and its params are copied up so the note can name them.
    """
    notes = [*answer.params.get("notes", ()), item.reason]
    return _with_params(answer, {**item.reason_params, "order_reason": item.reason,
                                 "order": dict(item.reason_params), "notes": notes})


def _noted(notes: dict, answer: Response) -> dict:
    """Facts of a completion; a held EXPUNGE also becomes a note of its step."""
    if "expunge_held" not in notes:
        return notes
    return {**notes, "notes": [*answer.params.get("notes", ()), "imap.data.EXPUNGE_held"]}


def _with_params(answer: Response, extra: dict) -> Response:
    params = {**answer.params, **extra}
    return Response(answer.kind, answer.wire, answer.explain, params, answer.tag, answer.status)


def _syntax_params(err: ParseError) -> dict:
    """A readable ``detail`` for the wire and a ru/en note for the explanation."""
    return {**err.params, "detail": describe(err.key, err.params),
            "notes": [f"imap.{err.key}"]}


def _tag_of(frame) -> str | None:
    """The tag of a framed command, None if it has none that can be answered."""
    if not isinstance(frame, CommandText):
        return None
    try:
        return parse_tag(frame.parts[0])
    except BadTag:
        return None
