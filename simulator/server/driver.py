"""The socket driver: one asyncio task per connection, one sans-IO engine per task.

It does for a real TCP connection what :class:`simulator.network.connection.Connection`
does for a simulated one: bytes from the socket go into
``engine.receive_data`` (``b""`` at end of stream), ``engine.data_to_send()``
goes to the socket, the engine's transcript becomes trace Steps through the
network's Recorder, and when the engine enters its TLS state (after
STARTTLS / STLS, RFC 3207 §4, RFC 2595 §4) the driver runs the handshake and
calls ``engine.tls_started()``.  Every wait has a timeout, so a slow or
silent client only ever holds its own task.

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
import time
from collections.abc import Callable
from typing import Any

from ..protocols import Engine, Utterance
from ..protocols.ftp import LoggedIn as FTPLoggedIn
from ..protocols.imap import Authenticated as IMAPAuthenticated
from ..protocols.pop3 import Authenticated as POP3Authenticated
from ..protocols.smtp import AuthSucceeded
from .fairness import EngineTimeBudget
from .flush import Flusher
from .idle import IdleWatch
from .misconfig import Diagnoser, Finding, handshake_finding, is_client_hello
from .throttle import LoginThrottle, failed_logins
from .wire import SHUTDOWN, fault_reply

READ_SIZE = 65536
#: Queued output beyond this goes out at once, and waits for the client if it reads slowly.
WRITE_QUEUE_LIMIT = 65536
#: Engine faults on one connection before the server hangs up on it.
MAX_FAULTS = 3
#: Seconds a client has for the TLS handshake (implicit TLS and after STARTTLS).
HANDSHAKE_TIMEOUT = 15.0
#: Engine seconds a connection may run its pipelined commands before the others get a turn.
TIME_SLICE = 0.005
log = logging.getLogger("mailsim.server")
#: The engines' events for a login that succeeded (RFC 4954 §6, RFC 1939 §7, RFC 9051 §6.2,
#: RFC 959 §4.1.1).
LOGINS = (AuthSucceeded, POP3Authenticated, IMAPAuthenticated, FTPLoggedIn)


class LiveConnection:
    """One accepted connection to one service of the served host."""

    def __init__(self, world, service, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, *, tls_context: ssl.SSLContext | None,
                 idle_timeout: float, handshake_timeout: float = HANDSHAKE_TIMEOUT,
                 throttle: LoginThrottle | None = None, time_slice: float = TIME_SLICE) -> None:
        self.world, self.service = world, service
        self.reader, self.writer = reader, writer
        self.tls_context, self.idle_timeout = tls_context, idle_timeout
        self.handshake_timeout = handshake_timeout
        self.throttle = throttle
        self.tls = False
        address = writer.get_extra_info("peername") or ("?", 0)
        self.address = str(address[0])
        self.peer = f"{address[0]}:{address[1]}"
        self.conn_id = world.net.new_conn_id()
        self.engine: Engine | None = None
        self.budget = EngineTimeBudget()
        self.time_slice = time_slice
        self._unyielded = 0.0           # engine seconds since this connection last yielded
        self.login_failures = 0
        self.faults = 0
        self._pending = b""             # the driver's own lines, sent with the engine's next
        self._line = b""                # the command being fed (for an IMAP fault's tag)
        self._first_read = True         # a ClientHello there means SSL/TLS on a plain port
        self.user: str | None = None    # the account logged in on this connection
        self.diagnoser = Diagnoser(service.protocol, service.port, world.net.store.find,
                                   world.domain)
        self._where_cache: dict[str, Any] | None = None
        self._queued: list[bytes] = []  # replies waiting for the flush (:mod:`.flush`)
        self._queued_size = 0
        self._flusher = Flusher.of(asyncio.get_running_loop())
        self._idle = IdleWatch(idle_timeout, asyncio.current_task())

    # -- the session ---------------------------------------------------------------
    async def run(self) -> None:
        """Handshake (implicit TLS), greet, then read → feed → write until done."""
        self._internal("serve.explain.connect", "connect")
        try:
            if self.service.security == "tls" and not await self._handshake():
                return
            self.engine = self._make_engine()
            if self.world.imap is not None:
                self.world.imap.attach(self.engine, self)
            if self.service.attach is not None:
                self.service.attach(self.engine, self)
            self._feed(self.engine.initiate)
            await self._write(self._collect())
            await self._loop()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
            self._internal("serve.explain.lost", f"connection lost: {exc.__class__.__name__}")
            self._end_of_stream()
        finally:
            await self._close()

    def _make_engine(self) -> Engine:
        """A fresh engine of this connection's service."""
        return self.service.make(self.peer, self.conn_id)

    async def _loop(self) -> None:
        while not self._finished():
            try:
                data = await self._read()
            except TimeoutError:
                self._internal("serve.explain.timeout", f"idle for {self.idle_timeout:g} s",
                               seconds=f"{self.idle_timeout:g}")
                self._end_of_stream()
                return
            if not data:
                self._end_of_stream()
                return
            if self._first_read:
                self._first_read = False
                if not self.tls and is_client_hello(data):
                    self._diagnosis(Finding("tls_on_plain_port", {"port": self.service.port}))
                    self._end_of_stream()
                    return
            await self._deliver(data)

    async def _read(self) -> bytes:
        """The next bytes from the client; TimeoutError once it was idle for ``idle_timeout``."""
        watch = self._idle
        watch.begin()
        try:
            return await self.reader.read(READ_SIZE)
        except asyncio.CancelledError:
            if not watch.expired or asyncio.current_task().uncancel():
                raise               # the server stops (or something else cancelled us too)
            raise TimeoutError from None
        finally:
            watch.end()

    async def _deliver(self, data: bytes) -> None:
        """Feed one read to the engine a command at a time, yielding the loop between.

        A line the engine answers is a command: the connection's budget is
        charged, and once this connection has had the engine for
        ``time_slice`` seconds since it last let the others run, its answers
        go out and other clients get a turn before its next line.  Cheap
        pipelined commands (MAIL, RCPT, DATA) thus share one write; each
        expensive one (a SEARCH over large messages) is followed by a turn.
        A line the engine does not answer is part of a message body, a
        literal or a pipelined group: the rest of the read goes in at once.
        (Line by line, a 2 MiB APPEND took 40 times as long.)  Commands that
        follow such a body in the same read therefore run together; the
        budget then makes this connection, not the others, wait.
        After STARTTLS the rest of the read is dropped (see :meth:`_start_tls`).
        """
        outbox = b""
        while data and not self._finished():
            line, sep, rest = data.partition(b"\n")
            piece, data = line + sep, rest
            started = time.perf_counter()
            events = self._feed_bytes(piece)
            out = self._collect()
            if not out and data and not self._awaits_tls():
                events += self._feed_bytes(data)
                out, data = self._collect(), b""
            spent = time.perf_counter() - started
            if out:
                for finding in self.diagnoser.after(piece, out, events):
                    self._diagnosis(finding)
                if self.user is None:
                    self._note_login(events)
            if self._awaits_tls():
                await self._start_tls(outbox + out, unread=len(data))
                return
            failures = failed_logins(events) if self.throttle is not None else 0
            if failures:
                await self._write(outbox)       # earlier answers are not held back
                outbox = b""
                await self._hold_failed_login(failures)
            outbox += out
            pause = self.budget.spend(spent)
            self._unyielded += spent
            if pause > 0 or self._unyielded >= self.time_slice:
                await self._write(outbox)
                outbox = b""
                await self._take_turn(pause)
        await self._write(outbox)

    async def _take_turn(self, pause: float) -> None:
        """Let the other clients run; ``pause`` seconds if this one used up its engine time."""
        if pause > 0:
            self._internal("serve.explain.budget_pause", f"over its share: waits {pause:.2f} s",
                           seconds=f"{pause:.2f}")
        await asyncio.sleep(pause)
        self._unyielded = 0.0

    def _feed_bytes(self, data: bytes) -> list[Any]:
        self._line = data
        return self._feed(lambda: self.engine.receive_data(data))

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

    async def _handshake(self) -> bool:
        """Implicit TLS (RFC 8314 §3): the handshake first, within its timeout; False if it failed.

        The listener accepts plain TCP and the handshake runs here, inside the
        counted session, so a client that never sends its ClientHello holds a
        slot of the connection limit, and only for ``handshake_timeout``.
        """
        try:
            await self.writer.start_tls(self.tls_context,
                                        ssl_handshake_timeout=self.handshake_timeout)
        except (ConnectionError, ssl.SSLError, TimeoutError, OSError) as exc:
            self._internal("serve.explain.handshake_failed",
                           f"TLS handshake failed: {exc.__class__.__name__}",
                           seconds=f"{self.handshake_timeout:g}")
            finding = handshake_finding(exc, self.service.port)
            if finding is not None:
                self._diagnosis(finding)
            return False
        self.tls = True
        return True

    async def _start_tls(self, reply: bytes, unread: int) -> None:
        """The engine said yes to STARTTLS/STLS: handshake, then the engine starts afresh.

        Everything the client sent before the handshake is dropped, whether
        the engine, this read or asyncio's StreamReader holds it: RFC 3207
        §4.2 and RFC 2595 §3.1 say the server discards knowledge obtained
        from the client before TLS, and a command injected in clear text
        after STARTTLS must not run inside TLS (CVE-2011-0411).  The "go
        ahead" reply is written and the handshake begun without yielding to
        the loop in between: the ClientHello may follow at once, and if the
        plain-text reader took it the handshake could never finish.
        """
        self._flush()
        self.writer.write(reply)
        dropped = unread + _discard_buffered(self.reader)
        if dropped:
            self._internal("serve.explain.tls_discarded", f"{dropped} octets dropped before TLS",
                           count=dropped)
        try:
            await self.writer.start_tls(self.tls_context,
                                        ssl_handshake_timeout=self.handshake_timeout)
        except TimeoutError as exc:
            raise ConnectionAbortedError("TLS handshake timed out") from exc
        self.tls = True
        self._internal("net.tls", "TLS handshake")
        self._feed(self.engine.tls_started)
        await self._write(self._collect())

    def _awaits_tls(self) -> bool:
        return not self.tls and self.engine.awaiting_tls

    def _finished(self) -> bool:
        return self.faults >= MAX_FAULTS or (self.engine is not None and self.engine.closed)

    def _end_of_stream(self) -> None:
        """Tell the engine the client is gone (POP3 then deletes nothing, RFC 1939 §6)."""
        if self.engine is not None and not self._finished():
            self._feed(lambda: self.engine.receive_data(b""))
            self.engine.data_to_send()          # nobody is left to read it

    def goodbye(self) -> None:
        """The server stops: say so in the protocol's words (421, -ERR, * BYE) and end.

        The engine then hears end of stream, as if the client had left
        without QUIT: POP3 deletes nothing (RFC 1939 §6), an SMTP
        transaction is not completed.
        """
        if (self.engine is None or self._finished() or self._awaits_tls()
                or self.writer.is_closing()):
            return                  # nothing can be said in clear text during a handshake
        line = SHUTDOWN[self.service.protocol]
        self._say(line, "serve.explain.shutdown", {})
        self._flush()
        self.writer.write(line)
        self._end_of_stream()

    async def _close(self) -> None:
        self._idle.stop()
        if self.world.imap is not None and self.engine is not None:
            self.world.imap.detach(self.engine)
        self._internal("net.close", "close")
        self._flush()
        self.writer.close()
        try:
            # asyncio.timeout, unlike wait_for, starts no task for the wait.
            async with asyncio.timeout(5.0):
                await self.writer.wait_closed()
        except (TimeoutError, ConnectionError, ssl.SSLError):
            pass

    # -- moving bytes --------------------------------------------------------------
    def _feed(self, action: Callable[[], Any]) -> list[Any]:
        """Let the engine act and record what it said (with what the nodes did meanwhile).

        ``scheduler.settle()`` runs inside the exchange so that the MDA's
        delivery of a message, scheduled by the MTA at DATA, happens before
        the 250 goes out and is recorded between the dot and the reply.
        Returns the engine's events.  If the engine raises, that is the last
        resort of :meth:`_engine_fault`, never the client's traceback.
        """
        result: list[Any] = []
        fault: Exception | None = None

        def act() -> None:
            nonlocal fault
            try:
                result.extend(action() or ())
            except Exception as exc:        # noqa: BLE001 - the one last-resort path
                fault = exc
            self.world.scheduler.settle()
        self.world.net.recorder.exchange(act, self.engine.take_transcript, **self._where())
        if fault is not None:
            self._engine_fault(fault)
        return result

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

    def _say(self, line: bytes, explain: str, params: dict[str, Any]) -> None:
        """Record a line the driver itself sends, as a server step of this connection."""
        state = "" if self.engine is None else str(self.engine.state)
        said = [Utterance("s2c", line, state, state, explain, params)]
        self.world.net.recorder.exchange(lambda: None, lambda: said, **self._where())

    def _where(self) -> dict[str, Any]:
        """Who talks to whom on this connection, for the recorder (kept until TLS starts)."""
        if self._where_cache is None or self._where_cache.get("tls", False) != self.tls:
            meta: dict[str, Any] = {"port": self.service.port, "live": True}
            if self.tls:
                meta["tls"] = True
            self._where_cache = {"conn": self.conn_id, "client": self.peer,
                                 "server": self.world.host.name.lower(),
                                 "protocol": self.service.protocol, **meta}
        return self._where_cache

    def _collect(self) -> bytes:
        """What to send now: the driver's own lines first, then the engine's."""
        out = self._pending + self.engine.data_to_send()
        self._pending = b""
        return out

    async def _write(self, data: bytes) -> None:
        """Queue ``data`` for the loop's next turn (:mod:`.flush`); wait if the client lags.

        Usually the kernel takes every byte: nothing to wait for, and no
        timer to arm and cancel (a tenth of a short SMTP session's CPU).
        A large queue, a full buffer or a closing transport goes out at
        once through drain(), which waits until the client has read enough.
        """
        if not data:
            return
        self._queue(data)
        transport = self.writer.transport
        if (self._queued_size >= WRITE_QUEUE_LIMIT or transport.get_write_buffer_size()
                or transport.is_closing()):
            self._flush()
            async with asyncio.timeout(self.idle_timeout):
                await self.writer.drain()

    def _queue(self, data: bytes) -> None:
        if not self._queued:
            self._flusher.later(self._flush)
        self._queued.append(data)
        self._queued_size += len(data)

    def _flush(self) -> None:
        """Write what is queued, in one write (also before any write of the driver's own)."""
        if self._queued:
            data = b"".join(self._queued)
            self._queued.clear()
            self._queued_size = 0
            if not self.writer.is_closing():
                self.writer.write(data)

    def pushed(self) -> None:
        """The hub woke this session (IDLE): write what it has to say, soon.

        The hub calls this in the middle of another session's exchange (or of a
        delivery), so the recording waits for the loop's next turn instead of
        nesting one exchange in another.
        """
        asyncio.get_running_loop().call_soon(self._push_now)

    def _push_now(self) -> None:
        if self.engine is None or self.writer.is_closing():
            return
        self._feed(lambda: None)
        data = self.engine.data_to_send()
        if data and not self.writer.is_closing():
            self._queue(data)             # drained by the session's own next _write

    def _note_login(self, events: list[Any]) -> None:
        """A login succeeded: a step saying whose connection this is (``meta.user``, the
        account's address), so a teacher's view can follow each student's connections."""
        for event in events:
            if isinstance(event, LOGINS):
                account = self.world.net.store.find(event.user)
                self.user = account.address if account is not None else event.user
                self.world.net.recorder.internal(
                    self.peer, self.service.protocol, f"logged in: {self.user}",
                    "serve.explain.logged_in", dst=self.world.host.name.lower(),
                    conn=self.conn_id, params={"user": self.user, "port": self.service.port},
                    port=self.service.port, live=True, user=self.user)
                return

    def _diagnosis(self, finding: Finding) -> None:
        """A mis-configured client recognised (:mod:`.misconfig`): a step with the fix."""
        self.world.net.recorder.internal(
            self.peer, self.service.protocol, f"diagnosis: {finding.key}",
            f"serve.diagnosis.{finding.key}", dst=self.world.host.name.lower(),
            conn=self.conn_id, params={**finding.params, "port": self.service.port},
            port=self.service.port, live=True, diagnosis=finding.key)

    def _internal(self, explain: str, line: str, **params: Any) -> None:
        self.world.net.recorder.internal(self.peer, "TCP", f"{line} {self.service.name} "
                                         f"({self.service.port})", explain,
                                         dst=self.world.host.name.lower(), conn=self.conn_id,
                                         params={"port": self.service.port, **params},
                                         port=self.service.port, live=True)


def _discard_buffered(reader: asyncio.StreamReader) -> int:
    """Drop the octets a StreamReader holds and return how many there were.

    asyncio offers no public call for this; the buffer is a bytearray in
    every CPython since 3.4 (``StreamReader._buffer``).  A regression test
    (tests/server/test_starttls_injection.py) sends the bytes that would
    slip through, so a change in asyncio cannot pass unnoticed.
    """
    buffer: bytearray = reader._buffer
    dropped = len(buffer)
    buffer.clear()
    return dropped
