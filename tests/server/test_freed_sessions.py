"""A finished connection is freed at once, by reference counting, not by the cyclic collector.

A short SMTP session leaves some twenty objects (the driver, its engine, the
transport, buffers).  Held in a reference cycle, they wait for a collection
of the cyclic garbage collector, which under many short connections cost
about 40 µs per session (``make bench``, section ``smtp``).
"""
import gc
import socket
import threading
import weakref

from .conftest import serving

SESSION = (b"HELO c.test\r\n", b"MAIL FROM:<a@outside.test>\r\n",
           b"RCPT TO:<student@example.test>\r\n", b"DATA\r\n",
           b"Subject: freed\r\n\r\nbody\r\n.\r\n", b"QUIT\r\n")


def _reply(sock_file) -> bytes:
    line = sock_file.readline()
    while line[3:4] == b"-":
        line = sock_file.readline()
    return line


def _until(check, rounds: int = 500) -> bool:
    for _ in range(rounds):
        if check():
            return True
        threading.Event().wait(0.01)
    return False


def test_a_finished_smtp_session_leaves_no_reference_cycle(each_loop):
    gc.collect()
    gc.disable()            # only reference counting may free the session's objects
    try:
        with serving(loop=each_loop) as live:
            with socket.create_connection(("127.0.0.1", live.settings["smtp"]),
                                          timeout=30) as sock, sock.makefile("rb") as replies:
                assert _reply(replies).startswith(b"220")
                (connection,) = live.call(lambda: [weakref.ref(c)
                                                   for c in live.server._connections])
                engine = live.call(lambda: weakref.ref(connection().engine))
                codes = []
                for command in SESSION:
                    sock.sendall(command)
                    codes.append(_reply(replies)[:3])
                assert codes == [b"250", b"250", b"250", b"354", b"250", b"221"]
                assert replies.read() == b""            # the server closed
            assert _until(lambda: live.call(lambda: live.server.active) == 0)
            assert _until(lambda: live.call(lambda: connection() is None and engine() is None))
            stored = live.call(lambda: [m.data for m in live.world.net.store.account(
                "student@example.test").inbox.messages])
            assert any(b"Subject: freed" in data for data in stored)
    finally:
        gc.enable()
