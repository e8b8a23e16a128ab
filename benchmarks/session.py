"""Ratio 3: one simulated SMTP session against one real smtplib → aiosmtpd session.

The same conversation on both sides: greeting, EHLO, MAIL, RCPT, DATA, a
4 KiB message, QUIT, and the message stored on the server.

- simulated: on the ``basic`` scenario's network (built once, as a real
  server is started once), ``mail.a.test`` relays a message to
  ``mx.b.test:25`` through :meth:`Network.connect`; the scheduler runs the
  session to its end, the MX's MDA files the message, and every step is
  recorded in the trace with its explanation;
- real: :mod:`smtplib` in this process, aiosmtpd with an in-memory handler in
  another, over loopback TCP.

Each side runs ``sessions`` sessions back to back; the figures are the CPU
time of one session (in every process it involves: smtplib's and aiosmtpd's
for the real one), which a busy machine disturbs little, and its wall-clock
time.
"""
from __future__ import annotations

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


class Cost(NamedTuple):
    """Seconds per session: on the wall clock, and of CPU in every process involved."""

    wall: float
    cpu: float


def simulated(sessions: int) -> Cost:
    """Cost of one simulated session, network construction excluded."""
    net = Network(load("basic"), seed=1)
    envelope = Envelope(mail_from=Path(SENDER), rcpt_to=[Path(RCPT)], content=MESSAGE)
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(sessions):
        client = SMTPClient("mail.a.test", envelope, pipelining=net.pipelining)
        net.connect("mail.a.test", "mx.b.test", 25, "SMTP", client)
        net.scheduler.run()
        if not client.result.delivered:
            raise RuntimeError(f"the simulated session failed: {client.result}")
    return Cost((time.perf_counter() - start) / sessions,
                (time.process_time() - cpu) / sessions)


def real(port: int, server_pid: int, sessions: int) -> Cost:
    """Cost of one smtplib session to aiosmtpd over loopback (client and server CPU)."""
    start, cpu = time.perf_counter(), time.process_time()
    server_cpu = servers.cpu_seconds(server_pid)
    for _ in range(sessions):
        with smtplib.SMTP("127.0.0.1", port, local_hostname="mail.a.test") as client:
            client.sendmail(SENDER, [RCPT], MESSAGE)
    wall = time.perf_counter() - start
    used = time.process_time() - cpu + servers.cpu_seconds(server_pid) - server_cpu
    return Cost(wall / sessions, used / sessions)


def rows(quick: bool, repeat: int, offset: int) -> list[Row]:
    sessions = 30 if quick else 300
    if not servers.has_aiosmtpd():
        return [Row("simulated vs real SMTP session", "skipped: aiosmtpd is not installed "
                    "(pip install aiosmtpd)")]
    ours, theirs = [], []
    with servers.aiosmtpd_server(offset + 2525) as anchor:
        real(offset + 2525, anchor.pid, 3)          # warm up both sides before the clock
        simulated(3)
        for _ in range(repeat):
            ours.append(simulated(sessions))
            theirs.append(real(offset + 2525, anchor.pid, sessions))
    cpu = [t.cpu / o.cpu for o, t in zip(ours, theirs)]
    wall = [t.wall / o.wall for o, t in zip(ours, theirs)]
    med = statistics.median

    def cost(runs: list[Cost]) -> str:
        return (f"{med(r.cpu for r in runs) * 1e6:,.0f} µs CPU per session, "
                f"{med(r.wall for r in runs) * 1e6:,.0f} µs on the clock "
                f"({1 / med(r.wall for r in runs):,.0f} sessions/s)")
    return [Row(f"3. simulated SMTP session (simulator.network, in memory, traced), "
                f"{sessions} in a row",
                cost(ours), "smtplib → aiosmtpd over loopback (CPU of both processes): "
                + cost(theirs),
                f"{spread(cpu)} cheaper in CPU, {spread(wall)} on the clock; "
                f"{verdict(med(cpu), TARGET)} (CPU)")]
