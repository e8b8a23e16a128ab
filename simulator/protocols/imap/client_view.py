"""What a mail program shows: its local copy of the selected mailbox.

An IMAP client never asks "what is the mailbox now?"; it keeps a list of
messages indexed by sequence number and changes it only as untagged
responses tell it to (RFC 3501 §7.3-§7.4, RFC 9051 §7.4-§7.5):

* ``* n EXISTS`` — the mailbox now has n messages; new ones are appended
  (their UIDs are unknown until a FETCH names them);
* ``* n EXPUNGE`` — message n is gone and *every later message moves down
  by one* (§7.4.1), so a later ``* n EXPUNGE`` means a different message;
* ``* n FETCH (FLAGS (...))`` — message n's flags changed (perhaps by
  another client) or were asked for;
* ``* n RECENT`` — how many messages are new to this session (IMAP4rev1);
* ``* SEARCH`` / ``* ESEARCH`` — the last search result; in IMAP4rev2 it is
  always ESEARCH, and there is no RECENT (RFC 9051 appendix E).

If the client follows these rules exactly, its list equals the server's
mailbox after every tagged completion, which the tests check.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .._base import CommandTable
from .client_responses import ServerResponse, code_number, esearch, fetch_items
from .types import Literal


@dataclass
class ClientMessage:
    """One message as the client knows it; None/empty where it has not asked yet."""

    uid: int | None = None
    flags: frozenset[str] = frozenset()
    size: int | None = None
    header: bytes = b""                   # header fields fetched (BODY[HEADER...])
    body: bytes | None = None             # the whole message, if downloaded (BODY[])


#: untagged response name → method(mailbox, response): what the client learns from it.
UNTAGGED: CommandTable[Callable[[ClientMailbox, ServerResponse], None]] = \
    CommandTable("IMAP client untagged responses")


@dataclass
class ClientMailbox:
    """The selected mailbox as seen through untagged responses."""

    name: str
    read_only: bool = False
    messages: list[ClientMessage] = field(default_factory=list)
    recent: int = 0
    uidvalidity: int | None = None
    uidnext: int | None = None
    flags_allowed: tuple[str, ...] = ()
    found: list[int] = field(default_factory=list)       # the last SEARCH / ESEARCH ALL
    found_uids: bool = False                             # ... as UIDs (UID SEARCH)
    summary: dict[str, object] = field(default_factory=dict)   # ESEARCH MIN/MAX/COUNT

    @property
    def exists(self) -> int:
        return len(self.messages)

    def apply(self, r: ServerResponse) -> bool:
        """Update from one untagged response; True if it concerned this mailbox."""
        if r.status == "OK" and r.code:
            return self._code(r.code)
        handler = UNTAGGED.get(r.name)
        if handler is None or (r.number is None and r.name not in _NO_NUMBER):
            return False
        handler(self, r)
        return True

    def _code(self, code: str) -> bool:
        for name in ("UIDVALIDITY", "UIDNEXT"):
            value = code_number(code, name)
            if value is not None:
                setattr(self, name.lower(), value)
                return True
        return False

    @UNTAGGED.command("EXISTS")
    def on_exists(self, r: ServerResponse) -> None:
        """EXISTS never decreases (RFC 9051 §7.4.1): only grow the list."""
        while len(self.messages) < r.number:
            self.messages.append(ClientMessage())

    @UNTAGGED.command("EXPUNGE")
    def on_expunge(self, r: ServerResponse) -> None:
        """Remove message n; later ones shift down by one (RFC 3501 §7.4.1)."""
        if 1 <= r.number <= len(self.messages):
            del self.messages[r.number - 1]

    @UNTAGGED.command("RECENT")
    def on_recent(self, r: ServerResponse) -> None:
        self.recent = r.number

    @UNTAGGED.command("FLAGS")
    def on_flags(self, r: ServerResponse) -> None:
        if r.values and isinstance(r.values[0], list):
            self.flags_allowed = tuple(str(f) for f in r.values[0])

    @UNTAGGED.command("SEARCH")
    def on_search(self, r: ServerResponse) -> None:
        """``* SEARCH 2 5`` (IMAP4rev1): numbers only."""
        self.found = [int(str(v)) for v in r.values if str(v).isdigit()]
        self.found_uids, self.summary = False, {}

    @UNTAGGED.command("ESEARCH")
    def on_esearch(self, r: ServerResponse) -> None:
        """``* ESEARCH (TAG ..) [UID] ...`` (RFC 4731, IMAP4rev2): ALL as a set, MIN/MAX/COUNT."""
        _tag, uid, items = esearch(r.values)
        self.found = list(items.pop("ALL", []))
        self.found_uids, self.summary = uid, items

    @UNTAGGED.command("FETCH")
    def on_fetch(self, r: ServerResponse) -> None:
        """Whatever the FETCH carries: FLAGS, UID, RFC822.SIZE, header or body octets."""
        if not 1 <= r.number <= len(self.messages):
            return
        message = self.messages[r.number - 1]
        for name, value in fetch_items(r.values).items():
            _store_item(message, name, value)

    # -- what the program shows ---------------------------------------------------
    def rows(self) -> list[tuple[int | None, tuple[str, ...]]]:
        """``(uid, flags)`` per message in sequence order, \\Recent left out (session state)."""
        return [(m.uid, tuple(sorted(f for f in m.flags if f != "\\Recent")))
                for m in self.messages]

    def unseen(self) -> int:
        return sum(1 for m in self.messages if "\\Seen" not in m.flags)


def _store_item(message: ClientMessage, name: str, value: object) -> None:
    if name == "FLAGS" and isinstance(value, list):
        message.flags = frozenset(str(f) for f in value)
    elif name == "UID" and str(value).isdigit():
        message.uid = int(str(value))
    elif name == "RFC822.SIZE" and str(value).isdigit():
        message.size = int(str(value))
    elif isinstance(value, Literal) and name.startswith(("BODY[HEADER", "RFC822.HEADER")):
        message.header = bytes(value)
    elif isinstance(value, Literal) and name in ("BODY[]", "RFC822"):
        message.body = bytes(value)


_NO_NUMBER = frozenset({"FLAGS", "SEARCH", "ESEARCH"})
