"""The connection limit counts TLS clients that never send a ClientHello; they time out."""
import socket
import time

from .conftest import serving


def wait_until(predicate, rounds: int = 3000):
    for _ in range(rounds):
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_silent_tls_clients_count_and_are_dropped_after_the_handshake_timeout(each_loop):
    with serving(max_connections=2, handshake_timeout=1.0, loop=each_loop) as live:
        silent = [socket.create_connection(("127.0.0.1", live.settings[name]), 30)
                  for name in ("smtps", "imaps")]
        assert wait_until(lambda: live.call(lambda: live.server.active) == 2)
        with socket.create_connection(("127.0.0.1", live.settings["pop3"]), 30) as third:
            assert third.makefile("rb").readline().startswith(b"-ERR [SYS/TEMP]")
        for sock in silent:                  # no ClientHello within the timeout: hung up
            assert sock.recv(100) == b""
            sock.close()
        assert wait_until(lambda: live.call(lambda: live.server.active) == 0)
        with socket.create_connection(("127.0.0.1", live.settings["pop3"]), 30) as later:
            assert later.makefile("rb").readline().startswith(b"+OK")
        explained = [s.explain for s in live.trace]
        assert explained.count("serve.explain.handshake_failed") == 2


def test_a_starttls_handshake_that_fails_frees_its_connection_slot(each_loop):
    with serving(max_connections=1, handshake_timeout=1.0, loop=each_loop) as live:
        with socket.create_connection(("127.0.0.1", live.settings["pop3"]), 30) as first:
            reader = first.makefile("rb")
            assert reader.readline().startswith(b"+OK")
            first.sendall(b"STLS\r\n")
            assert reader.readline().startswith(b"+OK")
            assert reader.read() == b""         # no ClientHello: the handshake times out
        assert wait_until(lambda: live.call(lambda: live.server.active) == 0)
        with socket.create_connection(("127.0.0.1", live.settings["pop3"]), 30) as later:
            assert later.makefile("rb").readline().startswith(b"+OK")   # not "too many"
