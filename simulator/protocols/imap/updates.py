"""Untagged updates about the selected mailbox, and *when* they may be sent.

RFC 3501 §7.4.1 / RFC 9051 §7.5.1: an EXPUNGE response "MUST NOT be sent
when no command is in progress, nor while responding to a FETCH, STORE, or
SEARCH command" (the UID forms are different commands and may see it).  The
reason: EXPUNGE renumbers every later message, and the client must be able
to tell which numbering a response uses.  EXISTS and FETCH (FLAGS) change
no numbers, so they may come with any command's completion; EXISTS never
decreases — the count drops only through EXPUNGE responses.

:func:`announce` is called before each tagged completion and whenever the
hub wakes an IDLEing session.  It holds expunges back while a FETCH, STORE
or SEARCH is running *or still pending in the pipeline*, and notes that in
the trace (``imap.data.EXPUNGE_held``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .lexer import ParseError
from .parser import Command, sequence_set
from .pipeline import NO_EXPUNGE_DURING
from .responses import data
from .types import Atom

if TYPE_CHECKING:
    from .session import IMAPServer


def announce(s: IMAPServer, name: str | None, idle: bool = False) -> None:
    """Send what the client has not heard yet, as far as the rules allow now."""
    view = s.view
    if view is None or mailbox_gone(s):
        return                                  # the next command says BYE (see mailbox_gone)
    changes = view.sync(s.backend.messages(s.account, view.name))
    blocker = _expunge_blocker(s, name)
    if view.ghosts and blocker is None:
        for uid in [u for u in view.uids if u in view.ghosts]:
            number = view.remove(uid)
            s.say(data("EXPUNGE", b"%d EXPUNGE" % number, number=number, uid=uid))
    elif view.ghosts:
        s.notes["expunge_held"] = {"during": blocker, "count": len(view.ghosts)}
    if changes.new:
        new_messages(s, changes.new)
    for uid in changes.flags:
        if view.live(uid) and uid in view.records:
            send_flags(s, uid, with_uid=False)


def mailbox_gone(s: IMAPServer) -> bool:
    """True if the selected mailbox was deleted or renamed since SELECT (by any session).

    RFC 2180 §3.2: a server may allow DELETE or RENAME of a mailbox that other
    sessions have selected and then disconnect them.  The session's message
    numbers and UIDs no longer point anywhere, so its next command gets
    ``* BYE`` (as in Dovecot); a new mailbox of the same name has a new
    UIDVALIDITY and is not the one the client selected.
    """
    info = s.backend.mailbox(s.account, s.view.name)
    return info is None or info.key != s.view.key or info.uidvalidity != s.view.uidvalidity


def _expunge_blocker(s: IMAPServer, name: str | None) -> str | None:
    """The command that forbids EXPUNGE now, or None if it may be sent.

    A pending FETCH/STORE/SEARCH counts as *in progress* once it has started,
    i.e. once nothing it waits for is still pending: one that waits for the
    current command has not started, so it cannot be confused.
    """
    if name in NO_EXPUNGE_DURING:
        return name
    queued = {item.tag for item in s.pending()} | {s.current_tag}
    for item in s.pending():
        started = not any(t in queued for t in item.after)
        if started and item.command.name in NO_EXPUNGE_DURING:
            return item.command.name
    return None


def new_messages(s: IMAPServer, records: list) -> None:
    """``* n EXISTS`` (and ``* n RECENT`` in IMAP4rev1): the view grows here."""
    view = s.view
    view.add(records)
    uids = [r.uid for r in records]
    if not view.read_only:
        view.recent |= s.hub.claim(view.key, uids)
    s.say(data("EXISTS", b"%d EXISTS" % view.exists, count=view.exists, new=len(records)))
    if not s.rev2:
        s.say(data("RECENT", b"%d RECENT" % len(view.recent), count=len(view.recent)))


def send_flags(s: IMAPServer, uid: int, with_uid: bool) -> None:
    """``* n FETCH (FLAGS (...))``: a flag change the client has not seen (RFC 3501 §7.4.2)."""
    view = s.view
    number = view.number_of(uid)
    flags = " ".join(view.flags(uid, rev1=not s.rev2))
    uid_part = f"UID {uid} " if with_uid or s.rev2 else ""
    payload = f"{number} FETCH ({uid_part}FLAGS ({flags}))".encode()
    s.say(data("FETCH_flags", payload, number=number, uid=uid, flags=flags))
    view.mark_reported(uid)


def targets(s: IMAPServer, cmd: Command, index: int = 0) -> list[int]:
    """The UIDs named by the set in ``cmd.args[index]`` (numbers or UIDs), in view order.

    A message number beyond the last one is a client error (BAD), and so is
    any number, ``*`` included, in an empty mailbox (RFC 9051 §9 ``seq-number``;
    Dovecot answers the same).  UIDs that do not exist are silently skipped
    (RFC 3501 §6.4.8), so ``UID FETCH 1:*`` is the safe way to ask for all.
    """
    view = s.view
    if len(cmd.args) <= index or not isinstance(cmd.args[index], Atom):
        raise ParseError("syntax.bad_sequence", value="")
    if cmd.args[index] == "$":                  # the saved search result (RFC 5182 §2.1)
        return [u for u in view.uids if u in s.saved]
    seqset = sequence_set(cmd.args[index])
    if cmd.uid:
        wanted = set(seqset.select(view.uids, view.largest_uid()))
        return [u for u in view.uids if u in wanted]
    if not view.exists:
        raise ParseError("syntax.empty_mailbox", value=str(seqset))
    beyond = max(max(low, high) for low, high in seqset.ranges)   # "*" is STAR, 0
    if beyond > view.exists:
        raise ParseError("syntax.beyond_exists", value=str(seqset), number=beyond,
                         exists=view.exists)
    return [view.uid_of(n) for n in seqset.resolve(view.exists)]
