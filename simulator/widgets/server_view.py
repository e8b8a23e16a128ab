"""The server-side state at every step, folded from the trace alone.

A student stepping through a trace asks "what does the server hold now?":
which messages sit in each MTA's queue, how many messages each mailbox has,
which POP3 messages are marked deleted in an open session.  Engines are not
consulted (DESIGN.md §1): the facts come from the internal steps the network
records (``mta.queued`` / ``mta.deferred`` / ``mta.relayed`` / ``mta.bounce`` /
``mta.expired`` / ``mda.deliver``) and from the POP3 replies (``login_ok``,
``dele``, ``rset``, ``quit_update``).

:func:`server_views` computes one immutable :class:`ServerView` *after* each
step, once; stepping backwards is then only a list lookup.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from simulator.trace import Step, Trace


@dataclass(frozen=True)
class QueueItem:
    """One message in an MTA queue and what happened to it last (an explanation key)."""

    queue_id: str
    status: str                 # ui.server.queued / ui.server.deferred / ui.server.bounce
    params: tuple = ()          # (name, value) pairs for the status text


@dataclass(frozen=True)
class Pop3Session:
    """A POP3 session's view of its maildrop (RFC 1939 §5: DELE only marks)."""

    user: str
    count: int
    deleted: tuple[int, ...] = ()
    closed: bool = False


@dataclass(frozen=True)
class ServerView:
    """Queues per MTA node, message counts per mailbox, POP3 sessions per connection."""

    queues: dict[str, tuple[QueueItem, ...]] = field(default_factory=dict)
    mailboxes: dict[str, int] = field(default_factory=dict)
    pop3: dict[str, Pop3Session] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (any(self.queues.values()) or self.mailboxes or self.pop3)


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
}


def apply(view: ServerView, step: Step) -> ServerView:
    """The view after ``step`` (unchanged when the step tells nothing about server state)."""
    handler = _HANDLERS.get(step.explain)
    return handler(view, step) if handler else view


def server_views(trace: Trace) -> list[ServerView]:
    """``views[i]`` is the server-side state right after step ``i``."""
    views, view = [], ServerView()
    for step in trace:
        view = apply(view, step)
        views.append(view)
    return views
