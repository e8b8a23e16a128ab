"""``mailsim serve``: start the listeners of a World, stop them cleanly.

One ``asyncio.start_server`` per service of the served host, bound to one
address only (``--host``, 127.0.0.1 by default) on the standard port plus an
offset (DESIGN.md §4: 10025, 10587, …).  A connection limit and the idle
timeouts of :mod:`.services` keep one client from starving the others.
"""
from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from .driver import LiveConnection
from .services import IDLE_TIMEOUTS, Service
from .tls import ensure_certificate, server_context
from .world import World, load_scenario

DEFAULT_HOST = "127.0.0.1"
DEFAULT_OFFSET = 10000
#: More than a classroom needs, few enough that a runaway script cannot exhaust descriptors.
MAX_CONNECTIONS = 500


#: The one line each protocol uses to say "too busy, come back later":
#: RFC 5321 §3.8 (421), RFC 2449 §8.1.2 ([SYS/TEMP]), RFC 3501 §7.1.5 (BYE), RFC 937.
BUSY = {
    "SMTP": b"421 4.3.2 Too many connections, try again later\r\n",
    "POP3": b"-ERR [SYS/TEMP] Too many connections, try again later\r\n",
    "IMAP": b"* BYE Too many connections, try again later\r\n",
    "POP2": b"- Too many connections, try again later\r\n",
}


@dataclass
class ServeOptions:
    """Everything ``mailsim serve`` can be told (the CLI and the Python API share it)."""

    scenario: str = "classroom"
    host: str = DEFAULT_HOST
    port_offset: int = DEFAULT_OFFSET
    ports: dict[str, int] | None = None          # service name -> port, instead of the offset
    domain: str | None = None
    users: list[tuple[str, str]] = field(default_factory=list)
    maildir: str | None = None
    trace_path: str | None = None
    require_tls: bool = False
    tls_cert: str | None = None
    tls_key: str | None = None
    max_connections: int = MAX_CONNECTIONS
    timeouts: dict[str, float] = field(default_factory=dict)   # protocol -> seconds
    lang: str | None = None


@dataclass(frozen=True)
class Listening:
    """One service as a student's mail client sees it."""

    name: str
    protocol: str
    host: str
    port: int
    standard_port: int
    security: str


class MailServer:
    """The served world and its listeners; ``await start()``, then ``await stop()``."""

    def __init__(self, options: ServeOptions) -> None:
        self.options = options
        self.world: World | None = None
        self.listening: list[Listening] = []
        self._servers: list[asyncio.base_events.Server] = []
        self._tasks: set[asyncio.Task] = set()
        self._trace_file = None
        self.active = 0

    async def start(self) -> None:
        """Build the world and open every listener (all or nothing)."""
        opts = self.options
        scenario = load_scenario(opts.scenario, opts.domain, opts.users, opts.lang)
        store = _maildir_store(opts.maildir)
        self.world = World(scenario, asyncio.get_running_loop(), store=store,
                           require_tls=opts.require_tls)
        self._open_trace()
        context = self._tls_context()
        try:
            for service in self.world.services:
                await self._listen(service, context)
        except OSError:
            await self.stop()
            raise
        self.world.start()

    def _tls_context(self) -> ssl.SSLContext:
        opts = self.options
        if opts.tls_cert and opts.tls_key:
            return server_context(Path(opts.tls_cert), Path(opts.tls_key))
        return server_context(*ensure_certificate())

    def port_of(self, service: Service) -> int:
        ports = self.options.ports or {}
        return ports.get(service.name, service.port + self.options.port_offset)

    async def _listen(self, service: Service, context: ssl.SSLContext) -> None:
        port = self.port_of(service)

        async def accept(reader, writer) -> None:
            await self._session(service, context, reader, writer)
        try:
            server = await asyncio.start_server(
                accept, host=self.options.host, port=port, reuse_address=True,
                ssl=context if service.security == "tls" else None,
                ssl_handshake_timeout=30.0 if service.security == "tls" else None)
        except OSError as exc:
            exc.port = port             # the CLI names the port that is taken
            raise
        self._servers.append(server)
        self.listening.append(Listening(service.name, service.protocol, self.options.host,
                                        port, service.port, service.security))

    async def _session(self, service: Service, context, reader, writer) -> None:
        if self.active >= self.options.max_connections:
            # Refusing at once, in the protocol's own words, is kinder than
            # queueing: the client knows to retry later (RFC 5321 §3.8).
            writer.write(BUSY[service.protocol])
            writer.close()
            return
        timeout = self.options.timeouts.get(service.protocol, IDLE_TIMEOUTS[service.protocol])
        connection = LiveConnection(self.world, service, reader, writer,
                                    tls_context=context, idle_timeout=timeout)
        self.active += 1
        task = asyncio.current_task()
        self._tasks.add(task)
        try:
            await connection.run()
        except asyncio.CancelledError:
            pass        # stop() ends open sessions; the session closed its socket already
        finally:
            self.active -= 1
            self._tasks.discard(task)

    def _open_trace(self) -> None:
        """``--trace FILE.jsonl``: one JSON line per Step, written as it happens."""
        if not self.options.trace_path:
            return
        self._trace_file = open(self.options.trace_path, "a", encoding="utf-8", buffering=1)

        def write(step) -> None:
            self._trace_file.write(json.dumps(step.to_dict(), ensure_ascii=False) + "\n")
        self.world.trace.listeners.append(write)

    async def stop(self) -> None:
        """Close the listeners, end the open sessions, cancel the network's timers."""
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        if self.world is not None:
            self.world.scheduler.cancel_all()
        if self._trace_file is not None:
            self._trace_file.close()
            self._trace_file = None


def _maildir_store(path: str | None):
    if not path:
        return None
    from ..mail.maildir_store import MaildirStore
    return MaildirStore(path)
