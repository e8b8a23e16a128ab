"""Load generators for SMTP and IMAP servers, run in several processes.

A load generator that shares a core (or a GIL) with the server it measures
measures itself.  :func:`run_workers` starts ``processes`` worker processes
(multiprocessing, "spawn"), each running many asyncio clients, releases them
together, and collects their counts, latencies and their own CPU time: the
report prints the generator's CPU share next to the server's, so a reader
can see which side was the limit.

SMTP (RFC 5321) comes in the two shapes Postfix's ``smtp-source`` produces:

- ``short``: a new connection for every ``per_connection`` messages, one
  command at a time (greeting, EHLO, MAIL, RCPT, DATA, message, QUIT);
- ``pipelined``: one long connection per client, commands grouped as RFC 2920
  §3.1 allows: MAIL, RCPT and DATA in one write, and the message content
  with the next MAIL, RCPT and DATA in the next.

IMAP (RFC 3501): each client logs in, selects INBOX and runs rounds of NOOP,
FETCH 1:* FLAGS, STORE +FLAGS and UID SEARCH, one command at a time, timing
each from the write of its line to its tagged reply.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: A 4 KiB message, the size smtp-source's ``-l 4096`` sends.
MESSAGE = b"Subject: bench\r\n\r\n" + (b"x" * 70 + b"\r\n") * 56
SENDER = b"MAIL FROM:<load@outside.test>\r\n"
IMAP_COMMANDS = (b"NOOP", b"FETCH 1:* FLAGS", b"STORE 1 +FLAGS (\\Flagged)", b"UID SEARCH ALL")
#: No set-up or wait for a reply lasts longer than this, and no run longer than
#: RUN_TIMEOUT: a wedged server ends the run, not the bench.
REPLY_TIMEOUT = 60.0
RUN_TIMEOUT = 600.0


class ProtocolError(RuntimeError):
    """The server answered something the generator did not expect."""


@dataclass
class WorkerResult:
    """What one worker process did."""

    done: int = 0                       # messages delivered, or IMAP commands answered
    cpu: float = 0.0                    # the worker's own CPU seconds
    latencies: list[float] = field(default_factory=list)
    began: float = 0.0                  # time.monotonic(), the same clock in every process
    ended: float = 0.0
    error: str = ""


# -- SMTP --------------------------------------------------------------------------------

async def _reply(reader: asyncio.StreamReader, code: bytes) -> None:
    """Read one (possibly multi-line) reply and check its code (RFC 5321 §4.2.1)."""
    while True:
        line = await reader.readline()
        if not line.startswith(code):
            raise ProtocolError(f"expected {code.decode()}, got {line[:80]!r}")
        if line[3:4] != b"-":
            return


async def _replies(reader: asyncio.StreamReader, codes: tuple[bytes, ...]) -> None:
    for code in codes:
        await _reply(reader, code)


def _envelope(rcpt: bytes) -> bytes:
    return SENDER + b"RCPT TO:<" + rcpt + b">\r\n" + b"DATA\r\n"


async def smtp_short(port: int, messages: int, rcpt: bytes, per_connection: int = 1) -> int:
    """``messages`` messages, ``per_connection`` per connection, one command at a time."""
    sent = 0
    while sent < messages:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await _reply(reader, b"220")
        writer.write(b"EHLO load.test\r\n")
        await _reply(reader, b"250")
        for _ in range(min(per_connection, messages - sent)):
            for line, code in ((SENDER, b"250"), (b"RCPT TO:<" + rcpt + b">\r\n", b"250"),
                               (b"DATA\r\n", b"354"), (MESSAGE + b".\r\n", b"250")):
                writer.write(line)
                await _reply(reader, code)
            sent += 1
        writer.write(b"QUIT\r\n")
        await _reply(reader, b"221")
        writer.close()
        await writer.wait_closed()
    return sent


async def smtp_pipelined(port: int, messages: int, rcpt: bytes) -> int:
    """``messages`` messages on one connection, in RFC 2920 command groups."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _reply(reader, b"220")
    writer.write(b"EHLO load.test\r\n")
    await _reply(reader, b"250")
    envelope = _envelope(rcpt)
    writer.write(envelope)
    for n in range(messages):
        await _replies(reader, (b"250", b"250", b"354"))
        last = n == messages - 1
        # The content may open the next group (RFC 2920 §3.1): dot, MAIL, RCPT, DATA.
        writer.write(MESSAGE + b".\r\n" + (b"QUIT\r\n" if last else envelope))
        await _reply(reader, b"250")
    await _reply(reader, b"221")
    writer.close()
    await writer.wait_closed()
    return messages


# -- IMAP --------------------------------------------------------------------------------

async def _tagged(reader: asyncio.StreamReader, tag: bytes) -> bytes:
    """Read up to the tagged reply of ``tag`` and return it (literals are not expected)."""
    while True:
        line = await reader.readline()
        if not line:
            raise ProtocolError(f"connection closed before the reply to {tag.decode()}")
        if line.startswith(tag + b" "):
            return line


