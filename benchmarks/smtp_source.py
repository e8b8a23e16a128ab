"""Postfix's ``smtp-source`` as the short-connection SMTP load generator.

``smtp-source`` (Debian: ``apt-get install postfix``; it needs no
configuration and nothing has to run) is Wietse Venema's test generator: one
C process, ``-s`` sessions in parallel, a new connection for every message,
one command at a time (HELO, MAIL, RCPT, DATA, the message, QUIT).  It costs
a small fraction of the CPU of a Python generator, so on a small machine it
takes less of the cores the server under test needs.  It has no command
pipelining (its manual page, BUGS), so the pipelined shape of
:mod:`benchmarks.smtp_mx` keeps the Python generator.

Without ``-A`` it stops at the first reply that is not the expected positive
one, with a ``smtp-source: fatal: …`` line on stderr and exit status 1: a
run that exits 0 delivered every message.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: Debian installs it in /usr/sbin, which is not on every user's PATH.
DEFAULT_PATH = "/usr/sbin/smtp-source"
#: The message payload in octets (``-l``); smtp-source adds From, To, Date and Message-Id.
LENGTH = 4096
HELO_NAME = "load.test"
SENDER = "load@outside.test"


def find() -> str | None:
    """The path of ``smtp-source``, or None when Postfix is not installed."""
    found = shutil.which("smtp-source")
    if found:
        return found
    return DEFAULT_PATH if os.access(DEFAULT_PATH, os.X_OK) else None


def command(program: str, port: int, sessions: int, messages: int, recipient: str,
            host: str = "127.0.0.1") -> list[str]:
    """The argv of one run: ``messages`` messages in all over ``sessions`` parallel sessions.

    ``-m`` counts messages for the whole run, not per session; every message
    has its own connection (no ``-d``).
    """
    return [program, "-s", str(sessions), "-m", str(messages), "-l", str(LENGTH),
            "-M", HELO_NAME, "-f", SENDER, "-t", recipient, f"{host}:{port}"]


@dataclass
class Outcome:
    """What one run of ``smtp-source`` did."""

    delivered: int          # messages the server accepted: all, or 0 after a failure
    seconds: float          # wall time from start to exit
    cpu: float              # smtp-source's own user + system CPU seconds (its rusage)
    errors: list[str]


def errors_in(stderr: str, status: int) -> list[str]:
    """smtp-source's fatal and warning lines, or the exit status when it said nothing."""
    lines = [line.removeprefix("smtp-source: ").strip() for line in stderr.splitlines()
             if ": fatal:" in line or ": warning:" in line]
    if status != 0 and not lines:
        lines = [f"smtp-source exited with status {status}"]
    return lines


def run(argv: list[str], messages: int, timeout: float) -> Outcome:
    """Run ``argv`` to its end (killed after ``timeout`` s) and measure it.

    ``os.wait4`` gives the CPU time of exactly this child, which
    ``subprocess`` does not report.  Stderr goes to a file, not a pipe, so
    that a talkative run can never block on a full pipe while we wait.
    """
    with tempfile.TemporaryFile("w+") as stderr:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)    # reaped here, not by Popen
        stderr.seek(0)
        errors = errors_in(stderr.read(), proc.returncode)
    if proc.returncode < 0:
        errors.append(f"killed after {timeout:g} s")
    delivered = messages if proc.returncode == 0 else 0
    return Outcome(delivered, seconds, usage.ru_utime + usage.ru_stime, errors)


def version_note(program: str) -> str:
    """``Postfix 3.7.11's smtp-source`` where dpkg knows the package, else the path."""
    try:
        dpkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "postfix"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        dpkg = None
    if dpkg is not None and dpkg.returncode == 0 and dpkg.stdout.strip():
        return f"Postfix {dpkg.stdout.strip()}'s smtp-source"
    return f"Postfix's smtp-source ({Path(program)})"
