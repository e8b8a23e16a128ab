"""The IMAP client engine (MUA side), sans-IO like the server (RFC 3501, RFC 9051).

Driver API, the same shape as the other engines plus a timer:

* :meth:`IMAPClient.receive_data` with the server's bytes (``b""``: closed);
* :meth:`data_to_send` / :meth:`take_transcript` (from EngineOutput);
* :meth:`take_timer` — seconds the client wants to wait (a pause of the
  user, or how long to stay in IDLE); the driver calls :meth:`timer_fired`
  when they have passed.  The engine itself has no clock;
* ``closed`` — the session is over (LOGOUT completed or the server said BYE).

The client runs a script (:mod:`.client_script`): it logs in, sends each
step's commands in one write (pipelining them when there are several,
RFC 9051 §5.5), waits for all their tagged completions, and goes on.  Every
untagged response updates the local mailbox view (:mod:`.client_view`),
whenever it comes — also between commands, during IDLE (RFC 2177) or
before the completion of an unrelated command (RFC 3501 §7).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .._base import ConnectionClosed, EngineOutput, Event, LocalProtocolError
from . import states as S
from .client_responses import ResponseReader, ServerResponse, esearch
from .client_script import (
    ClientCommand,
    ScriptStep,
    assign_tags,
    is_logout,
    login,
    logs_in,
)
from .client_view import ClientMailbox
from .lexer import Lexer, ParseError
from .types import as_text


@dataclass(frozen=True)
class Completion:
    """A tagged completion and the untagged data that came since the previous one."""

    tag: str
    name: str
    status: str
    text: str
    code: str | None
    data: tuple[ServerResponse, ...] = ()


@dataclass
class IMAPClientResult:
    """What the session saw, for the driver's summary and for tests."""

    greeting: ServerResponse | None = None
    capabilities: list[str] = field(default_factory=list)
    logged_in: bool = False
    sent: list[tuple[str, str]] = field(default_factory=list)      # (tag, name), send order
    completions: list[Completion] = field(default_factory=list)     # arrival order
    pushed: list[ServerResponse] = field(default_factory=list)      # untagged during IDLE
    folders: list[str] = field(default_factory=list)                # from the last LIST
    bye: str | None = None
    attempts: int = 0                  # logins tried (refused ones and the retries)
    unsent: int = 0                    # commands not sent because no login succeeded

    def completion(self, tag: str) -> Completion:
        return next(c for c in self.completions if c.tag == tag)

    def order(self) -> list[str]:
        """Tags in the order their completions arrived."""
        return [c.tag for c in self.completions]

    def search(self, tag: str) -> list[int]:
        """The numbers a SEARCH found: ``* SEARCH 2 5`` (RFC 3501 §7.2.5) or the ALL of
        ``* ESEARCH (TAG "tag") ALL 2,5`` (RFC 4731, IMAP4rev2)."""
        data = self.completion(tag).data
        hits = [r for r in data if r.name == "SEARCH"]
        found = [int(v) for r in hits for v in r.values if str(v).isdigit()]
        return found + list(self.esearch(tag).get("ALL", []))

    def esearch(self, tag: str) -> dict[str, object]:
        """MIN, MAX, COUNT, ALL of the ESEARCH answering ``tag`` (its TAG correlator)."""
        for r in self.completion(tag).data:
            if r.name == "ESEARCH":
                owner, _uid, items = esearch(r.values)
                if owner in (None, tag):
                    return items
        return {}


