"""The POP2 server engine (RFC 937), over the same maildrop backend as POP3.

Sans-IO with the same shape as ``POP3Server``: ``initiate``,
``receive_data`` (``b""`` = peer closed), ``data_to_send``,
``take_transcript``, ``state``, ``closed``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._base import CommandTable, LineServer, TooLong
from ..pop3.backend import MaildropBackend
from ..pop3.drop import Entry, SessionDrop
from ..pop3.parser import parse_number
from . import states as S
from .events import (
    Authenticated,
    AuthenticationFailed,
    CommandReceived,
    ConnectionClosed,
    DeletionMarked,
    FolderSelected,
    MaildropUpdated,
    MessageSent,
)
from .replies import ARG_SYNTAX, NO_ARGS, Reply, reply

#: RFC 937 sets no limit; this one only keeps a flood from growing memory.
MAX_LINE = 512
#: The names under which HELO's default mailbox is known to FOLD.
INBOX_NAMES = ("INBOX", "")


@dataclass(frozen=True)
class POP2Config:
    hostname: str


def parse_line(line: bytes) -> tuple[str, tuple[str, ...]]:
    """Keyword (upper case) and arguments; HELO keeps spaces inside the password."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    verb, _, rest = text.partition(" ")
    verb = verb.upper()
    if verb == "HELO":
        user, _, password = rest.partition(" ")
        return verb, tuple(a for a in (user, password) if a)
    return verb, tuple(a for a in rest.split(" ") if a)


#: verb → handler(session, arguments) → reply, for every verb of ``states.ALL_COMMANDS``
#: (registered below with ``@HANDLERS.command(VERB)``, the style of every engine).
HANDLERS: CommandTable[Callable[[POP2Server, tuple[str, ...]], Reply | Entry]] = \
    CommandTable("POP2 server")


