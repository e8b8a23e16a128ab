"""FTP under ``mailsim serve``: the accounts' files and the data connections on real sockets.

The control connection is a :class:`~.driver.LiveConnection` around the
sans-IO :class:`~simulator.protocols.ftp.FTPServer`; this module adds what a
real FTP server needs besides (RFC 959 §3.2):

* each account's own tree of files — in memory, or ``ROOT/ftp/<account>/``
  under ``--maildir ROOT`` (:class:`~.ftp_files.DiskFiles`);
* passive mode (PASV, EPSV): a listening socket on a port of
  ``--ftp-passive-ports LOW-HIGH`` (else one the system picks), on the
  address the client reached the control connection at.  It accepts one
  data connection, only from the client's own address (RFC 2577 §8), and
  closes after it, or when no transfer came within :data:`PASSIVE_IDLE`;
* active mode (PORT, EPRT): the server connects back to the client.  The
  engine refuses any address but the client's own with 504 (the FTP bounce
  attack, RFC 2577 §3);
* each transfer recorded as a connection of its own (``FTP-DATA``): connect,
  the payload, close, as in the simulated network.
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..protocols import Utterance
from ..protocols.ftp import FileStore, FTPConfig, FTPServer, MemoryFiles, TransferRequested
from ..trace import Where
from .driver import LiveConnection
from .ftp_files import DiskFiles, account_folder
from .throttle import failed_logins

#: Seconds a data connection has to open once a transfer command came (vsftpd: 60).
DATA_TIMEOUT = 20.0
#: Seconds a passive port waits for the transfer command before it closes (RFC 2577 §8:
#: a listening port that nobody uses is a port someone else may try).
PASSIVE_IDLE = 60.0
#: The largest upload one STOR may bring (held in memory before it is stored).
MAX_UPLOAD = 64 << 20
READ_SIZE = 65536
#: The folder each new account's tree starts with (FTP has no MKD here).
FIRST_FOLDER = "incoming"
_DATA_KEYS = {"RETR": "ftp.data.file", "STOR": "ftp.data.upload"}


def plain_ip(address: str) -> str:
    """``address`` without IPv4-mapping (``::ffff:10.0.0.5`` → ``10.0.0.5``), for comparing."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped or ip)


@dataclass
class FTPSide:
    """The served host's FTP: each account's files and the passive port range."""

    store: Any                                  # the mail store: its accounts log in
    hostname: str
    clock: Any                                  # () -> datetime: when a file was stored
    root: Path | None = None                    # --maildir ROOT: files below ROOT/ftp
    bind: str = "127.0.0.1"                     # --host: the address when no other is known
    passive_ports: tuple[int, int] | None = None    # None: a port the system picks
    _memory: dict[str, MemoryFiles] = field(default_factory=dict)
    _next: int = 0

    def files_of(self, address: str) -> FileStore:
        """The account's own tree: a folder under --maildir, else kept in memory while serving."""
        key = account_folder(address)
        if self.root is not None:
            return DiskFiles(self.root / "ftp" / key, first=(FIRST_FOLDER,))
        if key not in self._memory:
            now: datetime = self.clock()
            self._memory[key] = MemoryFiles(dirs=("/" + FIRST_FOLDER,), when=now,
                                            clock=self.clock)
        return self._memory[key]

    def session(self, peer: str, local: str | None = None) -> FTPServer:
        """A fresh engine for one control connection from ``peer`` that reached us at ``local``.

        The 227/229 replies name ``local``, the address the client already reached
        (behind NAT that is the only one it can), and PORT/EPRT may name the peer only.
        """
        host = plain_ip(peer.rpartition(":")[0].strip("[]"))
        address = plain_ip(local or self.bind)
        config = FTPConfig(hostname=self.hostname, address=address, peer_address=host)
        return FTPServer(config, LiveFTPBackend(self, address))

    def listen(self, address: str) -> socket.socket | None:
        """A listening socket for one passive data connection, or None if no port is free."""
        low, high = self.passive_ports or (0, 0)
        count = high - low + 1
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        for step in range(count):
            port = 0 if self.passive_ports is None else low + (self._next + step) % count
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.bind((address, port))
                sock.listen(1)
            except OSError:
                sock.close()
                continue
            sock.setblocking(False)
            self._next = (self._next + step + 1) % count    # hand the ports out in turn
            return sock
        return None


