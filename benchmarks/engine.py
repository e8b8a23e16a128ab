"""The engines and the in-memory network on their own (no ratio target, each with a floor).

- the SMTP server engine fed one pipelined session, against splitting the
  same bytes into lines, and the POP3 and IMAP server engines each fed one
  reading session (CPU time of this process: the engines never wait, so the
  figures hold on a loaded machine);
- ``simulate('basic')`` and the same scenario with many messages;
- the trace's JSON round trip;
- the Jupyter player's time per step (:mod:`benchmarks.player`).
"""
from __future__ import annotations

from dataclasses import replace

from simulator.mail.imap_backend import StoreBackend
from simulator.mail.maildrop import StoreMaildrop
from simulator.mail.store import MailStore
from simulator.network import simulate
from simulator.protocols.imap import IMAPConfig, IMAPServer
from simulator.protocols.pop3 import POP3Config, POP3Server
from simulator.protocols.smtp import ServerConfig, SMTPServer
from simulator.scenarios import load
from simulator.trace import Trace

from .loadgen import MESSAGE
from .player import player_rows
from .report import Row, best_cpu_of, best_of


def smtp_session_bytes(messages: int) -> bytes:
    """One pipelined SMTP session carrying ``messages`` messages of 4 KiB."""
    one = b"MAIL FROM:<a@a.test>\r\nRCPT TO:<b@b.test>\r\nDATA\r\n" + MESSAGE + b".\r\n"
    return b"EHLO client.test\r\n" + one * messages + b"QUIT\r\n"


def run_engine(data: bytes) -> None:
    _session(SMTPServer(ServerConfig(hostname="mx.b.test")), data)


def _session(server, data: bytes) -> None:
    server.initiate()
    server.receive_data(data)
    server.data_to_send()
    server.take_transcript()


def mailbox_store(messages: int) -> MailStore:
    """One account with ``messages`` messages of 4 KiB in its INBOX."""
    store = MailStore()
    store.add_user("alice@b.test", "secret")
    for _ in range(messages):
        store.deliver("alice@b.test", MESSAGE)
    return store


def pop3_session_bytes(messages: int) -> bytes:
    """A POP3 session that lists the maildrop and retrieves every message (RFC 1939)."""
    lines = [b"USER alice@b.test", b"PASS secret", b"STAT", b"LIST", b"UIDL",
             *(b"RETR %d" % n for n in range(1, messages + 1)), b"QUIT"]
    return b"".join(line + b"\r\n" for line in lines)


def imap_session_bytes() -> bytes:
    """An IMAP session that selects INBOX, fetches summaries and bodies, searches (RFC 9051)."""
    lines = [b"a LOGIN alice@b.test secret", b"b SELECT INBOX",
             b"c FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)", b"d UID FETCH 1:* (BODY.PEEK[])",
             b"e SEARCH UNSEEN", b"f NOOP", b"g LOGOUT"]
    return b"".join(line + b"\r\n" for line in lines)


def engine_rows(messages: int, repeat: int) -> list[Row]:
    """The three server engines, each fed one whole session, in CPU time."""
    data = smtp_session_bytes(messages)
    floor = best_cpu_of(repeat, lambda: run_line_split(data))
    engine = best_cpu_of(repeat, lambda: run_engine(data))
    out = [Row("SMTP server engine, pipelined session",
               f"{messages / engine:,.0f} messages/s ({len(data) / engine / 2**20:.1f} MiB/s)",
               "splitting the same bytes into lines", f"×{engine / floor:.1f} the time")]
    store = mailbox_store(messages)
    readers = (
        (f"POP3 server engine, LIST + RETR × {messages}", pop3_session_bytes(messages),
         lambda: POP3Server(POP3Config("mx.b.test"), StoreMaildrop(store), session_id="b")),
        (f"IMAP server engine, SELECT + FETCH of {messages} bodies + SEARCH",
         imap_session_bytes(),
         lambda: IMAPServer(IMAPConfig("mx.b.test"), StoreBackend(store), session_id="b")),
    )
    for what, session, make in readers:
        seconds = best_cpu_of(repeat, lambda: _session(make(), session))  # noqa: B023
        sent = _replies(make(), session)
        out.append(Row(what, f"{1 / seconds:,.0f} sessions/s "
                             f"({sent / seconds / 2**20:.1f} MiB/s of replies)"))
    return out


def _replies(server, data: bytes) -> int:
    server.initiate()
    server.receive_data(data)
    return len(server.data_to_send())


def run_line_split(data: bytes) -> None:
    """The floor: split the same bytes into lines and look at each verb once."""
    verbs: dict[bytes, int] = {}
    for line in data.split(b"\r\n"):
        verb = line[:4]
        verbs[verb] = verbs.get(verb, 0) + 1


def many_messages(count: int):
    """The basic scenario with ``count`` messages, one every second."""
    base = load("basic")
    first = base.messages[0]
    messages = tuple(replace(first, at=float(i), subject=f"{first.subject} #{i}")
                     for i in range(count))
    return replace(base, messages=messages)


def rows(quick: bool) -> list[Row]:
    messages = 20 if quick else 100
    repeat = 3 if quick else 5
    out = engine_rows(messages, repeat)

    basic = load("basic")
    one = best_of(repeat, lambda: simulate(basic))
    steps = len(simulate(basic).trace)
    out.append(Row("simulate('basic'): MUA → MTA → MX → mailbox",
                   f"{1 / one:,.0f} runs/s, {steps / one:,.0f} steps/s"))

    big = many_messages(messages)
    scaled = best_of(max(1, repeat // 2), lambda: simulate(big))
    trace = simulate(big).trace
    out.append(Row(f"simulate('basic' × {messages} messages)",
                   f"{messages / scaled:,.0f} messages/s, {len(trace) / scaled:,.0f} steps/s",
                   f"{messages} single runs", f"×{scaled / (one * messages):.2f} the time"))

    text = trace.to_json()
    round_trip = best_of(repeat, lambda: Trace.from_json(trace.to_json()))
    out.append(Row(f"trace JSON round trip ({len(trace)} steps, {len(text) / 2**20:.1f} MiB)",
                   f"{len(text) / round_trip / 2**20:.1f} MiB/s", "the simulation",
                   f"×{round_trip / scaled:.2f} the time"))
    return out + player_rows(quick, many_messages)
