"""The message store on disk: every folder a Maildir (stdlib ``mailbox``), nothing lost on restart.

Theory of operation.  :class:`MaildirStore` keeps :class:`MailStore`'s API, so
the POP3 and IMAP adapters work unchanged; only folders and messages learn
to write themselves down:

- an account is a Maildir at ``ROOT/<address>/`` (its INBOX); other folders
  are Maildir++ subfolders ``.Sent``, ``.a.b`` for ``a/b`` (what Dovecot and
  Courier read), made with :meth:`mailbox.Maildir.add_folder`; the levels are
  spelt reversibly by :mod:`.folder_names` (``dot.name`` is ``.dot\\2ename``);
- a message is written to ``tmp/``, fsync'd, renamed into ``cur/`` with its
  flags in the info suffix (``:2,FS``: \\Flagged \\Seen, the Maildir spec's
  letters D F R S T), and the directory is fsync'd — all before the store
  returns, so the MTA's 250 after DATA promises a message that is on disk
  (RFC 5321 §6.1: the 250 takes responsibility);
- IMAP UIDs and UIDVALIDITY (RFC 3501 §2.3.1.1) live in a small
  ``mailsim-uidlist`` per folder, replaced atomically; a message file the
  list does not name (a crash between the two writes) gets the next UID on
  start, so every delivered message is there exactly once.
"""
from __future__ import annotations

import errno
import itertools
import mailbox
import os
import shutil
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import folder_names
from .store import (
    DEFAULT_FOLDERS,
    INBOX,
    Account,
    Folder,
    MailStore,
    StoredMessage,
    StoreError,
    _address_key,
)

#: IMAP system flags and their Maildir info letters (cr.yp.to/proto/maildir.html).
LETTERS = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R", "\\Seen": "S", "\\Deleted": "T"}
FLAGS = {letter: flag for flag, letter in LETTERS.items()}
UIDLIST = "mailsim-uidlist"
#: What separates a message's key from its info (``:2,FS``).  Windows forbids ":" in file
#: names; there the Maildir convention (and :attr:`mailbox.Maildir.colon`) is "!".
INFO_SEP = "!" if os.name == "nt" else ":"
UNSUBSCRIBED = "unsubscribed"      # the UID list's header marks a folder the user unsubscribed
_counter = itertools.count()


def _fsync_dir(path: Path) -> None:
    """A rename is durable only once its directory is (POSIX leaves that to fsync).

    Windows cannot open a directory for fsync; NTFS journals the rename itself.
    """
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _info(flags) -> str:
    return INFO_SEP + "2," + "".join(sorted(LETTERS[f] for f in flags if f in LETTERS))


class MaildirMessage(StoredMessage):
    """A StoredMessage whose flag changes rename its file (flags live in the name)."""

    key: str = ""
    box: MaildirBox | None = None

    @property
    def flags(self) -> set[str]:
        return self._flags

    @flags.setter
    def flags(self, value) -> None:
        old, self._flags = getattr(self, "_flags", set()), set(value)
        if self.box is not None and old != self._flags:
            self.box.reflag(self, old)


