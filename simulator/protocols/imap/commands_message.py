"""Commands on the messages of the selected mailbox (RFC 3501 §6.4, RFC 9051 §6.4):
CLOSE, UNSELECT (RFC 3691), EXPUNGE, UID EXPUNGE (RFC 4315), STORE, COPY, MOVE
(RFC 6851) and their UID forms; FETCH and SEARCH are in :mod:`.fetch` and :mod:`.search`.

A message is addressed by its *sequence number* (its position now, which
shifts when earlier messages are expunged) or by its *UID* (fixed for as
long as the mailbox's UIDVALIDITY stays the same, RFC 3501 §2.3.1.1).

Each of these commands acts on the messages as the backend holds them *now*
(:func:`_refresh`), not as this session last heard of them: another session
may have expunged a message or changed its flags in the meantime.  A COPY or
MOVE that names a message expunged elsewhere copies nothing and answers
``NO [EXPUNGEISSUED]`` (RFC 2180 §4.4.1, RFC 5530 §3; Dovecot does the same),
so two sessions that MOVE the same message never make two copies.
Commands run one at a time, so each is atomic per message.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import names, updates
from .backend import BackendError
from .events import MailboxChanged
from .lexer import ParseError
from .outcome import HANDLERS
from .parser import Command, arity, flag_list
from .responses import Response, data, tagged, untagged_status
from .sequence import ordered_compress
from .types import Atom

if TYPE_CHECKING:
    from .session import IMAPServer


def _changed(s: IMAPServer, key: str) -> None:
    """Tell the hub (idling sessions may speak now) and the driver."""
    woken = s.hub.notify(key, origin=s)
    s.emit(MailboxChanged(key, tuple(w.session_id for w in woken)))


def _require_writable(s: IMAPServer, cmd: Command) -> Response | None:
    return tagged(cmd.tag, "read_only") if s.view.read_only else None


def _refresh(s: IMAPServer) -> None:
    """Bring the view's records up to date with the backend, numbers unchanged: a message
    expunged elsewhere becomes a ghost (the client still hears its EXPUNGE when allowed)."""
    s.view.sync(s.backend.messages(s.account, s.view.name))


@HANDLERS.command("CLOSE")
def do_close(s: IMAPServer, cmd: Command) -> Response:
    """CLOSE expunges silently (no EXPUNGE responses) and deselects (RFC 3501 §6.4.2)."""
    arity(cmd.args, 0, 0)
    view = s.view
    if not view.read_only:
        _refresh(s)
        doomed = [u for u in view.uids if view.live(u) and "\\Deleted" in view.record(u).flags]
        if doomed:
            s.backend.expunge(s.account, view.name, doomed)
            _changed(s, view.key)
    from .commands_mailbox import deselect
    deselect(s)
    return tagged(cmd.tag, "completed", name="CLOSE")


@HANDLERS.command("UNSELECT")
def do_unselect(s: IMAPServer, cmd: Command) -> Response:
    """UNSELECT: like CLOSE but expunges nothing (RFC 3691)."""
    arity(cmd.args, 0, 0)
    from .commands_mailbox import deselect
    deselect(s)
    return tagged(cmd.tag, "completed", name="UNSELECT")


@HANDLERS.command("EXPUNGE", "UID EXPUNGE")
def do_expunge(s: IMAPServer, cmd: Command) -> Response:
    """Remove \\Deleted messages for good; ``UID EXPUNGE set`` only those UIDs (RFC 4315 §2.1)."""
    if refused := _require_writable(s, cmd):
        return refused
    view = s.view
    if cmd.uid:
        arity(cmd.args, 1, 1)
        allowed = set(updates.targets(s, cmd))
    else:
        arity(cmd.args, 0, 0)
        allowed = set(view.uids)
    _refresh(s)                       # flags as stored now: another session may have undeleted
    doomed = [u for u in view.uids if u in allowed and view.live(u)
              and "\\Deleted" in view.record(u).flags]
    if doomed:
        s.backend.expunge(s.account, view.name, doomed)
        _changed(s, view.key)
    return tagged(cmd.tag, "completed", name=cmd.name)


@HANDLERS.command("STORE", "UID STORE")
def do_store(s: IMAPServer, cmd: Command) -> Response:
    """STORE set FLAGS|+FLAGS|-FLAGS[.SILENT] flags (RFC 3501 §6.4.6)."""
    arity(cmd.args, 3, 3)
    uids = updates.targets(s, cmd)
    item = str(cmd.args[1]).upper() if isinstance(cmd.args[1], Atom) else ""
    mode, _, silent = item.partition(".")
    if mode not in ("FLAGS", "+FLAGS", "-FLAGS") or silent not in ("", "SILENT"):
        raise ParseError("syntax.store_item", item=item)
    flags = set(flag_list(cmd.args[2]))
    if refused := _require_writable(s, cmd):
        return refused
    _refresh(s)
    view, skipped, changed = s.view, 0, False
    for uid in uids:
        if not view.live(uid):
            skipped += 1              # expunged elsewhere: nothing to store (RFC 2180 §4.2.1)
            continue
        changed |= _store_one(s, uid, mode, flags)
        if not silent or cmd.uid:
            updates.send_flags(s, uid, with_uid=cmd.uid)
        view.mark_reported(uid)
    if changed:
        # Only a real change is news for the other sessions: a STORE that sets a flag
        # the message already has must not wake every IDLE client of the mailbox.
        _changed(s, view.key)
    if skipped:
        return tagged(cmd.tag, "expunge_issued")
    return tagged(cmd.tag, "completed", name=cmd.name)


def _store_one(s: IMAPServer, uid: int, mode: str, flags: set[str]) -> bool:
    """Set the flags of one message as ``mode`` says; True if they changed."""
    current = set(s.view.record(uid).flags)
    new = flags if mode == "FLAGS" else current | flags if mode == "+FLAGS" else current - flags
    if new == current:
        return False
    s.backend.set_flags(s.account, s.view.name, uid, new)
    return True


def _copy(s: IMAPServer, cmd: Command) -> tuple[str, list[int], list[int], object]:
    """Copy the named messages with flags and internal date; (target, source, new UIDs, info)."""
    arity(cmd.args, 2, 2)
    uids = updates.targets(s, cmd)
    target = names.from_wire(s, cmd.args[1])
    info = s.backend.mailbox(s.account, target)
    if info is None:
        raise BackendError("no_mailbox_trycreate", mailbox=target)
    _refresh(s)
    view, copied, new = s.view, [], []
    if any(not view.live(uid) for uid in uids):
        raise BackendError("expunge_issued")     # all or nothing (RFC 9051 §6.4.7)
    s.backend.check_room(s.account, info.name, sum(len(view.record(uid).data) for uid in uids))
    for uid in uids:
        record = view.record(uid)
        added = s.backend.append(s.account, info.name, record.data, set(record.flags),
                                 record.internal_date)
        copied.append(uid)
        new.append(added.uid)
    return target, copied, new, info


@HANDLERS.command("COPY", "UID COPY")
def do_copy(s: IMAPServer, cmd: Command) -> Response:
    """COPY: OK [COPYUID uidvalidity source-uids target-uids] (RFC 4315 §3)."""
    _target, copied, new, info = _copy(s, cmd)
    if not copied:
        return tagged(cmd.tag, "copy_none", name=cmd.name)
    _changed(s, info.key)
    return tagged(cmd.tag, "copy_ok", uidvalidity=info.uidvalidity, name=cmd.name,
                  source=ordered_compress(copied), target=ordered_compress(new))


@HANDLERS.command("MOVE", "UID MOVE")
def do_move(s: IMAPServer, cmd: Command) -> Response:
    """MOVE = COPY + expunge of the originals, atomically (RFC 6851 §3.3): the COPYUID
    comes untagged first, then the EXPUNGE responses, then the tagged OK."""
    if refused := _require_writable(s, cmd):
        return refused
    _target, copied, new, info = _copy(s, cmd)
    view = s.view
    if copied:
        s.say(untagged_status("copyuid_untagged", uidvalidity=info.uidvalidity,
                              source=ordered_compress(copied), target=ordered_compress(new)))
        s.backend.expunge(s.account, view.name, copied)
        for uid in copied:
            view.ghosts.add(uid)
            number = view.remove(uid)
            s.say(data("EXPUNGE", b"%d EXPUNGE" % number, number=number, uid=uid))
        _changed(s, view.key)
        if info.key != view.key:
            _changed(s, info.key)
    return tagged(cmd.tag, "move_ok", name=cmd.name)

