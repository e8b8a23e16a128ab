"""One session's view of a locked maildrop: stable numbers, deletion marks, LAST.

RFC 1939 §4: once the maildrop is locked, message numbers are fixed for
the session (1..n in the order found) and deleted messages keep their
numbers.  Sizes are octets of the CRLF data before byte-stuffing (§11).
"""
from __future__ import annotations

from dataclasses import dataclass

from .parser import lines_of, parse_number
from .replies import Reply, reply


@dataclass(frozen=True)
class Entry:
    number: int
    uid: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


def _was_read(data: bytes) -> bool:
    """Whether a Berkeley-mailbox ``Status:`` header says the message was read.

    RFC 1225 §4 has the server find, at lock time, the last message that
    earlier sessions retrieved; UNIX popper used this header for it.
    """
    for line in lines_of(data):
        if line in (b"\r\n", b"\n"):
            return False
        if line.lower().startswith(b"status:") and b"R" in line[7:]:
            return True
    return False


class SessionDrop:
    """The messages as numbered at lock time, with this session's marks."""

    def __init__(self, messages: list[tuple[str, bytes]]) -> None:
        self.entries = [Entry(i, uid, data) for i, (uid, data) in enumerate(messages, 1)]
        self.deleted: set[int] = set()
        self.initial_last = max((e.number for e in self.entries if _was_read(e.data)), default=0)
        self.last = self.initial_last

    def live(self) -> list[Entry]:
        """Messages not marked as deleted (RFC 1939 §5: STAT and LIST skip the rest)."""
        return [e for e in self.entries if e.number not in self.deleted]

    def totals(self) -> tuple[int, int]:
        live = self.live()
        return len(live), sum(e.size for e in live)

    def find(self, arg: str) -> Entry | Reply:
        """The live message ``arg`` names, or the -ERR reply explaining why not."""
        number = parse_number(arg)
        if number is None:
            return reply("bad_number", arg=arg)
        if not 1 <= number <= len(self.entries):
            return reply("no_such_message", count=len(self.entries))
        if number in self.deleted:
            return reply("already_deleted", number=number)
        return self.entries[number - 1]

    def touch(self, number: int) -> None:
        """RFC 1225: RETR and DELE raise the "highest number accessed"."""
        self.last = max(self.last, number)

    def mark(self, entry: Entry) -> None:
        self.deleted.add(entry.number)
        self.touch(entry.number)

    def reset(self) -> int:
        """RSET: unmark all and restore LAST to its value at lock time (RFC 1225)."""
        count = len(self.deleted)
        self.deleted.clear()
        self.last = self.initial_last
        return count

    def marked_uids(self) -> list[str]:
        return [e.uid for e in self.entries if e.number in self.deleted]