class IMAPClient(EngineOutput):
    """A scripted IMAP session, client side."""

    def __init__(self, user: str | None, password: str = "",
                 script: Iterable[ScriptStep] = (), *, starttls: bool = False,
                 mechanism: str = "LOGIN", rev2: bool = False,
                 retries: Iterable[str] = ()) -> None:
        """``starttls``: secure the connection before logging in (RFC 9051 §6.2.1);
        ``mechanism``: LOGIN or PLAIN (AUTHENTICATE, RFC 4616, with SASL-IR when the
        server offers it); ``rev2``: ENABLE IMAP4rev2 after login if advertised;
        ``retries``: passwords typed again after a refused login, in order (RFC 9051
        §6.2.3 leaves the connection in the not-authenticated state for another try)."""
        super().__init__()
        self.user, self.mechanism, self.retries = user, mechanism, list(retries)
        steps = list(script)
        if user is not None and not (steps and logs_in(steps[0])):
            if rev2:
                steps.insert(0, ScriptStep((ClientCommand("ENABLE IMAP4rev2"),),
                                           needs="IMAP4REV2"))
            steps.insert(0, ScriptStep((login(user, password, mechanism),)))
        if starttls:        # then ask again: what was said in clear text does not count
            steps[:0] = [ScriptStep((ClientCommand("STARTTLS"),)),
                         ScriptStep((ClientCommand("CAPABILITY"),))]
        if not steps or not is_logout(steps[-1]):
            steps.append(ScriptStep((ClientCommand("LOGOUT"),)))
        given = {c.tag for s in steps for c in s.commands if c.tag}
        self.steps = assign_tags(steps)
        #: tags the client made up (not written by the script): renumbered after a retry
        self._generated = {c.tag for s in self.steps for c in s.commands} - given
        self.state = S.NOT_AUTHENTICATED
        self.tls = False
        self.rev2 = False                                  # the server said ENABLED IMAP4rev2
        self.mailbox: ClientMailbox | None = None
        self._closing: ClientMailbox | None = None        # rev2: until [CLOSED] (RFC 9051 §7.1)
        self.last_mailbox: ClientMailbox | None = None    # what the program showed last
        self.result = IMAPClientResult()
        self._closed = False
        self._reader = ResponseReader()
        self._outstanding: dict[str, ClientCommand] = {}
        self._after_plus: list[bytes] = []          # octets that wait for a "+"
        self._idle: tuple[str, float] | None = None  # (tag, seconds) of the IDLE in progress
        self._waiting: str | None = None             # "pause" or "idle": a timer runs
        self._timer: float | None = None
        self._paused = False
        self._data: list[ServerResponse] = []
        self._next = 0

    # -- driver API ---------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """LOGOUT completed, the server said BYE at once, or it hung up."""
        return self._closed

    def initiate(self) -> list[Event]:
        """Nothing to say first: the server greets (RFC 3501 §7.1)."""
        return []

    def receive_data(self, data: bytes) -> list[Event]:
        """Handle the server's bytes; ``b""`` means it closed the connection."""
        if self._closed:
            return []
        if not data:
            self._closed = True
            return [ConnectionClosed("peer-closed")]
        self._reader.feed(data)
        responses = self._reader.responses()
        for response in responses:
            self._transcribe("s2c", response.raw, self.state, self.state, _explain(response))
            self._handle(response)
        self._advance()
        return responses

    def tls_started(self) -> None:
        """The driver finished the TLS handshake after STARTTLS: go on with the script."""
        if self.state != S.TLS:
            raise LocalProtocolError(f"tls_started() in state {self.state}, expected {S.TLS}")
        self.tls, self.state = True, S.NOT_AUTHENTICATED
        self._advance()

    def take_timer(self) -> float | None:
        """Seconds to wait before :meth:`timer_fired` (asked once), or None."""
        timer, self._timer = self._timer, None
        return timer

    def timer_fired(self) -> None:
        """The pause is over (go on with the script) or the IDLE has lasted (send DONE)."""
        waiting, self._waiting = self._waiting, None
        if waiting == "idle" and self.state == S.IDLE:
            self._write(b"DONE\r\n", "imap.cmd.DONE")
        elif waiting == "pause":
            self._advance()

    # -- reading ----------------------------------------------------------------------
    def _handle(self, r: ServerResponse) -> None:
        if r.kind == "continuation":
            self._continue()
        elif r.kind == "tagged":
            self._completed(r)
        elif self.result.greeting is None:
            self._greeted(r)
        else:
            self._untagged(r)

    def _greeted(self, r: ServerResponse) -> None:
        self.result.greeting = r
        self._capabilities(r.code)
        if r.status == "BYE":
            self._closed = True                         # the server refuses us (RFC 3501 §7.1.5)
        elif r.status == "PREAUTH":
            self.state = S.AUTHENTICATED

    def _continue(self) -> None:
        """``+``: send the literal we hold back, or IDLE has begun (RFC 2177 §3)."""
        if self._after_plus:
            self._out += self._after_plus.pop(0)
        elif self._idle is not None and self.state != S.IDLE:
            self.state, self._waiting, self._timer = S.IDLE, "idle", self._idle[1]

    def _untagged(self, r: ServerResponse) -> None:
        if r.status == "BYE":
            self.result.bye = r.text
        if r.name == "CAPABILITY":
            self.result.capabilities = [str(v) for v in r.values]
        if r.name == "ENABLED":
            self.rev2 = self.rev2 or any(str(v).upper() == "IMAP4REV2" for v in r.values)
        self._capabilities(r.code)
        if (r.code or "").upper() == "CLOSED":
            self._closing = None                 # what follows is about the new mailbox
        elif self._closing is not None:
            self._closing.apply(r)
        elif self.mailbox is not None:
            self.mailbox.apply(r)
        if self.state == S.IDLE:
            self.result.pushed.append(r)
        self._data.append(r)

    def _capabilities(self, code: str | None) -> None:
        if code and code.upper().startswith("CAPABILITY "):
            self.result.capabilities = code.split()[1:]

    def _completed(self, r: ServerResponse) -> None:
        command = self._outstanding.pop(r.tag, None)
        name = command.name if command else ""
        data, self._data = tuple(self._data), []
        self.result.completions.append(Completion(r.tag, name, r.status or "", r.text, r.code,
                                                  data))
        self._capabilities(r.code)
        if command is not None:
            if command.literal is not None or command.sasl is not None:
                self._after_plus = []              # refused before "+": never send the octets
            self._after(command, r, data)

    def _after(self, command: ClientCommand, r: ServerResponse, data: tuple) -> None:
        """The client's state after a completion (RFC 3501 §3 and §6)."""
        name, ok = command.name, r.status == "OK"
        if name == "STARTTLS":
            if ok:
                self.state, self.result.capabilities = S.TLS, []   # wait for tls_started()
            else:
                self._next = len(self.steps) - 1      # no password in clear text: just LOGOUT
        elif name in ("LOGIN", "AUTHENTICATE"):
            self.result.logged_in = ok
            self.result.attempts += 1
            self.state = S.AUTHENTICATED if ok else self.state
            if not ok:
                self._login_refused()
        elif name in ("SELECT", "EXAMINE"):
            self._closing = None
            self._selected(ok, r.code)
        elif name in ("CLOSE", "UNSELECT") and ok:
            self.mailbox, self.state = None, S.AUTHENTICATED
        elif name == "IDLE":
            self._idle = None
            self.state = S.SELECTED if self.mailbox is not None else S.AUTHENTICATED
        elif name == "LIST" and ok:
            self.result.folders = [_list_name(x) for x in data if x.name == "LIST"]
        elif name == "LOGOUT":
            self.state, self._closed = S.LOGOUT, True

    def _login_refused(self) -> None:
        """Try the next password, or go on at the script's own next login (a retry
        written as a command line); with neither, the rest cannot run: just LOGOUT,
        counting what is left unsent so that the session's summary can say so."""
        if self.retries and self.user is not None:
            self._insert_next(ScriptStep((login(self.user, self.retries.pop(0), self.mechanism),)))
            return
        later = next((i for i in range(self._next, len(self.steps) - 1)
                      if logs_in(self.steps[i])), None)
        end = len(self.steps) - 1 if later is None else later
        if later is None:
            self.result.unsent = sum(len(s.commands) for s in self.steps[self._next:end])
        self._next = end

    def _insert_next(self, step: ScriptStep) -> None:
        """Send ``step`` next; the made-up tags of what follows are renumbered so that
        tags still grow in the order the commands go out (A1, A2, A3 …)."""
        sent, rest = self.steps[:self._next], [step, *self.steps[self._next:]]
        rest = [ScriptStep(tuple(replace(c, tag=None) if c.tag in self._generated else c
                                 for c in s.commands), s.idle, s.pause, s.needs,
                           s.needs_messages) for s in rest]
        kept = {c.tag for s in sent for c in s.commands} | \
            {c.tag for s in rest for c in s.commands if c.tag}
        rest = assign_tags(rest, kept)
        self._generated |= {c.tag for s in rest for c in s.commands} - kept
        self.steps = [*sent, *rest]

    def _selected(self, ok: bool, code: str | None) -> None:
        """A failed SELECT leaves no mailbox selected (RFC 3501 §6.3.1)."""
        if ok and self.mailbox is not None:
            self.mailbox.read_only = (code or "").upper() == "READ-ONLY"
            self.state = S.SELECTED
        else:
            self.mailbox, self.state = None, S.AUTHENTICATED

    # -- writing ----------------------------------------------------------------------
    def _advance(self) -> None:
        """Start the next step once nothing is outstanding."""
        busy = (self._outstanding or self._after_plus or self._idle or self._waiting
                or self.state == S.TLS)
        if self._closed or self.result.greeting is None or busy or self._next >= len(self.steps):
            return
        step = self.steps[self._next]
        if step.needs and step.needs not in {c.upper() for c in self.result.capabilities}:
            self._next += 1                   # e.g. ENABLE IMAP4rev2 on a rev1-only server
            self._advance()
            return
        if step.needs_messages and (self.mailbox is None or not self.mailbox.exists):
            # "1:*" names no message in an empty mailbox: a client that asks gets BAD
            # (RFC 9051 §9, seq-number); the EXISTS of SELECT told it there is none.
            self._next += 1
            self._advance()
            return
        if step.pause and not self._paused:
            self._paused, self._waiting, self._timer = True, "pause", step.pause
            return
        self._paused = False
        self._next += 1
        self._send(step)

    def _send(self, step: ScriptStep) -> None:
        """All the step's commands in one write, cut where a literal waits for ``+``."""
        chunks = [b""]
        for command in step.commands:
            self._outstanding[command.tag] = command
            self.result.sent.append((command.tag, command.name))
            self._before(command, step)
            parts = command.wire(sasl_ir="SASL-IR" in {c.upper() for c in self.result.capabilities})
            chunks[-1] += parts[0]
            chunks += parts[1:]
            self._transcribe("c2s", b"".join(parts), self.state, self.state,
                             f"imap.cmd.{command.name}")
        self._out += chunks[0]
        self._after_plus = chunks[1:]

    def _before(self, command: ClientCommand, step: ScriptStep) -> None:
        """SELECT closes the current mailbox as soon as it starts (RFC 3501 §6.3.1)."""
        if command.name in ("SELECT", "EXAMINE"):
            if self.rev2 and self.mailbox is not None:
                self._closing = self.mailbox    # its news may still come, up to [CLOSED]
            self.mailbox = ClientMailbox(_argument(command.line), command.name == "EXAMINE")
            self.last_mailbox = self.mailbox
        elif command.name == "IDLE":
            self._idle = (command.tag, step.idle or 0.0)

    def _write(self, data: bytes, explain: str) -> None:
        self._out += data
        self._transcribe("c2s", data, self.state, self.state, explain)


def _argument(line: str, index: int = 1) -> str:
    """The text of the line's ``index``-th value (a mailbox name), "" if unreadable."""
    try:
        values = Lexer(line.encode()).values()
        return as_text(values[index]) if len(values) > index else ""
    except (ParseError, TypeError):
        return ""


def _list_name(r: ServerResponse) -> str:
    """The mailbox of ``* LIST (attributes) "/" name`` (RFC 3501 §7.2.2)."""
    try:
        return as_text(r.values[2])
    except (IndexError, TypeError):
        return ""


def _explain(r: ServerResponse) -> str:
    if r.kind == "continuation":
        return "imap.cont.literal"
    if r.status:
        return "imap.reply.completed"
    return f"imap.data.{r.name}"
