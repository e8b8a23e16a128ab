"""The MailboxHub: what several sessions on one mailbox share (RFC 3501 §5.2, RFC 9051 §5.2).

The mailbox itself lives in the backend; each session keeps its own
*view* of it (:mod:`.view`): the sequence numbers its client knows.  The
hub adds the two things the backend cannot know:

* **who is looking**: sessions subscribe while they have a mailbox
  selected; when one of them (or the mail delivery agent, through the
  driver) changes the mailbox, :meth:`MailboxHub.notify` wakes the others
  that are idling (RFC 2177), which may push untagged responses at once;
* **\\Recent** (IMAP4rev1 only, RFC 3501 §2.3.2): a message is "recent" in
  exactly one session — the first that notices it — so the flag is state of
  the hub, not of the message.  EXAMINE reports the count without claiming.

The hub never sends anything itself and holds no clock: it only calls back
into sessions, which queue bytes for their drivers.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

Listener = Callable[[str, Any], None]


class MailboxHub:
    """Subscriptions per mailbox key, the \\Recent boundary, and wake-ups."""

    def __init__(self) -> None:
        self._subscribers: dict[str, list[Any]] = {}
        self._recent_from: dict[str, int] = {}      # UIDs >= this were not yet claimed
        self.listeners: list[Listener] = []         # drivers learn who has new output

    def subscribe(self, key: str, session: Any) -> None:
        self._subscribers.setdefault(key, []).append(session)

    def unsubscribe(self, key: str, session: Any) -> None:
        sessions = self._subscribers.get(key, [])
        if session in sessions:
            sessions.remove(session)
        if not sessions:
            self._subscribers.pop(key, None)

    @property
    def watched(self) -> bool:
        """Whether any session has a mailbox selected (else a change wakes nobody)."""
        return bool(self._subscribers)

    def sessions(self, key: str) -> list[Any]:
        return list(self._subscribers.get(key, []))

    def notify(self, key: str, origin: Any = None) -> list[Any]:
        """The mailbox ``key`` changed: wake every other subscriber; those that sent output."""
        woken: list[Any] = []
        for session in self.sessions(key):
            if session is not origin and session.wake():
                woken.append(session)
                for listener in self.listeners:
                    listener(key, session)
        return woken

    # -- \Recent (RFC 3501 §2.3.2) ----------------------------------------------

    def unclaimed(self, key: str, uids: Iterable[int]) -> set[int]:
        """The UIDs that no session has seen as recent yet."""
        start = self._recent_from.get(key, 1)
        return {uid for uid in uids if uid >= start}

    def claim(self, key: str, uids: Iterable[int]) -> set[int]:
        """Claim \\Recent for the unclaimed ones among ``uids``; they are this session's."""
        mine = self.unclaimed(key, uids)
        if mine:
            self._recent_from[key] = max(mine) + 1
        return mine

    def forget_recent(self, key: str, below: int) -> None:
        """Treat every UID below ``below`` as already seen (for fixtures such as RFC 3501 §8)."""
        self._recent_from[key] = max(self._recent_from.get(key, 1), below)

    def forget(self, key: str) -> None:
        """A mailbox was created or deleted under ``key``: its UIDs start afresh.

        RFC 3501 §6.3.3/§6.3.4: a new mailbox with an old name has a new
        UIDVALIDITY and its UIDs restart at 1, so the old \\Recent boundary
        must not hide its first messages.
        """
        self._recent_from.pop(key, None)

    def renamed(self, old: str, new: str) -> None:
        """RENAME keeps the messages and their UIDs (RFC 3501 §6.3.5): the boundary moves too."""
        for key in [k for k in self._recent_from if k == old or k.startswith(old + "/")]:
            self._recent_from[new + key[len(old):]] = self._recent_from.pop(key)

    def recent_count(self, key: str, uids: Iterable[int], session: Any = None) -> int:
        """STATUS RECENT as ``session`` sees it (RFC 3501 §2.3.2, §6.3.10).

        \\Recent belongs to exactly one session: messages another session was
        already told of are not recent here; the unclaimed ones (that the next
        SELECT would get) are, and so are this session's own.
        """
        present = set(uids)
        mine = session.recent_uids() & present if session is not None else set()
        return len(self.unclaimed(key, present) | mine)
