"""Lab steps checked over the live trace of a class (``docs/quizzes.md``, "Live tasks").

A bank's ``task`` items marked ``live: true`` are the steps of a lab done with
real mail clients against ``mailsim serve``.  :class:`ClassProgress` reads the
server's trace step by step and splits it by student: a connection belongs to
the student who logged in on it (the server's ``serve.explain.logged_in`` step,
``meta.user``), with every step of it, also those before the login (EHLO,
STARTTLS).  Each item's checks then run over one student's part as ``trace``
(:meth:`Trace.of_connections`' kind of trace), with ``student`` the student's
address — the same names a console session gives a live task.

What a class leaves behind is bounded: each student keeps a window of their
newest steps, connections nobody logged in on are kept only until they close
(and only so many), and an item's best score is kept once reached.  The items
are checked for a student whenever their window is about to drop steps and when
asked (:meth:`ClassProgress.evaluate`), so the dashboard, which asks on a timer,
and ``mailsim quiz grade --trace``, which asks once at the end, reach the same
scores from the same steps.

The last mis-configuration the server diagnosed (``meta.diagnosis``,
:mod:`simulator.server.misconfig`) is each row's last error.  It belongs to the
connection's student if someone logged in on it; else to the account its user
name names (a wrong password, ``[IN-USE]``); else to the one student seen at the
client's address; else to a row of that address (a client that never got as
far as a login: SSL/TLS on a STARTTLS port).
"""
from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from simulator.trace import Step, Trace

from .grade import Graded, Report, summarize
from .model import Bank, Item

#: The server's step that says whose connection it is (``meta.user``: the account's address).
LOGGED_IN = "serve.explain.logged_in"
#: The server's step that ends a connection.
CLOSED = "net.close"


class NoLiveItems(ValueError):
    """A bank without a ``live: true`` task: nothing to check over a class's trace."""


def live_items(bank: Bank) -> tuple[Item, ...]:
    """The bank's live tasks, in file order (NoLiveItems if it has none)."""
    items = tuple(item for item in bank if item.type == "task" and item.data.get("live"))
    if not items:
        raise NoLiveItems(bank.id)
    return items


@dataclass
class Row:
    """One student (or one client address nobody logged in from) on the class's view."""

    key: str                    # the account's address, or the client's address
    name: str = ""
    account: bool = True        # False: a client address, no student known
    window: deque = field(default_factory=deque)
    weight: int = 0
    scores: dict[str, float] = field(default_factory=dict)     # item id -> best share so far
    done_at: dict[str, float] = field(default_factory=dict)    # item id -> trace time
    error: Step | None = None   # the last diagnosis
    dirty: bool = False
    steps: int = 0              # every step of theirs ever read

    @property
    def login(self) -> str:
        return self.key.partition("@")[0] if self.account else self.key

    def done(self, item: str) -> bool:
        return self.scores.get(item, 0.0) >= 1.0


