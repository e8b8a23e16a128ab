"""Mailbox commands (RFC 3501 §6.3, RFC 9051 §6.3): SELECT, EXAMINE, CREATE, DELETE,
RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB, NAMESPACE (RFC 2342), STATUS, APPEND.

IMAP keeps mail on the server in named mailboxes (folders): the client
works on the server's copy instead of downloading and deleting as POP3
does.  Names are hierarchical with the delimiter ``/``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from . import binary, formatter, listext, names
from .backend import DELIMITER, BackendError, MailboxInfo
from .events import MailboxChanged, MailboxSelected
from .lexer import ParseError
from .listing import STATUS_ITEMS, matches, status_line
from .outcome import HANDLERS, Outcome
from .parser import SYSTEM_FLAGS, Command, arity, astring, date_time, flag_list
from .responses import Response, data, tagged, untagged_status
from .sequence import compress
from .states import Move
from .types import Literal
from .view import MailboxView
from .wildcard import ListPattern

if TYPE_CHECKING:
    from .session import IMAPServer



def deselect(s: IMAPServer) -> None:
    """Leave the selected mailbox: this session's \\Recent claims end with it, and so
    does the saved search result (RFC 5182 §2.1)."""
    s.saved = set()
    if s.view is not None:
        s.hub.unsubscribe(s.view.key, s)
        s.view = None


def _info(s: IMAPServer, name: str) -> MailboxInfo:
    info = s.backend.mailbox(s.account, name)
    if info is None or not info.selectable:
        raise BackendError("no_mailbox", mailbox=name)
    return info


@HANDLERS.command("SELECT", "EXAMINE")
def do_select(s: IMAPServer, cmd: Command) -> Response:
    """SELECT (read-write) or EXAMINE (read-only): open a mailbox and describe it (§6.3.1)."""
    arity(cmd.args, 1, 1)
    name = names.from_wire(s, cmd.args[0])
    had_mailbox = s.view is not None
    deselect(s)
    if had_mailbox and s.rev2:
        s.say(untagged_status("closed"))      # RFC 9051 §7.1: the old mailbox is gone
    info = _info(s, name)
    read_only = cmd.name == "EXAMINE"
    records = s.backend.messages(s.account, info.name)
    view = MailboxView(info.name, info.key, read_only, records, info.uidvalidity)
    uids = [r.uid for r in records]
    recent = s.hub.unclaimed(info.key, uids) if read_only else s.hub.claim(info.key, uids)
    view.recent = set() if read_only else recent
    s.view = view
    s.hub.subscribe(info.key, s)
    _describe(s, view, info, len(recent))
    s.emit(MailboxSelected(info.name, read_only))
    mode = "READ-ONLY" if read_only else "READ-WRITE"
    return tagged(cmd.tag, "select_ok", mode=mode, name=cmd.name, mailbox=info.name)


def _describe(s: IMAPServer, view: MailboxView, info: MailboxInfo, recent: int) -> None:
    """The untagged responses a SELECT must give (RFC 3501 §6.3.1, RFC 9051 §6.3.2)."""
    flags = " ".join(_known_flags(view))
    s.say(data("FLAGS", f"FLAGS ({flags})".encode(), flags=flags))
    s.say(data("EXISTS", b"%d EXISTS" % view.exists, count=view.exists, new=0))
    if not s.rev2:
        s.say(data("RECENT", b"%d RECENT" % recent, count=recent))
        unseen = next((n for n, u in enumerate(view.uids, 1)
                       if "\\Seen" not in view.record(u).flags), None)
        if unseen is not None:
            s.say(untagged_status("exists_unseen", unseen=unseen))
    s.say(untagged_status("uidvalidity", uidvalidity=info.uidvalidity))
    s.say(untagged_status("uidnext", uidnext=info.uidnext))
    permanent = "" if view.read_only else f"{flags} \\*"
    s.say(untagged_status("permanentflags", flags=permanent.strip()))


def _known_flags(view: MailboxView) -> list[str]:
    keywords = sorted({f for r in view.records.values() for f in r.flags} - set(SYSTEM_FLAGS))
    return [*SYSTEM_FLAGS, *keywords]


@HANDLERS.command("CREATE")
def do_create(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 1, 1)
    name = names.from_wire(s, cmd.args[0])
    if name.rstrip(DELIMITER) == "INBOX":
        raise BackendError("mailbox_exists", mailbox=name)
    s.backend.create(s.account, name)
    created = s.backend.mailbox(s.account, name.rstrip(DELIMITER))
    if created is not None:
        s.hub.forget(created.key)
    return tagged(cmd.tag, "completed", name="CREATE")


@HANDLERS.command("DELETE")
def do_delete(s: IMAPServer, cmd: Command) -> Response | Outcome:
    """DELETE refuses a mailbox with children in this server (RFC 3501 §6.3.4 allows either)."""
    arity(cmd.args, 1, 1)
    name = names.from_wire(s, cmd.args[0])
    if name == "INBOX":
        return tagged(cmd.tag, "inbox_delete")
    info = _info(s, name)
    if any(m.name.startswith(name + DELIMITER) for m in s.backend.mailboxes(s.account)):
        return tagged(cmd.tag, "has_children", mailbox=name)
    s.backend.delete(s.account, name)
    selected = s.view is not None and s.view.key == info.key
    if selected:
        deselect(s)          # deleting the selected mailbox: the session must not keep its view
    s.hub.forget(info.key)
    done = tagged(cmd.tag, "completed", name="DELETE")
    return Outcome(done, Move.DESELECT) if selected else done


@HANDLERS.command("RENAME")
def do_rename(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 2, 2)
    old, new = names.from_wire(s, cmd.args[0]), names.from_wire(s, cmd.args[1])
    before = s.backend.mailbox(s.account, old)
    s.backend.rename(s.account, old, new)
    after = s.backend.mailbox(s.account, new)
    if before is not None and after is not None:
        s.hub.renamed(before.key, after.key)
    return tagged(cmd.tag, "completed", name="RENAME")


@HANDLERS.command("SUBSCRIBE", "UNSUBSCRIBE")
def do_subscribe(s: IMAPServer, cmd: Command) -> Response:
    arity(cmd.args, 1, 1)
    s.backend.subscribe(s.account, names.from_wire(s, cmd.args[0]), cmd.name == "SUBSCRIBE")
    return tagged(cmd.tag, "completed", name=cmd.name)


@HANDLERS.command("LIST", "LSUB")
def do_list(s: IMAPServer, cmd: Command) -> Response:
    """LIST / LSUB: names matching reference + pattern, with their attributes; LIST with
    options or several patterns is the extended LIST of :mod:`.listext` (RFC 5258)."""
    if cmd.name == "LIST":
        request = listext.parse(cmd.args)
        if request.extended:
            return listext.do_list_extended(s, cmd, request)
    arity(cmd.args, 2, 2)
    reference = names.pattern_from_wire(s, astring(cmd.args[0]))
    pattern = names.pattern_from_wire(s, astring(cmd.args[1]))
    if pattern == "" and cmd.name == "LIST":
        s.say(data("LIST", b'LIST (\\Noselect) "/" ""', name="", attributes="\\Noselect"))
        return tagged(cmd.tag, "completed", name=cmd.name)
    boxes = s.backend.mailboxes(s.account)
    known = {b.name for b in boxes}
    wanted = ListPattern(reference + pattern)
    if cmd.name == "LSUB":
        return _lsub(s, cmd, boxes, wanted)
    for box in boxes:
        shown = _shown(box.name)
        if not matches(wanted, shown):
            continue
        _say_list(s, cmd.name, shown, _attributes(box, known))
    return tagged(cmd.tag, "completed", name=cmd.name)


def _shown(name: str) -> str:
    return "INBOX" if name.upper() == "INBOX" else name


def _say_list(s: IMAPServer, name: str, shown: str, attributes: str) -> None:
    payload = b"%s (%s) \"/\" %s" % (name.encode(), attributes.encode(), names.to_wire(s, shown))
    s.say(data(name, payload, name=shown, attributes=attributes))


def _lsub(s: IMAPServer, cmd: Command, boxes: list[MailboxInfo], wanted: ListPattern) -> Response:
    """LSUB (RFC 3501 §6.3.9): subscribed names; a ``%`` that stops at an unsubscribed
    parent of a subscribed mailbox lists that parent with \\Noselect."""
    known = {b.name for b in boxes}
    subscribed = {b.name: b for b in boxes if b.subscribed}
    shown_parents: set[str] = set()
    for box in boxes:
        shown = _shown(box.name)
        if box.name in subscribed and matches(wanted, shown):
            _say_list(s, cmd.name, shown, _attributes(box, known))
    for name in subscribed:
        parts = name.split(DELIMITER)
        for depth in range(1, len(parts)):
            parent = DELIMITER.join(parts[:depth])
            if parent in subscribed or parent in shown_parents or not matches(wanted, parent):
                continue
            shown_parents.add(parent)
            _say_list(s, cmd.name, parent, "\\Noselect")
    return tagged(cmd.tag, "completed", name=cmd.name)


def _attributes(box: MailboxInfo, known: set[str]) -> str:
    """\\HasChildren / \\HasNoChildren (RFC 3348) and the special use (RFC 6154)."""
    children = any(n.startswith(box.name + DELIMITER) for n in known)
    attrs = ["\\HasChildren" if children else "\\HasNoChildren"]
    if box.special_use:
        attrs.append(box.special_use)
    return " ".join(attrs)


@HANDLERS.command("NAMESPACE")
def do_namespace(s: IMAPServer, cmd: Command) -> Response:
    """NAMESPACE (RFC 2342): personal, other users', shared — each NIL or ((prefix delim))."""
    arity(cmd.args, 0, 0)
    parts = [[list(ns) for ns in kind] or None for kind in s.backend.namespaces(s.account)]
    s.say(data("NAMESPACE", b"NAMESPACE " + formatter.render_all(parts)))
    return tagged(cmd.tag, "completed", name="NAMESPACE")


