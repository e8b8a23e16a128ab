"""What a host runs on a listening port: the one interface the network uses.

A service (the MTA on 25/587, POP3 on 110, POP2 on 109, IMAP on 143) says
which ports it listens on, makes a fresh server engine for each connection,
and names the driver that carries that connection (:class:`Connection`, or a
subclass such as the IMAP driver that completes pipelined commands on the
clock).  Everything is declared here with its default, so the network calls
each member without asking whether it exists.
"""
from __future__ import annotations

from ..protocols import Engine
from .connection import Connection


class Service:
    """A server on one host; subclasses say ``ports`` and ``server_session``."""

    #: The driver class of this service's connections.
    driver: type[Connection] = Connection

    def ports(self) -> tuple[int, ...]:
        raise NotImplementedError

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> Engine:
        """A fresh server engine for one connection (``interactive``: a person types)."""
        raise NotImplementedError

    def attach(self, conn: Connection) -> None:
        """The network tells which connection drives a session; most services need not know."""
