"""The message store: accounts, folders, messages with UIDs and flags, maildrop locks.

Theory of operation.  One store serves every access protocol, so they all
see the same mail:

- the MDA delivers into a user's INBOX (RFC 5321 §4.4 leaves local delivery
  to the MDA);
- POP3 and POP2 treat INBOX as the "maildrop" and hold an exclusive lock on
  it for the whole session (RFC 1939 §8);
- IMAP sees folders, each with a UIDVALIDITY and strictly increasing UIDs
  that are never reused (RFC 3501 §2.3.1.1), flags, subscriptions and
  special-use roles (RFC 6154).

The store is sans-IO: it never reads the wall clock.  Dates come from the
caller or from the injected ``clock``; UIDVALIDITY values come from a
counter in the store, so the same scenario always produces the same trace.
"""
from __future__ import annotations

import email.utils
import hmac
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from simulator.locale import t
from simulator.mail import folder_names, mime
from simulator.protocols.smtp.chunking import is_binary

Clock = Callable[[], datetime]

INBOX = "INBOX"
HIERARCHY_DELIMITER = "/"
#: Folders every new account gets, with their RFC 6154 special-use attribute.
DEFAULT_FOLDERS = (("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"),
                   ("Junk", "\\Junk"))
#: Without a clock and without a Date: header the internal date is this fixed instant.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StoreError(Exception):
    """A request the store refuses; ``key`` and ``params`` give the ru/en explanation."""

    def __init__(self, key: str, **params: str) -> None:
        self.key, self.params = key, params
        super().__init__(self.message())

    def message(self, lang: str | None = None) -> str:
        return t(f"mail.store.{self.key}", lang, **self.params)

    def __str__(self) -> str:       # KeyError would otherwise print the repr of the args
        return self.message()


class NoSuchUser(StoreError, KeyError):
    """No account with that address."""


class NoSuchFolder(StoreError, KeyError):
    """No folder with that name in the account."""


class QuotaExceeded(StoreError):
    """The message does not fit in the account's quota (RFC 9208 §3.2.1, STORAGE).

    ``permanent`` when the message alone is larger than the whole quota: no
    deletion can ever make room, which RFC 3463 §3.3 calls X.2.3 (a per-mailbox
    length limit, permanent); otherwise the mailbox is full (X.2.2), which the
    same section asks to treat as a persistent transient failure.
    """

    def __init__(self, key: str, *, permanent: bool, **params: str) -> None:
        self.permanent = permanent
        super().__init__(key, **params)


class BadFolderName(StoreError):
    """A name no store accepts (:func:`folder_names.problem` says why)."""


def check_folder_name(name: str) -> None:
    """Raise :class:`BadFolderName` unless ``name`` is valid in every store."""
    found = folder_names.problem(name)
    if found is not None:
        key, params = found
        raise BadFolderName(key, **{k: str(v) for k, v in params.items()})


#: A LF without a CR before it.  The LF comes first in the pattern so that the search
#: jumps from LF to LF (a leading look-behind would be tried at every octet); on a
#: message that is CRLF already it costs half of counting LFs and CRLFs.
_BARE_LF = re.compile(rb"\n(?<!\r\n)")


def crlf(data: bytes) -> bytes:
    """Line ends as on the wire (RFC 5322 §2.1): a bare LF becomes CRLF.

    Binary MIME (RFC 3030 §3) is kept octet for octet: there a LF is data."""
    if _BARE_LF.search(data) is None or is_binary(data):
        return data                 # already CRLF: the usual case, no substitution
    return _BARE_LF.sub(b"\r\n", data)


@dataclass
class StoredMessage:
    """One message in a folder: immutable bytes plus the store's metadata."""

    uid: int
    data: bytes
    flags: set[str] = field(default_factory=set)
    internal_date: datetime = EPOCH

    @property
    def size(self) -> int:
        """Octets as counted by POP3 LIST and IMAP RFC822.SIZE (CRLF line ends)."""
        return len(self.data)

    def summary(self) -> dict:
        """Decoded subject, from, to, date and Message-ID (RFC 2047 words decoded)."""
        facts = mime.summary(self.data)
        return {key: facts[key] for key in ("subject", "from", "to", "date", "message_id")}


def _header_date(data: bytes) -> datetime | None:
    """The Date: of the message, if it has a valid one (a deterministic default)."""
    match = re.search(rb"^Date:[ \t]*(.+?)\r?$", data.split(b"\r\n\r\n", 1)[0], re.MULTILINE | re.IGNORECASE)
    if not match:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(match.group(1).decode("ascii", "replace"))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass
