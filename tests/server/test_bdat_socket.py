"""``mailsim serve`` speaks BDAT on a real socket (RFC 3030; smtplib has none, so raw bytes)."""
import socket

from .conftest import serving


def _reply(reader) -> bytes:
    lines = [reader.readline()]
    while lines[-1][3:4] == b"-":
        lines.append(reader.readline())
    return b"".join(lines)


def test_a_binary_message_in_two_chunks_over_a_socket_is_stored_octet_for_octet():
    photo = bytes(range(256)) * 8
    message = (b"From: alice@a.test\r\nTo: bob@b.test\r\nMIME-Version: 1.0\r\n"
               b"Content-Type: image/png\r\nContent-Transfer-Encoding: binary\r\n\r\n" + photo)
    half = len(message) // 2
    with serving(scenario="binarymime") as live, \
            socket.create_connection(("127.0.0.1", live.settings["smtp"]), 30) as sock:
        reader = sock.makefile("rb")
        assert _reply(reader).startswith(b"220 ")
        sock.sendall(b"EHLO client.test\r\n")
        ehlo = _reply(reader)
        assert b"250-CHUNKING" in ehlo and b"BINARYMIME" in ehlo
        sock.sendall(b"MAIL FROM:<alice@a.test> BODY=BINARYMIME\r\nRCPT TO:<alice@a.test>\r\n"
                     + f"BDAT {half}\r\n".encode() + message[:half])
        assert [_reply(reader)[:3] for _ in range(3)] == [b"250"] * 3
        # the rest in pieces of 97 octets: the server counts octets, however TCP cuts them
        rest = f"BDAT {len(message) - half} LAST\r\n".encode() + message[half:]
        for i in range(0, len(rest), 97):
            sock.sendall(rest[i:i + 97])
        assert _reply(reader).startswith(b"250 2.0.0 Ok: queued")
        sock.sendall(b"QUIT\r\n")
        assert _reply(reader).startswith(b"221 ")
    stored = live.world.net.store.account("alice@a.test").inbox.messages[0].data
    assert stored.endswith(message)
