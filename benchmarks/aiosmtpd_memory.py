"""aiosmtpd with an in-memory handler, the SMTP anchor of ``make bench``.

    python -m benchmarks.aiosmtpd_memory PORT

Listens on 127.0.0.1:PORT until terminated and keeps every message's
content in a list, the least work an SMTP server can do with a message.
aiosmtpd does not advertise PIPELINING, but it reads one line at a time,
so the pipelined load of :mod:`benchmarks.loadgen` is answered in order.
"""
from __future__ import annotations

import asyncio
import sys

from aiosmtpd.smtp import SMTP


class Memory:
    """Keeps each message's bytes; says 250."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


async def serve(port: int) -> None:
    handler = Memory()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, hostname="anchor.test"),
                                      "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1])))
