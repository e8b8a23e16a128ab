"""A session's view of its selected mailbox: the numbers its client knows.

Message sequence numbers (RFC 3501 §2.3.1.2) are positions, 1..n, in the
list of messages *as the client last heard of it*.  They are only shared
knowledge if client and server change them at the same moment: the view
grows only when the server sends ``* n EXISTS`` and shrinks only when it
sends ``* n EXPUNGE``.  Between those moments another session may have
added or removed messages in the backend; :meth:`MailboxView.sync` finds
out what changed, and the session decides *when* it may tell (the EXPUNGE
rules of RFC 3501 §7.4.1 / RFC 9051 §7.5.1).

A message expunged elsewhere but not yet reported stays in the view as a
*ghost*: its number still means it, and its cached record still answers
FETCH (RFC 2180 §4.1.1), while STORE skips it (§4.2.1).
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Changes:
    """What the backend holds that the client has not heard of yet."""

    new: list = field(default_factory=list)            # records, UID order
    gone: list[int] = field(default_factory=list)      # UIDs expunged elsewhere
    flags: list[int] = field(default_factory=list)     # UIDs whose flags differ


class MailboxView:
    """Sequence numbers, cached records, flags as last reported, and this session's \\Recent."""

    def __init__(self, name: str, key: str, read_only: bool, records: list,
                 uidvalidity: int = 0) -> None:
        self.name, self.key, self.read_only = name, key, read_only
        self.uidvalidity = uidvalidity          # to tell the mailbox from a new one of that name
        self.uids: list[int] = [r.uid for r in records]
        self.records = {r.uid: r for r in records}
        self.reported = {r.uid: frozenset(r.flags) for r in records}
        self.recent: set[int] = set()
        self.ghosts: set[int] = set()
        self._numbers: dict[int, int] | None = None     # UID -> number, made when asked

    def __len__(self) -> int:
        return len(self.uids)

    @property
    def exists(self) -> int:
        return len(self.uids)

    def uid_of(self, number: int) -> int:
        return self.uids[number - 1]

    def number_of(self, uid: int) -> int | None:
        """The message number of ``uid`` (None if the view has no such message).

        FETCH 1:* and STORE 1:* ask this for every message: one dictionary,
        rebuilt only after EXISTS or EXPUNGE changed the numbers, keeps them linear.
        """
        if self._numbers is None:
            self._numbers = {uid: number for number, uid in enumerate(self.uids, 1)}
        return self._numbers.get(uid)

    def record(self, uid: int):
        return self.records[uid]

    def flags(self, uid: int, rev1: bool = True) -> list[str]:
        """The flags as the client should see them: stored ones plus \\Recent (rev1 only)."""
        flags = sorted(self.records[uid].flags)
        if rev1 and uid in self.recent:
            flags.insert(0, "\\Recent")
        return flags

    def largest_uid(self) -> int:
        return self.uids[-1] if self.uids else 0

    # -- keeping up with the backend ---------------------------------------------

    def sync(self, records: list) -> Changes:
        """Compare with the backend's current records; updates the cache, not the numbers.

        Every command's completion calls this (``updates.announce``), with 200
        sessions on one mailbox, so the usual case — the same messages, maybe
        new flags — is a single pass that builds nothing.
        """
        if self._same_messages(records):
            return self._flag_changes(records)
        present = {r.uid: r for r in records}
        known = set(self.uids)
        changes = Changes()
        changes.new = [r for r in records if r.uid not in known]
        changes.gone = [uid for uid in self.uids if uid not in present and uid not in self.ghosts]
        self.ghosts.update(changes.gone)
        for uid in self.uids:
            if uid in present:
                self.records[uid] = present[uid]
                if present[uid].flags != self.reported[uid]:
                    changes.flags.append(uid)
        return changes

    def _same_messages(self, records: list) -> bool:
        """Whether the backend holds exactly the view's messages, none gone and none new.

        UIDs only grow (RFC 3501 §2.3.1.1): a message added since the view was
        made has a UID above all of the view's.  So with as many records as the
        view has numbers, no ghost, and the same last UID, no message can have
        been removed and another added: the two lists hold the same UIDs.
        """
        uids = self.uids
        return (len(records) == len(uids) and not self.ghosts
                and (not uids or records[-1].uid == uids[-1]))

    def _flag_changes(self, records: list) -> Changes:
        """Refresh the cached records and list the UIDs whose flags the client has not heard."""
        cached, reported, flags = self.records, self.reported, []
        for record in records:
            cached[record.uid] = record
            if record.flags != reported[record.uid]:      # a set equals a frozenset
                flags.append(record.uid)
        return Changes([], [], flags)

    def add(self, records: list) -> None:
        """New messages join the view: call exactly when sending EXISTS."""
        self._numbers = None
        for record in records:
            self.uids.append(record.uid)
            self.records[record.uid] = record
            self.reported[record.uid] = frozenset(record.flags)

    def remove(self, uid: int) -> int:
        """Drop an expunged message: call exactly when sending its EXPUNGE; its old number."""
        number = self.uids.index(uid) + 1
        del self.uids[number - 1]
        self._numbers = None
        self.records.pop(uid, None)
        self.reported.pop(uid, None)
        self.recent.discard(uid)
        self.ghosts.discard(uid)
        return number

    def mark_reported(self, uid: int) -> None:
        self.reported[uid] = frozenset(self.records[uid].flags)

    def live(self, uid: int) -> bool:
        return uid not in self.ghosts
