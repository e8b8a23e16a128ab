"""Shared helpers for the SMTP engine tests: feeding bytes three ways, reading replies, pumping."""
from __future__ import annotations

from simulator.protocols.smtp import Handler, Reply, ServerConfig, SMTPClient, SMTPServer

FEED_MODES = ("whole", "bytewise", "trailing")

#: An incomplete line left after the script: it must be buffered, not answered.
TRAILING = b"NOOP but no line end yet"


def feed_bytes(engine, data: bytes, mode: str) -> list:
    """Give ``data`` to an engine whole, one byte at a time, or with trailing bytes."""
    if mode == "whole":
        return engine.receive_data(data)
    if mode == "trailing":
        return engine.receive_data(data + TRAILING)
    events = []
    for i in range(len(data)):
        events += engine.receive_data(data[i:i + 1])
    return events


def split_replies(data: bytes) -> list[Reply]:
    """The replies in a server's output, multi-line ones kept together."""
    replies, block = [], []
    for line in data.decode("utf-8").split("\r\n")[:-1]:
        block.append(line)
        if len(line) < 4 or line[3] != "-":
            replies.append(Reply.parse("\n".join(block)))
            block = []
    assert not block, f"unterminated multi-line reply: {block}"
    return replies


def script(*lines: str) -> bytes:
    """Client lines joined with CRLF (each line ends with CRLF)."""
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


class Users(Handler):
    """A handler with one mailbox list and one password, for most tests."""

    def __init__(self, unknown: tuple[str, ...] = (), password: str = "secret") -> None:
        self.unknown = unknown
        self.password = password

    def handle_RCPT(self, session, envelope, path):
        if path.local_part in self.unknown:
            return Reply(550, "5.1.1", ("No such user here",))
        return None

    def authenticate(self, session, mechanism, username, password):
        return password == self.password


def new_server(handler: Handler | None = None, **config) -> SMTPServer:
    """A server whose greeting waits in its output."""
    server = SMTPServer(ServerConfig(config.pop("hostname", "foo.com"), **config), handler)
    server.initiate()
    return server


def make_server(handler: Handler | None = None, **config) -> SMTPServer:
    """A server that already sent its greeting (its output is cleared)."""
    server = new_server(handler, **config)
    server.data_to_send()
    return server


def ask(server: SMTPServer, *lines: str) -> list[Reply]:
    """Send whole command lines and return the replies they produced."""
    if lines:                           # b"" would mean "the client closed"
        server.receive_data(script(*lines))
    return split_replies(server.data_to_send())


def converse(client: SMTPClient, server: SMTPServer, *, bytewise: bool = False,
             on_tls: bool = True, max_rounds: int = 100) -> tuple[list, list]:
    """Pump bytes between the engines until both are quiet; returns (client, server) events.

    When the client reports TLSRequested, both sides are told the handshake
    happened (``tls_started``), which is what a driver does after wrapping
    the socket.
    """
    client_events, server_events = [], []
    for _ in range(max_rounds):
        to_client, to_server = server.data_to_send(), b""
        if to_client:
            client_events += _deliver(client, to_client, bytewise)
        to_server = client.data_to_send()
        if to_server:
            server_events += _deliver(server, to_server, bytewise)
        if on_tls and client.state.value == "TLS" and server.state.value == "TLS":
            server.tls_started()
            client.tls_started()
            continue
        if not to_client and not to_server:
            break
    return client_events, server_events


def _deliver(engine, data: bytes, bytewise: bool) -> list:
    if not bytewise:
        return engine.receive_data(data)
    events = []
    for i in range(len(data)):
        events += engine.receive_data(data[i:i + 1])
    return events
