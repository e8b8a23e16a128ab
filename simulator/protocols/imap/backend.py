"""What the IMAP server needs from the mail layer (the engine never imports the store).

The mail layer adapts its store to :class:`IMAPBackend`
(``simulator.mail.imap_backend.StoreBackend``).  Messages are any objects
with ``uid``, ``data``, ``flags`` and ``internal_date`` (RFC 3501 §2.3):
the store's own message objects fit.  ``flags`` never holds ``\\Recent``:
that flag belongs to a *session*, not to the message, so the engine's
:class:`~.hub.MailboxHub` keeps it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

DELIMITER = "/"


class MessageRecord(Protocol):
    uid: int
    data: bytes
    flags: set[str]
    internal_date: datetime


@dataclass(slots=True)
class MailboxInfo:
    """The per-mailbox values SELECT and STATUS report (RFC 3501 §2.3.1.1, RFC 6154).

    A value nobody changes; not frozen because each command asks for one (has the
    selected mailbox gone?) and a frozen dataclass costs four times as much to make.
    """

    name: str
    key: str                  # the same for every user who sees this mailbox (shared folders)
    uidvalidity: int
    uidnext: int
    special_use: str | None = None
    subscribed: bool = False
    selectable: bool = True


class BackendError(Exception):
    """A request the mail layer refuses; ``reply`` names the catalogue entry for the NO."""

    def __init__(self, reply: str, **params: object) -> None:
        self.reply, self.params = reply, params
        super().__init__(f"{reply} {params}")


class IMAPBackend(Protocol):
    """Accounts, mailboxes and messages as the IMAP server sees them."""

    def authenticate(self, user: str, password: str) -> str | None:
        """The account id if the password is right, else None."""

    def mailboxes(self, account: str) -> list[MailboxInfo]:
        """Every mailbox the account can see, personal and shared."""

    def mailbox(self, account: str, name: str) -> MailboxInfo | None:
        """One mailbox, or None."""

    def namespaces(self, account: str) -> tuple[list, list, list]:
        """Personal, other users' and shared namespaces as ``[(prefix, delimiter)]`` (RFC 2342)."""

    def messages(self, account: str, name: str) -> list[MessageRecord]:
        """The messages in UID order."""

    def create(self, account: str, name: str) -> None: ...
    def delete(self, account: str, name: str) -> None: ...
    def rename(self, account: str, old: str, new: str) -> None: ...
    def subscribe(self, account: str, name: str, subscribed: bool) -> None: ...

    def subscriptions(self, account: str) -> list[str]:
        """Subscribed names, also those whose mailbox no longer exists (RFC 3501 §6.3.6)."""

    def check_room(self, account: str, name: str, size: int) -> None:
        """Raise BackendError("over_quota") unless ``size`` more octets fit (RFC 9208 §4.3.1)."""

    def append(self, account: str, name: str, data: bytes, flags: Iterable[str],
               internal_date: datetime | None) -> MessageRecord:
        """Store a message under the mailbox's next UID (over quota: BackendError)."""

    def set_flags(self, account: str, name: str, uid: int, flags: set[str]) -> None: ...

    def expunge(self, account: str, name: str, uids: Iterable[int]) -> list[int]:
        """Remove these messages; the UIDs really removed."""
