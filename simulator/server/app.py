"""``mailsim serve``: start the listeners of a World, stop them cleanly.

One listener (``loop.create_server``, one :class:`.driver.LiveConnection`
per connection) per service of the served host, bound to one
address only (``--host``, 127.0.0.1 by default) on the standard port plus an
offset (10025, 10587, …: unprivileged, so no root is needed).  A connection limit and the idle
timeouts of :mod:`.services` keep one client from starving the others.
"""
from __future__ import annotations

import asyncio
import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from ..mail.spool import Spool
from .driver import LINGER, TIME_SLICE, LiveConnection
from .roster import Student, default_passwords_path, numbered, read_roster, with_passwords
from .services import IDLE_TIMEOUTS, Service
from .throttle import DEFAULT_LIMIT, DEFAULT_STEP, LoginThrottle
from .tls import WILDCARDS, certificate_names, ensure_certificate, primary_address, server_context
from .tls_switch import HANDSHAKE_TIMEOUT
from .trace_file import TraceFile
from .wire import BUSY
from .world import World, load_scenario

DEFAULT_HOST = "127.0.0.1"
#: The relay queue's folder inside --maildir (no "@": never taken for an account).
SPOOL_DIR = "mailsim-queue"
DEFAULT_OFFSET = 10000
#: More than a classroom needs, few enough that a runaway script cannot exhaust descriptors.
MAX_CONNECTIONS = 500


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
    handshake_timeout: float = HANDSHAKE_TIMEOUT
    time_slice: float = TIME_SLICE               # engine seconds before another client's turn
    login_delay: float = DEFAULT_STEP            # seconds per failed login (0: no delay)
    login_delay_max: float = DEFAULT_LIMIT
    bind_sender: bool = False                    # 587/465: MAIL FROM must be the user's own
    trace_max_steps: int = 10_000                # the live trace in memory (the file has all)
    trace_max_bytes: int = 8 << 20
    trace_file_max_mb: float = 64                # --trace is rotated at this size (0: never)
    lang: str | None = None
    tls_names: list[str] = field(default_factory=list)   # more names for the certificate
    roster: str | None = None                    # --class ROSTER.csv
    students: int = 0                            # --students N
    passwords_path: str | None = None            # the teacher's file of class passwords
    #: FTP's passive data ports, LOW-HIGH inclusive (None: any port the system gives)
    ftp_passive_ports: tuple[int, int] | None = None
    loop: str = "auto"          # the event loop: auto | uvloop | asyncio (:mod:`.loops`)

    @property
    def class_mode(self) -> bool:
        return bool(self.roster or self.students)


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
        self._connections: set[LiveConnection] = set()
        self._trace_file = None
        self.throttle = LoginThrottle(options.login_delay, options.login_delay_max)
        self.students: list[Student] | None = None     # class mode: the class's accounts
        self.certificate: Path | None = None

    async def start(self) -> None:
        """Build the world and open every listener (all or nothing)."""
        opts = self.options
        self.students = class_accounts(opts)
        scenario = load_scenario(opts.scenario, opts.domain, opts.users, opts.lang,
                                 students=self.students)
        store = _maildir_store(opts.maildir)
        spool = Spool(Path(opts.maildir) / SPOOL_DIR) if opts.maildir else None
        self.world = World(scenario, asyncio.get_running_loop(), store=store,
                           require_tls=opts.require_tls, bind_sender=opts.bind_sender,
                           trace_max_steps=opts.trace_max_steps,
                           trace_max_bytes=opts.trace_max_bytes, spool=spool,
                           files_root=Path(opts.maildir) if opts.maildir else None,
                           ftp_passive_ports=opts.ftp_passive_ports, bind=opts.host)
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
            self.certificate = Path(opts.tls_cert)
            return server_context(Path(opts.tls_cert), Path(opts.tls_key))
        names, addresses = certificate_names(opts.tls_names, opts.host)
        self.certificate, key = ensure_certificate(names=names, addresses=addresses)
        return server_context(self.certificate, key)

    @property
    def passwords_path(self) -> Path | None:
        """The teacher's file of class passwords (class mode only)."""
        return passwords_path(self.options) if self.options.class_mode else None

    @property
    def public_host(self) -> str:
        """The server name students type: the first --tls-name, else --host, else (for a
        wildcard --host) this machine's address on the LAN."""
        opts = self.options
        if opts.tls_names:
            return opts.tls_names[0]
        if opts.host not in WILDCARDS:
            return opts.host
        return primary_address() or opts.host

    def port_of(self, service: Service) -> int:
        ports = self.options.ports or {}
        return ports.get(service.name, service.port + self.options.port_offset)

    async def _listen(self, service: Service, context: ssl.SSLContext) -> None:
        port = self.port_of(service)
        loop = asyncio.get_running_loop()
        try:
            # Implicit TLS too is accepted as plain TCP: the connection runs the handshake
            # itself, so that a client that never sends a ClientHello counts.
            # SO_REUSEADDR: on POSIX a restart may bind at once despite TIME_WAIT; on
            # Windows it would let a second server take a port already in use, so no.
            server = await loop.create_server(
                lambda: self._accept(service, context), host=self.options.host, port=port,
                reuse_address=os.name == "posix")
        except OSError as exc:
            exc.port = port             # the CLI names the port that is taken
            raise
        self._servers.append(server)
        self.listening.append(Listening(service.name, service.protocol, self.options.host,
                                        port, service.port, service.security))

    def _accept(self, service: Service, context: ssl.SSLContext) -> asyncio.Protocol:
        """The protocol of a connection just accepted: a session, or over the limit a refusal."""
        if self.active >= self.options.max_connections:
            # Refusing at once, in the protocol's own words, is kinder than
            # queueing: the client knows to retry later (RFC 5321 §3.8).  On an
            # implicit-TLS port there are no words before the handshake: just close.
            return Refusal(BUSY[service.protocol] if service.security != "tls" else b"")
        opts = self.options
        connection = (service.driver or LiveConnection)(
            self.world, service, tls_context=context,
            idle_timeout=opts.timeouts.get(service.protocol, IDLE_TIMEOUTS[service.protocol]),
            handshake_timeout=opts.handshake_timeout, throttle=self.throttle,
            time_slice=opts.time_slice, on_end=self._connections.discard)
        self._connections.add(connection)
        return connection

    @property
    def active(self) -> int:
        """Connections open now (each counts against ``max_connections``)."""
        return len(self._connections)

    def _open_trace(self) -> None:
        """``--trace FILE.jsonl``: a header line, then one JSON line per Step, as it happens."""
        if self.options.trace_path:
            self._trace_file = TraceFile(self.options.trace_path, self.world.trace,
                                         max_bytes=int(self.options.trace_file_max_mb * 2**20))

    async def stop(self) -> None:
        """Close the listeners, say goodbye to open sessions and end them, cancel the timers."""
        for server in self._servers:
            server.close()
        for connection in list(self._connections):
            connection.goodbye()
        for connection in list(self._connections):
            connection.shutdown()
        # Closing hands each client its last replies first; LINGER bounds a client that
        # reads none of them.
        for _ in range(int(LINGER / 0.01) + 100):
            if not self._connections:
                break
            await asyncio.sleep(0.01)
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()
        if self.world is not None:
            self.world.scheduler.cancel_all()
        if self._trace_file is not None:
            self._trace_file.close()
            self._trace_file = None


class Refusal(asyncio.Protocol):
    """Over the connection limit: the protocol's "try again later" line, then close."""

    def __init__(self, line: bytes) -> None:
        self.line = line

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self.line:
            transport.write(self.line)
        transport.close()


def class_accounts(opts: ServeOptions) -> list[Student] | None:
    """The class's accounts with their passwords (the teacher's file written), or None."""
    if not opts.class_mode:
        return None
    students = read_roster(opts.roster) if opts.roster else numbered(opts.students)
    return with_passwords(students, passwords_path(opts))


def passwords_path(opts: ServeOptions) -> Path:
    return Path(opts.passwords_path) if opts.passwords_path else \
        default_passwords_path(opts.roster)


def _maildir_store(path: str | None):
    if not path:
        return None
    from ..mail.maildir_store import MaildirStore
    return MaildirStore(path)