class ClassProgress:
    """Which live tasks each student of a class has done, from the steps of a live trace.

    ``roster`` lists the class as ``(address, name)`` pairs, so a student who has
    not started yet has a row too; anyone else who logs in gets one as well.
    """

    def __init__(self, bank: Bank, roster: Iterable[tuple[str, str]] = (), *,
                 max_steps: int = 1000, max_bytes: int = 512 << 10,
                 max_pending: int = 256, max_pending_steps: int = 200) -> None:
        self.items = live_items(bank)
        self.bank = replace(bank, items=self.items)
        self.max_steps, self.max_bytes = max_steps, max_bytes
        self.max_pending, self.max_pending_steps = max_pending, max_pending_steps
        self.rows: dict[str, Row] = {}
        for address, name in roster:
            self.rows[address.lower()] = Row(address.lower(), name)
        self.steps_read = 0
        self.runs = 0
        self._last_index = -1
        self._new_run()

    def _new_run(self) -> None:
        """A server run starts: connection ids begin again at c1."""
        self.runs += 1
        self._owner: dict[str, str] = {}                    # conn -> the student's address
        self._pending: OrderedDict[str, list[Step]] = OrderedDict()   # conns with no login
        self._seen_at: dict[str, set[str]] = {}              # client address -> students

    # -- reading ----------------------------------------------------------------------------
    def feed(self, steps: Iterable[Step]) -> None:
        """Take the next steps of the trace, in order."""
        for step in steps:
            if step.index <= self._last_index:
                self._new_run()
            self._last_index = step.index
            self.steps_read += 1
            self._take(step)

    def _take(self, step: Step) -> None:
        conn = step.conn
        if conn is None:
            return                              # the MTA's queue, deliveries: nobody's own
        if step.explain == LOGGED_IN and step.meta.get("user"):
            self._logged_in(conn, str(step.meta["user"]).lower(), step)
        owner = self._owner.get(conn)
        if owner is not None:
            self._append(self.rows[owner], step)
        else:
            self._hold(conn, step)
        if step.meta.get("diagnosis"):
            row = self._row_of_error(step, owner)
            row.error = step
            row.dirty = True
        if step.explain == CLOSED:
            self._owner.pop(conn, None)
            self._pending.pop(conn, None)

    def _logged_in(self, conn: str, user: str, step: Step) -> None:
        row = self._row(user)
        self._owner[conn] = user
        self._seen_at.setdefault(_client_address(step.src), set()).add(user)
        for held in self._pending.pop(conn, ()):
            self._append(row, held)

    def _hold(self, conn: str, step: Step) -> None:
        """Keep a connection's steps until someone logs in on it (bounded: a port scan,
        a client that never logs in, the MTA's own relay connections)."""
        held = self._pending.setdefault(conn, [])
        self._pending.move_to_end(conn)
        if len(held) < self.max_pending_steps:
            held.append(step)
        while len(self._pending) > self.max_pending:
            self._pending.popitem(last=False)

    def _row(self, address: str, name: str = "", account: bool = True) -> Row:
        if address not in self.rows:
            self.rows[address] = Row(address, name, account)
        return self.rows[address]

    def _row_of_error(self, step: Step, owner: str | None) -> Row:
        if owner is not None:
            return self.rows[owner]
        for typed in (step.params.get("login"), step.params.get("user")):
            found = self._account_named(str(typed or ""))
            if found is not None:
                return found
        address = _client_address(step.src)
        seen = self._seen_at.get(address, set())
        if len(seen) == 1:
            return self.rows[next(iter(seen))]
        return self._row(address, account=False)

    def _account_named(self, typed: str) -> Row | None:
        """The student a typed user name means: a full address, or a unique local part."""
        typed = typed.strip().lower()
        if not typed:
            return None
        if "@" in typed:
            return self.rows.get(typed)
        rows = [r for r in self.rows.values() if r.account and r.login == typed]
        return rows[0] if len(rows) == 1 else None

    def _append(self, row: Row, step: Step) -> None:
        row.window.append(step)
        row.weight += len(step.raw) + len(step.line)
        row.steps += 1
        row.dirty = True
        if len(row.window) > self.max_steps or row.weight > self.max_bytes:
            self._evaluate(row)                 # what the window shows now counts, then forget
            while len(row.window) > self.max_steps // 2 or row.weight > self.max_bytes // 2:
                old = row.window.popleft()
                row.weight -= len(old.raw) + len(old.line)

    # -- checking ---------------------------------------------------------------------------
    def evaluate(self, budget: float | None = None) -> bool:
        """Check the live tasks of every student whose steps changed since the last time;
        with a ``budget`` (seconds), stop after it and leave the others for the next call
        (the dashboard's timer must not hold the kernel).  True when none is left."""
        started = time.monotonic()
        for row in list(self.rows.values()):
            if budget is not None and time.monotonic() - started > budget:
                return False
            if row.dirty and row.account:
                self._evaluate(row)
        return True

    def _evaluate(self, row: Row) -> None:
        row.dirty = False
        open_items = [item for item in self.items if not row.done(item.id)]
        if not row.window or not open_items:
            return                              # a step once done stays done
        trace = Trace(scenario="live")
        trace.extend(row.window)
        names = {"trace": trace, "student": row.key}
        for item in open_items:
            variant = item.variant(row.key)
            score = variant.check_names({**names, "params": variant.params}).score
            if score > row.scores.get(item.id, 0.0):
                row.scores[item.id] = score
                if score >= 1.0:
                    row.done_at[item.id] = row.window[-1].time

    # -- results ----------------------------------------------------------------------------
    def students(self) -> list[Row]:
        """The rows of accounts (the roster's order, then others as they logged in)."""
        return [row for row in self.rows.values() if row.account]

    def strangers(self) -> list[Row]:
        """Rows of client addresses whose mistakes no student could be named for."""
        return [row for row in self.rows.values() if not row.account]

    def report(self) -> Report:
        """The grades as ``mailsim quiz grade`` reports them: points = item points × best
        share of its checks; one row per student."""
        graded = []
        for row in self.students():
            entry = Graded(row.key, "trace")
            for item in self.items:
                score = row.scores.get(item.id, 0.0)
                entry.points[item.id] = item.points * score
                entry.correct[item.id] = score >= 1.0
                entry.answered[item.id] = score > 0
            graded.append(entry)
        return Report(graded, [], summarize(self.bank, graded))

    def csv(self) -> str:
        """``student, <item ids…>, total`` (the CSV of ``mailsim quiz grade``)."""
        self.evaluate()
        return self.report().csv(self.bank)


def _client_address(peer: str) -> str:
    """``10.0.0.23`` of ``10.0.0.23:50312`` (the server writes a client as address:port)."""
    return peer.rpartition(":")[0] if ":" in peer else peer


def class_roster(students: Iterable, domain: str) -> list[tuple[str, str]]:
    """``(address, name)`` of a class's students (:class:`simulator.server.roster.Student`,
    as ``mailsim serve --class``/``--students`` makes them); their passwords stay out."""
    return [(s.login if "@" in s.login else f"{s.login}@{domain}", s.name or "")
            for s in students]


def grade_trace(bank: Bank, path: str | Path, roster: Iterable[tuple[str, str]] = ()
                ) -> ClassProgress:
    """Every step of a ``mailsim serve --trace`` file (the current run, with its rotated
    pieces) read through :class:`ClassProgress`, every student checked."""
    from simulator.server.trace_file import TraceFollower
    progress = ClassProgress(bank, roster)
    follower = TraceFollower(str(path))
    while True:
        steps = follower.read()
        if not steps:
            break
        progress.feed(steps)
    progress.evaluate()
    return progress
