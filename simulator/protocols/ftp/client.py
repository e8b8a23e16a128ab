"""The FTP client engine: logs in and runs a script, opening data connections as needed.

Sans-IO like the server.  The client sends one command, reads its whole
reply (a 1yz reply is followed by a second one, RFC 959 §4.2), then decides
the next.  Before each transfer command it sets up the data connection —
PASV in passive mode, PORT in active mode — unless the script just did, and
tells the driver where that connection goes (:class:`~.events.DataEndpoint`).
The driver hands what arrived over it to :meth:`FTPClient.data_received` and
takes a STOR's bytes from :attr:`FTPClient.upload`.
"""
from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field

from .._base import EngineOutput, Event, LineBuffer, RemoteProtocolError, TooLong
from . import states as S
from .events import ConnectionClosed, DataEndpoint, DataReceived, ReplyReceived
from .parser import parse_epsv, parse_pasv, port_numbers, to_ascii

#: Reply lines are short; the limit only guards memory.
MAX_REPLY_LINE = 1 << 14


@dataclass(frozen=True)
class Response:
    """A whole reply: its code, its first line's text and any further lines."""

    code: int
    text: str
    lines: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.code < 400


@dataclass
class FTPResult:
    """What the session found out."""

    greeting: str = ""
    logged_in: bool = False
    cwd: str | None = None
    listings: list[bytes] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    stored: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    failed_transfers: int = 0


Plan = Generator[str | None, Response, None]


