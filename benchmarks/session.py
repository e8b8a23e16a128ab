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

Each side runs ``sessions`` sessions back to back; the figure is the time
of one session.
"""
from __future__ import annotations

import smtplib
import statistics
import time

from simulator.network.simulation import Network
from simulator.protocols.smtp import Envelope, Path, SMTPClient
from simulator.scenarios import load

from . import servers
from .loadgen import MESSAGE
from .report import Row, spread, verdict

TARGET = 2.0            # issue 16: a simulated session at least twice as cheap as a real one
SENDER, RCPT = "alice@a.test", "bob@b.test"


def simulated(sessions: int) -> float:
    """Seconds per simulated session, network construction excluded."""
    net = Network(load("basic"), seed=1)
    envelope = Envelope(mail_from=Path(SENDER), rcpt_to=[Path(RCPT)], content=MESSAGE)
    start = time.perf_counter()
    for _ in range(sessions):
        client = SMTPClient("mail.a.test", envelope, pipelining=net.pipelining)
        net.connect("mail.a.test", "mx.b.test", 25, "SMTP", client)
        net.scheduler.run()
        if not client.result.delivered:
            raise RuntimeError(f"the simulated session failed: {client.result}")
    return (time.perf_counter() - start) / sessions


def real(port: int, sessions: int) -> float:
    """Seconds per smtplib session to aiosmtpd over loopback."""
    start = time.perf_counter()
    for _ in range(sessions):
        with smtplib.SMTP("127.0.0.1", port, local_hostname="mail.a.test") as client:
            client.sendmail(SENDER, [RCPT], MESSAGE)
    return (time.perf_counter() - start) / sessions


def rows(quick: bool, repeat: int, offset: int) -> list[Row]:
    sessions = 30 if quick else 300
    if not servers.has_aiosmtpd():
        return [Row("simulated vs real SMTP session", "skipped: aiosmtpd is not installed "
                    "(pip install aiosmtpd)")]
    ours, theirs = [], []
    with servers.aiosmtpd_server(offset + 2525):
        real(offset + 2525, 3)              # warm up both sides before the clock
        simulated(3)
        for _ in range(repeat):
            ours.append(simulated(sessions))
            theirs.append(real(offset + 2525, sessions))
    cheaper = [t / o for o, t in zip(ours, theirs)]
    med = statistics.median
    return [Row(f"3. simulated SMTP session (simulator.network, in memory, traced), "
                f"{sessions} in a row",
                f"{med(ours) * 1e6:,.0f} µs per session ({1 / med(ours):,.0f} sessions/s)",
                f"smtplib → aiosmtpd over loopback: {med(theirs) * 1e6:,.0f} µs per session "
                f"({1 / med(theirs):,.0f} sessions/s)",
                f"{spread(cheaper)} cheaper; {verdict(med(cheaper), TARGET)}")]
