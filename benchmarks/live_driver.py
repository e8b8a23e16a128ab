"""``mailsim serve``'s SMTP connections without sockets: the driver's CPU per short session.

Each session goes through the real :class:`simulator.server.driver.LiveConnection` of a
served classroom world, on a real event loop, the way Postfix's ``smtp-source`` talks
to it: a new connection per message, the greeting, then HELO (smtp-source's default),
MAIL, RCPT, DATA, the 4 KiB message and QUIT, each command its own read, the loop
turning in between (so the queued replies are flushed as on a socket).  Only the
transport is a stand-in: it keeps what is written and, on close, tells the protocol
the connection is lost.

Set beside the same sessions fed straight to the engine inside the recorder's
exchanges (:func:`engine_only`), the difference is what the driver layer costs per
message: the protocol object, its timers, its trace steps (TCP connect and close),
its flushes.  The kernel's and the loop's own socket work are not in either figure.

    python -m benchmarks.live_driver [sessions] [--profile]
"""
from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import time
from collections.abc import Callable

from simulator.server import gc_policy
from simulator.server.app import MailServer, ServeOptions
from simulator.server.loops import loop_factory
from simulator.server.world import World, load_scenario
from simulator.trace import Where

from .loadgen import MESSAGE

RECIPIENT = b"student@example.test"
COMMANDS = (b"HELO client.test\r\n", b"MAIL FROM:<someone@outside.test>\r\n",
            b"RCPT TO:<" + RECIPIENT + b">\r\n", b"DATA\r\n", MESSAGE + b".\r\n", b"QUIT\r\n")


class ScriptedClient(asyncio.Transport):
    """The socket's side of one connection: keeps what the server writes and, once a whole
    reply has come, hands the protocol the client's next command at the loop's next turn
    (the way a socket's readiness does); on close the protocol hears the connection lost."""

    def __init__(self, loop: asyncio.AbstractEventLoop, port: int,
                 protocol: asyncio.Protocol, done: Callable[[ScriptedClient], None]) -> None:
        super().__init__()
        self._loop = loop
        self._peer = ("127.0.0.1", port)
        self._protocol = protocol
        self._done = done
        self._commands = iter(COMMANDS)
        self._closing = False
        self.written: list[bytes] = []

    def get_extra_info(self, name, default=None):
        return self._peer if name == "peername" else default

    def get_protocol(self):
        return self._protocol

    def write(self, data) -> None:
        self.written.append(bytes(data))
        last = data[data.rfind(b"\n", 0, len(data) - 1) + 1:]
        if last[3:4] == b" ":                   # a whole reply: the client says its next line
            command = next(self._commands, None)
            if command is not None:
                self._loop.call_soon(self._protocol.data_received, command)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._lost)

    def _lost(self) -> None:
        protocol, self._protocol = self._protocol, None     # as asyncio's and uvloop's do
        protocol.connection_lost(None)
        self._done(self)

    def abort(self) -> None:
        self.close()

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


def served_world() -> World:
    """The classroom world ``mailsim serve`` runs by default (in-memory store), with the
    server's settings of the garbage collector (:mod:`simulator.server.gc_policy`)."""
    world = World(load_scenario("classroom", None, [], "en"), asyncio.get_running_loop())
    world.start()
    gc_policy.settle_after_start()
    return world


def run_served(main) -> object:
    """Run ``main()`` on the event loop ``mailsim serve`` uses (uvloop where installed)."""
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main())


async def driver_sessions(world: World, count: int) -> None:
    """``count`` short sessions through the real LiveConnection (see the module's text),
    one after the other, each accepted the way ``mailsim serve`` accepts it."""
    server = MailServer(ServeOptions(lang="en"))
    server.world = world
    service = next(s for s in world.services if s.port == 25)
    loop = asyncio.get_running_loop()
    finished = loop.create_future()
    started = 0

    def begin() -> None:
        nonlocal started
        connection = server._accept(service, None)
        client = ScriptedClient(loop, 40000 + started % 20000, connection, end)
        started += 1
        connection.connection_made(client)

    def end(client: ScriptedClient) -> None:
        replies = b"".join(client.written)
        if b"\r\n250 Ok: queued as " not in replies or \
                not replies.endswith(b"Service closing transmission channel\r\n"):
            finished.set_exception(AssertionError(replies))
        elif started < count:
            loop.call_soon(begin)
        else:
            finished.set_result(None)

    begin()
    await finished
    assert server.active == 0, server.active


def engine_session(world: World, lines: tuple[bytes, ...]) -> bytes:
    """One SMTP session on port 25 fed to the engine alone, a line at a time inside the
    recorder's exchange as the driver feeds it (the MDA's delivery settled before the 250,
    RFC 5321 §6.1); every reply it sent, the greeting first."""
    service = next(s for s in world.services if s.port == 25)
    conn = world.net.new_conn_id()
    engine = service.make("127.0.0.1:40000", conn)
    where = Where(conn, "127.0.0.1:40000", world.host.name.lower(), "SMTP",
                  {"port": 25, "live": True})

    def feed(action) -> None:
        def act() -> None:
            action()
            world.scheduler.settle()
        world.net.recorder.exchange(act, engine.take_transcript, where)

    feed(engine.initiate)
    replies = engine.data_to_send()
    for line in lines:
        feed(lambda line=line: engine.receive_data(line))
        replies += engine.data_to_send()
    return replies


async def engine_only(world: World, count: int) -> None:
    """The same sessions fed to the engine inside the recorder's exchanges, no driver."""
    for _ in range(count):
        replies = engine_session(world, COMMANDS)
        assert replies.endswith(b"Service closing transmission channel\r\n")


def cpu_per_session(run, count: int, repeat: int = 3) -> float:
    """The least CPU seconds per session over ``repeat`` runs of ``count`` sessions each,
    in a fresh world each run, after a warm-up of a tenth as many."""
    async def measure() -> float:
        world = served_world()
        await run(world, max(1, count // 10))
        start = time.process_time()
        await run(world, count)
        return (time.process_time() - start) / count
    return min(run_served(measure) for _ in range(repeat))


def profile(count: int) -> None:
    async def go() -> None:
        world = served_world()
        await driver_sessions(world, count // 10)
        profiler = cProfile.Profile()
        profiler.enable()
        await driver_sessions(world, count)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
    run_served(go)


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    count = int(args[0]) if args else 2000
    if "--profile" in argv:
        profile(count)
        return
    driver = cpu_per_session(driver_sessions, count)
    engine = cpu_per_session(engine_only, count)
    print(f"through LiveConnection: {driver * 1e6:6.0f} µs CPU per session")
    print(f"engine + trace only:    {engine * 1e6:6.0f} µs CPU per session")
    print(f"the driver layer:       {(driver - engine) * 1e6:6.0f} µs")


if __name__ == "__main__":
    main(sys.argv[1:])
