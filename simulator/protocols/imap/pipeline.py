"""Pipelined commands: what may complete out of order, and what a command costs.

RFC 3501 §5.5 / RFC 9051 §5.5: a client may send several commands without
waiting, and the server may run them concurrently and complete them in any
order — *unless* that would be ambiguous, in which case it "MUST execute
[them] to completion in the order given".  This module decides, for each
pair of pending commands, whether the later one must wait for the earlier,
and names the reason (a locale key, shown in the trace):

* ``imap.order.barrier`` — the earlier (or later) command changes the
  session's state or selected mailbox (LOGIN, SELECT, CLOSE, IDLE, LOGOUT...):
  everything before and after it must be finished first;
* ``imap.order.sequence_after_expunge`` — the later command uses message
  sequence numbers and the earlier one is allowed to send EXPUNGE (any
  command except FETCH, STORE, SEARCH), which would shift those numbers;
* ``imap.order.flags`` — one writes flags the other reads or writes, e.g. a
  FETCH BODY[] that sets \\Seen followed by SEARCH UNSEEN;
* ``imap.order.store_then_copy`` — COPY/MOVE after a STORE must copy the new flags;
* ``imap.order.data`` — any other shared mailbox data (messages, the folder tree).

Costs are *data*, not time: each pending command carries a cost in
abstract units (a NOOP is 1; fetching a body costs per kilobyte).  The
engine never waits; a driver with a clock schedules completions from the
costs, or calls :func:`schedule` for the simple model "every command starts
as soon as the commands it waits for are done, and they run in parallel".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from . import esearch
from .parser import Command
from .types import Atom

#: Commands during which the server must not send EXPUNGE (RFC 3501 §7.4.1).
NO_EXPUNGE_DURING = frozenset({"FETCH", "STORE", "SEARCH"})
BARRIERS = frozenset({"LOGIN", "AUTHENTICATE", "STARTTLS", "LOGOUT", "SELECT", "EXAMINE",
                      "CLOSE", "UNSELECT", "ENABLE", "IDLE"})
USES_SEQUENCE_NUMBERS = frozenset({"FETCH", "STORE", "SEARCH", "COPY", "MOVE"})
BASE_COST = {"NOOP": 1, "CAPABILITY": 1, "CHECK": 1, "NAMESPACE": 1, "LOGOUT": 1,
             "STATUS": 2, "LIST": 2, "LSUB": 2, "FETCH": 2, "STORE": 2, "SEARCH": 3,
             "COPY": 3, "MOVE": 3, "EXPUNGE": 3, "APPEND": 3, "SELECT": 3, "EXAMINE": 3}
DEFAULT_COST = 2
BYTES_PER_UNIT = 1024          # fetching or appending 1 KiB costs one unit
_BODY_ITEMS = ("BODY[", "RFC822", "BINARY[")


@dataclass(frozen=True)
class Effects:
    """What a command touches: resources read and written, and its ordering traits."""

    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()
    barrier: bool = False
    uses_numbers: bool = False
    may_expunge: bool = True


@dataclass
class Pending:
    """A received command not yet completed, as the driver sees it."""

    command: Command
    cost: int
    selected: str | None                  # the mailbox selected when it arrived
    after: tuple[str, ...] = ()           # tags it must wait for
    reason: str | None = None             # locale key: why it waits (the first reason)
    reason_params: dict = field(default_factory=dict)

    @property
    def tag(self) -> str:
        return self.command.tag

    @cached_property
    def effects(self) -> Effects:
        """What it touches; worked out only when another command is pending beside it
        (a command that runs as soon as it is read never needs it)."""
        return effects(self.command, self.selected)


def _fetch_items(cmd: Command) -> list[str]:
    if len(cmd.args) < 2:
        return []
    items = cmd.args[1] if isinstance(cmd.args[1], list) else [cmd.args[1]]
    return [str(i).upper() for i in items if isinstance(i, Atom)]


def _sets_seen(cmd: Command) -> bool:
    """FETCH BODY[...] / RFC822 / RFC822.TEXT set \\Seen; BODY.PEEK and RFC822.HEADER do not."""
    return any(i.startswith(("BODY[", "RFC822.TEXT", "BINARY[")) or i == "RFC822"
               for i in _fetch_items(cmd))


def effects(cmd: Command, selected: str | None) -> Effects:
    """The effects of ``cmd`` with mailbox ``selected`` (None in AUTHENTICATED)."""
    base = cmd.base
    box = selected or ""
    may_expunge = base not in NO_EXPUNGE_DURING or cmd.uid
    numbers = base in USES_SEQUENCE_NUMBERS and not cmd.uid
    if base in BARRIERS or base not in _RESOURCES:
        return Effects(barrier=True, may_expunge=True)
    reads, writes = (set(r) for r in _RESOURCES[base](cmd, box))
    if esearch.uses_saved(cmd):          # "$" is what an earlier SEARCH ... SAVE left (RFC 5182)
        reads.add("searchres")
    if esearch.saves(cmd):
        writes.add("searchres")
    return Effects(frozenset(reads), frozenset(writes), False, numbers, may_expunge)


def _target(cmd: Command, index: int) -> str:
    return str(cmd.args[index]) if len(cmd.args) > index else ""


_RESOURCES = {
    "NOOP": lambda c, b: ((), ()),
    "CAPABILITY": lambda c, b: ((), ()),
    "CHECK": lambda c, b: ((), ()),
    "NAMESPACE": lambda c, b: ((), ()),
    "FETCH": lambda c, b: ({f"messages:{b}", f"flags:{b}"},
                           {f"flags:{b}"} if _sets_seen(c) else ()),
    "STORE": lambda c, b: ({f"messages:{b}", f"flags:{b}"}, {f"flags:{b}"}),
    "SEARCH": lambda c, b: ({f"messages:{b}", f"flags:{b}"}, ()),
    "COPY": lambda c, b: ({f"messages:{b}", f"flags:{b}"},
                          {f"messages:{_target(c, 1)}", f"flags:{_target(c, 1)}"}),
    "MOVE": lambda c, b: ({f"messages:{b}", f"flags:{b}"},
                          {f"messages:{b}", f"messages:{_target(c, 1)}",
                           f"flags:{_target(c, 1)}"}),
    "EXPUNGE": lambda c, b: ({f"flags:{b}"}, {f"messages:{b}"}),
    "APPEND": lambda c, b: ((), {f"messages:{_target(c, 0)}", f"flags:{_target(c, 0)}"}),
    "STATUS": lambda c, b: ({f"messages:{_target(c, 0)}", f"flags:{_target(c, 0)}"}, ()),
    "LIST": lambda c, b: ({"tree"}, ()),
    "LSUB": lambda c, b: ({"tree", "subscriptions"}, ()),
    "CREATE": lambda c, b: ((), {"tree"}),
    "DELETE": lambda c, b: ((), {"tree", f"messages:{_target(c, 0)}"}),
    "RENAME": lambda c, b: ((), {"tree", f"messages:{_target(c, 0)}"}),
    "SUBSCRIBE": lambda c, b: ((), {"subscriptions"}),
    "UNSUBSCRIBE": lambda c, b: ((), {"subscriptions"}),
}


def conflict(earlier: Pending, later: Pending) -> tuple[str, dict] | None:
    """Why ``later`` must wait for ``earlier`` (locale key, params), or None (RFC 9051 §5.5)."""
    a, b = earlier.effects, later.effects
    if a.barrier or b.barrier:
        return "imap.order.barrier", {"first": earlier.command.name}
    if b.uses_numbers and a.may_expunge:
        return "imap.order.sequence_after_expunge", {"first": earlier.command.name}
    shared = sorted((a.writes & (b.reads | b.writes)) | (a.reads & b.writes))
    if not shared:
        return None
    if earlier.command.base == "STORE" and later.command.base in ("COPY", "MOVE"):
        return "imap.order.store_then_copy", {"resource": shared[0]}
    if shared[0].startswith("flags:"):
        return "imap.order.flags", {"resource": shared[0], "first": earlier.command.name}
    return "imap.order.data", {"resource": shared[0], "first": earlier.command.name}


def cost(cmd: Command, octets: int = 0) -> int:
    """Abstract cost: the base for the command plus one unit per KiB it moves."""
    return BASE_COST.get(cmd.base, DEFAULT_COST) + octets // BYTES_PER_UNIT


def moves_bodies(cmd: Command) -> bool:
    """Whether a FETCH transfers message content (so its cost grows with size).

    Header sections do not: a message list asks for ``BODY.PEEK[HEADER.FIELDS
    (FROM SUBJECT)]`` precisely so that a big attachment costs nothing.
    """
    return any((i.startswith(_BODY_ITEMS) or i.startswith("BODY.PEEK[") or i == "FULL")
               and not _header_only(i) for i in _fetch_items(cmd))


def _header_only(item: str) -> bool:
    section = item.partition("[")[2]
    return item == "RFC822.HEADER" or section.startswith("HEADER")


def schedule(pending: list[Pending], done: set[str] | None = None) -> list[tuple[str, int, int]]:
    """``(tag, start, end)`` in completion order, for the model "parallel, costs as durations".

    A command starts when every command it waits for has ended; ties end in
    arrival order.  This is the default order :meth:`IMAPServer.run_pending` uses.
    """
    done = set(done or ())
    ends: dict[str, int] = {}
    out = []
    for item in pending:
        start = max((ends[t] for t in item.after if t in ends), default=0)
        ends[item.tag] = start + item.cost
        out.append((item.tag, start, start + item.cost))
    order = {item.tag: i for i, item in enumerate(pending)}
    return sorted(out, key=lambda row: (row[2], order[row[0]]))
