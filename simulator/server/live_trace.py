"""The trace of a running server: bounded in memory, complete in its listeners.

A server that runs for a whole class must not keep every byte: each FETCH of
an 8 MB message would add 16 MB (issue 16, item 10).  So :class:`LiveTrace`
keeps only the newest steps, references large bodies instead of copying
them, and hands every step, in order, to its listeners (``mailsim serve
--trace FILE`` streams them to a file).

Most steps of a busy server leave memory unread, so without listeners an
exchange waits as it came from the recorder (the engine's utterances, what
the nodes did meanwhile, one time, the connection's :class:`~simulator.trace.Where`)
and becomes Steps only when someone reads them.
"""
from __future__ import annotations

import dataclasses
import hashlib
import threading
from bisect import bisect_left
from itertools import accumulate
from typing import Any

from ..trace import Step, Trace, Where, exchange_fields, internal_fields


class LiveTrace(Trace):
    """The trace of a running server: bounded in memory, complete in its listeners.

    - a step whose bytes are larger than ``raw_limit`` keeps only its first
      ``raw_head`` octets; ``meta`` gets ``raw_size`` and ``raw_sha256``
      (a reference to the body, not a copy);
    - only the newest steps stay in memory, at most ``max_steps`` of them and
      about ``max_bytes`` of raw bytes and text; ``dropped`` counts the rest;
    - every step, in order, still goes to the listeners as it is added.

    Step indexes keep counting across drops, so the file's steps are
    numbered 0, 1, 2, … and the ones in memory are its tail.

    Without listeners, what is recorded waits in ``_pending`` as an *entry*
    and becomes Steps only when someone reads :attr:`steps`: an event inside a
    node (``(index, time, event)``), a whole exchange (``(index, lines,
    reactions, time, where)``, one entry for all its steps), or, where an
    exchange is kept step by step, a step's fields (``(index, fields)``) or its
    Step made already.
    Making a Step (its decoded line, copies of its parameters) cost as much as
    the SMTP engine's own work on the line.  A notebook reads the trace from
    another thread than the server's (:mod:`.background`), so keeping, making
    and forgetting steps hold a lock.

    Each entry's weight (see :func:`_weight`) is summed as it is kept: ``_sums``
    holds the running total and ``_ends`` the index after its last step, one
    of each per entry (the made ``_steps``, then ``_pending``).  Forgetting the
    oldest quarter finds its cut by bisection, and cuts a waiting exchange in
    two only where the cut falls inside it: the work per step stays the same
    however long the server runs, and the steps kept are those a step-by-step
    ring would keep.
    """

    def __init__(self, *args, max_steps: int = 10_000, max_bytes: int = 8 << 20,
                 raw_limit: int = 16 << 10, raw_head: int = 1 << 10, **kwargs) -> None:
        self._lock = threading.Lock()
        self._weighed = 0           # the weight of every step ever kept
        self.dropped = 0
        super().__init__(*args, **kwargs)       # sets :attr:`steps`: the ring's state
        self.listeners: list = []
        self.max_steps, self.max_bytes = max_steps, max_bytes
        self.raw_limit, self.raw_head = raw_limit, raw_head

    @property
    def retained_bytes(self) -> int:
        """What the steps in memory weigh against ``max_bytes`` (see :func:`_weight`)."""
        return self._weighed - self._forgotten

    @property
    def steps(self) -> list[Step]:
        """A copy of the steps in memory, oldest first (those not made yet are made now):
        the server's thread goes on adding and forgetting steps while a notebook reads."""
        with self._lock:
            self._build()
            return list(self._steps)

    @steps.setter
    def steps(self, steps: list[Step]) -> None:
        with self._lock:
            self._steps = steps
            self._pending = []
            self._added = self.dropped + len(steps)
            self._forgotten = self._weighed     # … the weight of the steps forgotten
            self._sums = list(accumulate(map(_weight, steps), initial=self._weighed))[1:]
            self._weighed = self._sums[-1] if self._sums else self._weighed
            self._ends = list(range(self.dropped + 1, self._added + 1))

    def __len__(self) -> int:
        return self._added - self.dropped

    def __getitem__(self, index: int) -> Step:
        with self._lock:
            self._build()
            return self._steps[index]

    def extend(self, steps) -> None:
        """Append steps from elsewhere, numbered as this trace's next ones."""
        for step in steps:
            self.add(**{k: v for k, v in step.__dict__.items() if k not in ("index", "answers")})

    def add(self, **fields):
        if len(fields.get("raw", b"")) > self.raw_limit:
            fields = referenced(fields, self.raw_limit, self.raw_head)
        with self._lock:
            step = Step.made(self._added, fields)
            self._keep(step, 1, _weight(step))
        for listener in self.listeners:
            listener(step)
        return step

    def add_internal(self, event: tuple, time: float) -> None:
        """Keep an event inside a node as it came (see
        :func:`~simulator.trace.internal_fields`); it becomes a Step when :attr:`steps`
        is read.  It carries no bytes: it weighs its line."""
        if self.listeners:
            super().add_internal(event, time)
            return
        lock = self._lock           # acquire/release: see :meth:`add_exchange`
        lock.acquire()
        try:
            self._keep((self._added, time, event), 1, len(event[2]))
        finally:
            lock.release()

    def add_exchange(self, lines, reactions, time: float, where: Where) -> None:
        """Keep one exchange as it came, a single entry for all its steps (see
        :func:`~simulator.trace.exchange_fields` for the steps it becomes).

        Its steps are kept one by one instead where that is needed: for the
        listeners, which get every step as it is added; when a line is large
        (its bytes are referenced now, not kept); when the exchange would
        cross a bound (forgetting may then cut between its steps).
        """
        if self.listeners:
            super().add_exchange(lines, reactions, time, where)
            return
        # What the entry weighs (see :func:`_weight`).  A plain loop: for the one or two
        # lines of an SMTP exchange it costs half of sum(map(...)).  The largest line
        # matters only when the lines together exceed ``raw_limit``
        # (:func:`_has_large_line`): calling max() for every line cost 0.23 µs more
        # per exchange (timeit, a short SMTP session's 7 exchanges: 1.6 µs).
        size = 0
        for utterance in lines:
            size += len(utterance.raw)
        weight = 2 * size
        for event in reactions:
            weight += len(event[2])             # an event weighs its line
        count = len(lines) + len(reactions)
        # The lock taken and released by hand: ``with`` calls __enter__ and
        # __exit__(None, None, None), 0.1 µs more per exchange (timeit).
        lock = self._lock
        lock.acquire()
        try:
            added, weighed = self._added + count, self._weighed + weight
            if added - self.dropped > self.max_steps or \
                    weighed - self._forgotten > self.max_bytes or \
                    size > self.raw_limit and _has_large_line(lines, self.raw_limit):
                for fields in exchange_fields(lines, reactions, time, where):
                    self._keep_fields(fields)
            elif count:
                # :meth:`_keep` without its bounds, just checked (its call and second
                # check cost 0.12 µs per exchange, timeit).
                self._pending.append((self._added, lines, reactions, time, where))
                self._added, self._weighed = added, weighed
                self._sums.append(weighed)
                self._ends.append(added)
        finally:
            lock.release()

    def _keep_fields(self, fields: dict) -> None:
        """Keep one step's fields, or its Step made now if its bytes are large (the
        caller holds the lock)."""
        if len(fields["raw"]) > self.raw_limit:
            step = Step.made(self._added, referenced(fields, self.raw_limit, self.raw_head))
            self._keep(step, 1, _weight(step))
        else:
            self._keep((self._added, fields), 1, _weight(fields))

    def _keep(self, entry, count: int, weight: int) -> None:
        """Number ``entry``'s ``count`` steps and keep it (the caller holds the lock)."""
        self._pending.append(entry)
        self._added += count
        self._weighed += weight
        self._sums.append(self._weighed)
        self._ends.append(self._added)
        if self._added - self.dropped > self.max_steps or \
                self._weighed - self._forgotten > self.max_bytes:
            self._forget_oldest()

    def _build(self) -> None:
        """Make Steps of everything pending, in order, each then an entry of its own
        (the caller holds the lock)."""
        pending, self._pending = self._pending, []
        if pending:
            first = len(self._steps)
            for entry in pending:
                self._steps += _made(entry)
            self._remade(first, len(self._sums), self._steps[first:])

    def _remade(self, start: int, stop: int, steps: list[Step]) -> None:
        """Entries ``start`` to ``stop`` are now ``steps``, made: one sum and end per step
        (the caller holds the lock)."""
        base = self._sums[start - 1] if start else self._forgotten
        self._sums[start:stop] = list(accumulate(map(_weight, steps), initial=base))[1:]
        self._ends[start:stop] = range(steps[0].index + 1, steps[-1].index + 2)

    def snapshot(self) -> Trace:
        """The steps in memory as a plain Trace numbered from 0, for a TracePlayer.

        A player numbers steps by position; once old steps are dropped, the
        live indexes no longer start at 0.  (For every step, load the
        ``--trace`` file with :meth:`Trace.load`.)
        """
        steps = list(self.steps)
        return Trace(scenario=self.scenario, seed=self.seed, nodes=list(self.nodes),
                     roles={h: list(r) for h, r in self.roles.items()},
                     start_time=self.start_time,
                     steps=[dataclasses.replace(s, index=i) for i, s in enumerate(steps)])

    def _forget_oldest(self) -> None:
        """Drop the oldest quarter (at least enough to fit), never the newest step.
        The caller holds the lock."""
        total = self._added - self.dropped
        cut = total - self.max_steps * 3 // 4
        # The fewest oldest steps whose weight, taken away, leaves at most 3/4 of max_bytes.
        excess = self._weighed - self.max_bytes * 3 // 4
        if excess > self._forgotten:
            cut = max(cut, self._steps_until(bisect_left(self._sums, excess), excess))
        cut = min(cut, total - 1)
        if cut > 0:
            self._forget(cut)

    def _steps_until(self, entry: int, excess: int) -> int:
        """How many oldest steps, up to one within ``entry``, weigh ``excess`` together."""
        if self._size(entry) > 1:
            self._split(entry)
            entry = bisect_left(self._sums, excess)
        return self._ends[entry] - self.dropped

    def _forget(self, cut: int) -> None:
        """Forget the oldest ``cut`` steps (the caller holds the lock)."""
        stop = self.dropped + cut
        last = bisect_left(self._ends, stop)
        if self._ends[last] > stop:             # an exchange's steps on both sides
            self._split(last)
            last = bisect_left(self._ends, stop)
        gone = last + 1
        self._forgotten = self._sums[last]
        del self._sums[:gone]
        del self._ends[:gone]
        del self._pending[:max(0, gone - len(self._steps))]   # what is not made yet …
        del self._steps[:gone]                                # … after what is
        self.dropped = stop

    def _size(self, entry: int) -> int:
        """How many steps the entry numbered ``entry`` holds."""
        return self._ends[entry] - (self._ends[entry - 1] if entry else self.dropped)

    def _split(self, entry: int) -> None:
        """Make the steps of a waiting exchange, each an entry of its own, where a cut
        falls inside it (the caller holds the lock)."""
        at = entry - len(self._steps)
        steps = _made(self._pending[at])
        self._pending[at:at + 1] = steps
        self._remade(entry, entry + 1, steps)


