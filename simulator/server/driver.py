"""The socket driver: one asyncio Protocol per connection, one sans-IO engine per Protocol.

It does for a real TCP connection what :class:`simulator.network.connection.Connection`
does for a simulated one: bytes from the socket go into
``engine.receive_data`` (``b""`` at end of stream), ``engine.data_to_send()``
goes to the socket, the engine's transcript becomes trace Steps through the
network's Recorder, and when the engine enters its TLS state (after
STARTTLS / STLS, RFC 3207 §4, RFC 2595 §4) the driver runs the handshake and
calls ``engine.tls_started()``.

The common case runs in the transport's callbacks, with no task: the bytes of
one read go through the engine and the replies to them leave in one write.
Whatever has to wait (a TLS handshake, a failed login's delay, another
client's turn, a client that does not read its replies, an FTP transfer)
runs as a task while the connection stops reading; what the client sent
meanwhile is fed after it, in order.  Every wait has a timeout, so a slow
or silent client only ever holds its own connection.

What the driver guarantees on top of the engines (issue 16):

- clear text the client sent after STARTTLS and before the handshake is
  never executed inside TLS (RFC 3207 §4.2, the CVE-2011-0411 class);
- one command at a time, with the loop free in between, and a budget of
  engine time per connection (:mod:`.fairness`);
- a failed login is answered late, later with each failure (:mod:`.throttle`);
- an engine that raises is the server's bug: the client gets the protocol's
  error (:mod:`.wire`), the log gets the traceback, the trace an explanation.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Coroutine
from time import perf_counter
from typing import Any

from ..protocols import Engine
from ..trace import Where
from .fairness import EngineTimeBudget
from .flush import Flusher, QueuedWrites
from .idle import IdleWatch
from .live_record import LiveRecording, notable
from .misconfig import REFUSALS, Diagnoser, Finding, is_client_hello
from .throttle import LoginThrottle, failed_logins
from .tls_switch import HANDSHAKE_TIMEOUT, TLSSwitch
from .wire import SHUTDOWN, fault_reply

#: Engine faults on one connection before the server hangs up on it.
MAX_FAULTS = 3
#: Engine seconds a connection may run its pipelined commands before the others get a turn.
TIME_SLICE = 0.005
#: Seconds a closed connection may take to hand its last replies to a client that reads none.
LINGER = 5.0
log = logging.getLogger("mailsim.server")


class LiveConnection(TLSSwitch, LiveRecording, QueuedWrites, asyncio.Protocol):
    """One accepted connection to one service of the served host.

    ``on_end`` is called once, when the connection is over (the server counts
    its connections with it).
    """

    # The state most connections never change: class-level defaults, an instance
    # gets its own value only once it changes.  With more than thirty attributes of
    # its own, a new object loses CPython's shared-key dict: accepting a connection
    # cost 2.7 instead of 1.9 µs (timeit), 11K instructions per short SMTP session.
    tls = False
    budget: EngineTimeBudget | None = None      # made at the first charge
    login_failures = 0
    faults = 0
    user: str | None = None                     # the account logged in on this connection
    diagnoser: Diagnoser | None = None          # made at the first reply worth a look
    _fault: Exception | None = None
    _task: asyncio.Task | None = None           # the slow path now running, if any
    _eof = False                                # the client finished sending while a task ran
    _write_paused = False                       # the transport's buffer is full (pause_writing)
    _writable: asyncio.Future | None = None
    _closed = False
    _handshaking = False                        # loop.start_tls is under way
    _tls_failed = False                         # ... and failed: the TLS layer holds the transport

    def __init__(self, world, service, *, tls_context: ssl.SSLContext | None,
                 idle_timeout: float, handshake_timeout: float = HANDSHAKE_TIMEOUT,
                 throttle: LoginThrottle | None = None, time_slice: float = TIME_SLICE,
                 on_end: Callable[[LiveConnection], None] = lambda connection: None) -> None:
        self.world, self.service = world, service
        self.transport: asyncio.Transport | None = None
        self.tls_context, self.idle_timeout = tls_context, idle_timeout
        self.handshake_timeout = handshake_timeout
        self.throttle = throttle
        self.address, self.peer = "?", "?:0"
        self.conn_id = world.net.new_conn_id()
        self.engine: Engine | None = None
        self.time_slice = time_slice
        self._uncharged = 0.0           # engine seconds not yet charged to the budget
        self._pending = b""             # the driver's own lines, sent with the engine's next
        self._line = b""                # the command being fed (for an IMAP fault's tag)
        self._first_read = True         # a ClientHello there means SSL/TLS on a plain port
        self._where_cache: Where | None = None
        self._hub = world.imap if service.protocol == "IMAP" else None  # wakes IDLE sessions
        self._action: tuple[Callable[..., Any], tuple[Any, ...]] | None = None
        self._result: list[Any] = []
        self._queued = b""              # replies waiting for the flush (:mod:`.flush`)
        self._loop = world.scheduler.loop   # the running one (asking asyncio costs a getpid)
        self._flusher = Flusher.of(self._loop)
        self._idle = IdleWatch(idle_timeout, self._loop, self._timed_out)
        self._inbox = b""               # received, not yet fed (while a task runs)
        self._on_end: Callable[[LiveConnection], None] | None = on_end

    # -- the transport's callbacks ------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:
        """Accepted: greet, or for implicit TLS (RFC 8314 §3) run the handshake first."""
        self.transport = transport
        address = transport.get_extra_info("peername") or ("?", 0)
        self.address = str(address[0])
        self.peer = f"{address[0]}:{address[1]}"
        self._internal("serve.explain.connect", "connect")
        if self.service.security == "tls":
            self._wait_for(self._implicit_tls())
        else:
            self._greet()
            self._idle.begin()

    def data_received(self, data: bytes) -> None:
        if self._task is not None or self._closed:
            self._inbox += data             # fed once the task is done
            return
        if self._first_read:
            self._first_read = False
            if not self.tls and is_client_hello(data):
                self._diagnosis(Finding("tls_on_plain_port", {"port": self.service.port}))
                self._hang_up()
                return
        self._inbox = data
        self._feed_inbox()

    def eof_received(self) -> bool:
        """The client sent everything: the engine hears end of stream after what it sent."""
        if self._task is not None:
            self._eof = True
            return not self.tls         # plain TCP: keep the write half for the replies due
        self._hang_up()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if self._handshaking:
            return          # uvloop says so during a failed handshake; the handshake's task ends it
        if self._task is not None:
            self._task.cancel()
        if not self._closed:
            if exc is not None:
                self._internal("serve.explain.lost",
                               f"connection lost: {exc.__class__.__name__}")
            self._hang_up()
        self._ended()

    def pause_writing(self) -> None:
        """The client reads its replies slower than they come: stop feeding its commands."""
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._writable is not None and not self._writable.done():
            self._writable.set_result(None)

    # -- the session ---------------------------------------------------------------
    def _greet(self) -> None:
        """A fresh engine says its greeting (220, +OK, * OK …)."""
        self.engine = self._make_engine()
        if self._hub is not None:
            self._hub.attach(self.engine, self)
        if self.service.attach is not None:
            self.service.attach(self.engine, self)
        self._feed(self.engine.initiate)
        self._write(self._collect())

    def _make_engine(self) -> Engine:
        """A fresh engine of this connection's service."""
        return self.service.make(self.peer, self.conn_id)

    def _feed_inbox(self) -> None:
        """Feed what the client sent to the engine a command at a time.

        A line the engine answers is a command.  The engine time of each
        command adds up; every ``time_slice`` seconds of it are charged to
        the connection's budget at once (one clock read per command, not a
        bucket's arithmetic), and if more commands are waiting, the answers
        so far go out and other clients get a turn before the next one (a
        pause first if the budget ran out).  Cheap pipelined commands (MAIL,
        RCPT, DATA) thus share one write; each expensive one (a SEARCH over
        large messages) is followed by a turn.  A line the engine does not
        answer is part of a message body, a literal or a pipelined group:
        the rest goes in at once (:meth:`_receive`).  (Line by line, a 2 MiB
        APPEND took 40 times as long.)  Commands that follow such a body in
        the same read therefore run together; the budget then makes this
        connection, not the others, wait.  After STARTTLS the rest is dropped
        (see :meth:`_begin_tls`).
        """
        outbox = b""
        engine = self.engine
        mark = perf_counter()           # the end of the last command (its engine time)
        # _finished() and _awaits_tls(), spelled out: they run for every command.
        while self._inbox and not engine.closed and self.faults < MAX_FAULTS:
            if self._write_paused:
                self._write(outbox)
                self._wait_for(self._until_writable())
                return
            inbox = self._inbox
            cut = inbox.find(b"\n") + 1 or len(inbox)
            line, self._inbox = inbox[:cut], inbox[cut:]
            events = self._feed(self._receive, line)
            out = self._collect()
            failures = 0
            if out[:1] in REFUSALS or notable(events):
                failures = self._after_command(line, out, events)
            if not self.tls and engine.awaiting_tls:
                self._begin_tls(outbox + out)
                return
            if failures:
                self._write(outbox)             # earlier answers are not held back
                self._wait_for(self._answer_failed_login(out, failures))
                return
            outbox += out
            now = perf_counter()
            self._uncharged += now - mark
            mark = now
            if self._uncharged >= self.time_slice:
                pause = self._charge()
                if pause > 0 or self._inbox:
                    self._write(outbox)
                    self._wait_for(self._take_turn(pause))
                    return
        self._write(outbox)
        self._after_input()

    def _charge(self) -> float:
        """Charge the engine time so far to the budget; how long to pause.  The budget
        is made at the first charge: most short sessions never reach one."""
        if self.budget is None:
            self.budget = EngineTimeBudget()
        pause = self.budget.spend(self._uncharged)
        self._uncharged = 0.0
        return pause

    def _receive(self, line: bytes) -> list[Any]:
        """The engine's part of one command (:meth:`_feed_inbox`): its line and, if the
        engine does not answer it, the rest of the inbox too, in the same exchange.

        A line without an answer begins a message body, a literal or a pipelined
        group, which is fed at once rather than line by line, in one exchange
        with its first line (whose own exchange would record nothing).  Not
        across a STARTTLS the engine accepted: what follows belongs to the
        handshake.
        """
        engine = self.engine
        self._line = line
        events = engine.receive_data(line)
        if self._inbox and (self.tls or not engine.awaiting_tls):
            answer = engine.data_to_send()
            if not answer:
                self._line, self._inbox = self._inbox, b""
                return [*events, *engine.receive_data(self._line)]
            self._pending += answer         # sent first, with what the engine says next
        return events

    def _after_command(self, line: bytes, out: bytes, events: list[Any]) -> int:
        """A refusal or a login, failed or not: diagnose it (:mod:`.misconfig`), say whose
        connection this is (:meth:`_note_login`); how many failed logins to hold back."""
        if out:
            if self.diagnoser is None:
                self.diagnoser = Diagnoser(self.service.protocol, self.service.port,
                                           self.world.net.store.find, self.world.domain)
            for finding in self.diagnoser.after(line, out, events):
                self._diagnosis(finding)
            if self.user is None:
                self._note_login(events)
        return failed_logins(events) if self.throttle is not None else 0

    def _after_input(self) -> None:
        """Everything received is fed: hang up, or wait for more (:meth:`_finished`, spelled
        out: it runs for every read).  FTP runs the transfers the commands asked for first
        (:class:`.ftp_side.FTPLiveConnection`)."""
        engine = self.engine
        if (engine is not None and engine.closed) or self.faults >= MAX_FAULTS or self._eof:
            self._hang_up()
            return
        self._idle.begin()

    # -- the slow path: a task while the connection does not read ----------------
    def _wait_for(self, work: Coroutine[Any, Any, None]) -> None:
        """Stop reading and run ``work``; what the client sends meanwhile is fed after it.

        Reading stops at once, before the task's first step: after STARTTLS
        the ClientHello may already be on its way, and it belongs to the TLS
        layer, not to this protocol's buffer.
        """
        self._idle.end()
        self.transport.pause_reading()
        self._task = self._loop.create_task(self._then_go_on(work))

    async def _then_go_on(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except (ConnectionError, ssl.SSLError) as exc:
            self._task = None
            self._internal("serve.explain.lost", f"connection lost: {exc.__class__.__name__}")
            self._hang_up()
            return
        self._task = None
        if self._closed:
            return
        self.transport.resume_reading()
        self._feed_inbox()

    async def _take_turn(self, pause: float) -> None:
        """Let the other clients run; ``pause`` seconds if this one used up its engine time."""
        if pause > 0:
            self._internal("serve.explain.budget_pause", f"over its share: waits {pause:.2f} s",
                           seconds=f"{pause:.2f}")
        await asyncio.sleep(pause)

    async def _answer_failed_login(self, answer: bytes, failures: int) -> None:
        await self._hold_failed_login(failures)
        self._write(answer)

    async def _hold_failed_login(self, failures: int) -> None:
        """Wait the throttle's delay before a failed login's answer goes out (:mod:`.throttle`)."""
        self.login_failures += failures
        delay = self.throttle.failed(self.address, self.login_failures)
        if delay.seconds > 0:
            self._internal("serve.explain.login_delay",
                           f"failed login: answer held {delay.seconds:g} s",
                           seconds=f"{delay.seconds:g}", count=self.login_failures,
                           address_count=delay.address_failures)
            await asyncio.sleep(delay.seconds)

    async def _until_writable(self) -> None:
        """Wait until the client has read enough of its replies, at most ``idle_timeout``."""
        self._flush()
        if not self._write_paused:
            return
        self._writable = self._loop.create_future()
        try:
            async with asyncio.timeout(self.idle_timeout):
                await self._writable
        except TimeoutError:
            self._timed_out()
            self.transport.abort()          # what it did not read would never drain
        finally:
            self._writable = None

    # -- the end -----------------------------------------------------------------
    def _finished(self) -> bool:
        return self.faults >= MAX_FAULTS or (self.engine is not None and self.engine.closed)

    def _timed_out(self) -> None:
        """The client kept the server waiting ``idle_timeout`` seconds: hang up."""
        self._internal("serve.explain.timeout", f"idle for {self.idle_timeout:g} s",
                       seconds=f"{self.idle_timeout:g}")
        self._hang_up()

    def _hang_up(self) -> None:
        """The engine hears end of stream (if the session was not over), then the socket closes."""
        self._end_of_stream()
        self._close()

    def _end_of_stream(self) -> None:
        """Tell the engine the client is gone (POP3 then deletes nothing, RFC 1939 §6)."""
        if self.engine is not None and not self._finished():
            self._feed(self.engine.receive_data, b"")
            self.engine.data_to_send()          # nobody is left to read it

    def goodbye(self) -> None:
        """The server stops: say so in the protocol's words (421, -ERR, * BYE) and end.

        The engine then hears end of stream, as if the client had left
        without QUIT: POP3 deletes nothing (RFC 1939 §6), an SMTP
        transaction is not completed.
        """
        if (self.engine is None or self._closed or self._finished() or self._awaits_tls()
                or self.transport.is_closing()):
            return                  # nothing can be said in clear text during a handshake
        line = SHUTDOWN[self.service.protocol]
        self._say(line, "serve.explain.shutdown", {})
        self._flush()
        self.transport.write(line)
        self._end_of_stream()

    def shutdown(self) -> None:
        """The server stops: whatever this connection waits for, it closes now."""
        if self._task is not None:
            self._task.cancel()
        if self.transport is not None:
            self._close()
        else:
            self._ended()

    def _close(self) -> None:
        """Send what is queued, then close; a client that reads none of it gets ``LINGER`` s."""
        if self._closed:
            return
        self._closed = True
        self._idle.stop()
        if self._hub is not None and self.engine is not None:
            self._hub.detach(self.engine)
        self._internal("net.close", "close")
        self._flush()
        transport = self.transport
        transport.close()
        if self._tls_failed:
            self._ended()
        elif transport.get_write_buffer_size():
            self._loop.call_later(LINGER, transport.abort)

    def _ended(self) -> None:
        self._idle.stop()
        on_end, self._on_end = self._on_end, None
        if on_end is not None:
            on_end(self)

    # -- moving bytes --------------------------------------------------------------
    def _feed(self, action: Callable[..., Any], *args: Any) -> list[Any]:
        """Let the engine act (``action(*args)``) and record what it said (with what the
        nodes did meanwhile).

        ``scheduler.settle()`` runs inside the exchange so that the MDA's
        delivery of a message, scheduled by the MTA at DATA, happens before
        the 250 goes out and is recorded between the dot and the reply.
        Returns the engine's events.  If the engine raises, that is the last
        resort of :meth:`_engine_fault`, never the client's traceback.
        """
        self._action = action, args
        self.world.net.recorder.exchange(self._act, self.engine.take_transcript,
                                         self._where_cache or self._where())
        if self._fault is not None:
            fault, self._fault = self._fault, None
            self._engine_fault(fault)
        return self._result

    def _act(self) -> None:
        """The engine's part of :meth:`_feed`'s exchange (a method: no closure per line)."""
        # Not kept: the action may be a method of this connection (a reference cycle).
        (action, args), self._action = self._action, None
        try:
            self._result = action(*args) or []
        except Exception as exc:        # noqa: BLE001 - the one last-resort path
            self._result = []           # what it did before it failed is not known
            self._fault = exc
        self.world.scheduler.settle()

    def _engine_fault(self, exc: Exception) -> None:
        """An engine raised: answer in the protocol's words, log it, trace it, go on if we may."""
        self.faults += 1
        last = self.faults >= MAX_FAULTS
        log.error("%s engine failed on %r from %s (fault %d of %d)", self.service.protocol,
                  self._line[:80], self.peer, self.faults, MAX_FAULTS, exc_info=exc)
        reply = fault_reply(self.service.protocol, self._line, last=last)
        self._pending += self.engine.data_to_send() + reply
        self._say(reply, "serve.explain.engine_fault_last" if last else
                  "serve.explain.engine_fault",
                  {"error": f"{type(exc).__name__}: {exc}"[:200], "count": self.faults,
                   "limit": MAX_FAULTS})

    def _collect(self) -> bytes:
        """What to send now: the driver's own lines first, then the engine's."""
        out = self._pending + self.engine.data_to_send()
        self._pending = b""
        return out

    def pushed(self) -> None:
        """The hub woke this session (IDLE): write what it has to say, soon.

        The hub calls this in the middle of another session's exchange (or of a
        delivery), so the recording waits for the loop's next turn instead of
        nesting one exchange in another.
        """
        self._loop.call_soon(self._push_now)

    def _push_now(self) -> None:
        if self.engine is None or self._closed or self._awaits_tls():
            return                  # during a handshake the engine keeps it for later
        self._feed(_nothing)
        self._write(self.engine.data_to_send())


def _nothing() -> None:
    """An engine's turn with nothing new from the client (an IDLE push's exchange)."""
