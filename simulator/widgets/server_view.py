"""The server-side state at every step, folded from the trace alone.

A student stepping through a trace asks "what does the server hold now?":
which messages sit in each MTA's queue, how many messages each mailbox has,
which POP3 / POP2 messages are marked deleted in an open session, and what
each IMAP session has been told about its selected mailbox (EXISTS, flags,
EXPUNGE).  Engines are not consulted (docs/architecture.md): the facts come from the
internal steps the network records (``mta.queued`` / ``mta.deferred`` /
``mta.relayed`` / ``mta.bounce`` / ``mta.expired`` / ``mda.deliver``), from
the POP3 and POP2 replies (``login_ok``, ``dele``, ``rset``, ``quit_update``;
``#N messages``, ``ACKD``, sign-off) and from the IMAP lines themselves
(:mod:`.server_imap`).

:func:`server_views` computes one immutable :class:`ServerView` *after* each
step, once; stepping backwards is then only a list lookup.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from simulator.trace import Step, Trace

from .server_imap import EXPUNGING, ImapSession, first_arg, fold, unquote


@dataclass(frozen=True)
class QueueItem:
    """One message in an MTA queue and what happened to it last (an explanation key)."""

    queue_id: str
    status: str                 # ui.server.queued / ui.server.deferred / ui.server.bounce
    params: tuple = ()          # (name, value) pairs for the status text


@dataclass(frozen=True)
class Pop3Session:
    """A POP3 (or POP2) session's view of its maildrop (RFC 1939 §5: DELE only marks;
    RFC 937: ACKD deletes the message just read when the folder is left)."""

    user: str
    count: int
    deleted: tuple[int, ...] = ()
    closed: bool = False
    protocol: str = "POP3"
    current: int = 0            # POP2: the message the last READ / ACK announced


@dataclass(frozen=True)
class ServerView:
    """Queues per MTA node, message counts per mailbox, POP3/POP2 and IMAP sessions
    per connection."""

    queues: dict[str, tuple[QueueItem, ...]] = field(default_factory=dict)
    mailboxes: dict[str, int] = field(default_factory=dict)
    pop3: dict[str, Pop3Session] = field(default_factory=dict)
    imap: dict[str, ImapSession] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (any(self.queues.values()) or self.mailboxes or self.pop3 or self.imap)


def _with_queue(view: ServerView, node: str, items: tuple[QueueItem, ...]) -> ServerView:
    return replace(view, queues={**view.queues, node: items})


def _drop(items: tuple[QueueItem, ...], queue_id: str) -> tuple[QueueItem, ...]:
    return tuple(i for i in items if i.queue_id != queue_id)


def _upsert(view: ServerView, node: str, item: QueueItem) -> ServerView:
    items = view.queues.get(node, ())
    if any(i.queue_id == item.queue_id for i in items):
        items = tuple(item if i.queue_id == item.queue_id else i for i in items)
    else:
        items = (*items, item)
    return _with_queue(view, node, items)


def _queued(view: ServerView, step: Step) -> ServerView:
    item = QueueItem(step.params["queue_id"], "ui.server.queued")
    return _upsert(view, step.src, item)


def _deferred(view: ServerView, step: Step) -> ServerView:
    # A deferred message stays queued; RFC 5321 §4.5.4.1: it is retried later.
    p = step.params
    item = QueueItem(p["queue_id"], "ui.server.deferred",
                     (("attempt", p.get("attempt", "?")), ("wait", p.get("wait", "?"))))
    return _upsert(view, step.src, item)


def _gone(view: ServerView, step: Step) -> ServerView:
    items = view.queues.get(step.src, ())
    return _with_queue(view, step.src, _drop(items, step.params["queue_id"]))


def _bounce(view: ServerView, step: Step) -> ServerView:
    # The failed original leaves the queue and the DSN takes its place (RFC 3464).
    p = step.params
    items = _drop(view.queues.get(step.src, ()), p.get("original", ""))
    item = QueueItem(p["queue_id"], "ui.server.bounce", (("to", p.get("to", "?")),))
    return _upsert(_with_queue(view, step.src, items), step.src, item)


def _delivered(view: ServerView, step: Step) -> ServerView:
    p = step.params
    view = _gone(view, step)
    box = f"{p['address']}/{p.get('folder', 'INBOX')}"
    return replace(view, mailboxes={**view.mailboxes, box: view.mailboxes.get(box, 0) + 1})


def _pop3_login(view: ServerView, step: Step) -> ServerView:
    session = Pop3Session(str(step.params.get("user", "?")), int(step.params.get("count", 0)))
    return replace(view, pop3={**view.pop3, step.conn: session})


def _pop3_session(view: ServerView, step: Step, change: Callable) -> ServerView:
    session = view.pop3.get(step.conn)
    if session is None:
        return view
    return replace(view, pop3={**view.pop3, step.conn: change(session)})


def _pop3_update(view: ServerView, step: Step) -> ServerView:
    """UPDATE (RFC 1939 §6): the marked messages are gone for good, the mailbox shrinks."""
    session = view.pop3.get(step.conn)
    view = _pop3_session(view, step, lambda s: replace(s, closed=True))
    if session is None:
        return view
    boxes = dict(view.mailboxes)
    left = step.params.get("left")      # the server's own count wins when it says it
    for box, count in view.mailboxes.items():
        if box.split("@")[0] == session.user.split("@")[0] and box.endswith("/INBOX"):
            boxes[box] = int(left) if left is not None else max(0, count - len(session.deleted))
    return replace(view, mailboxes=boxes)


def _pop2_helo(view: ServerView, step: Step) -> ServerView:
    args = step.params.get("args") or step.line.split()[1:2] or ["?"]
    session = Pop3Session(str(args[0]), 0, protocol="POP2")
    return replace(view, pop3={**view.pop3, step.conn: session})


def _pop2_ackd(session: Pop3Session) -> Pop3Session:
    return replace(session, deleted=tuple(sorted({*session.deleted, session.current})))


def _mailbox_delta(view: ServerView, box: str, delta: int) -> ServerView:
    count = max(0, view.mailboxes.get(box, 0) + delta)
    return replace(view, mailboxes={**view.mailboxes, box: count})


def _imap_counts(view: ServerView, before: ImapSession, step: Step) -> ServerView:
    """What an IMAP line changes in the mailboxes themselves, counted once: the
    EXPUNGE that the expunging session is told (other sessions hear it too, later),
    the MOVE target (RFC 6851), and a completed APPEND (RFC 9051 §6.3.12)."""
    line = (step.line.splitlines() or [""])[0]
    words = line.split(" ", 2)
    user = before.user
    if step.direction != "s2c" or not user or len(words) < 3:
        return view
    if words[0] == "*" and words[2].upper().startswith("EXPUNGE"):
        running = before.running(*EXPUNGING)
        if running is None or before.mailbox is None:
            return view
        view = _mailbox_delta(view, f"{user}/{before.mailbox}", -1)
        if running[0].endswith("MOVE"):
            target = unquote(running[1].rsplit(" ", 1)[-1])
            view = _mailbox_delta(view, f"{user}/{target}", +1)
        return view
    name, argument = before.command(words[0])
    if name == "APPEND" and words[1].upper() == "OK":
        view = _mailbox_delta(view, f"{user}/{first_arg(argument)}", +1)
    return view


def _imap(view: ServerView, step: Step) -> ServerView:
    before = view.imap.get(step.conn, ImapSession())
    after = fold(before, step)
    view = _imap_counts(view, before, step)
    return view if after == before else replace(view, imap={**view.imap, step.conn: after})


_HANDLERS: dict[str, Callable[[ServerView, Step], ServerView]] = {
    "mta.queued": _queued,
    "mta.deferred": _deferred,
    "mta.relayed": _gone,
    "mta.expired": _gone,
    "mta.bounce": _bounce,
    "mda.deliver": _delivered,
    "pop3.reply.login_ok": _pop3_login,
    "pop3.reply.dele": lambda v, s: _pop3_session(
        v, s, lambda p: replace(p, deleted=tuple(sorted({*p.deleted,
                                                        int(s.params.get("number", 0))})))),
    "pop3.reply.rset": lambda v, s: _pop3_session(v, s, lambda p: replace(p, deleted=())),
    "pop3.reply.quit_update": _pop3_update,
    "pop3.reply.quit_empty": _pop3_update,
    "pop2.cmd.HELO": _pop2_helo,
    "pop2.reply.count": lambda v, s: _pop3_session(
        v, s, lambda p: replace(p, count=int(s.params.get("count", 0)), deleted=())),
    "pop2.reply.size": lambda v, s: _pop3_session(
        v, s, lambda p: replace(p, current=int(s.params.get("number", 0)))),
    "pop2.cmd.ACKD": lambda v, s: _pop3_session(v, s, _pop2_ackd),
    "pop2.reply.signoff": _pop3_update,     # RFC 937: ACKD deletions happen now
}


def apply(view: ServerView, step: Step) -> ServerView:
    """The view after ``step`` (unchanged when the step tells nothing about server state)."""
    if step.protocol == "IMAP" and step.conn:
        return _imap(view, step)
    handler = _HANDLERS.get(step.explain)
    return handler(view, step) if handler else view


def server_views(trace: Trace) -> list[ServerView]:
    """``views[i]`` is the server-side state right after step ``i``."""
    views, view = [], ServerView()
    for step in trace:
        view = apply(view, step)
        views.append(view)
    return views
