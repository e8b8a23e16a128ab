"""Ratio 3: one simulated SMTP session against one real smtplib → aiosmtpd session.

The same conversation on both sides: greeting, EHLO, MAIL, RCPT, DATA, a
4 KiB message, QUIT, and the message stored on the server.

- simulated: on the ``basic`` scenario's network (built once per run, as a
  real server is started once), ``mail.a.test`` relays a message to
  ``mx.b.test:25`` through :meth:`Network.connect`; the scheduler runs the
  session to its end, the MX's MDA files the message, and every step is
  recorded in the trace with its explanation;
- real: :mod:`smtplib` in this process, aiosmtpd with an in-memory handler in
  another, over loopback TCP.

The figures are the CPU time of one session (in every process it involves:
smtplib's and aiosmtpd's for the real one), which a busy machine disturbs
less than the wall clock, and its wall-clock time.  A shared machine's load
still changes from second to second, so within a run the two sides take
turns in small blocks of sessions (ABBA: simulated, real, real, simulated…):
each side then meets the same moments of load, and a burst of another
program no longer lands on one side's whole run.  aiosmtpd's CPU is read
from ``/proc`` once around the whole run: it is idle while the simulated
blocks run, and ``/proc`` counts in clock ticks (10 ms), too coarse for one
block.
"""
from __future__ import annotations

import gc
import smtplib
import statistics
import time
from typing import NamedTuple

from simulator.network.simulation import Network
from simulator.protocols.smtp import Envelope, Path, SMTPClient
from simulator.scenarios import load

from . import servers
from .loadgen import MESSAGE
from .report import Row, spread, verdict

TARGET = 2.0            # issue 16: a simulated session at least twice as cheap as a real one
SENDER, RCPT = "alice@a.test", "bob@b.test"
BLOCK = 20              # sessions of one side before the other side's turn


class Cost(NamedTuple):
    """Seconds per session: on the wall clock, and of CPU in every process involved."""

    wall: float
    cpu: float


class Simulated:
    """Simulated sessions on one network (the trace and the mailbox grow run-long)."""

    def __init__(self) -> None:
        self.net = Network(load("basic"), seed=1)
        self.envelope = Envelope(mail_from=Path(SENDER), rcpt_to=[Path(RCPT)],
                                 content=MESSAGE)

    def block(self, sessions: int) -> tuple[float, float]:
        """(wall, CPU) seconds of ``sessions`` sessions in a row."""
        net = self.net
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(sessions):
            client = SMTPClient("mail.a.test", self.envelope, pipelining=net.pipelining)
            net.connect("mail.a.test", "mx.b.test", 25, "SMTP", client)
            net.scheduler.run()
            if not client.result.delivered:
                raise RuntimeError(f"the simulated session failed: {client.result}")
        return time.perf_counter() - start, time.process_time() - cpu


class Real:
    """smtplib sessions to the aiosmtpd process listening on ``port``."""

    def __init__(self, port: int) -> None:
        self.port = port

    def block(self, sessions: int) -> tuple[float, float]:
        """(wall, CPU of this process) seconds of ``sessions`` sessions in a row."""
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(sessions):
            with smtplib.SMTP("127.0.0.1", self.port, local_hostname="mail.a.test") as client:
                client.sendmail(SENDER, [RCPT], MESSAGE)
        return time.perf_counter() - start, time.process_time() - cpu


def compare(sessions: int, port: int, server_pid: int) -> tuple[Cost, Cost]:
    """One run: ``sessions`` of each side in alternating blocks; (ours, the anchor's)."""
    # The previous run's network is garbage with reference cycles: collected now, not by
    # a collection that would land in this run's timed blocks (every other run was a
    # fifth slower when it did).
    gc.collect()
    ours, theirs = Simulated(), Real(port)
    totals = {ours: [0.0, 0.0], theirs: [0.0, 0.0]}
    server_cpu = servers.cpu_seconds(server_pid)
    done = 0
    while done < sessions:
        count = min(BLOCK, sessions - done)
        pair = (ours, theirs) if (done // BLOCK) % 2 == 0 else (theirs, ours)
        for side in pair:
            wall, cpu = side.block(count)
            totals[side][0] += wall
            totals[side][1] += cpu
        done += count
    server_cpu = servers.cpu_seconds(server_pid) - server_cpu
    (our_wall, our_cpu), (their_wall, their_cpu) = totals[ours], totals[theirs]
    return (Cost(our_wall / sessions, our_cpu / sessions),
            Cost(their_wall / sessions, (their_cpu + server_cpu) / sessions))


def rows(quick: bool, repeat: int, offset: int) -> list[Row]:
    sessions = 40 if quick else 600
    if not servers.has_aiosmtpd():
        return [Row("simulated vs real SMTP session", "skipped: aiosmtpd is not installed "
                    "(pip install aiosmtpd)")]
    runs = []
    with servers.aiosmtpd_server(offset + 2525) as anchor:
        compare(2 * BLOCK, offset + 2525, anchor.pid)       # warm up both sides
        for _ in range(repeat):
            runs.append(compare(sessions, offset + 2525, anchor.pid))
    ours, theirs = [o for o, _ in runs], [t for _, t in runs]
    cpu = [t.cpu / o.cpu for o, t in runs]
    wall = [t.wall / o.wall for o, t in runs]
    med = statistics.median

    def cost(costs: list[Cost]) -> str:
        return (f"{med(c.cpu for c in costs) * 1e6:,.0f} µs CPU per session, "
                f"{med(c.wall for c in costs) * 1e6:,.0f} µs on the clock "
                f"({1 / med(c.wall for c in costs):,.0f} sessions/s)")
    return [Row(f"3. simulated SMTP session (simulator.network, in memory, traced), "
                f"{sessions} of each side per run in alternating blocks of {BLOCK}",
                cost(ours), "smtplib → aiosmtpd over loopback (CPU of both processes): "
                + cost(theirs),
                f"{spread(cpu)} cheaper in CPU, {spread(wall)} on the clock; "
                f"{verdict(med(cpu), TARGET)} (CPU)")]