def _made(entry) -> list[Step]:
    """The Steps of an entry kept by :class:`LiveTrace` (see there)."""
    if isinstance(entry, Step):
        return [entry]
    if len(entry) == 2:
        index, fields = entry
        return [Step.made(index, fields)]
    if len(entry) == 3:
        index, time, event = entry
        return [Step.made(index, internal_fields(event, time))]
    index, lines, reactions, time, where = entry
    return [Step.made(number, fields) for number, fields
            in enumerate(exchange_fields(lines, reactions, time, where), index)]


def _has_large_line(lines, limit: int) -> bool:
    """Whether one of the utterances ``lines`` is longer than ``limit`` octets."""
    return any(len(utterance.raw) > limit for utterance in lines)


def referenced(fields: dict, limit: int, head: int) -> dict:
    """A step's fields with large bytes replaced by their head, size and SHA-256."""
    raw = fields.get("raw", b"")
    if len(raw) <= limit:
        return fields
    kept = raw[:head]
    meta = {**fields.get("meta", {}), "raw_size": len(raw),
            "raw_sha256": hashlib.sha256(raw).hexdigest()}
    line = kept.decode("utf-8", "replace").split("\r\n", 1)[0]
    return {**fields, "raw": kept, "line": line + " …", "meta": meta}


def _weight(entry: Step | dict[str, Any]) -> int:
    """What a kept step counts against ``max_bytes``: its raw bytes twice (they are
    shown decoded too), else its text.  The same for a step not made yet (its fields),
    so that adding and forgetting it count alike; an utterance weighs its raw bytes
    twice (its line is their decoding)."""
    if isinstance(entry, Step):
        return 2 * len(entry.raw) if entry.raw else len(entry.line)
    return 2 * len(entry["raw"]) if entry["raw"] else len(entry["line"])
