"""What LIST, LSUB, the extended LIST and STATUS share (RFC 3501 §6.3.8-§6.3.10,
RFC 5258, RFC 5819): matching a name against a pattern, and the ``* STATUS`` line.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import names
from .responses import data

if TYPE_CHECKING:
    from .backend import MailboxInfo
    from .session import IMAPServer
    from .wildcard import ListPattern

#: The STATUS data items (RFC 9051 §6.3.11; DELETED and SIZE are rev2's).
STATUS_ITEMS = ("MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE")


def matches(wanted: ListPattern, shown: str) -> bool:
    """Whether a mailbox name matches a LIST pattern; INBOX in any case (RFC 3501 §5.1)."""
    return wanted.fullmatch(shown) or (shown == "INBOX" and wanted.fullmatch("inbox"))


def status_line(s: IMAPServer, name: str, info: MailboxInfo, items: list[str]) -> None:
    """``* STATUS name (ITEM value ...)`` for STATUS and LIST RETURN (STATUS) (RFC 5819)."""
    records = s.backend.messages(s.account, info.name)
    values = []
    for item in items:
        values += [item, _status_value(s, item, info, records)]
    counts = " ".join(map(str, values)).encode()
    payload = b"STATUS " + names.to_wire(s, name) + b" (" + counts + b")"
    s.say(data("STATUS", payload, mailbox=name, values=" ".join(map(str, values))))


def _status_value(s: IMAPServer, item: str, info: MailboxInfo, records: list) -> int:
    return {
        "MESSAGES": lambda: len(records),
        "RECENT": lambda: s.hub.recent_count(info.key, [r.uid for r in records], s),
        "UIDNEXT": lambda: info.uidnext,
        "UIDVALIDITY": lambda: info.uidvalidity,
        "UNSEEN": lambda: sum("\\Seen" not in r.flags for r in records),
        "DELETED": lambda: sum("\\Deleted" in r.flags for r in records),
        "SIZE": lambda: sum(len(r.data) for r in records),
    }[item]()
