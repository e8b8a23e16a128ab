"""Clear text sent after STARTTLS / STLS never runs inside TLS (RFC 3207 §4.2, CVE-2011-0411).

A man in the middle appends a command to the client's STARTTLS; the server
must throw it away with everything else it received before the handshake.
The bytes are made to reach the server before it reads any of them (its loop
is held meanwhile), so the injected command sits in asyncio's StreamReader
buffer when the switch happens: the case that used to slip through.
"""
import socket

import pytest

from .conftest import delivered, loop_paused, unverified

#: service, command before STARTTLS, STARTTLS, injected command, probe, what answers the probe
CASES = [
    ("smtp", b"EHLO x\r\n", b"STARTTLS\r\n", b"MAIL FROM:<evil@attacker.test>\r\n",
     b"HELP\r\n", b"214"),
    ("submission", b"EHLO x\r\n", b"STARTTLS\r\n", b"AUTH PLAIN AHN0dWRlbnQAc3R1ZGVudA==\r\n",
     b"HELP\r\n", b"214"),
    ("pop3", None, b"STLS\r\n", b"USER bob\r\n", b"CAPA\r\n", b"+OK"),
    ("imap", None, b"a STARTTLS\r\n", b"b LOGIN student student\r\n", b"c CAPABILITY\r\n",
     b"* CAPABILITY"),
]


def recv_line(sock) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        byte = sock.recv(1)
        assert byte, f"the server closed the connection after {line!r}"
        line += byte
    return line


def recv_reply(sock) -> list[bytes]:
    """One SMTP reply (every line up to "NNN "), or one line for the other protocols."""
    lines = [recv_line(sock)]
    while lines[-1][:3].isdigit() and lines[-1][3:4] == b"-":
        lines.append(recv_line(sock))
    return lines


@pytest.mark.parametrize("padding", [0, 70_000], ids=["same-packet", "beyond-64KiB"])
@pytest.mark.parametrize("service,hello,starttls,injected,probe,answer", CASES,
                         ids=[c[0] for c in CASES])
def test_command_injected_after_starttls_is_never_executed(live_each_loop, service, hello, starttls,
                                                           injected, probe, answer, padding):
    live = live_each_loop
    sock = socket.create_connection(("127.0.0.1", live.settings[service]), timeout=30)
    with sock:
        recv_reply(sock)                                        # the greeting
        if hello:
            sock.sendall(hello)
            recv_reply(sock)
        with loop_paused(live):
            sock.sendall(starttls + b"X" * padding + (b"\r\n" if padding else b"") + injected)
            delivered(sock)
        go_ahead = recv_reply(sock)[-1]
        assert go_ahead.startswith((b"220", b"+OK", b"a OK")), go_ahead
        tls = unverified().wrap_socket(sock)
        tls.sendall(probe)
        assert recv_reply(tls)[0].startswith(answer)            # nothing answered before it
        tls.close()
    said = live.call(lambda: [s.raw for s in live.trace if s.direction == "c2s"])
    assert not any(injected.strip() in raw for raw in said)      # never reached the engine
    assert any(s.explain == "serve.explain.tls_discarded" for s in live.trace)
