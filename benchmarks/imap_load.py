"""Ratio 2: ``mailsim serve``'s IMAP port against Dovecot, 200 clients on one mailbox.

Both servers hold the same ten 4 KiB messages in the user's INBOX (put there
with APPEND).  Every client logs in and selects INBOX before the clock starts,
then runs rounds of NOOP, FETCH 1:* FLAGS, STORE +FLAGS and UID SEARCH ALL,
one command at a time (:class:`benchmarks.loadgen.IMAPClient`), from more
than one process.  The figures: commands/s, the p50 and p99 latency of one
command, the server's CPU per command.  Runs alternate between the servers
in ABBA order, at least five of each in a full bench; the ratio is the
median of the pairs' ratios.
"""
from __future__ import annotations

import asyncio
import math
import os
import statistics
from dataclasses import dataclass
from functools import partial

from . import loadgen, servers
from .report import Row, alternating, divide, percentile, run_count, spread, verdict

TARGET = 2.0            # issue 16: our p99 at most twice Dovecot's
USER = PASSWORD = "teacher"     # a user of mailsim serve's classroom scenario
MESSAGES = 10
#: A p99 on a shared machine moves a lot from one run to the next: a full bench
#: takes the median of at least this many runs of each side.
MIN_RUNS = 5


@dataclass
class Run:
    rate: float
    p50: float              # ms
    p99: float              # ms
    server_cpu: float
    generator_cpu: float
    seconds: float
    commands: int
    errors: list[str]


def one_run(port: int, pid: int, clients: int, rounds: int, processes: int) -> Run:
    job = loadgen.Job("imap", port, clients=clients // processes, amount=rounds,
                      user=USER, password=PASSWORD)
    load, cpu = loadgen.run_workers(job, processes, server_cpu=lambda: servers.cpu_seconds(pid))
    lat = load.latencies or [float("nan")]
    return Run(load.rate, percentile(lat, 50) * 1000, percentile(lat, 99) * 1000, cpu,
               load.generator_cpu, load.seconds, load.done, load.errors)


def describe(runs: list[Run]) -> str:
    med = statistics.median
    errors = sorted({e for r in runs for e in r.errors})
    text = (f"{med(r.rate for r in runs):,.0f} commands/s, p50 {med(r.p50 for r in runs):.1f} ms, "
            f"p99 {med(r.p99 for r in runs):.1f} ms; server "
            f"{_microseconds(med(cpu_per_command(r) for r in runs))} CPU per command, "
            f"{med(divide(r.server_cpu, r.seconds) for r in runs):.2f} cores busy; load "
            f"generator {med(divide(r.generator_cpu, r.seconds) for r in runs):.2f} cores of "
            f"{os.cpu_count()}")
    return text + (f"; ERRORS: {'; '.join(errors)}" if errors else "")


def cpu_per_command(run: Run) -> float:
    """Server CPU seconds per command; NaN when the run measured none.

    Zero CPU is not a figure but a run too short for the kernel's clock ticks
    (see :func:`benchmarks.report.divide`).
    """
    return divide(run.server_cpu, run.commands) if run.server_cpu else float("nan")


def _microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs" if not math.isnan(seconds) else "too little to measure"


def rows(quick: bool, repeat: int, offset: int, processes: int = 2) -> list[Row]:
    # Ten rounds: 8,000 timed commands a run, so that the p99 (the 80 slowest) is not
    # decided by the first burst of 200 commands alone.
    clients, rounds = (20, 2) if quick else (200, 10)
    if not servers.has_dovecot():
        return [Row("IMAP vs Dovecot", "skipped: Dovecot is not installed "
                    "(apt-get install dovecot-imapd)")]
    imap, anchor_port = offset + 143, offset + 2143
    with servers.mailsim_serve(offset) as ours, \
            servers.dovecot(anchor_port, USER, PASSWORD, clients) as theirs:
        for port in (imap, anchor_port):
            asyncio.run(loadgen.imap_append(port, USER, PASSWORD, MESSAGES))
        mine, anchor = alternating(
            run_count(quick, repeat, MIN_RUNS), partial(one_run, imap, ours.pid, clients, rounds, processes),
            partial(one_run, anchor_port, theirs, clients, rounds, processes))
    p99 = [divide(m.p99, a.p99) for m, a in zip(mine, anchor)]
    rate = [divide(m.rate, a.rate) for m, a in zip(mine, anchor)]
    cpu = [divide(cpu_per_command(m), cpu_per_command(a)) for m, a in zip(mine, anchor)]
    return [Row(f"2. IMAP, mailsim serve: {clients} clients on one mailbox in {processes} "
                f"processes, {rounds} rounds of NOOP / FETCH FLAGS / STORE / UID SEARCH",
                describe(mine), "Dovecot (same load): " + describe(anchor),
                f"p99 {spread(p99)} Dovecot's; "
                f"{verdict(statistics.median(p99), TARGET, higher_is_better=False)}; "
                f"commands/s {spread(rate)} Dovecot's; server CPU per command {spread(cpu)} "
                f"Dovecot's")]
