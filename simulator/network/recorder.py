"""Turns what engines and nodes report into trace Steps.

Engines report Utterances (bytes with states and an explanation key) and
know nothing of time or nodes; the recorder adds the simulated time, the
connection id and the two nodes.  Internal events (DNS lookups, deliveries,
queueing, bounces) are recorded here too, so every Step has one author.
"""
from __future__ import annotations

from typing import Any, Iterable

from ..protocols._base import Utterance
from ..trace import Step, Trace


class Recorder:
    """Appends Steps to a Trace, stamping them with the scheduler's time."""

    def __init__(self, trace: Trace, clock) -> None:
        self.trace = trace
        self._clock = clock            # a callable returning simulated seconds

    def utterances(self, items: Iterable[Utterance], *, conn: str, client: str, server: str,
                   protocol: str, **meta: Any) -> None:
        """Record one batch of an engine's transcript.

        Within one batch the client's lines all arrived together, before the
        server answered any of them (that is what pipelining looks like on
        the wire), so client→server lines are recorded before the replies.
        """
        items = list(items)
        ordered = ([u for u in items if u.direction == "c2s"]
                   + [u for u in items if u.direction != "c2s"])
        for utterance in ordered:
            src, dst = (client, server) if utterance.direction == "c2s" else (server, client)
            self.trace.add(time=self._clock(), conn=conn, src=src, dst=dst, protocol=protocol,
                           direction=utterance.direction, raw=utterance.raw, line=utterance.line,
                           state_before=utterance.state_before, state_after=utterance.state_after,
                           explain=utterance.explain, params=dict(utterance.params),
                           meta=dict(meta))

    def internal(self, node: str, protocol: str, line: str, explain: str, *,
                 dst: str | None = None, conn: str | None = None,
                 params: dict[str, Any] | None = None, **meta: Any) -> Step:
        """Record something that happens inside a node (or between a node and DNS)."""
        return self.trace.add(time=self._clock(), conn=conn, src=node, dst=dst or node,
                              protocol=protocol, direction="internal", raw=b"", line=line,
                              explain=explain, params=params or {}, meta=meta)

    def lookup(self, node: str, lookup) -> None:
        """Record one DNS query and its answer (a :class:`simulator.network.dns.Lookup`)."""
        self.internal(node, "DNS", f"{lookup.question()} → {lookup.summary()}",
                      lookup.key,
                      dst="dns", params={"qname": lookup.qname, "qtype": lookup.qtype,
                                         "answer": lookup.summary()},
                      rcode=lookup.rcode, answers=list(lookup.answers))