class MaildirBox:
    """One folder's Maildir directory: writing, renaming, removing, the UID list."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder: Folder | None = None

    def write(self, message: MaildirMessage) -> None:
        """tmp/ → fsync → cur/ with the flags → fsync the directory (the Maildir delivery)."""
        key = f"{time.time_ns() // 1000}.M{next(_counter)}P{os.getpid()}.{socket.gethostname()}"
        tmp = self.path / "tmp" / key
        with open(tmp, "wb") as handle:
            handle.write(message.data)
            handle.flush()
            os.fsync(handle.fileno())
        stamp = message.internal_date.timestamp()
        os.utime(tmp, (stamp, stamp))           # the internal date, as Dovecot keeps it
        os.rename(tmp, self._file(key, message.flags))
        _fsync_dir(self.path / "cur")
        message.key, message.box = key, self

    def _file(self, key: str, flags) -> Path:
        return self.path / "cur" / (key + _info(flags))

    def reflag(self, message: MaildirMessage, old: set[str]) -> None:
        os.rename(self._file(message.key, old), self._file(message.key, message.flags))
        _fsync_dir(self.path / "cur")
        if {f for f in old if f not in LETTERS} != {f for f in message.flags if f not in LETTERS}:
            self.save(self.folder)          # keywords have no letter: the UID list keeps them

    def unlink(self, message: MaildirMessage) -> None:
        self._file(message.key, message.flags).unlink(missing_ok=True)

    # -- the UID list --------------------------------------------------------------
    def save(self, folder: Folder) -> None:
        """``uidvalidity uidnext [unsubscribed]`` then ``uid key keyword…`` per message,
        replaced atomically."""
        lines = [f"{folder.uidvalidity} {folder.uidnext}" + ("" if folder.subscribed
                                                             else f" {UNSUBSCRIBED}")]
        lines += [" ".join([str(m.uid), m.key, *sorted(f for f in m.flags if f not in LETTERS)])
                  for m in folder.messages]
        tmp = self.path / (UIDLIST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path / UIDLIST)
        _fsync_dir(self.path)

    def load(self, folder: Folder) -> None:
        """Fill ``folder`` from disk; files the UID list does not know get new UIDs."""
        self.folder = folder
        known = self._read_uidlist(folder)
        files = self._scan()
        for key in sorted(files, key=lambda k: (known.get(k, (1 << 62, []))[0], k)):
            name, flags = files[key]
            uid, keywords = known.get(key, (None, []))
            if uid is None:
                uid = folder.uidnext
            folder.uidnext = max(folder.uidnext, uid + 1)
            path = self.path / name
            date = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            message = MaildirMessage(uid, path.read_bytes(), flags | set(keywords), date)
            message.key, message.box = key, self
            folder.messages.append(message)
        self.save(folder)

    def _read_uidlist(self, folder: Folder) -> dict[str, tuple[int, list[str]]]:
        try:
            lines = (self.path / UIDLIST).read_text("utf-8").splitlines()
        except FileNotFoundError:
            return {}
        validity, uidnext, *rest = lines[0].split()
        folder.uidvalidity, folder.uidnext = int(validity), int(uidnext)
        # set around MaildirFolder.__setattr__: saving now would write a half-read list
        object.__setattr__(folder, "subscribed", UNSUBSCRIBED not in rest)
        known = {}
        for line in lines[1:]:
            uid, key, *keywords = line.split()
            known[key] = (int(uid), keywords)
        return known

    def _scan(self) -> dict[str, tuple[str, set[str]]]:
        """key -> (path inside the Maildir, flags) for every message in new/ and cur/."""
        out = {}
        for sub in ("new", "cur"):      # new/ first: its files move into cur/
            for entry in os.scandir(self.path / sub):
                key, _, info = entry.name.partition(INFO_SEP + "2,")
                name = entry.name
                if sub == "new":        # delivered by another program: move it to cur/
                    name = key + INFO_SEP + "2,"
                    os.rename(entry.path, self.path / "cur" / name)
                out[key] = (f"cur/{name}", {FLAGS[c] for c in info if c in FLAGS})
        return out


@dataclass
class MaildirFolder(Folder):
    """A Folder that writes every change through its :class:`MaildirBox`."""

    box: MaildirBox | None = None

    def __setattr__(self, name: str, value) -> None:
        super().__setattr__(name, value)
        box = self.__dict__.get("box")
        if name == "subscribed" and box is not None and box.folder is self:
            box.save(self)      # SUBSCRIBE / UNSUBSCRIBE survive a restart (RFC 3501 §6.3.6)

    def append(self, data: bytes, flags=(), internal_date=None) -> StoredMessage:
        """Store the message on disk, then show it: a write the disk refuses leaves no
        message that other sessions could see now and that would vanish at a restart."""
        plain = super().append(data, flags, internal_date)
        message = MaildirMessage(plain.uid, plain.data, set(plain.flags), plain.internal_date)
        try:
            self.box.write(message)
        except OSError as exc:
            self.messages.pop()         # its UID is simply never used (RFC 3501 §2.3.1.1)
            raise _disk_error(self.name, exc) from None
        self.messages[-1] = message
        self.box.save(self)
        return message

    def remove(self, uids) -> list[StoredMessage]:
        removed = super().remove(uids)
        for message in removed:
            self.box.unlink(message)
        if removed:
            self.box.save(self)
        return removed


def _folder_dir(root: Path, name: str) -> Path:
    """INBOX is the account's Maildir; ``a/b`` is the Maildir++ subfolder ``.a.b``
    (each level escaped by :func:`folder_names.storage_name`)."""
    return root if name == INBOX else root / ("." + folder_names.storage_name(name))


def _disk_error(name: str, exc: OSError) -> StoreError:
    return StoreError("disk_error", folder=name, detail=exc.strerror or exc.__class__.__name__)


@dataclass
class MaildirAccount(Account):
    """An Account whose folders are Maildirs under ``root``."""

    root: Path = Path(".")

    def __post_init__(self) -> None:
        self._maildir = mailbox.Maildir(self.root, factory=None, create=True)
        self._maildir.colon = INFO_SEP
        super().__post_init__()
        for storage in sorted(self._maildir.list_folders()):
            name = folder_names.folder_name(storage)
            if name is not None and not self.has_folder(name):   # None: not written by us
                self.create_folder(name)

    def create_folder(self, name: str, special_use: str | None = None) -> Folder:
        """Open the folder on disk if it is there, else make it (RFC 3501 §6.3.3).

        All or nothing: if the disk refuses, the folder is neither listed nor
        left half-made on disk, so it cannot vanish at the next start.
        """
        folder = super().create_folder(name, special_use)     # checks the name
        path = _folder_dir(self.root, folder.name)
        made = folder.name != INBOX and not path.exists()
        try:
            if made:
                self._maildir.add_folder(folder_names.storage_name(folder.name))
            disk = MaildirFolder(folder.name, folder.uidvalidity, special_use=special_use,
                                 clock=self.clock, box=MaildirBox(path))
            disk.box.load(disk)
        except OSError as exc:
            del self.folders[folder.name]
            if made:
                shutil.rmtree(path, ignore_errors=True)
            raise _disk_error(name, exc) from None
        self.folders[folder.name] = disk
        return disk

    def delete_folder(self, name: str) -> Folder:
        """One atomic rename takes the directory out of the Maildir++ list (into the
        INBOX's ``tmp/``), so a removal that stops half way cannot bring it back."""
        folder = self.folder(name)
        if folder.name == INBOX:
            return super().delete_folder(name)      # refused: INBOX always exists
        trash = self.root / "tmp" / f"deleted.{time.time_ns()}.{next(_counter)}"
        try:
            os.rename(folder.box.path, trash)
        except OSError as exc:
            raise _disk_error(name, exc) from None
        _fsync_dir(self.root)
        super().delete_folder(name)
        shutil.rmtree(trash, ignore_errors=True)
        return folder

    def _apply_renames(self, moves: list[tuple[str, str]]) -> None:
        """Rename the directories first, undoing those done if one fails, then the folders."""
        done: list[tuple[MaildirBox, Path]] = []
        try:
            for old, new in moves:
                box = self.folders[old].box
                target = _folder_dir(self.root, new)
                if target.exists():         # os.rename would replace an empty directory
                    raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST))
                os.rename(box.path, target)
                done.append((box, box.path))
                box.path = target
        except OSError as exc:
            for box, path in reversed(done):
                os.rename(box.path, path)
                box.path = path
            raise _disk_error(moves[0][1], exc) from None
        _fsync_dir(self.root)
        super()._apply_renames(moves)

    def _move_inbox(self, new: str) -> Folder:
        moved = list(self.inbox.messages)
        target = super()._move_inbox(new)
        for message in moved:
            self.inbox.box.unlink(message)
        self.inbox.box.save(self.inbox)
        return target


