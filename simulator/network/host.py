"""A host of the simulated network: the services on its ports and its mail client.

One machine often plays several roles at once (``mail.b.test`` receives
mail on 25 as an MTA, files it as an MDA and serves it on 110, 109 and 143), so
a host is not one kind of node: it owns one service per listening port,
chosen from its roles, and the mail client (MUA) if it has one.
"""
from __future__ import annotations

from ..protocols import Engine
from ..scenarios.model import Host
from .context import NodeContext
from .ftp import FTPService
from .imap import IMAPService
from .mta import MTANode
from .mua import MUANode
from .pop import POP2Service, POP3Service
from .service import Service
from .web import BrowserNode, HTTPService
from .webmail import WebmailService


class HostNode:
    """The services listening on one host's ports, and its MUA."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.name = host.name.lower()
        self.services: dict[int, Service] = {}
        self.mua = MUANode(net, host) if "mua" in host.roles else None
        self.browser = BrowserNode(net, host) if "browser" in host.roles else None
        if "mta" in host.roles:
            self._listen(MTANode(net, host))
        if "pop3" in host.roles:
            self._listen(POP3Service(net, host))
        if "pop2" in host.roles:
            self._listen(POP2Service(net, host))
        if "imap" in host.roles:
            self._listen(IMAPService(net, host))
        if "http" in host.roles:
            self._listen(HTTPService(net, host))
        if "webmail" in host.roles:
            self._listen(WebmailService(net, host))
        if "ftp" in host.roles:
            self._listen(FTPService(net, host))

    def _listen(self, service: Service) -> None:
        for port in service.ports():
            self.services[port] = service

    def ports(self) -> tuple[int, ...]:
        return tuple(sorted(self.services))

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> Engine:
        """A fresh server engine of the service on ``port`` for one connection.

        ``interactive``: a person types one command at a time (the notebook
        console), so the engine answers each command as it reads it instead
        of leaving pipelined commands for the network's clock (IMAP, RFC 9051
        §5.5); SMTP and POP engines always do.
        """
        return self.services[port].server_session(port, peer, conn_id, interactive=interactive)

    def web_browser(self) -> BrowserNode:
        """The host's web browser; the loader makes sure visitors have one."""
        if self.browser is None:
            raise LookupError(f"{self.name} has no web browser (role browser)")
        return self.browser

    def client(self) -> MUANode:
        """The host's mail client; the loader makes sure senders and readers have one."""
        if self.mua is None:
            raise LookupError(f"{self.name} has no mail client (role mua)")
        return self.mua