class IMAPClient:
    """One IMAP session: :meth:`open` logs in and selects INBOX, :meth:`rounds` is timed."""

    def __init__(self, port: int, user: str, password: str) -> None:
        self.port, self.user, self.password = port, user, password
        self.tags = 0

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        await self.reader.readline()
        await self.command(f"LOGIN {self.user} {self.password}".encode())
        await self.command(b"SELECT INBOX")

    async def command(self, line: bytes) -> None:
        self.tags += 1
        tag = b"a%d" % self.tags
        self.writer.write(tag + b" " + line + b"\r\n")
        reply = await _tagged(self.reader, tag)
        if not reply.startswith(tag + b" OK"):
            raise ProtocolError(f"{line.decode()} → {reply[:80]!r}")

    async def rounds(self, count: int, latencies: list[float]) -> int:
        """``count`` × the four commands, each timed from its write to its tagged reply."""
        for _ in range(count):
            for line in IMAP_COMMANDS:
                start = time.perf_counter()
                await self.command(line)
                latencies.append(time.perf_counter() - start)
        return count * len(IMAP_COMMANDS)

    async def close(self) -> None:
        await self.command(b"LOGOUT")
        self.writer.close()


async def imap_append(port: int, user: str, password: str, count: int) -> None:
    """Fill INBOX with ``count`` messages (RFC 3501 §6.3.11, synchronising literals)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    writer.write(f"s1 LOGIN {user} {password}\r\n".encode())
    await _tagged(reader, b"s1")
    for n in range(count):
        tag = b"p%d" % n
        writer.write(tag + b" APPEND INBOX {%d}\r\n" % len(MESSAGE))
        line = await reader.readline()
        if not line.startswith(b"+"):
            raise ProtocolError(f"APPEND got {line[:80]!r}")
        writer.write(MESSAGE + b"\r\n")
        await _tagged(reader, tag)
    writer.write(b"s2 LOGOUT\r\n")
    await _tagged(reader, b"s2")
    writer.close()


# -- the worker processes ----------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """What each worker runs: ``clients`` concurrent clients of one kind."""

    kind: str                   # "smtp-short", "smtp-pipelined" or "imap"
    port: int
    clients: int                # concurrent clients in this worker
    amount: int                 # messages (SMTP) or rounds (IMAP) per client
    per_connection: int = 1     # smtp-short: messages per connection
    user: str = "teacher"
    password: str = "teacher"
    rcpt: bytes = b"student@example.test"


def _smtp_client(job: Job):
    if job.kind == "smtp-short":
        return smtp_short(job.port, job.amount, job.rcpt, job.per_connection)
    return smtp_pipelined(job.port, job.amount, job.rcpt)


async def _run_job(job: Job, result: WorkerResult, ready, go, results) -> None:
    """Set up (IMAP: log every client in), say ready, wait for go, run the load, report.

    The report goes out before the IMAP clients log out, so that neither the
    clock nor the server's CPU count includes the goodbyes.
    """
    async with asyncio.timeout(REPLY_TIMEOUT):
        imap = [IMAPClient(job.port, job.user, job.password) for _ in range(job.clients)
                ] if job.kind == "imap" else []
        await asyncio.gather(*(client.open() for client in imap))
    ready.set()
    await asyncio.to_thread(go.wait, REPLY_TIMEOUT)
    start, result.began = time.process_time(), time.monotonic()
    async with asyncio.timeout(RUN_TIMEOUT):
        if imap:
            counts = await asyncio.gather(*(c.rounds(job.amount, result.latencies)
                                            for c in imap))
        else:
            counts = await asyncio.gather(*(_smtp_client(job) for _ in range(job.clients)))
    result.done, result.ended = sum(counts), time.monotonic()
    result.cpu = time.process_time() - start
    results.put(result)
    await asyncio.gather(*(client.close() for client in imap))


def _worker(job: Job, ready, go, results) -> None:
    result = WorkerResult()
    try:
        asyncio.run(_run_job(job, result, ready, go, results))
    except (OSError, RuntimeError, TimeoutError, EOFError) as exc:   # ProtocolError included
        if not result.ended:
            result.error = f"{exc.__class__.__name__}: {exc}"
            ready.set()
            results.put(result)


def _minus(after, before):
    if isinstance(after, tuple):
        return tuple(a - b for a, b in zip(after, before))
    return after - before


@dataclass
class LoadResult:
    """All workers of one run together."""

    done: int
    seconds: float
    generator_cpu: float
    latencies: list[float]
    errors: list[str]

    @property
    def rate(self) -> float:
        return self.done / self.seconds


def run_workers(job: Job, processes: int, *, server_cpu: Callable[[], Any] | None = None
                ) -> tuple[LoadResult, Any]:
    """Run ``job`` in ``processes`` processes at once; (result, server CPU used or None).

    ``server_cpu`` returns a number or a tuple of numbers (user, system); the
    difference between its values before and after the load is returned.

    The clock runs from the first worker's start to the last one's end,
    after every worker is set up: neither interpreter start-up nor IMAP
    logins count as load.
    """
    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    go = ctx.Event()
    readies, procs = [], []
    for _ in range(processes):
        ready = ctx.Event()
        proc = ctx.Process(target=_worker, args=(job, ready, go, results), daemon=True)
        proc.start()
        readies.append(ready)
        procs.append(proc)
    try:
        for ready in readies:
            ready.wait(REPLY_TIMEOUT)
        cpu_before = server_cpu() if server_cpu else None
        go.set()
        parts = [results.get(timeout=RUN_TIMEOUT + REPLY_TIMEOUT) for _ in procs]
        cpu = _minus(server_cpu(), cpu_before) if server_cpu else None
    finally:
        for proc in procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
    ran = [p for p in parts if p.ended]
    seconds = max(p.ended for p in ran) - min(p.began for p in ran) if ran else float("nan")
    load = LoadResult(sum(p.done for p in parts), seconds, sum(p.cpu for p in parts),
                      [x for p in parts for x in p.latencies], [p.error for p in parts if p.error])
    return load, cpu
