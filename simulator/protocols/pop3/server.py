"""The POP3 server engine (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 1225 LAST).

Sans-IO: the driver calls :meth:`POP3Server.initiate` once the connection
is open, feeds received bytes to :meth:`receive_data` (``b""`` when the peer
closed) and writes out :meth:`data_to_send`.  The engine never sleeps and
never reads a clock: the APOP timestamp comes in the config.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._base import CommandTable, LineServer, LocalProtocolError, TooLong
from . import states as S
from .backend import MaildropBackend
from .drop import Entry, SessionDrop
from .events import (
    Authenticated,
    AuthenticationFailed,
    CommandReceived,
    ConnectionClosed,
    DeletionMarked,
    DeletionsReset,
    MaildropUpdated,
    MessageSent,
    TLSRequested,
)
from .parser import MAX_COMMAND_LINE, Command, apop_digest, parse_command, stuff, top_of
from .replies import ARG_SYNTAX, NO_ARGS, Reply, reply


@dataclass(frozen=True)
class POP3Config:
    """What one POP3 server is: its name and the optional features it offers."""

    hostname: str
    apop_timestamp: str | None = None   # "<pid.clock@host>", chosen by the driver (RFC 1939 §7)
    historical: bool = False            # RFC 1225 mode: LAST exists
    stls: bool = False                  # RFC 2595 STLS offered
    max_failures: int = 3               # failed logins before the server hangs up
    implementation: str = "mailsim"     # RFC 2449 IMPLEMENTATION capability
    plaintext_login: bool = True        # USER/PASS before TLS (off: STLS first, RFC 2595 §2.1)
    implicit_tls: bool = False          # the driver runs TLS from the start (port 995, RFC 8314)

    def offers(self, verb: str) -> bool:
        """Whether this server knows ``verb``: LAST and STLS exist only with their
        switches on (``states.OPTIONAL`` names them for the state diagram)."""
        if verb == "LAST":
            return self.historical
        return verb != "STLS" or self.stls


#: verb → handler(session, arguments) → reply, for every verb of ``states.ALL_COMMANDS``
#: (registered below with ``@HANDLERS.command(VERB)``, the style of every engine).
HANDLERS: CommandTable[Callable[[POP3Server, Command], Reply]] = CommandTable("POP3 server")


class POP3Server(LineServer):
    """One POP3 session, server side."""

    def __init__(self, config: POP3Config, backend: MaildropBackend, *, session_id: str) -> None:
        self.config = config
        self.backend = backend
        self.session_id = session_id
        self.state = S.AUTHORIZATION
        LineServer.__init__(self, MAX_COMMAND_LINE)
        self._user: str | None = None
        self._maildrop: str | None = None
        self._drop: SessionDrop | None = None
        self._failures = 0
        self._tls = config.implicit_tls
        self._override: str | None = None       # a handler's say over the table
        self._cmd_params: dict[str, Any] = {}

    # -- driver API ---------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.state == S.CLOSED

    def initiate(self) -> list[Any]:
        """Send the greeting (RFC 1939 §4), with the APOP timestamp if configured."""
        if self.config.apop_timestamp:
            greeting = reply("greeting_apop", host=self.config.hostname,
                             timestamp=self.config.apop_timestamp)
        else:
            greeting = reply("greeting", host=self.config.hostname)
        self._send_reply(greeting, self.state, self.state)
        return self._take_events()

    def tls_started(self) -> None:
        """The driver finished the TLS handshake: AUTHORIZATION starts afresh (RFC 2595 §4)."""
        if self.state != S.TLS:
            raise LocalProtocolError(f"tls_started() in state {self.state}, expected {S.TLS}")
        self._tls = True
        self._user = None
        self.state = S.AUTHORIZATION

    # -- the command loop ---------------------------------------------------

    def _handle(self, line: bytes | TooLong) -> None:
        before = self.state
        self._override, self._cmd_params = None, {}
        if self._refuse_unreadable(line, before, "pop3", reply):
            return
        cmd = parse_command(line)
        if self._failures and cmd.verb in ("USER", "APOP"):
            # A new try after -ERR: still AUTHORIZATION, as RFC 1939 §7 allows.
            self._cmd_params.update(notes=["pop3.cmd.login_again"], failures=self._failures)
        answer, after = self._dispatch(cmd, before)
        if answer.ok and cmd.verb == "STLS":
            self._cmd_params["discarded"] = len(self._lines.take_rest())
        explain = f"pop3.cmd.{cmd.verb}" if cmd.verb in S.ALL_COMMANDS else "pop3.cmd.unknown"
        params = {"verb": cmd.verb, "args": list(cmd.args), **self._cmd_params}
        self._transcribe("c2s", line, before, after, explain, params)
        final = S.CLOSED if after == S.UPDATE else after
        self._send_reply(answer, after, final)
        self.state = final
        self._events.append(CommandReceived(cmd.verb, cmd.args, answer.ok))

    def _dispatch(self, cmd: Command, state: str) -> tuple[Reply, str]:
        """The reply and the next state, exactly as the table says."""
        if not cmd.verb:
            return reply("empty_line"), state
        if cmd.verb not in S.ALL_COMMANDS or not self._offered(cmd.verb):
            return reply("unknown_command", verb=cmd.verb), state
        tr = S.transition(state, cmd.verb)
        if tr is None:
            allowed = ", ".join(v for v in S.allowed(state) if self._offered(v)) or "none"
            return reply("wrong_state", verb=cmd.verb, state=state, allowed=allowed), state
        low, high, needed = ARG_SYNTAX.get(cmd.verb, NO_ARGS)
        if not low <= len(cmd.args) <= high:
            return reply("bad_arguments", verb=cmd.verb, needed=needed), state
        answer = HANDLERS[cmd.verb](self, cmd)
        return answer, self._override or (tr.on_ok if answer.ok else tr.on_failure)

    def _offered(self, verb: str) -> bool:
        return self.config.offers(verb)

    # -- AUTHORIZATION (RFC 1939 §4, §7) ------------------------------------

    @HANDLERS.command("USER")
    def _do_user(self, cmd: Command) -> Reply:
        if not self._plaintext_allowed():
            return reply("plaintext_disabled")
        # Always +OK: telling "no such user" here would let anyone list the
        # accounts; the verdict comes after PASS, for user and password together.
        self._user = cmd.args[0]
        return reply("user_ok", user=self._user)

    @HANDLERS.command("PASS")
    def _do_pass(self, cmd: Command) -> Reply:
        user = self._user or ""
        maildrop = self.backend.check_password(user, cmd.args[0])
        if maildrop is None:
            return self._failed(user)
        return self._login(user, maildrop, "PASS")

    @HANDLERS.command("APOP")
    def _do_apop(self, cmd: Command) -> Reply:
        """RFC 1939 §7: compare the digest with MD5(timestamp + shared secret)."""
        user, given = cmd.args
        timestamp = self.config.apop_timestamp
        if not timestamp:
            return reply("apop_unavailable")
        found = self.backend.apop_secret(user)
        if found is None:
            self._cmd_params.update(timestamp=timestamp, given=given)
            return self._failed(user)
        maildrop, secret = found
        expected = apop_digest(timestamp, secret)
        self._cmd_params.update(timestamp=timestamp, hashed=timestamp + secret,
                                digest=expected, given=given, match=given.lower() == expected,
                                notes=["pop3.cmd.apop_computed"])
        if given.lower() != expected:
            return self._failed(user)
        return self._login(user, maildrop, "APOP")

    def _failed(self, user: str) -> Reply:
        """A wrong login; after ``max_failures`` of them the server hangs up.

        A real server would also pause before answering to slow down password
        guessing; a sans-IO engine cannot sleep, so the limit does that job.
        """
        self._failures += 1
        self._user = None
        if self._failures >= self.config.max_failures:
            self._override = S.CLOSED
            self._events += [AuthenticationFailed(user, "too-many"),
                             ConnectionClosed("too-many-failures")]
            return reply("too_many_failures", failures=self._failures)
        self._events.append(AuthenticationFailed(user, "auth"))
        return reply("auth_failed", failures=self._failures)

    def _login(self, user: str, maildrop: str, method: str) -> Reply:
        """Lock the maildrop and number its messages (RFC 1939 §4, §8)."""
        if not self.backend.acquire(maildrop, self.session_id):
            self._events.append(AuthenticationFailed(user, "in-use"))
            return reply("in_use", maildrop=maildrop)
        self._maildrop = maildrop
        self._drop = SessionDrop(self.backend.messages(maildrop))
        count, octets = self._drop.totals()
        self._events.append(Authenticated(user, maildrop, method))
        return reply("login_ok", user=user, count=count, octets=octets)

    @HANDLERS.command("STLS")
    def _do_stls(self, cmd: Command) -> Reply:
        if self._tls:
            return reply("stls_again")
        self._events.append(TLSRequested())
        return reply("stls_ok")

    def _plaintext_allowed(self) -> bool:
        return self.config.plaintext_login or self._tls

    @HANDLERS.command("CAPA")
    def _do_capa(self, cmd: Command) -> Reply:
        """RFC 2449 §5: one capability per line."""
        caps = ["TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"]
        if not self._plaintext_allowed():
            caps.remove("USER")             # RFC 2449 §6.5: only when USER/PASS may be used
        if self.config.stls and not self._tls and self.state != S.TRANSACTION:
            caps.append("STLS")
        caps.append(f"IMPLEMENTATION {self.config.implementation}")
        block = stuff("".join(c + "\r\n" for c in caps).encode("ascii"))
        return reply("capa", block=block, capabilities=caps)

    @HANDLERS.command("QUIT")
    def _do_quit(self, cmd: Command) -> Reply:
        if self.state != S.TRANSACTION:
            self._events.append(ConnectionClosed("quit"))
            return reply("quit_auth", host=self.config.hostname)
        return self._update()

    def _update(self) -> Reply:
        """RFC 1939 §6: remove the marked messages, release the lock, sign off."""
        drop = self._require_drop()
        uids = drop.marked_uids()
        if uids:
            self.backend.delete(self._maildrop, uids)
        self._release()
        left, _ = drop.totals()
        self._events += [MaildropUpdated(tuple(uids), left), ConnectionClosed("quit")]
        name = "quit_update" if left else "quit_empty"
        return reply(name, host=self.config.hostname, left=left, deleted=len(uids))

    # -- TRANSACTION (RFC 1939 §5, §7; RFC 1225) ----------------------------

    @HANDLERS.command("STAT")
    def _do_stat(self, cmd: Command) -> Reply:
        count, octets = self._require_drop().totals()
        return reply("stat", count=count, octets=octets)

    @HANDLERS.command("LIST")
    def _do_list(self, cmd: Command) -> Reply:
        if cmd.args:
            return self._with_entry(cmd.args[0], lambda e: reply(
                "list_one", number=e.number, size=e.size))
        drop = self._require_drop()
        count, octets = drop.totals()
        listing = "".join(f"{e.number} {e.size}\r\n" for e in drop.live())
        return reply("list_all", block=stuff(listing.encode()), count=count, octets=octets)

    @HANDLERS.command("UIDL")
    def _do_uidl(self, cmd: Command) -> Reply:
        if cmd.args:
            return self._with_entry(cmd.args[0], lambda e: reply(
                "uidl_one", number=e.number, uid=e.uid))
        listing = "".join(f"{e.number} {e.uid}\r\n" for e in self._require_drop().live())
        return reply("uidl_all", block=stuff(listing.encode()))

    @HANDLERS.command("RETR")
    def _do_retr(self, cmd: Command) -> Reply:
        def send(e: Entry) -> Reply:
            self._require_drop().touch(e.number)
            self._events.append(MessageSent(e.number, e.uid, e.size))
            return reply("retr", block=stuff(e.data), number=e.number, size=e.size)
        return self._with_entry(cmd.args[0], send)

    @HANDLERS.command("TOP")
    def _do_top(self, cmd: Command) -> Reply:
        lines = cmd.args[1]
        if not (lines.isascii() and lines.isdigit()):
            return reply("bad_lines", arg=lines)

        def send(e: Entry) -> Reply:
            part = top_of(e.data, int(lines))
            self._events.append(MessageSent(e.number, e.uid, len(part), int(lines)))
            return reply("top", block=stuff(part), number=e.number, lines=int(lines))
        return self._with_entry(cmd.args[0], send)

    @HANDLERS.command("DELE")
    def _do_dele(self, cmd: Command) -> Reply:
        def mark(e: Entry) -> Reply:
            self._require_drop().mark(e)
            self._events.append(DeletionMarked(e.number, e.uid))
            return reply("dele", number=e.number)
        return self._with_entry(cmd.args[0], mark)

    @HANDLERS.command("NOOP")
    def _do_noop(self, cmd: Command) -> Reply:
        return reply("noop")

    @HANDLERS.command("RSET")
    def _do_rset(self, cmd: Command) -> Reply:
        drop = self._require_drop()
        unmarked = drop.reset()
        self._events.append(DeletionsReset(unmarked))
        count, octets = drop.totals()
        return reply("rset", count=count, octets=octets, unmarked=unmarked)

    @HANDLERS.command("LAST")
    def _do_last(self, cmd: Command) -> Reply:
        return reply("last", last=self._require_drop().last)

    def _with_entry(self, arg: str, action: Callable[[Entry], Reply]) -> Reply:
        found = self._require_drop().find(arg)
        return found if isinstance(found, Reply) else action(found)

    def _require_drop(self) -> SessionDrop:
        if self._drop is None:        # the table makes this unreachable
            raise LocalProtocolError("no maildrop outside TRANSACTION")
        return self._drop

    # -- connection end, output, transcript ---------------------------------

    def _dropped(self) -> None:
        """The client vanished: no UPDATE, so nothing is deleted (RFC 1939 §6)."""
        marked = len(self._drop.deleted) if self._drop else 0
        self._transcribe("c2s", b"", self.state, S.CLOSED, "pop3.event.dropped", {"marked": marked})
        self._release()
        self.state = S.CLOSED
        self._events.append(ConnectionClosed("peer-closed"))

    def _release(self) -> None:
        if self._maildrop is not None:
            self.backend.release(self._maildrop, self.session_id)
            self._maildrop = None

