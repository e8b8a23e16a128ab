"""The POP2 client engine (RFC 937): a script, or "read every message" with ACKS/ACKD.

Same shape as ``POP3Client``.  The one framing difference from POP3: after
RETR the server sends exactly the ``=ccc`` octets it announced, with no
status line and no terminating dot, so the client counts bytes instead of
looking for ".CRLF" (and no byte-stuffing is needed).
"""
from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._base import EngineOutput, Event, LineBuffer, RemoteProtocolError, TooLong, Utterance
from . import states as S
from .events import ConnectionClosed, MessageDownloaded, ReplyReceived
from .server import parse_line

MAX_REPLY_LINE = 4096


@dataclass(frozen=True)
class Reply2:
    """One POP2 reply as the client saw it."""

    verb: str
    lead: str                  # "+", "-", "#", "=" or "" for message text
    text: str
    number: int | None = None  # the count (#) or size (=)
    data: bytes | None = None  # RETR's message text

    @property
    def ok(self) -> bool:
        return self.lead != "-"


@dataclass
class POP2Result:
    greeting: str = ""
    count: int | None = None
    sizes: dict[int, int] = field(default_factory=dict)
    messages: dict[int, bytes] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)
    quit_ok: bool = False
    replies: list[Reply2] = field(default_factory=list)

    @property
    def logged_in(self) -> bool:
        """HELO was accepted: the server answered with the message count (RFC 937)."""
        return self.count is not None


Plan = Generator[str | bytes, Reply2, None]


def parse_reply(line: bytes, verb: str) -> Reply2:
    """Split a reply line by its leading character (RFC 937 "Replies")."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    lead = text[:1]
    if lead not in ("+", "-", "#", "="):
        raise RemoteProtocolError(f"not a POP2 reply: {text!r}")
    rest = text[1:].strip()
    number = None
    if lead in "#=":
        digits = rest.split(" ", 1)[0]
        if not digits.isdigit():
            raise RemoteProtocolError(f"{lead} reply without a number: {text!r}")
        number = int(digits)
    return Reply2(verb, lead, rest, number)


class POP2Client(EngineOutput):
    """One POP2 session, client side."""

    def __init__(self, user: str, password: str, *, script: Sequence[str | bytes] | None = None,
                 folder: str | None = None, delete: bool = False) -> None:
        self.user, self.password, self.folder, self.delete = user, password, folder, delete
        self.result = POP2Result()
        self.state = S.CALL
        self._plan: Plan = self._script_plan(script) if script is not None else self._read_all()
        self._lines = LineBuffer(MAX_REPLY_LINE)
        EngineOutput.__init__(self)
        self._events: list[Any] = []
        self._verb: str | None = None
        self._current = 1
        self._size = 0                 # the last "=ccc": what RETR will send
        self._text = bytearray()
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def receive_data(self, data: bytes) -> list[Event]:
        """Handle received bytes; ``b""`` means the server closed the connection.

        Raises :class:`RemoteProtocolError` (and is then closed) on a reply that
        is not POP2 (RFC 937).
        """
        if self._closed:
            return []
        if not data:
            self._closed, self.state = True, S.EXIT
            self._events.append(ConnectionClosed("peer-closed"))
            return self._take_events()
        self._lines.feed(data)
        try:
            while not self._closed and self._step():
                pass
        except RemoteProtocolError:
            self._closed, self.state = True, S.EXIT   # an engine that raises is done
            raise
        return self._take_events()

    # -- reading ------------------------------------------------------------

    def _step(self) -> bool:
        """Consume one reply (or message text) if complete; False if more bytes are needed."""
        if self.state == S.XFER and self._size > 0:
            return self._read_text()
        line = self._lines.next_line()
        if line is None:
            return False
        if isinstance(line, TooLong):
            raise RemoteProtocolError(f"reply line of {line.length} octets")
        self._on_reply(parse_reply(line, self._verb or ""), line)
        return True

    def _read_text(self) -> bool:
        """Collect exactly the announced octets, give the rest back to the line reader."""
        self._text += self._lines.take_rest()
        if len(self._text) < self._size:
            return False
        data, rest = bytes(self._text[: self._size]), bytes(self._text[self._size:])
        self._text.clear()
        self._lines.feed(rest)
        self._on_reply(Reply2("RETR", "", f"{len(data)} octets", len(data), data), data)
        return True

    def _on_reply(self, r: Reply2, raw: bytes) -> None:
        explain = self._explain(r)
        self._transcript.append(Utterance("s2c", raw, self.state, self.state, explain,
                                          {"verb": r.verb, "text": r.text}))
        self.result.replies.append(r)
        self._events.append(ReplyReceived(r.verb, r.ok, r.text))
        self._absorb(r)
        if r.verb == "QUIT" or (r.verb in ("", "HELO") and not r.ok):
            self._closed = True
            self.state = S.EXIT
            return
        self._next(r)

    @staticmethod
    def _explain(r: Reply2) -> str:
        if r.verb == "":
            return "pop2.reply.greeting"
        name = {"+": "signoff", "-": "err", "#": "count", "=": "size", "": "text"}[r.lead]
        if r.lead == "=" and r.number == 0:
            name = "no_message"
        return f"pop2.reply.{name}"

    def _absorb(self, r: Reply2) -> None:
        res = self.result
        if r.verb == "":
            res.greeting = r.text
        elif r.lead == "#":
            res.count, self._current = r.number, 1
        elif r.lead == "=":
            self._size = r.number or 0
            if self._size:
                res.sizes[self._current] = self._size
        elif r.lead == "" and r.data is not None:
            res.messages[self._current] = r.data
            self._events.append(MessageDownloaded(self._current, None, r.data))
        elif r.verb == "QUIT" and r.ok:
            res.quit_ok = True

    # -- sending ------------------------------------------------------------

    def _next(self, r: Reply2 | None) -> None:
        try:
            line = self._plan.send(r if r is not None and r.verb else None)
        except StopIteration:
            return
        raw = line if isinstance(line, bytes) else line.encode("utf-8") + b"\r\n"
        verb, args = parse_line(raw)
        self._track(verb, args)
        after = S.CLIENT_TABLE.get(verb, self.state)
        self._transcript.append(Utterance("c2s", raw, self.state, after, f"pop2.cmd.{verb}"
                                          if verb in S.ALL_COMMANDS else "pop2.cmd.unknown",
                                          {"verb": verb, "args": list(args)}))
        self._verb, self.state = verb, after
        self._out += raw

    def _track(self, verb: str, args: tuple[str, ...]) -> None:
        """Follow the server's "current message" so sizes and texts get their numbers."""
        if verb == "READ" and args and args[0].isdigit():
            self._current = int(args[0])
        elif verb == "ACKD":
            self.result.deleted.append(self._current)
            self._current += 1
        elif verb == "ACKS":
            self._current += 1

    # -- plans --------------------------------------------------------------

    def _script_plan(self, script: Sequence[str | bytes]) -> Plan:
        for line in script:  # noqa: UP028 - a list iterator has no send()
            yield line

    def _read_all(self) -> Plan:
        """HELO, READ, then RETR + ACKS/ACKD until "=0", then QUIT."""
        r = yield f"HELO {self.user} {self.password}"
        if self.folder:
            r = yield f"FOLD {self.folder}"
        r = yield "READ"
        while r.ok and r.lead == "=" and r.number:
            r = yield "RETR"
            if not r.ok:
                break
            r = yield "ACKD" if self.delete else "ACKS"
        yield "QUIT"

    def _take_events(self) -> list[Any]:
        out, self._events = self._events, []
        return out
