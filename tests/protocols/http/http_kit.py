"""Shared pieces of the HTTP engine tests: a site, a server, feeding whole or bytewise."""
from __future__ import annotations

from datetime import UTC, datetime

from simulator.protocols.http import HTTPConfig, HTTPServer, Page, Request, Response, StaticSite

MODIFIED = datetime(2026, 8, 31, tzinfo=UTC)
NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
INDEX = b"<!DOCTYPE html><title>b.test</title><h1>Welcome</h1>\n"
PAGES = {"/": Page(INDEX), "/logo.svg": Page(b"<svg/>", type="image/svg+xml"),
         "/old": Page(redirect="/"), "/form": Page(form=True),
         "/long": Page(b"0123456789" * 60, chunked=True)}


def site() -> StaticSite:
    return StaticSite(PAGES, MODIFIED)


def server(max_body: int = 1 << 20, app=None) -> HTTPServer:
    return HTTPServer(HTTPConfig("www.b.test", now=lambda: NOW, max_body=max_body),
                      app or site(), session_id="t")


def feed(engine, data: bytes, bytewise: bool) -> list:
    """Give ``data`` to ``engine`` in one piece or one octet at a time; the events."""
    if not bytewise:
        return engine.receive_data(data)
    events = []
    for i in range(len(data)):
        events += engine.receive_data(data[i:i + 1])
    return events


def get(target: str = "/", *extra: str, method: str = "GET", version: str = "1.1") -> bytes:
    lines = [f"{method} {target} HTTP/{version}", "Host: www.b.test", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(target: str, body: bytes, *extra: str) -> bytes:
    head = get(target, "Content-Type: application/x-www-form-urlencoded",
               f"Content-Length: {len(body)}", *extra, method="POST")
    return head + body


def statuses(wire: bytes) -> list[int]:
    """The status codes of the responses in ``wire``, in order (parsed by h11)."""
    import h11
    conn = h11.Connection(h11.CLIENT)
    out = []
    # A parser needs to know each request's method: assume GET (bodies are framed).
    conn.receive_data(wire)
    while True:
        if conn.our_state is h11.IDLE:
            conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
            conn.send(h11.EndOfMessage())
        event = conn.next_event()
        if isinstance(event, h11.Response):
            out.append(event.status_code)
        elif isinstance(event, h11.EndOfMessage):
            if conn.their_state is not h11.DONE or conn.our_state is not h11.DONE:
                return out
            conn.start_next_cycle()
        elif event is h11.NEED_DATA or event is h11.PAUSED:
            return out


class LateSite:
    """A site that answers later, as the webmail does after asking IMAP."""

    def __init__(self) -> None:
        self.asked: list[Request] = []

    def respond(self, request: Request) -> Response | None:
        self.asked.append(request)
        return None


__all__ = ["INDEX", "MODIFIED", "NOW", "LateSite", "feed", "get", "post", "server", "site",
           "statuses"]
