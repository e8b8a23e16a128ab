"""Turns what engines and nodes report into trace Steps.

Engines report Utterances (bytes with states and an explanation key) and
know nothing of time or nodes; the recorder adds the simulated time, the
connection id and the two nodes.  Internal events (DNS lookups, deliveries,
queueing, bounces) are recorded here too, so every Step has one author.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import groupby
from operator import attrgetter
from typing import Any

from ..protocols import Utterance
from ..trace import Step, Trace

_direction = attrgetter("direction")


class Recorder:
    """Appends Steps to a Trace, stamping them with the scheduler's time."""

    def __init__(self, trace: Trace, clock: Callable[[], float]) -> None:
        self.trace = trace
        #: a callable returning the seconds to stamp a step with (the scheduler's time)
        self.clock = clock
        self._held: list[dict[str, Any]] | None = None

    def exchange(self, feed: Callable[[], Any], transcript: Callable[[], Iterable[Utterance]],
                 *, conn: str, client: str, server: str, protocol: str, **meta: Any) -> None:
        """Run ``feed`` (bytes into an engine) and record what it said, in wire order.

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
        items = list(transcript())
        if not items and not reactions:
            return                      # a push with nothing to say, a partial line
        # The clock is read once: nothing advances it while an exchange is recorded
        # (in a simulation it is the scheduler's time; live, microseconds apart).
        now = self.clock()
        read = [u for u in items if u.direction == "c2s"]
        if read:
            self.trace.add_utterances(read, now, conn, client, server, protocol, meta)
        for fields in reactions:
            fields["time"] = now            # see :meth:`internal`
            self.trace.add_fields(fields)
        if len(read) < len(items):
            self._add_answers([u for u in items if u.direction != "c2s"], now, conn, client,
                              server, protocol, meta)

    def _add_answers(self, items: list[Utterance], now: float, conn: str, client: str,
                     server: str, protocol: str, meta: dict[str, Any]) -> None:
        """What the server said (to the client) or did (inside itself), in order."""
        if len(items) == 1:                 # the usual case: one reply
            src, dst = (server, client) if items[0].direction == "s2c" else (server, server)
            self.trace.add_utterances(items, now, conn, src, dst, protocol, meta)
            return
        # Lines that went the same way are kept in one call (a live trace takes its lock once).
        for direction, run in groupby(items, _direction):
            src, dst = (server, client) if direction == "s2c" else (server, server)
            self.trace.add_utterances(list(run), now, conn, src, dst, protocol, meta)

    def internal(self, node: str, protocol: str, line: str, explain: str, *,
                 dst: str | None = None, conn: str | None = None,
                 params: dict[str, Any] | None = None, **meta: Any) -> Step | None:
        """Record something that happens inside a node (or between a node and DNS).

        Within an exchange it is held, and stamped with the exchange's time (one
        clock reading for all its steps) when it is recorded after the lines read.
        """
        fields = {"time": 0.0, "conn": conn, "src": node, "dst": dst or node,
                  "protocol": protocol, "direction": "internal", "raw": b"", "line": line,
                  "explain": explain, "params": params or {}, "meta": meta}
        if self._held is not None:
            self._held.append(fields)
            return None
        fields["time"] = self.clock()
        return self.trace.add_fields(fields)

    def lookup(self, node: str, lookup) -> None:
        """Record one DNS query and its answer (a :class:`simulator.network.dns.Lookup`)."""
        self.internal(node, "DNS", f"{lookup.question()} → {lookup.summary()}", lookup.key,
                      dst="dns", params={"qname": lookup.qname, "qtype": lookup.qtype,
                                         "answer": lookup.summary()},
                      rcode=lookup.rcode, answers=list(lookup.answers))

