"""Replies are queued and written once per loop turn: still complete, in order, each to its client."""
import asyncio
import socket
import threading

from simulator.server.flush import Flusher

from .conftest import serving

CLIENTS = 30
NOOPS = 20


def test_flushes_queued_in_one_turn_run_once_each_in_order_at_the_next_turn():
    ran = []

    async def scenario():
        flusher = Flusher.of(asyncio.get_running_loop())
        assert Flusher.of(asyncio.get_running_loop()) is flusher     # one per loop
        flusher.later(lambda: ran.append("a"))
        flusher.later(lambda: ran.append("b"))
        assert ran == []                    # nothing is written in the middle of a turn
        await asyncio.sleep(0)
        assert ran == ["a", "b"]
        flusher.later(lambda: ran.append("c"))
        await asyncio.sleep(0)
        assert ran == ["a", "b", "c"]
    asyncio.run(scenario())


def _read_replies(sock: socket.socket, count: int) -> list[bytes]:
    data = b""
    while data.count(b"\r\n") < count:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n")[:-1]


def test_many_clients_pipelining_at_once_each_get_all_their_replies_in_order():
    with serving() as live:
        port = live.settings["smtp"]
        replies: dict[int, list[bytes]] = {}

        def client(n: int) -> None:
            with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
                _read_replies(sock, 1)                                  # the greeting
                sock.sendall(b"EHLO c%d.test\r\n" % n)
                ehlo = _read_replies(sock, 1)
                while not ehlo[-1].startswith(b"250 "):
                    ehlo += _read_replies(sock, 1)
                # RFC 2920: NOOPs and a bad command in one write, answered in order.
                sock.sendall(b"NOOP\r\n" * NOOPS + b"XYZZY %d\r\n" % n + b"QUIT\r\n")
                replies[n] = _read_replies(sock, NOOPS + 2)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert sorted(replies) == list(range(CLIENTS))
    for got in replies.values():
        assert [line[:3] for line in got] == [b"250"] * NOOPS + [b"500", b"221"]


def test_the_trace_records_every_reply_that_went_out():
    with serving() as live:
        with socket.create_connection(("127.0.0.1", live.settings["smtp"]), timeout=60) as sock:
            _read_replies(sock, 1)
            sock.sendall(b"HELO c.test\r\n" + b"NOOP\r\n" * 5 + b"QUIT\r\n")
            got = _read_replies(sock, 7)
        sent = [s.raw for s in live.trace.snapshot().steps
                if s.direction == "s2c" and s.protocol == "SMTP"]
    assert [line + b"\r\n" for line in got] == sent[-7:]