class FTPClient(EngineOutput):
    """One FTP session, client side (the control connection)."""

    def __init__(self, user: str, password: str, *, script: Sequence[str] = (),
                 passive: bool = True, address: str = "127.0.0.1",
                 uploads: Mapping[str, bytes] | None = None, first_port: int = 40000) -> None:
        """``address``: ours, for PORT; ``first_port``: our first active-mode data port;
        ``uploads``: the local files STOR sends, by name."""
        self.user, self.password = user, password
        self.passive, self.address = passive, address
        self.uploads = dict(uploads or {})
        self.result = FTPResult()
        self.state = S.GREETING
        EngineOutput.__init__(self)
        self._lines = LineBuffer(MAX_REPLY_LINE)
        self._events: list[Event] = []
        self._next_port = first_port
        self._type = "A"
        self._upload: bytes | None = None
        self._received = bytearray()
        self._multi: tuple[int, str, list[str]] | None = None
        self._plan: Plan = self._run(list(script))
        self._started = False

    # -- driver API ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    @property
    def upload(self) -> bytes:
        """The bytes of the STOR in progress, as they cross the data connection."""
        return self._upload or b""

    def data_received(self, data: bytes) -> None:
        """Bytes that arrived over the data connection of the transfer in progress."""
        self._received += data

    def receive_data(self, data: bytes) -> list[Event]:
        """Control-connection bytes; ``b""``: the server closed it.  Raises
        :class:`RemoteProtocolError` (and is then closed) on a line that is no reply."""
        if self.closed:
            return []
        if not data:
            self.state = S.CLOSED
            self._events.append(ConnectionClosed("peer-closed"))
            return self._take()
        self._lines.feed(data)
        try:
            while not self.closed and (line := self._lines.next_line()) is not None:
                self._on_line(line)
        except RemoteProtocolError:
            self.state = S.CLOSED
            raise
        return self._take()

    def _take(self) -> list[Event]:
        out, self._events = self._events, []
        return out

    # -- reading replies (RFC 959 §4.2) --------------------------------------

    def _on_line(self, line: bytes | TooLong) -> None:
        if isinstance(line, TooLong):
            raise RemoteProtocolError(f"reply line of {line.length} octets")
        text = line.rstrip(b"\r\n").decode("utf-8", "replace")
        if self._multi is not None:
            code, first, middle = self._multi
            if text[:4] == f"{code} ":
                self._multi = None
                self._on_reply(Response(code, first, (*middle, text[4:])))
            else:
                middle.append(text)
            return
        if len(text) < 3 or not text[:3].isdigit() or text[3:4] not in ("", " ", "-"):
            raise RemoteProtocolError(f"not an FTP reply: {text[:60]!r}")
        code = int(text[:3])
        if text[3:4] == "-":
            self._multi = (code, text[4:], [])
            return
        self._on_reply(Response(code, text[4:]))

    def _on_reply(self, response: Response) -> None:
        self.result.responses.append(response)
        self._events.append(ReplyReceived(response.code, response.text))
        self._advance(response)

    def _advance(self, response: Response | None) -> None:
        try:
            if not self._started:            # run the plan to its first wait
                self._started = True
                next(self._plan)
            line = self._plan.send(response)
        except StopIteration:
            self.state = S.CLOSED
            return
        if line is not None:
            self._out += line.encode("utf-8") + b"\r\n"

    # -- the plan -----------------------------------------------------------

    def _run(self, script: list[str]) -> Plan:
        greeting = yield None
        self.result.greeting = greeting.text
        if greeting.code != 220:
            return
        self.state = S.NOT_LOGGED_IN
        answer = yield f"USER {self.user}"
        if answer.code == 331:
            self.state = S.NEED_PASSWORD
            answer = yield f"PASS {self.password}"
        if answer.code != 230:
            if answer.code != 421:
                yield "QUIT"
            return
        self.state, self.result.logged_in = S.LOGGED_IN, True
        armed = False
        for line in script:
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "QUIT":
                break
            if (verb in S.TRANSFERS and not armed
                    and not (yield from self._arm("PASV" if self.passive else "PORT", ""))):
                continue
            if verb in S.DATA_SETUP:
                armed = yield from self._arm(verb, arg)
                continue
            if verb in S.TRANSFERS:
                armed = False
                code = yield from self._transfer(verb, arg, line)
                if code == 425 and not self.passive:
                    # Like FileZilla and lftp: the server could not reach us (a NAT or a
                    # firewall in front of the client), so the client switches to passive
                    # mode, where it opens the data connection itself.
                    self.passive = True
                    if (yield from self._arm("PASV", "")):
                        yield from self._transfer(verb, arg, line)
                continue
            answer = yield line
            self._note(verb, arg, answer)
        yield "QUIT"

    def _arm(self, verb: str, arg: str) -> Generator[str | None, Response, bool]:
        """PASV/EPSV, or PORT/EPRT with our address and a fresh port (RFC 959 §4.1.2)."""
        if verb in ("PORT", "EPRT") and not arg:
            port, self._next_port = self._next_port, self._next_port + 1
            arg = (port_numbers(self.address, port) if verb == "PORT"
                   else f"|1|{self.address}|{port}|")
            self._events.append(DataEndpoint(False, self.address, port))
        answer = yield f"{verb} {arg}".rstrip()
        if not answer.ok:
            return False
        if verb == "PASV" and (found := parse_pasv(answer.text)):
            self._events.append(DataEndpoint(True, *found))
        elif verb == "EPSV" and (port := parse_epsv(answer.text)) is not None:
            self._events.append(DataEndpoint(True, "", port))   # "": the control peer's host
        self.state = S.DATA_READY
        return True

    def _transfer(self, verb: str, arg: str, line: str) -> Generator[str | None, Response, int]:
        """One transfer command and its replies; the final reply's code."""
        self._received.clear()
        if verb == "STOR":
            data = self.uploads.get(arg.rsplit("/", 1)[-1], b"")
            self._upload = to_ascii(data) if self._type == "A" else data
        self.state = S.CONNECTING
        answer = yield line
        if answer.code // 100 == 1:
            self.state = S.TRANSFER
            answer = yield None
        self.state = S.LOGGED_IN
        self._upload = None
        if answer.code // 100 != 2:
            self.result.failed_transfers += 1
            return answer.code
        data = bytes(self._received)
        if verb == "RETR":
            self.result.files[arg] = data
        elif verb == "STOR":
            self.result.stored.append(arg)
        else:
            self.result.listings.append(data)
        self._events.append(DataReceived(verb, arg, data))
        return answer.code

    def _note(self, verb: str, arg: str, answer: Response) -> None:
        if verb == "TYPE" and answer.ok:
            self._type = "I" if arg.upper().startswith(("I", "L")) else "A"
        elif verb == "PWD" and answer.code == 257:
            self.result.cwd = answer.text.split('"')[1] if '"' in answer.text else None

    def initiate(self) -> list[Event]:
        """A client waits for the greeting and says nothing first."""
        return []


__all__ = ["FTPClient", "FTPResult", "Response"]


