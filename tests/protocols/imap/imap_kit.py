"""Helpers for the IMAP engine tests: a store, sessions on it, wire plumbing."""
from __future__ import annotations

from datetime import UTC, datetime

from simulator.mail.imap_backend import StoreBackend
from simulator.mail.store import MailStore
from simulator.protocols.imap import IMAPConfig, IMAPServer, MailboxHub

WHEN = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def message(n: int, *, subject: str | None = None, body: str = "hello", size: int = 0) -> bytes:
    head = (f"From: Alice <alice@example.org>\r\nTo: bob@example.org\r\n"
            f"Subject: {subject or f'message {n}'}\r\nDate: Fri, 1 Mar 2024 12:0{n % 10}:00 +0000\r\n"
            f"Message-ID: <m{n}@example.org>\r\n\r\n").encode()
    text = body.encode() + b"\r\n"
    if size:
        text = (b"x" * 76 + b"\r\n") * (size // 78 + 1)
    return head + text


class World:
    """One store, one hub, any number of sessions on them."""

    def __init__(self, messages: int = 0, **config) -> None:
        self.store = MailStore()
        self.account = self.store.add_user("bob@example.org", "secret")
        self.store.add_user("carol@example.org", "pw")
        for n in range(1, messages + 1):
            self.account.inbox.append(message(n), internal_date=WHEN)
        self.backend = StoreBackend(self.store)
        self.hub = MailboxHub()
        self.config = IMAPConfig(hostname="imap.example.org", **config)
        self._count = 0

    def session(self, *, login: bool = False, select: str | None = None, **config) -> IMAPServer:
        self._count += 1
        cfg = IMAPConfig(**{**self.config.__dict__, **config})
        server = IMAPServer(cfg, self.backend, self.hub, session_id=f"s{self._count}")
        server.initiate()
        server.data_to_send()
        if login or select:
            say(server, "L1 LOGIN bob secret")
            server.run_pending()
        if select:
            say(server, f"S1 SELECT {select}")
            server.run_pending()
        server.data_to_send()
        server.take_transcript()
        return server


def feed(server, data: bytes, bytewise: bool = False) -> bytes:
    chunks = [data[i:i + 1] for i in range(len(data))] if bytewise else [data]
    for chunk in chunks:
        server.receive_data(chunk)
    return server.data_to_send()


def say(server, line: str | bytes, bytewise: bool = False) -> str:
    """Send one command line (CRLF added) and return what came back, decoded."""
    raw = line if isinstance(line, bytes) else line.encode() + b"\r\n"
    return feed(server, raw, bytewise).decode("utf-8", "replace")


def lines(text: str) -> list[str]:
    return [x for x in text.split("\r\n") if x]