class Folder:
    """A mailbox folder with IMAP's UID rules (RFC 3501 §2.3.1.1)."""

    name: str
    uidvalidity: int
    uidnext: int = 1
    messages: list[StoredMessage] = field(default_factory=list)
    subscribed: bool = True
    special_use: str | None = None
    clock: Clock | None = field(default=None, repr=False, compare=False)

    def append(self, data: bytes, flags: Iterable[str] = (),
               internal_date: datetime | None = None) -> StoredMessage:
        """Store a message under the next UID; UIDs only grow, even after removals."""
        data = crlf(data)
        # RFC 3501 §6.3.11: the internal date defaults to "now"; without a clock we take
        # the message's own Date: so that runs stay reproducible.
        date = internal_date or (self.clock() if self.clock else None)
        date = date or _header_date(data) or EPOCH
        message = StoredMessage(self.uidnext, data, set(flags), date)
        self.uidnext += 1
        self.messages.append(message)
        return message

    def get(self, uid: int) -> StoredMessage | None:
        return next((m for m in self.messages if m.uid == uid), None)

    def remove(self, uids: Iterable[int]) -> list[StoredMessage]:
        """Expunge these UIDs; return the removed messages in folder order."""
        wanted = set(uids)
        removed = [m for m in self.messages if m.uid in wanted]
        self.messages = [m for m in self.messages if m.uid not in wanted]
        return removed

    @property
    def total_size(self) -> int:
        """The maildrop size that POP3 STAT reports (RFC 1939 §5)."""
        return sum(m.size for m in self.messages)


def _folder_key(name: str) -> str:
    """INBOX is case-insensitive, every other name is case-sensitive (RFC 3501 §5.1) and
    taken in its NFC form, as the IMAP server takes it (RFC 9051 §5.1): "豈" (U+F900)
    and its canonical U+8C48 name one folder, whichever spelling asks."""
    return INBOX if name.upper() == INBOX else unicodedata.normalize("NFC", name)


@dataclass
class Account:
    """A user's mailbox: address, credentials and folders (INBOX always present)."""

    address: str
    password: str = ""
    name: str = ""
    folders: dict[str, Folder] = field(default_factory=dict)
    new_uidvalidity: Callable[[], int] = field(default=lambda: 1, repr=False, compare=False)
    clock: Clock | None = field(default=None, repr=False, compare=False)
    quota: int | None = None        # octets all folders together may hold; None: no limit

    def __post_init__(self) -> None:
        if INBOX not in self.folders:
            self.create_folder(INBOX)

    @property
    def login(self) -> str:
        """The local part, which POP3 USER and IMAP LOGIN usually take."""
        return self.address.rpartition("@")[0] or self.address

    @property
    def inbox(self) -> Folder:
        return self.folders[INBOX]

    @property
    def usage(self) -> int:
        """Octets stored in all folders: what the quota counts (RFC 9208 §3.2.1)."""
        return sum(folder.total_size for folder in self.folders.values())

    def check_room(self, size: int) -> None:
        """Raise :class:`QuotaExceeded` unless ``size`` more octets fit in the quota."""
        if self.quota is None:
            return
        params = {"address": self.address, "size": str(size), "usage": str(self.usage),
                  "quota": str(self.quota)}
        if size > self.quota:
            raise QuotaExceeded("quota_too_big", permanent=True, **params)
        if self.usage + size > self.quota:
            raise QuotaExceeded("quota_full", permanent=False, **params)

    def has_folder(self, name: str) -> bool:
        return _folder_key(name) in self.folders

    def folder(self, name: str) -> Folder:
        """The folder called ``name``; :class:`NoSuchFolder` if there is none."""
        try:
            return self.folders[_folder_key(name)]
        except KeyError:
            raise NoSuchFolder("no_folder", folder=name, address=self.address) from None

    def create_folder(self, name: str, special_use: str | None = None) -> Folder:
        """A new empty folder with a fresh UIDVALIDITY (RFC 3501 §6.3.3)."""
        key = _folder_key(name)
        if key in self.folders:
            raise StoreError("folder_exists", folder=name, address=self.address)
        if key != INBOX:
            check_folder_name(key)
        folder = Folder(key, self.new_uidvalidity(), special_use=special_use, clock=self.clock)
        self.folders[key] = folder
        return folder

    def delete_folder(self, name: str) -> Folder:
        """Remove a folder and its messages; INBOX cannot be deleted (RFC 3501 §6.3.4)."""
        if _folder_key(name) == INBOX:
            raise StoreError("inbox_delete")
        folder = self.folder(name)
        del self.folders[folder.name]
        return folder

    def rename_folder(self, old: str, new: str) -> Folder:
        """Rename a folder and its children (RFC 3501 §6.3.5).

        Renaming INBOX moves its messages into a new folder and leaves INBOX
        empty, since INBOX must always exist.
        """
        source = self.folder(old)
        if self.has_folder(new):
            raise StoreError("folder_exists", folder=new, address=self.address)
        if source.name == INBOX:
            return self._move_inbox(new)
        prefix = source.name + HIERARCHY_DELIMITER
        moves = [(name, new + name[len(source.name):]) for name in self.folders
                 if name == source.name or name.startswith(prefix)]
        for _, target in moves:         # every new name is checked before anything moves
            check_folder_name(target)
        self._apply_renames(moves)
        return self.folders[new]

    def _apply_renames(self, moves: list[tuple[str, str]]) -> None:
        """Re-key the folders ``(old name, new name)``: all of them, or (on error) none."""
        folders = [self.folders.pop(old) for old, _ in moves]
        for folder, (_, target) in zip(folders, moves):
            folder.name = target
            self.folders[target] = folder

    def _move_inbox(self, new: str) -> Folder:
        target = self.create_folder(new)
        for message in self.inbox.messages:
            target.append(message.data, message.flags, message.internal_date)
        self.inbox.messages.clear()
        return target


