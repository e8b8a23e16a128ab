"""The socket driver: one asyncio task per connection, one sans-IO engine per task.

It does for a real TCP connection what :class:`simulator.network.connection.Connection`
does for a simulated one: bytes from the socket go into
``engine.receive_data`` (``b""`` at end of stream), ``engine.data_to_send()``
goes to the socket, the engine's transcript becomes trace Steps through the
network's Recorder, and when the engine enters its TLS state (after
STARTTLS / STLS, RFC 3207 §4, RFC 2595 §4) the driver runs the handshake and
calls ``engine.tls_started()``.  Every wait has a timeout, so a slow or
silent client only ever holds its own task.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import Any

from ..network.connection import _awaits_tls

READ_SIZE = 65536
log = logging.getLogger("mailsim.server")


class LiveConnection:
    """One accepted connection to one service of the served host."""

    def __init__(self, world, service, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, *, tls_context: ssl.SSLContext | None,
                 idle_timeout: float) -> None:
        self.world, self.service = world, service
        self.reader, self.writer = reader, writer
        self.tls_context, self.idle_timeout = tls_context, idle_timeout
        self.tls = service.security == "tls"
        address = writer.get_extra_info("peername") or ("?", 0)
        self.peer = f"{address[0]}:{address[1]}"
        self.conn_id = world.net.new_conn_id()
        self.engine: Any = None

    # -- the session ---------------------------------------------------------------
    async def run(self) -> None:
        """Greet, then read → feed → write until the engine or the client is done."""
        self._internal("serve.explain.connect", "connect")
        self.engine = self.service.make(self.peer, self.conn_id)
        if self.world.imap is not None:
            self.world.imap.attach(self.engine, self)
        try:
            self._feed(self.engine.initiate)
            await self._flush()
            await self._loop()
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as exc:
            self._internal("serve.explain.lost", f"connection lost: {exc.__class__.__name__}")
            self._end_of_stream()
        finally:
            await self._close()

    async def _loop(self) -> None:
        while not self._finished():
            try:
                # asyncio.timeout, unlike wait_for, starts no task per read.
                async with asyncio.timeout(self.idle_timeout):
                    data = await self.reader.read(READ_SIZE)
            except TimeoutError:
                self._internal("serve.explain.timeout", f"idle for {self.idle_timeout:g} s",
                               seconds=f"{self.idle_timeout:g}")
                self._end_of_stream()
                return
            if not data:
                self._end_of_stream()
                return
            self._feed(lambda data=data: self.engine.receive_data(data))
            if not self.tls and _awaits_tls(self.engine):
                await self._start_tls()
            else:
                await self._flush()

    async def _start_tls(self) -> None:
        """The engine said yes to STARTTLS/STLS: handshake, then the engine starts afresh.

        The "go ahead" reply is written and the handshake begun without yielding
        to the loop in between: the client's ClientHello may follow at once, and
        if the plain-text reader took it first the handshake would never finish.
        """
        self.writer.write(self.engine.data_to_send())
        await self.writer.start_tls(self.tls_context,
                                    ssl_handshake_timeout=min(self.idle_timeout, 60.0))
        self.tls = True
        self._internal("net.tls", "TLS handshake")
        self._feed(self.engine.tls_started)
        await self._flush()

    def _finished(self) -> bool:
        return bool(getattr(self.engine, "closed", False))

    def _end_of_stream(self) -> None:
        """Tell the engine the client is gone (POP3 then deletes nothing, RFC 1939 §6)."""
        if self.engine is not None and not self._finished():
            self._feed(lambda: self.engine.receive_data(b""))
            self.engine.data_to_send()          # nobody is left to read it

    async def _close(self) -> None:
        if self.world.imap is not None and self.engine is not None:
            self.world.imap.detach(self.engine)
        self._internal("net.close", "close")
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 5.0)
        except (TimeoutError, ConnectionError, ssl.SSLError):
            pass

    # -- moving bytes --------------------------------------------------------------
    def _feed(self, action: Callable[[], Any]) -> None:
        """Let the engine act and record what it said (with what the nodes did meanwhile).

        ``scheduler.settle()`` runs inside the exchange so that the MDA's
        delivery of a message, scheduled by the MTA at DATA, happens before
        the 250 goes out and is recorded between the dot and the reply.
        """
        def act() -> None:
            action()
            self.world.scheduler.settle()
        meta: dict[str, Any] = {"port": self.service.port, "live": True}
        if self.tls:
            meta["tls"] = True
        self.world.net.recorder.exchange(act, self.engine.take_transcript, conn=self.conn_id,
                                         client=self.peer, server=self.world.host.name.lower(),
                                         protocol=self.service.protocol, **meta)

    async def _flush(self) -> None:
        data = self.engine.data_to_send()
        if data:
            self.writer.write(data)
            async with asyncio.timeout(self.idle_timeout):
                await self.writer.drain()

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
            self.writer.write(data)       # drained by the session's own next _flush

    def _internal(self, explain: str, line: str, **params: Any) -> None:
        self.world.net.recorder.internal(self.peer, "TCP", f"{line} {self.service.name} "
                                         f"({self.service.port})", explain,
                                         dst=self.world.host.name.lower(), conn=self.conn_id,
                                         params={"port": self.service.port, **params},
                                         port=self.service.port, live=True)