class LiveFTPBackend:
    """One control connection's backend: its login and its passive socket."""

    def __init__(self, side: FTPSide, address: str) -> None:
        self.side, self.address = side, address
        self.listener: socket.socket | None = None
        self._expiry: asyncio.TimerHandle | None = None
        self.accepting = False

    def login(self, user: str, password: str) -> FileStore | None:
        account = self.side.store.authenticate(user, password)
        return None if account is None else self.side.files_of(account.address)

    def passive_port(self) -> int | None:
        """RFC 959 §4.1.2: a port now listening; a new PASV replaces the one before."""
        self.close()
        self.listener = self.side.listen(self.address)
        if self.listener is None:
            return None
        self._expiry = asyncio.get_running_loop().call_later(PASSIVE_IDLE, self._expire)
        return self.listener.getsockname()[1]

    def _expire(self) -> None:
        if not self.accepting:
            self.close()

    def close(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
            self._expiry = None
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        self.accepting = False


class FTPLiveConnection(LiveConnection):
    """The control connection, which opens a data connection for each transfer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._requests: list[TransferRequested] = []
        self.local_address = "127.0.0.1"

    def connection_made(self, transport) -> None:
        local = transport.get_extra_info("sockname") or ("127.0.0.1", 0)
        self.local_address = plain_ip(str(local[0]))
        super().connection_made(transport)

    def _make_engine(self) -> FTPServer:
        return self.world.ftp.session(self.peer, self.local_address)

    def _feed(self, action, *args: Any) -> list[Any]:
        events = super()._feed(action, *args)
        self._requests += [e for e in events if isinstance(e, TransferRequested)]
        return events

    def _after_input(self) -> None:
        """The transfers the commands asked for come first, one after the other (RFC 959
        §3.2), unless the session is over."""
        if self._requests and not (self._finished() or self._eof):
            self._wait_for(self._transfers())
            return
        super()._after_input()

    async def _transfers(self) -> None:
        while self._requests and not self._finished():
            await self._transfer(self._requests.pop(0))

    @property
    def backend(self) -> LiveFTPBackend | None:
        """The engine's backend, which holds this connection's passive socket."""
        engine = self.engine
        if isinstance(engine, FTPServer) and isinstance(engine.backend, LiveFTPBackend):
            return engine.backend
        return None

    def _close(self) -> None:
        if self.backend is not None:
            self.backend.close()
        super()._close()

    # -- one transfer ---------------------------------------------------------
    async def _transfer(self, request: TransferRequested) -> None:
        """Open the data connection, 150, move the payload, close, 226 (RFC 959 §3.2, §4.2)."""
        data_conn = self.world.net.new_conn_id()
        try:
            async with asyncio.timeout(DATA_TIMEOUT):
                reader, writer = await self._open(request)
        except (OSError, TimeoutError) as exc:
            self._data_step(data_conn, request, "serve.explain.ftp_data_failed",
                            f"data connection {request.host}:{request.port} failed",
                            reason=exc.__class__.__name__, seconds=f"{DATA_TIMEOUT:g}")
            await self._answer(self.engine.transfer_failed)          # 425
            return
        finally:
            if self.backend is not None and request.passive:
                self.backend.close()                        # one transfer per PASV
        self._data_step(data_conn, request, "ftp.data.connect",
                        f"connect {request.host}:{request.port}")
        self._feed(self.engine.transfer_opened)             # 150
        self._write(self._collect())
        self._flush()
        try:
            received = await self._move(request, reader, writer)
        except (OSError, TimeoutError):
            received = None
        finally:
            writer.close()
        if received is None:
            await self._answer(self.engine.transfer_failed)          # 426: not all arrived
            return
        payload = received if request.payload is None else request.payload
        self._record_payload(data_conn, request, payload)
        self._data_step(data_conn, request, "ftp.data.close", "close the data connection",
                        octets=len(payload))
        await self._answer(lambda: self.engine.transfer_done(received))     # 226

    async def _answer(self, action) -> None:
        """The transfer's last reply, and the replies to the commands that waited behind it
        (RFC 959 §5.4); a failed login among them is held like any other (:mod:`.throttle`)."""
        events = self._feed(action)
        out = self._collect()
        failures = failed_logins(events) if self.throttle is not None else 0
        if failures:
            await self._hold_failed_login(failures)
        self._write(out)

    async def _open(self, request: TransferRequested):
        if not request.passive:                 # the engine checked it is the client's address
            return await asyncio.open_connection(request.host, request.port,
                                                 local_addr=(self.local_address, 0))
        backend = self.backend
        listener = backend.listener if backend is not None else None
        if listener is None:
            raise ConnectionRefusedError("the passive port is closed")
        backend.accepting = True
        loop = asyncio.get_running_loop()
        while True:
            sock, address = await loop.sock_accept(listener)
            if plain_ip(str(address[0])) == plain_ip(self.address):
                return await asyncio.open_connection(sock=sock)
            sock.close()            # someone else found the port: not theirs (RFC 2577 §8)
            self._internal("serve.explain.ftp_data_stranger",
                           f"data connection from {address[0]} refused", address=address[0])

    async def _move(self, request: TransferRequested, reader, writer) -> bytes | None:
        """Send the payload, or read the upload until the client closes (RFC 959 §3.3)."""
        if request.payload is not None:
            writer.write(request.payload)
            async with asyncio.timeout(self.idle_timeout):
                await writer.drain()
            return b""
        received = bytearray()
        while True:
            async with asyncio.timeout(self.idle_timeout):
                chunk = await reader.read(READ_SIZE)
            if not chunk:
                return bytes(received)
            received += chunk
            if len(received) > MAX_UPLOAD:
                return None

    # -- the trace ------------------------------------------------------------
    def _data_step(self, conn: str, request: TransferRequested, explain: str, line: str,
                   **params: Any) -> None:
        opener, target = self._ends(request)
        self.world.net.recorder.internal(
            opener, "FTP-DATA", line, explain, dst=target, conn=conn,
            params={"host": request.host, "port": request.port, "passive": request.passive,
                    "verb": request.verb, **params},
            port=request.port, live=True)

    def _record_payload(self, conn: str, request: TransferRequested, payload: bytes) -> None:
        opener, target = self._ends(request)
        upload = request.payload is None
        direction = "c2s" if upload == request.passive else "s2c"
        note = Utterance(direction, payload, "TRANSFER", "TRANSFER",
                         _DATA_KEYS.get(request.verb, "ftp.data.listing"),
                         {"verb": request.verb, "path": request.path, "octets": len(payload),
                          "lines": payload.count(b"\n"), "passive": request.passive})
        self.world.net.recorder.exchange(lambda: None, lambda: [note],
                                         Where(conn, opener, target, "FTP-DATA",
                                               {"port": request.port, "live": True}))

    def _ends(self, request: TransferRequested) -> tuple[str, str]:
        """Who opened the data connection (the TCP client) and who accepted it."""
        host = self.world.host.name.lower()
        return (self.peer, host) if request.passive else (host, self.peer)