class MailStore:
    """All accounts of one mail server, and the POP maildrop locks."""

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock
        self._accounts: dict[str, Account] = {}
        self._locks: dict[str, str] = {}
        self._uidvalidity = 0

    def _next_uidvalidity(self) -> int:
        """A store-wide counter: deterministic, and never repeated for a re-created folder."""
        self._uidvalidity += 1
        return self._uidvalidity

    @property
    def accounts(self) -> list[Account]:
        """All accounts, sorted by address."""
        return [self._accounts[k] for k in sorted(self._accounts)]

    def add_user(self, address: str, password: str = "", name: str = "") -> Account:
        """A new account with INBOX, Sent, Drafts, Trash and Junk (RFC 6154 special-use)."""
        key = _address_key(address)
        if key in self._accounts:
            raise ValueError(f"user {address} already exists")
        account = Account(address, password, name, new_uidvalidity=self._next_uidvalidity,
                          clock=self.clock)
        for folder, special_use in DEFAULT_FOLDERS:
            account.create_folder(folder, special_use)
        self._accounts[key] = account
        return account

    def find(self, login: str) -> Account | None:
        """The account with this full address, or with this local part if only one has it."""
        if "@" in login:
            return self._accounts.get(_address_key(login))
        matches = [a for a in self._accounts.values() if a.login == login]
        return matches[0] if len(matches) == 1 else None

    def authenticate(self, login: str, password: str) -> Account | None:
        """The account if the password matches, else None (never says which part was wrong)."""
        account = self.find(login)
        if account is None or not hmac.compare_digest(account.password.encode(), password.encode()):
            return None
        return account

    def has_mailbox(self, address: str) -> bool:
        """Whether RCPT TO:<address> names a local mailbox (full address only)."""
        return _address_key(address) in self._accounts

    def account(self, address: str) -> Account:
        """The account of a full address; :class:`NoSuchUser` if there is none."""
        try:
            return self._accounts[_address_key(address)]
        except KeyError:
            raise NoSuchUser("no_user", address=address) from None

    def deliver(self, address: str, data: bytes, internal_date: datetime | None = None,
                folder: str = "INBOX") -> StoredMessage:
        """Local delivery into INBOX (the MDA's job), or another folder such as Junk
        (made with its RFC 6154 special use if missing); :class:`NoSuchUser` if unknown,
        :class:`QuotaExceeded` if the message does not fit in the account's quota."""
        account = self.account(address)
        if account.quota is not None:       # the folder makes the line ends CRLF (once)
            account.check_room(len(crlf(data)))
        if folder.upper() == "INBOX":
            return account.inbox.append(data, (), internal_date)
        if not account.has_folder(folder):
            account.create_folder(folder, special_use=f"\\{folder}")
        return account.folder(folder).append(data, (), internal_date)

    def _lock_key(self, login: str) -> str:
        """One key per maildrop, whether the session names it by address or local part."""
        account = self.find(login)
        return _address_key(account.address if account else login)

    def lock(self, address: str, owner: str) -> bool:
        """Take the exclusive maildrop lock (RFC 1939 §8); False if another owner holds it."""
        if self.find(address) is None:
            raise NoSuchUser("no_user", address=address)
        return self._locks.setdefault(self._lock_key(address), owner) == owner

    def unlock(self, address: str, owner: str) -> None:
        """Release the lock if ``owner`` holds it.

        A session that never got the lock also calls this on QUIT; it must not
        release the lock of the session that does hold it.
        """
        key = self._lock_key(address)
        if self._locks.get(key) == owner:
            del self._locks[key]

    def locked_by(self, address: str) -> str | None:
        """The owner of the maildrop lock, or None."""
        return self._locks.get(self._lock_key(address))

    def snapshot(self) -> dict:
        """JSON-ready, deterministic view: {address: {folder: [{uid, flags, size, subject}]}}."""
        return {account.address: {name: [_message_facts(m) for m in folder.messages]
                                  for name, folder in sorted(account.folders.items())}
                for account in self.accounts}


@lru_cache(maxsize=1024)
def _address_key(address: str) -> str:
    """local@domain with the domain lower-cased (RFC 5321 §2.4: only it is case-insensitive).
    Remembered: each message looks its recipients up several times (RCPT, quota, MDA)."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return f"{local}@{domain.lower()}" if local else domain


def _message_facts(message: StoredMessage) -> dict:
    return {"uid": message.uid, "flags": sorted(message.flags), "size": message.size,
            "subject": message.summary()["subject"]}
