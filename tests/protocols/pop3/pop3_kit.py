"""Helpers for the POP3 engine tests: the RFC 1939 maildrop and wire plumbing."""
from __future__ import annotations

from simulator.protocols.pop3 import MemoryMaildrops, POP3Config, POP3Server

RFC_TIMESTAMP = "<1896.697170952@dbc.mtview.ca.us>"


def message_of_size(size: int, subject: str, body_line: bytes = b"x") -> bytes:
    """A CRLF message of exactly ``size`` octets (RFC 1939's examples use 120 and 200)."""
    head = f"From: someone@example.org\r\nSubject: {subject}\r\n\r\n".encode()
    filler = size - len(head) - 2
    return head + (body_line * filler)[:filler] + b"\r\n"


def rfc_backend() -> MemoryMaildrops:
    """mrose's maildrop from RFC 1939 §10: two messages, 120 and 200 octets."""
    backend = MemoryMaildrops()
    backend.add_user("mrose", "secret", apop_secret="tanstaaf")
    backend.add_message("mrose", message_of_size(120, "first"), uid="whqtswO00WBw418f9t5JxYwZ")
    backend.add_message("mrose", message_of_size(200, "second"), uid="QhdPYR:00WBw1Ph7x7")
    return backend


def new_server(backend=None, **config) -> POP3Server:
    config.setdefault("hostname", "dewey")
    server = POP3Server(POP3Config(**config), backend or rfc_backend(), session_id="s1")
    server.initiate()
    server.data_to_send()
    return server


def feed(server, data: bytes, bytewise: bool) -> bytes:
    """Give ``data`` to the engine whole or one byte at a time; return what it sent."""
    chunks = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
    for chunk in chunks:
        server.receive_data(chunk)
    return server.data_to_send()


def say(server, line: str | bytes, bytewise: bool = False) -> bytes:
    raw = line if isinstance(line, bytes) else line.encode() + b"\r\n"
    return feed(server, raw, bytewise)



