"""``mailsim serve`` under load, side by side with aiosmtpd measured in the same run.

- SMTP: concurrent senders, each one session with many 4 KiB messages to the
  MX port, against our server and against aiosmtpd with an in-memory handler;
- IMAP: concurrent clients on one mailbox running NOOP / FETCH 1:* FLAGS /
  STORE / UID SEARCH; commands/s and the p50 / p99 latency of one command.
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager

MESSAGE = b"Subject: bench\r\n\r\n" + (b"x" * 70 + b"\r\n") * 56     # ~4 KiB


async def _expect(reader: asyncio.StreamReader, code: bytes) -> None:
    while True:
        line = await reader.readline()
        if not line.startswith(code):
            raise RuntimeError(f"expected {code!r}, got {line!r}")
        if line[3:4] != b"-":
            return


async def _smtp_sender(port: int, messages: int, rcpt: bytes = b"student@example.test") -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await _expect(reader, b"220")
    writer.write(b"EHLO bench.test\r\n")
    await _expect(reader, b"250")
    for _ in range(messages):
        writer.write(b"MAIL FROM:<a@outside.test>\r\nRCPT TO:<" + rcpt + b">\r\nDATA\r\n")
        for code in (b"250", b"250", b"354"):
            await _expect(reader, code)
        writer.write(MESSAGE + b".\r\n")
        await _expect(reader, b"250")
    writer.write(b"QUIT\r\n")
    await _expect(reader, b"221")
    writer.close()


def smtp_rate(port: int, senders: int, messages: int) -> float:
    """Messages per second for ``senders`` concurrent sessions of ``messages`` each."""
    async def run() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(_smtp_sender(port, messages) for _ in range(senders)))
        return senders * messages / (time.perf_counter() - start)
    return asyncio.run(run())


def aiosmtpd_rate(port: int, senders: int, messages: int) -> float:
    from aiosmtpd.controller import Controller

    class Memory:
        def __init__(self) -> None:
            self.messages: list[bytes] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope.content)
            return "250 OK"
    controller = Controller(Memory(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        return smtp_rate(port, senders, messages)
    finally:
        controller.stop()


async def _imap_client(port: int, rounds: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    commands = [b"NOOP", b"FETCH 1:* FLAGS", b"STORE 1 +FLAGS (\\Flagged)", b"UID SEARCH ALL"]
    script = [b"LOGIN teacher teacher", b"SELECT INBOX"] + commands * rounds + [b"LOGOUT"]
    for n, command in enumerate(script):
        tag = b"a%d" % n
        start = time.perf_counter()
        writer.write(tag + b" " + command + b"\r\n")
        while not (await reader.readline()).startswith(tag):
            pass
        if command in commands:
            latencies.append(time.perf_counter() - start)
    writer.close()


def imap_figures(port: int, clients: int, rounds: int) -> tuple[float, float, float]:
    """(commands/s, p50 ms, p99 ms) for ``clients`` concurrent sessions on one mailbox."""
    async def run() -> tuple[float, float, float]:
        latencies: list[float] = []
        start = time.perf_counter()
        await asyncio.gather(*(_imap_client(port, rounds, latencies) for _ in range(clients)))
        elapsed = time.perf_counter() - start
        cuts = statistics.quantiles(latencies, n=100)
        return len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000
    return asyncio.run(run())


@contextmanager
def served(offset: int):
    """``mailsim serve`` in its own process: the load generator must not share its GIL."""
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.Popen([sys.executable, "-m", "simulator", "serve", "--lang", "en",
                                 "--port-offset", str(offset)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True,
                                env=dict(os.environ, XDG_DATA_HOME=home))
        try:
            while (line := proc.stdout.readline()) and line.strip() != "ready":
                pass
            yield proc
        finally:
            proc.terminate()
            proc.wait(10)


def rows(quick: bool, offset: int) -> list[tuple[str, str, str]]:
    """The benchmark table's rows for ``mailsim serve``."""
    senders, messages = (5, 20) if quick else (20, 100)
    clients, rounds = (20, 3) if quick else (200, 3)
    with served(offset):
        ours = smtp_rate(25 + offset, senders, messages)
        # Ten messages in the mailbox that the IMAP clients FETCH and STORE.
        asyncio.run(_smtp_sender(25 + offset, 10, b"teacher@example.test"))
        imap = imap_figures(143 + offset, clients, rounds)
    theirs = aiosmtpd_rate(offset + 2525, senders, messages)
    out = [(f"mailsim serve, SMTP MX: {senders} senders × {messages} × 4 KiB",
            f"{ours:,.0f} messages/s", f"×{ours / theirs:.2f} aiosmtpd's rate"),
           ("aiosmtpd 1.4, in-memory handler (same load)", f"{theirs:,.0f} messages/s",
            "baseline")]
    if imap:
        out.append((f"mailsim serve, IMAP: {clients} clients on one mailbox",
                    f"{imap[0]:,.0f} commands/s", f"p50 {imap[1]:.1f} ms, p99 {imap[2]:.1f} ms"))
    return out
