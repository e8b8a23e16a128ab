"""The POP3 client engine: a scripted session or a mail reader's download plan.

Sans-IO like the server.  The client sends one command, waits for its
whole reply, then decides the next one: a *plan* is a generator that
yields command lines and receives :class:`Response` objects.  Two plans
exist: a fixed script (for replaying textbook sessions and bad input) and
the mail reader's "download new mail" with "leave a copy on the server" or
"delete after download", where UIDL (RFC 1939 §7) tells which messages
were already fetched in an earlier session.
"""
from __future__ import annotations

from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._base import (
    EngineOutput,
    Event,
    LineBuffer,
    LocalProtocolError,
    RemoteProtocolError,
    TooLong,
    Utterance,
)
from . import states as S
from .events import ConnectionClosed, MessageDownloaded, ReplyReceived, TLSRequested
from .parser import (
    TERMINATOR,
    apop_digest,
    format_command,
    greeting_timestamp,
    parse_command,
    resp_code,
    split_status,
    unstuff_line,
)

#: Replies can carry message lines up to RFC 5322's 998 octets and more in
#: the wild; the client limit only guards memory.
MAX_REPLY_LINE = 1 << 16

#: The catalogue name whose explanation fits a positive reply to each verb.
_OK_EXPLAIN = {"USER": "user_ok", "PASS": "login_ok", "APOP": "login_ok", "STAT": "stat",
               "RETR": "retr", "TOP": "top", "DELE": "dele", "NOOP": "noop", "RSET": "rset",
               "LAST": "last", "CAPA": "capa", "STLS": "stls_ok", "QUIT": "quit_update"}
_CODE_EXPLAIN = {"IN-USE": "in_use", "AUTH": "auth_failed"}


@dataclass(frozen=True)
class Response:
    """A whole reply: status, text and (multi-line replies) the un-stuffed block."""

    verb: str
    args: tuple[str, ...]
    ok: bool
    text: str
    block: bytes | None = None

    @property
    def code(self) -> str | None:
        return resp_code(self.text)


@dataclass
class POP3Result:
    """What a session found out, parsed from the replies."""

    greeting: str = ""
    timestamp: str | None = None
    logged_in: bool = False
    capabilities: list[str] = field(default_factory=list)
    stat: tuple[int, int] | None = None
    listing: dict[int, int] = field(default_factory=dict)
    uidl: dict[int, str] = field(default_factory=dict)
    messages: dict[int, bytes] = field(default_factory=dict)
    tops: dict[int, bytes] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)
    last: int | None = None
    downloaded: list[str] = field(default_factory=list)
    seen_uids: set[str] = field(default_factory=set)
    quit_ok: bool = False
    responses: list[Response] = field(default_factory=list)
    attempts: int = 0                  # logins tried (a refused one, then the retries)
    unsent: int = 0                    # script lines not sent because no login succeeded


Plan = Generator[str | bytes, Response, None]