class MaildirStore(MailStore):
    """A MailStore kept in Maildir folders under ``root`` (``mailsim serve --maildir``)."""

    def __init__(self, root: str | os.PathLike, clock=None) -> None:
        super().__init__(clock)
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._validity_file = self.root / "mailsim-uidvalidity"
        saved = int(self._validity_file.read_text()) if self._validity_file.exists() else 0
        # RFC 3501 §2.3.1.1: a re-created folder must not reuse an old UIDVALIDITY,
        # so the counter survives restarts and starts from the clock.
        self._uidvalidity = max(saved, int(time.time()))

    def _next_uidvalidity(self) -> int:
        value = super()._next_uidvalidity()
        self._validity_file.write_text(str(value))
        return value

    def add_user(self, address: str, password: str = "", name: str = "") -> Account:
        """The account on disk (opened if it exists) with the RFC 6154 special-use folders."""
        key = _address_key(address)
        if key in self._accounts:
            raise ValueError(f"user {address} already exists")
        account = MaildirAccount(address, password, name, new_uidvalidity=self._next_uidvalidity,
                                 clock=self.clock, root=self.root / key)
        for folder, special_use in DEFAULT_FOLDERS:
            if account.has_folder(folder):
                account.folder(folder).special_use = special_use
            else:
                account.create_folder(folder, special_use)
        self._accounts[key] = account
        return account