@HANDLERS.command("STATUS")
def do_status(s: IMAPServer, cmd: Command) -> Response:
    """STATUS: counters of a mailbox without selecting it (RFC 3501 §6.3.10)."""
    arity(cmd.args, 2, 2)
    name = names.from_wire(s, cmd.args[0])
    if not isinstance(cmd.args[1], list) or not cmd.args[1]:
        raise ParseError("syntax.status_items")
    items = [astring(i).upper() for i in cmd.args[1]]
    for item in items:
        if item not in STATUS_ITEMS:
            raise ParseError("syntax.status_item", item=item)
    status_line(s, name, _info(s, name), items)
    return tagged(cmd.tag, "completed", name="STATUS")


@HANDLERS.command("APPEND")
def do_append(s: IMAPServer, cmd: Command) -> Response:
    """APPEND mailbox [(flags)] ["date-time"] literal, repeated for MULTIAPPEND (RFC 3502):
    all messages or none; OK [APPENDUID v uid-set] (RFC 4315 §3)."""
    arity(cmd.args, 2)
    name = names.from_wire(s, cmd.args[0])
    messages = _append_items(cmd.args[1:])
    info = s.backend.mailbox(s.account, name)
    if info is None or not info.selectable:
        raise BackendError("no_mailbox_trycreate", mailbox=name)
    # All or nothing (RFC 3502 §3.1): the quota is checked for every message at once.
    s.backend.check_room(s.account, name, sum(len(content) for content, _, _ in messages))
    uids = [s.backend.append(s.account, name, content, flags, date).uid
            for content, flags, date in messages]
    info = _info(s, name)
    woken = s.hub.notify(info.key, origin=s)
    s.emit(MailboxChanged(info.key, tuple(w.session_id for w in woken)))
    return tagged(cmd.tag, "append_ok", uidvalidity=info.uidvalidity, uid=compress(uids))


def _append_items(args: tuple) -> list[tuple[bytes, list[str], object]]:
    """Each message's (octets, flags, date), all checked before anything is stored
    (RFC 3502 §3.1: MULTIAPPEND is atomic)."""
    out, flags, date, stage = [], [], None, 0    # stage: 1 after flags, 2 after the date
    for value in args:
        if isinstance(value, list) and stage == 0:
            flags, stage = (flag_list(value) if value else []), 1
        elif isinstance(value, Literal):
            content = bytes(value)
            if value.binary:                  # literal8: keep BODY[] 7-bit (RFC 3516 §4.4)
                content = binary.encode_binary_parts(content)
            elif b"\0" in content:
                raise ParseError("syntax.nul_in_literal")   # NUL only in a literal8 (RFC 3516)
            out.append((content, flags, date))
            flags, date, stage = [], None, 0
        elif stage < 2 and not isinstance(value, list):
            date, stage = date_time(value), 2
        else:
            raise ParseError("syntax.append_literal")
    if not out or stage:
        raise ParseError("syntax.append_literal")
    return out

