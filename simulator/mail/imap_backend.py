"""The mail store seen by the IMAP server: the adapter behind ``IMAPBackend``.

The engine (``simulator.protocols.imap``) knows only the backend protocol;
this module maps it onto :class:`~simulator.mail.store.MailStore`.  An
account id is the account's address.  Folders named ``Shared/...`` live in
one designated shared account, so two users who open ``Shared/Team`` see
the same messages, flags and UIDs (RFC 2342 shared namespace).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from simulator.protocols.imap.backend import DELIMITER, BackendError, MailboxInfo

from .store import (
    INBOX,
    Account,
    BadFolderName,
    Folder,
    MailStore,
    NoSuchFolder,
    QuotaExceeded,
    StoredMessage,
    StoreError,
    check_folder_name,
    crlf,
)

SHARED_PREFIX = "Shared" + DELIMITER


class StoreBackend:
    """``IMAPBackend`` over a :class:`MailStore`; ``shared`` is the address holding shared folders."""

    def __init__(self, store: MailStore, shared: str | None = None) -> None:
        self.store = store
        self.shared = shared
        # Subscriptions are names, not folders: they outlive a DELETE (RFC 3501 §6.3.6)
        self._orphans: dict[str, set[str]] = {}

    # -- accounts and names ---------------------------------------------------

    def authenticate(self, user: str, password: str) -> str | None:
        account = self.store.authenticate(user, password)
        return account.address if account else None

    def _resolve(self, account: str, name: str) -> tuple[Account, str]:
        """The account that really holds ``name`` and the folder name inside it."""
        if self.shared and name.startswith(SHARED_PREFIX):
            return self.store.account(self.shared), name[len(SHARED_PREFIX):]
        return self.store.account(account), name

    def _folder(self, account: str, name: str) -> Folder:
        owner, local = self._resolve(account, name)
        try:
            return owner.folder(local)
        except NoSuchFolder:
            raise BackendError("no_mailbox", mailbox=name) from None

    def _info(self, owner: Account, folder: Folder, shown: str) -> MailboxInfo:
        return MailboxInfo(shown, f"{owner.address}/{folder.name}", folder.uidvalidity,
                           folder.uidnext, folder.special_use, folder.subscribed)

    def mailboxes(self, account: str) -> list[MailboxInfo]:
        own = self.store.account(account)
        out = [self._info(own, f, f.name) for f in own.folders.values()]
        if self.shared and self.shared != account:
            shared = self.store.account(self.shared)
            out += [self._info(shared, f, SHARED_PREFIX + f.name)
                    for f in shared.folders.values() if f.name != INBOX]
        return sorted(out, key=lambda info: (info.name != INBOX, info.name))

    def mailbox(self, account: str, name: str) -> MailboxInfo | None:
        # Every IMAP command asks this (has the selected mailbox gone?): resolve once.
        owner, local = self._resolve(account, name)
        try:
            folder = owner.folder(local)
        except NoSuchFolder:
            return None
        return self._info(owner, folder, name)

    def namespaces(self, account: str) -> tuple[list, list, list]:
        shared = [(SHARED_PREFIX, DELIMITER)] if self.shared else []
        return [("", DELIMITER)], [], shared

    # -- mailboxes --------------------------------------------------------------

    def create(self, account: str, name: str) -> None:
        """CREATE with the superior names a client left out (RFC 3501 §6.3.3: ``a/b/c``
        makes ``a`` and ``a/b``); all or nothing, so a failure leaves no folder behind."""
        owner, local = self._resolve(account, name.rstrip(DELIMITER))
        self._guard(lambda: check_folder_name(local), name)
        if owner.has_folder(local):
            raise BackendError("mailbox_exists", mailbox=name)
        parts = local.split(DELIMITER)
        missing = [DELIMITER.join(parts[:depth]) for depth in range(1, len(parts) + 1)
                   if not owner.has_folder(DELIMITER.join(parts[:depth]))]
        made: list[str] = []
        try:
            for prefix in missing:
                self._guard(lambda p=prefix: owner.create_folder(p), name)
                made.append(prefix)
                # RFC 3501 §6.3.6: SUBSCRIBE is the client's choice; CREATE does not imply it
                owner.folder(prefix).subscribed = False
        except BackendError:
            for prefix in reversed(made):
                owner.delete_folder(prefix)
            raise
        if name.rstrip(DELIMITER) in self._orphans.get(account, ()):
            self._orphans[account].discard(name.rstrip(DELIMITER))
            owner.folder(local).subscribed = True

    def delete(self, account: str, name: str) -> None:
        owner, local = self._resolve(account, name)
        self._folder(account, name)
        if local.upper() == INBOX:
            raise BackendError("inbox_delete")
        subscribed = self._folder(account, name).subscribed
        self._guard(lambda: owner.delete_folder(local), name)
        if subscribed:
            self._orphans.setdefault(account, set()).add(name)

    def rename(self, account: str, old: str, new: str) -> None:
        owner, local_old = self._resolve(account, old)
        target, local_new = self._resolve(account, new)
        if owner is not target:
            raise BackendError("no_permission", detail="cannot rename across namespaces")
        self._folder(account, old)
        if target.has_folder(local_new):
            raise BackendError("mailbox_exists", mailbox=new)
        self._guard(lambda: owner.rename_folder(local_old, local_new), new)

    def subscribe(self, account: str, name: str, subscribed: bool) -> None:
        if not subscribed and name in self._orphans.get(account, ()):
            self._orphans[account].discard(name)
            return
        self._folder(account, name).subscribed = subscribed

    def subscriptions(self, account: str) -> list[str]:
        """Every subscribed name, including those whose mailbox is gone (RFC 3501 §6.3.6)."""
        names = {b.name for b in self.mailboxes(account) if b.subscribed}
        return sorted(names | self._orphans.get(account, set()))

    @staticmethod
    def _guard(action, name: str) -> None:
        """Run a store action; its StoreError becomes the NO that names the reason."""
        try:
            action()
        except BadFolderName as err:
            raise BackendError(f"mailbox_{err.key}", mailbox=name, **err.params) from None
        except StoreError as err:
            reply = {"folder_exists": "mailbox_exists", "inbox_delete": "inbox_delete",
                     "disk_error": "store_failed"}.get(err.key, "no_mailbox")
            raise BackendError(reply, mailbox=name, **err.params) from None

    # -- messages ---------------------------------------------------------------

    def messages(self, account: str, name: str) -> list[StoredMessage]:
        return list(self._folder(account, name).messages)

    def check_room(self, account: str, name: str, size: int) -> None:
        """NO [OVERQUOTA] unless ``size`` more octets fit in the quota of the account that
        holds ``name`` (RFC 9208 §4.3.1; RFC 5530 §3)."""
        owner, _ = self._resolve(account, name)
        try:
            owner.check_room(size)
        except QuotaExceeded as err:
            raise BackendError("over_quota", mailbox=name, **err.params) from None

    def append(self, account: str, name: str, data: bytes, flags: Iterable[str],
               internal_date: datetime | None) -> StoredMessage:
        try:
            folder = self._folder(account, name)
        except BackendError:
            raise BackendError("no_mailbox_trycreate", mailbox=name) from None
        self.check_room(account, name, len(crlf(data)))
        try:
            return folder.append(data, flags, internal_date)
        except StoreError as err:
            raise BackendError("store_failed", mailbox=name, **err.params) from None

    def set_flags(self, account: str, name: str, uid: int, flags: set[str]) -> None:
        message = self._folder(account, name).get(uid)
        if message is not None:
            message.flags = set(flags)

    def expunge(self, account: str, name: str, uids: Iterable[int]) -> list[int]:
        return [m.uid for m in self._folder(account, name).remove(uids)]
