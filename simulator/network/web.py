"""The web of the simulated network: HTTP servers, their driver, and browsers.

A host with the role ``http`` listens on 80 (RFC 9110 §4.2.1) and serves the
``pages`` of its scenario entry as a :class:`~simulator.protocols.http.StaticSite`.
A host with the role ``browser`` makes the scenario's ``visits``: it finds
the server's address by DNS (an A record, as a browser resolves the host of
a URL), then asks over one persistent connection or one connection per
request, and says at the end how many requests went over how many TCP
connections — the difference HTTP/1.1's persistent connections make
(RFC 9112 §9.3).
"""
from __future__ import annotations

from datetime import datetime

from ..protocols.http import PORT as HTTP_PORT
from ..protocols.http import Browser, HTTPClient, HTTPConfig, HTTPServer, Page, Site, StaticSite
from ..protocols.http import Step as BrowserStep
from ..scenarios.model import Host, Visit, VisitStep
from .connection import Connection
from .context import NodeContext
from .service import Service


class HTTPConnection(Connection):
    """A connection where the client speaks first, and the server may answer late.

    HTTP has no greeting: the browser writes its request as soon as the
    connection is open.  A server whose site answers later (the webmail asks
    IMAP first) is flushed when the answer is ready.
    """

    def _server_starts(self) -> None:
        super()._server_starts()
        self._pump_client()

    def flush(self) -> None:
        """Send and record what the server engine said since the last push."""
        if self.closed:
            return
        self._feed_server(lambda: None)
        self._pump_server()


def http_config(net: NodeContext, name: str) -> HTTPConfig:
    """The HTTP server settings of one host: its name and the simulated clock for Date."""
    return HTTPConfig(hostname=name, now=net.now_datetime)


class HTTPService(Service):
    """The static web server of one host (role ``http``)."""

    driver = HTTPConnection

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()
        pages = {p.path: Page(p.body.encode(), p.type, p.redirect, p.form, p.chunked)
                 for p in host.pages}
        self.site: Site = StaticSite(pages, modified=_midnight(net.now_datetime()))

    def ports(self) -> tuple[int, ...]:
        return (HTTP_PORT,)

    def server_session(self, port: int, peer: str, conn_id: str, *,
                       interactive: bool = False) -> HTTPServer:
        return HTTPServer(http_config(self.net, self.name), self.site,
                          session_id=f"{self.name}/{conn_id}")


def _midnight(now: datetime) -> datetime:
    """When the pages were last changed: the night before the scenario starts."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def browser_steps(steps: tuple[VisitStep, ...]) -> list[BrowserStep]:
    """A visit's requests as the browser's steps (raw lines get CRLF line ends)."""
    out = []
    for s in steps:
        raw = None
        if s.raw is not None:
            raw = s.raw.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
        out.append(BrowserStep(s.method, s.target, s.form, raw, s.chunked))
    return out


class BrowserNode:
    """A person's web browser on one host (role ``browser``)."""

    def __init__(self, net: NodeContext, host: Host) -> None:
        self.net = net
        self.name = host.name.lower()

    def schedule(self, visit: Visit) -> None:
        self.net.scheduler.at(visit.at, self.start, visit)

    def start(self, visit: Visit) -> None:
        """Resolve the server's name, then ask for the visit's pages."""
        server = visit.server.lower()
        lookup = self.net.dns.address(server)
        self.net.recorder.internal(self.name, "DNS", f"{lookup.question()} → {lookup.summary()}",
                                   "http.browser.resolve", dst="dns",
                                   params={"qname": lookup.qname, "qtype": lookup.qtype,
                                           "answer": lookup.summary()},
                                   rcode=lookup.rcode, answers=list(lookup.answers))
        mode = "keep" if visit.keep_alive else "close"
        self.net.recorder.internal(
            self.name, "HTTP", f"open http://{server}/ ({len(visit.steps)} requests)",
            f"http.browser.start.{'pipeline' if visit.pipeline else mode}",
            params={"server": server, "requests": len(visit.steps)})
        browser = Browser(server, browser_steps(visit.steps), keep_alive=visit.keep_alive,
                          pipeline=visit.pipeline)
        self.open(browser, server)

    def open(self, browser: Browser, server: str) -> None:
        """One TCP connection; when it closes with requests left, the next one."""
        engine = HTTPClient(browser)
        if engine.closed:
            self._finished(browser, server)
            return
        self.net.connect(self.name, server, HTTP_PORT, "HTTP", engine,
                         on_close=lambda conn: self._closed(browser, server, conn),
                         connect_explain="http.browser.connect")

    def _closed(self, browser: Browser, server: str, conn: Connection) -> None:
        if conn.server_engine is not None and not browser.done:
            self.open(browser, server)
        else:
            self._finished(browser, server)

    def _finished(self, browser: Browser, server: str) -> None:
        answered = sum(1 for e in browser.history if e.response is not None)
        params = {"requests": answered, "connections": browser.connections, "server": server}
        many = "s" if browser.connections != 1 else ""
        self.net.recorder.internal(
            self.name, "HTTP", f"{answered} responses over {browser.connections} connection{many}",
            "http.browser.done", params=params)
