"""FTP in the simulated network: the server on port 21 and a client's sessions.

A host with the role ``ftp`` serves the scenario's ``files`` (one tree in
memory, shared by the scenario's users, who log in with their mail
passwords) on port 21 (RFC 959 §3.2).  Its passive ports are handed out in
turn from 50000, so a seed gives the same trace.  A host with the role
``mua`` runs the scenario's FTP sessions; the data connections are opened
by the control connection's driver (:mod:`.ftp_data`).
"""
from __future__ import annotations

from itertools import count

from ..protocols.ftp import PORT as FTP_PORT
from ..protocols.ftp import FileStore, FTPClient, FTPConfig, FTPServer, MemoryFiles
from ..scenarios.model import Host
from .context import NodeContext
from .ftp_data import FTPControlConnection
from .service import Service

#: The first passive port: the top of the range Linux leaves for servers' own choice.
FIRST_PASSIVE_PORT = 50000
#: The client's first port for active mode (PORT), as an OS hands out ephemeral ports.
FIRST_ACTIVE_PORT = 40000


class _Accounts:
    """The FTP backend of a simulated host: the mail store's accounts, one tree of files."""

    def __init__(self, service: FTPService) -> None:
        self.service = service

    def login(self, user: str, password: str) -> FileStore | None:
        found = self.service.net.store.authenticate(user, password)
        return self.service.files if found is not None else None

    def passive_port(self) -> int | None:
        return next(self.service.passive_ports)


class FTPService(Service):
    """The FTP server of one host (the control connection; data: :mod:`.ftp_data`)."""

    driver = FTPControlConnection

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        self.files = MemoryFiles(dict(host.files), when=net.now_datetime(),
                                 clock=net.now_datetime)
        self.passive_ports = count(FIRST_PASSIVE_PORT)

    def ports(self) -> tuple[int, ...]:
        return (FTP_PORT,)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> FTPServer:
        address = self.net.address_of(self.name) or "0.0.0.0"
        config = FTPConfig(hostname=self.name, address=address,
                           peer_address=self.net.address_of(peer))
        return FTPServer(config, _Accounts(self))


class FTPSessions:
    """A client host's FTP sessions, each at its time (``sessions`` with ``protocol: ftp``)."""

    def __init__(self, net: NodeContext, host_name: str) -> None:
        self.net = net
        self.name = host_name
        self.next_port = FIRST_ACTIVE_PORT

    def schedule(self, session) -> None:
        self.net.scheduler.at(session.at, self.start, session)

    def start(self, session) -> None:
        account = self.net.store.find(session.user)
        password = session.password if session.password is not None else (
            account.password if account else "")
        script = session.commands or ()
        engine = FTPClient(session.user, password, script=script, passive=session.passive,
                           address=self.net.address_of(self.name) or "0.0.0.0",
                           uploads=dict(session.uploads), first_port=self.next_port)
        self.next_port += sum(1 for line in script if line.split()[0].upper()
                              in ("LIST", "NLST", "MLSD", "RETR", "STOR", "PORT", "EPRT"))
        server = session.server.lower()
        mode = "passive" if session.passive else "active"
        self.net.recorder.internal(self.name, "FTP", f"FTP {session.user}@{server}:21 ({mode})",
                                   "ftp.session.start",
                                   params={"user": session.user, "server": server,
                                           "passive": session.passive, "mode": mode})
        self.net.connect(self.name, server, FTP_PORT, "FTP", engine,
                         on_close=lambda conn: self._finished(engine, server),
                         connect_explain="ftp.session.connect")

    def _finished(self, engine: FTPClient, server: str) -> None:
        result = engine.result
        params = {"server": server, "listings": len(result.listings),
                  "downloads": len(result.files), "uploads": len(result.stored),
                  "failed": result.failed_transfers}
        self.net.recorder.internal(
            self.name, "FTP", f"FTP done: {params['listings']} listings, "
            f"{params['downloads']} downloads, {params['uploads']} uploads, "
            f"{params['failed']} failed", "ftp.session.done", dst=server, params=params)
