"""Measure mailsim and print figures with ratios against baselines run in the same process.

Wall-clock numbers vary between machines; the ratios against a baseline
measured a moment earlier in the same process are what to compare across
runs.  Nothing here is asserted: tests check behaviour, this file measures.

    make bench            # or: python -m benchmarks [--quick]
"""
from __future__ import annotations

import argparse
import time
from dataclasses import replace

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from benchmarks import serve
from simulator.network import simulate
from simulator.protocols.smtp import ServerConfig, SMTPServer
from simulator.scenarios import load
from simulator.trace import Trace

from .player import player_rows

MESSAGE_SIZE = 4096


def best_of(repeat: int, func) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def smtp_session_bytes(messages: int) -> bytes:
    """One pipelined SMTP session carrying ``messages`` messages of 4 KiB."""
    line = b"x" * 70 + b"\r\n"
    body = b"Subject: bench\r\n\r\n" + line * (MESSAGE_SIZE // len(line))
    one = (b"MAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n" + body + b".\r\n")
    return b"EHLO client.test\r\n" + one * messages + b"QUIT\r\n"


def run_engine(data: bytes) -> None:
    server = SMTPServer(ServerConfig(hostname="mx.b.test"))
    server.initiate()
    server.receive_data(data)
    server.data_to_send()
    server.take_transcript()


def run_line_split(data: bytes) -> None:
    """The floor: split the same bytes into lines and look at each verb once."""
    verbs: dict[bytes, int] = {}
    for line in data.split(b"\r\n"):
        verb = line[:4]
        verbs[verb] = verbs.get(verb, 0) + 1


def free_offset() -> int:
    """A port offset under which every port ``mailsim serve`` uses (and aiosmtpd's) is free."""
    import random
    import socket

    def free(port: int) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", port)) != 0
    while True:
        offset = random.randrange(20000, 60000, 11)
        if all(free(p + offset) for p in (25, 587, 465, 110, 995, 109, 143, 993, 2525)):
            return offset


def many_messages(count: int):
    """The basic scenario with ``count`` messages, one every second."""
    base = load("basic")
    first = base.messages[0]
    messages = tuple(replace(first, at=float(i), subject=f"{first.subject} #{i}")
                     for i in range(count))
    return replace(base, messages=messages)


def bench(quick: bool) -> Table:
    messages = 20 if quick else 100
    repeat = 3 if quick else 5
    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("benchmarks", total=5)
        data = smtp_session_bytes(messages)
        floor = best_of(repeat, lambda: run_line_split(data))
        engine = best_of(repeat, lambda: run_engine(data))
        rows.append(("SMTP server engine, pipelined session",
                     f"{messages / engine:,.0f} messages/s ({len(data) / engine / 2**20:.1f} MiB/s)",
                     f"×{engine / floor:.1f} the time of splitting the bytes into lines"))
        progress.advance(task)

        basic = load("basic")
        one = best_of(repeat, lambda: simulate(basic))
        result = simulate(basic)
        rows.append(("simulate('basic'): MUA → MTA → MX → mailbox",
                     f"{1 / one:,.0f} runs/s, {len(result.trace) / one:,.0f} steps/s", "baseline"))
        progress.advance(task)

        big = many_messages(messages)
        scaled = best_of(max(1, repeat // 2), lambda: simulate(big))
        steps = len(simulate(big).trace)
        rows.append((f"simulate('basic' × {messages} messages)",
                     f"{messages / scaled:,.0f} messages/s, {steps / scaled:,.0f} steps/s",
                     f"×{scaled / (one * messages):.2f} the time of {messages} single runs"))
        progress.advance(task)

        trace = simulate(big).trace
        text = trace.to_json()
        round_trip = best_of(repeat, lambda: Trace.from_json(trace.to_json()))
        rows.append((f"trace JSON round trip ({steps} steps, {len(text) / 2**20:.1f} MiB)",
                     f"{len(text) / round_trip / 2**20:.1f} MiB/s",
                     f"×{round_trip / scaled:.2f} the time of the simulation"))
        progress.advance(task)

        rows.extend(player_rows(quick, many_messages))
        progress.advance(task)

        rows += serve.rows(quick, free_offset())
        progress.advance(task)

    table = Table(title="mailsim benchmarks (best of several runs)")
    for column in ("what", "figure", "ratio"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer messages and repeats")
    args = parser.parse_args()
    Console().print(bench(args.quick))


if __name__ == "__main__":
    main()
