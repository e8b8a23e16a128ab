"""A line-level IMAP client for regression tests that send exact bytes to ``mailsim serve``."""
import socket

from .conftest import unverified


class ImapLine:
    """A TLS socket to the IMAPS port that reads the server's lines."""

    def __init__(self, port: int) -> None:
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock = unverified().wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        assert self.file.readline().startswith(b"* OK")

    def ask(self, line: bytes, tag: bytes) -> bytes:
        """Send the bytes (CRLF added), return the completion for ``tag``; the untagged
        lines before it are kept in ``self.untagged``."""
        self.sock.sendall(line + b"\r\n")
        self.untagged: list[bytes] = []
        for _ in range(1000):
            answer = self.file.readline()
            if answer.startswith(tag + b" ") or not answer:
                return answer
            self.untagged.append(answer)
        raise AssertionError("no tagged completion")

    def close(self) -> None:
        self.file.close()
        self.sock.close()