class POP2Server(LineServer):
    """One POP2 session, server side."""

    def __init__(self, config: POP2Config, backend: MaildropBackend, *, session_id: str) -> None:
        self.config, self.backend, self.session_id = config, backend, session_id
        self.state = S.AUTH
        LineServer.__init__(self, MAX_LINE)
        self._user: str | None = None
        self._maildrop: str | None = None     # locked maildrop id
        self._drop: SessionDrop | None = None  # the selected folder
        self._folder = "INBOX"
        self._current = 1

    @property
    def closed(self) -> bool:
        return self.state == S.DONE

    def initiate(self) -> list[Any]:
        self._send_reply(reply("greeting", host=self.config.hostname), self.state, self.state)
        return self._take_events()

    # -- the command loop ---------------------------------------------------

    def _handle(self, line: bytes | TooLong) -> None:
        before = self.state
        if self._refuse_unreadable(line, before, "pop2", reply):
            return
        verb, args = parse_line(line)
        answer, after = self._dispatch(verb, args, before)
        explain = f"pop2.cmd.{verb}" if verb in S.ALL_COMMANDS else "pop2.cmd.unknown"
        self._transcribe("c2s", line, before, after, explain, {"verb": verb, "args": list(args)})
        self.state = after
        if isinstance(answer, Entry):
            self._send_text(answer)
        else:
            self._send_reply(answer, after, after)
        self._events.append(CommandReceived(verb, args, isinstance(answer, Entry) or answer.ok))

    def _dispatch(self, verb: str, args: tuple[str, ...], state: str) -> tuple[Reply | Entry, str]:
        if verb not in S.ALL_COMMANDS:
            return reply("unknown_command", verb=verb), state
        tr = S.transition(state, verb)
        if tr is None:
            allowed = ", ".join(S.allowed(state)) or "none"
            return reply("wrong_state", verb=verb, state=state, allowed=allowed), state
        low, high, needed = ARG_SYNTAX.get(verb, NO_ARGS)
        if not low <= len(args) <= high:
            return reply("bad_arguments", verb=verb, needed=needed), state
        answer = HANDLERS[verb](self, args)
        ok = isinstance(answer, Entry) or answer.ok
        return answer, tr.on_ok if ok else tr.on_failure

    # -- commands (RFC 937) -------------------------------------------------

    @HANDLERS.command("HELO")
    def _do_helo(self, args: tuple[str, ...]) -> Reply:
        user, password = args
        maildrop = self.backend.check_password(user, password)
        if maildrop is None:
            self._events += [AuthenticationFailed(user, "auth"), ConnectionClosed("auth-failed")]
            return reply("auth_failed")
        if not self.backend.acquire(maildrop, self.session_id):
            self._events += [AuthenticationFailed(user, "in-use"), ConnectionClosed("in-use")]
            return reply("in_use", maildrop=maildrop)
        self._user, self._maildrop = user, maildrop
        self._events.append(Authenticated(user, maildrop, "HELO"))
        return self._select("INBOX")

    @HANDLERS.command("FOLD")
    def _do_fold(self, args: tuple[str, ...]) -> Reply:
        self._apply_deletions()
        return self._select(args[0])

    def _select(self, folder: str) -> Reply:
        """Number the folder's messages; only the user's inbox has any here."""
        own = folder.upper() in INBOX_NAMES or folder == self._user
        self._drop = SessionDrop(self.backend.messages(self._maildrop) if own else [])
        self._folder, self._current = folder, 1
        count = len(self._drop.entries)
        self._events.append(FolderSelected(folder, count))
        return reply("count", count=count, folder=folder)

    @HANDLERS.command("READ")
    def _do_read(self, args: tuple[str, ...]) -> Reply:
        if args:
            number = parse_number(args[0])
            if number is None:
                return reply("bad_number", arg=args[0])
            self._current = number
        return self._size_reply()

    @HANDLERS.command("RETR")
    def _do_retr(self, args: tuple[str, ...]) -> Reply | Entry:
        """The message to send: exactly the announced octets, no status line (RFC 937)."""
        entry = self._current_entry()
        if entry is None:
            return reply("nothing_to_retr", number=self._current)
        self._events.append(MessageSent(entry.number, entry.uid, entry.size))
        return entry

    @HANDLERS.command("ACKS")
    def _do_acks(self, args: tuple[str, ...]) -> Reply:
        self._current += 1
        return self._size_reply()

    @HANDLERS.command("ACKD")
    def _do_ackd(self, args: tuple[str, ...]) -> Reply:
        entry = self._current_entry()
        if entry is not None:
            self._drop.mark(entry)
            self._events.append(DeletionMarked(entry.number, entry.uid))
        self._current += 1
        return self._size_reply()

    @HANDLERS.command("NACK")
    def _do_nack(self, args: tuple[str, ...]) -> Reply:
        return self._size_reply()          # same message again: it did not arrive

    @HANDLERS.command("QUIT")
    def _do_quit(self, args: tuple[str, ...]) -> Reply:
        self._apply_deletions()
        self._release()
        self._events.append(ConnectionClosed("quit"))
        return reply("signoff", host=self.config.hostname)

    def _size_reply(self) -> Reply:
        entry = self._current_entry()
        if entry is None:
            return reply("no_message", number=self._current)
        return reply("size", size=entry.size, number=entry.number)

    def _current_entry(self) -> Entry | None:
        if self._drop is None:
            return None
        found = self._drop.find(str(self._current))
        return found if isinstance(found, Entry) else None

    # -- end of session -----------------------------------------------------

    def _apply_deletions(self) -> None:
        if self._drop is None or self._maildrop is None:
            return
        uids = self._drop.marked_uids()
        if uids:
            self.backend.delete(self._maildrop, uids)
        self._events.append(MaildropUpdated(tuple(uids), len(self._drop.live())))
        self._drop = None

    def _release(self) -> None:
        if self._maildrop is not None:
            self.backend.release(self._maildrop, self.session_id)
            self._maildrop = None

    def _dropped(self) -> None:
        marked = len(self._drop.deleted) if self._drop else 0
        self._transcribe("c2s", b"", self.state, S.DONE, "pop2.event.dropped", {"marked": marked})
        self._release()
        self.state = S.DONE
        self._events.append(ConnectionClosed("peer-closed"))

    # -- output and transcript ----------------------------------------------

    def _send_text(self, entry: Entry) -> None:
        """RETR's message text: the octets that ``=ccc`` announced (RFC 937)."""
        self._out += entry.data
        self._transcribe("s2c", entry.data, S.ITEM, S.NEXT, "pop2.reply.text",
                         {"number": entry.number, "size": entry.size})

