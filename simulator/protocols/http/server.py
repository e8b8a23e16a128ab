"""The HTTP/1.1 server engine: h11 reads and frames the bytes, the simulator explains.

What h11 does (RFC 9112): parse the request line and header fields, refuse
what is malformed (an HTTP/1.1 request without ``Host`` among it, §3.2),
find where a body ends (``Content-Length`` or chunked, §6), keep pipelined
requests in its buffer until the current one is answered (§9.3.2), frame our
responses (chunked when no length is given, §7.1; no body after HEAD or
304) and decide whether the connection persists (§9.3, §9.6).

What this engine adds: the state table as data (:mod:`.states`), one
:class:`~simulator.protocols.Utterance` per whole request and per whole
response with its raw bytes and an explanation key (``http.request.GET``,
``http.response.404`` and notes), answers of its own to bad input (400, 405,
413, 501), and a *site* that answers the requests.  A site answers at once
(a static site) or returns None and the driver calls :meth:`HTTPServer.answer`
later (the webmail, which first asks an IMAP server).

Sans-IO: the driver feeds bytes with :meth:`receive_data` and writes out
:meth:`data_to_send`; the engine never reads a clock (``HTTPConfig.now``
gives the ``Date`` field).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Any, Protocol

import h11

from .._base import CommandTable, EngineOutput, Event, LocalProtocolError
from . import states as S
from .events import ConnectionClosed, RequestReceived, ResponseSent
from .message import Request, Response, media_type
from .responses import CODES, class_note, error, explain_key

#: Methods RFC 9110 §9 defines that the simulator's sites do not serve: 405, not 501.
KNOWN_METHODS = ("PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH")
ALLOW = "GET, HEAD, POST"
#: A body is sent in chunks of this many octets when the response is chunked.
CHUNK = 256
#: How much of a bad request the trace keeps.
SHOWN_BAD = 200


class Site(Protocol):
    """What answers the requests of one server: a static site, the webmail."""

    def respond(self, request: Request) -> Response | None:
        """The response, or None when it comes later through ``HTTPServer.answer``."""


@dataclass(frozen=True)
class HTTPConfig:
    """One HTTP server: its name, its clock for ``Date`` and its limits."""

    hostname: str
    now: Callable[[], datetime] | None = None    # RFC 9110 §6.6.1: Date, if the server has a clock
    max_head: int = 16 * 1024                    # request line + fields (h11's limit)
    max_body: int = 1 << 20                      # octets of a request body (413 beyond)
    software: str = "mailsim"                    # the Server field (RFC 9110 §10.2.4)


#: request kind → handler(session, request) → response or None (answered later).
HANDLERS: CommandTable[Callable[[HTTPServer, Request], Response | None]] = \
    CommandTable("HTTP server")


class HTTPServer(EngineOutput):
    """One HTTP connection, server side."""

    def __init__(self, config: HTTPConfig, site: Site, *, session_id: str) -> None:
        super().__init__()
        self.config, self.site, self.session_id = config, site, session_id
        self.state: str = S.IDLE
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=config.max_head)
        self._raw = bytearray()          # received bytes not yet given to a recorded request
        self._head: h11.Request | None = None
        self._body = bytearray()
        self._chunked = False
        self._pending: Request | None = None   # answered later (WAITING)
        self._pending_raw = b""
        self._pipelined = False          # the current request arrived behind an unanswered one
        self._error = ""                 # h11's words about a bad request
        self._held_cr = False            # a CR read where a request line is expected
        self._events: list[Event] = []
        #: requests read on this connection so far
        self.requests = 0

    # -- driver API ---------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    def receive_data(self, data: bytes) -> list[Event]:
        """Bytes from the client; ``b""`` when it closed its side."""
        if self.closed:
            return []
        if not data:
            self._peer_closed()
        else:
            self._raw += data
            self._h11.receive_data(b"\r" + data if self._held_cr else data)
            self._held_cr = False
            self._process()
        return self._take_events()

    def answer(self, response: Response) -> list[Event]:
        """The site's late answer to the request that put the session in WAITING."""
        if self.state != S.WAITING or self._pending is None:
            raise LocalProtocolError(f"answer() in state {self.state}: no request waits")
        request, self._pending = self._pending, None
        self._respond(request, response, recorded=True)
        self._process()
        return self._take_events()

    # -- reading requests ----------------------------------------------------
    def _process(self) -> None:
        while self.state in (S.IDLE, S.BODY):
            if self.state == S.IDLE and self._h11.their_state is h11.IDLE:
                self._skip_empty_lines()
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                self._bad(str(exc))
                return
            if event in (h11.NEED_DATA, h11.PAUSED):
                return
            if isinstance(event, h11.Request):
                self._on_head(event)
            elif isinstance(event, h11.Data):
                self._on_data(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._on_end()
            elif isinstance(event, h11.ConnectionClosed):
                self._peer_closed()

    def _skip_empty_lines(self) -> None:
        """Drop empty lines (CRLF or LF) where a request line is expected.

        RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a
        request line; old clients send CRLF after a POST body, and h11 answers
        one with "no request line received".  Between requests h11 holds
        nothing but these bytes, so a fresh h11 connection takes what follows
        them; the bytes stay in ``_raw`` and show in the next request's trace.
        A CR alone at the end is held back (h11 would call it an illegal
        request line): its LF may come in the next read.
        """
        data, closed = self._h11.trailing_data
        start = 0
        while True:
            if data.startswith(b"\r\n", start):
                start += 2
            elif data.startswith(b"\n", start):
                start += 1
            else:
                break
        rest = data[start:]
        held = rest == b"\r" and not closed
        if not start and not held:
            return
        self._h11 = h11.Connection(h11.SERVER, max_incomplete_event_size=self.config.max_head)
        if rest and not held:
            self._h11.receive_data(rest)
        if closed:
            self._h11.receive_data(b"")             # h11's word for the end of the stream
        self._held_cr = held

    def _on_head(self, head: h11.Request) -> None:
        self._head, self._body = head, bytearray()
        fields = dict(head.headers)
        self._chunked = b"chunked" in fields.get(b"transfer-encoding", b"").lower()
        length = fields.get(b"content-length", b"0")
        if self._chunked or length.strip() not in (b"", b"0"):
            self.state = S.BODY
        if length.isdigit() and int(length) > self.config.max_body:
            self._too_large(int(length))

    def _on_data(self, data: bytes) -> None:
        self._body += data
        if len(self._body) > self.config.max_body:
            self._too_large(len(self._body))

    def _too_large(self, size: int) -> None:
        """RFC 9110 §15.5.14: refuse the body and close rather than read it all."""
        self._error = f"a body of {size} octets; at most {self.config.max_body}"
        request = self._request()
        raw = self._take_raw(everything=True)
        self._record_request(request, raw, S.CLOSED, "http.request.too_large",
                             {"size": size, "limit": self.config.max_body})
        response = error(413, self._error, (("Connection", "close"),))
        self._record_response(request, response, self._send(request, response), keep=False)
        self._close()

    def _on_end(self) -> None:
        request = self._request()
        raw = self._take_raw()
        self.requests += 1
        self._events.append(RequestReceived(request))
        kind = S.kind_of(request.method)
        if S.transition(S.IDLE, kind) is None:      # the table allows every kind in IDLE
            raise LocalProtocolError(f"{kind} not allowed in {self.state}")
        response = HANDLERS[kind](self, request)
        if response is None:
            self._pending, self._pending_raw = request, raw
            self._record_request(request, raw, S.WAITING)
            self.state = S.WAITING
            return
        self._pending_raw = raw
        self._respond(request, response, recorded=False)

    def _request(self) -> Request:
        head = self._head
        if head is None:
            return Request("", "")
        fields = tuple((k.decode("latin-1"), v.decode("latin-1"))
                       for k, v in head.headers.raw_items())
        return Request(head.method.decode("ascii"), head.target.decode("latin-1"), fields,
                       bytes(self._body), head.http_version.decode("ascii"))

    def _take_raw(self, everything: bool = False) -> bytes:
        """The bytes of the message just read: what h11 consumed of our buffer."""
        left = 0 if everything else len(self._h11.trailing_data[0])
        cut = len(self._raw) - left
        raw = bytes(self._raw[:cut])
        del self._raw[:cut]
        return raw

    def _bad(self, problem: str) -> None:
        """Bytes that are not a request (RFC 9112 §2.2, §3.2): 400 and close."""
        self._error = problem
        raw = self._take_raw(everything=True)
        self.requests += 1
        response = HANDLERS["BAD"](self, Request("", ""))
        notes = ["http.note.no_host"] if "Host" in problem else []
        params = {"error": problem, "notes": notes, "count": self.requests}
        shown = raw[:SHOWN_BAD]
        self._transcribe("c2s", shown, S.IDLE, S.CLOSED, "http.request.bad", params)
        self._record_response(Request("", ""), response, self._send(None, response), keep=False)
        self._close()

    # -- the handlers (RFC 9110 §9.3) ------------------------------------------
    @HANDLERS.command("GET", "HEAD", "POST")
    def _do_site(self, request: Request) -> Response | None:
        return self.site.respond(request)

    @HANDLERS.command("OTHER")
    def _do_other(self, request: Request) -> Response:
        """405 for a method the site does not allow (with ``Allow``), 501 for one the
        server does not know at all (RFC 9110 §9.1, §15.5.6, §15.6.2)."""
        if request.method in KNOWN_METHODS:
            return error(405, f"{request.method} is not allowed here", (("Allow", ALLOW),))
        return error(501, f"{request.method} is not a method this server knows")

    @HANDLERS.command("BAD")
    def _do_bad(self, request: Request) -> Response:
        return error(400, self._error, (("Connection", "close"),))

    # -- responding -----------------------------------------------------------
    def _respond(self, request: Request, response: Response, *, recorded: bool) -> None:
        if response.status not in CODES:
            raise LocalProtocolError(f"status {response.status} has no explanation")
        wire = self._send(request, response)
        keep = self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE
        after = S.IDLE if keep else S.CLOSED
        if not recorded:
            self._record_request(request, self._pending_raw, after)
        self._events.append(ResponseSent(request, response, keep))
        self._record_response(request, response, wire, keep)
        if keep:
            self._pipelined = bool(self._h11.trailing_data[0])
            self._h11.start_next_cycle()
            self.state = S.IDLE
        else:
            self._close()

    def _send(self, request: Request | None, response: Response) -> bytes:
        """Frame ``response`` with h11; the bytes are queued and returned."""
        head = request is not None and request.method == "HEAD"
        fields = [*response.headers, *self._stamp()]
        if head or not response.chunked:
            fields.append(("Content-Length", str(len(response.body))))
        wire = self._h11.send(h11.Response(status_code=response.status, headers=fields,
                                           reason=response.reason.encode()))
        if not head and response.status != 304:
            body = response.body
            step = CHUNK if response.chunked else max(len(body), 1)
            for start in range(0, len(body), step):
                wire += self._h11.send(h11.Data(data=body[start:start + step]))
        wire += self._h11.send(h11.EndOfMessage())
        self._out += wire
        return wire

    def _stamp(self) -> list[tuple[str, str]]:
        """Date and Server (RFC 9110 §6.6.1, §10.2.4)."""
        out = [("Server", self.config.software)]
        if self.config.now is not None:
            out.insert(0, ("Date", format_datetime(self.config.now(), usegmt=True)))
        return out

    def _close(self, reason: str = "close") -> None:
        if self.state != S.CLOSED:
            self.state = S.CLOSED
            self._events.append(ConnectionClosed(reason))

    def _peer_closed(self) -> None:
        """The client closed its side; a request cut short is lost (RFC 9112 §9.6)."""
        if self.state == S.BODY or (self.state == S.IDLE and self._raw.strip()):
            problem = f"the client closed the connection after {len(self._raw)} octets of a request"
            self._transcribe("c2s", bytes(self._raw[:SHOWN_BAD]), self.state, S.CLOSED,
                             "http.request.bad", {"error": problem, "notes": []})
        self._close("peer-closed")

    # -- the transcript -----------------------------------------------------------
    def _record_request(self, request: Request, raw: bytes, after: str, explain: str = "",
                        extra: dict[str, Any] | None = None) -> None:
        notes = []
        if self.requests > 1:
            notes.append("http.note.reused")
        if self._pipelined:
            notes.append("http.note.pipelined")
        if request.header("If-None-Match") or request.header("If-Modified-Since"):
            notes.append("http.note.conditional")
        if self._chunked:
            notes.append("http.note.chunked_request")
        params: dict[str, Any] = {
            "method": request.method, "target": request.target, "version": request.version,
            "host": request.header("Host") or "", "count": self.requests,
            "type": media_type(request.header("Content-Type")), "length": len(request.body),
            "fields": ", ".join(request.form()), "notes": notes, **(extra or {})}
        kind = S.kind_of(request.method)
        self._transcribe("c2s", raw, S.IDLE, after, explain or f"http.request.{kind}", params)

    def _record_response(self, request: Request, response: Response, wire: bytes,
                         keep: bool) -> None:
        notes = [class_note(response.status)]
        if response.chunked and request.method != "HEAD":
            notes.append("http.note.chunked_response")
        if request.method == "HEAD":
            notes.append("http.note.head")
        if not keep:
            notes.append("http.note.close")
        params = {"status": response.status, "reason": response.reason,
                  "type": media_type(response.header("Content-Type")),
                  "length": len(response.body), "location": response.header("Location") or "",
                  "target": request.target, "method": request.method,
                  "etag": response.header("ETag") or "", "notes": notes,
                  **response.params}
        before = S.WAITING if self.state == S.WAITING else S.IDLE
        self._transcribe("s2c", wire, before, S.IDLE if keep else S.CLOSED,
                         explain_key(response.status), params)

    def _take_events(self) -> list[Event]:
        out, self._events = self._events, []
        return out
