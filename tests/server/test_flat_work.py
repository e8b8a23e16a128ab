"""A server for a class runs for hours: the work it does for each message must not grow with
the mail it has stored or the trace steps it has forgotten (issue 16).

The work is counted, not timed: every Python function the server runs for a message (its
SMTP engine, the recorder, the live trace, the MTA and the mailbox store) is one call
seen by ``sys.setprofile``.  The engine is fed the way the socket driver feeds it, a line
at a time inside the recorder's exchange, with the MDA's delivery settled before the 250
(RFC 5321 §6.1), so the count is the served path without the sockets.
"""
import asyncio
import sys

from benchmarks.live_driver import engine_session
from simulator.server.world import World, load_scenario

CONTENT = b"Subject: flat\r\n\r\n" + (b"x" * 70 + b"\r\n") * 56
LINES = (b"EHLO client.test\r\n", b"MAIL FROM:<someone@outside.test>\r\n",
         b"RCPT TO:<student@example.test>\r\n", b"DATA\r\n", CONTENT + b".\r\n", b"QUIT\r\n")


def send(world: World, count: int) -> None:
    """``count`` short SMTP sessions on port 25, one message each; each must be queued."""
    for _ in range(count):
        replies = engine_session(world, LINES)
        assert b"\r\n250 2.0.0 Ok: queued as " in replies
        assert replies.endswith(b"Service closing transmission channel\r\n")


def calls_per_message(world: World, count: int) -> float:
    calls = 0

    def count_call(frame, event, arg) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1
    sys.setprofile(count_call)
    try:
        send(world, count)
    finally:
        sys.setprofile(None)
    return calls / count


def test_work_per_message_does_not_grow_with_stored_mail_and_forgotten_steps():
    async def run() -> tuple[float, float, int, int]:
        world = World(load_scenario("classroom", None, []), asyncio.get_running_loop(),
                      trace_max_steps=200, trace_max_bytes=64 << 10)
        world.start()
        first = calls_per_message(world, 60)
        send(world, 1200)
        later = calls_per_message(world, 60)
        inbox = world.net.store.account("student@example.test").inbox
        return first, later, len(inbox.messages), world.trace.dropped
    first, later, stored, dropped = asyncio.run(run())
    assert stored >= 1320 and dropped > 19_000          # what the later messages came after
    # The ring forgets its oldest quarter now and then: an average over 60 messages evens it.
    assert later <= first * 1.03, (first, later)


def test_the_trace_in_memory_stays_within_its_bounds_as_mail_flows():
    async def run():
        world = World(load_scenario("classroom", None, []), asyncio.get_running_loop(),
                      trace_max_steps=300, trace_max_bytes=48 << 10)
        world.start()
        sizes = []
        for _ in range(30):
            send(world, 10)
            sizes.append((len(world.trace), world.trace.retained_bytes))
        steps = world.trace.steps
        return sizes, steps, world.trace.dropped
    sizes, steps, dropped = asyncio.run(run())
    assert all(count <= 300 and weight <= 48 << 10 for count, weight in sizes)
    # The newest steps are kept, numbered on from the forgotten ones, whole and in order.
    assert [s.index for s in steps] == list(range(dropped, dropped + len(steps)))
    assert steps[-1].line.startswith("221 2.0.0")