class POP3Client(EngineOutput):
    """One POP3 session, client side."""

    def __init__(self, user: str, password: str, *, use_apop: bool = False,
                 script: Sequence[str | bytes] | None = None, leave_copy: bool = True,
                 seen_uids: Iterable[str] = (), stls: bool = False, login: bool = True,
                 retries: Sequence[str] = ()) -> None:
        """``retries``: passwords the user types again after a refused login, in order
        (RFC 1939 §7: the client may issue a new authentication command)."""
        self.user, self.password = user, password
        self.retries = list(retries)
        self.use_apop, self.leave_copy, self.stls, self.login = use_apop, leave_copy, stls, login
        self.result = POP3Result(seen_uids=set(seen_uids))
        self.state = S.GREETING
        self._plan: Plan = self._script_plan(script) if script is not None else self._download_plan()
        self._lines = LineBuffer(MAX_REPLY_LINE)
        EngineOutput.__init__(self)
        self._events: list[Any] = []
        self._pending: tuple[str, tuple[str, ...]] | None = None
        self._status: tuple[bool, str, bytes] | None = None   # of a multi-line reply
        self._block = bytearray()
        self._raw = bytearray()
        self._started = False

    # -- driver API ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    def receive_data(self, data: bytes) -> list[Event]:
        """Handle received bytes; ``b""`` means the server closed the connection.

        Raises :class:`RemoteProtocolError` (and is then closed) on a reply that
        is not POP3 (RFC 1939 §3).
        """
        if self.closed:
            return []
        if not data:
            self.state = S.CLOSED
            self._events.append(ConnectionClosed("peer-closed"))
            return self._take_events()
        self._lines.feed(data)
        try:
            while not self.closed and (line := self._lines.next_line()) is not None:
                self._on_line(line)
        except RemoteProtocolError:
            self.state = S.CLOSED         # the contract: an engine that raises is done
            raise
        return self._take_events()

    def tls_started(self) -> None:
        """The driver finished the handshake: go on with the plan (RFC 2595 §4)."""
        if self.state != S.TLS:
            raise LocalProtocolError(f"tls_started() in state {self.state}, expected {S.TLS}")
        self.state = S.AUTHORIZATION
        self._next(self._last_response)

    # -- reading replies ----------------------------------------------------

    def _on_line(self, line: bytes | TooLong) -> None:
        if isinstance(line, TooLong):
            raise RemoteProtocolError(f"reply line of {line.length} octets")
        self._raw += line
        if self._status is not None:
            self._on_block_line(line)
            return
        try:
            ok, text = split_status(line)
        except ValueError as exc:
            raise RemoteProtocolError(str(exc)) from None
        if self._pending is None:
            self._on_greeting(ok, text)
        elif ok and S.is_multiline(*self._pending):
            self._status = (ok, text, line)
        else:
            self._complete(ok, text, None)

    def _on_block_line(self, line: bytes) -> None:
        if line == TERMINATOR:
            ok, text, _ = self._status
            self._status = None
            self._complete(ok, text, bytes(self._block))
            self._block.clear()
        else:
            self._block += unstuff_line(line)

    def _on_greeting(self, ok: bool, text: str) -> None:
        if self._started:
            raise RemoteProtocolError(f"unexpected reply with no command pending: {text!r}")
        self._started = True
        self.result.greeting = text
        self.result.timestamp = greeting_timestamp(text)
        after = S.AUTHORIZATION if ok else S.CLOSED
        self._record("s2c", after, "pop3.reply.greeting", {"text": text})
        self.state = after
        self._last_response: Response | None = None
        self._next(None)

    def _complete(self, ok: bool, text: str, block: bytes | None) -> None:
        verb, args = self._pending
        self._pending = None
        response = Response(verb, args, ok, text, block)
        after = self._state_after(verb, ok, text)
        self._record("s2c", after, self._explain(response), {"verb": verb, "text": text})
        self.state = after
        self.result.responses.append(response)
        self._events.append(ReplyReceived(verb, ok, text))
        self._absorb(response)
        self._last_response = response
        if after == S.TLS:
            self._events.append(TLSRequested())
            return                      # wait for tls_started()
        self._next(response)

    def _state_after(self, verb: str, ok: bool, text: str) -> str:
        """The server's state after this reply, from the same table it obeys."""
        tr = S.transition(self.state, verb)
        if tr is None:
            return self.state
        after = tr.on_ok if ok else tr.on_failure
        return S.CLOSED if after == S.UPDATE else after

    @staticmethod
    def _explain(response: Response) -> str:
        if response.ok:
            name = _OK_EXPLAIN.get(response.verb)
            if response.verb in ("LIST", "UIDL"):
                name = f"{response.verb.lower()}_{'one' if response.args else 'all'}"
            return f"pop3.reply.{name}" if name else "pop3.reply.ok"
        name = _CODE_EXPLAIN.get(response.code or "")
        return f"pop3.reply.{name}" if name else "pop3.reply.err"

    # -- sending commands ---------------------------------------------------

    def _next(self, response: Response | None) -> None:
        """Show the plan the reply, then send its next command (if still connected)."""
        try:
            line = self._plan.send(response)   # send(None) starts the generator
        except StopIteration:
            return
        if self.closed:
            self._plan.close()
        else:
            self._send(line)

    def _send(self, line: str | bytes) -> None:
        raw = line if isinstance(line, bytes) else format_command(line)
        cmd = parse_command(raw)
        self._pending = (cmd.verb, cmd.args)
        self._out += raw
        self._raw = bytearray()
        explain = f"pop3.cmd.{cmd.verb}" if cmd.verb in S.ALL_COMMANDS else "pop3.cmd.unknown"
        params: dict[str, Any] = {"verb": cmd.verb, "args": list(cmd.args)}
        if cmd.verb == "APOP" and self.result.timestamp:
            params.update(self._apop_params(self.result.timestamp))
        self._transcript.append(Utterance("c2s", raw, self.state, self.state, explain, params))

    def _apop_params(self, timestamp: str) -> dict[str, Any]:
        """The APOP computation, shown as a note after the command's explanation: only the
        client knows the secret, so a server's trace explains APOP without it (RFC 1939 §7)."""
        return {"timestamp": timestamp, "hashed": timestamp + self.password,
                "digest": apop_digest(timestamp, self.password),
                "notes": ["pop3.cmd.apop_computed"]}

    def _record(self, direction: str, after: str, explain: str, params: dict[str, Any]) -> None:
        self._transcript.append(Utterance(direction, bytes(self._raw), self.state, after,
                                          explain, params))
        self._raw = bytearray()

    def _take_events(self) -> list[Any]:
        out, self._events = self._events, []
        return out

    # -- understanding replies (RFC 1939 §5, §7; RFC 2449 §5; RFC 1225) ----

    def _absorb(self, r: Response) -> None:
        """Keep what a positive reply says; a reply that says it wrongly ends the session."""
        if not r.ok:
            return
        try:
            self._absorb_fields(r)
        except ValueError as exc:         # a bad number, a short row, bytes that are not UTF-8
            raise RemoteProtocolError(f"malformed reply to {r.verb}: {exc}") from None

    def _absorb_fields(self, r: Response) -> None:
        res = self.result
        if r.verb in ("PASS", "APOP"):
            res.logged_in = True
        elif r.verb == "STAT":
            count, octets = r.text.split()[:2]
            res.stat = (int(count), int(octets))
        elif r.verb in ("LIST", "UIDL"):
            self._absorb_listing(r)
        elif r.verb == "RETR":
            number = int(r.args[0])
            res.messages[number] = r.block or b""
            uid = res.uidl.get(number)
            self._events.append(MessageDownloaded(number, uid, res.messages[number]))
        elif r.verb == "TOP":
            res.tops[int(r.args[0])] = r.block or b""
        elif r.verb == "DELE":
            res.deleted.append(int(r.args[0]))
        elif r.verb == "RSET":
            res.deleted.clear()
        elif r.verb == "LAST":
            res.last = int(r.text.split()[0])
        elif r.verb == "CAPA":
            res.capabilities = (r.block or b"").decode().splitlines()
        elif r.verb == "QUIT":
            res.quit_ok = True

    def _absorb_listing(self, r: Response) -> None:
        rows = [r.text] if r.args else (r.block or b"").decode().splitlines()
        target = self.result.listing if r.verb == "LIST" else self.result.uidl
        for row in rows:
            number, value = row.split()[:2]
            target[int(number)] = int(value) if r.verb == "LIST" else value

    # -- plans --------------------------------------------------------------

    def _script_plan(self, script: Sequence[str | bytes]) -> Plan:
        """Log in (unless ``login=False``), then send the script's lines as they are."""
        if self.login and not (yield from self._login_steps()):
            self.result.unsent = sum(1 for line in script if _verb(line) != "QUIT")
            yield "QUIT"
            return
        for line in script:  # noqa: UP028 - a list iterator has no send()
            yield line

    def _login_steps(self) -> Generator[str, Response, bool]:
        """STLS if asked, then a login; after a refusal the next password, while the
        server keeps the connection open (it hangs up after too many failures)."""
        if self.stls:
            r = yield "STLS"
            if not r.ok:
                return False
        while True:
            self.result.attempts += 1
            if (yield from self._one_login()):
                return True
            if not self.retries or self.closed:
                return False
            self.password = self.retries.pop(0)

    def _one_login(self) -> Generator[str, Response, bool]:
        if self.use_apop and self.result.timestamp:
            digest = apop_digest(self.result.timestamp, self.password)
            r = yield f"APOP {self.user} {digest}"
            return r.ok
        r = yield f"USER {self.user}"
        if r.ok:
            r = yield f"PASS {self.password}"
        return r.ok

    def _download_plan(self) -> Plan:
        """Fetch what is new (by UIDL); then keep the copies or delete them."""
        if not (yield from self._login_steps()):
            yield "QUIT"
            return
        seen = self.result.seen_uids
        uidl = yield "UIDL"
        if not uidl.ok:                 # no UIDL: every message looks new
            yield "LIST"
            self.result.uidl = {n: f"#{n}" for n in self.result.listing}
        for number, uid in sorted(self.result.uidl.items()):
            if uid not in seen:
                r = yield f"RETR {number}"
                if r.ok:
                    self.result.downloaded.append(uid)
        fetched = seen | set(self.result.downloaded)
        if not self.leave_copy:
            for number, uid in sorted(self.result.uidl.items()):
                if uid in fetched:
                    yield f"DELE {number}"
        quit_reply = yield "QUIT"
        self.result.seen_uids = self._remembered(fetched, quit_reply.ok)

    def _remembered(self, fetched: set[str], quit_ok: bool) -> set[str]:
        """Seen UIDs worth keeping: those still on the server after this session."""
        if not quit_ok:
            return fetched              # nothing was deleted: remember everything
        deleted = {self.result.uidl[n] for n in self.result.deleted}
        on_server = set(self.result.uidl.values()) - deleted
        return fetched & on_server


def _verb(line: str | bytes) -> str:
    text = line.decode("ascii", "replace") if isinstance(line, bytes) else line
    return text.split()[0].upper() if text.split() else ""
