"""Turns what engines and nodes report into trace Steps.

Engines report Utterances (bytes with states and an explanation key) and
know nothing of time or nodes; the recorder adds the simulated time, the
connection id and the two nodes.  Internal events (DNS lookups, deliveries,
queueing, bounces) are recorded here too, so every Step has one author.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..protocols import Utterance
from ..trace import Trace, Where


class Recorder:
    """Appends Steps to a Trace, stamping them with the scheduler's time."""

    def __init__(self, trace: Trace, clock: Callable[[], float]) -> None:
        self.trace = trace
        #: a callable returning the seconds to stamp a step with (the scheduler's time)
        self.clock = clock
        self._held: list[tuple] | None = None

    def exchange(self, feed: Callable[[], Any], transcript: Callable[[], Iterable[Utterance]],
                 where: Where) -> None:
        """Run ``feed`` (bytes into an engine) and record what it said on the connection
        ``where``, in wire order.

        Within one batch the client's lines all arrived together, before the
        server answered any of them (that is what pipelining looks like on
        the wire).  What a node did in reaction (the MTA queueing a message)
        happened after it read the lines and before its reply went out.
        """
        # Exchanges may nest: under ``mailsim serve`` a webmail request opens an IMAP
        # connection to its own host, whose zero-latency exchange runs inside this one.
        outer, self._held = self._held, []
        try:
            feed()
        finally:
            reactions, self._held = self._held, outer
        # Most exchanges happen while the nodes do nothing: they pass the shared empty
        # tuple, not an empty list of their own that a live trace would keep (and free
        # and the garbage collector scan, long after).
        reactions = reactions or ()
        items = list(transcript())
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
        event = (node, protocol, line, explain, dst or node, conn, params or {}, meta)
        if self._held is not None:
            self._held.append(event)
        else:
            self.trace.add_internal(event, self.clock())

    def lookup(self, node: str, lookup) -> None:
        """Record one DNS query and its answer (a :class:`simulator.network.dns.Lookup`)."""
        self.internal(node, "DNS", f"{lookup.question()} → {lookup.summary()}", lookup.key,
                      dst="dns", params={"qname": lookup.qname, "qtype": lookup.qtype,
                                         "answer": lookup.summary()},
                      rcode=lookup.rcode, answers=list(lookup.answers))

