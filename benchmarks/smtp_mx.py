"""Ratio 1: ``mailsim serve``'s MX port against aiosmtpd, under smtp-source-style load.

Both servers run at the same time, each in its own process, and the runs
alternate (ours, aiosmtpd's, aiosmtpd's, ours, …) so that a change in the machine's load
touches both.  Two shapes of load (:mod:`benchmarks.loadgen`):

- short connections, a new one for every message, one command at a time
  (what Postfix's ``smtp-source`` does by default);
- long pipelined connections (RFC 2920).

Each row gives messages/s, the server's CPU per message and the load
generator's own CPU share, so that a reader can tell whether the generator
was the limit.
"""
from __future__ import annotations

import os
import statistics
from dataclasses import dataclass
from functools import partial

from . import loadgen, servers
from .report import Row, alternating, spread, verdict

TARGET = 2.0        # issue 16: at least twice aiosmtpd's messages/s


@dataclass(frozen=True)
class Shape:
    kind: str
    label: str
    clients: int            # per worker process
    messages: int           # per client


def shapes(quick: bool) -> list[Shape]:
    scale = 10 if quick else 1
    return [Shape("smtp-short", "a connection per message", 10, 100 // scale),
            Shape("smtp-pipelined", "pipelined (RFC 2920), one connection per client",
                  10, 200 // scale)]


@dataclass
class Run:
    rate: float                 # messages/s
    server_cpu: float           # CPU seconds of the server process
    server_system: float        # of which in the kernel
    generator_cpu: float
    seconds: float
    messages: int
    errors: list[str]


def one_run(shape: Shape, port: int, pid: int, processes: int) -> Run:
    job = loadgen.Job(shape.kind, port, clients=shape.clients, amount=shape.messages)
    load, (user, system) = loadgen.run_workers(job, processes,
                                               server_cpu=lambda: servers.cpu_times(pid))
    return Run(load.rate, user + system, system, load.generator_cpu, load.seconds, load.done,
               load.errors)


def describe(runs: list[Run]) -> str:
    """Median messages/s, CPU per message, the server's and the generator's CPU share."""
    rate = statistics.median(r.rate for r in runs)
    per_message = statistics.median(r.server_cpu / r.messages for r in runs) * 1e6
    kernel = statistics.median(r.server_system / r.server_cpu for r in runs)
    server_share = statistics.median(r.server_cpu / r.seconds for r in runs)
    generator_share = statistics.median(r.generator_cpu / r.seconds for r in runs)
    errors = sorted({e for r in runs for e in r.errors})
    text = (f"{rate:,.0f} messages/s; server {per_message:,.0f} µs CPU per message "
            f"({kernel:.0%} in the kernel), "
            f"{server_share:.2f} cores busy; load generator {generator_share:.2f} cores "
            f"of {os.cpu_count()}")
    return text + (f"; ERRORS: {'; '.join(errors)}" if errors else "")


def rows(quick: bool, repeat: int, offset: int, processes: int = 2) -> list[Row]:
    if not servers.has_aiosmtpd():
        return [Row("SMTP MX vs aiosmtpd", "skipped: aiosmtpd is not installed "
                    "(pip install aiosmtpd)")]
    out = []
    with servers.mailsim_serve(offset) as ours, \
            servers.aiosmtpd_server(offset + 2525) as theirs:
        for shape in shapes(quick):
            mine, anchor = alternating(
                repeat, partial(one_run, shape, offset + 25, ours.pid, processes),
                partial(one_run, shape, offset + 2525, theirs.pid, processes))
            ratios = [m.rate / a.rate for m, a in zip(mine, anchor)]
            # CPU per message, a busy machine's scheduler disturbs it far less.
            cheaper = [(a.server_cpu / a.messages) / (m.server_cpu / m.messages)
                       for m, a in zip(mine, anchor)]
            total = processes * shape.clients * shape.messages
            out.append(Row(f"1. SMTP MX, mailsim serve: {shape.label}; {processes} processes × "
                           f"{shape.clients} clients, {total:,} × 4 KiB",
                           describe(mine), "aiosmtpd, in-memory handler: " + describe(anchor),
                           f"{spread(ratios)} aiosmtpd's messages/s; "
                           f"{verdict(statistics.median(ratios), TARGET)}; server CPU per "
                           f"message {spread(cheaper)} cheaper than aiosmtpd's"))
    return out
