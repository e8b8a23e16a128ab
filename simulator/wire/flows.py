"""A trace's connections as they travel on the wire: writes of bytes, in clear or in TLS.

The trace records what each engine said (plain text, with a ``tls`` mark once
the connection is encrypted).  A :class:`Flow` is the same connection as a
passive observer would capture it: the TCP connect and close, and each write
of octets in order, where a write inside TLS is the records of the simulated
record layer (:mod:`simulator.wire.tls`) instead of the text.  The sniffer's
view and the pcap export both read flows, so they always agree.

Commands sent in one write (pipelining, RFC 2920 §3.1) were recorded as
separate steps at the same instant; they form one write here, as on a wire.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import tls

if TYPE_CHECKING:                  # the trace imports this package for Trace.to_pcap
    from ..trace import Step, Trace

#: The explanation keys of a connection that never opened (network/connection.py).
FAILED_CONNECTS = {"net.unreachable": "unreachable", "net.refused": "refused"}


@dataclass
class Write:
    """Octets one side handed to TCP at one instant.

    ``plain`` is what the trace holds (the text the engines exchanged); ``data``
    is what travels: the same octets in clear, or TLS records.  ``steps`` are
    the trace indices whose bytes this write carries (none for the handshake).
    """

    time: float
    direction: str
    plain: bytes
    data: bytes
    steps: tuple[int, ...] = ()
    records: tuple[tls.Record, ...] = ()
    handshake: bool = False

    @property
    def encrypted(self) -> bool:
        return bool(self.records)


@dataclass
class Flow:
    """One TCP connection of a trace, as captured on the wire."""

    conn: str
    client: str
    server: str
    port: int | None
    protocol: str | None
    opened: float
    closed: float | None = None
    failed: str | None = None               # "refused", "unreachable" or None
    writes: list[Write] = field(default_factory=list)
    sni: str | None = None                  # the server name in the ClientHello
    tls_at: int | None = None               # index in writes where the TLS handshake starts

    @property
    def implicit_tls(self) -> bool:
        """TLS from the first octet (RFC 8314 §3.3: ports 465, 993, 995)."""
        return self.tls_at == 0

    def cleartext(self, direction: str | None = None) -> bytes:
        """Every octet that travelled in clear (before TLS), optionally of one direction."""
        end = len(self.writes) if self.tls_at is None else self.tls_at
        return b"".join(w.data for w in self.writes[:end]
                        if direction is None or w.direction == direction)

    def dialogue(self, direction: str) -> bytes:
        """The plain text one side sent, whole (what the trace holds)."""
        return b"".join(w.plain for w in self.writes if w.direction == direction)


def flows(trace: Trace) -> list[Flow]:
    """Every connection of ``trace`` as a :class:`Flow`, in order of opening."""
    label = f"{trace.scenario}/{trace.seed}"
    grouped: dict[str, list[Step]] = {}
    for step in trace:
        if step.conn:
            grouped.setdefault(step.conn, []).append(step)
    return [_flow(conn, steps, f"{label}/{conn}") for conn, steps in grouped.items()]


def _flow(conn: str, steps: list[Step], label: str) -> Flow:
    first = steps[0]
    data_steps = [s for s in steps if s.direction != "internal"]
    if data_steps:
        d = data_steps[0]
        client, server = (d.src, d.dst) if d.is_client else (d.dst, d.src)
    else:
        client, server = first.src, first.dst
    port = next((s.meta.get("port", s.params.get("port")) for s in steps
                 if "port" in s.meta or "port" in s.params), None)
    protocol = data_steps[0].protocol if data_steps else None
    flow = Flow(conn, client, server, port, protocol, opened=first.time)
    for step in steps:
        if step.explain in FAILED_CONNECTS:
            flow.failed = FAILED_CONNECTS[step.explain]
        elif step.protocol == "TLS" and step.direction == "internal":
            _start_tls(flow, step.time, label)
        elif step.protocol == "TCP" and step.explain == "net.close":
            flow.closed = step.time
        elif step.direction != "internal" and step.raw:
            if step.meta.get("tls") and flow.tls_at is None:
                _start_tls(flow, step.time, label)
            _add(flow, step, label)
    return flow


def _start_tls(flow: Flow, time: float, label: str) -> None:
    if flow.tls_at is not None:
        return
    flow.tls_at = len(flow.writes)
    flow.sni = flow.server
    for record in tls.handshake(flow.server, label):
        last = flow.writes[-1] if len(flow.writes) > flow.tls_at else None
        if last is not None and last.direction == record.direction:   # one flight, one write
            last.data += record.data
            last.records += (record,)
        else:
            flow.writes.append(Write(time, record.direction, b"", record.data,
                                     records=(record,), handshake=True))


def _add(flow: Flow, step: Step, label: str) -> None:
    encrypted = flow.tls_at is not None
    last = flow.writes[-1] if flow.writes else None
    if (last is not None and not last.handshake and last.direction == step.direction
            and last.time == step.time):
        plain, steps = last.plain + step.raw, last.steps + (step.index,)
        flow.writes.pop()
    else:
        plain, steps = step.raw, (step.index,)
    if encrypted:
        records = tuple(tls.seal(step.direction, plain, f"{label}/{steps[0]}"))
        data = b"".join(r.data for r in records)
    else:
        records, data = (), plain
    flow.writes.append(Write(step.time, step.direction, plain, data, steps, records))
