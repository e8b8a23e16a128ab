"""Turns what engines and nodes report into trace Steps.

Engines report Utterances (bytes with states and an explanation key) and
know nothing of time or nodes; the recorder adds the simulated time, the
connection id and the two nodes.  Internal events (DNS lookups, deliveries,
queueing, bounces) are recorded here too, so every Step has one author.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..protocols import Utterance
from ..trace import Trace, Where


class Recorder:
    """Appends Steps to a Trace, stamping them with the scheduler's time."""

    def __init__(self, trace: Trace, clock: Callable[[], float]) -> None:
        self.trace = trace
        #: a callable returning the seconds to stamp a step with (the scheduler's time)
        self.clock = clock
        #: the events of the exchange under way (``()``: none yet), None: no exchange
        self._held: list[tuple] | tuple[()] | None = None

    def exchange(self, feed: Callable[[], Any], transcript: Callable[[], list[Utterance]],
                 where: Where) -> None:
        """Run ``feed`` (bytes into an engine) and record what it said on the connection
        ``where``, in wire order.

        ``transcript`` returns a fresh list that its maker no longer touches (an
        engine's ``take_transcript``): the trace may keep it as it is.

        Within one batch the client's lines all arrived together, before the
        server answered any of them (that is what pipelining looks like on
        the wire).  What a node did in reaction (the MTA queueing a message)
        happened after it read the lines and before its reply went out.
        """
        # Exchanges may nest: under ``mailsim serve`` a webmail request opens an IMAP
        # connection to its own host, whose zero-latency exchange runs inside this one.
        # Most exchanges happen while the nodes do nothing: they hold the shared empty
        # tuple, and a list is made only for an event (:meth:`event`), not one per
        # exchange that a live trace would keep (and free and the garbage collector
        # scan, long after).
        outer, self._held = self._held, ()
        try:
            feed()
        finally:
            reactions, self._held = self._held, outer
        # Kept as it is, not copied: every engine's take_transcript hands over a list
        # of its own (0.4 µs per short SMTP session, seven exchanges).
        items = transcript()
        if not items and not reactions:
            return                      # a push with nothing to say, a partial line
        # The clock is read once: nothing advances it while an exchange is recorded
        # (in a simulation it is the scheduler's time; live, microseconds apart).  The
        # trace keeps the lines read, then the reactions, then the answers (a live trace
        # takes its lock once for all of them).
        self.trace.add_exchange(items, reactions, self.clock(), where)

    def internal(self, node: str, protocol: str, line: str, explain: str, *,
                 dst: str | None = None, conn: str | None = None,
                 params: dict[str, Any] | None = None, **meta: Any) -> None:
        """Record something that happens inside a node (or between a node and DNS).

        Within an exchange it is held, and stamped with the exchange's time (one
        clock reading for all its steps) when it is recorded after the lines read.
        """
        self.event((node, protocol, line, explain, dst or node, conn, params or {}, meta))

    def event(self, event: tuple) -> None:
        """Record an event inside a node given as :meth:`internal` makes it,
        ``(node, protocol, line, explain, dst, conn, params, meta)`` (see
        :func:`simulator.trace.internal_fields`)."""
        held = self._held
        if held is None:
            self.trace.add_internal(event, self.clock())
        elif held:
            held.append(event)
        else:
            self._held = [event]        # the exchange's first event: its own list

    def lookup(self, node: str, lookup) -> None:
        """Record one DNS query and its answer (a :class:`simulator.network.dns.Lookup`)."""
        self.internal(node, "DNS", f"{lookup.question()} → {lookup.summary()}", lookup.key,
                      dst="dns", params={"qname": lookup.qname, "qtype": lookup.qtype,
                                         "answer": lookup.summary()},
                      rcode=lookup.rcode, answers=list(lookup.answers))

