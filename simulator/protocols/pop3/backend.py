"""What a POP server needs from the mail layer, and a small in-memory one.

The protocol engines stay free of the mail store: they talk to a
:class:`MaildropBackend`.  The mail layer adapts its store to it
(``simulator.mail.maildrop.StoreMaildrop``); tests and small scenarios use
:class:`MemoryMaildrops`.  POP2 uses the same backend.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class MaildropBackend(Protocol):
    """The maildrop operations a POP server calls, in the order it calls them."""

    def check_password(self, user: str, password: str) -> str | None:
        """The canonical maildrop id if ``password`` is right for ``user``, else None."""

    def apop_secret(self, user: str) -> tuple[str, str] | None:
        """(maildrop id, shared secret) for APOP (RFC 1939 §7), or None."""

    def acquire(self, maildrop: str, owner: str) -> bool:
        """Take the exclusive lock (RFC 1939 §8); False if another owner holds it."""

    def release(self, maildrop: str, owner: str) -> None:
        """Give the lock back (a no-op if ``owner`` does not hold it)."""

    def messages(self, maildrop: str) -> list[tuple[str, bytes]]:
        """(unique id, CRLF data) of every message, as at lock time."""

    def delete(self, maildrop: str, uids: list[str]) -> None:
        """Remove messages for good; servers call it only in UPDATE."""


@dataclass
class _Drop:
    password: str
    secret: str | None
    messages: list[tuple[str, bytes]] = field(default_factory=list)


class MemoryMaildrops:
    """A :class:`MaildropBackend` held in a dict: users, passwords, messages, locks."""

    def __init__(self) -> None:
        self._drops: dict[str, _Drop] = {}
        self._locks: dict[str, str] = {}
        self._next_uid = 1

    def add_user(self, user: str, password: str, *, apop_secret: str | None = None) -> None:
        self._drops[user] = _Drop(password, apop_secret)

    def add_message(self, user: str, data: bytes, uid: str | None = None) -> str:
        """Append a message (CRLF line ends expected) and return its unique id."""
        uid = uid or f"uid{self._next_uid:04d}"
        self._next_uid += 1
        self._drops[user].messages.append((uid, data))
        return uid

    def check_password(self, user: str, password: str) -> str | None:
        drop = self._drops.get(user)
        return user if drop is not None and drop.password == password else None

    def apop_secret(self, user: str) -> tuple[str, str] | None:
        drop = self._drops.get(user)
        return (user, drop.secret) if drop is not None and drop.secret else None

    def acquire(self, maildrop: str, owner: str) -> bool:
        holder = self._locks.setdefault(maildrop, owner)
        return holder == owner

    def release(self, maildrop: str, owner: str) -> None:
        if self._locks.get(maildrop) == owner:
            del self._locks[maildrop]

    def locked_by(self, maildrop: str) -> str | None:
        return self._locks.get(maildrop)

    def messages(self, maildrop: str) -> list[tuple[str, bytes]]:
        return list(self._drops[maildrop].messages)

    def delete(self, maildrop: str, uids: list[str]) -> None:
        gone = set(uids)
        drop = self._drops[maildrop]
        drop.messages = [m for m in drop.messages if m[0] not in gone]
