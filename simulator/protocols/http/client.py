"""The HTTP/1.1 client engine and the browser that plans its requests.

:class:`Browser` is what a person's web browser keeps between requests and
connections: the pages still to ask for, the cookies a server set (RFC 6265
§5.3), the entity tags of pages it has cached (it revalidates them with
``If-None-Match``, RFC 9110 §13.1.2) and the redirects to follow (§15.4).
It asks either over one persistent connection (the HTTP/1.1 default, RFC 9112
§9.3), with pipelining if told to (§9.3.2: several requests written before the
first response), or with ``Connection: close`` on every request — one TCP
connection per request, as HTTP/1.0 did.

:class:`HTTPClient` is one connection: h11 frames each request and parses the
responses.  A request the server did not answer before it closed goes back to
the browser, which asks it again on its next connection.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

import h11

from .._base import EngineOutput, Event, RemoteProtocolError
from . import states as S
from .events import ConnectionClosed, ResponseReceived
from .message import FORM_TYPE, Request, Response, encode_form
from .responses import class_note, explain_key

#: The status codes a browser follows by asking the Location (RFC 9110 §15.4).
REDIRECTS = (301, 302, 303, 307, 308)
#: Redirects followed in a row before the browser gives up (RFC 9110 §15.4: a loop).
MAX_REDIRECTS = 5
MAX_RESPONSE = 1 << 22
USER_AGENT = "mailsim-browser/1.0"


@dataclass(frozen=True)
class Step:
    """One thing the person does: ask for a page, send a form, or send raw bytes.

    ``raw`` bytes go out exactly as written (the textbook's request without
    ``Host``); ``chunked`` sends the form body in chunks (RFC 9112 §7.1).
    """

    method: str = "GET"
    target: str = "/"
    form: tuple[tuple[str, str], ...] | None = None
    raw: bytes | None = None
    chunked: bool = False
    redirects: int = 0          # how many redirects led here


@dataclass
class Exchange:
    """One request and its response, in the order they happened."""

    step: Step
    request: Request
    response: Response | None = None
    connection: int = 0         # the browser's connection number (1, 2, …)


@dataclass
class Browser:
    """A browser visiting one host (the ``Host`` field) with a list of steps."""

    host: str
    steps: Iterable[Step] = ()
    keep_alive: bool = True
    pipeline: bool = False
    user_agent: str = USER_AGENT
    cookies: dict[str, str] = field(default_factory=dict)
    cache: dict[str, str] = field(default_factory=dict)       # target -> ETag
    history: list[Exchange] = field(default_factory=list)
    connections: int = 0

    def __post_init__(self) -> None:
        self._todo: deque[Step] = deque(self.steps)

    @property
    def done(self) -> bool:
        return not self._todo

    def next_batch(self) -> list[Step]:
        """What to write now: everything left when pipelining, else the next step."""
        if not self._todo:
            return []
        if self.pipeline:
            batch = list(self._todo)
            self._todo.clear()
            return batch
        return [self._todo.popleft()]

    def request_for(self, step: Step) -> Request:
        """The request a step makes, with the fields a browser adds itself."""
        fields = [("Host", self.host), ("User-Agent", self.user_agent)]
        if self.cookies:
            fields.append(("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())))
        if step.method == "GET" and step.target in self.cache:
            fields.append(("If-None-Match", self.cache[step.target]))
        body = b""
        if step.form is not None:
            body = encode_form(step.form)
            fields.append(("Content-Type", FORM_TYPE))
            fields.append(("Transfer-Encoding", "chunked") if step.chunked
                          else ("Content-Length", str(len(body))))
        if not self.keep_alive:
            fields.append(("Connection", "close"))
        return Request(step.method, step.target, tuple(fields), body)

    def received(self, exchange: Exchange) -> None:
        """Keep cookies and entity tags; follow a redirect (RFC 6265 §5.3, RFC 9110 §15.4)."""
        self.history.append(exchange)
        response = exchange.response
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                self._set_cookie(value)
        etag = response.header("ETag")
        if response.status == 200 and etag and exchange.step.method == "GET":
            self.cache[exchange.step.target] = etag
        location = response.header("Location")
        if (response.status in REDIRECTS and location and exchange.step.raw is None
                and exchange.step.redirects < MAX_REDIRECTS):
            # 303 always turns into GET; 301/302 do so for a POST too, as browsers do.
            again = (exchange.step.method if response.status in (307, 308) else "GET")
            target = location.removeprefix(f"http://{self.host}") or "/"
            self._todo.appendleft(Step(again, target, redirects=exchange.step.redirects + 1))

    def unanswered(self, steps: list[Step]) -> None:
        """The server closed before answering these: ask again on a new connection."""
        self._todo.extendleft(reversed(steps))

    def _set_cookie(self, value: str) -> None:
        jar = SimpleCookie()
        try:
            jar.load(value)
        except CookieError:
            return
        for name, morsel in jar.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)      # the server deletes it (RFC 6265 §5.3)
            else:
                self.cookies[name] = morsel.value


def serialize(request: Request, chunks: int = 0) -> bytes:
    """The request's bytes as h11 frames them (a fresh connection: any order is allowed)."""
    conn = h11.Connection(h11.CLIENT)
    wire = conn.send(h11.Request(method=request.method, target=request.target,
                                 headers=list(request.headers)))
    body = request.body
    step = max(len(body) // chunks, 1) if chunks else max(len(body), 1)
    for start in range(0, len(body), step):
        wire += conn.send(h11.Data(data=body[start:start + step]))
    return wire + conn.send(h11.EndOfMessage())


def _raw_request(raw: bytes) -> Request:
    """What a raw step asks, as far as the first line says."""
    first = raw.split(b"\r\n", 1)[0].decode("latin-1").split()
    return Request(first[0] if first else "GET", first[1] if len(first) > 1 else "/")


class HTTPClient(EngineOutput):
    """One connection of a :class:`Browser`; its requests go out as soon as it is made."""

    def __init__(self, browser: Browser) -> None:
        super().__init__()
        self.browser = browser
        browser.connections += 1
        self.number = browser.connections
        self.state: str = S.IDLE
        self._h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_RESPONSE)
        self._queue: deque[Exchange] = deque()
        self._response: h11.Response | None = None
        self._body = bytearray()
        self._raw = bytearray()
        self._events: list[Event] = []
        self._write_next()

    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    def receive_data(self, data: bytes) -> list[Event]:
        """The server's bytes; ``b""`` when it closed the connection."""
        if self.closed:
            return []
        if not data:
            self._give_back()
            self.state = S.CLOSED
            self._events.append(ConnectionClosed("peer-closed"))
            return self._take_events()
        self._raw += data
        self._h11.receive_data(data)
        try:
            self._read()
        except h11.RemoteProtocolError as exc:
            self._give_back()
            self.state = S.CLOSED
            raise RemoteProtocolError(f"not an HTTP response: {exc}") from None
        return self._take_events()

    # -- writing ----------------------------------------------------------------
    def _write_next(self) -> None:
        batch = self.browser.next_batch()
        if not batch:
            self.state = S.CLOSED          # nothing left to ask: the browser hangs up
            self._events.append(ConnectionClosed("done"))
            return
        for step in batch:
            request = _raw_request(step.raw) if step.raw is not None \
                else self.browser.request_for(step)
            wire = step.raw if step.raw is not None \
                else serialize(request, 2 if step.chunked else 0)
            self._out += wire
            self._queue.append(Exchange(step, request, connection=self.number))
            self._transcribe("c2s", wire, self.state, S.WAITING,
                             f"http.request.{S.kind_of(request.method)}",
                             {"method": request.method, "target": request.target})
        self.state = S.WAITING
        self._expect(self._queue[0])

    def _expect(self, exchange: Exchange) -> None:
        """Tell the parsing side which request the next response answers (its method
        decides the framing: no body after HEAD, RFC 9112 §6.3)."""
        request = exchange.request
        fields = [("Host", self.browser.host)]
        if request.header("Connection"):
            fields.append(("Connection", request.header("Connection")))
        self._h11.send(h11.Request(method=request.method, target=request.target or "/",
                                   headers=fields))
        self._h11.send(h11.EndOfMessage())

    # -- reading ------------------------------------------------------------------
    def _read(self) -> None:
        while not self.closed:
            event = self._h11.next_event()
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Response):
                self._response, self._body = event, bytearray()
            elif isinstance(event, h11.Data):
                self._body += event.data
            elif isinstance(event, h11.EndOfMessage):
                self._complete()
            elif isinstance(event, h11.ConnectionClosed):
                self._give_back()
                self.state = S.CLOSED
                self._events.append(ConnectionClosed("peer-closed"))

    def _complete(self) -> None:
        head = self._response
        fields = tuple((k.decode("latin-1"), v.decode("latin-1"))
                       for k, v in head.headers.raw_items())
        response = Response(head.status_code, fields, bytes(self._body))
        exchange = self._queue.popleft()
        exchange.response = response
        cut = len(self._raw) - len(self._h11.trailing_data[0])
        wire, self._raw = bytes(self._raw[:cut]), self._raw[cut:]
        keep = self._h11.our_state is h11.DONE and self._h11.their_state is h11.DONE
        after = (S.WAITING if self._queue else S.IDLE) if keep else S.CLOSED
        params: dict[str, Any] = {"status": response.status, "reason": response.reason,
                                  "notes": [class_note(response.status)]}
        self._transcribe("s2c", wire, S.WAITING, after, explain_key(response.status), params)
        self._events.append(ResponseReceived(exchange.request, response))
        self.browser.received(exchange)
        if not keep:
            self._give_back()
            self.state = S.CLOSED
            self._events.append(ConnectionClosed("server-close"))
            return
        self._h11.start_next_cycle()
        if self._queue:
            self._expect(self._queue[0])
        else:
            self.state = S.IDLE
            self._write_next()

    def _give_back(self) -> None:
        if self._queue:
            self.browser.unanswered([e.step for e in self._queue])
            self._queue.clear()

    def _take_events(self) -> list[Event]:
        out, self._events = self._events, []
        return out


__all__ = ["Browser", "Exchange", "HTTPClient", "Step", "serialize"]
