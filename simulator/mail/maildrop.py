"""The mail store seen as a POP maildrop: the adapter the POP3 and POP2 servers use.

The protocol engines know only ``MaildropBackend`` (``simulator.protocols.pop3.backend``);
this module maps it onto :class:`~simulator.mail.store.MailStore`: the maildrop
is the account's INBOX, its id is the account address, and the lock is the
store's maildrop lock, so POP3 and POP2 sessions exclude each other.
"""
from __future__ import annotations

from .store import Account, MailStore


def unique_id(uidvalidity: int, uid: int) -> str:
    """A UIDL id (RFC 1939 §7) that is never reused: UIDVALIDITY and UID together.

    A bare UID could come back if the folder were re-created; its
    UIDVALIDITY would then differ (RFC 3501 §2.3.1.1), so the pair stays unique.
    """
    return f"{uidvalidity}.{uid}"


class StoreMaildrop:
    """``MaildropBackend`` over a :class:`MailStore`."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    def check_password(self, user: str, password: str) -> str | None:
        account = self.store.authenticate(user, password)
        return account.address if account else None

    def apop_secret(self, user: str) -> tuple[str, str] | None:
        """The account password doubles as the APOP shared secret (RFC 1939 §7)."""
        account = self.store.find(user)
        if account is None or not account.password:
            return None
        return account.address, account.password

    def acquire(self, maildrop: str, owner: str) -> bool:
        return self.store.lock(maildrop, owner)

    def release(self, maildrop: str, owner: str) -> None:
        self.store.unlock(maildrop, owner)

    def messages(self, maildrop: str) -> list[tuple[str, bytes]]:
        inbox = self._account(maildrop).inbox
        return [(unique_id(inbox.uidvalidity, m.uid), m.data) for m in inbox.messages]

    def delete(self, maildrop: str, uids: list[str]) -> None:
        """Expunge the messages named by their UIDL ids (called only in UPDATE)."""
        inbox = self._account(maildrop).inbox
        prefix = f"{inbox.uidvalidity}."
        numbers = [int(u[len(prefix):]) for u in uids if u.startswith(prefix)]
        inbox.remove(numbers)

    def _account(self, maildrop: str) -> Account:
        return self.store.account(maildrop)
