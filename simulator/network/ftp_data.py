"""FTP's second connection: the driver that opens a data connection for each transfer.

The FTP engines speak only on the control connection (RFC 959 §3.2); when
the server engine asks for a data connection (``TransferRequested``), this
driver opens one in the simulated network — the client to the server's
passive port (PASV/EPSV), or the server from port 20 to the client's port
(PORT/EPRT) — and records it as a connection of its own: connect, the
listing or the file as one step, close.  A NAT in front of the client (the
``nat`` fault) drops the server's inbound attempt: after the connect timeout
the server answers 425, which is why passive mode exists (RFC 1579).
"""
from __future__ import annotations

from collections.abc import Callable

from ..protocols import Event, Utterance
from ..protocols.ftp import DATA_PORT, FTPClient, FTPServer, TransferRequested
from ..trace import Where
from .connection import CONNECT_TIMEOUT, Connection

#: The data step's explanation, by the command that moved the data.
_DATA_KEYS = {"LIST": "ftp.data.listing", "NLST": "ftp.data.listing",
              "MLSD": "ftp.data.listing", "RETR": "ftp.data.file", "STOR": "ftp.data.upload"}


class FTPControlConnection(Connection):
    """The control connection of one FTP session, and the data connections it asks for."""

    client_engine: FTPClient
    server_engine: FTPServer

    def _to_server(self, data: bytes) -> None:
        if self.closed:
            return
        self._act(lambda: self.server_engine.receive_data(data))

    def _act(self, call: Callable[[], list[Event]]) -> None:
        """Let the server engine act, record and send what it said, then serve its requests."""
        if self.closed:
            return
        events: list[Event] = []
        self._feed_server(lambda: events.extend(call()))
        self._pump_server()
        for event in events:
            if isinstance(event, TransferRequested):
                self._open_data(event)

    def _open_data(self, request: TransferRequested) -> None:
        """Connect as the mode says; a path that is down or a NAT makes it fail (425)."""
        if request.passive:
            opener, target = self.client, self.server
        else:
            opener, target = self.server, self.client
        conn_id = self.net.new_conn_id()
        path = self.net.topology.path(opener, target)
        params = {"host": target, "port": request.port, "passive": request.passive,
                  "verb": request.verb, "from_port": DATA_PORT}
        recorder = self.net.recorder
        if path is None or not (request.passive or self.net.topology.accepts_inbound(target)):
            key = "ftp.data.unreachable" if path is None else "ftp.data.dropped"
            recorder.internal(opener, "FTP-DATA", f"connect {target}:{request.port} — dropped",
                              key, dst=target, conn=conn_id,
                              params={**params, "timeout": CONNECT_TIMEOUT}, port=request.port)
            self.net.scheduler.after(CONNECT_TIMEOUT, self._act, self.server_engine.transfer_failed)
            return
        recorder.internal(opener, "FTP-DATA", f"connect {target}:{request.port}",
                          "ftp.data.connect", dst=target, conn=conn_id,
                          params={**params, "path": " → ".join(path)},
                          port=request.port, path=path)
        delay = self.net.latency * (len(path) - 1)
        self.net.scheduler.after(delay, self._opened, request, conn_id, opener, target, delay)

    def _opened(self, request: TransferRequested, conn_id: str, opener: str, target: str,
                delay: float) -> None:
        """150, then the payload crosses the data connection as one step of its own."""
        if self.closed:
            return
        self._act(self.server_engine.transfer_opened)
        upload = request.payload is None
        payload = self.client_engine.upload if upload else request.payload
        sender = self.client if upload else self.server
        direction = "c2s" if sender == opener else "s2c"
        lines = payload.count(b"\n")
        note = Utterance(direction, payload, "TRANSFER", "TRANSFER", _DATA_KEYS[request.verb],
                         {"verb": request.verb, "path": request.path, "octets": len(payload),
                          "lines": lines, "passive": request.passive})
        self.net.recorder.exchange(lambda: None, lambda: [note],
                                   Where(conn_id, opener, target, "FTP-DATA",
                                         {"port": request.port}))
        self.net.scheduler.after(delay, self._arrived, request, conn_id, sender, payload)

    def _arrived(self, request: TransferRequested, conn_id: str, sender: str,
                 payload: bytes) -> None:
        """The payload is there; the sender's close ends the transfer: 226 (RFC 959 §3.3)."""
        if self.closed:
            return
        receiver = self.server if sender == self.client else self.client
        if request.payload is not None:
            self.client_engine.data_received(payload)
        self.net.recorder.internal(sender, "FTP-DATA", f"close the data connection to {receiver}",
                                   "ftp.data.close", dst=receiver, conn=conn_id,
                                   params={"octets": len(payload), "verb": request.verb})
        received = payload if request.payload is None else b""
        self._act(lambda: self.server_engine.transfer_done(received))
